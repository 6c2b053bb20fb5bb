//! Where things were drawn, for the mouse: every screen records, while it
//! draws, the rectangle of each thing a click can pick (a row, a pane, a
//! criterion, a dialog's key) and looks a click up here afterwards.
//!
//! Drawing borrows the screen's state immutably in places (the dialogs), so
//! the record takes `&self`; it is rebuilt on every frame.

use std::cell::RefCell;

use ratatui::layout::{Position, Rect};

/// The targets of the last frame, in drawing order (what is drawn later, a
/// dialog over a pane, wins).
#[derive(Debug, Clone)]
pub struct Hits<T> {
    spots: RefCell<Vec<(Rect, T)>>,
}

impl<T> Default for Hits<T> {
    fn default() -> Self {
        Hits {
            spots: RefCell::new(Vec::new()),
        }
    }
}

impl<T: Clone> Hits<T> {
    /// Forgets the previous frame's targets.
    pub fn clear(&self) {
        self.spots.borrow_mut().clear();
    }

    /// `target` was drawn in `r` (nothing is recorded for an empty `r`).
    pub fn add(&self, r: Rect, target: T) {
        if r.width > 0 && r.height > 0 {
            self.spots.borrow_mut().push((r, target));
        }
    }

    /// One target per line of `r`, from its top: `target(0)`, `target(1)`…
    pub fn rows(&self, r: Rect, n: usize, target: impl Fn(usize) -> T) {
        for k in 0..n.min(r.height as usize) {
            self.add(Rect::new(r.x, r.y + k as u16, r.width, 1), target(k));
        }
    }

    /// The topmost target at column `col`, row `row`.
    pub fn at(&self, col: u16, row: u16) -> Option<T> {
        let p = Position::new(col, row);
        self.spots
            .borrow()
            .iter()
            .rev()
            .find(|(r, _)| r.contains(p))
            .map(|(_, t)| t.clone())
    }

    /// Every target recorded, in drawing order (for tests).
    pub fn all(&self) -> Vec<(Rect, T)> {
        self.spots.borrow().clone()
    }
}

/// A clickable key in a line of hints such as `r 回避 · c 无冲突 · Esc 关闭`:
/// the rectangle of `label` within a line drawn at `at`, found by the
/// label's place in `line` (widths in terminal columns).
pub fn span_in(line: &str, label: &str, at: Rect) -> Option<Rect> {
    let start = line.find(label)?;
    let x = super::text::width(&line[..start]) as u16;
    let w = super::text::width(label) as u16;
    if x >= at.width {
        return None;
    }
    Some(Rect::new(at.x + x, at.y, w.min(at.width - x), 1))
}

/// The keys of a line of hints (`y 确认 · Esc 取消`), each with the
/// rectangle of its hint in the line drawn at `at`: a hint whose first word
/// is a key name (as `config.toml` writes keys) is a button for that key.
pub fn hint_keys(line: &str, at: Rect) -> Vec<(Rect, crossterm::event::KeyEvent)> {
    let mut out = Vec::new();
    let mut from = 0;
    for piece in line.split(" · ") {
        let start = from + line[from..].find(piece).unwrap_or(0);
        from = start + piece.len();
        let Some(name) = piece.split_whitespace().next() else {
            continue;
        };
        let Ok(key) = name.parse::<super::keymap::Key>() else {
            continue;
        };
        let x = super::text::width(&line[..start]) as u16;
        let w = super::text::width(piece) as u16;
        if x < at.width {
            let r = Rect::new(at.x + x, at.y, w.min(at.width - x), 1);
            out.push((r, crossterm::event::KeyEvent::new(key.code, key.mods)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_drawn_wins_and_outside_is_nothing() {
        let h: Hits<&str> = Hits::default();
        h.add(Rect::new(0, 0, 10, 10), "pane");
        h.add(Rect::new(2, 2, 3, 1), "button");
        assert_eq!(h.at(3, 2), Some("button"));
        assert_eq!(h.at(3, 3), Some("pane"));
        assert_eq!(h.at(10, 0), None);
        h.clear();
        assert_eq!(h.at(3, 2), None);
    }

    #[test]
    fn rows_are_one_line_each_within_the_area() {
        let h: Hits<usize> = Hits::default();
        h.rows(Rect::new(1, 5, 4, 2), 3, |k| k + 10);
        assert_eq!(h.at(1, 5), Some(10));
        assert_eq!(h.at(4, 6), Some(11));
        assert_eq!(h.at(1, 7), None, "only as many rows as fit");
    }

    #[test]
    fn the_keys_of_a_hint_line_are_buttons() {
        use crossterm::event::{KeyCode, KeyModifiers};
        let at = Rect::new(5, 9, 60, 1);
        let keys = hint_keys("y 确认 · Esc 取消", at);
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0].0, Rect::new(5, 9, 6, 1));
        assert_eq!(keys[0].1.code, KeyCode::Char('y'));
        assert_eq!(keys[1].0, Rect::new(5 + 9, 9, 8, 1));
        assert_eq!(keys[1].1.code, KeyCode::Esc);
        assert_eq!(keys[1].1.modifiers, KeyModifiers::NONE);
        assert!(hint_keys("方向说明", at).is_empty(), "no key, no button");
    }

    #[test]
    fn a_label_is_found_by_its_columns() {
        let r = span_in("r 回避 · c 无冲突", "c 无冲突", Rect::new(10, 3, 40, 1)).expect("found");
        assert_eq!(r, Rect::new(10 + 9, 3, 8, 1));
        assert_eq!(span_in("abc", "z", Rect::new(0, 0, 9, 1)), None);
    }
}
