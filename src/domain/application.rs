//! Applications (申报书) as plain data, and the panel roster.

use serde::{Deserialize, Serialize};

/// A unit of a consortium: the lead unit (牵头单位) or a joint unit (联合单位).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    pub name: String,
    /// Unified social credit code (统一社会信用代码); may be empty when unknown.
    #[serde(default)]
    pub credit_code: String,
    /// Small, medium or micro enterprise (中小微企业).
    #[serde(default)]
    pub sme: bool,
}

/// The text sections of an application form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sections {
    #[serde(default)]
    pub overview: String,
    #[serde(default)]
    pub technology: String,
    #[serde(default)]
    pub deployment: String,
    #[serde(default)]
    pub replication: String,
}

impl Sections {
    /// The sections in display order with their keys.
    pub fn iter(&self) -> [(&'static str, &str); 4] {
        [
            ("overview", &self.overview),
            ("technology", &self.technology),
            ("deployment", &self.deployment),
            ("replication", &self.replication),
        ]
    }
}

/// One application of the call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    /// 申报编号, unique within a bundle.
    pub id: String,
    pub title: String,
    /// Direction code in the bundle's catalog. `None` only while an import
    /// is being checked: a bundle never holds an application without one.
    pub direction: Option<u32>,
    /// What the source file said, when it did not resolve to a direction.
    #[serde(skip)]
    pub direction_written: Option<String>,
    pub lead_unit: Unit,
    pub joint_units: Vec<Unit>,
    /// 行业领域
    pub sector: String,
    /// 推荐单位: the recommending authority.
    pub authority: String,
    /// The authority's priority order (1 = first), when given.
    pub priority: Option<u32>,
    pub province: String,
    pub sections: Sections,
    /// Already selected in a national or joint departments' pilot.
    pub previously_selected: bool,
    /// Already received national special funds.
    pub national_funding: bool,
    /// Built and in operation (未建及在建项目不可申报).
    pub built: bool,
}

impl Application {
    /// Lead unit first, then the joint units.
    pub fn units(&self) -> impl Iterator<Item = &Unit> {
        std::iter::once(&self.lead_unit).chain(self.joint_units.iter())
    }
}

/// One member of the panel, as the chair lists them. The key fields are
/// filled once the expert has a signing key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterEntry {
    pub id: String,
    pub name: String,
    pub org: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sm2_id: Option<String>,
    /// Keys this expert signed with before (a lost key replaced): events
    /// of a working copy signed by one of them stay the expert's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous_keys: Vec<PreviousKey>,
}

/// A key an expert no longer signs with, as the roster lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviousKey {
    pub alg: String,
    pub public_key: String,
    pub key_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sm2_id: Option<String>,
}

/// Checks the roster's own shape: ids present and unique.
pub fn validate_roster(roster: &[RosterEntry]) -> Result<(), String> {
    validate_roster_in(roster, false)
}

/// [`validate_roster`], its message in Chinese when `zh`.
pub fn validate_roster_in(roster: &[RosterEntry], zh: bool) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for (i, e) in roster.iter().enumerate() {
        let n = i + 1;
        if !valid_expert_id(&e.id) {
            return Err(if zh {
                format!(
                    "第 {n} 条：编号 {:?} 须为 1-32 个字母、数字、'-' 或 '_'",
                    e.id
                )
            } else {
                format!(
                    "entry {n}: expert id {:?} must be 1-32 letters, digits, '-' or '_'",
                    e.id
                )
            });
        }
        if !seen.insert(e.id.as_str()) {
            return Err(if zh {
                format!("第 {n} 条：编号“{}”出现了两次", e.id)
            } else {
                format!("entry {n}: expert id '{}' appears twice", e.id)
            });
        }
        if e.name.trim().is_empty() {
            return Err(if zh {
                format!("第 {n} 条：{} 没有姓名", e.id)
            } else {
                format!("entry {n}: expert '{}' has no name", e.id)
            });
        }
    }
    Ok(())
}

/// Expert ids are short ASCII tokens so they can sit in file names and logs.
pub fn valid_expert_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 32
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
