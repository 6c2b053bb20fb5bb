//! Quitting while a value is typed: the value is named, and only `y`
//! quits (without it); anything else goes back to typing.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{Outcome, frame_box};
use crate::tui::ScreenBasics;
use crate::tui::expert::App;
use crate::tui::kit::Look;
use crate::tui::kit::frame::centered;
use crate::tui::strings::fill;
use crate::tui::text::{cut, wrap};

pub fn key(k: KeyEvent) -> Outcome {
    match k.code {
        KeyCode::Char('y' | 'Y') => Outcome::Quit,
        KeyCode::Char('n' | 'N') | KeyCode::Esc => Outcome::Close,
        _ => Outcome::Stay,
    }
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let Look { t, .. } = app.look();
    let x = app.extra();
    let w = area.width.saturating_sub(6).min(64);
    let iw = (w as usize).saturating_sub(2);
    let body = fill(x.quit_body, &[&app.criterion_name(), &app.pending()]);
    let mut lines: Vec<Line> = wrap(&body, iw)
        .into_iter()
        .map(|l| Line::styled(l, t.warning()))
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(cut(x.quit_hint, iw, "…"), t.key()));
    let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let r = centered(area, w, h);
    let inner = frame_box(frame, app, r, x.quit_title.to_string());
    frame.render_widget(Paragraph::new(lines), inner);
}
