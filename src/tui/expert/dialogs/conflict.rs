//! The conflict warning: the expert's organisation is named among an
//! application's units; recuse, or say there is no conflict.

use crate::tui::kit::Look;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{Outcome, app_heading, frame_box, hint_buttons};
use crate::domain::text::inert_line;
use crate::tui::ScreenBasics;
use crate::tui::expert::App;
use crate::tui::kit::frame::{centered, field_lines};
use crate::tui::text::{cut, width, wrap};

/// The possible conflict with application `app`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConflictWarning {
    pub app: usize,
}

impl ConflictWarning {
    pub fn key(&mut self, k: KeyEvent) -> Outcome {
        match k.code {
            KeyCode::Esc => Outcome::Close,
            KeyCode::Char('r') => Outcome::Recuse(self.app),
            KeyCode::Char('c') => Outcome::Cleared(self.app),
            _ => Outcome::Stay,
        }
    }

    pub fn draw(&self, frame: &mut Frame, app: &App, area: Rect) {
        let i = self.app;
        let Look { s, t, .. } = app.look();
        let w = area.width.saturating_sub(6).min(76);
        let iw = (w as usize).saturating_sub(2);
        let mut lines: Vec<Line> = app_heading(app, i, iw);
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
        let hint = cut(s.conflict_hint, iw, "…");
        lines.push(Line::styled(hint.clone(), t.key()));
        let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
        let r = centered(area, w, h);
        let inner = frame_box(frame, app, r, format!("! {}", s.conflict_title));
        hint_buttons(app, &hint, inner, lines.len() - 1);
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
