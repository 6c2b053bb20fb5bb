//! Verifying signed files against the panel roster (and optionally the
//! bundle): the chair's check on every expert's file, the auditor's later.
//!
//! The flow is the same for every payload type: parse the envelope
//! strictly, let the type's [`PayloadRules`] name the roster entry that must
//! have signed, check that signature with the roster's key (algorithm, key
//! and SM2 ID come from the roster, never from the file), then run the
//! type's content checks. Scores get the full replay; the chair's merged
//! result gets the signature check only until merging adds its own rules
//! in [`MergedRules::check`].

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Result, anyhow};

use super::{Counts, PAYLOAD_FORMAT, RubricRef, ScoresPayload, results};
use crate::crypto::envelope::{Envelope, MERGED_TYPE, SCORES_TYPE};
use crate::crypto::short_id;
use crate::crypto::sign::VerifyKey;
use crate::domain::RosterEntry;
use crate::domain::history::{self, unhex32};
use crate::domain::text::inert_line;
use crate::store::Bundle;

/// What a verifier knows of the bundle the files claim to score.
#[derive(Debug, Clone)]
pub struct BundleFacts {
    pub path: String,
    pub id: String,
    pub digest: String,
    pub rubric: RubricRef,
    pub app_ids: Vec<String>,
}

impl BundleFacts {
    pub fn read(path: &Path) -> Result<BundleFacts> {
        let b = Bundle::open_read(path)?;
        let digest = b.recompute_digest()?;
        if digest != b.meta.digest {
            return Err(anyhow!(
                "{}: the bundle's content does not match its recorded digest (damaged or edited)",
                path.display()
            ));
        }
        Ok(BundleFacts {
            path: path.display().to_string(),
            id: b.meta.bundle_id.clone(),
            digest,
            rubric: RubricRef::of(&b.rubric),
            app_ids: b.applications()?.into_iter().map(|a| a.id).collect(),
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
    let env = Envelope::parse(text).map_err(|e| e.to_string())?;
    let rules = rules_for(&env.payload_type).ok_or_else(|| {
        format!(
            "unknown payloadType '{}' (expected {SCORES_TYPE} or {MERGED_TYPE})",
            inert_line(&env.payload_type)
        )
    })?;
    let signer = rules.signer(&env, ctx.roster)?;
    let key = VerifyKey::from_roster(signer)?;
    let kid = key.key_id();
    env.verify_by(&kid, &key).map_err(|e| e.to_string())?;
    let summary = rules.check(&env, signer, ctx)?;
    Ok(Verified {
        payload_type: env.payload_type.clone(),
        signer: signer.id.clone(),
        summary,
    })
}

/// The scores payload, read strictly: every object an object, every field
/// present (section 3 of docs/export-format.md).
fn parse_scores(env: &Envelope) -> Result<ScoresPayload, String> {
    crate::jsonio::from_value_closed(&env.payload, true).map_err(|e| format!("payload: {e}"))
}

/// An expert's exported scores.
pub struct ScoresRules;

impl PayloadRules for ScoresRules {
    fn signer<'r>(
        &self,
        env: &Envelope,
        roster: &'r [RosterEntry],
    ) -> Result<&'r RosterEntry, String> {
        let p = parse_scores(env)?;
        let id = &p.expert.id;
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
        if p.expert.key_id != roster_kid {
            return Err(format!(
                "payload names key {} for expert {id}, the roster has {}",
                inert_line(short_id(&p.expert.key_id)),
                short_id(roster_kid)
            ));
        }
        Ok(entry)
    }

    fn check(&self, env: &Envelope, signer: &RosterEntry, ctx: &Context) -> Result<String, String> {
        let p = parse_scores(env)?;
        if p.format != PAYLOAD_FORMAT {
            return Err(format!(
                "payload format '{}', expected '{PAYLOAD_FORMAT}'",
                inert_line(&p.format)
            ));
        }
        if crate::clock::parse(&p.created).is_none() {
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

/// The chair's merged result. For now only its signature is checked: the
/// signer is the roster entry whose key_id the signature names.
pub struct MergedRules;

impl PayloadRules for MergedRules {
    fn signer<'r>(
        &self,
        env: &Envelope,
        roster: &'r [RosterEntry],
    ) -> Result<&'r RosterEntry, String> {
        env.signatures
            .iter()
            .find_map(|s| {
                roster
                    .iter()
                    .find(|e| e.key_id.as_deref() == Some(s.keyid.as_str()))
            })
            .ok_or_else(|| {
                let ids: Vec<String> = env
                    .signatures
                    .iter()
                    .map(|s| inert_line(short_id(&s.keyid)))
                    .collect();
                format!(
                    "signed by key {}, which is not in the roster",
                    ids.join(", ")
                )
            })
    }

    fn check(
        &self,
        _env: &Envelope,
        signer: &RosterEntry,
        _ctx: &Context,
    ) -> Result<String, String> {
        // Merging adds its checks here: the expert files it names, their
        // digests and the recomputed aggregation.
        Ok(format!(
            "merged result signed by {} ({})  signature only",
            signer.id,
            inert_line(&signer.name)
        ))
    }
}
