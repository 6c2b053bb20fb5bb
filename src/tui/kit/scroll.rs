//! Scroll positions the screens' state owns: a list's cursor with the
//! first row shown ([`ListScroll`]) and a text's scroll with how far it can
//! go ([`TextScroll`]). Drawing lays a pane out and hands its height to the
//! state (`draw` takes the state by `&mut`); keys then move within what
//! the last frame showed.

/// A list's cursor and the first row on screen, kept so that the cursor
/// stays in view when the list is drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListScroll {
    selected: usize,
    offset: usize,
    /// Rows the list had in the last frame (paging).
    rows: usize,
}

impl ListScroll {
    /// A list with the cursor on `selected`, its top row first, `rows`
    /// rows assumed until it is first drawn.
    pub fn new(selected: usize, rows: usize) -> ListScroll {
        ListScroll {
            selected,
            offset: 0,
            rows,
        }
    }

    /// The cursor's position.
    pub fn selected(&self) -> usize {
        self.selected
    }

    pub fn select(&mut self, i: usize) {
        self.selected = i;
    }

    /// The first row on screen.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Back to the top row (the list changed).
    pub fn rewind(&mut self) {
        self.offset = 0;
    }

    /// Rows of the list in the last frame.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Lays the list out in `rows` rows of `len` items: moves the first row
    /// shown as little as keeps the cursor in view. Returns that row.
    pub fn show(&mut self, len: usize, rows: usize) -> usize {
        self.rows = rows;
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if rows > 0 && self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
        self.offset = self.offset.min(len.saturating_sub(rows));
        self.offset
    }
}

/// A text's first line on screen and the furthest it can scroll, as the
/// last frame laid it out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextScroll {
    offset: usize,
    max: usize,
    /// Lines of the text's pane in the last frame (paging).
    rows: usize,
}

impl TextScroll {
    /// The first line asked for (may lie past the end until drawn).
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The furthest the last frame could scroll.
    pub fn max(&self) -> usize {
        self.max
    }

    /// Lines of the pane in the last frame.
    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn set(&mut self, offset: usize) {
        self.offset = offset;
    }

    /// Moves by `d` lines, past the end if asked (drawing clamps).
    pub fn by(&mut self, d: isize) {
        self.offset = self.offset.saturating_add_signed(d);
    }

    /// Moves by `d` lines within what the last frame could show.
    pub fn by_within(&mut self, d: isize) {
        self.offset = (self.offset as isize + d).clamp(0, self.max as isize) as usize;
    }

    /// Lays `total` lines out in `rows` rows: records how far they can
    /// scroll. Returns the first line to show (the offset asked for, at
    /// most that far); the offset itself stays.
    pub fn fit(&mut self, total: usize, rows: usize) -> usize {
        self.rows = rows;
        self.max = total.saturating_sub(rows);
        self.offset.min(self.max)
    }

    /// As [`TextScroll::fit`], and the offset is brought within the text.
    pub fn clamp_to(&mut self, total: usize, rows: usize) -> usize {
        self.offset = self.fit(total, rows);
        self.offset
    }

    /// Nothing to scroll (nothing shown).
    pub fn empty(&mut self) {
        self.max = 0;
    }
}
