//! A multi-line text editor for what people write in the screens — the
//! expert's comment, the chair's panel opinion: saved with Ctrl-S or on
//! leaving with Esc; control, bidi and invisible characters never enter.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui_textarea::{TextArea, WrapMode};

/// What a key asks of the editor's owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditKey {
    Stay,
    /// Save the text; `close` the editor too.
    Save {
        close: bool,
    },
}

#[derive(Debug)]
pub struct TextEditor {
    pub area: Box<TextArea<'static>>,
    /// The text as last saved.
    pub original: String,
}

impl TextEditor {
    /// An editor on `original` (the text as saved), cursor at the end.
    pub fn new(original: String) -> TextEditor {
        TextEditor::starting(&original.clone(), original)
    }

    /// An editor showing `text` (a draft) over the saved `original`: the
    /// draft counts as a change until saved.
    pub fn starting(text: &str, original: String) -> TextEditor {
        TextEditor {
            area: Box::new(editor(text)),
            original,
        }
    }

    /// A key in the editor. Every key it takes is listed in the help
    /// (the screens' `comment_keys`); any other key does nothing, so no
    /// key deletes more than the writer asked for.
    pub fn key(&mut self, k: KeyEvent) -> EditKey {
        use ratatui_textarea::CursorMove;
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let alt = k.modifiers.contains(KeyModifiers::ALT);
        let e = &mut self.area;
        match k.code {
            KeyCode::Esc => return EditKey::Save { close: true },
            KeyCode::Char('s') if ctrl => return EditKey::Save { close: false },
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
            KeyCode::Home if ctrl => {
                e.move_cursor(CursorMove::Top);
                e.move_cursor(CursorMove::Head);
            }
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
        EditKey::Stay
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
        self.area.insert_str(out);
        left_out
    }

    /// The text, when it differs from what was last saved (which it then
    /// becomes).
    pub fn take_change(&mut self) -> Option<String> {
        let text = self.text();
        if text == self.original {
            return None;
        }
        self.original = text.clone();
        Some(text)
    }

    /// The text as it stands.
    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    /// Visible characters, as completeness counts them.
    pub fn visible_len(&self) -> usize {
        self.area
            .lines()
            .iter()
            .map(|l| crate::domain::text::visible_chars(l))
            .sum()
    }

    /// Draws the text area in `r`, with the terminal's cursor at the
    /// editor's.
    pub fn draw(&self, frame: &mut Frame, r: Rect) {
        let editor = &*self.area;
        frame.render_widget(editor, r);
        let (row, col) = {
            let c = editor.screen_cursor();
            let (top, left) = editor.scroll_offset();
            (
                c.row.saturating_sub(top as usize) as u16,
                c.col.saturating_sub(left as usize) as u16,
            )
        };
        if row < r.height && col < r.width {
            frame.set_cursor_position(Position::new(r.x + col, r.y + row));
        }
    }
}

/// A text area holding `text`, cursor at the end.
fn editor(text: &str) -> TextArea<'static> {
    let lines: Vec<String> = if text.is_empty() {
        vec![String::new()]
    } else {
        // The writer's own earlier text, made inert like all stored text.
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
