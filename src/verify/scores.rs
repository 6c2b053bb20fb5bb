//! An expert's scores file: signed by the roster key of the expert it
//! names, its history chained and replayed to exactly its results, and
//! (with a bundle) for that bundle.

use std::collections::BTreeSet;

use super::{Context, Kind, PayloadRules, Verified, VerifyError};
use crate::crypto::envelope::{Envelope, SCORES_TYPE};
use crate::crypto::short_id;
use crate::domain::RosterEntry;
use crate::domain::history::{self, unhex32};
use crate::domain::text::inert_line;
use crate::formats::SCORES_FORMAT;
use crate::formats::scores::{
    AppResult, Counts, LeanEvent, ScoresPayload, read_lean, results_lean,
};

fn format_error(message: impl Into<String>) -> VerifyError {
    VerifyError::new(Kind::Format, message)
}

/// The scores payload, read strictly: every object an object, every field
/// present (section 3 of docs/formats.md).
fn parse_scores(env: &Envelope) -> Result<ScoresPayload, VerifyError> {
    super::read_payload(env)
}

/// An expert's exported scores.
pub struct ScoresRules;

impl PayloadRules for ScoresRules {
    fn signer<'r>(
        &self,
        env: &Envelope,
        roster: &'r [RosterEntry],
    ) -> Result<&'r RosterEntry, VerifyError> {
        // The payload is read (strictly) before its signature is checked,
        // so a malformed file is named for what is wrong with it.
        scores_signer(&parse_scores(env)?, env, roster)
    }

    fn check(
        &self,
        env: &Envelope,
        signer: &RosterEntry,
        ctx: &Context,
    ) -> Result<String, VerifyError> {
        let p = parse_scores(env)?;
        let lean: Vec<LeanEvent> = p.history.iter().map(LeanEvent::of).collect();
        scores_check(&p, &lean, signer, ctx)
    }
}

/// The envelope's own checks before its payload is read: signed, and an
/// expert's scores.
fn scores_envelope(env: &Envelope) -> Result<(), VerifyError> {
    if env.signatures.is_empty() {
        return Err(super::unsigned());
    }
    if env.payload_type != SCORES_TYPE {
        return Err(VerifyError::new(
            Kind::PayloadType,
            format!(
                "not an expert's scores file (payloadType {})",
                inert_line(&env.payload_type)
            ),
        ));
    }
    Ok(())
}

/// Verifies an expert's scores file with a single read of its payload,
/// and returns the payload with the verdict (the merge needs both).
pub fn verify_scores(
    env: &Envelope,
    ctx: &Context,
) -> Result<(Verified, ScoresPayload), VerifyError> {
    scores_envelope(env)?;
    let p = parse_scores(env)?;
    let lean: Vec<LeanEvent> = p.history.iter().map(LeanEvent::of).collect();
    let v = verify_read(env, &p, &lean, ctx)?;
    drop(lean);
    Ok((v, p))
}

/// [`verify_scores`] reading the history lean (borrowed from the payload,
/// never an owned event): the verdict, the payload without its history,
/// and what `keep` takes of the verified history (the merge, its event
/// hashes when it compares histories) — what `verify` and `merge` need.
/// The same checks in the same order, so the same verdicts.
pub fn verify_scores_lean<T>(
    env: &Envelope,
    ctx: &Context,
    keep: impl FnOnce(&[LeanEvent]) -> T,
) -> Result<(Verified, ScoresPayload, T), VerifyError> {
    scores_envelope(env)?;
    match read_lean(env.payload_text()) {
        Ok((p, lean)) => {
            let v = verify_read(env, &p, &lean, ctx)?;
            Ok((v, p, keep(&lean)))
        }
        // Not canonical: the strict reader says what is wrong (and, were
        // it to read the payload after all, the owned path decides).
        Err(_) => {
            let (v, mut p) = verify_scores(env, ctx)?;
            let history = std::mem::take(&mut p.history);
            let lean: Vec<LeanEvent> = history.iter().map(LeanEvent::of).collect();
            Ok((v, p, keep(&lean)))
        }
    }
}

/// Signer, signature and content of a payload already read.
fn verify_read(
    env: &Envelope,
    p: &ScoresPayload,
    lean: &[LeanEvent],
    ctx: &Context,
) -> Result<Verified, VerifyError> {
    let signer = scores_signer(p, env, ctx.roster)?;
    let key = super::roster_key(signer)?;
    super::check_signature(env, &key)?;
    let summary = scores_check(p, lean, signer, ctx)?;
    Ok(Verified {
        payload_type: env.payload_type.clone(),
        signer: signer.id.clone(),
        summary,
    })
}

/// The chain's checks that its bytes do not make by themselves: every
/// event by the file's expert, every time well written and none before
/// the one before it (the seqs are the places, the `prev`s the hashes
/// before, by reading). Returns the head hash and each event's time in
/// milliseconds.
fn check_lean_chain(
    genesis: [u8; 32],
    expert: &str,
    events: &[LeanEvent],
) -> Result<([u8; 32], Vec<i64>), history::ChainError> {
    let mut times: Vec<i64> = Vec::with_capacity(events.len());
    for (i, e) in events.iter().enumerate() {
        let last = times.last().copied();
        times.push(history::check_owner_time(
            i as u64 + 1,
            &e.expert,
            &e.time,
            expert,
            last,
        )?);
    }
    Ok((events.last().map_or(genesis, |e| e.hash), times))
}

fn scores_signer<'r>(
    p: &ScoresPayload,
    env: &Envelope,
    roster: &'r [RosterEntry],
) -> Result<&'r RosterEntry, VerifyError> {
    let roster_error = |m: String| VerifyError::new(Kind::Roster, m);
    let id = &p.expert.id;
    let payload_kid = p.expert.key_id.clone();
    let entry = roster
        .iter()
        .find(|e| &e.id == id)
        .ok_or_else(|| roster_error(format!("expert {} is not in the roster", inert_line(id))))?;
    let Some(roster_kid) = entry.key_id.as_deref() else {
        return Err(roster_error(format!(
            "the roster has no public key for expert {id}"
        )));
    };
    if env.signatures.len() != 1 {
        return Err(VerifyError::new(
            Kind::Signature,
            format!(
                "an expert's file carries exactly one signature, this one has {}",
                env.signatures.len()
            ),
        ));
    }
    let file_kid = &env.signatures[0].keyid;
    if file_kid != roster_kid {
        return Err(roster_error(format!(
            "signed with key {}, which is not expert {id}'s key in the roster ({})",
            inert_line(short_id(file_kid)),
            short_id(roster_kid)
        )));
    }
    if payload_kid != roster_kid {
        return Err(roster_error(format!(
            "payload names key {} for expert {id}, the roster has {}",
            inert_line(short_id(&payload_kid)),
            short_id(roster_kid)
        )));
    }
    Ok(entry)
}

fn scores_check(
    p: &ScoresPayload,
    history: &[LeanEvent],
    signer: &RosterEntry,
    ctx: &Context,
) -> Result<String, VerifyError> {
    if p.format != SCORES_FORMAT {
        return Err(format_error(format!(
            "payload format '{}', expected '{SCORES_FORMAT}'",
            inert_line(&p.format)
        )));
    }
    let Some(created) = history::parse_time(&p.created) else {
        return Err(format_error(format!(
            "payload created '{}' is not written YYYY-MM-DDTHH:MM:SS.mmmZ (UTC, milliseconds)",
            inert_line(&p.created)
        )));
    };
    for a in &p.applications {
        if a.id.is_empty() || a.id.chars().any(crate::domain::text::unfit_for_id) {
            return Err(format_error(format!(
                "application id '{}' is empty or holds white space, control, invisible or private-use characters",
                inert_line(&a.id)
            )));
        }
    }
    let rubric = p
        .rubric
        .to_rubric()
        .map_err(|m| format_error(format!("payload rubric: {m}")))?;
    let app_ids: Vec<String> = p.applications.iter().map(|a| a.id.clone()).collect();
    let mut seen = BTreeSet::new();
    for id in &app_ids {
        if !seen.insert(id.as_str()) {
            return Err(format_error(format!(
                "application {} appears twice",
                inert_line(id)
            )));
        }
    }
    let digest = unhex32(&p.bundle.digest).ok_or_else(|| {
        VerifyError::new(
            Kind::Bundle,
            "payload bundle digest is not 64 lower-case hex digits",
        )
    })?;
    let genesis = history::genesis(&digest, &p.expert.id);
    let (head, times) = check_lean_chain(genesis, &p.expert.id, history)
        .map_err(|e| VerifyError::at(Kind::Chain, e.seq(), format!("history: {e}")))?;
    // The chain's check holds the times in order, so the first event made
    // after the file is found by halving.
    let after = times.partition_point(|&t| t <= created);
    if let Some(e) = history.get(after) {
        let seq = after as u64 + 1;
        return Err(VerifyError::at(
            Kind::Format,
            seq,
            format!(
                "history: seq {seq}: time {} is after the file was created ({})",
                inert_line(&e.time),
                inert_line(&p.created)
            ),
        ));
    }
    let head_hex = history::hex(&head);
    if p.head.size != history.len() as u64 || p.head.hash != head_hex {
        return Err(VerifyError::new(
            Kind::Chain,
            format!(
                "log head says size {} hash {}, the history gives size {} hash {}",
                p.head.size,
                inert_line(short_id(&p.head.hash)),
                history.len(),
                short_id(&head_hex)
            ),
        ));
    }
    let replayed = results_lean(&rubric, &app_ids, history)
        .map_err(|r| VerifyError::at(Kind::Replay, r.seq, r.to_string()))?;
    for (got, want) in p.applications.iter().zip(&replayed) {
        if got != want {
            return Err(VerifyError::new(
                Kind::Results,
                describe_difference(got, want),
            ));
        }
    }
    let counts = Counts::of(&replayed);
    if p.partial != (counts.open() > 0) {
        return Err(VerifyError::new(
            Kind::Results,
            format!(
                "payload says partial = {}, but {} application(s) are neither complete nor recused",
                p.partial,
                counts.open()
            ),
        ));
    }
    if let Some(b) = ctx.bundle {
        let bundle_error = |m: String| VerifyError::new(Kind::Bundle, m);
        if p.bundle.digest != b.digest {
            return Err(bundle_error(format!(
                "bundle digest {} is not the digest of {} ({})",
                short_id(&p.bundle.digest),
                b.path,
                short_id(&b.digest)
            )));
        }
        if p.bundle.id != b.id {
            return Err(bundle_error(format!(
                "bundle id {} is not the id of {} ({})",
                inert_line(&p.bundle.id),
                b.path,
                b.id
            )));
        }
        if p.rubric != b.rubric {
            return Err(bundle_error(format!(
                "payload rubric differs from the rubric of {}",
                b.path
            )));
        }
        if app_ids != b.app_ids {
            return Err(bundle_error(format!(
                "payload applications differ from those of {} ({} in the file, {} in the bundle)",
                b.path,
                app_ids.len(),
                b.app_ids.len()
            )));
        }
        if let Some(born) = b.created
            && let Some(e) = history
                .first()
                .filter(|e| history::parse_time(&e.time) < Some(born))
        {
            return Err(VerifyError::at(
                Kind::Bundle,
                1,
                format!(
                    "history: seq 1: time {} is before {} was created ({})",
                    inert_line(&e.time),
                    b.path,
                    b.created_text
                ),
            ));
        }
    }
    let partial = if p.partial {
        crate::tr!("（未评完）", " (partial)")
    } else {
        ""
    };
    Ok(crate::tr!(
        format!(
            "专家 {}（{}）  {}{partial}",
            signer.id,
            inert_line(&signer.name),
            counts.line()
        ),
        format!(
            "expert {} ({})  {}{partial}",
            signer.id,
            inert_line(&signer.name),
            counts.line()
        )
    ))
}

/// Names the first field where an exported result and the replayed one
/// differ.
fn describe_difference(got: &AppResult, want: &AppResult) -> String {
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
