//! The scope note of an application's direction, in the screen's language.

use crate::tui::kit::Look;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{Outcome, frame_box};
use crate::domain::text::inert_line;
use crate::tui::ScreenBasics;
use crate::tui::expert::App;
use crate::tui::kit::frame::{centered, field_lines};
use crate::tui::text::{cut, width, wrap};

/// The scope of application `app`'s direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScopeNote {
    pub app: usize,
}

impl ScopeNote {
    pub fn key(&mut self, k: KeyEvent) -> Outcome {
        if matches!(
            k.code,
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q' | 'o')
        ) {
            Outcome::Close
        } else {
            Outcome::Stay
        }
    }

    pub fn draw(&self, frame: &mut Frame, app: &App, area: Rect) {
        let i = self.app;
        let Look { s, t, .. } = app.look();
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
                "{} {}",
                d.code,
                inert_line(lang.pick(&d.name_zh, &d.name_en))
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
        let scope = lang.pick(&d.scope_zh, &d.scope_en);
        for l in wrap(&crate::domain::text::inert(scope, true), iw) {
            lines.push(Line::raw(l));
        }
        let cat_note = inert_line(&app.session.catalog.notice);
        lines.push(Line::raw(""));
        lines.push(Line::styled(cut(&cat_note, iw, "…"), t.dim()));
        let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
        let r = centered(area, w, h);
        let inner = frame_box(frame, app, r, s.scope_title.to_string());
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
