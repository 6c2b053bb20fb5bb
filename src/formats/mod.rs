//! The signed payload types, read and written strictly: every object is
//! closed (an unknown field is an error). Specified in `docs/formats.md`.
//!
//! - [`scores`]: an expert's exported scores (payloadType
//!   [`SCORES_TYPE`](crate::crypto::envelope::SCORES_TYPE));
//! - [`merged`]: the chair's merged result (payloadType
//!   [`MERGED_TYPE`](crate::crypto::envelope::MERGED_TYPE));
//! - here: the references both payloads share.
//!
//! The types know nothing of files, stores or signing keys: `export` and
//! `merge` build them, `verify` checks them.

pub mod combined;
pub mod merged;
pub mod scores;

use serde::{Deserialize, Serialize};

use crate::crypto::envelope::{Envelope, EnvelopeError};
use crate::domain::{Criterion, Rubric};

/// Why a signed file's payload is not one of its type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// Not strict JSON, not an object, or not JCS-safe.
    #[error("{0}")]
    Envelope(EnvelopeError),
    /// Not the type's shape: a field missing, unknown, of the wrong type.
    #[error("payload: {0}")]
    Shape(String),
}

/// A signed payload type as [`read_payload`] reads it.
pub trait Payload: serde::de::DeserializeOwned + Serialize {
    /// The type's reader of canonical bytes (`support::canon`), when it
    /// has one: one pass that also computes what the type derives from
    /// its bytes (the scores chain). Refused bytes are read again by the
    /// general reader, to say what is wrong.
    fn read_canonical(_text: &str) -> Option<crate::support::canon::Result<Self>> {
        None
    }
}

impl Payload for merged::MergedPayload {}
impl Payload for combined::CombinedPayload {}

/// Reads a signed file's payload as `T`, closed: duplicate keys, unknown
/// and missing fields (optional ones included), values of the wrong type
/// and numbers that are not integers below 2^53 are refused; a type with
/// a canonical reader also refuses bytes not in canonical form.
///
/// One pass over the bytes into `T` (the type's canonical reader, else
/// `support::strict`), no JSON tree; a refused payload is read again the
/// slow way only to say where and what is wrong in the words the
/// verifiers have always used.
pub fn read_payload<T: Payload>(env: &Envelope) -> Result<T, PayloadError> {
    if let Some(fast) = T::read_canonical(env.payload_text()) {
        return fast.map_err(|e| {
            explain::<T>(env).err().unwrap_or_else(|| {
                PayloadError::Shape(format!(
                    "not written in canonical form (RFC 8785, docs/formats.md section 2): {e}"
                ))
            })
        });
    }
    match crate::support::strict::from_slice::<T>(&env.payload) {
        Ok(t) => Ok(t),
        Err(fast) => Err(explain::<T>(env)
            .err()
            .unwrap_or_else(|| PayloadError::Shape(fast.to_string()))),
    }
}

/// The reason a payload is refused, from a strict tree of it: duplicate
/// keys, JCS safety with the JSON path, then the closed typed reading.
fn explain<T: serde::de::DeserializeOwned + Serialize>(env: &Envelope) -> Result<T, PayloadError> {
    let v = env.payload_value().map_err(PayloadError::Envelope)?;
    crate::support::jsonio::from_value_closed(&v, true)
        .map_err(|e| PayloadError::Shape(e.to_string()))
}

/// The scores payload's own format tag.
pub const SCORES_FORMAT: &str = "panelist.scores.v3";

/// The combined payload's own format tag.
pub const COMBINED_FORMAT: &str = "panelist.combined.v1";

/// The merged payload's own format tag.
pub const MERGED_FORMAT: &str = "panelist.merged.v4";

/// Which bundle was scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleRef {
    pub id: String,
    /// Hex SHA-256 of the bundle's canonical content.
    pub digest: String,
    pub call: String,
    pub panel: String,
}

/// Who scored, with the key that signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpertRef {
    pub id: String,
    pub name: String,
    pub org: String,
    pub key_id: String,
}

/// One criterion as replay needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriterionRef {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    pub min: i64,
    pub max: i64,
    pub step: i64,
    pub weight: i64,
}

/// The rubric as replay needs it (guidance and bands are left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RubricRef {
    pub min_comment_chars: u32,
    pub criteria: Vec<CriterionRef>,
}

impl RubricRef {
    pub fn of(r: &Rubric) -> RubricRef {
        RubricRef {
            min_comment_chars: r.min_comment_chars,
            criteria: r
                .criteria
                .iter()
                .map(|c| CriterionRef {
                    key: c.key.clone(),
                    name_zh: c.name_zh.clone(),
                    name_en: c.name_en.clone(),
                    min: c.min,
                    max: c.max,
                    step: c.step,
                    weight: c.weight,
                })
                .collect(),
        }
    }

    /// A rubric to replay with, checked for sanity (non-empty, positive
    /// steps and weights, bounded scales).
    pub fn to_rubric(&self) -> Result<Rubric, String> {
        let r = Rubric {
            name_zh: String::new(),
            name_en: String::new(),
            min_comment_chars: self.min_comment_chars,
            criteria: self
                .criteria
                .iter()
                .map(|c| Criterion {
                    key: c.key.clone(),
                    name_zh: c.name_zh.clone(),
                    name_en: c.name_en.clone(),
                    min: c.min,
                    max: c.max,
                    step: c.step,
                    weight: c.weight,
                    guidance_zh: String::new(),
                    guidance_en: String::new(),
                    bands: Vec::new(),
                })
                .collect(),
        };
        r.validate()?;
        Ok(r)
    }
}

/// The log's size and last hash (genesis when empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadRef {
    pub size: u64,
    pub hash: String,
}
