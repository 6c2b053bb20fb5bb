//! Drawing the replay screen from its state: header, the broken-chain
//! banner, the timeline and the score sheet at the chosen moment, dialogs.
//! Every string from the file passes through `inert`/`inert_line` first.

use crate::tui::ScreenBasics;
use crate::tui::kit::Look;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::source::{Break, Delta, Kind, Signatures};
use super::state::{Dialog, Pane, ReplayApp, Target};
use crate::crypto::event::EventSig;
use crate::domain::history::{ChainError, Status};
use crate::domain::text::inert_line;
use crate::tui::action::{Cmd, Context};
use crate::tui::kit::frame::{
    HelpText, Hints, SlashHints, centered, expert_line, field_lines, footer_hints, frame_box,
    header_lines, help_box, themed_block,
};
use crate::tui::strings::{Strings, fill};
use crate::tui::text::{cut, fit, pad, pad_left, tail, widest, width, wrap};

pub fn draw(frame: &mut Frame, app: &mut ReplayApp) {
    let banner = banner_lines(app, frame.area().width as usize);
    let Some(parts) = app.frame_with(frame, banner.len() as u16, header, footer) else {
        return;
    };
    let (area, body) = (parts.all, parts.body);
    app.hits.clear();
    frame.render_widget(Paragraph::new(banner), parts.banner);
    if app.is_wide() {
        let [t, s] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
        timeline(frame, app, t);
        sheet(frame, app, s);
    } else {
        match app.focus {
            Pane::Timeline => timeline(frame, app, body),
            Pane::Sheet => sheet(frame, app, body),
        }
    }
    let app = &*app;
    match &app.dialog {
        None => {}
        Some(Dialog::Help { scroll }) => help(frame, app, area, scroll.top),
        Some(Dialog::Filter { text, error }) => filter_dialog(frame, app, area, text, error),
        Some(Dialog::Apps { query, cursor }) => apps_dialog(frame, app, area, query, *cursor),
    }
}

/// `2024-03-01T09:00:05.000Z` in zone `tz` (stored times are UTC) with
/// the year and the offset: `2024-03-01 17:00:05 +08:00` (or, short,
/// `2024-03-01 17:00+08:00`); anything else as it is, made inert.
fn show_time(t: &str, short: bool, tz: &jiff::tz::TimeZone) -> String {
    let b = t.as_bytes();
    let shaped = b.len() >= 19
        && b[..19].iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        });
    if !shaped {
        return inert_line(t);
    }
    crate::support::clock::show_in(t, tz, short).unwrap_or_else(|| inert_line(t))
}

/// The width of a time [`show_time`] shows.
const TIME_W: usize = 26;
const SHORT_TIME_W: usize = 22;

/// Why the chain breaks, in the screen's language.
fn reason(s: &Strings, b: &Break) -> String {
    match b {
        Break::Chain(ChainError::Sequence {
            position,
            expected,
            found,
        }) => fill(s.chain_sequence, &[&(position + 1), found, expected]),
        Break::Chain(ChainError::Prev { .. }) => s.chain_prev.to_string(),
        Break::Chain(ChainError::Hash { .. }) => s.chain_hash.to_string(),
        Break::Chain(ChainError::Expert { found, .. }) => {
            fill(s.chain_expert, &[&inert_line(found)])
        }
        Break::Chain(ChainError::Time { .. }) => s.chain_time.to_string(),
        Break::Digest => s.chain_digest.to_string(),
        Break::Head { claimed, actual } => fill(s.chain_head, &[claimed, actual]),
    }
}

/// The seq a break is shown at.
fn break_seq(app: &ReplayApp) -> Option<u64> {
    app.src
        .check
        .first_bad
        .map(|i| app.src.events.get(i).map(|e| e.seq).unwrap_or(i as u64 + 1))
}

/// The banner over everything when the chain does not hold.
fn banner_lines(app: &ReplayApp, w: usize) -> Vec<Line<'static>> {
    let Look { s, t, g } = app.look();
    let Some(problem) = &app.src.check.problem else {
        return Vec::new();
    };
    let text = match (break_seq(app), problem) {
        (Some(seq), _) => format!(
            " {} {}",
            g.fail(),
            fill(s.replay_banner, &[&seq, &reason(s, problem)])
        ),
        (None, _) => format!(" {} {}", g.fail(), reason(s, problem)),
    };
    wrap(&text, w.saturating_sub(1).max(1))
        .into_iter()
        .take(3)
        .map(|l| Line::styled(pad(&l, w), t.warning()))
        .collect()
}

fn header(frame: &mut Frame, app: &ReplayApp, area: Rect) {
    let Look { s, t, g } = app.look();
    let hs = t.header();
    let src = &app.src;
    let kind = match &src.kind {
        Kind::WorkingCopy => s.replay_working_copy.to_string(),
        Kind::Export { partial, .. } => {
            if *partial {
                format!("{} ({})", s.replay_export, s.replay_partial)
            } else {
                s.replay_export.to_string()
            }
        }
    };
    let file = std::path::Path::new(&src.file)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| src.file.clone());
    let left1 = format!(
        " {} · {kind} · {} · {} · {}",
        s.replay_title,
        inert_line(&file),
        inert_line(&src.call),
        inert_line(&src.panel)
    );
    let n = src.events.len();
    let chain = match (&src.check.problem, break_seq(app)) {
        (None, _) => Span::styled(
            format!(
                "{} {} · {} ",
                g.ok(),
                s.replay_chain_ok,
                fill(s.replay_events, &[&n])
            ),
            t.saved(),
        ),
        (Some(_), Some(seq)) => Span::styled(
            format!(
                "{} {} · {} ",
                g.fail(),
                fill(s.replay_chain_bad, &[&seq]),
                fill(s.replay_events, &[&n])
            ),
            t.error().patch(hs),
        ),
        (Some(_), None) => Span::styled(
            format!(
                "{} {} · {} ",
                g.fail(),
                s.replay_head_bad,
                fill(s.replay_events, &[&n])
            ),
            t.error().patch(hs),
        ),
    };
    let line1 = (vec![Span::styled(left1, hs)], vec![chain]);
    let who = match &src.expert {
        Some(e) => expert_line(s, &e.id, &e.name, &e.org),
        None => format!(" {}: {}", s.expert, s.no_expert),
    };
    let mut left2 = vec![Span::styled(who, hs)];
    if let Kind::Export { key_id, .. } = &src.kind {
        left2[0].content.to_mut().push_str(&format!(
            " · {} {} · {}",
            s.header_key,
            inert_line(crate::crypto::short_id(key_id)),
            s.replay_signature_note
        ));
    }
    match &src.sigs {
        Signatures::NotCarried => {}
        Signatures::NoKey => left2.push(Span::styled(format!(" · {}", s.replay_sig_no_key), hs)),
        sigs @ Signatures::Checked(_) => match sigs.counts() {
            (0, 0) => left2.push(Span::styled(format!(" · {}", s.replay_sig_ok), hs)),
            (missing, wrong) => left2.push(Span::styled(
                format!(
                    " · {} {}",
                    g.fail(),
                    fill(s.replay_sig_bad, &[&missing, &wrong])
                ),
                t.error().patch(hs),
            )),
        },
    }
    let moment = match app.moment_event().and_then(|i| src.events.get(i)) {
        Some(e) => fill(
            s.replay_as_of,
            &[
                &e.seq,
                &show_time(&e.time, !app.is_wide(), &app.settings().zone),
            ],
        ),
        None => s.replay_before_all.to_string(),
    };
    let line2 = (left2, vec![Span::styled(format!("{moment} "), hs)]);
    header_lines(frame, area, hs, [line1, line2]);
}

fn footer(frame: &mut Frame, app: &ReplayApp, area: Rect) {
    let Look { s, t, .. } = app.look();
    let ctx = app.context();
    let mut hints = Hints::new(&app.basics.settings.keymap, ctx);
    if app.dialog.is_some() {
        hints.push("Esc", s.hint_close);
    } else {
        match app.focus {
            Pane::Timeline => {
                hints.push(hints.both(Cmd::Down, Cmd::Up), s.hint_time);
                hints.push(
                    hints.both(Cmd::Top, Cmd::Bottom),
                    format!(
                        "{}/{}",
                        s.cmd_short_in(ctx, Cmd::Top),
                        s.cmd_short_in(ctx, Cmd::Bottom)
                    ),
                );
            }
            Pane::Sheet => {
                hints.push(hints.both(Cmd::Down, Cmd::Up), s.hint_move);
                hints.push(hints.both(Cmd::Earlier, Cmd::Later), s.hint_time);
            }
        }
        hints.cmd(Cmd::Open, s.cmd_short_in(ctx, Cmd::Open));
        for c in [Cmd::Filter, Cmd::AppHistory, Cmd::FocusNext] {
            hints.cmd(c, s.cmd_short_in(Context::Replay, c));
        }
        if app.app_view.is_some() {
            hints.cmd(Cmd::Back, s.cmd_short_in(Context::Replay, Cmd::Back));
        }
    }
    let tail = if app.dialog.is_some() {
        Vec::new()
    } else {
        hints.tail(|c| s.cmd_short_in(Context::Replay, c))
    };
    footer_hints(frame, t, area, hints.list, tail, SlashHints::DropUnlabelled);
}

/// A criterion's name in the screen's language.
fn crit_name(app: &ReplayApp, key: &str) -> String {
    match app.src.rubric.criterion(key) {
        Some(c) => inert_line(app.lang().pick(&c.name_zh, &c.name_en)),
        None => inert_line(key),
    }
}

/// What an event changed, as text.
fn describe(app: &ReplayApp, d: &Delta) -> String {
    let s = app.s();
    let dash = "—";
    let num = |v: &Option<i64>| v.map(|v| v.to_string()).unwrap_or_else(|| dash.into());
    let rec = |v: &Option<bool>| match v {
        Some(true) => s.yes.to_string(),
        Some(false) => s.no.to_string(),
        None => dash.to_string(),
    };
    match d {
        Delta::Score {
            criterion,
            from,
            to,
        } => format!("{} {} → {}", crit_name(app, criterion), num(from), num(to)),
        Delta::Comment { from, to, preview } => {
            let mut p = inert_line(preview);
            if p.chars().count() > 24 {
                p = format!("{}…", p.chars().take(24).collect::<String>());
            }
            let mut out = format!("{} {}", s.d_comment, fill(s.d_chars, &[from, to]));
            if !p.is_empty() {
                out.push_str(&format!(" “{p}”"));
            }
            out
        }
        Delta::Recommend { from, to } => {
            format!("{} {} → {}", s.d_recommend, rec(from), rec(to))
        }
        Delta::Recuse { reason } => format!("{}: {}", s.d_recuse, inert_line(reason)),
        Delta::Unrecuse { reason } => {
            if reason.trim().is_empty() {
                s.d_unrecuse.to_string()
            } else {
                format!("{}: {}", s.d_unrecuse, inert_line(reason))
            }
        }
    }
}

/// The timeline pane; returns its rows for paging.
/// The rows of a bordered table under its column heads.
fn table_rows(area: Rect) -> usize {
    (area.height.saturating_sub(2) as usize).saturating_sub(1)
}

/// The timeline's mark of an unsigned event and of a wrongly signed one.
pub const UNSIGNED: &str = "?";
pub const WRONGLY_SIGNED: &str = "!";

fn timeline(frame: &mut Frame, app: &mut ReplayApp, area: Rect) {
    // A legend line under the rows when some event is marked.
    let legend = app.src.sigs.counts() != (0, 0);
    let rows_h = table_rows(area).saturating_sub(legend as usize).max(1);
    let n = app.visible.len();
    let offset = app.timeline.show(n, rows_h);
    let app = &*app;
    let Look { s, t, g } = app.look();
    let focused = app.dialog.is_none() && app.focus == Pane::Timeline;
    let zone = &app.settings().zone;
    let src = &app.src;
    let mut title = match app.app_view.as_ref().and_then(|v| src.apps.get(v.app)) {
        Some(a) => {
            let mut x = fill(s.replay_app_history, &[&inert_line(&a.id)]);
            if !a.title.is_empty() {
                x.push_str(&format!(" · {}", inert_line(&a.title)));
            }
            x
        }
        None => s.replay_timeline.to_string(),
    };
    title.push_str(&format!(" {}/{}", app.visible.len(), src.events.len()));
    if app.app_view.is_none() && !app.filter.is_empty() {
        title.push_str(&format!(
            " · {}: {}",
            s.filter_label,
            inert_line(&app.filter_text)
        ));
    }
    let title = cut(&title, (area.width as usize).saturating_sub(4), "…");
    let b = themed_block(t, title, focused);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    app.hits.add(area, Target::Pane(Pane::Timeline));
    let rows_at = Rect::new(inner.x, inner.y + 1, inner.width, rows_h as u16);
    app.hits.rows(rows_at, n.saturating_sub(offset), |k| {
        Target::Event(offset + k)
    });
    let w = inner.width as usize;

    let short_time = w < 110;
    let time_w = if short_time { SHORT_TIME_W } else { TIME_W };
    let seq_w = src
        .events
        .last()
        .map(|e| e.seq.to_string().len())
        .unwrap_or(1)
        .max(width(s.col_seq))
        .max(3);
    let expert_w = widest(src.events.iter().take(5000).map(|e| &e.expert), 3)
        .clamp(3, 8)
        .max(width(s.col_expert).min(8));
    let app_w = widest(src.apps.iter().map(|a| &a.id), 6).clamp(6, 14);
    let fixed = 3 + seq_w + 1 + time_w + 1 + expert_w + 1 + app_w + 1;
    let desc_w = w.saturating_sub(fixed);

    let mut lines: Vec<Line> = Vec::new();
    let head = format!(
        "   {} {} {} {} {}",
        pad_left(s.col_seq, seq_w),
        fit(s.col_time, time_w, "…"),
        fit(s.col_expert, expert_w, "…"),
        fit(s.col_app, app_w, "…"),
        s.col_change
    );
    lines.push(Line::styled(fit(&head, w, ""), t.dim()));

    if src.events.is_empty() {
        lines.push(Line::styled(s.replay_no_events, t.dim()));
    } else if n == 0 {
        lines.push(Line::styled(s.replay_no_match, t.dim()));
    }
    for (pos, &i) in app.visible.iter().enumerate().skip(offset).take(rows_h) {
        let e = &src.events[i];
        let step = &app.history.steps[i];
        let here = pos == app.timeline.selected();
        let base = if here { t.selected(focused) } else { t.base() };
        let ok = src.check.covers(i);
        let mark = if ok {
            Span::styled(g.ok(), t.status(Status::Complete).patch(base))
        } else {
            Span::styled(g.fail(), t.error().patch(base))
        };
        let cursor = if here { g.cursor() } else { " " };
        let sig = match src.sigs.of(i) {
            Some(EventSig::Missing) => Span::styled(UNSIGNED, t.error().patch(base)),
            Some(EventSig::Wrong) => Span::styled(WRONGLY_SIGNED, t.error().patch(base)),
            _ => Span::styled(" ", base),
        };
        let mut spans = vec![
            Span::styled(cursor, base),
            mark,
            sig,
            Span::styled(pad_left(&e.seq.to_string(), seq_w), base.patch(t.value())),
            Span::styled(" ", base),
            Span::styled(
                fit(&show_time(&e.time, short_time, zone), time_w, "…"),
                base,
            ),
            Span::styled(" ", base),
            Span::styled(fit(&inert_line(&e.expert), expert_w, "…"), base),
            Span::styled(" ", base),
            Span::styled(fit(&inert_line(e.change.app()), app_w, "…"), base),
            Span::styled(" ", base),
        ];
        let mut desc = describe(app, &step.delta);
        let mut style = base;
        if let Some(r) = &step.refused {
            desc = format!(
                "{desc} [{}]",
                fill(s.replay_refused, &[&inert_line(&r.to_string())])
            );
            style = t.error().patch(base);
        }
        if !ok && Some(i) == src.check.first_bad {
            style = t.error().patch(base);
        }
        spans.push(Span::styled(fit(&desc, desc_w, "…"), style));
        lines.push(Line::from(spans));
    }
    if legend {
        let rows = lines.len();
        lines.extend((rows..inner.height.saturating_sub(1) as usize).map(|_| Line::raw("")));
        let text = fill(s.replay_sig_legend, &[&UNSIGNED, &WRONGLY_SIGNED]);
        lines.push(Line::styled(cut(&format!(" {text}"), w, "…"), t.dim()));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The score sheet at the moment; returns its rows for paging.
fn sheet(frame: &mut Frame, app: &mut ReplayApp, area: Rect) {
    let rows_h = table_rows(area);
    let n = app.src.apps.len();
    let offset = app.sheet_rows.show(n, rows_h);
    let app = &*app;
    let Look { s, t, g } = app.look();
    let lang = app.lang();
    let focused = app.dialog.is_none() && app.focus == Pane::Sheet;
    let src = &app.src;
    let rubric = &src.rubric;
    let moment = app.moment_event().and_then(|i| src.events.get(i));
    let mut title = fill(s.replay_sheet, &[&moment.map(|e| e.seq).unwrap_or(0)]);
    if let Some(e) = moment {
        title.push_str(&format!(
            " · {}",
            show_time(&e.time, false, &app.settings().zone)
        ));
    }
    let b = themed_block(
        t,
        cut(&title, (area.width as usize).saturating_sub(4), "…"),
        focused,
    );
    let inner = b.inner(area);
    frame.render_widget(b, area);
    app.hits.add(area, Target::Pane(Pane::Sheet));
    let rows_at = Rect::new(inner.x, inner.y + 1, inner.width, rows_h as u16);
    app.hits.rows(rows_at, n.saturating_sub(offset), |k| {
        Target::SheetRow(offset + k)
    });
    let w = inner.width as usize;

    // The event at the moment, to mark what it changed.
    let touched_app = moment.map(|e| e.change.app().to_string());
    let touched_crit = moment.and_then(|e| match &e.change {
        crate::domain::history::Change::Score { criterion, .. } => Some(criterion.clone()),
        _ => None,
    });

    let id_w = widest(src.apps.iter().map(|a| &a.id), 6).clamp(6, 16);
    let heads: Vec<String> = rubric
        .criteria
        .iter()
        .map(|c| inert_line(lang.pick(&c.name_zh, &c.name_en)))
        .collect();
    let crit_w: Vec<usize> = heads.iter().map(|h| width(h).clamp(3, 8)).collect();
    let total_w = width(s.total).max(4);
    let rec_w = width(s.col_rec).max(3);
    let status_w = [
        Status::Todo,
        Status::Draft,
        Status::Complete,
        Status::Recused,
    ]
    .iter()
    .map(|st| width(s.status(*st)))
    .max()
    .unwrap_or(6)
        + 2;
    let fixed = 3
        + id_w
        + crit_w.iter().map(|c| c + 1).sum::<usize>()
        + 1
        + total_w
        + 1
        + rec_w
        + 1
        + status_w;
    let title_w = w.saturating_sub(fixed + 1);
    let show_title = title_w >= 12 && src.apps.iter().any(|a| !a.title.is_empty());

    let mut head = format!("   {}", fit(s.col_app, id_w, "…"));
    if show_title {
        head.push(' ');
        head.push_str(&fit(s.col_title, title_w, "…"));
    }
    for (h, cw) in heads.iter().zip(&crit_w) {
        head.push(' ');
        head.push_str(&pad_left(&cut(h, *cw, "…"), *cw));
    }
    head.push_str(&format!(
        "  {} {} {}",
        pad_left(s.total, total_w),
        pad_left(s.col_rec, rec_w),
        s.col_status
    ));
    let mut lines: Vec<Line> = vec![Line::styled(fit(&head, w, ""), t.dim())];

    for (i, a) in src.apps.iter().enumerate().skip(offset).take(rows_h) {
        let entry = app.at.sheet.entry(&a.id);
        let st = app.status(i);
        let here = i == app.sheet_rows.selected();
        let base = if here { t.selected(focused) } else { t.base() };
        let touched = touched_app.as_deref() == Some(a.id.as_str());
        let value_style = if st == Status::Recused {
            t.dim().patch(base)
        } else {
            base
        };
        let cursor = if here && focused { g.cursor() } else { " " };
        let mut spans = vec![
            Span::styled(cursor, base),
            Span::styled(g.status(st), t.status(st).patch(base)),
            Span::styled(" ", base),
            Span::styled(
                fit(&inert_line(&a.id), id_w, "…"),
                if touched {
                    t.matched().patch(base)
                } else {
                    base
                },
            ),
        ];
        if show_title {
            spans.push(Span::styled(" ", base));
            spans.push(Span::styled(fit(&inert_line(&a.title), title_w, "…"), base));
        }
        for (c, cw) in rubric.criteria.iter().zip(&crit_w) {
            let v = entry.and_then(|e| e.scores.get(&c.key)).copied();
            let text = v.map(|v| v.to_string()).unwrap_or_else(|| "·".into());
            let style = if touched && touched_crit.as_deref() == Some(c.key.as_str()) {
                t.matched().patch(base)
            } else if v.is_none() {
                t.dim().patch(base)
            } else {
                value_style
            };
            spans.push(Span::styled(" ", base));
            spans.push(Span::styled(pad_left(&text, *cw), style));
        }
        let total = match (st, entry) {
            (Status::Recused, _) | (_, None) => String::new(),
            (_, Some(e)) => match e.total(rubric) {
                Some(v) => v.to_string(),
                None if e.scores.is_empty() => String::new(),
                None => format!("{}+", e.partial_total(rubric)),
            },
        };
        spans.push(Span::styled("  ", base));
        spans.push(Span::styled(
            pad_left(&total, total_w),
            base.patch(t.value()),
        ));
        let rec = match entry.and_then(|e| e.recommend) {
            Some(true) => g.ok(),
            Some(false) => g.fail(),
            None => "·",
        };
        spans.push(Span::styled(" ", base));
        spans.push(Span::styled(pad_left(rec, rec_w), value_style));
        spans.push(Span::styled(" ", base));
        spans.push(Span::styled(
            fit(s.status(st), status_w, "…"),
            t.status(st).patch(base),
        ));
        let used: usize = spans.iter().map(|s| width(&s.content)).sum();
        if used < w {
            spans.push(Span::styled(" ".repeat(w - used), base));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Every key of the replay screen, from the keymap in force, and the
/// filter's syntax.
pub fn help_lines(app: &ReplayApp, w: usize) -> Vec<Line<'static>> {
    let s = app.s();
    let mut out = HelpText::new(app.theme(), w);
    for ctx in Context::REPLAY {
        out.heading(s.context(ctx));
        out.bindings(&app.basics.settings.keymap, ctx, |c| s.cmd_help_in(ctx, c));
    }
    out.section(s.filter_title, s.filter_syntax);
    out.section(s.ctx_dialogs, s.replay_help_keys);
    out.lines()
}

fn help(frame: &mut Frame, app: &ReplayApp, area: Rect, scroll: usize) {
    help_box(
        frame,
        app.theme(),
        app.s().help_title,
        area,
        92,
        scroll,
        |w| help_lines(app, w),
    );
}

/// A one-line input: `> text`, the end of a long text shown; returns the
/// line and the cursor column.
fn input(text: &str, iw: usize, style: Style) -> (Line<'static>, u16) {
    let shown = tail(text, iw.saturating_sub(3).max(1));
    let col = (2 + width(&shown)) as u16;
    (
        Line::from(vec![
            Span::raw("> "),
            Span::styled(pad(&shown, iw.saturating_sub(2)), style),
        ]),
        col,
    )
}

fn filter_dialog(
    frame: &mut Frame,
    app: &ReplayApp,
    area: Rect,
    text: &str,
    error: &Option<String>,
) {
    let Look { s, t, .. } = app.look();
    let w = area.width.saturating_sub(6).min(96);
    let iw = (w as usize).saturating_sub(2);
    let mut lines: Vec<Line> = Vec::new();
    let (l, col) = input(&inert_line(text), iw, t.input());
    lines.push(l);
    match error {
        Some(e) => {
            for l in wrap(e, iw).into_iter().take(2) {
                lines.push(Line::styled(l, t.error()));
            }
        }
        None => lines.push(Line::raw("")),
    }
    let key_w = s
        .filter_syntax
        .iter()
        .map(|(k, _)| width(k))
        .max()
        .unwrap_or(8)
        .min(iw / 3);
    for (k, d) in s.filter_syntax {
        lines.extend(field_lines(k, d, iw, key_w, t.key(), t.dim()));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(cut(s.filter_hint, iw, "…"), t.key()));
    let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let r = centered(area, w, h);
    let inner = frame_box(frame, t, r, s.filter_title.to_string());
    frame.render_widget(Paragraph::new(lines), inner);
    if col < inner.width && inner.height > 0 {
        frame.set_cursor_position(Position::new(inner.x + col, inner.y));
    }
}

fn apps_dialog(frame: &mut Frame, app: &ReplayApp, area: Rect, query: &str, cursor: usize) {
    let Look { s, t, g } = app.look();
    let w = area.width.saturating_sub(6).min(96);
    let iw = (w as usize).saturating_sub(2);
    let h = area.height.saturating_sub(2);
    let r = centered(area, w, h);
    let inner = frame_box(frame, t, r, s.apps_title.to_string());
    let matches = app.app_matches(query);
    let mut lines: Vec<Line> = Vec::new();
    let (l, col) = input(&inert_line(query), iw, t.input());
    lines.push(l);
    let rows = (inner.height as usize).saturating_sub(3);
    let offset = cursor.saturating_sub(rows.saturating_sub(1));
    let id_w = widest(app.src.apps.iter().map(|a| &a.id), 6).clamp(6, 16);
    let count_w = 10;
    for (k, &i) in matches.iter().enumerate().skip(offset).take(rows) {
        let a = &app.src.apps[i];
        let here = k == cursor;
        let st = if here { t.selected(true) } else { t.base() };
        let mark = if here { g.cursor() } else { " " };
        let count = fill(s.apps_events, &[&app.counts[i]]);
        let title_w = iw.saturating_sub(2 + id_w + 1 + count_w + 1);
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} "), st),
            Span::styled(fit(&inert_line(&a.id), id_w, "…"), st.patch(t.value())),
            Span::styled(" ", st),
            Span::styled(fit(&inert_line(&a.title), title_w, "…"), st),
            Span::styled(" ", st),
            Span::styled(pad_left(&count, count_w), st.patch(t.dim())),
        ]));
    }
    while lines.len() < rows + 1 {
        lines.push(Line::raw(""));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(cut(s.apps_hint, iw, "…"), t.key()));
    frame.render_widget(Paragraph::new(lines), inner);
    if col < inner.width && inner.height > 0 {
        frame.set_cursor_position(Position::new(inner.x + col, inner.y));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_local_short_or_long_and_anything_else_inert() {
        let tz = jiff::tz::TimeZone::fixed(jiff::tz::offset(8));
        let long = show_time("2024-03-01T09:00:05.123Z", false, &tz);
        assert_eq!(long, "2024-03-01 17:00:05 +08:00");
        assert_eq!(width(&long), TIME_W);
        let short = show_time("2024-03-01T09:00:05.123Z", true, &tz);
        assert_eq!(short, "2024-03-01 17:00+08:00", "the year stays");
        assert_eq!(width(&short), SHORT_TIME_W);
        assert_eq!(show_time("soon\u{1b}[2J", false, &tz), "soon␛[2J");
        assert_eq!(
            show_time("2024-03-01T09:00:0", true, &tz),
            "2024-03-01T09:00:0"
        );
    }

    #[test]
    fn an_escape_in_place_of_a_separator_is_not_a_time() {
        let t = "2024\u{1b}03-01T09:00:05.000Z";
        let tz = jiff::tz::TimeZone::UTC;
        assert!(!show_time(t, false, &tz).contains('\u{1b}'));
    }
}
