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
    #[serde(default)]
    pub keys: Overrides,
}

/// What the screens use, with every default filled in.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub lang: Lang,
    pub theme: ThemeName,
    pub glyphs: Glyphs,
    pub keymap: Keymap,
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
        })
    }
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
