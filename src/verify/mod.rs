//! Verifying signed files against the panel roster (and optionally the
//! bundle): the chair's check on every expert's file, the auditor's later.
//!
//! The flow is the same for every payload type: parse the envelope
//! strictly, let the type's [`PayloadRules`] name the roster entry that must
//! have signed, check that signature with the roster's key (algorithm, key
//! and SM2 ID come from the roster, never from the file), then run the
//! type's content checks. Scores get the full replay ([`scores`]); the
//! chair's merged result must be signed by a roster entry with role
//! `chair` and pass the shape and consistency checks of [`MergedRules`]
//! (recomputing its figures from the expert files is `merge::recompute`).
//!
//! Every failure is one [`VerifyError`]: the [`Kind`] callers act on, the
//! first bad sequence number where there is one, and the precise message.

mod bundle;
mod combined;
mod merged;
mod roster;
mod scores;
pub mod set;

pub use bundle::BundleFacts;
pub use combined::{CombinedRules, MINISTRY_ROLE, check_payload as check_combined};
pub use merged::MergedRules;
pub use roster::{CHAIR_ROLE, check_roster, read_bundle_facts, read_checked_roster};
pub use scores::{ScoresRules, verify_scores, verify_scores_lean};

use crate::crypto::envelope::{COMBINED_TYPE, Envelope, EnvelopeError, MERGED_TYPE, SCORES_TYPE};
use crate::crypto::sign::VerifyKey;
use crate::domain::RosterEntry;
use crate::domain::text::inert_line;

/// The class of a verification failure: what a caller acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Not a well-formed signed file (syntax, encoding, JCS safety).
    Envelope,
    /// A payloadType panelist does not know, or not the one expected.
    PayloadType,
    /// No signature, the wrong number, or one that does not verify.
    Signature,
    /// The signer against the roster: not in it, no or a bad key there,
    /// another key than the roster's, not the role the file needs.
    Roster,
    /// The payload's shape and internal consistency: fields, format tag,
    /// times, rubric, duplicates, counts, the method's published rules.
    Format,
    /// The signed history's hash chain or its recorded head.
    Chain,
    /// An event the replay refuses.
    Replay,
    /// The exported results are not the replay of the history.
    Results,
    /// The file is not for the bundle given (digest, id, rubric,
    /// applications, directions).
    Bundle,
}

/// Why a file does not verify. Displays as its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyError {
    pub kind: Kind,
    /// The first bad sequence number of the history, where there is one.
    pub seq: Option<u64>,
    pub message: String,
}

impl VerifyError {
    pub fn new(kind: Kind, message: impl Into<String>) -> VerifyError {
        VerifyError {
            kind,
            seq: None,
            message: message.into(),
        }
    }

    /// A failure at event `seq` of the history.
    pub fn at(kind: Kind, seq: u64, message: impl Into<String>) -> VerifyError {
        VerifyError {
            kind,
            seq: Some(seq),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for VerifyError {}

/// The class of an envelope error.
fn envelope_error(e: EnvelopeError) -> VerifyError {
    let kind = match e {
        EnvelopeError::Syntax(_) | EnvelopeError::NotJcsSafe(_) => Kind::Envelope,
        EnvelopeError::NoSignatureBy { .. }
        | EnvelopeError::Base64 { .. }
        | EnvelopeError::Invalid { .. }
        | EnvelopeError::Sign(_) => Kind::Signature,
    };
    VerifyError::new(kind, e.to_string())
}

/// A payload read closed as its type (`formats::read_payload`), its
/// failure classed.
pub fn read_payload<T: crate::formats::Payload>(env: &Envelope) -> Result<T, VerifyError> {
    crate::formats::read_payload(env).map_err(|e| match e {
        crate::formats::PayloadError::Envelope(e) => envelope_error(e),
        e @ crate::formats::PayloadError::Shape(_) => VerifyError::new(Kind::Format, e.to_string()),
    })
}

/// Parses an envelope strictly, allowing no signature (the checks name
/// that case themselves).
pub fn parse_envelope(text: &str) -> Result<Envelope, VerifyError> {
    Envelope::parse_unsigned(text).map_err(envelope_error)
}

/// The roster's key of `signer`, checked.
fn roster_key(signer: &RosterEntry) -> Result<VerifyKey, VerifyError> {
    VerifyKey::from_roster(signer).map_err(|m| VerifyError::new(Kind::Roster, m))
}

/// Checks `env`'s signature with `key`.
fn check_signature(env: &Envelope, key: &VerifyKey) -> Result<(), VerifyError> {
    env.verify_by(&key.key_id(), key).map_err(envelope_error)
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

/// What each payload type adds to the common envelope check.
pub trait PayloadRules {
    /// The roster entry whose key must have signed `env`.
    fn signer<'r>(
        &self,
        env: &Envelope,
        roster: &'r [RosterEntry],
    ) -> Result<&'r RosterEntry, VerifyError>;
    /// Content checks, run once the signature verified. Returns the
    /// summary for the OK line.
    fn check(
        &self,
        env: &Envelope,
        signer: &RosterEntry,
        ctx: &Context,
    ) -> Result<String, VerifyError>;
}

/// The rules of a payload type, if panelist knows it.
pub fn rules_for(payload_type: &str) -> Option<&'static dyn PayloadRules> {
    match payload_type {
        SCORES_TYPE => Some(&ScoresRules),
        MERGED_TYPE => Some(&MergedRules),
        COMBINED_TYPE => Some(&CombinedRules),
        _ => None,
    }
}

/// Verifies one signed file's text. `Err` is the precise reason it is bad.
pub fn verify_text(text: &str, ctx: &Context) -> Result<Verified, VerifyError> {
    let env = parse_envelope(text)?;
    verify_envelope(&env, ctx)
}

/// [`verify_text`] for an envelope already parsed (strictly, with
/// `Envelope::parse_unsigned`), so a caller that needs the payload too
/// parses the file once.
pub fn verify_envelope(env: &Envelope, ctx: &Context) -> Result<Verified, VerifyError> {
    if env.signatures.is_empty() {
        return Err(if env.payload_type == MERGED_TYPE {
            VerifyError::new(
                Kind::Signature,
                "unsigned merged result (made without the chair's --key): a draft, not verifiable",
            )
        } else if env.payload_type == COMBINED_TYPE {
            VerifyError::new(
                Kind::Signature,
                crate::tr!(
                    "未签名的合并结果（未用部里的 --key 签署）：只是草稿，不能校验",
                    "unsigned combined result (made without the ministry's --key): a draft, not verifiable"
                ),
            )
        } else {
            unsigned()
        });
    }
    if env.payload_type == SCORES_TYPE {
        return verify_scores_lean(env, ctx, |_| ()).map(|(v, _, ())| v);
    }
    let rules = rules_for(&env.payload_type).ok_or_else(|| {
        VerifyError::new(
            Kind::PayloadType,
            format!(
                "unknown payloadType '{}' (expected {SCORES_TYPE}, {MERGED_TYPE} or {COMBINED_TYPE})",
                inert_line(&env.payload_type)
            ),
        )
    })?;
    let signer = rules.signer(env, ctx.roster)?;
    let key = roster_key(signer)?;
    check_signature(env, &key)?;
    let summary = rules.check(env, signer, ctx)?;
    Ok(Verified {
        payload_type: env.payload_type.clone(),
        signer: signer.id.clone(),
        summary,
    })
}

/// A file with no signature at all.
fn unsigned() -> VerifyError {
    VerifyError::new(
        Kind::Signature,
        EnvelopeError::Syntax("no signatures".into()).to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsigned_files_fail_on_their_signature() {
        let env = Envelope {
            payload_type: SCORES_TYPE.into(),
            payload: b"{}".to_vec(),
            signatures: Vec::new(),
        };
        let ctx = Context {
            roster: &[],
            bundle: None,
        };
        let e = verify_envelope(&env, &ctx).unwrap_err();
        assert_eq!((e.kind, e.seq), (Kind::Signature, None));
        assert_eq!(e.to_string(), "not a signed panelist file: no signatures");
        let merged = Envelope {
            payload_type: MERGED_TYPE.into(),
            ..env
        };
        let e = verify_envelope(&merged, &ctx).unwrap_err();
        assert_eq!(e.kind, Kind::Signature);
        assert!(e.message.starts_with("unsigned merged result"), "{e}");
    }

    #[test]
    fn a_failure_at_an_event_keeps_its_seq_out_of_the_message() {
        let e = VerifyError::at(Kind::Chain, 19, "history: seq 19: hash does not match");
        assert_eq!(e.seq, Some(19));
        assert_eq!(e.to_string(), "history: seq 19: hash does not match");
    }
}
