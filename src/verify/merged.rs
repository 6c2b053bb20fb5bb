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
    let expected = Method::of(&p.method.params(), p.method.allow_partial);
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
        if a.total.is_some() != a.rank.is_some() {
            return Err(format_error(format!(
                "application {id}: rank without a total, or a total without rank"
            )));
        }
    }
    Ok(())
}
