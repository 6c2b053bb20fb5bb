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
    /// Over the [`choices`], then "enter manually".
    pub cursor: usize,
    pub form: Option<IdentityForm>,
    pub error: Option<String>,
    /// The identity picked, asked to be confirmed before the claim.
    pub confirm: Option<Box<Identity>>,
}

/// One row of the picker: who, and whether the data directory's only key
/// file is theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub who: Identity,
    pub key_file: bool,
}

/// The picker's rows: each expert of the roster once (never a chair), the
/// owner of the data directory's only key file first. A key file of
/// someone not on the roster is offered first too, unless the roster
/// names them as a chair.
pub fn choices(app: &App) -> Vec<Choice> {
    let chair =
        |e: &crate::domain::RosterEntry| e.role.as_deref() == Some(crate::verify::CHAIR_ROLE);
    let mut out: Vec<Choice> = Vec::new();
    for e in app.session.roster.iter().filter(|e| !chair(e)) {
        if out.iter().any(|c| c.who.id == e.id) {
            continue;
        }
        out.push(Choice {
            who: Identity {
                id: e.id.clone(),
                name: e.name.clone(),
                org: e.org.clone(),
                key_id: e.key_id.clone(),
            },
            key_file: false,
        });
    }
    if let Some(k) = app.offered_key() {
        match out.iter().position(|c| c.who.id == k.id) {
            Some(p) => {
                let mut c = out.remove(p);
                if c.who.key_id.is_none() {
                    c.who.key_id = Some(k.key_id.clone());
                }
                c.key_file = c.who.key_id.as_deref() == Some(k.key_id.as_str());
                out.insert(0, c);
            }
            None if !app.session.roster.iter().any(|e| e.id == k.id) => out.insert(
                0,
                Choice {
                    who: k.identity(),
                    key_file: true,
                },
            ),
            None => {}
        }
    }
    out
}

#[derive(Debug, Clone, Default)]
pub struct IdentityForm {
    /// Id, name, organisation.
    pub fields: [String; 3],
    pub focus: usize,
}

impl IdentityPicker {
    pub fn key(&mut self, k: KeyEvent, app: &App) -> Outcome {
        let choices = choices(app);
        let n = choices.len();
        let p = self;
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        if let Some(who) = &p.confirm {
            match k.code {
                KeyCode::Enter => return Outcome::Claim((**who).clone()),
                KeyCode::Esc => p.confirm = None,
                _ if app.basics.settings.keymap.lookup(Context::Global, &k) == Some(Cmd::Lang) => {
                    return Outcome::Lang;
                }
                _ => {}
            }
            return Outcome::Stay;
        }
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
                        p.confirm = Some(Box::new(Identity {
                            id,
                            name,
                            org,
                            key_id: None,
                        }));
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
                p.error = None;
                match choices.get(p.cursor) {
                    Some(c) => p.confirm = Some(Box::new(c.who.clone())),
                    None => p.form = Some(IdentityForm::default()),
                }
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
        let title = if p.confirm.is_some() {
            app.extra().claim_title
        } else if p.form.is_some() {
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
        match (&p.confirm, &p.form) {
            (Some(who), _) => {
                let x = app.extra();
                let line = fill(
                    x.claim_who,
                    &[
                        &inert_line(&who.id),
                        &inert_line(&who.name),
                        &inert_line(&who.org),
                    ],
                );
                for l in wrap(&line, iw) {
                    lines.push(Line::styled(l, t.heading()));
                }
                let key = match &who.key_id {
                    Some(k) => fill(x.claim_key, &[&inert_line(crate::crypto::short_id(k))]),
                    None => x.claim_no_key.to_string(),
                };
                for l in wrap(&key, iw) {
                    lines.push(Line::styled(l, t.value()));
                }
                lines.push(Line::raw(""));
                for l in wrap(x.claim_final, iw) {
                    lines.push(Line::styled(l, t.warning()));
                }
            }
            (None, None) => {
                // The key file's owner first, then the roster.
                let entries: Vec<(String, String, String, String)> = choices(app)
                    .into_iter()
                    .map(|c| {
                        let extra = match (&c.who.key_id, c.key_file) {
                            (Some(k), true) => fill(
                                s.identity_key_offer,
                                &[&inert_line(crate::crypto::short_id(k))],
                            ),
                            _ => String::new(),
                        };
                        (
                            inert_line(&c.who.id),
                            inert_line(&c.who.name),
                            inert_line(&c.who.org),
                            extra,
                        )
                    })
                    .collect();
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
            (None, Some(form)) => {
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
        let hint = if p.confirm.is_some() {
            app.extra().claim_hint
        } else if p.form.is_some() {
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
