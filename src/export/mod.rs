//! An expert's signed scores: the payload built from a working copy and
//! the file written. The payload type is [`crate::formats::scores`]; the
//! checks a chair or auditor runs on it are [`crate::verify`]. The format
//! is specified in `docs/formats.md`; the JSON Schema is
//! `assets/schema/export.schema.json`.
//!
//! Everything in the payload is derived from the scoring history: the
//! per-application results are the replay of the events, so a verifier
//! holding only the file can recompute them.

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use serde::Serialize;

use crate::crypto::envelope::{Envelope, SCORES_TYPE};
use crate::domain::history;
use crate::formats::scores::{Counts, ScoresPayload, results};
use crate::formats::{BundleRef, ExpertRef, HeadRef, RubricRef, SCORES_FORMAT};
use crate::keyring::Unlocked;
use crate::store::Bundle;
use crate::support::clock::Clock;

/// What an export wrote, for the command line and the TUI's dialog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportSummary {
    pub path: PathBuf,
    pub expert: String,
    pub expert_name: String,
    pub key_id: String,
    pub counts: Counts,
    pub events: u64,
    pub partial: bool,
}

/// Builds the payload of `bundle` for the key's expert. Refuses a broken
/// chain, a working copy of another expert, and — unless
/// `allow_incomplete` — any application neither complete nor recused.
pub fn build_payload(
    b: &Bundle,
    key: &Unlocked,
    created: &str,
    allow_incomplete: bool,
) -> Result<ScoresPayload> {
    let path = b.path().display().to_string();
    let Some(owner) = b.owner()? else {
        bail!(
            "{path}: no expert has claimed this working copy yet (score or recuse an application first)"
        );
    };
    if owner.id != key.file.id {
        bail!(
            "{path}: this working copy belongs to expert {} ({}); the key is {}'s",
            owner.id,
            owner.name,
            key.file.id
        );
    }
    if let Some(k) = &owner.key_id
        && k != key.key_id()
    {
        bail!(
            "{path}: this working copy was claimed with key {}, not with key {} of {}",
            crate::crypto::short_id(k),
            crate::crypto::short_id(key.key_id()),
            key.path.display()
        );
    }
    let events = b.history()?;
    let digest = b.digest_bytes()?;
    let head = history::verify_chain(&digest, &owner.id, &events)
        .map_err(|e| anyhow!("{path}: the scoring history does not verify: {e}"))?;
    let app_ids: Vec<String> = b.applications()?.into_iter().map(|a| a.id).collect();
    let apps = results(&b.rubric, &app_ids, &events).map_err(|m| anyhow!("{path}: {m}"))?;
    let open: Vec<String> = apps
        .iter()
        .filter(|a| a.status == "draft" || a.status == "todo")
        .map(|a| {
            let st = if a.status == "todo" { "to do" } else { "draft" };
            format!("{} ({st})", a.id)
        })
        .collect();
    if !open.is_empty() && !allow_incomplete {
        bail!(
            "{path}: {} application(s) neither complete nor recused: {} — finish or recuse them, or export with --allow-incomplete",
            open.len(),
            open.join(", ")
        );
    }
    Ok(ScoresPayload {
        format: SCORES_FORMAT.into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        bundle: BundleRef {
            id: b.meta.bundle_id.clone(),
            digest: b.meta.digest.clone(),
            call: b.meta.call.clone(),
            panel: b.meta.panel.clone(),
        },
        expert: ExpertRef {
            id: key.file.id.clone(),
            name: key.file.name.clone(),
            org: key.file.org.clone(),
            key_id: key.key_id().to_string(),
        },
        // Like the log itself, an export's time never runs behind the last
        // event it signs (a slow clock on the expert's laptop).
        created: match events.last() {
            Some(e) if e.time.as_str() > created => e.time.clone(),
            _ => created.to_string(),
        },
        partial: !open.is_empty(),
        rubric: RubricRef::of(&b.rubric),
        applications: apps,
        head: HeadRef {
            size: events.len() as u64,
            hash: history::hex(&head),
        },
        history: events,
    })
}

/// Signs a payload into an envelope.
pub fn sign_payload(p: &ScoresPayload, key: &Unlocked) -> Result<Envelope> {
    // Written JCS straight from the typed payload (crypto::jcs).
    let bytes =
        crate::crypto::jcs::to_vec(p).map_err(|e| anyhow!("cannot build the payload: {e}"))?;
    Envelope::sign_bytes(SCORES_TYPE, bytes, &key.key).map_err(|e| anyhow!("{e}"))
}

/// Checks the record an export is about to sign: the store's own checks
/// (content against its digest, chain, sheet against the replay) and that
/// every event was signed by this key or a previous key of the same
/// expert. The key never signs over events somebody else put there.
pub fn check_signed_record(b: &Bundle, key: &Unlocked) -> Result<()> {
    b.check_record()?;
    let events = b.history()?;
    let mut accepted = vec![key.key.verify_key().clone()];
    accepted.extend(crate::keyring::previous_keys(&key.file.id, key.key_id())?);
    let bad = crate::keyring::session::unsigned_events(b, &events, &accepted, 0)?;
    if !bad.is_empty() {
        bail!(
            "{}: refused: event(s) {} were not made with your key {}; nothing was exported — hand the copy to the chair: `panelist audit` names every such event",
            b.path().display(),
            crate::keyring::session::seq_list(&bad),
            crate::crypto::short_id(key.key_id())
        );
    }
    Ok(())
}

/// Exports the working copy at `bundle_path` as the key's expert, signed,
/// to `out_path` (written atomically).
pub fn export_bundle(
    bundle_path: &Path,
    key: &Unlocked,
    out_path: &Path,
    allow_incomplete: bool,
    clock: &Clock,
) -> Result<ExportSummary> {
    // The same output checks as the command line, for every caller (the
    // screens' export dialog too): never over the bundle or the key file,
    // into a folder that exists, onto a regular file only.
    crate::support::fs::check_outputs(&[bundle_path, &key.path], &[out_path])?;
    let b = Bundle::open_read(bundle_path)?;
    check_signed_record(&b, key)?;
    let payload = build_payload(&b, key, &clock.stamp(), allow_incomplete)?;
    let env = sign_payload(&payload, key)?;
    crate::support::fs::write_atomic(out_path, env.to_text().as_bytes())?;
    Ok(ExportSummary {
        path: out_path.to_path_buf(),
        expert: payload.expert.id.clone(),
        expert_name: payload.expert.name.clone(),
        key_id: payload.expert.key_id.clone(),
        counts: Counts::of(&payload.applications),
        events: payload.head.size,
        partial: payload.partial,
    })
}

/// Reads a signed file with the size limit of any signed file.
pub fn read_signed_file(path: &Path) -> Result<String> {
    crate::support::fs::read_text(path, &crate::support::fs::limits::SIGNED)
}

/// Runs `f` on the text of [`read_signed_file`] (checked UTF-8 with SIMD:
/// files of megabytes each), held in the thread's reused buffer
/// ([`crate::support::fs::with_read`]).
pub fn with_signed_text<R>(path: &Path, f: impl FnOnce(Result<&str>) -> R) -> R {
    crate::support::fs::with_read(path, &crate::support::fs::limits::SIGNED, |r| {
        f(r.and_then(|bytes| {
            simdutf8::basic::from_utf8(bytes).map_err(|_| {
                let at = std::str::from_utf8(bytes).map_or_else(|e| e.valid_up_to(), |_| 0);
                anyhow::anyhow!("{}: not UTF-8 (byte {at})", path.display())
            })
        }))
    })
}
