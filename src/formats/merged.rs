//! The merged result's payload (format `panelist.merged.v4`, payloadType
//! [`MERGED_TYPE`](crate::crypto::envelope::MERGED_TYPE)): what the chair
//! signs and MIIT and auditors read. Specified in `docs/formats.md`
//! section 8. Every object is closed (unknown fields are refused) and the
//! payload is JCS-safe: integers below 2^53, every figure a decimal string.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{BundleRef, ExpertRef, HeadRef, RubricRef};
use crate::domain::aggregate::{
    self, AGREEMENT_RULE, Agreement, AppResult as AggApp, ExpertStats, FLAGS_RULE, Flags, PLACES,
    Params, RANKING_RULE, ROUNDING_RULE, RankRule, Stats, ZSCORE_RULE,
};
use crate::domain::opinion::FinalOpinion;
use crate::domain::{Application, Catalog};

/// The aggregation rule, its parameters and the published formulas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Method {
    /// `trimmed`, `mean` or `median`: the statistic that ranks.
    pub rule: RankRule,
    pub trim_min_n: u32,
    pub quorum: u32,
    pub disagreement_pct: u32,
    pub outlier_pct: u32,
    pub rank_shift: u32,
    pub z_min_scores: u32,
    pub sme_tiebreak: bool,
    /// Whether partial exports were admitted (their drafts never count).
    pub allow_partial: bool,
    /// Whether applications with eligibility findings were left out of
    /// the ranking (`excluded` lists them).
    pub exclude_ineligible: bool,
    /// Decimal places of every figure.
    pub places: u32,
    pub rounding: String,
    pub ranking: String,
    pub tie_break: String,
    pub flags: String,
    pub zscore: String,
    pub agreement: String,
}

impl Method {
    pub fn of(p: &Params, allow_partial: bool, exclude_ineligible: bool) -> Method {
        Method {
            rule: p.rule,
            trim_min_n: p.trim_min_n,
            quorum: p.quorum,
            disagreement_pct: p.disagreement_pct,
            outlier_pct: p.outlier_pct,
            rank_shift: p.rank_shift,
            z_min_scores: p.z_min_scores,
            sme_tiebreak: p.sme_tiebreak,
            allow_partial,
            exclude_ineligible,
            places: PLACES,
            rounding: ROUNDING_RULE.into(),
            ranking: RANKING_RULE.into(),
            tie_break: aggregate::tie_break_rule(p),
            flags: FLAGS_RULE.into(),
            zscore: ZSCORE_RULE.into(),
            agreement: AGREEMENT_RULE.into(),
        }
    }

    pub fn params(&self) -> Params {
        Params {
            rule: self.rule,
            trim_min_n: self.trim_min_n,
            quorum: self.quorum,
            disagreement_pct: self.disagreement_pct,
            outlier_pct: self.outlier_pct,
            rank_shift: self.rank_shift,
            z_min_scores: self.z_min_scores,
            sme_tiebreak: self.sme_tiebreak,
        }
    }
}

/// One expert file the result is computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputRef {
    /// The file's name as given to the merge (no directory).
    pub file: String,
    /// Hex SHA-256 of the file's bytes.
    pub sha256: String,
    pub expert: String,
    pub name: String,
    pub key_id: String,
    pub head: HeadRef,
    pub created: String,
    pub partial: bool,
}

/// A file given to the merge and left out, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeftOut {
    pub file: String,
    pub sha256: String,
    /// The expert the file names, when it could be read.
    pub expert: Option<String>,
    /// `invalid`, `partial`, `superseded` or `duplicate`.
    pub reason: String,
    pub detail: String,
}

/// Descriptive statistics as published: figures as decimal strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figures {
    pub n: u32,
    pub mean: String,
    pub median: String,
    pub trimmed: String,
    pub trimmed_applied: bool,
    pub std: String,
    pub min: i64,
    pub max: i64,
}

impl Figures {
    pub fn of(s: &Stats) -> Figures {
        Figures {
            n: s.n,
            mean: s.mean.clone(),
            median: s.median.clone(),
            trimmed: s.trimmed.clone(),
            trimmed_applied: s.trimmed_applied,
            std: s.std.clone(),
            min: s.min,
            max: s.max,
        }
    }

    /// The statistic a rule ranks by.
    pub fn pick(&self, rule: RankRule) -> &str {
        match rule {
            RankRule::Trimmed => &self.trimmed,
            RankRule::Mean => &self.mean,
            RankRule::Median => &self.median,
        }
    }
}

/// A direction of the call, as the bundle's catalog names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectionRef {
    pub code: u32,
    pub name_zh: String,
    pub name_en: String,
    pub short_zh: String,
    pub short_en: String,
}

impl DirectionRef {
    /// The catalog's directions that have applications, in code order.
    pub fn of(catalog: &Catalog, facts: &[AppFacts]) -> Vec<DirectionRef> {
        let used: BTreeSet<u32> = facts.iter().map(|f| f.direction).collect();
        let mut v: Vec<DirectionRef> = catalog
            .directions
            .iter()
            .filter(|d| used.contains(&d.code))
            .map(|d| DirectionRef {
                code: d.code,
                name_zh: d.name_zh.clone(),
                name_en: d.name_en.clone(),
                short_zh: d.short_zh.clone(),
                short_en: d.short_en.clone(),
            })
            .collect();
        v.sort_by_key(|d| d.code);
        v
    }
}

/// One scorer's complete entry for an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpertMark {
    pub expert: String,
    /// Criterion key → score.
    pub scores: BTreeMap<String, i64>,
    /// Σ score × weight.
    pub total: i64,
    pub recommend: bool,
    /// The expert's comment (评审意见) as the export states it: untrusted
    /// text, shown inert.
    pub comment: String,
}

/// One finding of the bundle's eligibility screen (`bundle check`) on an
/// application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppFinding {
    /// The rule's key (`unit-limit`, `credit-code`, …).
    pub rule: String,
    /// The notice and section the rule comes from.
    pub source: String,
    pub detail_zh: String,
    pub detail_en: String,
}

/// Every application's eligibility findings, by application id (rule
/// order, as the screen gives them); applications without any are absent.
pub fn app_findings(catalog: &Catalog, apps: &[Application]) -> BTreeMap<String, Vec<AppFinding>> {
    let mut out: BTreeMap<String, Vec<AppFinding>> = BTreeMap::new();
    for f in crate::domain::rules::check(catalog, apps) {
        for id in &f.apps {
            out.entry(id.clone()).or_default().push(AppFinding {
                rule: f.rule.key().to_string(),
                source: f.source.clone(),
                detail_zh: f.message_zh.clone(),
                detail_en: f.message_en.clone(),
            });
        }
    }
    out
}

/// The applications of `ids` (in that order) left out of the ranking:
/// those with findings, when `exclude`; none otherwise.
pub fn excluded_apps<'a>(
    ids: impl IntoIterator<Item = &'a str>,
    findings: &BTreeMap<String, Vec<AppFinding>>,
    exclude: bool,
) -> Vec<Excluded> {
    if !exclude {
        return Vec::new();
    }
    ids.into_iter()
        .filter_map(|id| {
            let found = findings.get(id).filter(|v| !v.is_empty())?;
            let mut rules: Vec<String> = Vec::new();
            for x in found {
                if !rules.contains(&x.rule) {
                    rules.push(x.rule.clone());
                }
            }
            Some(Excluded {
                id: id.to_string(),
                rules,
            })
        })
        .collect()
}

/// A roster expert (not the chair) whose file is not merged, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Missing {
    pub expert: String,
    pub name: String,
    /// `no-key` (the roster gives no key), `no-file` (no file of the
    /// expert was given) or `left-out` (every file given was left out;
    /// `left_out` says why).
    pub reason: String,
    pub detail: String,
}

/// An application left out of the ranking for its eligibility findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Excluded {
    pub id: String,
    /// The keys of its findings' rules, once each, in order.
    pub rules: Vec<String>,
}

/// One application's merged result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergedApp {
    pub id: String,
    pub title: String,
    pub direction: u32,
    pub lead_unit: String,
    /// Lead unit is a small, medium or micro enterprise (the tie-break).
    pub sme: bool,
    pub authority: String,
    /// Experts whose complete score counts, in id order.
    pub scorers: Vec<String>,
    /// Experts who recused (回避), in id order.
    pub recused: Vec<String>,
    /// Each scorer's scores, total and recommendation, in id order.
    pub by_expert: Vec<ExpertMark>,
    /// Per criterion key.
    pub criteria: BTreeMap<String, Figures>,
    /// Of the weighted totals; null without any complete score.
    pub total: Option<Figures>,
    pub recommend_yes: u32,
    pub recommend_no: u32,
    pub flags: Flags,
    /// Rank in the direction under the rule; null when unscored.
    pub rank: Option<u32>,
    /// How a tie on the rule's statistic was settled, when there was one.
    pub tie_break: Option<String>,
    /// Rank under `mean`, `trimmed`, `median` and (when given) `zscore`.
    pub ranks: BTreeMap<String, u32>,
    /// The bundle's eligibility findings on this application.
    pub findings: Vec<AppFinding>,
    /// The panel's opinion (专家组意见) as the chair's opinion log ends;
    /// null when the chair wrote none. Untrusted text, shown inert.
    pub opinion: Option<FinalOpinion>,
}

/// Facts of the bundle an application result needs to show and rank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppFacts {
    pub id: String,
    pub title: String,
    pub direction: u32,
    pub lead_unit: String,
    pub sme: bool,
    pub authority: String,
}

/// The bundle facts of every application, in bundle order.
pub fn app_facts(apps: &[Application]) -> Vec<AppFacts> {
    apps.iter()
        .map(|a| AppFacts {
            id: a.id.clone(),
            title: a.title.clone(),
            direction: a.direction.unwrap_or(0),
            lead_unit: a.lead_unit.name.clone(),
            sme: a.lead_unit.sme,
            authority: a.authority.clone(),
        })
        .collect()
}

impl MergedApp {
    pub fn of(
        r: &AggApp,
        f: &AppFacts,
        by_expert: Vec<ExpertMark>,
        findings: Vec<AppFinding>,
    ) -> MergedApp {
        let mut scorers = r.scorers.clone();
        scorers.sort();
        let mut recused = r.recused.clone();
        recused.sort();
        MergedApp {
            id: r.id.clone(),
            title: f.title.clone(),
            direction: r.direction,
            lead_unit: f.lead_unit.clone(),
            sme: f.sme,
            authority: f.authority.clone(),
            scorers,
            recused,
            by_expert,
            criteria: r
                .criteria
                .iter()
                .map(|(k, s)| (k.clone(), Figures::of(s)))
                .collect(),
            total: r.total.as_ref().map(Figures::of),
            recommend_yes: r.recommend_yes,
            recommend_no: r.recommend_no,
            flags: r.flags.clone(),
            rank: r.rank,
            tie_break: r.tie_break.clone(),
            ranks: r.ranks.clone(),
            findings,
            opinion: None,
        }
    }

    pub fn facts(&self) -> AppFacts {
        AppFacts {
            id: self.id.clone(),
            title: self.title.clone(),
            direction: self.direction,
            lead_unit: self.lead_unit.clone(),
            sme: self.sme,
            authority: self.authority.clone(),
        }
    }

    /// Whether any flag is raised.
    pub fn flagged(&self) -> bool {
        let f = &self.flags;
        f.below_quorum
            || f.high_disagreement
            || f.all_recused
            || f.rank_unstable
            || !f.outliers.is_empty()
    }
}

/// The chair's merged, ranked result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergedPayload {
    pub format: String,
    pub tool_version: String,
    /// RFC 3339 UTC time of the merge.
    pub created: String,
    pub bundle: BundleRef,
    /// The signing chair; null in an unsigned file (a draft, which
    /// `panelist verify` refuses).
    pub chair: Option<ExpertRef>,
    pub rubric: RubricRef,
    /// The directions of the call that have applications, code order.
    pub directions: Vec<DirectionRef>,
    pub method: Method,
    /// The expert files merged, in expert id order.
    pub inputs: Vec<InputRef>,
    /// Files given but not merged, in the order given.
    pub left_out: Vec<LeftOut>,
    /// Roster experts (not the chair) with no merged file, in roster order.
    pub missing: Vec<Missing>,
    /// Applications left out of the ranking (`method.exclude_ineligible`),
    /// in bundle order.
    pub excluded: Vec<Excluded>,
    /// Every application of the bundle, in bundle order.
    pub applications: Vec<MergedApp>,
    /// Per expert, in input order.
    pub experts: Vec<ExpertStats>,
    /// Per direction and criterion.
    pub agreement: Vec<Agreement>,
    /// The chair's opinion log the applications' opinions come from; null
    /// when none was given.
    pub opinions: Option<OpinionsRef>,
}

/// The chair's opinion log a merged result takes its opinions from: whose
/// it is and where it ended, so the log can be matched to the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpinionsRef {
    /// The chair who wrote them (roster id).
    pub chair: String,
    /// The key id the chair's events are signed with.
    pub key_id: String,
    /// Events in the log.
    pub events: u64,
    /// Lower-case hex hash of its last event (its genesis when empty).
    pub head: String,
}

impl MergedPayload {
    /// A direction's name in `lang`, else its code.
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

    /// The codes of the directions that have applications, in order.
    pub fn direction_codes(&self) -> Vec<u32> {
        let mut d: Vec<u32> = self.applications.iter().map(|a| a.direction).collect();
        d.sort_unstable();
        d.dedup();
        d
    }

    /// A direction's applications in rank order (unranked last, then by id).
    pub fn ranked(&self, direction: u32) -> Vec<&MergedApp> {
        let mut v: Vec<&MergedApp> = self
            .applications
            .iter()
            .filter(|a| a.direction == direction)
            .collect();
        v.sort_by(|a, b| {
            a.rank
                .unwrap_or(u32::MAX)
                .cmp(&b.rank.unwrap_or(u32::MAX))
                .then(a.id.cmp(&b.id))
        });
        v
    }
}
