//! Drawing: `draw(frame, &mut app)` paints the whole screen from the app's
//! state; what it writes back is only the layout (the list's cursor kept in
//! view, the text's scroll within the text, the panes' areas for the
//! mouse), through `&mut`, for the next key or mouse event. Works on any backend, so
//! the snapshot tests draw on ratatui's `TestBackend`.
//!
//! Every string that comes from the bundle passes through
//! `domain::text::inert`/`inert_line` before it becomes a `Span`.

mod detail;
mod list;
mod scoring;

use crate::tui::ScreenBasics;
use crate::tui::kit::Look;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Paragraph};

use crate::domain::history::Status;
use crate::domain::text::inert_line;
use crate::tui::action::{Cmd, Context};
use crate::tui::expert::{App, Areas, Focus, OwnerKey, SaveState, Screen, Signing, Target};
use crate::tui::kit::frame::{
    Hints, SlashHints, expert_line, footer_hints, header_lines, themed_block,
};
use crate::tui::strings::fill;
use crate::tui::text::fit;

/// Paints the screen.
pub fn draw(frame: &mut Frame, app: &mut App) {
    // A copy refused for scoring says why on a line of its own.
    let banner = matches!(app.signing, Signing::Refused(_)) as u16;
    let Some(parts) = app.frame_with(frame, banner, header, footer) else {
        return;
    };
    if let Signing::Refused(r) = &app.signing {
        let line = fit(
            &format!(" {}", fill(app.s().unlock_refused, &[r])),
            parts.banner.width as usize,
            "…",
        );
        frame.render_widget(
            Paragraph::new(Span::styled(line, app.theme().error())),
            parts.banner,
        );
    }
    let (area, body) = (parts.all, parts.body);
    let mut areas = Areas::default();
    match &app.screen {
        Screen::Identity(p) => p.draw(frame, app, body),
        Screen::Main => {
            // Lays the panes out: the list's cursor in view, the text's
            // scroll within the text; the mouse finds them in `areas`.
            if app.is_wide() {
                let list_w = (body.width / 2).max(56);
                let [l, r] = Layout::horizontal([Constraint::Length(list_w), Constraint::Min(20)])
                    .areas(body);
                list::draw(frame, app, l, &mut areas);
                application(frame, app, r, &mut areas);
            } else if app.app_view {
                application(frame, app, body, &mut areas);
            } else {
                list::draw(frame, app, body, &mut areas);
            }
        }
    }
    // Dialogs record their keys over the panes' targets.
    app.areas = areas;
    if let Some(d) = &app.dialog {
        app.areas.hits.clear();
        d.draw(frame, app, area);
    }
}

/// The application's text above its scoring panel.
fn application(frame: &mut Frame, app: &mut App, area: Rect, areas: &mut Areas) {
    let n = app.session.rubric.criteria.len() as u16;
    let extra = if area.height >= 30 { 2 } else { 0 };
    // Criteria, guidance, what a draft lacks, recommendation, comment.
    let want = n + 6 + extra;
    let scoring_h = want.min(area.height.saturating_sub(5));
    let [d, s] = Layout::vertical([Constraint::Min(3), Constraint::Length(scoring_h)]).areas(area);
    detail::draw(frame, app, d, areas);
    areas.hits.add(d, Target::Pane(Focus::Detail));
    areas.hits.add(s, Target::Pane(Focus::Scoring));
    scoring::draw(frame, app, s, areas);
}

/// A bordered block with a title, in the focus style when focused.
pub(super) fn block<'a>(app: &App, title: String, focused: bool) -> Block<'a> {
    themed_block(app.theme(), title, focused)
}

fn header(frame: &mut Frame, app: &App, area: Rect) {
    let Look { s, t, g } = app.look();
    let hs = t.header();
    let cat = &app.session.catalog;
    let call = inert_line(app.lang().pick(&cat.title_zh, &cat.title_en));
    let panel = inert_line(&app.session.meta.panel);
    let save: Vec<Span<'static>> = match &app.save {
        SaveState::Idle => vec![Span::styled(
            format!("{} {} ", app.session.history_size, s.history_size),
            hs,
        )],
        SaveState::Pending => vec![Span::styled(format!("{} ", s.saving), hs)],
        SaveState::Saved(seq) => vec![Span::styled(
            format!("{} {} #{seq} ", g.ok(), s.saved),
            t.saved(),
        )],
        SaveState::Failed(_) => vec![Span::styled(
            format!("{} {} ", g.fail(), s.not_saved),
            t.error().patch(hs),
        )],
    };
    let line1 = (vec![Span::styled(format!(" {call} · {panel}"), hs)], save);
    let counts = format!("{} ", counts_line(app));
    // The organisation gives way first, so that the key id stays whole.
    let room = (area.width as usize).saturating_sub(crate::tui::text::width(&counts) + 1);
    let who = match &app.session.owner {
        Some(o) => {
            let key = match app.owner_key() {
                OwnerKey::Ready(k) | OwnerKey::Other(k, _) => {
                    format!(" · {} {}", s.header_key, inert_line(k.short_id()))
                }
                OwnerKey::Missing | OwnerKey::Unusable(_) => String::new(),
            };
            let full = format!("{}{key}", expert_line(s, &o.id, &o.name, &o.org));
            if key.is_empty() || crate::tui::text::width(&full) <= room {
                full
            } else {
                format!("{}{key}", expert_line(s, &o.id, &o.name, ""))
            }
        }
        None => format!(" {}: {}", s.expert, s.no_expert),
    };
    let progress = vec![Span::styled(counts, hs)];
    let line2 = (vec![Span::styled(who, hs)], progress);
    header_lines(frame, area, hs, [line1, line2]);
}

/// How many applications stand where, in every status: the header and
/// the export dialog show this one line, the status filter the same
/// counts.
pub fn counts_line(app: &App) -> String {
    counts_text(app, |st| app.count(st))
}

/// [`counts_line`] for any counts (the export's summary).
pub fn counts_text(app: &App, n: impl Fn(Status) -> usize) -> String {
    let Look { s, g, .. } = app.look();
    App::STATUS_ORDER
        .iter()
        .map(|&st| format!("{} {} {}", g.status(st), n(st), s.status(st)))
        .collect::<Vec<_>>()
        .join("  ")
}

/// Key hints for where the expert is, or the current message.
fn footer(frame: &mut Frame, app: &App, area: Rect) {
    let Look { s, t, .. } = app.look();
    let w = area.width as usize;
    if let Some((msg, is_err)) = &app.message {
        let st = if *is_err { t.error() } else { t.key() };
        frame.render_widget(
            Paragraph::new(Span::styled(fit(&format!(" {msg}"), w, "…"), st)),
            area,
        );
        return;
    }
    let mut hints = Hints::new(&app.basics.settings.keymap, app.context());
    let mut tail: Vec<(String, String)> = Vec::new();
    match (&app.screen, &app.dialog) {
        (Screen::Identity(_), _) => {}
        (_, Some(_)) => hints.push("Esc", s.hint_close),
        _ if app.searching => {
            hints.push("Enter", s.hint_search_done);
            hints.push("Esc", s.hint_search_cancel);
            hints.push("↑/↓", s.hint_move);
        }
        _ => {
            match app.context() {
                Context::List
                | Context::Global
                | Context::Replay
                | Context::Timeline
                | Context::Sheet => {
                    hints.push(hints.both(Cmd::Down, Cmd::Up), s.hint_move);
                    for c in [
                        Cmd::Open,
                        Cmd::Search,
                        Cmd::Direction,
                        Cmd::StatusFilter,
                        Cmd::Recuse,
                    ] {
                        hints.cmd(c, s.cmd_short(c));
                    }
                }
                Context::Detail => {
                    hints.push(hints.both(Cmd::Down, Cmd::Up), s.hint_scroll);
                    for c in [Cmd::FocusNext, Cmd::Scope, Cmd::Recuse, Cmd::Back] {
                        hints.cmd(c, s.cmd_short(c));
                    }
                }
                Context::Scoring => {
                    hints.push(hints.both(Cmd::Down, Cmd::Up), s.hint_move);
                    hints.push("0-9", s.hint_digits);
                    hints.push(hints.both(Cmd::Dec, Cmd::Inc), s.hint_step);
                    for c in [
                        Cmd::Comment,
                        Cmd::Recommend,
                        Cmd::NotRecommend,
                        Cmd::Recuse,
                        Cmd::Back,
                    ] {
                        hints.cmd(c, s.cmd_short(c));
                    }
                }
            }
            tail = hints.tail(|c| s.cmd_short(c));
        }
    }
    // The tail (help, quit, language) always shows; the context's hints
    // fill the room before it.
    footer_hints(frame, t, area, hints.list, tail, SlashHints::Keep);
}

/// Whether this pane has the keyboard.
pub(super) fn focused(app: &App, f: Focus) -> bool {
    app.dialog.is_none() && !app.searching && app.focus == f
}
