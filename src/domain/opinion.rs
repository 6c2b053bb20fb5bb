//! The panel's opinion (专家组意见): what the chair writes per application
//! on the board. Each change is an event in an append-only, hash-chained
//! log of its own (the chair's opinion log), signed by the chair's key
//! when it is made, like an expert's scoring history. This module holds
//! the event's canonical bytes, the chain and the replay to the final
//! opinions; storage lives in `store::opinions`. Pure.
//!
//! ```text
//! genesis = SHA-256("panelist.opinions.genesis.v1\n" ‖ bundle_digest[32] ‖ chair_id)
//! hash_i  = SHA-256("panelist.opinion.v1\n" ‖ u64be(seq_i) ‖ prev_i[32] ‖ JCS(body_i))
//! body    = {"app", "chair", "text", "time", "type": "opinion"}
//! ```
//! An empty `text` withdraws the application's opinion.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::history::{MAX_TEXT_CHARS, hex, jcs_str, parse_time, unhex32};

pub const GENESIS_TAG: &[u8] = b"panelist.opinions.genesis.v1\n";
pub const EVENT_TAG: &[u8] = b"panelist.opinion.v1\n";
/// The one event type of an opinion log.
pub const KIND: &str = "opinion";

/// One change to the panel's opinion on one application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpinionEvent {
    pub seq: u64,
    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`, UTC.
    pub time: String,
    pub chair: String,
    pub app: String,
    /// The whole opinion as it stands after this change; empty withdraws it.
    pub text: String,
    /// Lower-case hex of the previous hash (genesis for seq 1).
    pub prev: String,
    /// Lower-case hex of this event's hash.
    pub hash: String,
}

/// The canonical bytes of an event body: RFC 8785 of
/// `{"app","chair","text","time","type":"opinion"}` (keys ASCII, in JCS
/// order as written).
pub fn canonical_body(time: &str, chair: &str, app: &str, text: &str) -> Vec<u8> {
    let mut o = Vec::with_capacity(96 + text.len());
    o.extend_from_slice(b"{\"app\":");
    jcs_str(&mut o, app);
    o.extend_from_slice(b",\"chair\":");
    jcs_str(&mut o, chair);
    o.extend_from_slice(b",\"text\":");
    jcs_str(&mut o, text);
    o.extend_from_slice(b",\"time\":");
    jcs_str(&mut o, time);
    o.extend_from_slice(b",\"type\":\"opinion\"}");
    o
}

pub fn genesis(bundle_digest: &[u8; 32], chair: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(GENESIS_TAG);
    h.update(bundle_digest);
    h.update(chair.as_bytes());
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

/// The event that follows `prev` at `seq`.
pub fn make(
    seq: u64,
    prev: &[u8; 32],
    time: &str,
    chair: &str,
    app: &str,
    text: &str,
) -> OpinionEvent {
    let body = canonical_body(time, chair, app, text);
    OpinionEvent {
        seq,
        time: time.to_string(),
        chair: chair.to_string(),
        app: app.to_string(),
        text: text.to_string(),
        prev: hex(prev),
        hash: hex(&event_hash(seq, prev, &body)),
    }
}

impl OpinionEvent {
    /// The canonical body this event's hash covers.
    pub fn body(&self) -> Vec<u8> {
        canonical_body(&self.time, &self.chair, &self.app, &self.text)
    }

    pub fn hash_bytes(&self) -> [u8; 32] {
        unhex32(&self.hash).unwrap_or([0; 32])
    }
}

/// Whether a text is too long to be an opinion.
pub fn too_long(text: &str) -> Option<usize> {
    let n = text.chars().count();
    (n > MAX_TEXT_CHARS).then_some(n)
}

/// What is wrong with an event of a log read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Not the seq expected here (a gap, a duplicate).
    Seq(u64),
    /// Written in another chair's name.
    Chair(String),
    /// `prev` is not the hash before it.
    Prev,
    /// The hash is not the content's.
    Hash,
    Time,
    Backwards,
    TooLong(usize),
    UnknownApp(String),
}

/// The first problem of a log, at its event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainError {
    pub seq: u64,
    pub problem: Problem,
}

impl ChainError {
    /// One line in Chinese or English.
    pub fn message(&self, zh: bool) -> String {
        use crate::domain::text::inert_line;
        let seq = self.seq;
        let what = match (&self.problem, zh) {
            (Problem::Seq(n), true) => format!("序号应为 {n}"),
            (Problem::Seq(n), false) => format!("expected seq {n}"),
            (Problem::Chair(c), true) => format!("由 {} 写入，不是本记录的组长", inert_line(c)),
            (Problem::Chair(c), false) => {
                format!("written by {}, not the log's chair", inert_line(c))
            }
            (Problem::Prev, true) => "prev 与前一条的哈希不符（记录被改动或截短过）".into(),
            (Problem::Prev, false) => {
                "prev is not the hash before it (the log was altered or cut)".into()
            }
            (Problem::Hash, true) => "哈希与内容不符（内容被改动过）".into(),
            (Problem::Hash, false) => {
                "the hash does not match the content (the content was altered)".into()
            }
            (Problem::Time, true) => "时间格式不对".into(),
            (Problem::Time, false) => "malformed time".into(),
            (Problem::Backwards, true) => "时间早于前一条".into(),
            (Problem::Backwards, false) => "its time is before the event before it".into(),
            (Problem::TooLong(n), true) => {
                format!("意见有 {n} 个字符，超过上限 {MAX_TEXT_CHARS}")
            }
            (Problem::TooLong(n), false) => {
                format!("the opinion has {n} characters, over the limit of {MAX_TEXT_CHARS}")
            }
            (Problem::UnknownApp(a), true) => format!("评审包中没有申报项目 {}", inert_line(a)),
            (Problem::UnknownApp(a), false) => {
                format!("application {} is not in the bundle", inert_line(a))
            }
        };
        if zh {
            format!("专家组意见记录第 {seq} 条：{what}")
        } else {
            format!("opinion log event {seq}: {what}")
        }
    }
}

/// Checks a log read back: seq from 1 without gaps, each `prev` the hash
/// before it (genesis first), each hash recomputed from the event's
/// content, one chair, well-formed times that never run backwards, texts
/// within the limit, applications among `known`. The first problem.
pub fn check_chain(
    bundle_digest: &[u8; 32],
    chair: &str,
    events: &[OpinionEvent],
    known: impl Fn(&str) -> bool,
) -> Result<(), ChainError> {
    let mut prev = genesis(bundle_digest, chair);
    let mut last_time = i64::MIN;
    for (i, e) in events.iter().enumerate() {
        let fail = |problem| {
            Err(ChainError {
                seq: e.seq,
                problem,
            })
        };
        if e.seq != i as u64 + 1 {
            return fail(Problem::Seq(i as u64 + 1));
        }
        if e.chair != chair {
            return fail(Problem::Chair(e.chair.clone()));
        }
        if unhex32(&e.prev) != Some(prev) {
            return fail(Problem::Prev);
        }
        let want = event_hash(e.seq, &prev, &e.body());
        if unhex32(&e.hash) != Some(want) {
            return fail(Problem::Hash);
        }
        let Some(t) = parse_time(&e.time) else {
            return fail(Problem::Time);
        };
        if t < last_time {
            return fail(Problem::Backwards);
        }
        last_time = t;
        if let Some(n) = too_long(&e.text) {
            return fail(Problem::TooLong(n));
        }
        if !known(&e.app) {
            return fail(Problem::UnknownApp(e.app.clone()));
        }
        prev = want;
    }
    Ok(())
}

/// An application's opinion as the log ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinalOpinion {
    pub text: String,
    /// When it was last changed.
    pub time: String,
    /// The seq of that change in the chair's opinion log.
    pub seq: u64,
}

/// Each application's opinion after the whole log: the last change per
/// application, those withdrawn (empty text) left out.
pub fn finals(events: &[OpinionEvent]) -> BTreeMap<String, FinalOpinion> {
    let mut out: BTreeMap<String, FinalOpinion> = BTreeMap::new();
    for e in events {
        if e.text.is_empty() {
            out.remove(&e.app);
        } else {
            out.insert(
                e.app.clone(),
                FinalOpinion {
                    text: e.text.clone(),
                    time: e.time.clone(),
                    seq: e.seq,
                },
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(texts: &[(&str, &str)]) -> Vec<OpinionEvent> {
        let mut prev = genesis(&[7; 32], "C01");
        let mut out = Vec::new();
        for (i, (app, text)) in texts.iter().enumerate() {
            let e = make(
                i as u64 + 1,
                &prev,
                "2026-12-01T09:00:00.000Z",
                "C01",
                app,
                text,
            );
            prev = e.hash_bytes();
            out.push(e);
        }
        out
    }

    #[test]
    fn the_body_is_rfc_8785() {
        let body = canonical_body("2026-12-01T09:00:00.000Z", "C01", "A-1", "同意\n\"推荐\"");
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(serde_json_canonicalizer::to_vec(&v).unwrap(), body);
        assert_eq!(v["type"], "opinion");
    }

    #[test]
    fn a_chain_checks_and_every_alteration_is_named() {
        let evs = log(&[("A", "一"), ("B", "二"), ("A", "三")]);
        let known = |a: &str| a == "A" || a == "B";
        assert_eq!(check_chain(&[7; 32], "C01", &evs, known), Ok(()));
        // Another bundle, another chair: the genesis differs.
        assert!(check_chain(&[8; 32], "C01", &evs, known).is_err());
        assert!(check_chain(&[7; 32], "C02", &evs, known).is_err());
        let mut t = evs.clone();
        t[1].text = "改".into();
        assert_eq!(check_chain(&[7; 32], "C01", &t, known).unwrap_err().seq, 2);
        let mut cut = evs.clone();
        cut.remove(1);
        assert!(check_chain(&[7; 32], "C01", &cut, known).is_err());
        assert!(check_chain(&[7; 32], "C01", &evs, |a| a == "A").is_err());
    }

    #[test]
    fn finals_take_the_last_change_and_drop_withdrawn() {
        let evs = log(&[("A", "一"), ("B", "二"), ("A", "三"), ("B", "")]);
        let f = finals(&evs);
        assert_eq!(f.len(), 1);
        assert_eq!(f["A"].text, "三");
        assert_eq!(f["A"].seq, 3);
    }
}
