//! An expert's scores payload (format [`SCORES_FORMAT`](super::SCORES_FORMAT), payloadType
//! [`SCORES_TYPE`](crate::crypto::envelope::SCORES_TYPE)): every
//! per-application result is the replay of the signed history, so a
//! verifier holding only the file can recompute it. Specified in
//! `docs/formats.md` section 3.

use std::collections::BTreeMap;

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
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(events: &[Event], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(events.iter())
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
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
            while let Some(e) = seq.next_element_seed(At)? {
                out.push(e);
            }
            Ok(out)
        }
    }

    /// One event of the history, read straight from its object: the
    /// fields its type has, each exactly once, no other. (Errors name no
    /// index: the reader that explains a refusal adds the path.)
    struct At;

    #[derive(Deserialize)]
    #[serde(field_identifier, rename_all = "snake_case")]
    enum Field {
        Seq,
        Time,
        Expert,
        Type,
        App,
        Criterion,
        Value,
        Text,
        Reason,
        Prev,
        Hash,
    }

    const FIELDS: &[&str] = &[
        "seq",
        "time",
        "expert",
        "type",
        "app",
        "criterion",
        "value",
        "text",
        "reason",
        "prev",
        "hash",
    ];

    #[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Score,
        Comment,
        Recommend,
        Recuse,
        Unrecuse,
    }

    /// An event's `value`: a score, a recommendation or null.
    enum Val {
        Null,
        Int(i64),
        Bool(bool),
    }

    impl<'de> Deserialize<'de> for Val {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Val, D::Error> {
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

    /// A string field or anything else (named in the error as the
    /// event's field).
    enum Scalar {
        Str(String),
        Uint(u64),
        Number,
        Other,
    }

    impl<'de> Deserialize<'de> for Scalar {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Scalar;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a string or an integer")
                }
                fn visit_str<E>(self, s: &str) -> Result<Scalar, E> {
                    Ok(Scalar::Str(s.to_owned()))
                }
                fn visit_string<E>(self, s: String) -> Result<Scalar, E> {
                    Ok(Scalar::Str(s))
                }
                fn visit_u64<E>(self, n: u64) -> Result<Scalar, E> {
                    Ok(Scalar::Uint(n))
                }
                fn visit_i64<E>(self, _: i64) -> Result<Scalar, E> {
                    Ok(Scalar::Number)
                }
                fn visit_f64<E>(self, _: f64) -> Result<Scalar, E> {
                    Ok(Scalar::Number)
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
                _ => Err(err(format!("'{k}' is not a string"))),
            };
            let (mut seq, mut time, mut expert, mut kind, mut app) = (None, None, None, None, None);
            let (mut criterion, mut value, mut body, mut reason) = (None, None, None, None);
            let (mut prev, mut hash) = (None, None);
            fn once<T, Er: E>(slot: &mut Option<T>, v: T, name: &'static str) -> Result<(), Er> {
                if slot.replace(v).is_some() {
                    return Err(Er::duplicate_field(name));
                }
                Ok(())
            }
            while let Some(k) = m.next_key::<Field>()? {
                match k {
                    Field::Seq => {
                        let n = match m.next_value::<Scalar>()? {
                            Scalar::Uint(n) => n,
                            Scalar::Number => {
                                return Err(err("'seq' is not a positive integer".into()));
                            }
                            _ => return Err(err("'seq' is not a number".into())),
                        };
                        once(&mut seq, n, "seq")?
                    }
                    Field::Time => once(&mut time, text(m.next_value()?, "time")?, "time")?,
                    Field::Expert => once(&mut expert, text(m.next_value()?, "expert")?, "expert")?,
                    Field::Type => once(&mut kind, m.next_value::<Kind>()?, "type")?,
                    Field::App => once(&mut app, text(m.next_value()?, "app")?, "app")?,
                    Field::Criterion => once(
                        &mut criterion,
                        text(m.next_value()?, "criterion")?,
                        "criterion",
                    )?,
                    Field::Value => once(&mut value, m.next_value::<Val>()?, "value")?,
                    Field::Text => once(&mut body, text(m.next_value()?, "text")?, "text")?,
                    Field::Reason => once(&mut reason, text(m.next_value()?, "reason")?, "reason")?,
                    Field::Prev => once(&mut prev, text(m.next_value()?, "prev")?, "prev")?,
                    Field::Hash => once(&mut hash, text(m.next_value()?, "hash")?, "hash")?,
                }
            }
            let missing = |k: &str| err(format!("missing field `{k}`"));
            let seq = seq.ok_or_else(|| err("missing 'seq'".into()))?;
            let time = time.ok_or_else(|| err("missing 'time'".into()))?;
            let expert = expert.ok_or_else(|| err("missing 'expert'".into()))?;
            let prev = prev.ok_or_else(|| err("missing 'prev'".into()))?;
            let hash = hash.ok_or_else(|| err("missing 'hash'".into()))?;
            let kind = kind.ok_or_else(|| missing("type"))?;
            let app = app.ok_or_else(|| missing("app"))?;
            // The fields of the event's type: each present, no other.
            let (wants_criterion, wants_value, wants_text, wants_reason) = match kind {
                Kind::Score => (true, true, false, false),
                Kind::Comment => (false, false, true, false),
                Kind::Recommend => (false, true, false, false),
                Kind::Recuse | Kind::Unrecuse => (false, false, false, true),
            };
            for (name, wanted, present) in [
                ("criterion", wants_criterion, criterion.is_some()),
                ("value", wants_value, value.is_some()),
                ("text", wants_text, body.is_some()),
                ("reason", wants_reason, reason.is_some()),
            ] {
                if wanted && !present {
                    return Err(missing(name));
                }
                if present && !wanted {
                    return Err(err(format!(
                        "unknown field `{name}` for an event of this type"
                    )));
                }
            }
            let change = match (kind, value) {
                (Kind::Score, Some(Val::Null)) => Change::Score {
                    app,
                    criterion: criterion.unwrap_or_default(),
                    value: None,
                },
                (Kind::Score, Some(Val::Int(n))) => Change::Score {
                    app,
                    criterion: criterion.unwrap_or_default(),
                    value: Some(n),
                },
                (Kind::Recommend, Some(Val::Null)) => Change::Recommend { app, value: None },
                (Kind::Recommend, Some(Val::Bool(b))) => Change::Recommend {
                    app,
                    value: Some(b),
                },
                (Kind::Comment, _) => Change::Comment {
                    app,
                    text: body.unwrap_or_default(),
                },
                (Kind::Recuse, _) => Change::Recuse {
                    app,
                    reason: reason.unwrap_or_default(),
                },
                (Kind::Unrecuse, _) => Change::Unrecuse {
                    app,
                    reason: reason.unwrap_or_default(),
                },
                (Kind::Score, _) => return Err(err("'value' is not an integer or null".into())),
                (Kind::Recommend, _) => {
                    return Err(err("'value' is not a boolean or null".into()));
                }
            };
            Ok(Event {
                seq,
                time,
                expert,
                change,
                prev,
                hash,
            })
        }
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
    // Looked up once per event: hashed, not ordered.
    let ids: std::collections::HashSet<&str, foldhash::fast::FixedState> =
        app_ids.iter().map(String::as_str).collect();
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
