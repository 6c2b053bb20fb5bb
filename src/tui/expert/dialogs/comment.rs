//! The comment editor: the expert's comment on one application, saved
//! with Ctrl-S or on leaving.

use crate::tui::kit::Look;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Outcome, frame_box};
use crate::domain::text::inert_line;
use crate::tui::ScreenBasics;
use crate::tui::expert::App;
use crate::tui::kit::editor::{EditKey, TextEditor};
use crate::tui::kit::frame::centered;
use crate::tui::strings::fill;
use crate::tui::text::fit;

#[derive(Debug)]
pub struct CommentEditor {
    pub app: usize,
    pub edit: TextEditor,
}

impl CommentEditor {
    /// An editor on application `app`'s comment `original`, cursor at the
    /// end.
    pub fn new(app: usize, original: String) -> CommentEditor {
        CommentEditor {
            app,
            edit: TextEditor::new(original),
        }
    }

    /// A key in the editor (see [`TextEditor::key`]).
    pub fn key(&mut self, k: KeyEvent) -> Outcome {
        match self.edit.key(k) {
            EditKey::Stay => Outcome::Stay,
            EditKey::Save { close } => Outcome::SaveComment { close },
        }
    }

    /// Pasted text (see [`TextEditor::paste`]).
    pub fn paste(&mut self, text: &str) -> usize {
        self.edit.paste(text)
    }

    /// The text, when it differs from what was last saved.
    pub fn take_change(&mut self) -> Option<String> {
        self.edit.take_change()
    }

    pub fn draw(&self, frame: &mut Frame, app: &App, area: Rect) {
        let i = self.app;
        let Look { s, t, .. } = app.look();
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
        self.edit.draw(frame, edit_area);
        // Counted as completeness counts it: visible characters.
        let text_len = self.edit.visible_len();
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
}
