//! The user's language: zh or en.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Zh,
    #[default]
    En,
}

impl Lang {
    /// From `PANELIST_LANG`, else the locale (`LC_ALL`, `LANG`): zh when it
    /// starts with "zh".
    pub fn from_env() -> Option<Lang> {
        for var in ["PANELIST_LANG", "LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(v) = std::env::var(var)
                && !v.is_empty()
            {
                let v = v.to_lowercase();
                if var == "PANELIST_LANG" || v.starts_with("zh") || v.starts_with("en") {
                    return Some(if v.starts_with("zh") {
                        Lang::Zh
                    } else {
                        Lang::En
                    });
                }
            }
        }
        None
    }

    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    pub fn is_zh(self) -> bool {
        self == Lang::Zh
    }

    pub fn toggle(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

/// The language of messages made below the command line (errors of the
/// importers, the key store, the checks), set once by the command line
/// from `--lang` before anything runs. Library code that has a [`Lang`]
/// in hand uses it; this is for the errors that have none. English until
/// set, so library tests see the messages they always did.
static CURRENT: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Sets the language of messages for the rest of the run.
pub fn set_current(lang: Lang) {
    CURRENT.store(
        u8::from(lang == Lang::Zh),
        std::sync::atomic::Ordering::Relaxed,
    );
}

/// The language of messages set by [`set_current`] (English until set).
pub fn current() -> Lang {
    if CURRENT.load(std::sync::atomic::Ordering::Relaxed) == 1 {
        Lang::Zh
    } else {
        Lang::En
    }
}

/// The message in the language of [`current`]: `tr!(zh, en)`, each an
/// expression (`format!(…)` or a `&str`); only the one chosen is built.
#[macro_export]
macro_rules! tr {
    ($zh:expr, $en:expr $(,)?) => {
        if $crate::support::lang::current() == $crate::support::lang::Lang::Zh {
            $zh
        } else {
            $en
        }
    };
}
