//! What a replay shows: one expert's scoring history, from a working copy
//! or a signed export, with its chain checked from genesis and every event
//! worked out against the sheet it changed ("innovation 18 → 20").
//!
//! Only [`Source::open`] reads files; building a [`Source`] from events
//! and replaying it ([`History`]) is pure, so tests hand it broken
//! histories directly.

use std::collections::BTreeSet;
use std::io::Read as _;
use std::path::Path;

use anyhow::{Context as _, Result, anyhow, bail};

use crate::crypto::envelope::{Envelope, SCORES_TYPE};
use crate::crypto::event::{self, EventSig};
use crate::crypto::sign::VerifyKey;
use crate::domain::Rubric;
use crate::domain::history::{self, ChainError, Change, Event, Refusal, Sheet};
use crate::formats::scores::ScoresPayload;
use crate::store::Bundle;

/// Largest export file read (a million events is about 300 MB).
const MAX_EXPORT_BYTES: u64 = 1 << 30;

/// Where the history comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    WorkingCopy,
    /// A signed scores file: its time of export, whether partial, and the
    /// key id it names (the signature itself is `panelist verify`'s).
    Export {
        created: String,
        partial: bool,
        key_id: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expert {
    pub id: String,
    pub name: String,
    pub org: String,
}

/// An application as the replay names it (an export carries no titles).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppRef {
    pub id: String,
    pub title: String,
}

/// Why the history cannot be trusted from some point on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// The first broken link of the hash chain.
    Chain(ChainError),
    /// The bundle digest the chain starts from is not hex: nothing checks.
    Digest,
    /// The chain holds, but an export's head names another size or hash.
    Head { claimed: u64, actual: u64 },
}

/// The chain check: the index of the first event not covered (and every
/// later one), and the problem.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChainCheck {
    pub first_bad: Option<usize>,
    pub problem: Option<Break>,
}

impl ChainCheck {
    /// Whether event `i` is covered by an intact chain.
    pub fn covers(&self, i: usize) -> bool {
        self.first_bad.is_none_or(|b| i < b)
    }
}

/// The events' own signatures, checked against the owner's key in the
/// copy's roster (and the previous keys it lists).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Signatures {
    /// An export: its events carry no signatures of their own (the file
    /// is signed as a whole, which `panelist verify` checks).
    #[default]
    NotCarried,
    /// The copy's roster names no usable key for its owner (or it has no
    /// owner): nothing to check against.
    NoKey,
    /// Each event's verdict, in the order of `events`.
    Checked(Vec<EventSig>),
}

impl Signatures {
    /// Event `i`'s verdict, when checked.
    pub fn of(&self, i: usize) -> Option<EventSig> {
        match self {
            Signatures::Checked(v) => v.get(i).copied(),
            _ => None,
        }
    }

    /// Events with no signature, and with a signature no accepted key made.
    pub fn counts(&self) -> (usize, usize) {
        match self {
            Signatures::Checked(v) => (
                v.iter().filter(|s| **s == EventSig::Missing).count(),
                v.iter().filter(|s| **s == EventSig::Wrong).count(),
            ),
            _ => (0, 0),
        }
    }
}

/// Everything the replay screen needs, read once.
#[derive(Debug, Clone)]
pub struct Source {
    pub kind: Kind,
    /// The file as named on the command line.
    pub file: String,
    pub call: String,
    pub panel: String,
    pub digest: String,
    pub expert: Option<Expert>,
    pub rubric: Rubric,
    pub apps: Vec<AppRef>,
    pub events: Vec<Event>,
    pub check: ChainCheck,
    pub sigs: Signatures,
}

/// The parts of a source before its chain is checked.
#[derive(Debug, Clone)]
pub struct Parts {
    pub kind: Kind,
    pub file: String,
    pub call: String,
    pub panel: String,
    pub digest: String,
    pub expert: Option<Expert>,
    pub rubric: Rubric,
    pub apps: Vec<AppRef>,
    pub events: Vec<Event>,
    /// An export's head: size and hash.
    pub head: Option<(u64, String)>,
}

impl Source {
    /// Reads a working copy (SQLite) or a signed export (JSON).
    pub fn open(path: &Path) -> Result<Source> {
        let mut head = [0u8; 16];
        let n = std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .map_err(|e| anyhow!("{}: cannot read: {}", path.display(), e.kind()))?;
        if n == 16 && &head == b"SQLite format 3\0" {
            Self::working_copy(path)
        } else {
            Self::export(path)
        }
    }

    fn working_copy(path: &Path) -> Result<Source> {
        let (b, _) = Bundle::open_inspect(path)?;
        let expert = b.owner()?.map(|o| Expert {
            id: o.id,
            name: o.name,
            org: o.org,
        });
        let apps = b
            .applications()?
            .into_iter()
            .map(|a| AppRef {
                id: a.id,
                title: a.title,
            })
            .collect();
        let events = b.history()?;
        let sigs = match expert.as_ref().and_then(|e| {
            b.roster()
                .ok()?
                .into_iter()
                .find(|r| r.id == e.id)
                .and_then(|r| VerifyKey::accepted_by(&r).ok())
        }) {
            None => Signatures::NoKey,
            Some(accepted) => {
                let stored: std::collections::HashMap<u64, Option<String>> =
                    b.event_signatures()?.into_iter().collect();
                let pairs: Vec<([u8; 32], Option<&str>)> = events
                    .iter()
                    .map(|e| {
                        let sig = stored.get(&e.seq).and_then(|s| s.as_deref());
                        (history::unhex32(&e.hash).unwrap_or([0; 32]), sig)
                    })
                    .collect();
                Signatures::Checked(event::check_all(&accepted, &pairs))
            }
        };
        let mut src = Source::new(Parts {
            kind: Kind::WorkingCopy,
            file: path.display().to_string(),
            call: b.meta.call.clone(),
            panel: b.meta.panel.clone(),
            digest: b.meta.digest.clone(),
            expert,
            rubric: b.rubric.clone(),
            apps,
            events,
            head: None,
        });
        src.sigs = sigs;
        Ok(src)
    }

    fn export(path: &Path) -> Result<Source> {
        let p = path.display();
        let md = std::fs::metadata(path).with_context(|| format!("{p}: cannot read"))?;
        if md.len() > MAX_EXPORT_BYTES {
            bail!("{p}: larger than {MAX_EXPORT_BYTES} bytes: not a scores file");
        }
        let text = crate::support::fs::read_text(path, &crate::support::fs::limits::SIGNED)
            .map_err(|e| anyhow!("neither a working copy nor a scores file (JSON): {e:#}"))?;
        let env = Envelope::parse(&text)
            .map_err(|e| anyhow!("{p}: neither a working copy nor a scores file: {e}"))?;
        if env.payload_type != SCORES_TYPE {
            bail!(
                "{p}: a {} file, not an expert's scores: nothing to replay",
                crate::domain::text::inert_line(&env.payload_type)
            );
        }
        let payload: ScoresPayload = crate::formats::read_payload(&env)
            .map_err(|e| anyhow!("{p}: the payload is not a scores payload: {e}"))?;
        let rubric = payload
            .rubric
            .to_rubric()
            .map_err(|m| anyhow!("{p}: rubric: {m}"))?;
        Ok(Source::new(Parts {
            kind: Kind::Export {
                created: payload.created,
                partial: payload.partial,
                key_id: payload.expert.key_id,
            },
            file: path.display().to_string(),
            call: payload.bundle.call,
            panel: payload.bundle.panel,
            digest: payload.bundle.digest,
            expert: Some(Expert {
                id: payload.expert.id,
                name: payload.expert.name,
                org: payload.expert.org,
            }),
            rubric,
            apps: payload
                .applications
                .into_iter()
                .map(|a| AppRef {
                    id: a.id,
                    title: String::new(),
                })
                .collect(),
            events: payload.history,
            head: Some((payload.head.size, payload.head.hash)),
        }))
    }

    /// Checks the chain from genesis (the bundle digest and the expert)
    /// and, for an export, its head.
    pub fn new(p: Parts) -> Source {
        let check = check_chain(&p);
        Source {
            kind: p.kind,
            file: p.file,
            call: p.call,
            panel: p.panel,
            digest: p.digest,
            expert: p.expert,
            rubric: p.rubric,
            apps: p.apps,
            events: p.events,
            check,
            sigs: Signatures::default(),
        }
    }

    /// The position of application `id` in `apps`.
    pub fn app_index(&self, id: &str) -> Option<usize> {
        self.apps.iter().position(|a| a.id == id)
    }
}

fn check_chain(p: &Parts) -> ChainCheck {
    let Some(digest) = history::unhex32(&p.digest) else {
        return ChainCheck {
            first_bad: (!p.events.is_empty()).then_some(0),
            problem: Some(Break::Digest),
        };
    };
    let Some(expert) = &p.expert else {
        // An unclaimed working copy has no chain; any event in it is out
        // of place.
        return match p.events.first() {
            None => ChainCheck::default(),
            Some(e) => ChainCheck {
                first_bad: Some(0),
                problem: Some(Break::Chain(ChainError::Expert {
                    seq: e.seq,
                    found: e.expert.clone(),
                })),
            },
        };
    };
    match history::verify_chain(&digest, &expert.id, &p.events) {
        Ok(h) => match &p.head {
            Some((size, hash)) if *size != p.events.len() as u64 || *hash != history::hex(&h) => {
                ChainCheck {
                    first_bad: None,
                    problem: Some(Break::Head {
                        claimed: *size,
                        actual: p.events.len() as u64,
                    }),
                }
            }
            _ => ChainCheck::default(),
        },
        Err(e) => {
            let index = match &e {
                ChainError::Sequence { position, .. } => *position,
                other => p
                    .events
                    .iter()
                    .position(|x| x.seq == other.seq())
                    .unwrap_or(0),
            };
            ChainCheck {
                first_bad: Some(index),
                problem: Some(Break::Chain(e)),
            }
        }
    }
}

/// What one event changed, against the sheet just before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delta {
    Score {
        criterion: String,
        from: Option<i64>,
        to: Option<i64>,
    },
    /// Lengths in characters, and the start of the new text.
    Comment {
        from: usize,
        to: usize,
        preview: String,
    },
    Recommend {
        from: Option<bool>,
        to: Option<bool>,
    },
    Recuse {
        reason: String,
    },
    Unrecuse {
        reason: String,
    },
}

/// One event of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub delta: Delta,
    /// Replay refuses the event (it is then not applied).
    pub refused: Option<Refusal>,
}

/// Characters of a comment's preview.
const PREVIEW_CHARS: usize = 24;

/// The history replayed once: each event's change, and sheets kept every
/// [`CHECKPOINT`] events so any moment is a short replay away.
#[derive(Debug, Clone)]
pub struct History {
    pub steps: Vec<Step>,
    /// (events applied, the sheet then).
    checkpoints: Vec<(usize, Sheet)>,
    ids: BTreeSet<String>,
}

const CHECKPOINT: usize = 1024;

impl History {
    pub fn new(src: &Source) -> History {
        let ids: BTreeSet<String> = src.apps.iter().map(|a| a.id.clone()).collect();
        let mut sheet = Sheet::default();
        let mut steps = Vec::with_capacity(src.events.len());
        let mut checkpoints = vec![(0, Sheet::default())];
        for (i, e) in src.events.iter().enumerate() {
            let before = sheet.entry(e.change.app());
            let delta = match &e.change {
                Change::Score {
                    criterion, value, ..
                } => Delta::Score {
                    criterion: criterion.clone(),
                    from: before.and_then(|b| b.scores.get(criterion)).copied(),
                    to: *value,
                },
                Change::Comment { text, .. } => Delta::Comment {
                    from: before.map(|b| b.comment.chars().count()).unwrap_or(0),
                    to: text.chars().count(),
                    preview: text
                        .chars()
                        .take(PREVIEW_CHARS + 1)
                        .map(|c| if c.is_whitespace() { ' ' } else { c })
                        .collect(),
                },
                Change::Recommend { value, .. } => Delta::Recommend {
                    from: before.and_then(|b| b.recommend),
                    to: *value,
                },
                Change::Recuse { reason, .. } => Delta::Recuse {
                    reason: reason.clone(),
                },
                Change::Unrecuse { reason, .. } => Delta::Unrecuse {
                    reason: reason.clone(),
                },
            };
            let refused = sheet
                .check(&src.rubric, |a| ids.contains(a), &e.change)
                .err();
            if refused.is_none() {
                sheet.apply(e.seq, &e.change);
            }
            steps.push(Step { delta, refused });
            if (i + 1) % CHECKPOINT == 0 {
                checkpoints.push((i + 1, sheet.clone()));
            }
        }
        History {
            steps,
            checkpoints,
            ids,
        }
    }

    /// Applies events `from..to` (refused ones are skipped, as above).
    fn apply(&self, src: &Source, sheet: &mut Sheet, from: usize, to: usize) {
        for (e, st) in src.events[from..to].iter().zip(&self.steps[from..to]) {
            if st.refused.is_none() && self.ids.contains(e.change.app()) {
                sheet.apply(e.seq, &e.change);
            }
        }
    }

    /// The sheet after the first `n` events, going on from `current` (the
    /// sheet after `at` events) when that is on the way.
    pub fn sheet_at(&self, src: &Source, current: &Sheet, at: usize, n: usize) -> Sheet {
        let n = n.min(src.events.len());
        let (start, base) = self
            .checkpoints
            .iter()
            .rev()
            .find(|(k, _)| *k <= n)
            .map(|(k, s)| (*k, s))
            .unwrap_or((0, &self.checkpoints[0].1));
        let mut sheet;
        let from = if at <= n && at >= start {
            sheet = current.clone();
            at
        } else {
            sheet = base.clone();
            start
        };
        self.apply(src, &mut sheet, from, n);
        sheet
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::default_rubric;

    fn parts(events: Vec<Event>) -> Parts {
        let digest = [7u8; 32];
        Parts {
            kind: Kind::WorkingCopy,
            file: "wc.bundle".into(),
            call: "2023".into(),
            panel: "组".into(),
            digest: history::hex(&digest),
            expert: Some(Expert {
                id: "E01".into(),
                name: "专家".into(),
                org: "单位".into(),
            }),
            rubric: default_rubric().expect("rubric"),
            apps: vec![AppRef {
                id: "A".into(),
                title: "t".into(),
            }],
            events,
            head: None,
        }
    }

    fn chain(changes: Vec<Change>) -> Vec<Event> {
        let g = history::genesis(&[7u8; 32], "E01");
        let mut prev = g;
        let mut out = Vec::new();
        for (i, c) in changes.into_iter().enumerate() {
            let e = history::make_event(
                i as u64 + 1,
                &prev,
                &format!("2024-03-01T09:{:02}:{:02}.000Z", i / 60, i % 60),
                "E01",
                c,
            );
            prev = history::unhex32(&e.hash).expect("hex");
            out.push(e);
        }
        out
    }

    fn score(v: Option<i64>) -> Change {
        Change::Score {
            app: "A".into(),
            criterion: "innovation".into(),
            value: v,
        }
    }

    #[test]
    fn deltas_name_the_value_before_and_after() {
        let src = Source::new(parts(chain(vec![
            score(Some(18)),
            score(Some(20)),
            score(None),
            Change::Recommend {
                app: "A".into(),
                value: Some(true),
            },
        ])));
        assert_eq!(src.check, ChainCheck::default());
        let h = History::new(&src);
        let d: Vec<&Delta> = h.steps.iter().map(|s| &s.delta).collect();
        assert_eq!(
            d[1],
            &Delta::Score {
                criterion: "innovation".into(),
                from: Some(18),
                to: Some(20)
            }
        );
        assert_eq!(
            d[2],
            &Delta::Score {
                criterion: "innovation".into(),
                from: Some(20),
                to: None
            }
        );
        assert_eq!(
            d[3],
            &Delta::Recommend {
                from: None,
                to: Some(true)
            }
        );
        let at = |n| h.sheet_at(&src, &Sheet::default(), 0, n);
        assert_eq!(
            at(1)
                .entry("A")
                .and_then(|e| e.scores.get("innovation").copied()),
            Some(18)
        );
        assert_eq!(
            at(2)
                .entry("A")
                .and_then(|e| e.scores.get("innovation").copied()),
            Some(20)
        );
        assert!(at(3).entry("A").is_some_and(|e| e.scores.is_empty()));
        // Going on from a later or an earlier sheet gives the same.
        let s4 = at(4);
        assert_eq!(h.sheet_at(&src, &s4, 4, 1), at(1));
        assert_eq!(h.sheet_at(&src, &at(1), 1, 4), s4);
    }

    #[test]
    fn the_first_broken_link_and_everything_after_it() {
        let mut ev = chain(vec![score(Some(1)), score(Some(2)), score(Some(3))]);
        ev[1].change = score(Some(25));
        let src = Source::new(parts(ev.clone()));
        assert_eq!(src.check.first_bad, Some(1));
        assert_eq!(
            src.check.problem,
            Some(Break::Chain(ChainError::Hash { seq: 2 }))
        );
        assert!(src.check.covers(0) && !src.check.covers(1) && !src.check.covers(2));
        // A missing event is named by its position.
        let mut gap = chain(vec![score(Some(1)), score(Some(2)), score(Some(3))]);
        gap.remove(1);
        let src = Source::new(parts(gap));
        assert_eq!(src.check.first_bad, Some(1));
        assert!(matches!(
            src.check.problem,
            Some(Break::Chain(ChainError::Sequence { .. }))
        ));
        // An export whose head does not match.
        let mut p = parts(chain(vec![score(Some(1))]));
        p.head = Some((2, "00".repeat(32)));
        let src = Source::new(p);
        assert_eq!(src.check.first_bad, None);
        assert_eq!(
            src.check.problem,
            Some(Break::Head {
                claimed: 2,
                actual: 1
            })
        );
    }

    #[test]
    fn a_refused_event_is_shown_and_not_applied() {
        let src = Source::new(parts(chain(vec![
            Change::Recuse {
                app: "A".into(),
                reason: "r".into(),
            },
            score(Some(9)),
        ])));
        let h = History::new(&src);
        assert!(h.steps[1].refused.is_some());
        let s = h.sheet_at(&src, &Sheet::default(), 0, 2);
        assert!(s.entry("A").is_some_and(|e| e.scores.is_empty()));
    }

    #[test]
    fn checkpoints_give_the_same_sheet_as_a_full_replay() {
        let changes: Vec<Change> = (0..2500).map(|i| score(Some(i % 26))).collect();
        let src = Source::new(parts(chain(changes)));
        let h = History::new(&src);
        for n in [0, 1, 1023, 1024, 1025, 2049, 2500] {
            let direct = history::replay(&src.rubric, |_| true, &src.events[..n]).expect("replay");
            assert_eq!(h.sheet_at(&src, &Sheet::default(), 0, n), direct, "{n}");
        }
    }
}
