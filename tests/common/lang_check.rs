//! One language per screen: a zh screen shows no English word and an en
//! screen no Chinese, except what the bundle itself says (an application's
//! title, a unit's name, an expert's name) and a short list of names that
//! are the same in both (key names, file names, ids).

use panelist::support::lang::Lang;

/// Words a zh screen may show: key names, the command and file names it
/// tells the expert to use, the signature algorithms, units.
const ZH_ALLOWED: &[&str] = &[
    // Keys.
    "Enter",
    "Esc",
    "Tab",
    "Shift",
    "Ctrl",
    "Alt",
    "PgUp",
    "PgDn",
    "Home",
    "End",
    "Del",
    "Space",
    "Backspace",
    "F1",
    "F2",
    // Commands, their words and file names.
    "panelist",
    "verify",
    "export",
    "json",
    "bundle",
    "toml",
    // File formats.
    "PDF",
    "pdf",
    "config",
    "roster",
    "entry",
    "key",
    "new",
    "adopt",
    "audit",
    "merge",
    "ROSTER",
    // Algorithms and encodings.
    "Ed25519",
    "SM2",
    "SM3",
    "UTF",
    "KDF",
    "Argon2id",
    // Sizes.
    "KiB",
    "MiB",
    // The other language, named in its own (the language switch).
    "English",
];

/// A path or a file name (`/home/expert/E01.json`, `wc.bundle`): the same
/// in both languages.
fn is_path(token: &str) -> bool {
    // An option of a command shown to type, a quoted field of a file
    // shown as it is (the roster entry's JSON).
    token.starts_with("--")
        || token.starts_with('"')
        // A term of the replay's filter (`crit:创新性`, `from:2024-03-01`).
        || token
            .split_once(':')
            .is_some_and(|(k, _)| !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase()))
        || token.contains('/')
        || token
            .rsplit_once('.')
            .is_some_and(|(a, b)| !a.is_empty() && b.len() >= 2 && b.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The text values of `v` (JSON keys left out); with `skip_suffix`, the
/// values of keys ending so (the other language's fields) are left out.
pub fn strings_of(v: &serde_json::Value, skip_suffix: &str, out: &mut String) {
    match v {
        serde_json::Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings_of(x, skip_suffix, out)),
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                if !k.ends_with(skip_suffix) {
                    strings_of(x, skip_suffix, out);
                }
            }
        }
        _ => {}
    }
}

/// What the bundle says that a `lang` screen may show as it is: every
/// field of `data` but the other language's (`*_en` on a zh screen).
pub fn bundle_text(data: &[serde_json::Value], lang: Lang) -> String {
    let skip = match lang {
        Lang::Zh => "_en",
        Lang::En => "_zh",
    };
    let mut out = String::new();
    for v in data {
        strings_of(v, skip, &mut out);
    }
    out
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF | 0x3000..=0x303F | 0x3040..=0x30FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

/// The runs of `text` that `keep` says belong to a word, each with
/// whether it may be cut short (at an ellipsis or an end of the line,
/// where wrapping and fitting cut).
fn runs(text: &str, keep: impl Fn(char) -> bool) -> Vec<(String, bool)> {
    let text = text.trim_matches(|c: char| c == '│' || c.is_whitespace());
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut cut_before = true;
    let mut prev = ' ';
    // A dialog's border cuts what is under it.
    let cuts = |c: char| c == '…' || ('\u{2500}'..='\u{257F}').contains(&c);
    for c in text.chars() {
        if keep(c) {
            if cur.is_empty() {
                cut_before = cuts(prev) || out.is_empty();
            }
            cur.push(c);
        } else if !cur.is_empty() {
            out.push((std::mem::take(&mut cur), cut_before || cuts(c)));
        }
        prev = c;
    }
    if !cur.is_empty() {
        out.push((cur, true));
    }
    out
}

/// Whether `w` is one of `bundle`'s words (or, when it may be cut short,
/// a piece of its text).
fn in_bundle(w: &str, cut: bool, bundle: &str, word: impl Fn(char) -> bool) -> bool {
    if cut {
        return bundle.contains(w);
    }
    bundle.split(|c: char| !word(c)).any(|b| b == w)
}

/// What on `screen` is in the other language than `lang` and not from
/// `bundle` (see [`bundle_text`]); `extra` are further allowed words
/// (a path on the screen).
pub fn foreign(screen: &str, lang: Lang, bundle: &str, extra: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for line in screen.lines() {
        // Tokens end at spaces, borders and Chinese punctuation; the
        // borders stay (they mark what a dialog cuts).
        let sep = |c: char| {
            c.is_whitespace()
                || ('\u{2500}'..='\u{257F}').contains(&c)
                || ('\u{3000}'..='\u{303F}').contains(&c)
                || ('\u{FF01}'..='\u{FF0F}').contains(&c)
                || ('\u{FF1A}'..='\u{FF20}').contains(&c)
        };
        let mut kept = String::new();
        let mut token = String::new();
        for c in line.chars().chain(std::iter::once(' ')) {
            if sep(c) {
                if !is_path(&token) {
                    kept.push_str(&token);
                }
                token.clear();
                kept.push(c);
            } else {
                token.push(c);
            }
        }
        let line = kept;
        let line = line.as_str();
        match lang {
            Lang::Zh => {
                // Words of two letters or more; a single letter is a key.
                let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
                for (w, cut) in runs(line, word) {
                    let letters = w.chars().filter(|c| c.is_ascii_alphabetic()).count();
                    // Ids and key ids carry digits.
                    if letters < 2
                        || w.chars().any(|c| c.is_ascii_digit())
                        || ZH_ALLOWED.iter().any(|a| a.eq_ignore_ascii_case(&w))
                        || in_bundle(&w, cut, bundle, word)
                        || extra.iter().any(|e| e.contains(&w))
                    {
                        continue;
                    }
                    found.push(format!("{w:?} in {:?}", line.trim()));
                }
            }
            Lang::En => {
                for (w, _) in runs(line, is_cjk) {
                    // Punctuation alone is not a language; the bundle's
                    // Chinese is cut anywhere, so any piece of it is its.
                    let han = w.chars().any(|c| ('\u{3400}'..='\u{9FFF}').contains(&c));
                    if !han
                        || w == "中文"
                        || bundle.contains(&w)
                        || extra.iter().any(|e| e.contains(&w))
                    {
                        continue;
                    }
                    found.push(format!("{w:?} in {:?}", line.trim()));
                }
            }
        }
    }
    found
}

/// Fails when [`foreign`] finds anything.
pub fn assert_one_language(name: &str, screen: &str, lang: Lang, bundle: &str, extra: &[&str]) {
    let f = foreign(screen, lang, bundle, extra);
    assert!(
        f.is_empty(),
        "{name}: the {lang:?} screen shows words of the other language:\n  {}\n{screen}",
        f.join("\n  ")
    );
}
