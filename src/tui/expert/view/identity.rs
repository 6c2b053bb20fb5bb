//! The first screen of an unclaimed working copy: pick yourself from the
//! roster, or enter id, name and organisation.

use crate::tui::ScreenBasics;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::block;
use crate::domain::text::inert_line;
use crate::tui::expert::{App, IdentityPicker};
use crate::tui::kit::frame::centered;
use crate::tui::strings::fill;
use crate::tui::text::{cut, fit, pad, width, wrap};

pub fn draw(frame: &mut Frame, app: &App, p: &IdentityPicker, area: Rect) {
    let s = app.s();
    let t = app.theme();
    let w = area.width.saturating_sub(4).min(90);
    let r = centered(area, w, area.height);
    let title = if p.form.is_some() {
        s.identity_form_title
    } else {
        s.identity_title
    };
    let b = block(app, title.to_string(), true);
    let inner = b.inner(r);
    frame.render_widget(b, r);
    let iw = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    for l in wrap(s.identity_intro, iw) {
        lines.push(Line::raw(l));
    }
    lines.push(Line::raw(""));
    let mut cursor = None;
    match &p.form {
        None => {
            // The offered key first, then the roster.
            let offered = app.offered_key();
            let mut entries: Vec<(String, String, String, String)> = Vec::new();
            if let Some(k) = offered {
                entries.push((
                    inert_line(&k.id),
                    inert_line(&k.name),
                    inert_line(&k.org),
                    fill(s.identity_key_offer, &[&inert_line(k.short_id())]),
                ));
            }
            for e in &app.session.roster {
                entries.push((
                    inert_line(&e.id),
                    inert_line(&e.name),
                    inert_line(&e.org),
                    String::new(),
                ));
            }
            let id_w = entries.iter().map(|e| width(&e.0)).max().unwrap_or(3);
            let name_w = entries
                .iter()
                .map(|e| width(&e.1))
                .max()
                .unwrap_or(4)
                .min(iw / 3);
            // Rows for the list: what is left after the intro, the manual
            // entry, the error and the hint.
            let rows = (inner.height as usize)
                .saturating_sub(lines.len() + 4)
                .max(1);
            let offset = p.cursor.saturating_sub(rows.saturating_sub(1));
            if entries.is_empty() {
                lines.push(Line::styled(s.roster_empty, t.dim()));
            }
            for (k, (id, name, org, extra)) in entries.iter().enumerate().skip(offset).take(rows) {
                let st = if k == p.cursor {
                    t.selected(true)
                } else {
                    t.base()
                };
                let mark = if k == p.cursor {
                    app.settings.glyphs.cursor()
                } else {
                    " "
                };
                let mut text = format!(
                    "{mark} {} {} {org}",
                    fit(id, id_w, "…"),
                    fit(name, name_w, "…"),
                );
                if !extra.is_empty() {
                    text.push(' ');
                    text.push_str(extra);
                }
                lines.push(Line::styled(fit(&text, iw, "…"), st));
            }
            let st = if p.cursor >= entries.len() {
                t.selected(true)
            } else {
                t.base()
            };
            lines.push(Line::styled(
                fit(&format!("  {}", s.identity_manual), iw, "…"),
                st,
            ));
        }
        Some(form) => {
            let labels = [s.identity_id, s.identity_name, s.identity_org];
            let lw = labels.iter().map(|l| width(l)).max().unwrap_or(8);
            for (k, label) in labels.iter().enumerate() {
                let value = inert_line(&form.fields[k]);
                let room = iw.saturating_sub(lw + 3);
                let shown = cut(&value, room, "…");
                let st = if k == form.focus {
                    t.selected(true)
                } else {
                    t.input()
                };
                if k == form.focus {
                    cursor = Some((lines.len() as u16, (lw + 3 + width(&shown)) as u16));
                }
                lines.push(Line::from(vec![
                    Span::styled(format!("{} : ", pad(label, lw)), t.label()),
                    Span::styled(pad(&shown, room), st),
                ]));
            }
        }
    }
    lines.push(Line::raw(""));
    match &p.error {
        Some(e) => lines.push(Line::styled(cut(e, iw, "…"), t.error())),
        None => lines.push(Line::raw("")),
    }
    let hint = if p.form.is_some() {
        s.identity_form_hint
    } else {
        s.identity_hint
    };
    lines.push(Line::styled(cut(hint, iw, "…"), t.key()));
    frame.render_widget(Paragraph::new(lines), inner);
    if let Some((row, col)) = cursor
        && row < inner.height
        && col < inner.width
    {
        frame.set_cursor_position(Position::new(inner.x + col, inner.y + row));
    }
}
