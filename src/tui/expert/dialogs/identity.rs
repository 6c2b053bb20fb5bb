//! The first screen of an unclaimed working copy: pick yourself from the
//! roster (or the one key file offered), or enter id, name and
//! organisation.

use crate::tui::kit::Look;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Outcome;
use crate::domain::text::inert_line;
use crate::keyring::KeyInfo;
use crate::store::Identity;
use crate::tui::ScreenBasics;
use crate::tui::action::{Cmd, Context};
use crate::tui::expert::App;
use crate::tui::expert::view::block;
use crate::tui::kit::frame::centered;
use crate::tui::strings::fill;
use crate::tui::text::{cut, fit, pad, width, wrap};

/// The identity picker shown when the working copy has no owner.
#[derive(Debug, Clone, Default)]
pub struct IdentityPicker {
    /// Over the offered key (when there is one, first), the roster, then
    /// "enter manually".
    pub cursor: usize,
    pub form: Option<IdentityForm>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct IdentityForm {
    /// Id, name, organisation.
    pub fields: [String; 3],
    pub focus: usize,
}

impl IdentityPicker {
    pub fn key(&mut self, k: KeyEvent, app: &App) -> Outcome {
        let offered = app.offered_key().map(KeyInfo::identity);
        let first = offered.is_some() as usize;
        let n = app.session.roster.len() + first;
        let p = self;
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        if let Some(form) = &mut p.form {
            match k.code {
                KeyCode::Esc => {
                    p.form = None;
                    p.error = None;
                }
                KeyCode::Tab | KeyCode::Down => form.focus = (form.focus + 1) % 3,
                KeyCode::BackTab | KeyCode::Up => form.focus = (form.focus + 2) % 3,
                KeyCode::Enter if form.focus < 2 => form.focus += 1,
                KeyCode::Enter => {
                    let s = app.s();
                    let [id, name, org] = form.fields.clone().map(|f| f.trim().to_string());
                    if !crate::domain::application::valid_expert_id(&id) {
                        p.error = Some(s.identity_bad_id.to_string());
                        form.focus = 0;
                    } else if name.is_empty() {
                        p.error = Some(s.identity_no_name.to_string());
                        form.focus = 1;
                    } else {
                        p.error = None;
                        return Outcome::Claim(Identity {
                            id,
                            name,
                            org,
                            key_id: None,
                        });
                    }
                }
                KeyCode::Backspace => {
                    form.fields[form.focus].pop();
                }
                KeyCode::Char('u') if ctrl => form.fields[form.focus].clear(),
                KeyCode::Char(c) if !ctrl => form.fields[form.focus].push(c),
                _ => {}
            }
            return Outcome::Stay;
        }
        match k.code {
            KeyCode::Esc | KeyCode::Char('q') => return Outcome::Quit,
            KeyCode::Up | KeyCode::Char('k') => p.cursor = p.cursor.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => p.cursor = (p.cursor + 1).min(n),
            _ if app.basics.settings.keymap.lookup(Context::Global, &k) == Some(Cmd::Lang) => {
                return Outcome::Lang;
            }
            KeyCode::Enter => {
                if let (Some(who), 0) = (&offered, p.cursor) {
                    return Outcome::Claim(who.clone());
                }
                if let Some(e) = p
                    .cursor
                    .checked_sub(first)
                    .and_then(|i| app.session.roster.get(i))
                {
                    return Outcome::Claim(Identity {
                        id: e.id.clone(),
                        name: e.name.clone(),
                        org: e.org.clone(),
                        key_id: e.key_id.clone(),
                    });
                }
                p.form = Some(IdentityForm::default());
                p.error = None;
            }
            _ => {}
        }
        Outcome::Stay
    }

    pub fn draw(&self, frame: &mut Frame, app: &App, area: Rect) {
        let p = self;
        let Look { s, t, .. } = app.look();
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
                for (k, (id, name, org, extra)) in
                    entries.iter().enumerate().skip(offset).take(rows)
                {
                    let st = if k == p.cursor {
                        t.selected(true)
                    } else {
                        t.base()
                    };
                    let mark = if k == p.cursor {
                        app.basics.settings.glyphs.cursor()
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
}
