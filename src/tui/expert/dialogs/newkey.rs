//! Making the owner's signing key without leaving the screens: the
//! roster's id, name and organisation (shown, not edited), the passphrase
//! typed twice (its minimum length said first); the loop makes and seals
//! the key, writes its roster entry beside the working copy, and the
//! dialog shows that entry for the chair.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::export::input_line;
use super::{Outcome, frame_box};
use crate::crypto::keys::{MIN_PASSPHRASE_CHARS, Passphrase};
use crate::domain::text::inert_line;
use crate::tui::ScreenBasics;
use crate::tui::expert::effects::NewKeyRequest;
use crate::tui::expert::{App, KeyMade};
use crate::tui::kit::Look;
use crate::tui::kit::frame::{centered, field_lines};
use crate::tui::strings::fill;
use crate::tui::text::{cut, width, wrap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewKeyStep {
    /// Typing the passphrase.
    First,
    /// Typing it again.
    Second,
    /// The loop is making the key.
    Running,
    /// Made: the roster entry is shown.
    Done,
}

#[derive(Debug)]
pub struct NewKeyDialog {
    pub id: String,
    pub name: String,
    pub org: String,
    pub step: NewKeyStep,
    pub first: Passphrase,
    pub second: Passphrase,
    pub error: Option<String>,
    pub made: Option<KeyMade>,
}

impl NewKeyDialog {
    pub fn new(id: String, name: String, org: String) -> NewKeyDialog {
        NewKeyDialog {
            id,
            name,
            org,
            step: NewKeyStep::First,
            first: Passphrase::typing(),
            second: Passphrase::typing(),
            error: None,
            made: None,
        }
    }

    pub fn key(&mut self, k: KeyEvent, app: &App) -> Outcome {
        let s = app.s();
        match self.step {
            NewKeyStep::Running => return Outcome::Stay,
            NewKeyStep::Done => {
                return match k.code {
                    KeyCode::Esc | KeyCode::Enter => Outcome::Close,
                    _ => Outcome::Stay,
                };
            }
            NewKeyStep::First | NewKeyStep::Second => {}
        }
        let second = self.step == NewKeyStep::Second;
        match k.code {
            KeyCode::Esc if second => {
                self.second.clear();
                self.error = None;
                self.step = NewKeyStep::First;
            }
            KeyCode::Esc => {
                self.first.clear();
                return Outcome::KeyLater;
            }
            KeyCode::Enter if !second => {
                if self.first.chars() < MIN_PASSPHRASE_CHARS {
                    self.error = Some(fill(s.newkey_short, &[&MIN_PASSPHRASE_CHARS]));
                } else {
                    self.error = None;
                    self.step = NewKeyStep::Second;
                }
            }
            KeyCode::Enter => {
                if !self.first.same_as(&self.second) {
                    self.first.clear();
                    self.second.clear();
                    self.error = Some(s.newkey_differ.to_string());
                    self.step = NewKeyStep::First;
                } else {
                    self.error = None;
                    self.second.clear();
                    self.step = NewKeyStep::Running;
                    let passphrase = std::mem::replace(&mut self.first, Passphrase::typing());
                    return Outcome::MakeKey(NewKeyRequest {
                        id: self.id.clone(),
                        name: self.name.clone(),
                        org: self.org.clone(),
                        passphrase,
                    });
                }
            }
            _ => {
                let field = if second {
                    &mut self.second
                } else {
                    &mut self.first
                };
                super::type_passphrase(field, &mut self.error, &k, s.export_pass_too_long);
            }
        }
        Outcome::Stay
    }

    /// The loop made the key (or could not).
    pub fn finished(&mut self, r: Result<KeyMade, String>, s: &crate::tui::strings::Strings) {
        self.first.clear();
        self.second.clear();
        match r {
            Ok(made) => {
                self.step = NewKeyStep::Done;
                self.error = None;
                self.made = Some(made);
            }
            Err(e) => {
                self.step = NewKeyStep::First;
                self.error = Some(fill(s.newkey_failed, &[&inert_line(&e)]));
            }
        }
    }

    pub fn draw(&self, frame: &mut Frame, app: &App, area: Rect) {
        let Look { s, t, g } = app.look();
        let w = area.width.saturating_sub(6).min(84);
        let iw = (w as usize).saturating_sub(2);
        let lw = [
            s.identity_id,
            s.identity_name,
            s.identity_org,
            s.newkey_pass,
            s.newkey_again,
        ]
        .iter()
        .map(|l| width(l))
        .max()
        .unwrap_or(8);
        let mut lines: Vec<Line> = Vec::new();
        let mut cursor = None;
        if let (NewKeyStep::Done, Some(m)) = (self.step, &self.made) {
            let key_file = match &m.listing.public {
                Ok(k) => format!("{} · {}", inert_line(&k.alg), inert_line(k.short_id())),
                Err(e) => inert_line(e),
            };
            for l in wrap(
                &format!("{} {}", g.ok(), fill(s.newkey_done, &[&key_file])),
                iw,
            ) {
                lines.push(Line::styled(l, t.saved()));
            }
            let head = match &m.roster_file {
                Ok(p) => fill(s.newkey_entry, &[&inert_line(&p.display().to_string())]),
                Err(e) => fill(s.newkey_entry_unwritten, &[&inert_line(e)]),
            };
            for l in wrap(&head, iw) {
                lines.push(Line::raw(l));
            }
            let room = (area.height as usize).saturating_sub(lines.len() + 7);
            let json: Vec<&str> = m.roster_json.lines().collect();
            for l in json.iter().take(room) {
                lines.push(Line::styled(cut(&inert_line(l), iw, "…"), t.value()));
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled(cut(s.newkey_hint_done, iw, "…"), t.key()));
        } else {
            for l in wrap(&fill(s.newkey_intro, &[&inert_line(&self.id)]), iw) {
                lines.push(Line::raw(l));
            }
            lines.push(Line::raw(""));
            for (label, value) in [
                (s.identity_id, &self.id),
                (s.identity_name, &self.name),
                (s.identity_org, &self.org),
            ] {
                lines.extend(field_lines(
                    label,
                    &inert_line(value),
                    iw,
                    lw,
                    t.label(),
                    t.value(),
                ));
            }
            lines.push(Line::styled(
                cut(&fill(s.newkey_min, &[&MIN_PASSPHRASE_CHARS]), iw, "…"),
                t.dim(),
            ));
            let typing = matches!(self.step, NewKeyStep::First | NewKeyStep::Second);
            for (k, (label, field)) in
                [(s.newkey_pass, &self.first), (s.newkey_again, &self.second)]
                    .into_iter()
                    .enumerate()
            {
                let focused = typing && (k == 1) == (self.step == NewKeyStep::Second);
                let mask = g.mask().repeat(field.chars());
                let (l, col) = input_line(app, label, lw, &mask, iw, focused);
                if focused {
                    cursor = Some((lines.len() as u16, col));
                }
                lines.push(l);
            }
            lines.push(Line::raw(""));
            if self.step == NewKeyStep::Running {
                lines.push(Line::styled(cut(s.newkey_running, iw, "…"), t.key()));
            } else if let Some(e) = &self.error {
                for l in wrap(e, iw).into_iter().take(2) {
                    lines.push(Line::styled(l, t.error()));
                }
            } else {
                lines.push(Line::raw(""));
            }
            let hint = if self.step == NewKeyStep::Second {
                s.newkey_hint_second
            } else {
                s.newkey_hint_first
            };
            lines.push(Line::styled(cut(hint, iw, "…"), t.key()));
        }
        let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
        let r = centered(area, w, h);
        let inner = frame_box(frame, app, r, s.newkey_title.to_string());
        frame.render_widget(Paragraph::new(lines), inner);
        if let Some((row, col)) = cursor
            && row < inner.height
            && col < inner.width
        {
            frame.set_cursor_position(Position::new(inner.x + col, inner.y + row));
        }
    }
}
