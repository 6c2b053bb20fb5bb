//! An expert's signed scores: the payload built from a working copy, the
//! file written, and (in [`verify`]) the checks a chair or auditor runs on
//! it. The format is specified in `docs/formats.md`; the JSON Schema
//! is `assets/schema/export.schema.json`.
//!
//! Everything in the payload is derived from the scoring history: the
//! per-application results are the replay of the events, so a verifier
//! holding only the file can recompute them.

pub mod verify;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::crypto::envelope::{Envelope, SCORES_TYPE};
use crate::domain::history::{self, Change, Entry, Event, Sheet, Status};
use crate::domain::{Criterion, Rubric};
use crate::keyring::Unlocked;
use crate::store::Bundle;
use crate::support::clock::Clock;

/// The payload's own format tag.
pub const PAYLOAD_FORMAT: &str = "panelist.scores.v1";

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

/// Where one application stands in the export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppResult {
    pub id: String,
    /// "complete", "recused", "draft" or "todo".
    pub status: String,
    /// Criterion key → score; empty when recused.
    pub scores: BTreeMap<String, i64>,
    /// Weighted total when every criterion is scored and not recused.
    pub total: Option<i64>,
    /// Empty when recused.
    pub comment: String,
    /// Null when undecided or recused.
    pub recommend: Option<bool>,
    /// The recusal's reason when recused, else null.
    pub recuse_reason: Option<String>,
}

pub fn status_name(s: Status) -> &'static str {
    match s {
        Status::Todo => "todo",
        Status::Draft => "draft",
        Status::Complete => "complete",
        Status::Recused => "recused",
    }
}

impl AppResult {
    /// The exported result of one application, from its replayed entry.
    pub fn of(id: &str, entry: Option<&Entry>, rubric: &Rubric) -> AppResult {
        let empty = Entry::default();
        let e = entry.unwrap_or(&empty);
        let status = e.status(rubric);
        if status == Status::Recused {
            return AppResult {
                id: id.to_string(),
                status: status_name(status).into(),
                scores: BTreeMap::new(),
                total: None,
                comment: String::new(),
                recommend: None,
                recuse_reason: Some(e.recuse_reason.clone()),
            };
        }
        AppResult {
            id: id.to_string(),
            status: status_name(status).into(),
            scores: e.scores.clone(),
            total: e.total(rubric),
            comment: e.comment.clone(),
            recommend: e.recommend,
            recuse_reason: None,
        }
    }
}

/// The log's size and last hash (genesis when empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadRef {
    pub size: u64,
    pub hash: String,
}

/// An expert's signed scores (payloadType [`SCORES_TYPE`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoresPayload {
    pub format: String,
    pub tool_version: String,
    pub bundle: BundleRef,
    pub expert: ExpertRef,
    /// RFC 3339 UTC time of the export.
    pub created: String,
    /// True when some application is neither complete nor recused.
    pub partial: bool,
    pub rubric: RubricRef,
    /// Every application of the bundle, in bundle order.
    pub applications: Vec<AppResult>,
    /// Every event, seq 1..n, as in the working copy.
    #[serde(with = "events_json")]
    pub history: Vec<Event>,
    pub head: HeadRef,
}

/// Events as JSON objects: `{"seq", "time", "expert", "type", "app", …,
/// "prev", "hash"}`, read strictly (an unknown field is an error).
mod events_json {
    use super::*;
    use serde::de::Error as _;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(events: &[Event], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(events.iter())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Event>, D::Error> {
        let raw: Vec<Value> = Vec::deserialize(d)?;
        raw.into_iter()
            .enumerate()
            .map(|(i, v)| {
                event_from_value(v).map_err(|m| D::Error::custom(format!("history[{i}]: {m}")))
            })
            .collect()
    }
}

/// Parses one exported event object.
pub fn event_from_value(v: Value) -> Result<Event, String> {
    let Value::Object(mut m) = v else {
        return Err("an event is a JSON object".into());
    };
    let mut take_str = |k: &str| match m.remove(k) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(format!("'{k}' is not a string")),
        None => Err(format!("missing '{k}'")),
    };
    let time = take_str("time")?;
    let expert = take_str("expert")?;
    let prev = take_str("prev")?;
    let hash = take_str("hash")?;
    let seq = match m.remove("seq") {
        Some(Value::Number(n)) => n.as_u64().ok_or("'seq' is not a positive integer")?,
        Some(_) => return Err("'seq' is not a number".into()),
        None => return Err("missing 'seq'".into()),
    };
    let change: Change = serde_json::from_value(Value::Object(m)).map_err(|e| e.to_string())?;
    Ok(Event {
        seq,
        time,
        expert,
        change,
        prev,
        hash,
    })
}

/// How many applications stand where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub complete: usize,
    pub recused: usize,
    pub draft: usize,
    pub todo: usize,
}

impl Counts {
    pub fn of(apps: &[AppResult]) -> Counts {
        let mut c = Counts::default();
        for a in apps {
            match a.status.as_str() {
                "complete" => c.complete += 1,
                "recused" => c.recused += 1,
                "draft" => c.draft += 1,
                _ => c.todo += 1,
            }
        }
        c
    }

    /// Applications neither complete nor recused.
    pub fn open(&self) -> usize {
        self.draft + self.todo
    }

    /// `60 scored, 2 recused, 0 to do`.
    pub fn line(&self) -> String {
        format!(
            "{} scored, {} recused, {} to do",
            self.complete,
            self.recused,
            self.open()
        )
    }
}

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

/// Replays `events` and derives every application's result, in the order
/// of `app_ids`.
pub fn results(
    rubric: &Rubric,
    app_ids: &[String],
    events: &[Event],
) -> Result<(Sheet, Vec<AppResult>), String> {
    let ids: BTreeSet<&str> = app_ids.iter().map(String::as_str).collect();
    let sheet = history::replay(rubric, |a| ids.contains(a), events)
        .map_err(|(seq, r)| format!("history seq {seq} is refused on replay: {r}"))?;
    let apps = app_ids
        .iter()
        .map(|id| AppResult::of(id, sheet.entry(id), rubric))
        .collect();
    Ok((sheet, apps))
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
    let (_, apps) = results(&b.rubric, &app_ids, &events).map_err(|m| anyhow!("{path}: {m}"))?;
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
        format: PAYLOAD_FORMAT.into(),
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
    let v = serde_json::to_value(p).map_err(|e| anyhow!("cannot build the payload: {e}"))?;
    Envelope::sign(SCORES_TYPE, v, &key.key).map_err(|e| anyhow!("{e}"))
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
    let b = Bundle::open_read(bundle_path)?;
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

/// The roster at `path` (a JSON array, or a bundle's), checked fit to
/// verify signed files against.
pub fn read_checked_roster(path: &Path) -> Result<Vec<crate::domain::RosterEntry>> {
    let roster = crate::import::read_roster(path)?;
    verify::check_roster(&roster).map_err(|m| anyhow!("{}: {m}", path.display()))?;
    Ok(roster)
}

/// The facts of the bundle at `path`, when one is given.
pub fn read_bundle_facts(path: Option<&Path>) -> Result<Option<verify::BundleFacts>> {
    path.map(verify::BundleFacts::read).transpose()
}

/// Largest signed file read.
const MAX_SIGNED_FILE: u64 = 256 * 1024 * 1024;

/// Reads a signed file with the size limit of any input.
pub fn read_signed_file(path: &Path) -> Result<String> {
    let p = path.display();
    let md = std::fs::metadata(path)
        .map_err(|e| anyhow!("{p}: cannot read: {}", crate::import::io_msg(&e)))?;
    if md.is_dir() {
        return Err(anyhow!("{p}: is a directory"));
    }
    if md.len() > MAX_SIGNED_FILE {
        return Err(anyhow!("{p}: larger than {} MiB", MAX_SIGNED_FILE >> 20));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| anyhow!("{p}: cannot read: {}", crate::import::io_msg(&e)))?;
    String::from_utf8(bytes)
        .map_err(|e| anyhow!("{p}: not UTF-8 (byte {})", e.utf8_error().valid_up_to()))
}
