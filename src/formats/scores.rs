//! An expert's scores payload (format [`SCORES_FORMAT`](super::SCORES_FORMAT), payloadType
//! [`SCORES_TYPE`](crate::crypto::envelope::SCORES_TYPE)): every
//! per-application result is the replay of the signed history, so a
//! verifier holding only the file can recompute it. Specified in
//! `docs/formats.md` section 3.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{BundleRef, ExpertRef, HeadRef, RubricRef};
use crate::domain::Rubric;
use crate::domain::history::{self, Change, Entry, Event, Sheet, Status};

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
        crate::tr!(
            format!(
                "已评 {}，回避 {}，待评 {}",
                self.complete,
                self.recused,
                self.open()
            ),
            format!(
                "{} scored, {} recused, {} to do",
                self.complete,
                self.recused,
                self.open()
            )
        )
    }
}

/// An event the replay refuses: its seq and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub seq: u64,
    pub reason: String,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "history seq {} is refused on replay: {}",
            self.seq, self.reason
        )
    }
}

impl std::error::Error for Refused {}

/// Replays `events` and derives every application's result, in the order
/// of `app_ids`.
pub fn results(
    rubric: &Rubric,
    app_ids: &[String],
    events: &[Event],
) -> Result<(Sheet, Vec<AppResult>), Refused> {
    let ids: BTreeSet<&str> = app_ids.iter().map(String::as_str).collect();
    let sheet =
        history::replay(rubric, |a| ids.contains(a), events).map_err(|(seq, r)| Refused {
            seq,
            reason: r.to_string(),
        })?;
    let apps = app_ids
        .iter()
        .map(|id| AppResult::of(id, sheet.entry(id), rubric))
        .collect();
    Ok((sheet, apps))
}
