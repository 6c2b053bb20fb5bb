//! Verifying signed files against the panel roster (and optionally the
//! bundle): the chair's check on every expert's file, the auditor's later.
//!
//! The flow is the same for every payload type: parse the envelope
//! strictly, let the type's [`PayloadRules`] name the roster entry that must
//! have signed, check that signature with the roster's key (algorithm, key
//! and SM2 ID come from the roster, never from the file), then run the
//! type's content checks. Scores get the full replay; the chair's merged
//! result must be signed by a roster entry with role `chair` and pass the
//! shape and consistency checks of [`MergedRules`] (recomputing its
//! figures from the expert files is `merge::recompute`).

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Result, anyhow};

use super::{Counts, PAYLOAD_FORMAT, RubricRef, ScoresPayload, results};
use crate::crypto::envelope::{Envelope, EnvelopeError, MERGED_TYPE, SCORES_TYPE};
use crate::crypto::short_id;
use crate::crypto::sign::VerifyKey;
use crate::domain::RosterEntry;
use crate::domain::history::{self, unhex32};
use crate::domain::text::inert_line;
use crate::merge::{AppFacts, DirectionRef, MERGED_FORMAT, MergedApp, MergedPayload, Method};
use crate::store::Bundle;

/// What a verifier knows of the bundle the files claim to score.
#[derive(Debug, Clone)]
pub struct BundleFacts {
    pub path: String,
    pub id: String,
    pub digest: String,
    pub rubric: RubricRef,
    pub app_ids: Vec<String>,
    /// What a merged result shows of each application, in bundle order.
    pub apps: Vec<AppFacts>,
    /// The catalog's directions that have applications, as a merged
    /// result names them.
    pub directions: Vec<DirectionRef>,
}

impl BundleFacts {
    pub fn read(path: &Path) -> Result<BundleFacts> {
        BundleFacts::of(&Bundle::open_read(path)?)
    }

    /// The facts of an open bundle, after checking its content against its
    /// recorded digest.
    pub fn of(b: &Bundle) -> Result<BundleFacts> {
        let digest = b.recompute_digest()?;
        if digest != b.meta.digest {
            return Err(anyhow!(
                "{}: the bundle's content does not match its recorded digest (damaged or edited)",
                b.path().display()
            ));
        }
        let apps = crate::merge::app_facts(&b.applications()?);
        Ok(BundleFacts {
            path: b.path().display().to_string(),
            id: b.meta.bundle_id.clone(),
            digest,
            rubric: RubricRef::of(&b.rubric),
            app_ids: apps.iter().map(|a| a.id.clone()).collect(),
            directions: DirectionRef::of(&b.catalog, &apps),
            apps,
        })
    }
}

/// The trusted inputs of a verification.
pub struct Context<'a> {
    pub roster: &'a [RosterEntry],
    pub bundle: Option<&'a BundleFacts>,
}

/// A file that verified: who signed it and what it says, for the OK line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub payload_type: String,
    pub signer: String,
    /// e.g. `expert E01 (张三)  60 scored, 2 recused, 0 to do`.
    pub summary: String,
}

/// Checks a roster's key fields once, before any file: every entry that
/// names a key must name a valid one whose key_id is its SHA-256, and no
/// two entries may share a key.
pub fn check_roster(roster: &[RosterEntry]) -> Result<(), String> {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for e in roster {
        if e.alg.is_none() && e.public_key.is_none() && e.key_id.is_none() {
            continue;
        }
        VerifyKey::from_roster(e)?;
        let kid = e.key_id.as_deref().unwrap_or_default();
        if let Some((other, _)) = seen.iter().find(|(_, k)| *k == kid) {
            return Err(format!(
                "roster entries {other} and {} share key {}",
                e.id,
                short_id(kid)
            ));
        }
        seen.push((&e.id, kid));
    }
    Ok(())
}

/// What each payload type adds to the common envelope check.
pub trait PayloadRules {
    /// The roster entry whose key must have signed `env`.
    fn signer<'r>(
        &self,
        env: &Envelope,
        roster: &'r [RosterEntry],
    ) -> Result<&'r RosterEntry, String>;
    /// Content checks, run once the signature verified. Returns the
    /// summary for the OK line.
    fn check(&self, env: &Envelope, signer: &RosterEntry, ctx: &Context) -> Result<String, String>;
}

/// The rules of a payload type, if panelist knows it.
pub fn rules_for(payload_type: &str) -> Option<&'static dyn PayloadRules> {
    match payload_type {
        SCORES_TYPE => Some(&ScoresRules),
        MERGED_TYPE => Some(&MergedRules),
        _ => None,
    }
}

/// Verifies one signed file's text. `Err` is the precise reason it is bad.
pub fn verify_text(text: &str, ctx: &Context) -> Result<Verified, String> {
    let env = Envelope::parse_unsigned(text).map_err(|e| e.to_string())?;
    verify_envelope(&env, ctx)
}

/// [`verify_text`] for an envelope already parsed (strictly, with
/// `Envelope::parse_unsigned`), so a caller that needs the payload too
/// parses the file once.
pub fn verify_envelope(env: &Envelope, ctx: &Context) -> Result<Verified, String> {
    if env.signatures.is_empty() {
        return Err(if env.payload_type == MERGED_TYPE {
            "unsigned merged result (made without the chair's --key): a draft, not verifiable"
                .to_string()
        } else {
            EnvelopeError::Syntax("no signatures".into()).to_string()
        });
    }
    if env.payload_type == SCORES_TYPE {
        return verify_scores(env, ctx).map(|(v, _)| v);
    }
    let rules = rules_for(&env.payload_type).ok_or_else(|| {
        format!(
            "unknown payloadType '{}' (expected {SCORES_TYPE} or {MERGED_TYPE})",
            inert_line(&env.payload_type)
        )
    })?;
    let signer = rules.signer(env, ctx.roster)?;
    let key = VerifyKey::from_roster(signer)?;
    let kid = key.key_id();
    env.verify_by(&kid, &key).map_err(|e| e.to_string())?;
    let summary = rules.check(env, signer, ctx)?;
    Ok(Verified {
        payload_type: env.payload_type.clone(),
        signer: signer.id.clone(),
        summary,
    })
}

/// The scores payload, read strictly: every object an object, every field
/// present (section 3 of docs/formats.md).
fn parse_scores(env: &Envelope) -> Result<ScoresPayload, String> {
    crate::support::jsonio::from_value_closed(&env.payload, true)
        .map_err(|e| format!("payload: {e}"))
}

/// An expert's exported scores.
pub struct ScoresRules;

impl PayloadRules for ScoresRules {
    fn signer<'r>(
        &self,
        env: &Envelope,
        roster: &'r [RosterEntry],
    ) -> Result<&'r RosterEntry, String> {
        // The payload is read (strictly) before its signature is checked,
        // so a malformed file is named for what is wrong with it.
        scores_signer(&parse_scores(env)?, env, roster)
    }

    fn check(&self, env: &Envelope, signer: &RosterEntry, ctx: &Context) -> Result<String, String> {
        scores_check(&parse_scores(env)?, signer, ctx)
    }
}

/// Verifies an expert's scores file with a single read of its payload,
/// and returns the payload with the verdict (the merge needs both).
pub fn verify_scores(env: &Envelope, ctx: &Context) -> Result<(Verified, ScoresPayload), String> {
    if env.signatures.is_empty() {
        return Err(EnvelopeError::Syntax("no signatures".into()).to_string());
    }
    if env.payload_type != SCORES_TYPE {
        return Err(format!(
            "not an expert's scores file (payloadType {})",
            inert_line(&env.payload_type)
        ));
    }
    let p = parse_scores(env)?;
    let signer = scores_signer(&p, env, ctx.roster)?;
    let key = VerifyKey::from_roster(signer)?;
    env.verify_by(&key.key_id(), &key)
        .map_err(|e| e.to_string())?;
    let summary = scores_check(&p, signer, ctx)?;
    let v = Verified {
        payload_type: env.payload_type.clone(),
        signer: signer.id.clone(),
        summary,
    };
    Ok((v, p))
}

fn scores_signer<'r>(
    p: &ScoresPayload,
    env: &Envelope,
    roster: &'r [RosterEntry],
) -> Result<&'r RosterEntry, String> {
    {
        let id = &p.expert.id;
        let payload_kid = p.expert.key_id.clone();
        let entry = roster
            .iter()
            .find(|e| &e.id == id)
            .ok_or_else(|| format!("expert {} is not in the roster", inert_line(id)))?;
        let Some(roster_kid) = entry.key_id.as_deref() else {
            return Err(format!("the roster has no public key for expert {id}"));
        };
        if env.signatures.len() != 1 {
            return Err(format!(
                "an expert's file carries exactly one signature, this one has {}",
                env.signatures.len()
            ));
        }
        let file_kid = &env.signatures[0].keyid;
        if file_kid != roster_kid {
            return Err(format!(
                "signed with key {}, which is not expert {id}'s key in the roster ({})",
                inert_line(short_id(file_kid)),
                short_id(roster_kid)
            ));
        }
        if payload_kid != roster_kid {
            return Err(format!(
                "payload names key {} for expert {id}, the roster has {}",
                inert_line(short_id(&payload_kid)),
                short_id(roster_kid)
            ));
        }
        Ok(entry)
    }
}

fn scores_check(p: &ScoresPayload, signer: &RosterEntry, ctx: &Context) -> Result<String, String> {
    {
        if p.format != PAYLOAD_FORMAT {
            return Err(format!(
                "payload format '{}', expected '{PAYLOAD_FORMAT}'",
                inert_line(&p.format)
            ));
        }
        if crate::support::clock::parse(&p.created).is_none() {
            return Err("payload created is not an RFC 3339 time".into());
        }
        let rubric = p
            .rubric
            .to_rubric()
            .map_err(|m| format!("payload rubric: {m}"))?;
        let app_ids: Vec<String> = p.applications.iter().map(|a| a.id.clone()).collect();
        let mut seen = BTreeSet::new();
        for id in &app_ids {
            if !seen.insert(id.as_str()) {
                return Err(format!("application {} appears twice", inert_line(id)));
            }
        }
        let digest = unhex32(&p.bundle.digest)
            .ok_or("payload bundle digest is not 64 lower-case hex digits")?;
        let head = history::verify_chain(&digest, &p.expert.id, &p.history)
            .map_err(|e| format!("history: {e}"))?;
        let head_hex = history::hex(&head);
        if p.head.size != p.history.len() as u64 || p.head.hash != head_hex {
            return Err(format!(
                "log head says size {} hash {}, the history gives size {} hash {}",
                p.head.size,
                inert_line(short_id(&p.head.hash)),
                p.history.len(),
                short_id(&head_hex)
            ));
        }
        let (_, replayed) = results(&rubric, &app_ids, &p.history)?;
        for (got, want) in p.applications.iter().zip(&replayed) {
            if got != want {
                return Err(describe_difference(got, want));
            }
        }
        let counts = Counts::of(&replayed);
        if p.partial != (counts.open() > 0) {
            return Err(format!(
                "payload says partial = {}, but {} application(s) are neither complete nor recused",
                p.partial,
                counts.open()
            ));
        }
        if let Some(b) = ctx.bundle {
            if p.bundle.digest != b.digest {
                return Err(format!(
                    "bundle digest {} is not the digest of {} ({})",
                    short_id(&p.bundle.digest),
                    b.path,
                    short_id(&b.digest)
                ));
            }
            if p.bundle.id != b.id {
                return Err(format!(
                    "bundle id {} is not the id of {} ({})",
                    inert_line(&p.bundle.id),
                    b.path,
                    b.id
                ));
            }
            if p.rubric != b.rubric {
                return Err(format!(
                    "payload rubric differs from the rubric of {}",
                    b.path
                ));
            }
            if app_ids != b.app_ids {
                return Err(format!(
                    "payload applications differ from those of {} ({} in the file, {} in the bundle)",
                    b.path,
                    app_ids.len(),
                    b.app_ids.len()
                ));
            }
        }
        let partial = if p.partial { " (partial)" } else { "" };
        Ok(format!(
            "expert {} ({})  {}{partial}",
            signer.id,
            inert_line(&signer.name),
            counts.line()
        ))
    }
}

/// Names the first field where an exported result and the replayed one
/// differ.
fn describe_difference(got: &super::AppResult, want: &super::AppResult) -> String {
    let id = inert_line(&want.id);
    let show = |v: Option<&i64>| v.map_or("none".to_string(), |x| x.to_string());
    if got.id != want.id {
        return format!(
            "applications out of order: {} where the history has {id}",
            inert_line(&got.id)
        );
    }
    if got.status != want.status {
        return format!(
            "application {id}: exported status {}, the history gives {}",
            inert_line(&got.status),
            want.status
        );
    }
    let keys: BTreeSet<&String> = got.scores.keys().chain(want.scores.keys()).collect();
    for k in keys {
        let (g, w) = (got.scores.get(k), want.scores.get(k));
        if g != w {
            return format!(
                "application {id}: exported {} = {}, the history gives {} (score edited without its event)",
                inert_line(k),
                show(g),
                show(w)
            );
        }
    }
    if got.total != want.total {
        return format!(
            "application {id}: exported total {}, the history gives {}",
            show(got.total.as_ref()),
            show(want.total.as_ref())
        );
    }
    if got.comment != want.comment {
        return format!("application {id}: exported comment differs from the history");
    }
    if got.recommend != want.recommend {
        return format!(
            "application {id}: exported recommendation {:?}, the history gives {:?}",
            got.recommend, want.recommend
        );
    }
    format!("application {id}: exported recusal differs from the history")
}

/// The chair's merged result: signed by exactly one key, which the roster
/// gives to an entry with role `chair`; the payload names that chair, is
/// well formed and internally consistent (its inputs are roster experts
/// with their roster keys, every scorer is an input, counts agree, the
/// method's published rules are this version's); with a bundle, its
/// applications are the bundle's. Recomputing the figures from the expert
/// files is [`crate::merge::recompute`]'s job.
pub struct MergedRules;

/// The role a roster entry needs to sign merged results.
pub const CHAIR_ROLE: &str = "chair";

fn parse_merged(env: &Envelope) -> Result<MergedPayload, String> {
    serde_json::from_value(env.payload.clone()).map_err(|e| format!("payload: {e}"))
}

impl PayloadRules for MergedRules {
    fn signer<'r>(
        &self,
        env: &Envelope,
        roster: &'r [RosterEntry],
    ) -> Result<&'r RosterEntry, String> {
        if env.signatures.len() != 1 {
            return Err(format!(
                "a merged result carries exactly one signature, this one has {}",
                env.signatures.len()
            ));
        }
        let kid = &env.signatures[0].keyid;
        let entry = roster
            .iter()
            .find(|e| e.key_id.as_deref() == Some(kid.as_str()))
            .ok_or_else(|| {
                format!(
                    "signed by key {}, which is not in the roster",
                    inert_line(short_id(kid))
                )
            })?;
        if entry.role.as_deref() != Some(CHAIR_ROLE) {
            return Err(format!(
                "signed by {}'s key, but the roster does not give {} the role \"{CHAIR_ROLE}\"",
                entry.id, entry.id
            ));
        }
        Ok(entry)
    }

    fn check(&self, env: &Envelope, signer: &RosterEntry, ctx: &Context) -> Result<String, String> {
        let p = parse_merged(env)?;
        if p.format != MERGED_FORMAT {
            return Err(format!(
                "payload format '{}', expected '{MERGED_FORMAT}'",
                inert_line(&p.format)
            ));
        }
        if crate::support::clock::parse(&p.created).is_none() {
            return Err("payload created is not an RFC 3339 time".into());
        }
        let Some(chair) = &p.chair else {
            return Err("the payload names no chair, yet the file is signed".into());
        };
        if chair.id != signer.id || Some(chair.key_id.as_str()) != signer.key_id.as_deref() {
            return Err(format!(
                "payload names chair {} with key {}, but {} signed",
                inert_line(&chair.id),
                inert_line(short_id(&chair.key_id)),
                signer.id
            ));
        }
        check_merged_consistency(&p, ctx.roster)?;
        if let Some(b) = ctx.bundle {
            if p.bundle.digest != b.digest || p.bundle.id != b.id {
                return Err(format!(
                    "merged result is for bundle {} ({}), not for {}",
                    inert_line(short_id(&p.bundle.digest)),
                    inert_line(&p.bundle.id),
                    b.path
                ));
            }
            if p.rubric != b.rubric {
                return Err(format!(
                    "payload rubric differs from the rubric of {}",
                    b.path
                ));
            }
            if p.directions != b.directions {
                return Err(format!(
                    "payload directions differ from the catalog of {}",
                    b.path
                ));
            }
            let mine: Vec<AppFacts> = p.applications.iter().map(MergedApp::facts).collect();
            if mine.len() != b.apps.len() {
                return Err(format!(
                    "{} applications in the merged result, {} in {}",
                    mine.len(),
                    b.apps.len(),
                    b.path
                ));
            }
            if let Some((m, f)) = mine.iter().zip(&b.apps).find(|(m, f)| m != f) {
                return Err(format!(
                    "application {} differs from {} of {} (id, title, direction, lead unit, SME or authority)",
                    inert_line(&m.id),
                    inert_line(&f.id),
                    b.path
                ));
            }
        }
        Ok(format!(
            "merged result by {} ({})  {} experts, {} applications, rule {}",
            signer.id,
            inert_line(&signer.name),
            p.inputs.len(),
            p.applications.len(),
            p.method.rule.key()
        ))
    }
}

/// The checks of a merged payload that need neither the expert files nor
/// the bundle.
fn check_merged_consistency(p: &MergedPayload, roster: &[RosterEntry]) -> Result<(), String> {
    let expected = Method::of(&p.method.params(), p.method.allow_partial);
    if p.method != expected {
        return Err(
            "the method's published rules are not this version's for its parameters".into(),
        );
    }
    p.rubric
        .to_rubric()
        .map_err(|m| format!("payload rubric: {m}"))?;
    let mut inputs = BTreeSet::new();
    for i in &p.inputs {
        if !inputs.insert(i.expert.as_str()) {
            return Err(format!("expert {} is merged twice", inert_line(&i.expert)));
        }
        let Some(e) = roster.iter().find(|e| e.id == i.expert) else {
            return Err(format!(
                "input expert {} is not in the roster",
                inert_line(&i.expert)
            ));
        };
        if e.key_id.as_deref() != Some(i.key_id.as_str()) {
            return Err(format!(
                "input of expert {} was signed with key {}, not the roster's",
                e.id,
                inert_line(short_id(&i.key_id))
            ));
        }
        if unhex32(&i.sha256).is_none() || unhex32(&i.head.hash).is_none() {
            return Err(format!(
                "input of expert {}: sha256 and head hash must be 64 lower-case hex digits",
                e.id
            ));
        }
    }
    let mut ids = BTreeSet::new();
    for a in &p.applications {
        let id = inert_line(&a.id);
        if !ids.insert(a.id.as_str()) {
            return Err(format!("application {id} appears twice"));
        }
        for e in a.scorers.iter().chain(&a.recused) {
            if !inputs.contains(e.as_str()) {
                return Err(format!(
                    "application {id}: expert {} is not one of the inputs",
                    inert_line(e)
                ));
            }
        }
        let marked: Vec<&str> = a.by_expert.iter().map(|m| m.expert.as_str()).collect();
        if marked != a.scorers.iter().map(String::as_str).collect::<Vec<_>>() {
            return Err(format!(
                "application {id}: the experts' marks are not those of its scorers"
            ));
        }
        let n = a.scorers.len() as u32;
        let counts_agree = a.total.as_ref().map_or(n == 0, |t| t.n == n)
            && a.criteria.values().all(|c| c.n == n)
            && u64::from(a.recommend_yes) + u64::from(a.recommend_no) <= u64::from(n);
        if !counts_agree {
            return Err(format!(
                "application {id}: counts disagree with its {n} scorer(s)"
            ));
        }
        if a.total.is_some() != a.rank.is_some() {
            return Err(format!(
                "application {id}: rank without a total, or a total without rank"
            ));
        }
    }
    Ok(())
}
