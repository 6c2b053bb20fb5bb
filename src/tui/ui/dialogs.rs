//! Dialogs drawn over the screen: help, direction filter, scope, comment
//! editor, recusal, conflict question.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::{block, centered, field_lines};
use crate::domain::text::inert_line;
use crate::tui::action::Context;
use crate::tui::app::{App, Areas, Dialog};
use crate::tui::strings::fill;
use crate::tui::text::{cut, fit, pad, width, wrap};

pub fn draw(frame: &mut Frame, app: &App, area: Rect, areas: &mut Areas) {
    match &app.dialog {
        None => {}
        Some(Dialog::Help { scroll }) => help(frame, app, area, *scroll, areas),
        Some(Dialog::Direction { cursor, typed }) => direction(frame, app, area, *cursor, typed),
        Some(Dialog::Scope { app: i }) => scope(frame, app, area, *i),
        Some(Dialog::Comment { app: i, editor, .. }) => comment(frame, app, area, *i, editor),
        Some(Dialog::Recuse {
            app: i,
            undo,
            reason,
            confirm,
            error,
        }) => recuse(frame, app, area, *i, *undo, reason, *confirm, *error),
        Some(Dialog::Conflict { app: i }) => conflict(frame, app, area, *i),
    }
}

/// Clears `r` and draws a focused block there; returns the inner area.
fn frame_box(frame: &mut Frame, app: &App, r: Rect, title: String) -> Rect {
    frame.render_widget(Clear, r);
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
    let b = block(app, title, true);
    let inner = b.inner(r);
    frame.render_widget(b, r);
    inner
}

/// Every key, from the keymap in force, grouped by where it works.
pub fn help_lines(app: &App, w: usize) -> Vec<Line<'static>> {
    let s = app.s();
    let t = app.theme();
    let km = &app.settings.keymap;
    let key_w = 24.min(w / 2);
    let mut out = Vec::new();
    for ctx in Context::ALL {
        let heading = match ctx {
            Context::Global => s.ctx_global,
            Context::List => s.ctx_list,
            Context::Detail => s.ctx_detail,
            Context::Scoring => s.ctx_scoring,
        };
        if !out.is_empty() {
            out.push(Line::raw(""));
        }
        out.push(Line::styled(heading.to_string(), t.heading()));
        if ctx == Context::Scoring {
            out.extend(field_lines(
                "0–9",
                s.help_digits,
                w,
                key_w,
                t.key(),
                t.base(),
            ));
        }
        for (cmd, keys) in km.bindings(ctx) {
            if keys.is_empty() {
                continue;
            }
            let ks: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
            out.extend(field_lines(
                &ks.join(" "),
                s.cmd_help(*cmd),
                w,
                key_w,
                t.key(),
                t.base(),
            ));
        }
    }
    out.push(Line::raw(""));
    out.push(Line::styled(s.ctx_dialogs.to_string(), t.heading()));
    for (k, d) in s.help_dialog_keys {
        out.extend(field_lines(k, d, w, key_w, t.key(), t.base()));
    }
    out
}

fn help(frame: &mut Frame, app: &App, area: Rect, scroll: usize, areas: &mut Areas) {
    let s = app.s();
    let r = centered(
        area,
        area.width.saturating_sub(4).min(84),
        area.height.saturating_sub(2),
    );
    let inner = frame_box(frame, app, r, s.help_title.to_string());
    let w = (inner.width as usize).saturating_sub(1);
    let all = help_lines(app, w);
    let h = inner.height as usize;
    let max = all.len().saturating_sub(h);
    app.help_scroll_max.set(max);
    let scroll = scroll.min(max);
    if all.len() > h {
        let pos = format!(
            " {}–{}/{} ",
            scroll + 1,
            (scroll + h).min(all.len()),
            all.len()
        );
        let b = block(app, s.help_title.to_string(), true)
            .title_bottom(Line::styled(pos, app.theme().dim()).right_aligned());
        frame.render_widget(b, r);
    }
    let shown: Vec<Line> = all.into_iter().skip(scroll).take(h).collect();
    frame.render_widget(Paragraph::new(shown), inner);
    areas.help_rows = inner.height;
}

fn direction(frame: &mut Frame, app: &App, area: Rect, cursor: usize, typed: &str) {
    let s = app.s();
    let t = app.theme();
    let lang = app.lang();
    let dirs = &app.session.catalog.directions;
    let mut counts = vec![0usize; dirs.len()];
    for a in &app.session.apps {
        if let Some(p) = dirs.iter().position(|d| Some(d.code) == a.direction) {
            counts[p] += 1;
        }
    }
    let names: Vec<String> = dirs
        .iter()
        .map(|d| inert_line(lang.pick(&d.name_zh, &d.name_en)))
        .collect();
    let name_w = names
        .iter()
        .map(|n| width(n))
        .max()
        .unwrap_or(10)
        .max(width(s.all_directions));
    let w = (name_w + 14)
        .max(width(s.dir_hint) + 2)
        .min(area.width.saturating_sub(4) as usize) as u16;
    let h = (dirs.len() as u16 + 1 + 2 + 2).min(area.height.saturating_sub(2));
    let r = centered(area, w, h);
    let title = if typed.is_empty() {
        s.dir_title.to_string()
    } else {
        format!("{} {typed}", s.dir_title)
    };
    let inner = frame_box(frame, app, r, title);
    let iw = inner.width as usize;
    let rows = (inner.height as usize).saturating_sub(2);
    let offset = cursor.saturating_sub(rows.saturating_sub(1));
    let mut lines: Vec<Line> = Vec::new();
    let total = app.session.apps.len();
    let entries = std::iter::once((String::from(" 0"), s.all_directions.to_string(), total)).chain(
        dirs.iter()
            .zip(names.iter())
            .zip(counts.iter())
            .map(|((d, n), c)| (format!("{:>2}", d.code), n.clone(), *c)),
    );
    for (k, (code, name, count)) in entries.enumerate().skip(offset).take(rows) {
        let st = if k == cursor {
            t.selected(true)
        } else {
            t.base()
        };
        let mark = if k == cursor {
            app.settings.glyphs.cursor()
        } else {
            " "
        };
        let count = format!("{count:>5}");
        let name_room = iw.saturating_sub(1 + width(&code) + 1 + width(&count) + 1);
        lines.push(Line::from(vec![
            Span::styled(mark, st),
            Span::styled(format!("{code} "), st.patch(t.key())),
            Span::styled(fit(&name, name_room, "…"), st),
            Span::styled(format!("{count} "), st.patch(t.dim())),
        ]));
    }
    while lines.len() < rows {
        lines.push(Line::raw(""));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(cut(s.dir_hint, iw, "…"), t.dim()));
    frame.render_widget(Paragraph::new(lines), inner);
}

fn scope(frame: &mut Frame, app: &App, area: Rect, i: usize) {
    let s = app.s();
    let t = app.theme();
    let lang = app.lang();
    let Some(d) = app.session.apps[i]
        .direction
        .and_then(|c| app.session.catalog.direction(c))
    else {
        return;
    };
    let w = area.width.saturating_sub(6).min(80);
    let iw = (w as usize).saturating_sub(2);
    let mut lines: Vec<Line> = Vec::new();
    for l in wrap(
        &format!(
            "{} {} · {}",
            d.code,
            inert_line(&d.name_zh),
            inert_line(&d.name_en)
        ),
        iw,
    ) {
        lines.push(Line::styled(l, t.heading()));
    }
    let cat = inert_line(lang.pick(&d.category_zh, &d.category_en));
    lines.extend(field_lines(
        s.category,
        &cat,
        iw,
        width(s.category),
        t.label(),
        t.base(),
    ));
    lines.push(Line::raw(""));
    let (first, second) = match lang {
        crate::lang::Lang::Zh => (&d.scope_zh, &d.scope_en),
        crate::lang::Lang::En => (&d.scope_en, &d.scope_zh),
    };
    for l in wrap(&crate::domain::text::inert(first, true), iw) {
        lines.push(Line::raw(l));
    }
    if !second.trim().is_empty() {
        lines.push(Line::raw(""));
        for l in wrap(&crate::domain::text::inert(second, true), iw) {
            lines.push(Line::styled(l, t.dim()));
        }
    }
    let cat_note = inert_line(&app.session.catalog.notice);
    lines.push(Line::raw(""));
    lines.push(Line::styled(cut(&cat_note, iw, "…"), t.dim()));
    let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let r = centered(area, w, h);
    let inner = frame_box(frame, app, r, s.scope_title.to_string());
    frame.render_widget(Paragraph::new(lines), inner);
}

fn comment(
    frame: &mut Frame,
    app: &App,
    area: Rect,
    i: usize,
    editor: &ratatui_textarea::TextArea<'static>,
) {
    let s = app.s();
    let t = app.theme();
    let w = area.width.saturating_sub(6).min(110);
    let h = area.height.saturating_sub(4).min(26);
    let r = centered(area, w, h);
    let title = format!(
        "{} · {}",
        s.comment_title,
        inert_line(&app.session.apps[i].id)
    );
    let inner = frame_box(frame, app, r, title);
    let [title_area, edit_area, count_area, hint_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(2),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let iw = inner.width as usize;
    frame.render_widget(
        Paragraph::new(Line::styled(
            fit(&inert_line(&app.session.apps[i].title), iw, "…"),
            t.heading(),
        )),
        title_area,
    );
    frame.render_widget(editor, edit_area);
    let (row, col) = {
        let c = editor.screen_cursor();
        let (top, left) = editor.scroll_offset();
        (
            c.row.saturating_sub(top as usize) as u16,
            c.col.saturating_sub(left as usize) as u16,
        )
    };
    if row < edit_area.height && col < edit_area.width {
        frame.set_cursor_position(Position::new(edit_area.x + col, edit_area.y + row));
    }
    let text_len: usize = editor
        .lines()
        .iter()
        .map(|l| l.chars().count())
        .sum::<usize>()
        + editor.lines().len().saturating_sub(1);
    let min = app.session.rubric.min_comment_chars as usize;
    let style = if text_len >= min {
        t.status(crate::domain::history::Status::Complete)
    } else {
        t.status(crate::domain::history::Status::Draft)
    };
    let count = format!(
        "{}  ({})",
        fill(s.comment_count, &[&text_len, &min]),
        fill(s.comment_min, &[&min])
    );
    frame.render_widget(
        Paragraph::new(Span::styled(fit(&count, iw, "…"), style)),
        count_area,
    );
    frame.render_widget(
        Paragraph::new(Span::styled(fit(s.comment_hint, iw, "…"), t.dim())),
        hint_area,
    );
}

#[allow(clippy::too_many_arguments)]
fn recuse(
    frame: &mut Frame,
    app: &App,
    area: Rect,
    i: usize,
    undo: bool,
    reason: &str,
    confirm: bool,
    error: Option<&str>,
) {
    let s = app.s();
    let t = app.theme();
    let w = area.width.saturating_sub(6).min(76);
    let iw = (w as usize).saturating_sub(2);
    let a = &app.session.apps[i];
    let mut lines: Vec<Line> = Vec::new();
    for l in wrap(
        &format!("{}  {}", inert_line(&a.id), inert_line(&a.title)),
        iw,
    ) {
        lines.push(Line::styled(l, t.heading()));
    }
    lines.push(Line::raw(""));
    let shown_reason = inert_line(reason);
    let mut cursor: Option<(u16, u16)> = None;
    if confirm {
        let q = if undo {
            s.unrecuse_confirm
        } else {
            s.recuse_confirm
        };
        for l in wrap(q, iw) {
            lines.push(Line::styled(l, t.warning()));
        }
        if !shown_reason.is_empty() {
            lines.extend(field_lines(
                s.reason,
                &shown_reason,
                iw,
                width(s.reason),
                t.label(),
                t.base(),
            ));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(cut(s.recuse_confirm_hint, iw, "…"), t.key()));
    } else {
        let prompt = if undo {
            s.unrecuse_prompt
        } else {
            s.recuse_prompt
        };
        lines.push(Line::styled(cut(prompt, iw, "…"), t.label()));
        let inputs = wrap(&shown_reason, iw.saturating_sub(3).max(1));
        let first = lines.len();
        for l in &inputs {
            lines.push(Line::from(vec![
                Span::raw("> "),
                Span::styled(pad(l, iw.saturating_sub(2)), t.input()),
            ]));
        }
        let last = inputs.last().map(|l| width(l)).unwrap_or(0);
        cursor = Some(((first + inputs.len() - 1) as u16, (2 + last) as u16));
        match error {
            Some(e) => lines.push(Line::styled(cut(e, iw, "…"), t.error())),
            None => lines.push(Line::raw("")),
        }
        lines.push(Line::styled(cut(s.recuse_hint, iw, "…"), t.key()));
    }
    let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let r = centered(area, w, h);
    let title = if undo {
        s.unrecuse_title
    } else {
        s.recuse_title
    };
    let inner = frame_box(frame, app, r, title.to_string());
    frame.render_widget(Paragraph::new(lines), inner);
    if let Some((row, col)) = cursor
        && row < inner.height
        && col < inner.width
    {
        frame.set_cursor_position(Position::new(inner.x + col, inner.y + row));
    }
}

fn conflict(frame: &mut Frame, app: &App, area: Rect, i: usize) {
    let s = app.s();
    let t = app.theme();
    let w = area.width.saturating_sub(6).min(76);
    let iw = (w as usize).saturating_sub(2);
    let a = &app.session.apps[i];
    let mut lines: Vec<Line> = Vec::new();
    for l in wrap(
        &format!("{}  {}", inert_line(&a.id), inert_line(&a.title)),
        iw,
    ) {
        lines.push(Line::styled(l, t.heading()));
    }
    lines.push(Line::raw(""));
    for l in wrap(s.conflict_body, iw) {
        lines.push(Line::raw(l));
    }
    lines.push(Line::raw(""));
    let lw = width(s.conflict_your_org).max(width(s.conflict_unit));
    let org = app
        .session
        .owner
        .as_ref()
        .map(|o| inert_line(&o.org))
        .unwrap_or_default();
    lines.extend(field_lines(
        s.conflict_your_org,
        &org,
        iw,
        lw,
        t.label(),
        t.value(),
    ));
    if let Some(c) = app.conflict(i) {
        let role = if c.unit_index == 0 {
            s.conflict_lead
        } else {
            s.conflict_joint
        };
        lines.extend(field_lines(
            s.conflict_unit,
            &format!("{} ({role})", inert_line(&c.unit)),
            iw,
            lw,
            t.label(),
            t.value(),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(cut(s.conflict_hint, iw, "…"), t.key()));
    let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let r = centered(area, w, h);
    let inner = frame_box(frame, app, r, format!("! {}", s.conflict_title));
    frame.render_widget(Paragraph::new(lines), inner);
}
