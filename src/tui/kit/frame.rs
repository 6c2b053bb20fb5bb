//! The frame every screen shares: the bordered blocks and dialog boxes,
//! the scrolling help box, the header's two-part lines, the footer's key
//! hints and the "too small" notice.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::action::{Cmd, Context};
use super::keymap::Keymap;
use super::strings::{Strings, fill};
use super::text::{cut, pad, width, wrap};
use super::theme::Theme;
use super::{MIN_HEIGHT, MIN_WIDTH};
use crate::domain::text::inert_line;

/// [`block`] for any screen: the theme given.
pub fn themed_block<'a>(t: Theme, title: String, focused: bool) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(focused))
        .title(Span::styled(format!(" {title} "), t.title(focused)))
}

/// A rectangle of `w`×`h` centred in `area` (clamped to it).
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Clears `r` and draws a focused block there (a dialog); returns the
/// inner area.
pub fn frame_box(frame: &mut Frame, t: Theme, r: Rect, title: String) -> Rect {
    frame.render_widget(ratatui::widgets::Clear, r);
    // A wide character just left of the box would hide the box's first
    // column (its second half lies under the border): blank it.
    if r.x > 0 {
        let buf = frame.buffer_mut();
        for y in r.top()..r.bottom() {
            let cell = &mut buf[(r.x - 1, y)];
            if width(cell.symbol()) > 1 {
                cell.set_symbol(" ");
            }
        }
    }
    let b = themed_block(t, title, true);
    let inner = b.inner(r);
    frame.render_widget(b, r);
    inner
}

/// A help box: the lines `lines(width)` gives, in a dialog centred in
/// `area` at most `max_w` wide, scrolled to `scroll` (kept within the
/// text), with a
/// "from–to/total" mark on its bottom edge when the text does not fit.
/// Returns the inner area.
pub fn help_box<'a>(
    frame: &mut Frame,
    t: Theme,
    title: &str,
    area: Rect,
    max_w: u16,
    scroll: usize,
    lines: impl FnOnce(usize) -> Vec<Line<'a>>,
) -> Rect {
    let r = centered(
        area,
        area.width.saturating_sub(4).min(max_w),
        area.height.saturating_sub(2),
    );
    let inner = frame_box(frame, t, r, title.to_string());
    let all = lines((inner.width as usize).saturating_sub(1));
    let h = inner.height as usize;
    let max = all.len().saturating_sub(h);
    let scroll = scroll.min(max);
    if all.len() > h {
        let pos = format!(
            " {}–{}/{} ",
            scroll + 1,
            (scroll + h).min(all.len()),
            all.len()
        );
        let b = themed_block(t, title.to_string(), true)
            .title_bottom(Line::styled(pos, t.dim()).right_aligned());
        frame.render_widget(b, r);
    }
    let shown: Vec<Line> = all.into_iter().skip(scroll).take(h).collect();
    frame.render_widget(Paragraph::new(shown), inner);
    inner
}

/// Left and right parts on one line of exactly `w` columns; the left part
/// gives way.
pub fn spread(
    left: Vec<Span<'static>>,
    right: Vec<Span<'static>>,
    w: usize,
    style: Style,
) -> Line<'static> {
    let rw: usize = right.iter().map(|s| width(&s.content)).sum();
    let room = w.saturating_sub(rw + 1);
    let mut out: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for s in left {
        let sw = width(&s.content);
        if used + sw <= room {
            used += sw;
            out.push(s);
        } else {
            let c = cut(&s.content, room - used, "…");
            used += width(&c);
            out.push(Span::styled(c, s.style));
            break;
        }
    }
    out.push(Span::styled(" ".repeat(w.saturating_sub(used + rw)), style));
    out.extend(right);
    Line::from(out).style(style)
}

/// Asks for a larger window, centred.
pub fn too_small_screen(frame: &mut Frame, s: &Strings, t: Theme, area: Rect) {
    let msg = fill(
        s.too_small,
        &[&MIN_WIDTH, &MIN_HEIGHT, &area.width, &area.height],
    );
    let w = (area.width as usize).saturating_sub(2).max(1);
    let lines: Vec<String> = wrap(&msg, w);
    let top = (area.height as usize).saturating_sub(lines.len()) / 2;
    let mut out: Vec<Line> = vec![Line::raw(""); top];
    for l in lines {
        let lw = width(&l);
        let left = (area.width as usize).saturating_sub(lw) / 2;
        out.push(Line::styled(
            format!("{}{}", " ".repeat(left), l),
            t.warning(),
        ));
    }
    frame.render_widget(Paragraph::new(out), area);
}

/// `label` padded to `w` columns followed by `value` wrapped to the rest of
/// the width, later lines indented under the value.
pub fn field_lines(
    label: &str,
    value: &str,
    w: usize,
    label_w: usize,
    label_style: Style,
    value_style: Style,
) -> Vec<Line<'static>> {
    let vw = w.saturating_sub(label_w + 1).max(4);
    let mut out = Vec::new();
    for (i, l) in wrap(value, vw).into_iter().enumerate() {
        let head = if i == 0 {
            pad(label, label_w)
        } else {
            " ".repeat(label_w)
        };
        out.push(Line::from(vec![
            Span::styled(head, label_style),
            Span::raw(" "),
            Span::styled(l, value_style),
        ]));
    }
    out
}

/// Which footer hints with a "/" key (two unbound keys) are dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlashHints {
    /// Shown like any other.
    Keep,
    /// Dropped.
    Drop,
    /// Dropped when they have no label either.
    DropUnlabelled,
}

/// The footer's key hints: the `tail` (help, quit, language) always shows
/// when it fits; the context's `hints` fill the room before it, in order,
/// up to the first that does not fit. Hints without a key are left out.
pub fn footer_hints(
    frame: &mut Frame,
    t: Theme,
    area: Rect,
    hints: Vec<(String, String)>,
    tail: Vec<(String, String)>,
    slash: SlashHints,
) {
    let cost = |(k, label): &(String, String)| width(k) + 1 + width(label) + 2;
    let mut room = (area.width as usize).saturating_sub(1);
    let mut shown_tail = Vec::new();
    for h in tail {
        if !h.0.is_empty() && cost(&h) <= room {
            room -= cost(&h);
            shown_tail.push(h);
        }
    }
    let mut shown = Vec::new();
    for h in hints {
        let dropped = match slash {
            SlashHints::Keep => false,
            SlashHints::Drop => h.0 == "/",
            SlashHints::DropUnlabelled => h.0 == "/" && h.1.is_empty(),
        };
        if h.0.is_empty() || dropped {
            continue;
        }
        if cost(&h) > room {
            break;
        }
        room -= cost(&h);
        shown.push(h);
    }
    let mut spans = vec![Span::raw(" ")];
    for (k, label) in shown.into_iter().chain(shown_tail) {
        spans.push(Span::styled(k, t.key()));
        spans.push(Span::styled(format!(" {label}  "), t.footer()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A help box's first line (past the end until drawn, where
/// [`help_box`] clamps it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HelpScroll {
    pub top: usize,
}

/// What a key did in a help box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpKey {
    Close,
    Scrolled,
    /// Not a help key: the screen may give it a meaning.
    Other,
}

impl HelpScroll {
    /// The help box's keys, alike on every screen.
    pub fn key(&mut self, k: &KeyEvent) -> HelpKey {
        let top = &mut self.top;
        match k.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q' | '?') | KeyCode::F(1) => {
                return HelpKey::Close;
            }
            KeyCode::Up | KeyCode::Char('k') => *top = top.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => *top += 1,
            KeyCode::PageUp => *top = top.saturating_sub(10),
            KeyCode::PageDown | KeyCode::Char(' ') => *top += 10,
            KeyCode::Home | KeyCode::Char('g') => *top = 0,
            KeyCode::End | KeyCode::Char('G') => *top = usize::MAX / 2,
            _ => return HelpKey::Other,
        }
        HelpKey::Scrolled
    }

    /// The mouse wheel: `d` lines.
    pub fn wheel(&mut self, d: isize) {
        self.top = self.top.saturating_add_signed(d);
    }
}

/// A help box's text `w` columns wide, built in order: headings, and keys
/// with what they do.
pub struct HelpText {
    t: Theme,
    w: usize,
    key_w: usize,
    lines: Vec<Line<'static>>,
}

impl HelpText {
    pub fn new(t: Theme, w: usize) -> HelpText {
        HelpText {
            t,
            w,
            key_w: 24.min(w / 2),
            lines: Vec::new(),
        }
    }

    /// A heading, after a blank line unless it is the first.
    pub fn heading(&mut self, h: &str) {
        if !self.lines.is_empty() {
            self.lines.push(Line::raw(""));
        }
        self.lines
            .push(Line::styled(h.to_string(), self.t.heading()));
    }

    /// `keys` and what they do.
    pub fn entry(&mut self, keys: &str, what: &str) {
        let t = self.t;
        self.lines.extend(field_lines(
            keys,
            what,
            self.w,
            self.key_w,
            t.key(),
            t.base(),
        ));
    }

    /// Every bound command of `ctx` in the keymap, described by `what`.
    pub fn bindings(&mut self, km: &Keymap, ctx: Context, what: impl Fn(Cmd) -> &'static str) {
        for (cmd, keys) in km.bindings(ctx) {
            if keys.is_empty() {
                continue;
            }
            let ks: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
            self.entry(&ks.join(" "), what(*cmd));
        }
    }

    /// A heading and its (keys, what they do) pairs.
    pub fn section(&mut self, h: &str, entries: &[(&str, &str)]) {
        self.heading(h);
        for (k, d) in entries {
            self.entry(k, d);
        }
    }

    pub fn lines(self) -> Vec<Line<'static>> {
        self.lines
    }
}

/// A footer's key hints as a screen gathers them, with the keys the
/// keymap binds in one context.
pub struct Hints<'a> {
    km: &'a Keymap,
    ctx: Context,
    pub list: Vec<(String, String)>,
}

impl<'a> Hints<'a> {
    pub fn new(km: &'a Keymap, ctx: Context) -> Hints<'a> {
        Hints {
            km,
            ctx,
            list: Vec::new(),
        }
    }

    /// The first key of `c` (empty when unbound: the hint is left out).
    pub fn key(&self, c: Cmd) -> String {
        self.km
            .first(self.ctx, c)
            .map(|k| k.to_string())
            .unwrap_or_default()
    }

    /// Two commands' keys, "a/b".
    pub fn both(&self, a: Cmd, b: Cmd) -> String {
        format!("{}/{}", self.key(a), self.key(b))
    }

    pub fn push(&mut self, keys: impl Into<String>, label: impl Into<String>) {
        self.list.push((keys.into(), label.into()));
    }

    /// `c`'s key and `label`.
    pub fn cmd(&mut self, c: Cmd, label: &str) {
        let k = self.key(c);
        self.push(k, label);
    }

    /// Help, quit and language, labelled by `label`: the tail every screen
    /// ends its footer with.
    pub fn tail(&self, label: impl Fn(Cmd) -> &'static str) -> Vec<(String, String)> {
        [Cmd::Help, Cmd::Quit, Cmd::Lang]
            .iter()
            .map(|c| (self.key(*c), label(*c).to_string()))
            .collect()
    }
}

/// The header's "expert: id name (organisation)", inert.
pub fn expert_line(s: &Strings, id: &str, name: &str, org: &str) -> String {
    let org = if org.trim().is_empty() {
        String::new()
    } else {
        format!(" ({})", inert_line(org))
    };
    format!(
        " {}: {} {}{org}",
        s.expert,
        inert_line(id),
        inert_line(name)
    )
}

/// The header's two lines, each a left part that gives way and a right
/// part, in `style`.
pub fn header_lines(
    frame: &mut Frame,
    area: Rect,
    style: Style,
    lines: [(Vec<Span<'static>>, Vec<Span<'static>>); 2],
) {
    let w = area.width as usize;
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|(left, right)| spread(left, right, w, style))
        .collect();
    frame.render_widget(Paragraph::new(lines).style(style), area);
}
