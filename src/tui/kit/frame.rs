//! The frame every screen shares: the bordered blocks and dialog boxes,
//! the scrolling help box, the header's two-part lines, the footer's key
//! hints and the "too small" notice.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::strings::{Strings, fill};
use super::text::{cut, pad, width, wrap};
use super::theme::Theme;
use super::{MIN_HEIGHT, MIN_WIDTH};

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
