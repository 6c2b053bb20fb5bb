//! Dialogs drawn over the screen: help, direction filter, scope, comment
//! editor, recusal, conflict question, export.

use crate::tui::ScreenBasics;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::history::Status;
use crate::domain::text::inert_line;
use crate::tui::action::Context;
use crate::tui::expert::{App, Areas, Dialog, ExportDialog, ExportStep, OwnerKey};
use crate::tui::kit::frame::{self as kitframe, centered, field_lines, help_box};
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
        Some(Dialog::Export(d)) => export(frame, app, area, d),
    }
}

/// Clears `r` and draws a focused block there; returns the inner area.
fn frame_box(frame: &mut Frame, app: &App, r: Rect, title: String) -> Rect {
    kitframe::frame_box(frame, app.theme(), r, title)
}

/// Every key, from the keymap in force, grouped by where it works.
pub fn help_lines(app: &App, w: usize) -> Vec<Line<'static>> {
    let s = app.s();
    let t = app.theme();
    let km = &app.settings.keymap;
    let key_w = 24.min(w / 2);
    let mut out = Vec::new();
    for ctx in Context::EXPERT {
        let heading = s.context(ctx);
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
    let inner = help_box(
        frame,
        app.theme(),
        app.s().help_title,
        area,
        84,
        scroll,
        |w| help_lines(app, w),
    );
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
        crate::support::lang::Lang::Zh => (&d.scope_zh, &d.scope_en),
        crate::support::lang::Lang::En => (&d.scope_en, &d.scope_zh),
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

/// `s` as one shell word: as it is when it is plain, else single-quoted.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ',' | '@'));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// `label value` with the value as an input field `room` columns wide
/// showing the end of a long value; returns the line and the cursor column.
fn input_line(
    app: &App,
    label: &str,
    lw: usize,
    value: &str,
    iw: usize,
    focused: bool,
) -> (Line<'static>, u16) {
    let t = app.theme();
    let room = iw.saturating_sub(lw + 1).max(2);
    // The end of the value, where typing happens, with room for the cursor.
    let mut shown: Vec<char> = Vec::new();
    let mut used = 0;
    for c in value.chars().rev() {
        let cw = width(&c.to_string());
        if used + cw + 1 > room {
            break;
        }
        used += cw;
        shown.push(c);
    }
    let mut shown: String = shown.into_iter().rev().collect();
    if shown.chars().count() < value.chars().count() && !shown.is_empty() {
        let mut cs = shown.chars();
        cs.next();
        shown = format!("…{}", cs.as_str());
    }
    let st = if focused { t.selected(true) } else { t.input() };
    let col = (lw + 1 + width(&shown)) as u16;
    (
        Line::from(vec![
            Span::styled(format!("{} ", pad(label, lw)), t.label()),
            Span::styled(pad(&shown, room), st),
        ]),
        col,
    )
}

fn export(frame: &mut Frame, app: &App, area: Rect, d: &ExportDialog) {
    let s = app.s();
    let t = app.theme();
    let g = app.settings.glyphs;
    let w = area.width.saturating_sub(6).min(92);
    let iw = (w as usize).saturating_sub(2);
    let lw = [
        s.export_key,
        s.export_file,
        s.export_passphrase,
        s.export_key_id,
        s.expert,
    ]
    .iter()
    .map(|l| width(l))
    .max()
    .unwrap_or(8);
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor: Option<(u16, u16)> = None;
    let (done, recused, todo) = app.progress();
    let counts = format!(
        "{} {done} {}   {} {recused} {}   {} {todo} {}",
        g.status(Status::Complete),
        s.complete,
        g.status(Status::Recused),
        s.recused,
        g.status(Status::Todo),
        s.todo
    );
    let step = match d.step {
        ExportStep::Review => 1,
        ExportStep::Path => 2,
        _ => 3,
    };
    let title = format!("{} · {step}/3", s.export_title);

    if let (ExportStep::Done, Some(sum)) = (d.step, &d.done) {
        let mut head = format!("{} {}", g.ok(), s.export_done);
        if sum.partial {
            head.push(' ');
            head.push_str(s.export_done_partial);
        }
        lines.push(Line::styled(
            head,
            t.status(Status::Complete).patch(t.value()),
        ));
        let c = &sum.counts;
        let line = format!(
            "{} {} {}   {} {} {}   {} {} {}   · {}",
            g.status(Status::Complete),
            c.complete,
            s.complete,
            g.status(Status::Recused),
            c.recused,
            s.recused,
            g.status(Status::Todo),
            c.open(),
            s.todo,
            fill(s.export_events, &[&sum.events])
        );
        for l in wrap(&line, iw) {
            lines.push(Line::raw(l));
        }
        lines.push(Line::raw(""));
        let who = format!(
            "{} {}",
            inert_line(&sum.expert),
            inert_line(&sum.expert_name)
        );
        for (label, value) in [
            (s.expert, who),
            (s.export_key_id, inert_line(&sum.key_id)),
            (s.export_file, inert_line(&sum.path.display().to_string())),
        ] {
            lines.extend(field_lines(label, &value, iw, lw, t.label(), t.value()));
        }
        lines.push(Line::raw(""));
        for l in wrap(s.export_verify_hint, iw) {
            lines.push(Line::styled(l, t.dim()));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(cut(s.export_hint_done, iw, "…"), t.key()));
    } else {
        lines.push(Line::styled(fit(&counts, iw, "…"), t.value()));
        let open = app.open_apps();
        if open.is_empty() {
            lines.push(Line::styled(
                cut(s.export_all_done, iw, "…"),
                t.status(Status::Complete),
            ));
        } else {
            for l in wrap(&fill(s.export_open, &[&open.len()]), iw) {
                lines.push(Line::styled(l, t.status(Status::Draft)));
            }
            let shown = 6.min(open.len());
            let mut ids: Vec<String> = open[..shown]
                .iter()
                .map(|&i| app.rows[i].id.clone())
                .collect();
            if open.len() > shown {
                ids.push(fill(s.export_more, &[&open.len()]));
            }
            for l in wrap(&ids.join(", "), iw.saturating_sub(2))
                .into_iter()
                .take(2)
            {
                lines.push(Line::raw(format!("  {l}")));
            }
            let mark = if d.partial { "[x]" } else { "[ ]" };
            let st = if d.partial && d.step == ExportStep::Review {
                t.selected(true)
            } else if d.partial {
                t.value()
            } else {
                t.base()
            };
            lines.push(Line::styled(
                fit(&format!("{mark} {}", s.export_partial), iw, "…"),
                st,
            ));
        }
        lines.push(Line::raw(""));
        let owner = app.session.owner.as_ref();
        match app.owner_key() {
            OwnerKey::Ready(k) => {
                let v = format!(
                    "{} · {} · {}",
                    inert_line(&k.id),
                    inert_line(&k.alg),
                    inert_line(k.short_id())
                );
                lines.extend(field_lines(s.export_key, &v, iw, lw, t.label(), t.value()));
            }
            OwnerKey::Missing => {
                let id = owner.map(|o| inert_line(&o.id)).unwrap_or_default();
                for l in wrap(&fill(s.export_no_key, &[&id]), iw) {
                    lines.push(Line::styled(l, t.error()));
                }
                let cmd = match owner {
                    Some(o) => format!(
                        "panelist key new --id {} --name {} --org {}",
                        shell_word(&inert_line(&o.id)),
                        shell_word(&inert_line(&o.name)),
                        shell_word(&inert_line(&o.org))
                    ),
                    None => "panelist key new --id ID --name NAME --org ORG".to_string(),
                };
                for l in wrap(&cmd, iw.saturating_sub(2)) {
                    lines.push(Line::styled(format!("  {l}"), t.key()));
                }
            }
            OwnerKey::Unusable(e) => {
                for l in wrap(&fill(s.export_key_unusable, &[&inert_line(e)]), iw) {
                    lines.push(Line::styled(l, t.error()));
                }
            }
            OwnerKey::Other(k, claimed) => {
                let msg = fill(
                    s.export_key_other,
                    &[
                        &inert_line(crate::crypto::short_id(claimed)),
                        &inert_line(k.short_id()),
                    ],
                );
                for l in wrap(&msg, iw) {
                    lines.push(Line::styled(l, t.error()));
                }
            }
        }
        let path = inert_line(&d.path);
        if d.step == ExportStep::Path {
            let (l, col) = input_line(app, s.export_file, lw, &path, iw, true);
            cursor = Some((lines.len() as u16, col));
            lines.push(l);
        } else {
            lines.extend(field_lines(
                s.export_file,
                &path,
                iw,
                lw,
                t.label(),
                t.value(),
            ));
        }
        if matches!(d.step, ExportStep::Passphrase | ExportStep::Running) {
            let mask = g.mask().repeat(d.pass.chars());
            let focused = d.step == ExportStep::Passphrase;
            let (l, col) = input_line(app, s.export_passphrase, lw, &mask, iw, focused);
            if focused {
                cursor = Some((lines.len() as u16, col));
            }
            lines.push(l);
        }
        lines.push(Line::raw(""));
        if d.step == ExportStep::Running {
            lines.push(Line::styled(cut(s.export_running, iw, "…"), t.key()));
        } else if let Some(e) = &d.error {
            for l in wrap(e, iw).into_iter().take(3) {
                lines.push(Line::styled(l, t.error()));
            }
        } else {
            lines.push(Line::raw(""));
        }
        let hint = match d.step {
            ExportStep::Review if open.is_empty() => s.export_hint_review_done,
            ExportStep::Review => s.export_hint_review,
            ExportStep::Path => s.export_hint_path,
            ExportStep::Passphrase => s.export_hint_pass,
            _ => "",
        };
        lines.push(Line::styled(cut(hint, iw, "…"), t.key()));
    }
    let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let r = centered(area, w, h);
    let inner = frame_box(frame, app, r, title);
    frame.render_widget(Paragraph::new(lines), inner);
    if let Some((row, col)) = cursor
        && row < inner.height
        && col < inner.width
    {
        frame.set_cursor_position(Position::new(inner.x + col, inner.y + row));
    }
}
