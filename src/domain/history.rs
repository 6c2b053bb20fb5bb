//! The scoring history: every change an expert makes is an event in an
//! append-only, hash-chained log. This module holds the event types, their
//! canonical bytes, the chain hash and the replay that turns a log into the
//! current score sheet. Storage lives in `store`; this is pure.
//!
//! ```text
//! genesis = SHA-256("panelist.genesis.v1\n" ‖ bundle_digest[32] ‖ expert_id)
//! hash_i  = SHA-256("panelist.event.v1\n" ‖ u64be(seq_i) ‖ prev_i[32] ‖ JCS(body_i))
//! prev_1  = genesis, prev_i = hash_(i-1), seq starts at 1
//! ```
//! `body` is the event object `{"app", "expert", "time", "type", ...}` in
//! RFC 8785 canonical form.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::catalog::Rubric;

pub const GENESIS_TAG: &[u8] = b"panelist.genesis.v1\n";
pub const EVENT_TAG: &[u8] = b"panelist.event.v1\n";
/// Longest comment or reason accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// The instant of a time written as the formats require it, exactly
/// `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC, milliseconds, upper-case `T` and `Z`,
/// 24 ASCII characters, a real calendar date in years 0001–9999, hours
/// 00–23, minutes and
/// seconds 00–59), as milliseconds since 1970-01-01T00:00:00.000Z. Every
/// other spelling — an offset, missing milliseconds, lower case, a space,
/// a leap second — is `None`. The one reader of event and file times.
pub fn parse_time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 24 {
        return None;
    }
    let punct = [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'.'),
        (23, b'Z'),
    ];
    if punct.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        b[from..to].iter().try_fold(0i64, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
        })
    };
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, second, milli) = (num(11, 13)?, num(14, 16)?, num(17, 19)?, num(20, 23)?);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if year < 1
        || !(1..=12).contains(&month)
        || day < 1
        || day > month_days[(month - 1) as usize]
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    // Days from the civil date (proleptic Gregorian), 1970-01-01 = 0.
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + milli)
}

/// One change to an expert's score sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// Set (or, with `null`, clear) one criterion's score.
    Score {
        app: String,
        criterion: String,
        value: Option<i64>,
    },
    /// Replace the review comment (评审意见).
    Comment { app: String, text: String },
    /// Recommend, not recommend, or undecided (`null`).
    Recommend { app: String, value: Option<bool> },
    /// Declare a conflict of interest (回避); locks scoring.
    Recuse { app: String, reason: String },
    /// Withdraw a recusal; the earlier event stays in the log.
    Unrecuse { app: String, reason: String },
}

impl Change {
    pub fn app(&self) -> &str {
        match self {
            Change::Score { app, .. }
            | Change::Comment { app, .. }
            | Change::Recommend { app, .. }
            | Change::Recuse { app, .. }
            | Change::Unrecuse { app, .. } => app,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Change::Score { .. } => "score",
            Change::Comment { .. } => "comment",
            Change::Recommend { .. } => "recommend",
            Change::Recuse { .. } => "recuse",
            Change::Unrecuse { .. } => "unrecuse",
        }
    }
}

/// An event as stored and exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub seq: u64,
    /// RFC 3339, UTC, milliseconds: `2024-03-01T09:00:00.000Z`.
    pub time: String,
    pub expert: String,
    #[serde(flatten)]
    pub change: Change,
    /// Lower-case hex of the previous hash (genesis for seq 1).
    pub prev: String,
    /// Lower-case hex of this event's hash.
    pub hash: String,
}

/// The canonical bytes of an event body (what the chain hashes): the RFC
/// 8785 form of `{"app", "criterion"?, "expert", "reason"?, "text"?,
/// "time", "type", "value"?}`. Written directly — the keys are ASCII and
/// known, so their JCS order is this fixed order — because replaying a
/// million events must be fast; a test holds it equal to a general JCS
/// implementation.
pub fn canonical_body(time: &str, expert: &str, change: &Change) -> Vec<u8> {
    let mut o = Vec::with_capacity(160);
    let (app, criterion, reason, text, value): (
        &str,
        Option<&str>,
        Option<&str>,
        Option<&str>,
        Option<Value>,
    ) = match change {
        Change::Score {
            app,
            criterion,
            value,
        } => (
            app,
            Some(criterion),
            None,
            None,
            Some(value.map_or(Value::Null, Value::Int)),
        ),
        Change::Comment { app, text } => (app, None, None, Some(text), None),
        Change::Recommend { app, value } => (
            app,
            None,
            None,
            None,
            Some(value.map_or(Value::Null, Value::Bool)),
        ),
        Change::Recuse { app, reason } | Change::Unrecuse { app, reason } => {
            (app, None, Some(reason), None, None)
        }
    };
    o.extend_from_slice(b"{\"app\":");
    jcs_str(&mut o, app);
    if let Some(c) = criterion {
        o.extend_from_slice(b",\"criterion\":");
        jcs_str(&mut o, c);
    }
    o.extend_from_slice(b",\"expert\":");
    jcs_str(&mut o, expert);
    if let Some(r) = reason {
        o.extend_from_slice(b",\"reason\":");
        jcs_str(&mut o, r);
    }
    if let Some(t) = text {
        o.extend_from_slice(b",\"text\":");
        jcs_str(&mut o, t);
    }
    o.extend_from_slice(b",\"time\":");
    jcs_str(&mut o, time);
    o.extend_from_slice(b",\"type\":\"");
    o.extend_from_slice(change.kind().as_bytes());
    o.push(b'"');
    if let Some(v) = value {
        o.extend_from_slice(b",\"value\":");
        match v {
            Value::Null => o.extend_from_slice(b"null"),
            Value::Bool(b) => o.extend_from_slice(if b { b"true" } else { b"false" }),
            Value::Int(i) => o.extend_from_slice(i.to_string().as_bytes()),
        }
    }
    o.push(b'}');
    o
}

enum Value {
    Null,
    Bool(bool),
    Int(i64),
}

/// A JSON string as RFC 8785 (ECMAScript) writes it: `"` and `\\` escaped,
/// control characters as \b \t \n \f \r or \u00xx, all else literal.
pub fn jcs_str(o: &mut Vec<u8>, s: &str) {
    o.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            0x0C => b"\\f",
            b'\r' => b"\\r",
            0x00..=0x1F => b"",
            _ => continue,
        };
        o.extend_from_slice(&bytes[start..i]);
        if esc.is_empty() {
            const H: &[u8; 16] = b"0123456789abcdef";
            o.extend_from_slice(b"\\u00");
            o.push(H[(b >> 4) as usize]);
            o.push(H[(b & 15) as usize]);
        } else {
            o.extend_from_slice(esc);
        }
        start = i + 1;
    }
    o.extend_from_slice(&bytes[start..]);
    o.push(b'"');
}

/// The same bytes through a general RFC 8785 implementation (reference for
/// tests and for readers of the format).
pub fn canonical_body_reference(time: &str, expert: &str, change: &Change) -> Vec<u8> {
    let mut v = serde_json::to_value(change).unwrap_or(serde_json::Value::Null);
    if let serde_json::Value::Object(m) = &mut v {
        m.insert("time".into(), time.into());
        m.insert("expert".into(), expert.into());
    }
    serde_json_canonicalizer::to_vec(&v).unwrap_or_default()
}

pub fn genesis(bundle_digest: &[u8; 32], expert: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(GENESIS_TAG);
    h.update(bundle_digest);
    h.update(expert.as_bytes());
    h.finalize().into()
}

pub fn event_hash(seq: u64, prev: &[u8; 32], body: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(EVENT_TAG);
    h.update(seq.to_be_bytes());
    h.update(prev);
    h.update(body);
    h.finalize().into()
}

pub fn hex(bytes: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(H[(b >> 4) as usize] as char);
        s.push(H[(b & 15) as usize] as char);
    }
    s
}

/// Parses 64 lower-case hex digits.
pub fn unhex32(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, chunk) in s.as_bytes().chunks(2).enumerate() {
        let d = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        out[i] = d(chunk[0])? << 4 | d(chunk[1])?;
    }
    Some(out)
}

/// Builds the next event of a chain.
pub fn make_event(seq: u64, prev: &[u8; 32], time: &str, expert: &str, change: Change) -> Event {
    let body = canonical_body(time, expert, &change);
    let hash = event_hash(seq, prev, &body);
    Event {
        seq,
        time: time.to_string(),
        expert: expert.to_string(),
        change,
        prev: hex(prev),
        hash: hex(&hash),
    }
}

/// Why a chain does not verify, naming the first bad event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainError {
    /// Events must be numbered 1, 2, 3, … with no gap.
    Sequence {
        position: usize,
        expected: u64,
        found: u64,
    },
    /// The stored `prev` is not the previous hash (or genesis).
    Prev { seq: u64 },
    /// The stored hash is not the hash of the event's content.
    Hash { seq: u64 },
    /// An event names another expert than the log's owner.
    Expert { seq: u64, found: String },
    /// Time went backwards, or (`malformed`) is not written
    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    Time { seq: u64, malformed: bool },
}

impl ChainError {
    pub fn seq(&self) -> u64 {
        match self {
            ChainError::Sequence { found, .. } => *found,
            ChainError::Prev { seq }
            | ChainError::Hash { seq }
            | ChainError::Expert { seq, .. }
            | ChainError::Time { seq, .. } => *seq,
        }
    }
}

impl std::fmt::Display for ChainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainError::Sequence {
                position,
                expected,
                found,
            } => write!(
                f,
                "event #{} has seq {found}, expected {expected} (missing, duplicated or reordered event)",
                position + 1
            ),
            ChainError::Prev { seq } => {
                write!(
                    f,
                    "seq {seq}: prev does not match the hash before it (chain broken)"
                )
            }
            ChainError::Hash { seq } => {
                write!(
                    f,
                    "seq {seq}: hash does not match its content (event altered)"
                )
            }
            ChainError::Expert { seq, found } => {
                write!(
                    f,
                    "seq {seq}: event by expert '{found}' in another expert's log"
                )
            }
            ChainError::Time {
                seq,
                malformed: false,
            } => write!(f, "seq {seq}: time goes backwards"),
            ChainError::Time {
                seq,
                malformed: true,
            } => write!(
                f,
                "seq {seq}: time is not written YYYY-MM-DDTHH:MM:SS.mmmZ (UTC, milliseconds)"
            ),
        }
    }
}

/// Each event's hash recomputed from its own content and stored `prev`.
/// Independent per event, so long logs are hashed on every core.
fn recompute_hashes(events: &[Event]) -> Vec<Option<[u8; 32]>> {
    let one = |e: &Event| {
        let prev = unhex32(&e.prev)?;
        Some(event_hash(
            e.seq,
            &prev,
            &canonical_body(&e.time, &e.expert, &e.change),
        ))
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if events.len() < 20_000 || threads < 2 {
        return events.iter().map(one).collect();
    }
    let chunk = events.len().div_ceil(threads);
    std::thread::scope(|sc| {
        let parts: Vec<_> = events
            .chunks(chunk)
            .map(|c| sc.spawn(move || c.iter().map(one).collect::<Vec<_>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// Recomputes a chain from genesis. Returns the head hash (genesis for an
/// empty log) or the first problem.
pub fn verify_chain(
    bundle_digest: &[u8; 32],
    expert: &str,
    events: &[Event],
) -> Result<[u8; 32], ChainError> {
    let hashes = recompute_hashes(events);
    let mut prev = genesis(bundle_digest, expert);
    let mut last_time: Option<i64> = None;
    for (i, (e, h)) in events.iter().zip(&hashes).enumerate() {
        let expected = i as u64 + 1;
        if e.seq != expected {
            return Err(ChainError::Sequence {
                position: i,
                expected,
                found: e.seq,
            });
        }
        if unhex32(&e.prev) != Some(prev) {
            return Err(ChainError::Prev { seq: e.seq });
        }
        let Some(h) = *h else {
            return Err(ChainError::Prev { seq: e.seq });
        };
        if unhex32(&e.hash) != Some(h) {
            return Err(ChainError::Hash { seq: e.seq });
        }
        if e.expert != expert {
            return Err(ChainError::Expert {
                seq: e.seq,
                found: e.expert.clone(),
            });
        }
        let Some(t) = parse_time(&e.time) else {
            return Err(ChainError::Time {
                seq: e.seq,
                malformed: true,
            });
        };
        if last_time.is_some_and(|last| t < last) {
            return Err(ChainError::Time {
                seq: e.seq,
                malformed: false,
            });
        }
        last_time = Some(t);
        prev = h;
    }
    Ok(prev)
}

/// One application's line on the score sheet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub scores: BTreeMap<String, i64>,
    pub comment: String,
    pub recommend: Option<bool>,
    pub recused: bool,
    pub recuse_reason: String,
    /// Seq of the last event that touched this entry.
    pub last_seq: u64,
}

/// Where an application stands for this expert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Todo,
    Draft,
    Complete,
    Recused,
}

/// What an entry still lacks to be complete: the one definition the
/// status, the screens' counts and their explanation of a draft share.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lacks {
    /// Keys of the criteria not scored yet, in rubric order.
    pub criteria: Vec<String>,
    /// The comment's visible characters and the minimum, when short.
    pub comment: Option<(usize, usize)>,
    /// No recommendation given yet.
    pub recommend: bool,
}

impl Lacks {
    pub fn is_empty(&self) -> bool {
        self.criteria.is_empty() && self.comment.is_none() && !self.recommend
    }
}

impl Entry {
    pub fn status(&self, rubric: &Rubric) -> Status {
        if self.recused {
            return Status::Recused;
        }
        if self.lacks(rubric).is_empty() {
            Status::Complete
        } else if self.scores.is_empty() && self.comment.is_empty() && self.recommend.is_none() {
            Status::Todo
        } else {
            Status::Draft
        }
    }

    /// The comment's length as completeness counts it (visible characters).
    pub fn comment_chars(&self) -> usize {
        super::text::visible_chars(&self.comment)
    }

    /// What is missing before the entry is complete (recusal aside).
    pub fn lacks(&self, rubric: &Rubric) -> Lacks {
        let criteria = rubric
            .criteria
            .iter()
            .filter(|c| !self.scores.contains_key(&c.key))
            .map(|c| c.key.clone())
            .collect();
        let have = self.comment_chars();
        let need = rubric.min_comment_chars as usize;
        Lacks {
            criteria,
            comment: (have < need).then_some((have, need)),
            recommend: self.recommend.is_none(),
        }
    }

    /// Weighted total when every criterion is scored.
    pub fn total(&self, rubric: &Rubric) -> Option<i64> {
        rubric
            .criteria
            .iter()
            .map(|c| self.scores.get(&c.key).map(|v| v * c.weight))
            .sum()
    }

    /// Weighted sum of the criteria scored so far.
    pub fn partial_total(&self, rubric: &Rubric) -> i64 {
        rubric
            .criteria
            .iter()
            .filter_map(|c| self.scores.get(&c.key).map(|v| v * c.weight))
            .sum()
    }
}

/// The current state of one expert's scoring: application id → entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sheet {
    pub entries: BTreeMap<String, Entry>,
}

/// Why a change is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    UnknownApp(String),
    UnknownCriterion(String),
    OutOfScale {
        criterion: String,
        value: i64,
        min: i64,
        max: i64,
        step: i64,
    },
    Recused(String),
    NotRecused(String),
    EmptyReason,
    TooLong,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::UnknownApp(a) => write!(f, "no application '{a}' in this bundle"),
            Refusal::UnknownCriterion(c) => write!(f, "no criterion '{c}' in the rubric"),
            Refusal::OutOfScale {
                criterion,
                value,
                min,
                max,
                step,
            } => write!(
                f,
                "{criterion} = {value} is outside the rubric ({min}..{max} in steps of {step})"
            ),
            Refusal::Recused(a) => {
                write!(
                    f,
                    "application '{a}' is recused; withdraw the recusal to score it"
                )
            }
            Refusal::NotRecused(a) => write!(f, "application '{a}' is not recused"),
            Refusal::EmptyReason => write!(f, "a recusal needs a reason"),
            Refusal::TooLong => write!(f, "text longer than {MAX_TEXT_CHARS} characters"),
        }
    }
}

impl Refusal {
    /// The refusal in Chinese (the English is its `Display`).
    pub fn zh(&self) -> String {
        match self {
            Refusal::UnknownApp(a) => format!("本评审包中没有项目“{a}”"),
            Refusal::UnknownCriterion(c) => format!("评分细则中没有评分项“{c}”"),
            Refusal::OutOfScale {
                criterion,
                value,
                min,
                max,
                step,
            } => format!("{criterion} = {value} 超出评分细则（{min}..{max}，步长 {step}）"),
            Refusal::Recused(a) => format!("项目“{a}”已回避；撤回回避后才能评分"),
            Refusal::NotRecused(a) => format!("项目“{a}”未回避"),
            Refusal::EmptyReason => "回避须说明理由".to_string(),
            Refusal::TooLong => format!("文字超过 {MAX_TEXT_CHARS} 个字符"),
        }
    }
}

impl Sheet {
    pub fn entry(&self, app: &str) -> Option<&Entry> {
        self.entries.get(app)
    }

    /// Checks a change against the rubric and the current state.
    pub fn check(
        &self,
        rubric: &Rubric,
        app_exists: impl Fn(&str) -> bool,
        change: &Change,
    ) -> Result<(), Refusal> {
        let app = change.app();
        if !app_exists(app) {
            return Err(Refusal::UnknownApp(app.to_string()));
        }
        let recused = self.entries.get(app).is_some_and(|e| e.recused);
        match change {
            Change::Score {
                criterion, value, ..
            } => {
                let c = rubric
                    .criterion(criterion)
                    .ok_or_else(|| Refusal::UnknownCriterion(criterion.clone()))?;
                if let Some(v) = value
                    && !c.accepts(*v)
                {
                    return Err(Refusal::OutOfScale {
                        criterion: criterion.clone(),
                        value: *v,
                        min: c.min,
                        max: c.max,
                        step: c.step,
                    });
                }
                if recused {
                    return Err(Refusal::Recused(app.to_string()));
                }
            }
            Change::Comment { text, .. } => {
                if recused {
                    return Err(Refusal::Recused(app.to_string()));
                }
                if text.chars().count() > MAX_TEXT_CHARS {
                    return Err(Refusal::TooLong);
                }
            }
            Change::Recommend { .. } => {
                if recused {
                    return Err(Refusal::Recused(app.to_string()));
                }
            }
            Change::Recuse { reason, .. } => {
                if recused {
                    return Err(Refusal::Recused(app.to_string()));
                }
                if reason.trim().is_empty() {
                    return Err(Refusal::EmptyReason);
                }
                if reason.chars().count() > MAX_TEXT_CHARS {
                    return Err(Refusal::TooLong);
                }
            }
            Change::Unrecuse { reason, .. } => {
                if !recused {
                    return Err(Refusal::NotRecused(app.to_string()));
                }
                if reason.chars().count() > MAX_TEXT_CHARS {
                    return Err(Refusal::TooLong);
                }
            }
        }
        Ok(())
    }

    /// Applies a change that `check` accepted.
    pub fn apply(&mut self, seq: u64, change: &Change) {
        let e = self.entries.entry(change.app().to_string()).or_default();
        e.last_seq = seq;
        match change {
            Change::Score {
                criterion, value, ..
            } => match value {
                Some(v) => {
                    e.scores.insert(criterion.clone(), *v);
                }
                None => {
                    e.scores.remove(criterion);
                }
            },
            Change::Comment { text, .. } => e.comment = text.clone(),
            Change::Recommend { value, .. } => e.recommend = *value,
            Change::Recuse { reason, .. } => {
                e.recused = true;
                e.recuse_reason = reason.clone();
            }
            Change::Unrecuse { .. } => {
                e.recused = false;
                e.recuse_reason.clear();
            }
        }
    }
}

/// Replays a log into a sheet, checking every event against the rubric.
pub fn replay(
    rubric: &Rubric,
    app_exists: impl Fn(&str) -> bool,
    events: &[Event],
) -> Result<Sheet, (u64, Refusal)> {
    let mut sheet = Sheet::default();
    for e in events {
        sheet
            .check(rubric, &app_exists, &e.change)
            .map_err(|r| (e.seq, r))?;
        sheet.apply(e.seq, &e.change);
    }
    Ok(sheet)
}

/// Seqs as people read them, consecutive runs joined: `3, 5–9, 12`.
pub fn seq_ranges(seqs: &[u64]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < seqs.len() {
        let start = seqs[i];
        let mut end = start;
        while i + 1 < seqs.len() && seqs[i + 1] == end + 1 {
            i += 1;
            end = seqs[i];
        }
        out.push(if end == start {
            start.to_string()
        } else {
            format!("{start}–{end}")
        });
        i += 1;
    }
    out.join(", ")
}

#[cfg(test)]
mod seq_range_tests {
    #[test]
    fn runs_are_joined() {
        assert_eq!(super::seq_ranges(&[3, 5, 6, 7, 8, 9, 12]), "3, 5–9, 12");
        assert_eq!(super::seq_ranges(&[]), "");
        assert_eq!(super::seq_ranges(&[1, 2]), "1–2");
    }
}
