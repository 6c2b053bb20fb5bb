//! Text helpers: name normalisation for matching units, title similarity,
//! and making untrusted text inert before it reaches a terminal.

use unicode_general_category::{GeneralCategory, get_general_category};
use unicode_normalization::UnicodeNormalization;

/// Folds one character after NFKC: Chinese brackets and quotes to ASCII
/// ones, ASCII lower-cased; `None` for what a comparison ignores (white
/// space, controls, invisible characters).
fn fold_char(ch: char) -> Option<char> {
    let c = match ch {
        '【' | '〔' => '[',
        '】' | '〕' => ']',
        '“' | '”' => '"',
        '‘' | '’' => '\'',
        _ => ch,
    };
    if c.is_whitespace() || c.is_control() || is_invisible(c) {
        return None;
    }
    Some(c.to_ascii_lowercase())
}

/// Folds a unit or direction name for comparison: Unicode NFKC first (so
/// full-width forms, Kangxi radicals and CJK compatibility ideographs
/// become the characters they look like), then Chinese brackets to ASCII
/// ones, all white space, controls and invisible characters removed, ASCII
/// lower-cased; then NFC again, since a removed space can leave a mark
/// next to a letter it composes with (so folding twice folds the same).
pub fn normalize_name(s: &str) -> String {
    use unicode_normalization::{IsNormalized, is_nfc_quick, is_nfkc_quick};
    // The same result as `s.nfkc().filter_map(fold_char).nfc()`, without
    // the two normalisation passes on text already in those forms (nearly
    // every title and unit name): opening a 10k bundle folds every one.
    let folded: String = if is_nfkc_quick(s.chars()) == IsNormalized::Yes {
        s.chars().filter_map(fold_char).collect()
    } else {
        s.nfkc().filter_map(fold_char).collect()
    };
    if is_nfc_quick(folded.chars()) == IsNormalized::Yes {
        folded
    } else {
        folded.nfc().collect()
    }
}

/// How many folded characters of a title [`title_similarity`] compares.
/// Real titles are a few dozen characters; the cap bounds the cost of one
/// comparison (at most `TITLE_COMPARE_CHARS² / 64` word operations) for
/// titles at the import field limit.
pub const TITLE_COMPARE_CHARS: usize = 256;

/// A title as [`title_similarity`] compares it: [`normalize_name`]'s
/// folding, cut after [`TITLE_COMPARE_CHARS`] characters. Lazy, so a long
/// title is folded only as far as needed.
pub fn fold_title(s: &str) -> Vec<char> {
    s.nfkc()
        .filter_map(fold_char)
        .nfc()
        .take(TITLE_COMPARE_CHARS)
        .collect()
}

/// Similarity of two titles in [0, 1000] (per mille): twice the longest
/// common subsequence of their folded characters ([`fold_title`]) over the
/// sum of their lengths, rounded down. 1000 means identical after folding.
pub fn title_similarity(a: &str, b: &str) -> u32 {
    similarity_of(&fold_title(a), &fold_title(b))
}

/// [`title_similarity`] of titles already folded.
pub fn similarity_of(a: &[char], b: &[char]) -> u32 {
    if a.is_empty() && b.is_empty() {
        return 1000;
    }
    let lcs = lcs_len(a, b) as u64;
    ((2000 * lcs) / (a.len() + b.len()) as u64) as u32
}

/// Length of the longest common subsequence, bit-parallel (the
/// Allison–Dix recurrence in Hyyrö's form): one bit per character of `a`,
/// 64 to a word; each character of `b` costs `⌈|a|/64⌉` word additions.
/// `V` starts all ones; for each character `c` of `b`, with `M` the
/// positions of `c` in `a`: `V ← (V + (V & M)) | (V & !M)`. The LCS is the
/// number of zero bits of `V` among the first `|a|`.
pub fn lcs_len(a: &[char], b: &[char]) -> usize {
    let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if a.is_empty() {
        return 0;
    }
    let words = a.len().div_ceil(64);
    let mut index: std::collections::HashMap<char, usize> = std::collections::HashMap::new();
    let mut masks: Vec<u64> = Vec::new();
    for (i, &c) in a.iter().enumerate() {
        let k = *index.entry(c).or_insert_with(|| {
            masks.resize(masks.len() + words, 0);
            masks.len() / words - 1
        });
        masks[k * words + i / 64] |= 1u64 << (i % 64);
    }
    let mut v = vec![u64::MAX; words];
    for c in b {
        let Some(&k) = index.get(c) else { continue };
        let m = &masks[k * words..(k + 1) * words];
        let mut carry = 0u64;
        for (vw, &mw) in v.iter_mut().zip(m) {
            let u = *vw & mw;
            let (s1, c1) = vw.overflowing_add(u);
            let (s2, c2) = s1.overflowing_add(carry);
            carry = u64::from(c1 || c2);
            *vw = s2 | (*vw & !mw);
        }
    }
    let tail = a.len() % 64;
    let mut ones: usize = v.iter().map(|w| w.count_ones() as usize).sum();
    if tail != 0 {
        ones -= (v[words - 1] >> tail).count_ones() as usize;
    }
    a.len() - ones
}

/// Invisible characters: general category Cf (format: soft hyphen, zero
/// width and joiner characters, bidi controls, word joiner, tags…),
/// variation selectors, the tag block U+E0000–E007F, and the blank fillers
/// and marks Unicode lists as default-ignorable (U+034F, U+115F, U+1160,
/// U+17B4, U+17B5, U+180B–180F, U+3164, U+FFA0). They draw nothing, so a
/// reader cannot see them; ids refuse them and the comment minimum does not
/// count them. Categories from Unicode 16.0 (`unicode-general-category`).
pub fn is_invisible(ch: char) -> bool {
    matches!(ch,
        '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{3164}' | '\u{FFA0}'
        | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}'
        | '\u{E0000}'..='\u{E007F}')
        || get_general_category(ch) == GeneralCategory::Format
}

/// Characters a reader can count: not white space, not a control, not
/// invisible ([`is_invisible`]). The comment minimum counts these.
pub fn visible_chars(s: &str) -> usize {
    s.chars().filter(|&c| countable(c)).count()
}

/// What [`visible_chars`] counts (plainly visible characters without a
/// lookup).
fn countable(c: char) -> bool {
    if plainly_visible(c) {
        return c != ' ';
    }
    !(c.is_whitespace() || c.is_control() || is_invisible(c))
}

/// Whether `s` holds at least `n` visible characters (as
/// [`visible_chars`] counts them), counting no further than `n`.
pub fn visible_at_least(s: &str, n: usize) -> bool {
    n == 0 || s.chars().filter(|&c| countable(c)).nth(n - 1).is_some()
}

/// Whether `ch` may not stand in an identifier (application id): white
/// space, controls, invisible characters and private-use characters —
/// what could make two ids look alike. Unassigned code points are shown
/// inert (`<U+0378>`) but not refused: which are unassigned depends on a
/// verifier's Unicode version, and every verifier must agree.
pub fn unfit_for_id(ch: char) -> bool {
    ch.is_whitespace()
        || ch.is_control()
        || is_invisible(ch)
        || get_general_category(ch) == GeneralCategory::PrivateUse
}

/// Whether `ch` must never reach a terminal as itself.
pub fn is_dangerous(ch: char) -> bool {
    matches!(ch,
        '\u{0}'..='\u{8}' | '\u{B}'..='\u{1F}' | '\u{7F}'..='\u{9F}'
        // line and paragraph separators move the cursor in some terminals
        | '\u{2028}' | '\u{2029}')
        // bidi controls, zero-width and every other invisible character
        || is_invisible(ch)
        // unassigned code points: a newer terminal may give them a meaning
        || get_general_category(ch) == GeneralCategory::Unassigned
}

/// Most combining marks drawn on one base character. Real text stacks one
/// or two (Vietnamese, pinyin tone marks); more is an attack on the frame.
pub const MAX_MARKS_PER_CELL: usize = 4;

/// Whether `ch` is a combining mark that stacks on the character before it
/// without a cell of its own (general category Mn or Me).
fn is_stacking_mark(ch: char) -> bool {
    matches!(
        get_general_category(ch),
        GeneralCategory::NonspacingMark | GeneralCategory::EnclosingMark
    )
}

/// Characters common in the panel's texts that are certainly assigned,
/// visible and not combining: printable ASCII, the CJK punctuation before
/// the ideographic tone marks, the CJK unified ideographs, the fullwidth
/// ASCII forms. [`inert`] keeps them without looking them up (a test
/// checks each against the lookups).
fn plainly_visible(ch: char) -> bool {
    matches!(ch, ' '..='~' | '\u{3001}'..='\u{3029}' | '\u{4E00}'..='\u{9FFF}' | '\u{FF01}'..='\u{FF5E}')
}

/// Replaces every control, bidi or invisible character with a visible,
/// harmless placeholder. Tabs become four spaces; line feeds are kept when
/// `keep_newlines`, otherwise shown as `⏎`. Carriage returns are shown.
/// At most [`MAX_MARKS_PER_CELL`] combining marks are kept on one base
/// character; a longer run is cut there and marked `<+N marks>`.
pub fn inert(s: &str, keep_newlines: bool) -> String {
    inert_cow(s, keep_newlines).into_owned()
}

/// [`inert`], borrowing `s` when nothing in it needs replacing (most
/// text: no copy, only a scan).
pub fn inert_cow(s: &str, keep_newlines: bool) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    // Most text is printable ASCII throughout, or plainly visible.
    if s.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return Cow::Borrowed(s);
    }
    let plain = s
        .char_indices()
        .find(|&(_, c)| !plainly_visible(c))
        .map_or(s.len(), |(i, _)| i);
    if plain == s.len() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len().min(1 << 16).max(plain + 16));
    // Every character before `plain` is kept as it is and ends any run
    // of marks: the loop starts afresh there.
    out.push_str(&s[..plain]);
    let mut marks = 0usize;
    let mut dropped = 0usize;
    let flush = |out: &mut String, dropped: &mut usize| {
        if *dropped > 0 {
            out.push_str(&format!("<+{dropped} marks>"));
            *dropped = 0;
        }
    };
    for ch in s[plain..].chars() {
        if plainly_visible(ch) {
            flush(&mut out, &mut dropped);
            marks = 0;
            out.push(ch);
            continue;
        }
        if is_stacking_mark(ch) && !is_dangerous(ch) {
            marks += 1;
            if marks > MAX_MARKS_PER_CELL {
                dropped += 1;
            } else {
                out.push(ch);
            }
            continue;
        }
        flush(&mut out, &mut dropped);
        marks = 0;
        push_shown(&mut out, ch, keep_newlines);
    }
    flush(&mut out, &mut dropped);
    Cow::Owned(out)
}

/// Appends `ch` (no combining mark) as [`inert`] shows it.
fn push_shown(out: &mut String, ch: char, keep_newlines: bool) {
    match ch {
        '\n' if keep_newlines => out.push('\n'),
        '\n' => out.push('⏎'),
        '\t' => out.push_str("    "),
        // C0 controls have their own visible pictures (␛ for ESC).
        '\u{0}'..='\u{1F}' => out.push(char::from_u32(0x2400 + ch as u32).unwrap_or('�')),
        '\u{7F}' => out.push('␡'),
        c if is_dangerous(c) => {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        }
        c => out.push(c),
    }
}

/// `inert` for one-line fields (titles, names): newlines shown as `⏎`.
pub fn inert_line(s: &str) -> String {
    inert(s, false)
}

/// A path for a line of output. File names are untrusted too: the chair
/// verifies files named by whoever sent them.
pub fn inert_path(p: &std::path::Path) -> String {
    inert_line(&p.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plainly_visible_characters_are_what_the_lookups_say() {
        let mut n = 0;
        for ch in (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| plainly_visible(c))
        {
            assert!(!is_dangerous(ch), "{ch:?} is dangerous");
            assert!(!is_stacking_mark(ch), "{ch:?} stacks");
            assert!(!is_invisible(ch), "{ch:?} is invisible");
            assert!(!ch.is_control(), "{ch:?} is a control");
            assert_eq!(ch.is_whitespace(), ch == ' ', "{ch:?}");
            n += 1;
        }
        assert!(n > 20_000, "{n}");
        // After a run of marks cut short, a plain character starts anew.
        let s = format!("e{}x\u{0301}", "\u{0301}".repeat(6));
        assert_eq!(
            inert_line(&s),
            "e\u{0301}\u{0301}\u{0301}\u{0301}<+2 marks>x\u{0301}"
        );
        assert_eq!(inert_line("评审 ok\u{202e}"), "评审 ok<U+202E>");
        assert_eq!(inert_line("plain, ascii\tend"), "plain, ascii    end");
        assert_eq!(inert_line("plain, ascii"), "plain, ascii");
    }

    /// What `inert` does, character by character, with no shortcut
    /// (each character shown as `push_shown` shows it).
    fn inert_by_char(s: &str, keep_newlines: bool) -> String {
        let mut out = String::new();
        // Marks since the last base character, and how many were cut.
        let (mut run, mut cut) = (0usize, 0usize);
        let end_run = |out: &mut String, cut: &mut usize| {
            if *cut > 0 {
                out.push_str(&format!("<+{cut} marks>"));
            }
            *cut = 0;
        };
        for ch in s.chars() {
            if !is_stacking_mark(ch) || is_dangerous(ch) {
                end_run(&mut out, &mut cut);
                run = 0;
                push_shown(&mut out, ch, keep_newlines);
            } else if run < MAX_MARKS_PER_CELL {
                run += 1;
                out.push(ch);
            } else {
                cut += 1;
            }
        }
        end_run(&mut out, &mut cut);
        out
    }

    #[test]
    fn the_shortcuts_give_what_each_character_would() {
        // Pieces of every kind, joined in every order two and three at a
        // time: plain runs before, between and after what is replaced.
        let pieces = [
            "",
            "评审意见",
            "plain ascii",
            "（全角）ＡＢ",
            "\n",
            "\t",
            "\r",
            "\u{7}",
            "\u{7f}",
            "\u{202e}",
            "\u{200b}",
            "\u{feff}",
            "e\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}",
            "\u{301}",
            "é",
            "😀",
            "\u{e000}",
            "한국어",
            "Ω≈",
            "\u{2028}",
        ];
        let mut n = 0;
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let s = format!("{a}{b}{c}");
                    for keep in [false, true] {
                        let want = inert_by_char(&s, keep);
                        let got = inert_cow(&s, keep);
                        assert_eq!(got, want, "{s:?} keep_newlines={keep}");
                        // Borrowed exactly when nothing changes.
                        assert_eq!(
                            matches!(got, std::borrow::Cow::Borrowed(_)),
                            want == s && s.chars().all(plainly_visible),
                            "{s:?}"
                        );
                        assert_eq!(inert(&s, keep), want);
                        n += 1;
                    }
                }
            }
        }
        assert_eq!(n, 2 * 20 * 20 * 20);
    }

    #[test]
    fn at_least_agrees_with_the_count() {
        for s in [
            "",
            " ",
            "技术路线清晰",
            " a\u{200b}b\tc\u{202e}d ",
            "\u{200b}\u{200b}x",
            "ab cd",
        ] {
            let have = visible_chars(s);
            for n in 0..have + 3 {
                assert_eq!(visible_at_least(s, n), have >= n, "{s:?} {n}");
            }
        }
    }

    #[test]
    fn full_width_and_spaces_fold() {
        assert_eq!(
            normalize_name("星河数安（北京） 科技有限公司"),
            normalize_name("星河数安(北京)科技有限公司")
        );
        assert_eq!(normalize_name("ＡＢＣ　公司"), "abc公司");
        assert_ne!(normalize_name("甲公司"), normalize_name("乙公司"));
    }

    #[test]
    fn similarity_scores() {
        assert_eq!(title_similarity("数据安全平台", "数据安全平台"), 1000);
        let near = title_similarity(
            "面向金融行业的数据安全治理平台",
            "面向金融行业的数据安全管理平台",
        );
        assert!(near > 850, "{near}");
        let far = title_similarity("车联网安全监测系统", "教育实训基地建设");
        assert!(far < 300, "{far}");
    }

    #[test]
    fn escapes_become_visible() {
        let s = "a\u{1b}[31mred\u{7}\u{202E}cba\u{9b}x";
        let out = inert_line(s);
        assert!(!out.chars().any(is_dangerous), "{out:?}");
        assert!(!out.contains('\u{1b}'));
        assert_eq!(out, "a␛[31mred␇<U+202E>cba<U+009B>x");
        assert_eq!(inert("l1\nl2\r", true), "l1\nl2␍");
        assert_eq!(inert_line("l1\nl2"), "l1⏎l2");
    }

    #[test]
    fn invisible_characters_are_shown_and_marks_are_capped() {
        for c in [
            '\u{2060}',
            '\u{00AD}',
            '\u{E0041}',
            '\u{FE0F}',
            '\u{3164}',
            '\u{0378}',
        ] {
            assert!(is_dangerous(c), "{:04X}", c as u32);
            assert!(inert_line(&format!("a{c}b")).contains(&format!("<U+{:04X}>", c as u32)));
        }
        assert!(!is_dangerous('\u{301}') && !is_dangerous('星'));
        let title = format!("x{}", "\u{301}".repeat(150_000));
        let shown = inert_line(&title);
        assert_eq!(shown, format!("x{}<+149996 marks>", "\u{301}".repeat(4)));
        assert_eq!(inert_line("Vie\u{323}\u{302}t"), "Vie\u{323}\u{302}t");
        assert!(unfit_for_id('\u{2060}') && unfit_for_id('\u{E000}') && unfit_for_id(' '));
        assert!(!unfit_for_id('\u{0378}') && !unfit_for_id('申'));
    }
}

#[cfg(test)]
mod normalize_fast_path_tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn the_fast_path_folds_exactly_like_the_full_passes() {
        for s in [
            "网络安全试点平台",
            "ＡＢＣ１２３ 全角",
            "⼀⼆⼳ 康熙部首",
            "﨑 兼容汉字",
            "e\u{301}cole",
            "Ｔitle\u{2060}with joiner",
            "ﬁ ligature",
            "",
        ] {
            let full: String = s.nfkc().filter_map(fold_char).nfc().collect();
            assert_eq!(normalize_name(s), full, "{s:?}");
        }
    }
}
