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

    /// A key in the editor. Every key it takes is listed in the help
    /// (`ScoringStrings::comment_keys`); any other key does nothing, so
    /// no key deletes more than the expert asked for.
    pub fn key(&mut self, k: KeyEvent) -> Outcome {
        use ratatui_textarea::CursorMove;
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let alt = k.modifiers.contains(KeyModifiers::ALT);
        let e = &mut self.editor;
        match k.code {
            KeyCode::Esc => return Outcome::SaveComment { close: true },
            KeyCode::Char('s') if ctrl => return Outcome::SaveComment { close: false },
            // Ctrl-J and Ctrl-M are what a terminal sends for a line feed
            // and a carriage return.
            KeyCode::Enter => e.insert_newline(),
            KeyCode::Char('j' | 'm') if ctrl => e.insert_newline(),
            KeyCode::Backspace => {
                e.delete_char();
            }
            KeyCode::Delete => {
                e.delete_next_char();
            }
            KeyCode::Char('w') if ctrl => {
                e.delete_word();
            }
            KeyCode::Char('z') if ctrl => {
                e.undo();
            }
            KeyCode::Char('y') if ctrl => {
                e.redo();
            }
            KeyCode::Left if ctrl => e.move_cursor(CursorMove::WordBack),
            KeyCode::Right if ctrl => e.move_cursor(CursorMove::WordForward),
            KeyCode::Home if ctrl => e.move_cursor(CursorMove::Top),
            KeyCode::End if ctrl => {
                e.move_cursor(CursorMove::Bottom);
                e.move_cursor(CursorMove::End);
            }
            KeyCode::Left => e.move_cursor(CursorMove::Back),
            KeyCode::Right => e.move_cursor(CursorMove::Forward),
            KeyCode::Up => e.move_cursor(CursorMove::Up),
            KeyCode::Down => e.move_cursor(CursorMove::Down),
            KeyCode::Home => e.move_cursor(CursorMove::Head),
            KeyCode::End => e.move_cursor(CursorMove::End),
            // A line break typed as a character (a paste turned into keys).
            KeyCode::Char('\r') => e.insert_newline(),
            KeyCode::Char('\t') => e.insert_char(' '),
            // A control, bidi or invisible character would be drawn by the
            // editor as itself: it is not taken.
            KeyCode::Char(c)
                if !ctrl && !alt && !c.is_control() && !crate::domain::text::is_dangerous(c) =>
            {
                e.insert_char(c)
            }
            _ => {}
        }
        Outcome::Stay
    }

    /// Pasted text, inserted whole at the cursor: CRLF, CR and LF all
    /// become one line break, a tab a space; other control, bidi and
    /// invisible characters are left out. Returns how many were.
    pub fn paste(&mut self, text: &str) -> usize {
        let mut out = String::with_capacity(text.len());
        let mut left_out = 0;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    out.push('\n');
                }
                '\n' => out.push('\n'),
                '\t' => out.push(' '),
                c if c.is_control() || crate::domain::text::is_dangerous(c) => left_out += 1,
                c => out.push(c),
            }
        }
        self.editor.insert_str(out);
        left_out
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
        // Counted as completeness counts it: visible characters.
        let text_len: usize = editor
            .lines()
            .iter()
            .map(|l| crate::domain::text::visible_chars(l))
            .sum();
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
