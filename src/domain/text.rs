//! Text helpers: name normalisation for matching units, title similarity,
//! and making untrusted text inert before it reaches a terminal.

/// Folds a unit or direction name for comparison: full-width ASCII forms to
/// ASCII, full-width and ideographic spaces and all white space removed,
/// Chinese brackets to ASCII ones, ASCII lower-cased.
pub fn normalize_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        let c = match ch {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(ch as u32 - 0xFEE0).unwrap_or(ch),
            '\u{3000}' => ' ',
            '【' | '〔' => '[',
            '】' | '〕' => ']',
            '“' | '”' => '"',
            '‘' | '’' => '\'',
            _ => ch,
        };
        if c.is_whitespace() || c.is_control() {
            continue;
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Similarity of two titles in [0, 1000] (per mille): twice the longest
/// common subsequence of their normalised characters over the sum of their
/// lengths. 1000 means identical after normalisation.
pub fn title_similarity(a: &str, b: &str) -> u32 {
    let a: Vec<char> = normalize_name(a).chars().collect();
    let b: Vec<char> = normalize_name(b).chars().collect();
    if a.is_empty() && b.is_empty() {
        return 1000;
    }
    let mut prev = vec![0u32; b.len() + 1];
    let mut cur = vec![0u32; b.len() + 1];
    for ca in &a {
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = if ca == cb {
                prev[j] + 1
            } else {
                prev[j + 1].max(cur[j])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let lcs = prev[b.len()] as u64;
    ((2000 * lcs) / (a.len() + b.len()) as u64) as u32
}

/// Whether `ch` must never reach a terminal as itself.
pub fn is_dangerous(ch: char) -> bool {
    matches!(ch,
        '\u{0}'..='\u{8}' | '\u{B}'..='\u{1F}' | '\u{7F}'..='\u{9F}'
        // bidi embeddings, overrides and isolates, and the marks
        | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        | '\u{200E}' | '\u{200F}' | '\u{061C}'
        // line and paragraph separators move the cursor in some terminals
        | '\u{2028}' | '\u{2029}'
        // zero-width characters hide text; the BOM too
        | '\u{200B}'..='\u{200D}' | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}')
}

/// Replaces every control, bidi or invisible character with a visible,
/// harmless placeholder. Tabs become four spaces; line feeds are kept when
/// `keep_newlines`, otherwise shown as `⏎`. Carriage returns are shown.
pub fn inert(s: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
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
    out
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
}
