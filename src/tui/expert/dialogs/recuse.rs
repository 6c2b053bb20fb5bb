//! Recusal (or its withdrawal): a reason, then a confirmation.

use crate::tui::kit::Look;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Outcome, app_heading, frame_box, hint_buttons};
use crate::domain::history::Change;
use crate::domain::text::inert_line;
use crate::tui::ScreenBasics;
use crate::tui::expert::App;
use crate::tui::kit::frame::{centered, field_lines};
use crate::tui::text::{cut, pad, width, wrap};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recusal {
    pub app: usize,
    /// Withdrawing a recusal rather than declaring one.
    pub undo: bool,
    pub reason: String,
    pub error: Option<&'static str>,
}

impl Recusal {
    pub fn new(app: usize, undo: bool) -> Recusal {
        Recusal {
            app,
            undo,
            reason: String::new(),
            error: None,
        }
    }

    /// A key while the reason is typed, or (`confirm`) the question is
    /// asked.
    pub fn key(&mut self, k: KeyEvent, confirm: &mut bool, app: &App) -> Outcome {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        if *confirm {
            return match k.code {
                KeyCode::Esc | KeyCode::Char('n') => Outcome::Close,
                KeyCode::Enter | KeyCode::Char('y') => {
                    let id = app.session.apps[self.app].id.clone();
                    let reason = self.reason.trim().to_string();
                    Outcome::Append(if self.undo {
                        Change::Unrecuse { app: id, reason }
                    } else {
                        Change::Recuse { app: id, reason }
                    })
                }
                _ => Outcome::Stay,
            };
        }
        match k.code {
            KeyCode::Esc => return Outcome::Close,
            KeyCode::Enter => {
                if !self.undo && self.reason.trim().is_empty() {
                    self.error = Some(app.s().reason_needed);
                } else {
                    *confirm = true;
                }
            }
            KeyCode::Backspace => {
                self.reason.pop();
            }
            KeyCode::Char('u') if ctrl => self.reason.clear(),
            KeyCode::Char(c) if !ctrl => {
                self.reason.push(c);
                self.error = None;
            }
            _ => {}
        }
        Outcome::Stay
    }

    pub fn draw(&self, frame: &mut Frame, app: &App, area: Rect, confirm: bool) {
        let (i, undo, reason, error) = (self.app, self.undo, self.reason.as_str(), self.error);
        let Look { s, t, .. } = app.look();
        let w = area.width.saturating_sub(6).min(76);
        let iw = (w as usize).saturating_sub(2);
        let mut lines: Vec<Line> = app_heading(app, i, iw);
        lines.push(Line::raw(""));
        let shown_reason = inert_line(reason);
        let mut cursor: Option<(u16, u16)> = None;
        let hint: Option<(String, usize)>;
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
            hint = Some((cut(s.recuse_confirm_hint, iw, "…"), lines.len()));
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
            hint = Some((cut(s.recuse_hint, iw, "…"), lines.len()));
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
        if let Some((text, row)) = &hint {
            hint_buttons(app, text, inner, *row);
        }
        frame.render_widget(Paragraph::new(lines), inner);
        if let Some((row, col)) = cursor
            && row < inner.height
            && col < inner.width
        {
            frame.set_cursor_position(Position::new(inner.x + col, inner.y + row));
        }
    }
}
