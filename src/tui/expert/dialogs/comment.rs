//! The comment editor: the expert's comment on one application, saved
//! with Ctrl-S or on leaving.

use crate::tui::kit::Look;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui_textarea::{TextArea, WrapMode};

use super::{Outcome, frame_box};
use crate::domain::text::inert_line;
use crate::tui::ScreenBasics;
use crate::tui::expert::App;
use crate::tui::kit::frame::centered;
use crate::tui::strings::fill;
use crate::tui::text::fit;

#[derive(Debug)]
pub struct CommentEditor {
    pub app: usize,
    pub editor: Box<TextArea<'static>>,
    /// The comment as last saved.
    pub original: String,
}

impl CommentEditor {
    /// An editor on application `app`'s comment `original`, cursor at the
    /// end.
    pub fn new(app: usize, original: String) -> CommentEditor {
        CommentEditor {
            app,
            editor: Box::new(editor(&original)),
            original,
        }
    }

    pub fn key(&mut self, k: KeyEvent) -> Outcome {
        if k.code == KeyCode::Esc {
            return Outcome::SaveComment { close: true };
        }
        if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('s') {
            return Outcome::SaveComment { close: false };
        }
        // A pasted control, bidi or invisible character would be drawn by
        // the editor as itself: it is not taken.
        if let KeyCode::Char(c) = k.code
            && (c.is_control() || crate::domain::text::is_dangerous(c))
        {
            return Outcome::Stay;
        }
        self.editor.input(k);
        Outcome::Stay
    }

    /// The text, when it differs from what was last saved (which it then
    /// becomes).
    pub fn take_change(&mut self) -> Option<String> {
        let text = self.editor.lines().join("\n");
        if text == self.original {
            return None;
        }
        self.original = text.clone();
        Some(text)
    }

    pub fn draw(&self, frame: &mut Frame, app: &App, area: Rect) {
        let (i, editor) = (self.app, &*self.editor);
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
        frame.render_widget(editor, edit_area);
        let (row, col) = {
            let c = editor.screen_cursor();
            let (top, left) = editor.scroll_offset();
            (
                c.row.saturating_sub(top as usize) as u16,
                c.col.saturating_sub(left as usize) as u16,
            )
        };
        if row < edit_area.height && col < edit_area.width {
            frame.set_cursor_position(Position::new(edit_area.x + col, edit_area.y + row));
        }
        let text_len: usize = editor
            .lines()
            .iter()
            .map(|l| l.chars().count())
            .sum::<usize>()
            + editor.lines().len().saturating_sub(1);
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

/// A comment editor holding `text`, cursor at the end.
fn editor(text: &str) -> TextArea<'static> {
    let lines: Vec<String> = if text.is_empty() {
        vec![String::new()]
    } else {
        // The expert's own earlier text, made inert like all stored text.
        crate::domain::text::inert(text, true)
            .split('\n')
            .map(str::to_string)
            .collect()
    };
    let mut t = TextArea::new(lines);
    t.set_wrap_mode(WrapMode::WordOrGlyph);
    t.move_cursor(ratatui_textarea::CursorMove::Bottom);
    t.move_cursor(ratatui_textarea::CursorMove::End);
    t
}
