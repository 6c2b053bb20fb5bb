//! Call catalogs (the directions of one year's call) and scoring rubrics.
//!
//! Both are data: the shipped ones live in `assets/` and are embedded in the
//! binary; a chair may pass custom ones. Nothing here touches files.

use serde::{Deserialize, Serialize};

/// One direction (重点方向) of a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Direction {
    pub code: u32,
    pub category_zh: String,
    pub category_en: String,
    pub name_zh: String,
    pub name_en: String,
    pub short_zh: String,
    pub short_en: String,
    pub scope_zh: String,
    pub scope_en: String,
}

/// The direction catalog of one call, with its per-authority limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub call: String,
    pub notice: String,
    pub title_zh: String,
    pub title_en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high_end_direction: Option<u32>,
    pub max_per_authority: u32,
    pub max_high_end_per_authority: u32,
    /// Section of the notice each eligibility rule comes from, by rule key,
    /// where it differs from the 2023 numbering.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub sources: std::collections::BTreeMap<String, String>,
    pub directions: Vec<Direction>,
}

impl Catalog {
    pub fn direction(&self, code: u32) -> Option<&Direction> {
        self.directions.iter().find(|d| d.code == code)
    }

    /// Resolves what an applicant wrote in the direction field: a code, or
    /// the exact Chinese or English name.
    pub fn resolve(&self, raw: &str) -> Option<u32> {
        let t = raw.trim();
        if let Ok(n) = t.parse::<u32>() {
            return self.direction(n).map(|d| d.code);
        }
        let folded = super::text::normalize_name(t);
        self.directions
            .iter()
            .find(|d| {
                super::text::normalize_name(&d.name_zh) == folded
                    || d.name_en.eq_ignore_ascii_case(t)
            })
            .map(|d| d.code)
    }

    /// Checks internal consistency: unique codes, names present.
    pub fn validate(&self) -> Result<(), String> {
        if self.directions.is_empty() {
            return Err("catalog has no directions".into());
        }
        let mut seen = std::collections::BTreeSet::new();
        for d in &self.directions {
            if !seen.insert(d.code) {
                return Err(format!("direction code {} appears twice", d.code));
            }
            if d.name_zh.trim().is_empty() || d.name_en.trim().is_empty() {
                return Err(format!("direction {} has an empty name", d.code));
            }
        }
        if let Some(h) = self.high_end_direction
            && self.direction(h).is_none()
        {
            return Err(format!(
                "high_end_direction {h} is not a direction of the catalog"
            ));
        }
        Ok(())
    }
}

/// A level band of a criterion, e.g. 优秀 21–25.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub name_zh: String,
    pub name_en: String,
    pub min: i64,
    pub max: i64,
    pub guidance_zh: String,
    pub guidance_en: String,
}

/// One scoring criterion (评审维度).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    pub min: i64,
    pub max: i64,
    pub step: i64,
    pub weight: i64,
    pub guidance_zh: String,
    pub guidance_en: String,
    pub bands: Vec<Band>,
}

impl Criterion {
    /// Whether `v` is a value an expert may give on this criterion.
    pub fn accepts(&self, v: i64) -> bool {
        v >= self.min && v <= self.max && (v - self.min) % self.step == 0
    }

    pub fn band(&self, v: i64) -> Option<&Band> {
        self.bands.iter().find(|b| v >= b.min && v <= b.max)
    }
}

/// The rubric of a panel: criteria, their scales and weights.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rubric {
    pub name_zh: String,
    pub name_en: String,
    pub min_comment_chars: u32,
    pub criteria: Vec<Criterion>,
}

impl Rubric {
    pub fn criterion(&self, key: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.key == key)
    }

    /// Highest possible weighted total.
    pub fn max_total(&self) -> i64 {
        self.criteria.iter().map(|c| c.max * c.weight).sum()
    }

    /// Lowest possible weighted total.
    pub fn min_total(&self) -> i64 {
        self.criteria.iter().map(|c| c.min * c.weight).sum()
    }

    pub fn validate(&self) -> Result<(), String> {
        if self.criteria.is_empty() {
            return Err("rubric has no criteria".into());
        }
        let mut keys = std::collections::BTreeSet::new();
        for c in &self.criteria {
            if !keys.insert(c.key.as_str()) {
                return Err(format!("criterion '{}' appears twice", c.key));
            }
            if c.key.is_empty() || !c.key.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_') {
                return Err(format!("criterion key '{}' must be lowercase ASCII", c.key));
            }
            if c.step <= 0 || c.min > c.max {
                return Err(format!("criterion '{}' has an empty scale", c.key));
            }
            if c.weight <= 0 || c.weight > 1000 {
                return Err(format!("criterion '{}' weight must be 1..1000", c.key));
            }
            if c.min.abs() > 1_000_000 || c.max.abs() > 1_000_000 {
                return Err(format!("criterion '{}' scale is out of range", c.key));
            }
            for b in &c.bands {
                if b.min > b.max {
                    return Err(format!(
                        "criterion '{}' band '{}' is empty",
                        c.key, b.name_en
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A catalog shipped with the binary.
pub struct Shipped {
    pub call: &'static str,
    pub toml: &'static str,
}

pub const SHIPPED_CATALOGS: &[Shipped] = &[
    Shipped {
        call: "2023",
        toml: include_str!("../../assets/catalogs/2023.toml"),
    },
    Shipped {
        call: "2022",
        toml: include_str!("../../assets/catalogs/2022.toml"),
    },
    Shipped {
        call: "2020",
        toml: include_str!("../../assets/catalogs/2020.toml"),
    },
];

pub const DEFAULT_RUBRIC: &str = include_str!("../../assets/rubric/default.toml");

/// The shipped catalog of `call` ("2023", "2022", "2020").
pub fn shipped_catalog(call: &str) -> Result<Catalog, String> {
    let s = SHIPPED_CATALOGS
        .iter()
        .find(|s| s.call == call)
        .ok_or_else(|| format!("no shipped catalog for call '{call}' (have 2023, 2022, 2020)"))?;
    let c: Catalog = toml::from_str(s.toml).map_err(|e| format!("shipped catalog {call}: {e}"))?;
    c.validate()?;
    Ok(c)
}

pub fn default_rubric() -> Result<Rubric, String> {
    let r: Rubric = toml::from_str(DEFAULT_RUBRIC).map_err(|e| format!("shipped rubric: {e}"))?;
    r.validate()?;
    Ok(r)
}
