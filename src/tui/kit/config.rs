//! The configuration file (`config.toml` in the configuration directory,
//! relocated by `PANELIST_HOME`): language, theme, glyphs and key overrides.
//! A missing file means the defaults; a wrong one is an error naming the
//! file and the place, so that a typo is not silently ignored.

use std::path::Path;

use anyhow::Result;
use serde::Deserialize;

use super::keymap::{Keymap, Overrides};
use super::theme::{Glyphs, ThemeName};
use crate::support::lang::Lang;

/// The shipped, documented example (also checked by a test).
pub const EXAMPLE: &str = include_str!("../../../assets/config.example.toml");

/// The file as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub lang: Option<Lang>,
    pub theme: Option<ThemeName>,
    pub glyphs: Option<Glyphs>,
    /// Whether the screens take the mouse (clicks and the wheel); off, the
    /// terminal selects text as usual.
    pub mouse: Option<bool>,
    #[serde(default)]
    pub keys: Overrides,
}

/// What the screens use, with every default filled in.
#[derive(Debug, Clone)]
pub struct Settings {
    pub lang: Lang,
    pub theme: ThemeName,
    pub glyphs: Glyphs,
    pub keymap: Keymap,
    /// The screens take the mouse (the default).
    pub mouse: bool,
    /// Where times are shown (stored times are UTC): the local zone.
    pub zone: jiff::tz::TimeZone,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            lang: Lang::default(),
            theme: ThemeName::default(),
            glyphs: Glyphs::default(),
            keymap: Keymap::default(),
            mouse: true,
            zone: crate::support::clock::local_zone(),
        }
    }
}

impl Config {
    pub fn parse(text: &str) -> std::result::Result<Config, String> {
        toml::from_str(text).map_err(|e| e.message().to_string())
    }

    /// Reads `path`; a missing file is the default configuration.
    pub fn load(path: &Path) -> Result<Config> {
        if !path.exists() {
            return Ok(Config::default());
        }
        let text = crate::support::fs::read_text(path, &crate::support::fs::limits::CONFIG)?;
        Config::parse(&text).map_err(|m| anyhow::anyhow!("{}: {m}", path.display()))
    }

    /// Resolves the settings. The language comes from `lang_flag` (the
    /// command line), else `PANELIST_LANG`, else the file, else the locale.
    pub fn settings(&self, lang_flag: Option<Lang>, env_lang: Option<Lang>) -> Result<Settings> {
        let keymap = Keymap::with_overrides(&self.keys).map_err(anyhow::Error::msg)?;
        let theme = self.theme.unwrap_or_else(|| {
            if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                ThemeName::Mono
            } else {
                ThemeName::Dark
            }
        });
        Ok(Settings {
            lang: lang_flag
                .or(env_lang)
                .or(self.lang)
                .or_else(Lang::from_env)
                .unwrap_or_default(),
            theme,
            glyphs: self.glyphs.unwrap_or_default(),
            keymap,
            mouse: self.mouse.unwrap_or(true),
            zone: crate::support::clock::local_zone(),
        })
    }
}

/// Writes `lang` into the configuration file at `path` (made when
/// missing, with its folder), keeping every other setting and comment of
/// the file as it was; atomically, so that a failure leaves the old file.
pub fn save_lang(path: &Path, lang: Lang) -> Result<()> {
    let text = if path.exists() {
        crate::support::fs::read_text(path, &crate::support::fs::limits::CONFIG)?
    } else {
        String::new()
    };
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        anyhow::anyhow!("{}: {}", path.display(), e.message())
    })?;
    let code = match lang {
        Lang::Zh => "zh",
        Lang::En => "en",
    };
    match doc.get_mut("lang").and_then(|i| i.as_value_mut()) {
        // In place: the comment after the value stays.
        Some(v) => {
            let decor = v.decor().clone();
            *v = code.into();
            *v.decor_mut() = decor;
        }
        None => {
            doc.insert("lang", toml_edit::value(code));
        }
    }
    let out = doc.to_string();
    // What is written must load again (it will, on the next start).
    Config::parse(&out).map_err(|m| anyhow::anyhow!("{}: {m}", path.display()))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| {
            anyhow::Error::new(e).context(format!("cannot create {}", dir.display()))
        })?;
    }
    crate::support::fs::write_atomic(path, out.as_bytes())
}

/// `PANELIST_LANG` alone (the locale comes after the file).
pub fn env_lang() -> Option<Lang> {
    match std::env::var("PANELIST_LANG") {
        Ok(v) if !v.is_empty() => Some(if v.to_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::{Cmd, Context};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    #[test]
    fn the_shipped_example_loads_and_changes_only_what_it_says() {
        let c = Config::parse(EXAMPLE).expect("example parses");
        assert_eq!(c.lang, Some(Lang::Zh));
        assert_eq!(c.theme, Some(ThemeName::Dark));
        assert_eq!(c.glyphs, Some(Glyphs::Unicode));
        assert_eq!(c.mouse, Some(true));
        let s = c.settings(None, None).expect("settings");
        assert_eq!(s.lang, Lang::Zh);
        let k = &s.keymap;
        let ev = |c: char| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        // The example rebinds these and nothing else.
        assert_eq!(k.lookup(Context::Scoring, &ev('+')), Some(Cmd::Inc));
        assert_eq!(k.lookup(Context::Scoring, &ev('l')), Some(Cmd::Inc));
        assert_eq!(k.lookup(Context::Scoring, &ev('p')), Some(Cmd::Recommend));
        assert_eq!(k.lookup(Context::Scoring, &ev('y')), None);
        assert_eq!(k.lookup(Context::List, &ev('j')), Some(Cmd::Down));
        let default = Keymap::default();
        for ctx in [
            Context::Global,
            Context::List,
            Context::Detail,
            Context::Replay,
            Context::Timeline,
            Context::Sheet,
        ] {
            assert_eq!(k.bindings(ctx), default.bindings(ctx), "{ctx:?}");
        }
    }

    #[test]
    fn a_missing_file_is_the_default_and_a_bad_one_is_an_error() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("config.toml");
        assert_eq!(
            Config::load(&p).expect("missing is fine"),
            Config::default()
        );
        std::fs::write(&p, "lang = \"fr\"\n").expect("write");
        let e = Config::load(&p).expect_err("bad lang").to_string();
        assert!(e.contains("config.toml"), "{e}");
        std::fs::write(&p, "colour = \"red\"\n").expect("write");
        assert!(Config::load(&p).is_err(), "unknown keys are refused");
        std::fs::write(&p, "[keys.list]\nopen = [\"nope-key\"]\n").expect("write");
        let c = Config::load(&p).expect("parses");
        let e = c.settings(None, None).expect_err("bad key").to_string();
        assert!(e.contains("keys.list.open"), "{e}");
    }

    #[test]
    fn the_language_is_written_into_the_file_keeping_the_rest() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("sub").join("config.toml");
        save_lang(&p, Lang::En).expect("a new file and its folder");
        assert_eq!(Config::load(&p).expect("loads").lang, Some(Lang::En));
        std::fs::write(&p, EXAMPLE).expect("write");
        save_lang(&p, Lang::En).expect("save");
        let text = std::fs::read_to_string(&p).expect("read");
        let c = Config::parse(&text).expect("parses");
        assert_eq!(c.lang, Some(Lang::En));
        let before = Config::parse(EXAMPLE).expect("example");
        assert_eq!(c.keys, before.keys, "the key overrides stay");
        assert_eq!(c.theme, before.theme);
        assert!(text.contains("# Key overrides."), "comments stay");
        assert_eq!(text.matches("lang =").count(), 1, "{text}");
        save_lang(&p, Lang::Zh).expect("save");
        assert_eq!(Config::load(&p).expect("loads").lang, Some(Lang::Zh));
        std::fs::write(&p, "lang = [\n").expect("write");
        let e = save_lang(&p, Lang::En).expect_err("a broken file is not replaced");
        assert!(e.to_string().contains("config.toml"), "{e}");
        assert_eq!(std::fs::read_to_string(&p).expect("read"), "lang = [\n");
    }

    #[test]
    fn mouse_capture_is_on_unless_the_file_turns_it_off() {
        assert!(Config::default().settings(None, None).unwrap().mouse);
        let c = Config::parse("mouse = false\n").expect("parses");
        assert!(!c.settings(None, None).unwrap().mouse);
        assert!(Config::parse("mouse = \"no\"\n").is_err());
    }

    #[test]
    fn language_precedence() {
        let c = Config {
            lang: Some(Lang::Zh),
            ..Config::default()
        };
        assert_eq!(c.settings(None, None).unwrap().lang, Lang::Zh);
        assert_eq!(c.settings(None, Some(Lang::En)).unwrap().lang, Lang::En);
        assert_eq!(
            c.settings(Some(Lang::En), Some(Lang::Zh)).unwrap().lang,
            Lang::En
        );
    }
}
