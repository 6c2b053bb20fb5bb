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
