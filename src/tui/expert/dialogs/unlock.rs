//! The passphrase dialog shown when a keyed working copy opens: the
//! owner's key is unlocked once, and every change is then signed with it.
//! The passphrase is never drawn (one bullet per character) and leaves
//! with the request; a wrong one asks again.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::export::input_line;
use super::{Outcome, frame_box};
use crate::crypto::keys::Passphrase;
use crate::domain::text::inert_line;
use crate::tui::ScreenBasics;
use crate::tui::expert::effects::UnlockRequest;
use crate::tui::expert::{App, OwnerKey};
use crate::tui::kit::Look;
use crate::tui::kit::frame::{centered, field_lines};
use crate::tui::text::{cut, width, wrap};

#[derive(Debug)]
pub struct UnlockDialog {
    pub pass: Passphrase,
    /// The loop is opening the key and checking the copy.
    pub running: bool,
    pub error: Option<String>,
}

impl Default for UnlockDialog {
    fn default() -> UnlockDialog {
        UnlockDialog {
            pass: Passphrase::typing(),
            running: false,
            error: None,
        }
    }
}

impl UnlockDialog {
    pub fn key(&mut self, k: KeyEvent, app: &App) -> Outcome {
        let s = app.s();
        if self.running {
            return Outcome::Stay;
        }
        match k.code {
            KeyCode::Esc => {
                self.pass.clear();
                return Outcome::KeyLater;
            }
            KeyCode::Enter => {
                if self.pass.is_empty() {
                    self.error = Some(s.export_need_pass.to_string());
                } else {
                    self.error = None;
                    self.running = true;
                    let passphrase = std::mem::replace(&mut self.pass, Passphrase::typing());
                    let expert = app
                        .session
                        .owner
                        .as_ref()
                        .map(|o| o.id.clone())
                        .unwrap_or_default();
                    return Outcome::Unlock(UnlockRequest { expert, passphrase });
                }
            }
            _ => {
                super::type_passphrase(&mut self.pass, &mut self.error, &k, s.export_pass_too_long)
            }
        }
        Outcome::Stay
    }

    pub fn draw(&self, frame: &mut Frame, app: &App, area: Rect) {
        let Look { s, t, g } = app.look();
        let w = area.width.saturating_sub(6).min(80);
        let iw = (w as usize).saturating_sub(2);
        let lw = [s.expert, s.unlock_key, s.export_passphrase]
            .iter()
            .map(|l| width(l))
            .max()
            .unwrap_or(8);
        let mut lines: Vec<Line> = Vec::new();
        for l in wrap(s.unlock_intro, iw) {
            lines.push(Line::raw(l));
        }
        lines.push(Line::raw(""));
        if let Some(o) = &app.session.owner {
            let who = format!(
                "{} {} ({})",
                inert_line(&o.id),
                inert_line(&o.name),
                inert_line(&o.org)
            );
            lines.extend(field_lines(s.expert, &who, iw, lw, t.label(), t.value()));
        }
        if let OwnerKey::Ready(k) | OwnerKey::Other(k, _) = app.owner_key() {
            let v = format!("{} · {}", inert_line(&k.alg), inert_line(k.short_id()));
            lines.extend(field_lines(s.unlock_key, &v, iw, lw, t.label(), t.value()));
        }
        let mask = g.mask().repeat(self.pass.chars());
        let (l, col) = input_line(app, s.export_passphrase, lw, &mask, iw, !self.running);
        let cursor = (!self.running).then_some((lines.len() as u16, col));
        lines.push(l);
        lines.push(Line::raw(""));
        if self.running {
            lines.push(Line::styled(cut(s.unlock_running, iw, "…"), t.key()));
        } else if let Some(e) = &self.error {
            lines.push(Line::styled(cut(e, iw, "…"), t.error()));
        } else {
            lines.push(Line::raw(""));
        }
        let hint = cut(s.unlock_hint, iw, "…");
        lines.push(Line::styled(hint.clone(), t.key()));
        let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
        let r = centered(area, w, h);
        let inner = frame_box(frame, app, r, s.unlock_title.to_string());
        super::hint_buttons(app, &hint, inner, lines.len() - 1);
        frame.render_widget(Paragraph::new(lines), inner);
        if let Some((row, col)) = cursor
            && row < inner.height
            && col < inner.width
        {
            frame.set_cursor_position(Position::new(inner.x + col, inner.y + row));
        }
    }
}
