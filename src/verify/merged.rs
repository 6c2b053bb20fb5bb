//! The chair's merged result: its signer, shape and consistency, and (with
//! a bundle) that it is for that bundle.

use std::collections::BTreeSet;

use super::roster::CHAIR_ROLE;
use super::{Context, Kind, PayloadRules, VerifyError};
use crate::crypto::envelope::Envelope;
use crate::crypto::short_id;
use crate::domain::RosterEntry;
use crate::domain::history::unhex32;
use crate::domain::text::inert_line;
use crate::formats::MERGED_FORMAT;
use crate::formats::merged::{AppFacts, MergedApp, MergedPayload, Method};

fn format_error(message: impl Into<String>) -> VerifyError {
    VerifyError::new(Kind::Format, message)
}

fn roster_error(message: impl Into<String>) -> VerifyError {
    VerifyError::new(Kind::Roster, message)
}

fn bundle_error(message: impl Into<String>) -> VerifyError {
    VerifyError::new(Kind::Bundle, message)
}

/// The chair's merged result: signed by exactly one key, which the roster
/// gives to an entry with role `chair`; the payload names that chair, is
/// well formed and internally consistent (its inputs are roster experts
/// with their roster keys, every scorer is an input, counts agree, the
/// method's published rules are this version's); with a bundle, its
/// applications are the bundle's. Recomputing the figures from the expert
/// files is `merge::recompute`'s job.
pub struct MergedRules;

/// The merged payload, read closed as the scores payload is: every object
/// an object (never an array of its values), every field present, no
/// unknown field, every value of its type (section 8 of docs/formats.md).
fn parse_merged(env: &Envelope) -> Result<MergedPayload, VerifyError> {
    super::read_payload(env)
}

/// A time of the merged payload, read strictly.
fn merged_time(t: &str, what: &str) -> Result<i64, VerifyError> {
    crate::domain::history::parse_time(t).ok_or_else(|| {
        format_error(format!(
            "payload {what} '{}' is not written YYYY-MM-DDTHH:MM:SS.mmmZ (UTC, milliseconds)",
            inert_line(t)
        ))
    })
}

impl PayloadRules for MergedRules {
    fn signer<'r>(
        &self,
        env: &Envelope,
        roster: &'r [RosterEntry],
    ) -> Result<&'r RosterEntry, VerifyError> {
        if env.signatures.len() != 1 {
            return Err(VerifyError::new(
                Kind::Signature,
                format!(
                    "a merged result carries exactly one signature, this one has {}",
                    env.signatures.len()
                ),
            ));
        }
        let kid = &env.signatures[0].keyid;
        let entry = roster
            .iter()
            .find(|e| e.key_id.as_deref() == Some(kid.as_str()))
            .ok_or_else(|| {
                roster_error(format!(
                    "signed by key {}, which is not in the roster",
                    inert_line(short_id(kid))
                ))
            })?;
        if entry.role.as_deref() != Some(CHAIR_ROLE) {
            return Err(roster_error(format!(
                "signed by {}'s key, but the roster does not give {} the role \"{CHAIR_ROLE}\"",
                entry.id, entry.id
            )));
        }
        Ok(entry)
    }

    fn check(
        &self,
        env: &Envelope,
        signer: &RosterEntry,
        ctx: &Context,
    ) -> Result<String, VerifyError> {
        let p = parse_merged(env)?;
        if p.format != MERGED_FORMAT {
            return Err(format_error(format!(
                "payload format '{}', expected '{MERGED_FORMAT}'",
                inert_line(&p.format)
            )));
        }
        merged_time(&p.created, "created")?;
        for (i, input) in p.inputs.iter().enumerate() {
            // Experts' clocks are their own: an input may say it was made
            // after the merge by the chair's clock. Only the form is checked.
            merged_time(&input.created, &format!("inputs[{i}].created"))?;
        }
        let Some(chair) = &p.chair else {
            return Err(format_error(
                "the payload names no chair, yet the file is signed",
            ));
        };
        if chair.id != signer.id || Some(chair.key_id.as_str()) != signer.key_id.as_deref() {
            return Err(roster_error(format!(
                "payload names chair {} with key {}, but {} signed",
                inert_line(&chair.id),
                inert_line(short_id(&chair.key_id)),
                signer.id
            )));
        }
        check_consistency(&p, ctx.roster)?;
        if let Some(b) = ctx.bundle {
            if p.bundle.digest != b.digest || p.bundle.id != b.id {
                return Err(bundle_error(format!(
                    "merged result is for bundle {} ({}), not for {}",
                    inert_line(short_id(&p.bundle.digest)),
                    inert_line(&p.bundle.id),
                    b.path
                )));
            }
            if p.rubric != b.rubric {
                return Err(bundle_error(format!(
                    "payload rubric differs from the rubric of {}",
                    b.path
                )));
            }
            if p.directions != b.directions {
                return Err(bundle_error(format!(
                    "payload directions differ from the catalog of {}",
                    b.path
                )));
            }
            let mine: Vec<AppFacts> = p.applications.iter().map(MergedApp::facts).collect();
            if mine.len() != b.apps.len() {
                return Err(bundle_error(format!(
                    "{} applications in the merged result, {} in {}",
                    mine.len(),
                    b.apps.len(),
                    b.path
                )));
            }
            let screened = b.findings();
            for a in &p.applications {
                let want = screened.get(&a.id).map(Vec::as_slice).unwrap_or(&[]);
                if a.findings != want {
                    return Err(bundle_error(crate::tr!(
                        format!(
                            "项目 {} 的资格审查结果与 {} 重新审查的结果不同（文件 {} 条，重新审查 {} 条）",
                            inert_line(&a.id),
                            b.path,
                            a.findings.len(),
                            want.len()
                        ),
                        format!(
                            "application {}: its eligibility findings differ from the screen of {} run again (file {}, screen {})",
                            inert_line(&a.id),
                            b.path,
                            a.findings.len(),
                            want.len()
                        )
                    )));
                }
            }
            if let Some((m, f)) = mine.iter().zip(&b.apps).find(|(m, f)| m != f) {
                return Err(bundle_error(format!(
                    "application {} differs from {} of {} (id, title, direction, lead unit, SME or authority)",
                    inert_line(&m.id),
                    inert_line(&f.id),
                    b.path
                )));
            }
        }
        Ok(crate::tr!(
            format!(
                "组长 {}（{}）签署的汇总结果  {} 位专家，{} 个项目，规则 {}",
                signer.id,
                inert_line(&signer.name),
                p.inputs.len(),
                p.applications.len(),
                p.method.rule.key()
            ),
            format!(
                "merged result by {} ({})  {} experts, {} applications, rule {}",
                signer.id,
                inert_line(&signer.name),
                p.inputs.len(),
                p.applications.len(),
                p.method.rule.key()
            )
        ))
    }
}

/// The checks of a merged payload that need neither the expert files nor
/// the bundle.
fn check_consistency(p: &MergedPayload, roster: &[RosterEntry]) -> Result<(), VerifyError> {
    let expected = Method::of(
        &p.method.params(),
        p.method.allow_partial,
        p.method.exclude_ineligible,
    );
    if p.method != expected {
        return Err(format_error(
            "the method's published rules are not this version's for its parameters",
        ));
    }
    p.rubric
        .to_rubric()
        .map_err(|m| format_error(format!("payload rubric: {m}")))?;
    let mut inputs = BTreeSet::new();
    for i in &p.inputs {
        if !inputs.insert(i.expert.as_str()) {
            return Err(format_error(format!(
                "expert {} is merged twice",
                inert_line(&i.expert)
            )));
        }
        let Some(e) = roster.iter().find(|e| e.id == i.expert) else {
            return Err(roster_error(format!(
                "input expert {} is not in the roster",
                inert_line(&i.expert)
            )));
        };
        if e.key_id.as_deref() != Some(i.key_id.as_str()) {
            return Err(roster_error(format!(
                "input of expert {} was signed with key {}, not the roster's",
                e.id,
                inert_line(short_id(&i.key_id))
            )));
        }
        if unhex32(&i.sha256).is_none() || unhex32(&i.head.hash).is_none() {
            return Err(format_error(format!(
                "input of expert {}: sha256 and head hash must be 64 lower-case hex digits",
                e.id
            )));
        }
    }
    let mut ids = BTreeSet::new();
    for a in &p.applications {
        let id = inert_line(&a.id);
        if !ids.insert(a.id.as_str()) {
            return Err(format_error(format!("application {id} appears twice")));
        }
        for e in a.scorers.iter().chain(&a.recused) {
            if !inputs.contains(e.as_str()) {
                return Err(format_error(format!(
                    "application {id}: expert {} is not one of the inputs",
                    inert_line(e)
                )));
            }
        }
        let marked: Vec<&str> = a.by_expert.iter().map(|m| m.expert.as_str()).collect();
        if marked != a.scorers.iter().map(String::as_str).collect::<Vec<_>>() {
            return Err(format_error(format!(
                "application {id}: the experts' marks are not those of its scorers"
            )));
        }
        let n = a.scorers.len() as u32;
        let counts_agree = a.total.as_ref().map_or(n == 0, |t| t.n == n)
            && a.criteria.values().all(|c| c.n == n)
            && u64::from(a.recommend_yes) + u64::from(a.recommend_no) <= u64::from(n);
        if !counts_agree {
            return Err(format_error(format!(
                "application {id}: counts disagree with its {n} scorer(s)"
            )));
        }
        let excluded = p.excluded.iter().any(|x| x.id == a.id);
        if excluded {
            if a.rank.is_some() || a.tie_break.is_some() || !a.ranks.is_empty() {
                return Err(format_error(crate::tr!(
                    format!("项目 {id}：已排除出排名，却仍有名次"),
                    format!("application {id}: excluded from the ranking, yet ranked")
                )));
            }
        } else if a.total.is_some() != a.rank.is_some() {
            return Err(format_error(format!(
                "application {id}: rank without a total, or a total without rank"
            )));
        }
    }
    check_missing(p, roster)?;
    check_excluded(p)?;
    check_opinions(p)?;
    Ok(())
}

/// The panel's opinions agree with the log they name: only with a log,
/// written by the signing chair with the signing key, each naming an event
/// of the log (each event at most once), a well-formed time, a text
/// neither empty nor over the limit.
fn check_opinions(p: &MergedPayload) -> Result<(), VerifyError> {
    let Some(r) = &p.opinions else {
        if let Some(a) = p.applications.iter().find(|a| a.opinion.is_some()) {
            return Err(format_error(crate::tr!(
                format!(
                    "项目 {}：有专家组意见，但结果未注明意见记录（opinions 为 null）",
                    inert_line(&a.id)
                ),
                format!(
                    "application {}: an opinion, but the result names no opinion log (opinions is null)",
                    inert_line(&a.id)
                )
            )));
        }
        return Ok(());
    };
    if unhex32(&r.head).is_none() {
        return Err(format_error(crate::tr!(
            "opinions.head 必须是 64 位小写十六进制".to_string(),
            "opinions.head must be 64 lower-case hex digits".to_string()
        )));
    }
    if let Some(c) = &p.chair
        && c.id != r.chair
    {
        return Err(format_error(crate::tr!(
            format!("专家组意见由 {} 写下，不是签署的组长", inert_line(&r.chair)),
            format!(
                "the opinions were written by {}, not by the signing chair",
                inert_line(&r.chair)
            )
        )));
    }
    let mut seqs = BTreeSet::new();
    for a in &p.applications {
        let Some(o) = &a.opinion else { continue };
        let id = inert_line(&a.id);
        let bad = |what: String| {
            format_error(crate::tr!(
                format!("项目 {id} 的专家组意见：{what}"),
                format!("application {id}'s opinion: {what}")
            ))
        };
        if o.seq == 0 || o.seq > r.events || !seqs.insert(o.seq) {
            return Err(bad(crate::tr!(
                format!(
                    "seq {} 不是意见记录（共 {} 条）中唯一的一条",
                    o.seq, r.events
                ),
                format!("seq {} is not one event of the log's {}", o.seq, r.events)
            )));
        }
        merged_time(&o.time, &format!("applications[{id}].opinion.time"))?;
        if o.text.is_empty() {
            return Err(bad(crate::tr!("内容为空".into(), "empty text".into())));
        }
        if let Some(n) = crate::domain::opinion::too_long(&o.text) {
            return Err(bad(crate::tr!(
                format!("{n} 个字符，超过上限"),
                format!("{n} characters, over the limit")
            )));
        }
    }
    Ok(())
}

/// The rule keys an eligibility finding may name.
const FINDING_RULES: [&str; 10] = [
    "consortium",
    "unit-limit",
    "direction",
    "previously-selected",
    "national-funding",
    "not-built",
    "multi-route",
    "authority-limit",
    "high-end-limit",
    "credit-code",
];

/// `missing` is exactly the roster's experts (not the chair) without an
/// input, in roster order, each with a reason its `left_out` bears out.
fn check_missing(p: &MergedPayload, roster: &[RosterEntry]) -> Result<(), VerifyError> {
    let want: Vec<&str> = roster
        .iter()
        .filter(|e| e.role.as_deref() != Some(CHAIR_ROLE))
        .filter(|e| !p.inputs.iter().any(|i| i.expert == e.id))
        .map(|e| e.id.as_str())
        .collect();
    let got: Vec<&str> = p.missing.iter().map(|m| m.expert.as_str()).collect();
    if got != want {
        return Err(roster_error(crate::tr!(
            format!(
                "缺席专家名单为 [{}]，而名单中未参与汇总的专家为 [{}]",
                inert_line(&got.join(", ")),
                want.join(", ")
            ),
            format!(
                "missing lists [{}], but the roster experts without a merged file are [{}]",
                inert_line(&got.join(", ")),
                want.join(", ")
            )
        )));
    }
    for m in &p.missing {
        let named = p
            .left_out
            .iter()
            .any(|l| l.expert.as_deref() == Some(m.expert.as_str()));
        let ok = match m.reason.as_str() {
            "left-out" => named,
            "no-file" | "no-key" => !named,
            _ => false,
        };
        if !ok {
            return Err(format_error(crate::tr!(
                format!(
                    "缺席专家 {} 的原因 '{}' 与未采用的文件不符",
                    m.expert,
                    inert_line(&m.reason)
                ),
                format!(
                    "missing expert {}: reason '{}' does not agree with the files left out",
                    m.expert,
                    inert_line(&m.reason)
                )
            )));
        }
    }
    Ok(())
}

/// Findings name known rules; `excluded` is exactly the applications with
/// findings when the method excludes them (none otherwise), in order.
fn check_excluded(p: &MergedPayload) -> Result<(), VerifyError> {
    for a in &p.applications {
        if let Some(f) = a
            .findings
            .iter()
            .find(|f| !FINDING_RULES.contains(&f.rule.as_str()))
        {
            return Err(format_error(crate::tr!(
                format!(
                    "项目 {}：资格审查规则 '{}' 不是本版本的规则",
                    inert_line(&a.id),
                    inert_line(&f.rule)
                ),
                format!(
                    "application {}: eligibility rule '{}' is not one of this version's",
                    inert_line(&a.id),
                    inert_line(&f.rule)
                )
            )));
        }
    }
    let findings: std::collections::BTreeMap<String, Vec<crate::formats::merged::AppFinding>> = p
        .applications
        .iter()
        .map(|a| (a.id.clone(), a.findings.clone()))
        .collect();
    let want = crate::formats::merged::excluded_apps(
        p.applications.iter().map(|a| a.id.as_str()),
        &findings,
        p.method.exclude_ineligible,
    );
    if p.excluded != want {
        return Err(format_error(crate::tr!(
            "排除出排名的项目与有资格审查问题的项目不符（或方法未要求排除）",
            "excluded is not the applications with eligibility findings (or the method does not exclude them)"
        )));
    }
    Ok(())
}
