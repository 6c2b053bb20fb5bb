//! The combined result's payload (format `panelist.combined.v1`,
//! payloadType [`COMBINED_TYPE`](crate::crypto::envelope::COMBINED_TYPE)):
//! what the ministry signs over every panel's merged result of one call —
//! the national ranking per direction, the rules checked across panels and
//! the proposed list. Specified in `docs/formats.md` section 13. Every
//! object is closed; every figure is a decimal string with 4 places.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::merged::DirectionRef;
use super::{BundleRef, ExpertRef};
use crate::domain::aggregate::RankRule;
use crate::domain::national::{self, Basis, Status};
use crate::domain::rules::Rule;
use crate::domain::text::inert_line;
use crate::domain::{Application, Catalog, Sections, Unit};

/// How the call was ranked and the list drawn, with the published rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CombinedMethod {
    /// The statistic of the panels' totals that ranks (`trimmed`, `mean`,
    /// `median`).
    pub rule: RankRule,
    pub sme_tiebreak: bool,
    /// The value the proposed list is drawn by.
    pub basis: Basis,
    pub rank_shift: u32,
    /// `none`, `quota` or `threshold`.
    pub selection: String,
    /// Places per direction code (`quota`), else empty.
    pub quota: BTreeMap<String, u32>,
    /// The basis value at least which is selected (`threshold`), else null.
    pub threshold: Option<String>,
    pub places: u32,
    pub ranking: String,
    pub zscore: String,
    pub percentile: String,
    pub robust: String,
    pub selection_rule: String,
}

impl CombinedMethod {
    /// The method's published texts for its parameters.
    pub fn with_rules(mut self) -> CombinedMethod {
        self.places = national::PLACES;
        self.ranking = national::NATIONAL_RANKING_RULE.into();
        self.zscore = national::NATIONAL_ZSCORE_RULE.into();
        self.percentile = national::NATIONAL_PERCENTILE_RULE.into();
        self.robust = national::NATIONAL_ROBUST_RULE.into();
        self.selection_rule = national::NATIONAL_SELECTION_RULE.into();
        self
    }

    /// The ranking parameters, `Err` naming what is malformed.
    pub fn params(&self) -> Result<national::Params, String> {
        let selection = match self.selection.as_str() {
            "none" if self.quota.is_empty() && self.threshold.is_none() => {
                national::Selection::None
            }
            "quota" if self.threshold.is_none() => {
                let mut q = BTreeMap::new();
                for (k, v) in &self.quota {
                    let code: u32 = k
                        .parse()
                        .ok()
                        .filter(|c: &u32| c.to_string() == *k)
                        .ok_or_else(|| format!("quota key '{k}' is not a direction code"))?;
                    q.insert(code, *v);
                }
                national::Selection::Quota(q)
            }
            "threshold" if self.quota.is_empty() => {
                let t = self.threshold.as_deref().unwrap_or("");
                national::Selection::Threshold(
                    national::parse_fixed(t)
                        .ok_or_else(|| format!("threshold '{t}' is not a figure"))?,
                )
            }
            other => return Err(format!("selection '{other}' with its fields is not known")),
        };
        Ok(national::Params {
            sme_tiebreak: self.sme_tiebreak,
            basis: self.basis,
            rank_shift: self.rank_shift,
            selection,
        })
    }
}

/// The call's limits the rules across panels applied (its catalog's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallLimits {
    /// The call's notice, which every finding's source names.
    pub notice: String,
    pub max_per_authority: u32,
    pub max_high_end_per_authority: u32,
    /// The "高精尖" direction, when the call has one.
    pub high_end_direction: Option<u32>,
}

impl CallLimits {
    pub fn of(c: &Catalog) -> CallLimits {
        CallLimits {
            notice: c.notice.clone(),
            max_per_authority: c.max_per_authority,
            max_high_end_per_authority: c.max_high_end_per_authority,
            high_end_direction: c.high_end_direction,
        }
    }
}

/// One panel's merged result, as combined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PanelRef {
    /// The file's name as given (no directory).
    pub file: String,
    /// Hex SHA-256 of the file's bytes.
    pub sha256: String,
    pub bundle: BundleRef,
    pub chair: ExpertRef,
    /// When the chair merged it.
    pub merged: String,
    /// The panel's own ranking rule.
    pub panel_rule: RankRule,
    /// Experts merged.
    pub experts: u32,
    pub applications: u32,
}

/// A file given and left out, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetAside {
    pub file: String,
    pub sha256: String,
    /// `not-preferred`: another version of the panel's result was preferred.
    pub reason: String,
    pub detail: String,
}

/// One application of one panel in the national ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CombinedEntry {
    /// Index into `panels`.
    pub panel: u32,
    pub id: String,
    pub title: String,
    pub direction: u32,
    pub lead_unit: String,
    pub sme: bool,
    pub authority: String,
    /// Scorers in the panel.
    pub scorers: u32,
    /// The panel's statistic of the totals under the rule; null unscored.
    pub score: Option<String>,
    /// The panel's innovation statistic under the rule (the tie-break).
    pub innovation: Option<String>,
    /// Per panel z-score of `score`.
    pub z: Option<String>,
    /// Per panel percentile of `score`.
    pub percentile: Option<String>,
    /// National rank in the direction under `raw`, `zscore`,
    /// `percentile`; empty when unranked.
    pub ranks: BTreeMap<String, u32>,
    pub robust: bool,
    pub status: Status,
    /// Rule keys of the panel's own eligibility findings.
    pub panel_findings: Vec<String>,
    /// Indices into `findings` of the call-wide findings naming it.
    pub findings: Vec<u32>,
    /// The panel's opinion (专家组意见) as its signed result carries it;
    /// null when the panel wrote none. Untrusted text, shown inert.
    pub opinion: Option<String>,
}

/// An application of a panel, as findings and the list name it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppAt {
    pub panel: u32,
    pub id: String,
}

/// A rule broken across the call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallFinding {
    /// `same-application`, `multi-route`, `unit-limit`, `authority-limit`
    /// or `high-end-limit`.
    pub rule: String,
    pub source: String,
    /// The panels involved, in order.
    pub panels: Vec<u32>,
    pub apps: Vec<AppAt>,
    pub detail_zh: String,
    pub detail_en: String,
}

/// A tie at a direction's cut line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CutTie {
    pub direction: u32,
    pub rank: u32,
    pub places_left: u32,
    pub apps: Vec<AppAt>,
}

/// The ministry's combined, ranked result of a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CombinedPayload {
    pub format: String,
    pub tool_version: String,
    pub created: String,
    pub call: String,
    /// The signer; null in an unsigned draft.
    pub ministry: Option<ExpertRef>,
    pub method: CombinedMethod,
    /// The call catalog's limits.
    pub limits: CallLimits,
    /// The merged results combined, in the order given.
    pub panels: Vec<PanelRef>,
    pub set_aside: Vec<SetAside>,
    /// Every direction with applications, code order.
    pub directions: Vec<DirectionRef>,
    /// Every panel's applications: panel order, then the panel's order.
    pub entries: Vec<CombinedEntry>,
    /// The rules broken across panels.
    pub findings: Vec<CallFinding>,
    /// Ties at the cut line, direction order.
    pub ties: Vec<CutTie>,
    /// The proposed list: selected applications, direction order, then id.
    pub list: Vec<AppAt>,
}

impl CombinedPayload {
    pub fn direction_name(
        &self,
        code: u32,
        lang: crate::support::lang::Lang,
        short: bool,
    ) -> String {
        match self.directions.iter().find(|d| d.code == code) {
            Some(d) if short => lang.pick(&d.short_zh, &d.short_en).to_string(),
            Some(d) => lang.pick(&d.name_zh, &d.name_en).to_string(),
            None => code.to_string(),
        }
    }

    /// The entry an `AppAt` names.
    pub fn entry(&self, at: &AppAt) -> Option<&CombinedEntry> {
        self.entries
            .iter()
            .find(|e| e.panel == at.panel && e.id == at.id)
    }

    /// A panel's name (its bundle's panel).
    pub fn panel_name(&self, i: u32) -> &str {
        self.panels
            .get(i as usize)
            .map_or("?", |p| p.bundle.panel.as_str())
    }

    /// A direction's entries in national rank order under `basis`
    /// (unranked last, then by panel and id).
    pub fn ranked(&self, direction: u32, basis: Basis) -> Vec<&CombinedEntry> {
        let mut v: Vec<&CombinedEntry> = self
            .entries
            .iter()
            .filter(|e| e.direction == direction)
            .collect();
        v.sort_by(|a, b| {
            let r = |e: &CombinedEntry| e.ranks.get(basis.key()).copied().unwrap_or(u32::MAX);
            r(a).cmp(&r(b))
                .then(a.panel.cmp(&b.panel))
                .then(a.id.cmp(&b.id))
        });
        v
    }
}

/// The rules checked across panels, besides `same-application`.
const CALL_RULES: [Rule; 4] = [
    Rule::MultiRoute,
    Rule::UnitLimit,
    Rule::AuthorityLimit,
    Rule::HighEndLimit,
];

/// The ranking's inputs of the entries; `Err` names a figure that is not
/// one.
pub fn national_entries(entries: &[CombinedEntry]) -> Result<Vec<national::Entry>, String> {
    let fig = |e: &CombinedEntry, v: &Option<String>, what: &str| -> Result<Option<i64>, String> {
        v.as_deref()
            .map(|s| {
                national::parse_fixed(s).ok_or_else(|| {
                    format!(
                        "application {} {what} '{}' is not a figure with 4 places",
                        inert_line(&e.id),
                        inert_line(s)
                    )
                })
            })
            .transpose()
    };
    entries
        .iter()
        .map(|e| {
            Ok(national::Entry {
                panel: e.panel as usize,
                direction: e.direction,
                score: fig(e, &e.score, "score")?,
                innovation: fig(e, &e.innovation, "innovation")?,
                sme: e.sme,
            })
        })
        .collect()
}

/// Fills in the figures, ranks and statuses of `entries`; the ties and
/// the proposed list.
pub fn apply_ranking(
    entries: &mut [CombinedEntry],
    params: &national::Params,
) -> Result<(Vec<CutTie>, Vec<AppAt>), String> {
    let input = national_entries(entries)?;
    let o = national::rank(&input, params);
    for (i, e) in entries.iter_mut().enumerate() {
        e.z = o.z[i].map(national::fixed);
        e.percentile = o.percentile[i].map(national::fixed);
        e.ranks = o.ranks[i]
            .map(|r| {
                Basis::ALL
                    .iter()
                    .zip(r)
                    .map(|(b, r)| (b.key().to_string(), r))
                    .collect()
            })
            .unwrap_or_default();
        e.robust = o.robust[i];
        e.status = o.status[i];
    }
    let at = |i: usize| AppAt {
        panel: entries[i].panel,
        id: entries[i].id.clone(),
    };
    let ties = o
        .ties
        .iter()
        .map(|t| CutTie {
            direction: t.direction,
            rank: t.rank,
            places_left: t.places_left,
            apps: t.members.iter().map(|&i| at(i)).collect(),
        })
        .collect();
    let mut list: Vec<(u32, AppAt)> = (0..entries.len())
        .filter(|&i| entries[i].status == national::Status::Selected)
        .map(|i| (entries[i].direction, at(i)))
        .collect();
    list.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(&b.1.id)).then(a.1.cmp(&b.1)));
    Ok((ties, list.into_iter().map(|(_, a)| a).collect()))
}

/// The rules of the notice checked across the call's panels: the same
/// application id in two panels, and the notice's rules whose findings
/// name applications of more than one panel. Lead units only: the merged
/// result does not carry the joint units.
pub fn call_findings(
    catalog: &Catalog,
    entries: &mut [CombinedEntry],
    panel_names: &[String],
) -> Vec<CallFinding> {
    let mut out: Vec<CallFinding> = Vec::new();
    let section = |rule: &str, default: &str| {
        format!(
            "{} {}",
            catalog.notice,
            catalog.sources.get(rule).map_or(default, String::as_str)
        )
    };
    let names = |panels: &[u32]| {
        panels
            .iter()
            .map(|&p| panel_names.get(p as usize).map_or("?", String::as_str))
            .map(inert_line)
            .collect::<Vec<_>>()
    };
    // The same id in several panels.
    let mut by_id: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        by_id.entry(e.id.as_str()).or_default().push(i);
    }
    for (id, idx) in &by_id {
        let panels: BTreeSet<u32> = idx.iter().map(|&i| entries[i].panel).collect();
        if panels.len() < 2 {
            continue;
        }
        let panels: Vec<u32> = panels.into_iter().collect();
        let shown = names(&panels);
        out.push(CallFinding {
            rule: "same-application".into(),
            source: section("multi-route", "二（四）"),
            panels: panels.clone(),
            apps: idx
                .iter()
                .map(|&i| AppAt {
                    panel: entries[i].panel,
                    id: entries[i].id.clone(),
                })
                .collect(),
            detail_zh: format!(
                "项目 {} 同时出现在 {} 个评审组：{}",
                inert_line(id),
                panels.len(),
                shown.join("、")
            ),
            detail_en: format!(
                "application {} is in {} panels: {}",
                inert_line(id),
                panels.len(),
                shown.join(", ")
            ),
        });
    }
    // The notice's rules over every panel's applications, keyed apart.
    let key = |i: usize| format!("{}\u{1f}{i:06}", entries[i].id);
    let apps: Vec<Application> = (0..entries.len())
        .map(|i| as_application(&entries[i], key(i)))
        .collect();
    let back: HashMap<String, usize> = (0..entries.len()).map(|i| (key(i), i)).collect();
    for f in crate::domain::rules::check(catalog, &apps) {
        if !CALL_RULES.contains(&f.rule) {
            continue;
        }
        let idx: Vec<usize> = f.apps.iter().filter_map(|k| back.get(k).copied()).collect();
        let panels: BTreeSet<u32> = idx.iter().map(|&i| entries[i].panel).collect();
        if panels.len() < 2 {
            continue; // the panel's own screen found it
        }
        let panels: Vec<u32> = panels.into_iter().collect();
        let shown = names(&panels);
        out.push(CallFinding {
            rule: f.rule.key().into(),
            source: f.source.clone(),
            panels,
            apps: idx
                .iter()
                .map(|&i| AppAt {
                    panel: entries[i].panel,
                    id: entries[i].id.clone(),
                })
                .collect(),
            detail_zh: format!("{}（评审组：{}）", f.message_zh, shown.join("、")),
            detail_en: format!("{} (panels: {})", f.message_en, shown.join(", ")),
        });
    }
    for (n, f) in out.iter().enumerate() {
        for a in &f.apps {
            if let Some(e) = entries
                .iter_mut()
                .find(|e| e.panel == a.panel && e.id == a.id)
                && !e.findings.contains(&(n as u32))
            {
                e.findings.push(n as u32);
            }
        }
    }
    out
}

/// An entry as the eligibility rules read an application: what the merged
/// result carries (no joint units, no credit codes, no priorities).
fn as_application(e: &CombinedEntry, id: String) -> Application {
    Application {
        id,
        title: e.title.clone(),
        direction: Some(e.direction),
        direction_written: None,
        lead_unit: Unit {
            name: e.lead_unit.clone(),
            credit_code: String::new(),
            sme: e.sme,
        },
        joint_units: Vec::new(),
        sector: String::new(),
        authority: e.authority.clone(),
        priority: None,
        province: String::new(),
        sections: Sections {
            overview: String::new(),
            technology: String::new(),
            deployment: String::new(),
            replication: String::new(),
        },
        previously_selected: false,
        national_funding: false,
        built: true,
    }
}
