//! Drawing: `draw(frame, &app)` paints the whole screen from the app's
//! state and never changes it (apart from remembering scroll positions and
//! screen areas for the next key or mouse event). Works on any backend, so
//! the snapshot tests draw on ratatui's `TestBackend`.
//!
//! Every string that comes from the bundle passes through
//! `domain::text::inert`/`inert_line` before it becomes a `Span`.

mod detail;
mod dialogs;
mod identity;
mod list;
mod scoring;

use crate::tui::ScreenBasics;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::action::{Cmd, Context};
use super::app::{App, Areas, Focus, MIN_HEIGHT, MIN_WIDTH, OwnerKey, SaveState, Screen};
use super::strings::{Strings, fill};
use super::text::{cut, fit, pad, width, wrap};
use super::theme::Theme;
use crate::domain::text::inert_line;

/// Paints the screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if app.too_small() || area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, app, area);
        return;
    }
    let [header_area, body, footer_area] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    header(frame, app, header_area);
    footer(frame, app, footer_area);
    let mut areas = Areas::default();
    match &app.screen {
        Screen::Identity(p) => identity::draw(frame, app, p, body),
        Screen::Main => {
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
    if app.dialog.is_some() {
        dialogs::draw(frame, app, area, &mut areas);
    }
    app.areas.set(areas);
}

/// The application's text above its scoring panel.
fn application(frame: &mut Frame, app: &App, area: Rect, areas: &mut Areas) {
    let n = app.session.rubric.criteria.len() as u16;
    let extra = if area.height >= 30 { 2 } else { 0 };
    let want = n + 5 + extra;
    let scoring_h = want.min(area.height.saturating_sub(5));
    let [d, s] = Layout::vertical([Constraint::Min(3), Constraint::Length(scoring_h)]).areas(area);
    detail::draw(frame, app, d, areas);
    scoring::draw(frame, app, s, areas);
}

/// A bordered block with a title, in the focus style when focused.
pub(super) fn block<'a>(app: &App, title: String, focused: bool) -> Block<'a> {
    themed_block(app.theme(), title, focused)
}

/// [`block`] for any screen: the theme given.
pub(super) fn themed_block<'a>(t: Theme, title: String, focused: bool) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(focused))
        .title(Span::styled(format!(" {title} "), t.title(focused)))
}

/// A rectangle of `w`×`h` centred in `area` (clamped to it).
pub(super) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Clears `r` and draws a focused block there (a dialog); returns the
/// inner area.
pub(super) fn frame_box(frame: &mut Frame, t: Theme, r: Rect, title: String) -> Rect {
    frame.render_widget(ratatui::widgets::Clear, r);
    // A wide character just left of the box would hide the box's first
    // column (its second half lies under the border): blank it.
    if r.x > 0 {
        let buf = frame.buffer_mut();
        for y in r.top()..r.bottom() {
            let cell = &mut buf[(r.x - 1, y)];
            if width(cell.symbol()) > 1 {
                cell.set_symbol(" ");
            }
        }
    }
    let b = themed_block(t, title, true);
    let inner = b.inner(r);
    frame.render_widget(b, r);
    inner
}

/// A help box: the lines `lines(width)` gives, in a dialog centred in
/// `area` at most `max_w` wide, scrolled to `scroll` (kept within the text;
/// the furthest scroll is stored in `scroll_max` for the keys), with a
/// "from–to/total" mark on its bottom edge when the text does not fit.
/// Returns the inner area.
#[allow(clippy::too_many_arguments)]
pub(super) fn help_box<'a>(
    frame: &mut Frame,
    t: Theme,
    title: &str,
    area: Rect,
    max_w: u16,
    scroll: usize,
    scroll_max: &std::cell::Cell<usize>,
    lines: impl FnOnce(usize) -> Vec<Line<'a>>,
) -> Rect {
    let r = centered(
        area,
        area.width.saturating_sub(4).min(max_w),
        area.height.saturating_sub(2),
    );
    let inner = frame_box(frame, t, r, title.to_string());
    let all = lines((inner.width as usize).saturating_sub(1));
    let h = inner.height as usize;
    let max = all.len().saturating_sub(h);
    scroll_max.set(max);
    let scroll = scroll.min(max);
    if all.len() > h {
        let pos = format!(
            " {}–{}/{} ",
            scroll + 1,
            (scroll + h).min(all.len()),
            all.len()
        );
        let b = themed_block(t, title.to_string(), true)
            .title_bottom(Line::styled(pos, t.dim()).right_aligned());
        frame.render_widget(b, r);
    }
    let shown: Vec<Line> = all.into_iter().skip(scroll).take(h).collect();
    frame.render_widget(Paragraph::new(shown), inner);
    inner
}

/// Left and right parts on one line of exactly `w` columns; the left part
/// gives way.
pub(super) fn spread(
    left: Vec<Span<'static>>,
    right: Vec<Span<'static>>,
    w: usize,
    style: Style,
) -> Line<'static> {
    let rw: usize = right.iter().map(|s| width(&s.content)).sum();
    let room = w.saturating_sub(rw + 1);
    let mut out: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for s in left {
        let sw = width(&s.content);
        if used + sw <= room {
            used += sw;
            out.push(s);
        } else {
            let c = cut(&s.content, room - used, "…");
            used += width(&c);
            out.push(Span::styled(c, s.style));
            break;
        }
    }
    out.push(Span::styled(" ".repeat(w.saturating_sub(used + rw)), style));
    out.extend(right);
    Line::from(out).style(style)
}

fn header(frame: &mut Frame, app: &App, area: Rect) {
    let t = app.theme();
    let s = app.s();
    let g = app.settings.glyphs;
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
    let line1 = spread(
        vec![Span::styled(format!(" {call} · {panel}"), hs)],
        save,
        area.width as usize,
        hs,
    );
    let who = match &app.session.owner {
        Some(o) => {
            let org = if o.org.trim().is_empty() {
                String::new()
            } else {
                format!(" ({})", inert_line(&o.org))
            };
            let key = match app.owner_key() {
                OwnerKey::Ready(k) | OwnerKey::Other(k, _) => {
                    format!(" · {} {}", s.header_key, inert_line(k.short_id()))
                }
                OwnerKey::Missing | OwnerKey::Unusable(_) => String::new(),
            };
            format!(
                " {}: {} {}{org}{key}",
                s.expert,
                inert_line(&o.id),
                inert_line(&o.name)
            )
        }
        None => format!(" {}: {}", s.expert, s.no_expert),
    };
    let (done, recused, todo) = app.progress();
    use crate::domain::history::Status;
    let progress = vec![
        Span::styled(
            format!("{} {done} {}  ", g.status(Status::Complete), s.complete),
            hs,
        ),
        Span::styled(
            format!("{} {recused} {}  ", g.status(Status::Recused), s.recused),
            hs,
        ),
        Span::styled(format!("{} {todo} {} ", g.status(Status::Todo), s.todo), hs),
    ];
    let line2 = spread(
        vec![Span::styled(who, hs)],
        progress,
        area.width as usize,
        hs,
    );
    frame.render_widget(Paragraph::new(vec![line1, line2]).style(hs), area);
}

/// Key hints for where the expert is, or the current message.
fn footer(frame: &mut Frame, app: &App, area: Rect) {
    let t = app.theme();
    let s = app.s();
    let w = area.width as usize;
    if let Some((msg, is_err)) = &app.message {
        let st = if *is_err { t.error() } else { t.key() };
        frame.render_widget(
            Paragraph::new(Span::styled(fit(&format!(" {msg}"), w, "…"), st)),
            area,
        );
        return;
    }
    let km = &app.settings.keymap;
    let key = |ctx: Context, c: Cmd| km.first(ctx, c).map(|k| k.to_string()).unwrap_or_default();
    let mut hints: Vec<(String, String)> = Vec::new();
    let mut tail: Vec<(String, String)> = Vec::new();
    let both = |ctx: Context, a: Cmd, b: Cmd| format!("{}/{}", key(ctx, a), key(ctx, b));
    match (&app.screen, &app.dialog) {
        (Screen::Identity(_), _) => {}
        (_, Some(_)) => hints.push(("Esc".into(), s.hint_close.into())),
        _ if app.searching => {
            hints.push(("Enter".into(), s.hint_search_done.into()));
            hints.push(("Esc".into(), s.hint_search_cancel.into()));
            hints.push(("↑/↓".into(), s.hint_move.into()));
        }
        _ => {
            let ctx = app.context();
            match ctx {
                Context::List
                | Context::Global
                | Context::Replay
                | Context::Timeline
                | Context::Sheet => {
                    hints.push((both(ctx, Cmd::Down, Cmd::Up), s.hint_move.into()));
                    for c in [
                        Cmd::Open,
                        Cmd::Search,
                        Cmd::Direction,
                        Cmd::StatusFilter,
                        Cmd::Recuse,
                    ] {
                        hints.push((key(ctx, c), s.cmd_short(c).into()));
                    }
                }
                Context::Detail => {
                    hints.push((both(ctx, Cmd::Down, Cmd::Up), s.hint_scroll.into()));
                    for c in [Cmd::FocusNext, Cmd::Scope, Cmd::Recuse, Cmd::Back] {
                        hints.push((key(ctx, c), s.cmd_short(c).into()));
                    }
                }
                Context::Scoring => {
                    hints.push((both(ctx, Cmd::Down, Cmd::Up), s.hint_move.into()));
                    hints.push(("0-9".into(), s.hint_digits.into()));
                    hints.push((both(ctx, Cmd::Dec, Cmd::Inc), s.hint_step.into()));
                    for c in [
                        Cmd::Comment,
                        Cmd::Recommend,
                        Cmd::NotRecommend,
                        Cmd::Recuse,
                        Cmd::Back,
                    ] {
                        hints.push((key(ctx, c), s.cmd_short(c).into()));
                    }
                }
            }
            for c in [Cmd::Help, Cmd::Quit, Cmd::Lang] {
                tail.push((key(ctx, c), s.cmd_short(c).into()));
            }
        }
    }
    // The tail (help, quit, language) always shows; the context's hints
    // fill the room before it.
    let cost = |(k, label): &(String, String)| width(k) + 1 + width(label) + 2;
    let mut room = w.saturating_sub(1);
    let mut shown_tail = Vec::new();
    for h in tail {
        if !h.0.is_empty() && cost(&h) <= room {
            room -= cost(&h);
            shown_tail.push(h);
        }
    }
    let mut spans = vec![Span::raw(" ")];
    let mut shown: Vec<(String, String)> = Vec::new();
    for h in hints {
        if h.0.is_empty() {
            continue;
        }
        if cost(&h) > room {
            break;
        }
        room -= cost(&h);
        shown.push(h);
    }
    for (k, label) in shown.into_iter().chain(shown_tail) {
        spans.push(Span::styled(k, t.key()));
        spans.push(Span::styled(format!(" {label}  "), t.footer()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn too_small(frame: &mut Frame, app: &App, area: Rect) {
    too_small_screen(frame, app.s(), app.theme(), area);
}

/// Asks for a larger window, centred.
pub(super) fn too_small_screen(frame: &mut Frame, s: &Strings, t: Theme, area: Rect) {
    let msg = fill(
        s.too_small,
        &[&MIN_WIDTH, &MIN_HEIGHT, &area.width, &area.height],
    );
    let w = (area.width as usize).saturating_sub(2).max(1);
    let lines: Vec<String> = wrap(&msg, w);
    let top = (area.height as usize).saturating_sub(lines.len()) / 2;
    let mut out: Vec<Line> = vec![Line::raw(""); top];
    for l in lines {
        let lw = width(&l);
        let left = (area.width as usize).saturating_sub(lw) / 2;
        out.push(Line::styled(
            format!("{}{}", " ".repeat(left), l),
            t.warning(),
        ));
    }
    frame.render_widget(Paragraph::new(out), area);
}

/// `label` padded to `w` columns followed by `value` wrapped to the rest of
/// the width, later lines indented under the value.
pub(super) fn field_lines(
    label: &str,
    value: &str,
    w: usize,
    label_w: usize,
    label_style: Style,
    value_style: Style,
) -> Vec<Line<'static>> {
    let vw = w.saturating_sub(label_w + 1).max(4);
    let mut out = Vec::new();
    for (i, l) in wrap(value, vw).into_iter().enumerate() {
        let head = if i == 0 {
            pad(label, label_w)
        } else {
            " ".repeat(label_w)
        };
        out.push(Line::from(vec![
            Span::styled(head, label_style),
            Span::raw(" "),
            Span::styled(l, value_style),
        ]));
    }
    out
}

/// Whether this pane has the keyboard.
pub(super) fn focused(app: &App, f: Focus) -> bool {
    app.dialog.is_none() && !app.searching && app.focus == f
}
