//! An expert's scores payload (format [`SCORES_FORMAT`](super::SCORES_FORMAT), payloadType
//! [`SCORES_TYPE`](crate::crypto::envelope::SCORES_TYPE)): every
//! per-application result is the replay of the signed history, so a
//! verifier holding only the file can recompute it. Specified in
//! `docs/formats.md` section 3.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

use super::{BundleRef, CriterionRef, ExpertRef, HeadRef, RubricRef};
use crate::domain::Rubric;
use crate::domain::history::{self, Change, ChangeRef, Entry, Event, Status};

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
    /// The result of an entry the caller no longer needs: its scores and
    /// texts move instead of being copied.
    pub fn of_owned(id: &str, e: Entry, rubric: &Rubric) -> AppResult {
        let status = e.status(rubric);
        if status == Status::Recused {
            return AppResult {
                id: id.to_string(),
                status: status_name(status).into(),
                scores: BTreeMap::new(),
                total: None,
                comment: String::new(),
                recommend: None,
                recuse_reason: Some(e.recuse_reason),
            };
        }
        AppResult {
            id: id.to_string(),
            status: status_name(status).into(),
            total: e.total(rubric),
            scores: e.scores,
            comment: e.comment,
            recommend: e.recommend,
            recuse_reason: None,
        }
    }

    pub fn of(id: &str, entry: Option<&Entry>, rubric: &Rubric) -> AppResult {
        AppResult::of_owned(id, entry.cloned().unwrap_or_default(), rubric)
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
    /// Every event, seq 1..n, as in the working copy; each written as
    /// its body (section 4), its `prev` and `hash` computed by the reader.
    #[serde(with = "events_json")]
    pub history: Vec<Event>,
    pub head: HeadRef,
}

impl ScoresPayload {
    /// Computes every event's seq, `prev` and `hash` from the bundle
    /// digest, the expert and the events' canonical bodies (section 4),
    /// as the canonical reader does while it reads: for payloads built or
    /// read some other way. Without a well-formed digest the hashes stay
    /// empty.
    pub fn link(&mut self) {
        let Some(d) = history::unhex32(&self.bundle.digest) else {
            return;
        };
        let mut prev = history::genesis(&d, &self.expert.id);
        let mut body = Vec::with_capacity(256);
        for (i, e) in self.history.iter_mut().enumerate() {
            e.seq = i as u64 + 1;
            history::canonical_body_into(&mut body, &e.time, &e.expert, &e.change);
            let h = history::event_hash(e.seq, &prev, &body);
            e.prev = history::hex(&prev);
            e.hash = history::hex(&h);
            prev = h;
        }
    }
}

impl super::Payload for ScoresPayload {
    fn read_canonical(text: &str) -> Option<crate::support::canon::Result<ScoresPayload>> {
        Some(canonical::read(text))
    }
}

/// Events as their bodies: `{"app", "criterion"?, "expert", "reason"?,
/// "text"?, "time", "type", "value"?}` (docs/formats.md section 4). An
/// event's seq is its place in the list; its `prev` and `hash` are not
/// written — a reader computes them ([`ScoresPayload::link`], or the
/// canonical reader as it goes). Read strictly: an unknown field is an
/// error.
mod events_json {
    use super::*;
    use serde::ser::SerializeMap;
    use serde::{Deserializer, Serializer};

    /// One event written as its body.
    struct Body<'a>(&'a Event);

    impl Serialize for Body<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let e = self.0;
            let mut m = s.serialize_map(None)?;
            m.serialize_entry("app", e.change.app())?;
            m.serialize_entry("expert", &e.expert)?;
            m.serialize_entry("time", &e.time)?;
            m.serialize_entry("type", e.change.kind())?;
            match &e.change {
                Change::Score {
                    criterion, value, ..
                } => {
                    m.serialize_entry("criterion", criterion)?;
                    m.serialize_entry("value", value)?;
                }
                Change::Comment { text, .. } => m.serialize_entry("text", text)?,
                Change::Recommend { value, .. } => m.serialize_entry("value", value)?,
                Change::Recuse { reason, .. } | Change::Unrecuse { reason, .. } => {
                    m.serialize_entry("reason", reason)?
                }
            }
            m.end()
        }
    }

    pub fn serialize<S: Serializer>(events: &[Event], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(events.iter().map(Body))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Event>, D::Error> {
        d.deserialize_seq(Events)
    }

    struct Events;

    impl<'de> serde::de::Visitor<'de> for Events {
        type Value = Vec<Event>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of events")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Vec<Event>, A::Error> {
            let mut out: Vec<Event> = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
            while let Some(e) = seq.next_element_seed(At(out.len() as u64 + 1))? {
                out.push(e);
            }
            Ok(out)
        }
    }

    /// One event of the history, read straight from its object: the
    /// fields its type has, each exactly once, no other; its seq is its
    /// place. (Errors name no index: the reader that explains a refusal
    /// adds the path.)
    struct At(u64);

    #[derive(Deserialize)]
    #[serde(field_identifier, rename_all = "snake_case")]
    enum Field {
        Time,
        Expert,
        Type,
        App,
        Criterion,
        Value,
        Text,
        Reason,
    }

    const FIELDS: &[&str] = &[
        "time",
        "expert",
        "type",
        "app",
        "criterion",
        "value",
        "text",
        "reason",
    ];

    /// A string field or anything else (named in the error as the
    /// event's field).
    enum Scalar {
        Str(String),
        Other,
    }

    impl<'de> Deserialize<'de> for Scalar {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Scalar;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a string")
                }
                fn visit_str<E>(self, s: &str) -> Result<Scalar, E> {
                    Ok(Scalar::Str(s.to_owned()))
                }
                fn visit_string<E>(self, s: String) -> Result<Scalar, E> {
                    Ok(Scalar::Str(s))
                }
                fn visit_u64<E>(self, _: u64) -> Result<Scalar, E> {
                    Ok(Scalar::Other)
                }
                fn visit_i64<E>(self, _: i64) -> Result<Scalar, E> {
                    Ok(Scalar::Other)
                }
                fn visit_f64<E>(self, _: f64) -> Result<Scalar, E> {
                    Ok(Scalar::Other)
                }
                fn visit_bool<E>(self, _: bool) -> Result<Scalar, E> {
                    Ok(Scalar::Other)
                }
                fn visit_unit<E>(self) -> Result<Scalar, E> {
                    Ok(Scalar::Other)
                }
                fn visit_none<E>(self) -> Result<Scalar, E> {
                    Ok(Scalar::Other)
                }
                fn visit_seq<A: serde::de::SeqAccess<'de>>(
                    self,
                    mut a: A,
                ) -> Result<Scalar, A::Error> {
                    while a.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                    Ok(Scalar::Other)
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut a: A,
                ) -> Result<Scalar, A::Error> {
                    while a
                        .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                        .is_some()
                    {}
                    Ok(Scalar::Other)
                }
            }
            d.deserialize_any(V)
        }
    }

    impl<'de> serde::de::DeserializeSeed<'de> for At {
        type Value = Event;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Event, D::Error> {
            d.deserialize_struct(crate::support::strict::OPEN_STRUCT, FIELDS, self)
        }
    }

    impl<'de> serde::de::Visitor<'de> for At {
        type Value = Event;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an event object")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<Event, A::Error> {
            Err(serde::de::Error::custom("an event is a JSON object"))
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Event, A::Error> {
            use serde::de::Error as E;
            let err = |msg: String| A::Error::custom(msg);
            let text = |v: Scalar, k: &str| match v {
                Scalar::Str(s) => Ok(s),
                Scalar::Other => Err(err(format!("'{k}' is not a string"))),
            };
            let (mut time, mut expert, mut kind, mut app) = (None, None, None, None);
            let (mut criterion, mut value, mut body, mut reason) = (None, None, None, None);
            fn once<T, Er: E>(slot: &mut Option<T>, v: T, name: &'static str) -> Result<(), Er> {
                if slot.replace(v).is_some() {
                    return Err(Er::duplicate_field(name));
                }
                Ok(())
            }
            while let Some(k) = m.next_key::<Field>()? {
                match k {
                    Field::Time => once(&mut time, text(m.next_value()?, "time")?, "time")?,
                    Field::Expert => once(&mut expert, text(m.next_value()?, "expert")?, "expert")?,
                    Field::Type => once(&mut kind, text(m.next_value()?, "type")?, "type")?,
                    Field::App => once(&mut app, text(m.next_value()?, "app")?, "app")?,
                    Field::Criterion => once(
                        &mut criterion,
                        text(m.next_value()?, "criterion")?,
                        "criterion",
                    )?,
                    Field::Value => once(&mut value, m.next_value::<Val>()?, "value")?,
                    Field::Text => once(&mut body, text(m.next_value()?, "text")?, "text")?,
                    Field::Reason => once(&mut reason, text(m.next_value()?, "reason")?, "reason")?,
                }
            }
            let missing = |k: &str| err(format!("missing field `{k}`"));
            let time = time.ok_or_else(|| missing("time"))?;
            let expert = expert.ok_or_else(|| missing("expert"))?;
            let kind = kind.ok_or_else(|| missing("type"))?;
            let app = app.ok_or_else(|| missing("app"))?;
            let owned = |s: Option<String>| s.map(Cow::Owned);
            let change = owned_change(
                &change_of(
                    &kind,
                    Cow::Owned(app),
                    owned(criterion),
                    value,
                    owned(body),
                    owned(reason),
                )
                .map_err(err)?,
            );
            Ok(Event {
                seq: self.0,
                time,
                expert,
                change,
                prev: String::new(),
                hash: String::new(),
            })
        }
    }
}

/// An event's change as read, its texts borrowed from the bytes where
/// they hold no escape.
type LeanChange<'a> = history::Changed<Cow<'a, str>>;

/// The change with its texts owned.
fn owned_change(c: &LeanChange<'_>) -> Change {
    c.map_ref(|s| s.to_string())
}

/// An event of a history as a verifier reads it: its texts borrowed
/// from the payload's bytes (copied only when written with escapes), its
/// seq its place in the list, its hash computed from its bytes as they
/// stand. What `verify` and `merge` check and replay, without an owned
/// [`Event`] per event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeanEvent<'a> {
    pub time: Cow<'a, str>,
    pub expert: Cow<'a, str>,
    change: LeanChange<'a>,
    /// This event's hash (zero when the payload's bundle digest is not
    /// well formed: then there is no chain to compute).
    pub hash: [u8; 32],
}

impl<'a> LeanEvent<'a> {
    pub fn change(&self) -> ChangeRef<'_> {
        self.change.as_ref()
    }

    /// The view of an owned event (its stored hash decoded; zero if it is
    /// not 64 hex digits).
    pub fn of(e: &'a Event) -> LeanEvent<'a> {
        let b = Cow::Borrowed;
        let change = e.change.map_ref(|s| b(s.as_str()));
        LeanEvent {
            time: b(&e.time),
            expert: b(&e.expert),
            change,
            hash: history::unhex32(&e.hash).unwrap_or([0; 32]),
        }
    }
}

/// An event's change from the fields its body holds: the fields its
/// type has, each present, no other (both readers share this).
fn change_of<'a>(
    kind: &str,
    app: Cow<'a, str>,
    criterion: Option<Cow<'a, str>>,
    value: Option<Val>,
    text: Option<Cow<'a, str>>,
    reason: Option<Cow<'a, str>>,
) -> Result<LeanChange<'a>, String> {
    let (wants_criterion, wants_value, wants_text, wants_reason) = match kind {
        "score" => (true, true, false, false),
        "comment" => (false, false, true, false),
        "recommend" => (false, true, false, false),
        "recuse" | "unrecuse" => (false, false, false, true),
        other => {
            return Err(format!(
                "unknown variant `{}`, expected one of `score`, `comment`, `recommend`, `recuse`, `unrecuse`",
                crate::domain::text::inert_line(other)
            ));
        }
    };
    for (name, wanted, present) in [
        ("criterion", wants_criterion, criterion.is_some()),
        ("value", wants_value, value.is_some()),
        ("text", wants_text, text.is_some()),
        ("reason", wants_reason, reason.is_some()),
    ] {
        if wanted && !present {
            return Err(format!("missing field `{name}`"));
        }
        if present && !wanted {
            return Err(format!("unknown field `{name}` for an event of this type"));
        }
    }
    let none = || Cow::Borrowed("");
    Ok(match (kind, value) {
        ("score", Some(Val::Null)) => LeanChange::Score {
            app,
            criterion: criterion.unwrap_or_else(none),
            value: None,
        },
        ("score", Some(Val::Int(n))) => LeanChange::Score {
            app,
            criterion: criterion.unwrap_or_else(none),
            value: Some(n),
        },
        ("recommend", Some(Val::Null)) => LeanChange::Recommend { app, value: None },
        ("recommend", Some(Val::Bool(b))) => LeanChange::Recommend {
            app,
            value: Some(b),
        },
        ("comment", _) => LeanChange::Comment {
            app,
            text: text.unwrap_or_else(none),
        },
        ("recuse", _) => LeanChange::Recuse {
            app,
            reason: reason.unwrap_or_else(none),
        },
        ("unrecuse", _) => LeanChange::Unrecuse {
            app,
            reason: reason.unwrap_or_else(none),
        },
        ("score", _) => return Err("'value' is not an integer or null".into()),
        _ => return Err("'value' is not a boolean or null".into()),
    })
}

/// An event's `value`: a score, a recommendation or null.
enum Val {
    Null,
    Int(i64),
    Bool(bool),
}

impl<'de> Deserialize<'de> for Val {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Val, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Val;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an integer, a boolean or null")
            }
            fn visit_unit<E>(self) -> Result<Val, E> {
                Ok(Val::Null)
            }
            fn visit_none<E>(self) -> Result<Val, E> {
                Ok(Val::Null)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Val, E> {
                Ok(Val::Bool(b))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Val, E> {
                Ok(Val::Int(n))
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Val, E> {
                i64::try_from(n)
                    .map(Val::Int)
                    .map_err(|_| E::custom("value out of range"))
            }
        }
        d.deserialize_any(V)
    }
}

/// The canonical reader of a scores payload: one forward pass over its
/// bytes (`support::canon`), every field of section 3 in its JCS place,
/// no other, each event's `prev` and `hash` computed from its bytes as
/// they stand — which, the bytes being canonical, are the JCS bytes of
/// its body (section 4). Anything else — a field missing or unknown, a
/// value of the wrong type, bytes not in canonical form — is refused with
/// the offset; the general reader then says what is wrong in the
/// format's words.
mod canonical {
    use super::*;
    use crate::support::canon::{Error, Reader, Result};

    fn owned(c: Cow<'_, str>) -> String {
        c.into_owned()
    }

    fn opt_string(r: &mut Reader) -> Result<Option<String>> {
        if r.null() {
            Ok(None)
        } else {
            r.string().map(|s| Some(owned(s)))
        }
    }

    fn opt_int(r: &mut Reader) -> Result<Option<i64>> {
        if r.null() {
            Ok(None)
        } else {
            r.int().map(Some)
        }
    }

    fn opt_bool(r: &mut Reader) -> Result<Option<bool>> {
        if r.null() {
            Ok(None)
        } else {
            r.bool().map(Some)
        }
    }

    fn app(r: &mut Reader) -> Result<AppResult> {
        let mut k = r.object()?;
        r.field(&mut k, "comment")?;
        let comment = owned(r.string()?);
        r.field(&mut k, "id")?;
        let id = owned(r.string()?);
        r.field(&mut k, "recommend")?;
        let recommend = opt_bool(r)?;
        r.field(&mut k, "recuse_reason")?;
        let recuse_reason = opt_string(r)?;
        r.field(&mut k, "scores")?;
        let mut scores = BTreeMap::new();
        let mut sk = r.object()?;
        while let Some(key) = r.key(&mut sk)? {
            // Keys arrive in increasing order: each insert is at the end.
            scores.insert(owned(key), r.int()?);
        }
        r.field(&mut k, "status")?;
        let status = owned(r.string()?);
        r.field(&mut k, "total")?;
        let total = opt_int(r)?;
        r.close(&mut k)?;
        Ok(AppResult {
            id,
            status,
            scores,
            total,
            comment,
            recommend,
            recuse_reason,
        })
    }

    fn strings<const N: usize>(r: &mut Reader, names: [&'static str; N]) -> Result<[String; N]> {
        let mut k = r.object()?;
        let mut out: [String; N] = std::array::from_fn(|_| String::new());
        for (slot, name) in out.iter_mut().zip(names) {
            r.field(&mut k, name)?;
            *slot = owned(r.string()?);
        }
        r.close(&mut k)?;
        Ok(out)
    }

    fn rubric(r: &mut Reader) -> Result<RubricRef> {
        let mut k = r.object()?;
        r.field(&mut k, "criteria")?;
        let mut criteria = Vec::new();
        let mut it = r.array()?;
        while r.item(&mut it)? {
            let mut c = r.object()?;
            r.field(&mut c, "key")?;
            let key = owned(r.string()?);
            r.field(&mut c, "max")?;
            let max = r.int()?;
            r.field(&mut c, "min")?;
            let min = r.int()?;
            r.field(&mut c, "name_en")?;
            let name_en = owned(r.string()?);
            r.field(&mut c, "name_zh")?;
            let name_zh = owned(r.string()?);
            r.field(&mut c, "step")?;
            let step = r.int()?;
            r.field(&mut c, "weight")?;
            let weight = r.int()?;
            r.close(&mut c)?;
            criteria.push(CriterionRef {
                key,
                name_zh,
                name_en,
                min,
                max,
                step,
                weight,
            });
        }
        r.field(&mut k, "min_comment_chars")?;
        let at = r.at();
        let min_comment_chars = u32::try_from(r.int()?).map_err(|_| Error {
            at,
            what: "min_comment_chars is not a count",
        })?;
        r.close(&mut k)?;
        Ok(RubricRef {
            min_comment_chars,
            criteria,
        })
    }

    /// One event; its bytes are hashed onto the chain after `prev`.
    fn event<'a>(r: &mut Reader<'a>, seq: u64, prev: Option<&[u8; 32]>) -> Result<LeanEvent<'a>> {
        let from = r.at();
        let mut k = r.object()?;
        let (mut app, mut criterion, mut expert, mut reason) = (None, None, None, None);
        let (mut text, mut time, mut kind, mut value) = (None, None, None, None);
        while let Some(key) = r.key(&mut k)? {
            let at = r.at();
            match &*key {
                "app" => app = Some(r.string()?),
                "criterion" => criterion = Some(r.string()?),
                "expert" => expert = Some(r.string()?),
                "reason" => reason = Some(r.string()?),
                "text" => text = Some(r.string()?),
                "time" => time = Some(r.string()?),
                "type" => kind = Some(r.string()?),
                "value" => {
                    value = Some(if r.null() {
                        Val::Null
                    } else if r.at_string() {
                        return Err(Error {
                            at,
                            what: "an event value that is a string",
                        });
                    } else if let Ok(b) = r.bool() {
                        Val::Bool(b)
                    } else {
                        Val::Int(r.int()?)
                    })
                }
                _ => {
                    return Err(Error {
                        at,
                        what: "a field an event does not have",
                    });
                }
            }
        }
        let body = r.since(from);
        let shape = |what: &'static str| Error { at: from, what };
        let (Some(app), Some(expert), Some(time), Some(kind)) = (app, expert, time, kind) else {
            return Err(shape("an event without app, expert, time or type"));
        };
        let change = change_of(&kind, app, criterion, value, text, reason)
            .map_err(|_| shape("an event whose fields are not those of its type"))?;
        let hash = match prev {
            Some(p) => history::event_hash(seq, p, body),
            None => [0; 32],
        };
        Ok(LeanEvent {
            time,
            expert,
            change,
            hash,
        })
    }

    /// Reads a whole scores payload, its history as lean events (the
    /// payload's own `history` left empty; the events' hashes zero when
    /// the bundle digest is not well formed).
    pub fn read_lean(text: &str) -> Result<(ScoresPayload, Vec<LeanEvent<'_>>)> {
        let mut r = Reader::new(text);
        let mut k = r.object()?;
        r.field(&mut k, "applications")?;
        let mut applications = Vec::new();
        let mut it = r.array()?;
        while r.item(&mut it)? {
            applications.push(app(&mut r)?);
        }
        r.field(&mut k, "bundle")?;
        let [call, digest, id, panel] = strings(&mut r, ["call", "digest", "id", "panel"])?;
        r.field(&mut k, "created")?;
        let created = owned(r.string()?);
        r.field(&mut k, "expert")?;
        let [expert_id, key_id, name, org] = strings(&mut r, ["id", "key_id", "name", "org"])?;
        r.field(&mut k, "format")?;
        let format = owned(r.string()?);
        r.field(&mut k, "head")?;
        let mut h = r.object()?;
        r.field(&mut h, "hash")?;
        let head_hash = owned(r.string()?);
        r.field(&mut h, "size")?;
        let size = r.uint()?;
        r.close(&mut h)?;
        r.field(&mut k, "history")?;
        // Without a well-formed digest there is no genesis: the events
        // are read without hashes, and the verifier names the digest.
        let mut prev = history::unhex32(&digest).map(|d| history::genesis(&d, &expert_id));
        let mut events: Vec<LeanEvent> = Vec::with_capacity((size as usize).min(text.len() / 64));
        let mut it = r.array()?;
        while r.item(&mut it)? {
            let seq = events.len() as u64 + 1;
            let e = event(&mut r, seq, prev.as_ref())?;
            if prev.is_some() {
                prev = Some(e.hash);
            }
            events.push(e);
        }
        r.field(&mut k, "partial")?;
        let partial = r.bool()?;
        r.field(&mut k, "rubric")?;
        let rubric = rubric(&mut r)?;
        r.field(&mut k, "tool_version")?;
        let tool_version = owned(r.string()?);
        r.close(&mut k)?;
        r.end()?;
        let p = ScoresPayload {
            format,
            tool_version,
            bundle: BundleRef {
                id,
                digest,
                call,
                panel,
            },
            expert: ExpertRef {
                id: expert_id,
                name,
                org,
                key_id,
            },
            created,
            partial,
            rubric,
            applications,
            history: Vec::new(),
            head: HeadRef {
                size,
                hash: head_hash,
            },
        };
        Ok((p, events))
    }

    /// Reads a whole scores payload, every event owned with its seq,
    /// `prev` and `hash` (hex; empty without a well-formed digest).
    pub fn read(text: &str) -> Result<ScoresPayload> {
        let (mut p, lean) = read_lean(text)?;
        let linked = history::unhex32(&p.bundle.digest)
            .map(|d| history::hex(&history::genesis(&d, &p.expert.id)));
        let mut prev = linked.clone().unwrap_or_default();
        p.history = lean
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                let hash = if linked.is_some() {
                    history::hex(&e.hash)
                } else {
                    String::new()
                };
                Event {
                    seq: i as u64 + 1,
                    time: e.time.into_owned(),
                    expert: e.expert.into_owned(),
                    change: owned_change(&e.change),
                    prev: std::mem::replace(&mut prev, hash.clone()),
                    hash,
                }
            })
            .collect();
        Ok(p)
    }
}

pub use canonical::read_lean;

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
) -> Result<Vec<AppResult>, Refused> {
    results_of(
        rubric,
        app_ids,
        events.iter().map(|e| (e.seq, ChangeRef::from(&e.change))),
    )
}

/// [`results`] of a history read lean (seq: the place in the list).
pub fn results_lean(
    rubric: &Rubric,
    app_ids: &[String],
    events: &[LeanEvent],
) -> Result<Vec<AppResult>, Refused> {
    results_of(
        rubric,
        app_ids,
        events
            .iter()
            .enumerate()
            .map(|(i, e)| (i as u64 + 1, e.change())),
    )
}

/// Replays changes (with their seqs) into every application's result.
fn results_of<'e>(
    rubric: &Rubric,
    app_ids: &[String],
    events: impl Iterator<Item = (u64, ChangeRef<'e>)>,
) -> Result<Vec<AppResult>, Refused> {
    // Each event looks its application up once, in a hash table, and
    // works on that application's entry by index.
    let mut index: std::collections::HashMap<&str, usize, foldhash::fast::FixedState> =
        std::collections::HashMap::with_capacity_and_hasher(app_ids.len(), Default::default());
    for (i, id) in app_ids.iter().enumerate() {
        index.entry(id.as_str()).or_insert(i);
    }
    let mut entries: Vec<Entry> = vec![Entry::default(); app_ids.len()];
    for (seq, change) in events {
        let app = change.app();
        let refused = |r: history::Refusal| Refused {
            seq,
            reason: r.to_string(),
        };
        let Some(&i) = index.get(app) else {
            return Err(refused(history::Refusal::UnknownApp(app.to_string())));
        };
        history::check_change(rubric, Some(&entries[i]), change).map_err(refused)?;
        entries[i].apply(seq, change);
    }
    // Every id its own entry: the entries move into the results; an id
    // given twice (never from a bundle) shares its first place's entry.
    let unique = index.len() == app_ids.len();
    Ok(app_ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            if unique {
                AppResult::of_owned(id, std::mem::take(&mut entries[i]), rubric)
            } else {
                AppResult::of(id, Some(&entries[index[id.as_str()]]), rubric)
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::history::{genesis, make_event, unhex32};

    /// A payload with every kind of event, escapes, non-ASCII text and
    /// a key order JCS sorts, written as export writes it.
    fn sample() -> (Vec<u8>, ScoresPayload) {
        let rubric = crate::domain::catalog::default_rubric().unwrap();
        let digest = "ab".repeat(32);
        let expert = "E01";
        let ids: Vec<String> = ["G-BJ-1", "G-BJ-2", "G-SH-3"].map(String::from).into();
        let changes = vec![
            Change::Score {
                app: ids[0].clone(),
                criterion: "innovation".into(),
                value: Some(20),
            },
            Change::Score {
                app: ids[0].clone(),
                criterion: "advancement".into(),
                value: None,
            },
            Change::Comment {
                app: ids[0].clone(),
                text: "技术路线清晰\n\t\"引号\" \\ \u{1} \u{7f} \u{2028} 😀".into(),
            },
            Change::Recommend {
                app: ids[0].clone(),
                value: Some(true),
            },
            Change::Recommend {
                app: ids[1].clone(),
                value: None,
            },
            Change::Recuse {
                app: ids[2].clone(),
                reason: "本单位".into(),
            },
            Change::Unrecuse {
                app: ids[2].clone(),
                reason: "误报".into(),
            },
            Change::Score {
                app: ids[2].clone(),
                criterion: "replicability".into(),
                value: Some(-3),
            },
        ];
        let mut prev = genesis(&unhex32(&digest).unwrap(), expert);
        let mut events = Vec::new();
        for (i, c) in changes.into_iter().enumerate() {
            let e = make_event(i as u64 + 1, &prev, "2024-03-01T09:00:00.000Z", expert, c);
            prev = unhex32(&e.hash).unwrap();
            events.push(e);
        }
        let applications = results(&rubric, &ids, &events[..4]).unwrap();
        let p = ScoresPayload {
            format: crate::formats::SCORES_FORMAT.into(),
            tool_version: "0".into(),
            bundle: BundleRef {
                id: "b".into(),
                digest,
                call: "2023".into(),
                panel: "一组".into(),
            },
            expert: ExpertRef {
                id: expert.into(),
                name: "张三".into(),
                org: "某院".into(),
                key_id: "00".repeat(32),
            },
            created: "2024-03-01T10:00:00.000Z".into(),
            partial: true,
            rubric: RubricRef::of(&rubric),
            applications,
            head: HeadRef {
                size: events.len() as u64,
                hash: history::hex(&prev),
            },
            history: events,
        };
        (crate::crypto::jcs::to_vec(&p).unwrap(), p)
    }

    /// The general strict reader, with the chain computed as section 4
    /// says: what the canonical reader must agree with.
    fn general(bytes: &[u8]) -> Option<ScoresPayload> {
        let mut p: ScoresPayload = crate::support::strict::from_slice(bytes).ok()?;
        p.link();
        Some(p)
    }

    #[test]
    fn the_canonical_reader_reads_what_export_writes_with_its_chain() {
        let (bytes, written) = sample();
        let text = std::str::from_utf8(&bytes).unwrap();
        let read = canonical::read(text).unwrap();
        assert_eq!(read, written, "fields, seqs, prevs and hashes as made");
        assert_eq!(general(&bytes).unwrap(), written);
        // Each event's bytes as they stand are its canonical body.
        let first = &written.history[2];
        let body = history::canonical_body(&first.time, &first.expert, &first.change);
        assert!(
            text.contains(std::str::from_utf8(&body).unwrap()),
            "the body is a slice"
        );
    }

    /// Every one-byte change, insertion and deletion of a canonical
    /// payload: whatever the canonical reader accepts, the general
    /// reader accepts as the same payload — the one-pass reader never
    /// lets through what the format refuses, and never reads it
    /// differently.
    #[test]
    fn the_canonical_reader_accepts_nothing_the_general_reader_refuses() {
        let (bytes, _) = sample();
        let mut accepted = 0;
        let mut tried = 0;
        let mut check = |b: Vec<u8>| {
            let Ok(text) = std::str::from_utf8(&b) else {
                return;
            };
            tried += 1;
            if let Ok(fast) = canonical::read(text) {
                accepted += 1;
                assert_eq!(
                    general(&b).as_ref(),
                    Some(&fast),
                    "read differently: {text}"
                );
            }
        };
        for i in 0..bytes.len() {
            for c in *b" \"\\,:{}[]01-9.eEantulfr\x01" {
                let mut m = bytes.clone();
                m[i] = c;
                check(m);
                let mut m = bytes.clone();
                m.insert(i, c);
                check(m);
            }
            let mut m = bytes.clone();
            m.remove(i);
            check(m);
        }
        assert!(tried > 10_000, "{tried} tried");
        // Some edits stay canonical (a digit for a digit, a letter in a
        // string): the comparison above ran on them.
        assert!(accepted > 100, "{accepted} accepted");
    }

    #[test]
    fn non_canonical_bytes_of_a_good_payload_are_refused() {
        let (bytes, _) = sample();
        let text = String::from_utf8(bytes).unwrap();
        for (from, to) in [
            ("\"partial\":true", "\"partial\": true"),
            ("\"format\":\"panelist.", "\"format\":\"panelist\\u002e"),
            ("\"value\":20", "\"value\":20.0"),
            ("\"call\":\"2023\",\"digest\"", "\"digest\""),
        ] {
            assert!(text.contains(from), "{from}");
            let bad = text.replacen(from, to, 1);
            assert!(canonical::read(&bad).is_err(), "accepted {to}");
        }
        // Keys out of JCS order, though the JSON means the same.
        let digest = "ab".repeat(32);
        let sorted = format!("\"call\":\"2023\",\"digest\":\"{digest}\"");
        assert!(text.contains(&sorted));
        let swapped = text.replacen(
            &sorted,
            &format!("\"digest\":\"{digest}\",\"call\":\"2023\""),
            1,
        );
        assert!(general(swapped.as_bytes()).is_some(), "the same JSON");
        assert!(canonical::read(&swapped).is_err());
    }
}
