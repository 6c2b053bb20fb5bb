//! The timeline's filter, typed after `/`:
//!
//! ```text
//! app:2023-BJ-001        application id, or part of it (case ignored)
//! crit:innovation        score events on a criterion, by key or name (创新性)
//! type:comment           score | comment | recommend | recuse | unrecuse
//! from:2024-03-01T09:00  events at or after; any leading part of a time
//! to:2024-03-01T12       events at or before (the part given included)
//! seq:12  seq:10-20      one seq or a range
//! 2023-BJ                a bare word is an application id, or part of one
//! ```
//!
//! The same kind given twice means either; different kinds mean both.

use crate::domain::Rubric;
use crate::domain::history::{Change, Event};

const TYPES: [&str; 5] = ["score", "comment", "recommend", "recuse", "unrecuse"];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Lower-cased parts of application ids.
    pub apps: Vec<String>,
    /// Criterion keys.
    pub crits: Vec<String>,
    pub types: Vec<&'static str>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub seqs: Vec<(u64, u64)>,
}

/// What is wrong with a typed filter (the word at fault).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterError {
    Unknown(String),
    Empty(String),
    BadType(String),
    BadCrit(String),
    BadTime(String),
    BadSeq(String),
}

/// A stored time as `2024-03-01T17:00:05` in zone `tz` (what `from:` and
/// `to:` compare with); the stored text when it is not a time.
fn local_time(t: &str, tz: &jiff::tz::TimeZone) -> String {
    t.parse::<jiff::Timestamp>()
        .map(|ts| {
            ts.to_zoned_datetime(tz.clone())
                .strftime("%Y-%m-%dT%H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|_| t.to_string())
}

/// A time or the leading part of one: `2024`, `2024-03-01`,
/// `2024-03-01T09:00`, … up to the full RFC 3339 form.
fn time_prefix(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() >= 4
        && b[..4].iter().all(u8::is_ascii_digit)
        && b.iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b'-' | b':' | b'T' | b'.' | b'Z'))
}

impl Filter {
    pub fn parse(text: &str, rubric: &Rubric) -> Result<Filter, FilterError> {
        let mut f = Filter::default();
        for word in text.split_whitespace() {
            let Some((key, value)) = word.split_once(':') else {
                f.apps.push(word.to_lowercase());
                continue;
            };
            let key_l = key.to_lowercase();
            if !matches!(
                key_l.as_str(),
                "app" | "crit" | "type" | "from" | "to" | "seq"
            ) {
                return Err(FilterError::Unknown(format!("{key}:")));
            }
            if value.is_empty() {
                return Err(FilterError::Empty(format!("{key}:")));
            }
            match key_l.as_str() {
                "app" => f.apps.push(value.to_lowercase()),
                "crit" => {
                    let v = value.to_lowercase();
                    let c = rubric
                        .criteria
                        .iter()
                        .find(|c| c.key == v || c.name_zh == value || c.name_en.to_lowercase() == v)
                        .ok_or_else(|| FilterError::BadCrit(value.to_string()))?;
                    f.crits.push(c.key.clone());
                }
                "type" => {
                    let v = value.to_lowercase();
                    let t = TYPES
                        .iter()
                        .find(|t| **t == v)
                        .ok_or_else(|| FilterError::BadType(value.to_string()))?;
                    f.types.push(t);
                }
                "from" | "to" => {
                    if !time_prefix(value) {
                        return Err(FilterError::BadTime(value.to_string()));
                    }
                    if key_l == "from" {
                        f.from = Some(value.to_string());
                    } else {
                        f.to = Some(value.to_string());
                    }
                }
                _ => {
                    let bad = || FilterError::BadSeq(value.to_string());
                    let (a, b) = value.split_once('-').unwrap_or((value, value));
                    let a: u64 = a.parse().map_err(|_| bad())?;
                    let b: u64 = b.parse().map_err(|_| bad())?;
                    f.seqs.push((a.min(b), a.max(b)));
                }
            }
        }
        Ok(f)
    }

    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// Whether event `e` passes; `from:` and `to:` are local times in
    /// `tz`, as the screen shows them (stored times are UTC).
    pub fn matches(&self, e: &Event, tz: &jiff::tz::TimeZone) -> bool {
        let app = e.change.app().to_lowercase();
        let local = if self.from.is_some() || self.to.is_some() {
            local_time(&e.time, tz)
        } else {
            String::new()
        };
        (self.apps.is_empty() || self.apps.iter().any(|a| app.contains(a.as_str())))
            && (self.crits.is_empty()
                || matches!(&e.change, Change::Score { criterion, .. } if self.crits.contains(criterion)))
            && (self.types.is_empty() || self.types.contains(&e.change.kind()))
            && self.from.as_deref().is_none_or(|f| local.as_str() >= f)
            && self
                .to
                .as_deref()
                .is_none_or(|t| local.get(..t.len()).unwrap_or(&local) <= t)
            && (self.seqs.is_empty() || self.seqs.iter().any(|(a, b)| (*a..=*b).contains(&e.seq)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::default_rubric;

    fn ev(seq: u64, time: &str, change: Change) -> Event {
        Event {
            seq,
            time: time.into(),
            expert: "E01".into(),
            change,
            prev: String::new(),
            hash: String::new(),
        }
    }

    fn score(app: &str, k: &str) -> Change {
        Change::Score {
            app: app.into(),
            criterion: k.into(),
            value: Some(1),
        }
    }

    #[test]
    fn each_kind_of_condition() {
        let r = default_rubric().expect("rubric");
        let a = ev(
            3,
            "2024-03-01T09:00:05.000Z",
            score("2023-BJ-001", "innovation"),
        );
        let b = ev(
            9,
            "2024-03-02T14:30:00.000Z",
            Change::Comment {
                app: "2023-SH-002".into(),
                text: "x".into(),
            },
        );
        let utc = jiff::tz::TimeZone::UTC;
        let m = |q: &str| {
            let f = Filter::parse(q, &r).expect(q);
            (f.matches(&a, &utc), f.matches(&b, &utc))
        };
        assert_eq!(m(""), (true, true));
        assert_eq!(m("app:bj"), (true, false));
        assert_eq!(m("2023-SH"), (false, true));
        assert_eq!(m("app:bj app:sh"), (true, true));
        assert_eq!(m("crit:innovation"), (true, false));
        assert_eq!(m("crit:创新性"), (true, false));
        assert_eq!(m("crit:Advancement"), (false, false));
        assert_eq!(m("type:comment"), (false, true));
        assert_eq!(m("from:2024-03-02"), (false, true));
        assert_eq!(m("to:2024-03-01"), (true, false));
        assert_eq!(
            m("from:2024-03-01T09:00 to:2024-03-01T09:00"),
            (true, false)
        );
        assert_eq!(m("seq:3"), (true, false));
        assert_eq!(m("seq:9-3"), (true, true));
        assert_eq!(m("seq:4-9"), (false, true));
        assert_eq!(m("app:bj type:comment"), (false, false));
        // Times are the screen's, local: 09:00:05Z is 17:00:05 at +08:00.
        let cst = jiff::tz::TimeZone::fixed(jiff::tz::offset(8));
        let f = Filter::parse("from:2024-03-01T17:00 to:2024-03-01T17", &r).expect("times");
        assert!(f.matches(&a, &cst));
        assert!(!f.matches(&a, &utc));
    }

    #[test]
    fn mistakes_name_the_word() {
        let r = default_rubric().expect("rubric");
        let e = |q: &str| Filter::parse(q, &r).expect_err(q);
        assert_eq!(e("who:E01"), FilterError::Unknown("who:".into()));
        assert_eq!(e("app:"), FilterError::Empty("app:".into()));
        assert_eq!(e("type:scores"), FilterError::BadType("scores".into()));
        assert_eq!(e("crit:beauty"), FilterError::BadCrit("beauty".into()));
        assert_eq!(
            e("from:yesterday"),
            FilterError::BadTime("yesterday".into())
        );
        assert_eq!(e("seq:1-x"), FilterError::BadSeq("1-x".into()));
    }
}
