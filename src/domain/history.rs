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

/// One change to an expert's score sheet, its texts of type `S`: owned
/// in a [`Change`], borrowed in a [`ChangeRef`] (from a `Change`, or from
/// the bytes a verifier reads) so a replay need not own them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Changed<S> {
    /// Set (or, with `null`, clear) one criterion's score.
    Score {
        app: S,
        criterion: S,
        value: Option<i64>,
    },
    /// Replace the review comment (评审意见).
    Comment { app: S, text: S },
    /// Recommend, not recommend, or undecided (`null`).
    Recommend { app: S, value: Option<bool> },
    /// Declare a conflict of interest (回避); locks scoring.
    Recuse { app: S, reason: S },
    /// Withdraw a recusal; the earlier event stays in the log.
    Unrecuse { app: S, reason: S },
}

/// A change as stored and exported, its texts owned.
pub type Change = Changed<String>;

/// A change whose texts are borrowed.
pub type ChangeRef<'a> = Changed<&'a str>;

impl<S> Changed<S> {
    /// The same change with every text `f` of the one here.
    pub fn map_ref<'s, T>(&'s self, f: impl Fn(&'s S) -> T) -> Changed<T> {
        match self {
            Changed::Score {
                app,
                criterion,
                value,
            } => Changed::Score {
                app: f(app),
                criterion: f(criterion),
                value: *value,
            },
            Changed::Comment { app, text } => Changed::Comment {
                app: f(app),
                text: f(text),
            },
            Changed::Recommend { app, value } => Changed::Recommend {
                app: f(app),
                value: *value,
            },
            Changed::Recuse { app, reason } => Changed::Recuse {
                app: f(app),
                reason: f(reason),
            },
            Changed::Unrecuse { app, reason } => Changed::Unrecuse {
                app: f(app),
                reason: f(reason),
            },
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Changed::Score { .. } => "score",
            Changed::Comment { .. } => "comment",
            Changed::Recommend { .. } => "recommend",
            Changed::Recuse { .. } => "recuse",
            Changed::Unrecuse { .. } => "unrecuse",
        }
    }
}

impl<S: AsRef<str>> Changed<S> {
    pub fn app(&self) -> &str {
        match self {
            Changed::Score { app, .. }
            | Changed::Comment { app, .. }
            | Changed::Recommend { app, .. }
            | Changed::Recuse { app, .. }
            | Changed::Unrecuse { app, .. } => app.as_ref(),
        }
    }

    /// The change with its texts borrowed from this one.
    pub fn as_ref(&self) -> ChangeRef<'_> {
        self.map_ref(|s| s.as_ref())
    }
}

impl<'a> From<&'a Change> for ChangeRef<'a> {
    fn from(c: &'a Change) -> ChangeRef<'a> {
        c.as_ref()
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
    canonical_body_into(&mut o, time, expert, change);
    o
}

/// [`canonical_body`] written into `o` (cleared first), so a long chain
/// reuses one buffer.
pub fn canonical_body_into(o: &mut Vec<u8>, time: &str, expert: &str, change: &Change) {
    o.clear();
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
    jcs_str(o, app);
    if let Some(c) = criterion {
        o.extend_from_slice(b",\"criterion\":");
        jcs_str(o, c);
    }
    o.extend_from_slice(b",\"expert\":");
    jcs_str(o, expert);
    if let Some(r) = reason {
        o.extend_from_slice(b",\"reason\":");
        jcs_str(o, r);
    }
    if let Some(t) = text {
        o.extend_from_slice(b",\"text\":");
        jcs_str(o, t);
    }
    o.extend_from_slice(b",\"time\":");
    jcs_str(o, time);
    o.extend_from_slice(b",\"type\":\"");
    o.extend_from_slice(change.kind().as_bytes());
    o.push(b'"');
    if let Some(v) = value {
        o.extend_from_slice(b",\"value\":");
        match v {
            Value::Null => o.extend_from_slice(b"null"),
            Value::Bool(b) => o.extend_from_slice(if b { b"true" } else { b"false" }),
            Value::Int(i) => push_int(o, i),
        }
    }
    o.push(b'}');
}

/// The decimal digits of `i` (what `i.to_string()` gives, and how JCS
/// writes an integer), without an allocation.
pub fn push_int(o: &mut Vec<u8>, i: i64) {
    let mut digits = [0u8; 20];
    let mut n = i.unsigned_abs();
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if i < 0 {
        o.push(b'-');
    }
    o.extend_from_slice(&digits[at..]);
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
    // Most strings need no escape: one branch-free scan, one copy.
    if !bytes.iter().fold(false, |any, &b| {
        any | (b < 0x20) | (b == b'"') | (b == b'\\')
    }) {
        o.extend_from_slice(bytes);
        o.push(b'"');
        return;
    }
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
    // Written as bytes into a buffer of the final size (a verify makes
    // one per event), then checked as the ASCII it is.
    let mut out = vec![0u8; bytes.len() * 2];
    for (o, b) in out.chunks_exact_mut(2).zip(bytes) {
        o[0] = H[(b >> 4) as usize];
        o[1] = H[(b & 15) as usize];
    }
    String::from_utf8(out).unwrap_or_default()
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

/// Lower-case hex of a hash, on the stack.
fn hex32(bytes: &[u8; 32]) -> [u8; 64] {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (i, b) in bytes.iter().enumerate() {
        out[2 * i] = H[(b >> 4) as usize];
        out[2 * i + 1] = H[(b & 15) as usize];
    }
    out
}

/// The checks of events `from..from + chunk.len()` of a chain, each event
/// on its own: its seq, that its `prev` is the hash stored on the event
/// before it (genesis for the first), that its hash is the hash of its
/// content, its expert and its time (not before the event before it).
/// Since every stored hash is checked against its content and every
/// `prev` against the stored hash before it, the chunks of a long log can
/// be checked on separate cores. Returns the first problem in the chunk.
fn check_events(
    genesis_hex: &[u8; 64],
    expert: &str,
    events: &[Event],
    (from, to): (usize, usize),
) -> Result<(), ChainError> {
    let mut body = Vec::with_capacity(512);
    let mut last_time: Option<i64> = from
        .checked_sub(1)
        .and_then(|i| parse_time(&events[i].time));
    for (i, e) in events.iter().enumerate().take(to).skip(from) {
        let expected = i as u64 + 1;
        if e.seq != expected {
            return Err(ChainError::Sequence {
                position: i,
                expected,
                found: e.seq,
            });
        }
        let want_prev: &[u8] = match i.checked_sub(1) {
            None => genesis_hex,
            Some(j) => events[j].hash.as_bytes(),
        };
        if e.prev.as_bytes() != want_prev {
            return Err(ChainError::Prev { seq: e.seq });
        }
        // The previous event's stored hash passed its own check, so it
        // is 64 lower-case hex digits, and so is this `prev`.
        let Some(prev) = unhex32(&e.prev) else {
            return Err(ChainError::Prev { seq: e.seq });
        };
        canonical_body_into(&mut body, &e.time, &e.expert, &e.change);
        let h = event_hash(e.seq, &prev, &body);
        if e.hash.as_bytes() != hex32(&h) {
            return Err(ChainError::Hash { seq: e.seq });
        }
        last_time = Some(check_owner_time(
            e.seq, &e.expert, &e.time, expert, last_time,
        )?);
    }
    Ok(())
}

/// The checks of event `seq` a chain's hashes do not make: it is by the
/// log's `expert`, and its `time` is well written and not before `last`
/// (the time of the event before it). Returns its time in milliseconds.
pub fn check_owner_time(
    seq: u64,
    by: &str,
    time: &str,
    expert: &str,
    last: Option<i64>,
) -> Result<i64, ChainError> {
    if by != expert {
        return Err(ChainError::Expert {
            seq,
            found: by.to_string(),
        });
    }
    let Some(t) = parse_time(time) else {
        return Err(ChainError::Time {
            seq,
            malformed: true,
        });
    };
    if last.is_some_and(|last| t < last) {
        return Err(ChainError::Time {
            seq,
            malformed: false,
        });
    }
    Ok(t)
}

/// Recomputes a chain from genesis. Returns the head hash (genesis for an
/// empty log) or the first problem. Long logs are checked on every core.
pub fn verify_chain(
    bundle_digest: &[u8; 32],
    expert: &str,
    events: &[Event],
) -> Result<[u8; 32], ChainError> {
    let genesis = genesis(bundle_digest, expert);
    let genesis_hex = hex32(&genesis);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if events.len() < 20_000 || threads < 2 {
        check_events(&genesis_hex, expert, events, (0, events.len()))?;
    } else {
        let chunk = events.len().div_ceil(threads);
        let firsts: Vec<Result<(), ChainError>> = std::thread::scope(|sc| {
            let parts: Vec<_> = (0..events.len())
                .step_by(chunk)
                .map(|from| {
                    let to = (from + chunk).min(events.len());
                    let g = &genesis_hex;
                    sc.spawn(move || check_events(g, expert, events, (from, to)))
                })
                .collect();
            parts
                .into_iter()
                .map(|h| h.join().unwrap_or(Err(ChainError::Prev { seq: 0 })))
                .collect()
        });
        // The first problem of the first chunk that has one is the first
        // problem of the log.
        for r in firsts {
            r?;
        }
    }
    Ok(match events.last() {
        None => genesis,
        Some(e) => unhex32(&e.hash).unwrap_or(genesis),
    })
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
        if self.is_complete(rubric) {
            Status::Complete
        } else if self.scores.is_empty() && self.comment.is_empty() && self.recommend.is_none() {
            Status::Todo
        } else {
            Status::Draft
        }
    }

    /// Whether the entry is complete (`status` is `Complete`), found
    /// without listing what it lacks.
    pub fn is_complete(&self, rubric: &Rubric) -> bool {
        !self.recused
            && self.recommend.is_some()
            && rubric
                .criteria
                .iter()
                .all(|c| self.scores.contains_key(&c.key))
            && super::text::visible_at_least(&self.comment, rubric.min_comment_chars as usize)
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
        check_change(rubric, self.entries.get(app), change.into())
    }

    /// Applies a change that `check` accepted.
    pub fn apply(&mut self, seq: u64, change: &Change) {
        // Looked up before inserting: the key is copied only the first
        // time an application is touched.
        let app = change.app();
        let e = match self.entries.get_mut(app) {
            Some(e) => e,
            None => self.entries.entry(app.to_string()).or_default(),
        };
        e.apply(seq, change.into());
    }
}

/// More characters than a text may hold. A string of at most
/// `MAX_TEXT_CHARS` bytes cannot hold more characters than bytes, so
/// most texts are never counted.
fn too_long(text: &str) -> bool {
    text.len() > MAX_TEXT_CHARS && text.chars().count() > MAX_TEXT_CHARS
}

/// Checks a change against the rubric and the state of its application's
/// entry (None: never touched). Whether the application exists is the
/// caller's to check.
pub fn check_change(
    rubric: &Rubric,
    entry: Option<&Entry>,
    change: ChangeRef<'_>,
) -> Result<(), Refusal> {
    let app = change.app();
    let recused = entry.is_some_and(|e| e.recused);
    match change {
        ChangeRef::Score {
            criterion, value, ..
        } => {
            let c = rubric
                .criterion(criterion)
                .ok_or_else(|| Refusal::UnknownCriterion(criterion.to_string()))?;
            if let Some(v) = value
                && !c.accepts(v)
            {
                return Err(Refusal::OutOfScale {
                    criterion: criterion.to_string(),
                    value: v,
                    min: c.min,
                    max: c.max,
                    step: c.step,
                });
            }
            if recused {
                return Err(Refusal::Recused(app.to_string()));
            }
        }
        ChangeRef::Comment { text, .. } => {
            if recused {
                return Err(Refusal::Recused(app.to_string()));
            }
            if too_long(text) {
                return Err(Refusal::TooLong);
            }
        }
        ChangeRef::Recommend { .. } => {
            if recused {
                return Err(Refusal::Recused(app.to_string()));
            }
        }
        ChangeRef::Recuse { reason, .. } => {
            if recused {
                return Err(Refusal::Recused(app.to_string()));
            }
            if reason.trim().is_empty() {
                return Err(Refusal::EmptyReason);
            }
            if too_long(reason) {
                return Err(Refusal::TooLong);
            }
        }
        ChangeRef::Unrecuse { reason, .. } => {
            if !recused {
                return Err(Refusal::NotRecused(app.to_string()));
            }
            if too_long(reason) {
                return Err(Refusal::TooLong);
            }
        }
    }
    Ok(())
}

impl Entry {
    /// Applies a change to this entry that [`check_change`] accepted.
    pub fn apply(&mut self, seq: u64, change: ChangeRef<'_>) {
        // A criterion's key is copied only the first time it is scored.
        let e = self;
        e.last_seq = seq;
        match change {
            ChangeRef::Score {
                criterion, value, ..
            } => match value {
                Some(v) => match e.scores.get_mut(criterion) {
                    Some(old) => *old = v,
                    None => {
                        e.scores.insert(criterion.to_string(), v);
                    }
                },
                None => {
                    e.scores.remove(criterion);
                }
            },
            ChangeRef::Comment { text, .. } => {
                e.comment.clear();
                e.comment.push_str(text);
            }
            ChangeRef::Recommend { value, .. } => e.recommend = value,
            ChangeRef::Recuse { reason, .. } => {
                e.recused = true;
                e.recuse_reason.clear();
                e.recuse_reason.push_str(reason);
            }
            ChangeRef::Unrecuse { .. } => {
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

#[cfg(test)]
mod long_chain_tests {
    use super::*;

    fn chain(n: u64) -> (Vec<Event>, [u8; 32]) {
        let digest = [5u8; 32];
        let mut prev = genesis(&digest, "E01");
        let mut events = Vec::new();
        for i in 0..n {
            let c = Change::Score {
                app: format!("A{}", i % 7),
                criterion: "innovation".into(),
                value: Some((i % 26) as i64 - 3),
            };
            let e = make_event(i + 1, &prev, "2024-03-01T09:00:00.000Z", "E01", c);
            prev = unhex32(&e.hash).expect("hex");
            events.push(e);
        }
        (events, digest)
    }

    /// A log long enough to be checked in chunks on several cores names
    /// the same first problem as one read from the start: at a chunk's
    /// first event, in a later chunk, and with problems in two chunks.
    #[test]
    fn a_long_chain_names_its_first_problem_wherever_the_chunks_fall() {
        let (events, digest) = chain(25_000);
        let head = verify_chain(&digest, "E01", &events).expect("verifies");
        assert_eq!(hex(&head), events[24_999].hash);
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        let boundary = 25_000usize.div_ceil(threads);
        for at in [0usize, 1, boundary - 1, boundary, boundary + 1, 24_999] {
            let mut bad = events.clone();
            bad[at].hash = hex(&[9u8; 32]);
            let e = verify_chain(&digest, "E01", &bad).unwrap_err();
            assert_eq!(e, ChainError::Hash { seq: at as u64 + 1 }, "at {at}");
            let mut bad = events.clone();
            bad[at].prev = bad[at].prev.to_uppercase();
            let e = verify_chain(&digest, "E01", &bad).unwrap_err();
            assert_eq!(e, ChainError::Prev { seq: at as u64 + 1 }, "at {at}");
            let mut bad = events.clone();
            bad[at].expert = "E02".into();
            let e = verify_chain(&digest, "E01", &bad).unwrap_err();
            // The hash covers the expert: the altered event fails its hash.
            assert_eq!(e, ChainError::Hash { seq: at as u64 + 1 }, "at {at}");
        }
        // Time going backwards across a chunk boundary: the event after
        // the boundary is re-made with an earlier time, and the rest of the
        // chain re-made after it, so only the time is wrong.
        let mut early: Vec<Event> = events[..boundary].to_vec();
        let mut prev = unhex32(&early[boundary - 1].hash).expect("hex");
        for (i, e) in events.iter().enumerate().skip(boundary) {
            let time = if i == boundary {
                "2024-03-01T08:59:59.999Z"
            } else {
                "2024-03-01T09:00:00.000Z"
            };
            let n = make_event(e.seq, &prev, time, "E01", e.change.clone());
            prev = unhex32(&n.hash).expect("hex");
            early.push(n);
        }
        let e = verify_chain(&digest, "E01", &early).unwrap_err();
        assert_eq!(
            e,
            ChainError::Time {
                seq: boundary as u64 + 1,
                malformed: false
            }
        );
        // Two problems, in different chunks: the earlier one is named.
        let mut bad = events.clone();
        bad[24_000].hash = hex(&[1u8; 32]);
        bad[3].seq = 99;
        let e = verify_chain(&digest, "E01", &bad).unwrap_err();
        assert_eq!(
            e,
            ChainError::Sequence {
                position: 3,
                expected: 4,
                found: 99
            }
        );
    }

    #[test]
    fn the_canonical_body_writes_integers_as_their_digits() {
        for v in [
            0i64,
            7,
            -7,
            10,
            -100,
            1_000_000,
            (1 << 53) - 1,
            1 - (1 << 53),
        ] {
            let c = Change::Score {
                app: "A".into(),
                criterion: "c".into(),
                value: Some(v),
            };
            assert_eq!(
                canonical_body("2024-03-01T09:00:00.000Z", "E", &c),
                canonical_body_reference("2024-03-01T09:00:00.000Z", "E", &c),
                "{v}"
            );
        }
    }
}

#[cfg(test)]
mod complete_tests {
    use super::{Entry, Status};

    #[test]
    fn is_complete_agrees_with_the_status() {
        let rubric = crate::domain::catalog::default_rubric().expect("rubric");
        let need = rubric.min_comment_chars as usize;
        let all: std::collections::BTreeMap<String, i64> =
            rubric.criteria.iter().map(|c| (c.key.clone(), 1)).collect();
        let mut one_short = all.clone();
        one_short.pop_first();
        let long = "评".repeat(need);
        let short = "评".repeat(need.saturating_sub(1));
        for scores in [all.clone(), one_short, Default::default()] {
            for comment in [&long, &short, &String::new()] {
                for recommend in [Some(true), Some(false), None] {
                    for recused in [false, true] {
                        let e = Entry {
                            scores: scores.clone(),
                            comment: comment.clone(),
                            recommend,
                            recused,
                            ..Entry::default()
                        };
                        assert_eq!(
                            e.is_complete(&rubric),
                            e.status(&rubric) == Status::Complete,
                            "{e:?}"
                        );
                    }
                }
            }
        }
        let done = Entry {
            scores: all,
            comment: long,
            recommend: Some(true),
            ..Entry::default()
        };
        assert!(done.is_complete(&rubric));
    }
}
