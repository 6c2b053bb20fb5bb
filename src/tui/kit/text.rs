//! Measuring and cutting text by terminal columns: every CJK character is
//! two columns, and a cell boundary never falls inside one. Columns line up
//! because every cell is padded to its exact width here, not by `format!`.

use ratatui::style::Style;
use ratatui::text::Span;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Columns `s` takes.
pub fn width(s: &str) -> usize {
    s.width()
}

fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// Cuts `s` to at most `w` columns, ending with `ellipsis` when cut, and
/// pads it with spaces to exactly `w` columns.
pub fn fit(s: &str, w: usize, ellipsis: &str) -> String {
    let mut out = String::new();
    let used = push_fit(&mut out, s, w, ellipsis);
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(used)));
    out
}

/// Cuts `s` to at most `w` columns (no padding).
pub fn cut(s: &str, w: usize, ellipsis: &str) -> String {
    let mut out = String::new();
    push_fit(&mut out, s, w, ellipsis);
    out
}

fn push_fit(out: &mut String, s: &str, w: usize, ellipsis: &str) -> usize {
    if width(s) <= w {
        out.push_str(s);
        return width(s);
    }
    let ew = width(ellipsis);
    let room = w.saturating_sub(ew);
    let mut used = 0;
    for c in s.chars() {
        let cw = char_width(c);
        if used + cw > room {
            break;
        }
        out.push(c);
        used += cw;
    }
    if used + ew <= w {
        out.push_str(ellipsis);
        used += ew;
    }
    used
}

/// Pads `s` on the right to `w` columns (never cuts).
pub fn pad(s: &str, w: usize) -> String {
    let mut out = s.to_string();
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(width(s))));
    out
}

/// Pads `s` on the left to `w` columns (never cuts).
pub fn pad_left(s: &str, w: usize) -> String {
    let mut out: String = std::iter::repeat_n(' ', w.saturating_sub(width(s))).collect();
    out.push_str(s);
    out
}

fn breaks_anywhere(c: char) -> bool {
    // CJK text has no spaces; a line may break between any two of its
    // characters (and after CJK punctuation).
    char_width(c) == 2
}

fn is_closing(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '！'
            | '？'
            | '）'
            | '》'
            | '」'
            | '』'
            | '】'
            | '”'
            | '’'
            | '〕'
    )
}

/// Wraps `s` (one paragraph, no newlines) into lines of at most `w`
/// columns: at spaces between words, between any two wide characters, and
/// inside a word longer than a line.
pub fn wrap_line(s: &str, w: usize) -> Vec<String> {
    let w = w.max(2);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_w = 0usize;
    // The current unbreakable run (a word of narrow characters).
    let mut word = String::new();
    let mut word_w = 0usize;

    fn flush_word(
        lines: &mut Vec<String>,
        line: &mut String,
        line_w: &mut usize,
        word: &mut String,
        word_w: &mut usize,
        w: usize,
    ) {
        if word.is_empty() {
            return;
        }
        if *line_w + *word_w > w && *line_w > 0 {
            lines.push(std::mem::take(line).trim_end().to_string());
            *line_w = 0;
        }
        if *word_w > w {
            // Longer than a line: break it by columns.
            for c in word.chars() {
                let cw = char_width(c);
                if *line_w + cw > w {
                    lines.push(std::mem::take(line));
                    *line_w = 0;
                }
                line.push(c);
                *line_w += cw;
            }
        } else {
            line.push_str(word);
            *line_w += *word_w;
        }
        word.clear();
        *word_w = 0;
    }

    for c in s.chars() {
        let cw = char_width(c);
        if c == ' ' {
            flush_word(
                &mut lines,
                &mut line,
                &mut line_w,
                &mut word,
                &mut word_w,
                w,
            );
            if line_w > 0 && line_w < w {
                line.push(' ');
                line_w += 1;
            }
        } else if breaks_anywhere(c) {
            flush_word(
                &mut lines,
                &mut line,
                &mut line_w,
                &mut word,
                &mut word_w,
                w,
            );
            if line_w + cw > w {
                // Closing punctuation never starts a line: the character
                // before it comes along (when it is a wide one).
                let carry = if is_closing(c) {
                    line.chars()
                        .last()
                        .filter(|p| char_width(*p) == 2 && line.chars().count() > 1)
                } else {
                    None
                };
                if carry.is_some() {
                    line.pop();
                }
                lines.push(std::mem::take(&mut line).trim_end().to_string());
                line_w = 0;
                if let Some(p) = carry {
                    line.push(p);
                    line_w = 2;
                }
            }
            line.push(c);
            line_w += cw;
        } else {
            word.push(c);
            word_w += cw;
        }
    }
    flush_word(
        &mut lines,
        &mut line,
        &mut line_w,
        &mut word,
        &mut word_w,
        w,
    );
    if !line.is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// Wraps text with newlines: each paragraph on its own.
pub fn wrap(s: &str, w: usize) -> Vec<String> {
    s.split('\n').flat_map(|p| wrap_line(p, w)).collect()
}

/// Spans of `s` cut and padded to exactly `w` columns, with the characters
/// at `hits` (char indices into `s`) in `hl`.
pub fn highlight_fit(
    s: &str,
    hits: &[usize],
    w: usize,
    base: Style,
    hl: Style,
    ellipsis: &str,
) -> Vec<Span<'static>> {
    let shown = cut(s, w, ellipsis);
    let ellipsized = width(s) > w;
    let body_chars = if ellipsized {
        shown
            .chars()
            .count()
            .saturating_sub(ellipsis.chars().count())
    } else {
        shown.chars().count()
    };
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    let mut run_hl = false;
    for (i, c) in shown.chars().enumerate() {
        let is_hl = i < body_chars && hits.binary_search(&i).is_ok();
        if is_hl != run_hl && !run.is_empty() {
            let st = if run_hl { hl } else { base };
            spans.push(Span::styled(std::mem::take(&mut run), st));
        }
        run_hl = is_hl;
        run.push(c);
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, if run_hl { hl } else { base }));
    }
    let used = width(&shown);
    if used < w {
        spans.push(Span::styled(" ".repeat(w - used), base));
    }
    spans
}

/// The end of `s` that fits in `w` columns: what an input field shows of a
/// long value, where the typing happens.
pub fn tail(s: &str, w: usize) -> String {
    let mut shown: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let cw = width(&c.to_string());
        if used + cw > w {
            break;
        }
        used += cw;
        shown.push(c);
    }
    shown.into_iter().rev().collect()
}

/// The widest of `items` once made inert, or `or` when there are none.
pub fn widest<S: AsRef<str>>(items: impl IntoIterator<Item = S>, or: usize) -> usize {
    items
        .into_iter()
        .map(|s| width(&crate::domain::text::inert_line(s.as_ref())))
        .max()
        .unwrap_or(or)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_never_cuts_a_wide_character() {
        assert_eq!(fit("数据安全", 8, "…"), "数据安全");
        assert_eq!(fit("数据安全", 10, "…"), "数据安全  ");
        // 7 columns: 3 wide characters (6) + ellipsis (1).
        assert_eq!(fit("数据安全平台", 7, "…"), "数据安…");
        // 6 columns: 2 wide (4) + ellipsis (1) + pad (1).
        assert_eq!(fit("数据安全平台", 6, "…"), "数据… ");
        assert_eq!(width(&fit("数据安全平台", 6, "…")), 6);
        assert_eq!(fit("abc", 2, "…"), "a…");
        assert_eq!(fit("abc", 0, "…"), "");
        for w in 0..12 {
            assert_eq!(width(&fit("a数b据c安全", w, "…")), w, "{w}");
        }
    }

    #[test]
    fn wrap_breaks_cjk_anywhere_and_latin_at_spaces() {
        let lines = wrap_line("网络安全技术应用试点示范", 10);
        assert_eq!(lines, vec!["网络安全技", "术应用试点", "示范"]);
        // No line starts with a comma or full stop.
        let lines = wrap_line("网络安全技，应用试点示范。", 10);
        assert_eq!(lines, vec!["网络安全", "技，应用试", "点示范。"]);
        let lines = wrap_line("the quick brown fox jumps", 10);
        assert_eq!(lines, vec!["the quick", "brown fox", "jumps"]);
        let lines = wrap_line("数据安全 platform for banks", 12);
        assert!(lines.iter().all(|l| width(l) <= 12), "{lines:?}");
        let lines = wrap_line("averyveryverylongword", 8);
        assert_eq!(lines, vec!["averyver", "yverylon", "gword"]);
        assert_eq!(wrap("a\n\nb", 5), vec!["a", "", "b"]);
        for w in 2..20 {
            for l in wrap("网络安全 Cybersecurity 技术应用试点示范（2023）pilot", w) {
                assert!(width(&l) <= w, "{w}: {l:?}");
            }
        }
    }

    #[test]
    fn highlighting_keeps_width_and_marks_hits() {
        let spans = highlight_fit(
            "华信安全",
            &[0, 1],
            10,
            Style::new(),
            Style::new().bold(),
            "…",
        );
        let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(width(&text), 10);
        assert_eq!(spans[0].content, "华信");
        assert_eq!(spans[1].content, "安全");
    }
}
