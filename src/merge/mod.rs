//! The panel chair's merge: verified expert files in, one aggregated,
//! ranked and signed result out, plus CSV and XLSX for people.
//!
//! - [`merge`]: verify every input exactly as `panelist verify` does, keep
//!   the newest file of an expert whose later file extends the earlier
//!   history, stop on forked histories, leave out partial files unless
//!   asked, aggregate (`domain::aggregate`) and build the payload.
//! - [`recompute`]: the auditor's check — rebuild a merged payload from the
//!   expert files it names and list every figure that differs.
//! - the merged file's payload is [`crate::formats::merged`]; [`report`]:
//!   CSV and XLSX; [`Request`]: `panelist merge`'s reading, unlocking and
//!   writing.
//!
//! Nothing here touches the terminal beyond the progress callback the
//! command line passes in, and nothing writes a file but [`Request::write`].

pub mod marks;
pub mod opinions;
pub mod progress;
pub mod report;
pub mod stages;

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context as _, Result};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::crypto::envelope::{Envelope, SCORES_TYPE};
use crate::crypto::short_id;
use crate::domain::aggregate::{self, Aggregate, AppInfo, Column, ExpertSheet, Params};
use crate::domain::history::{Entry, hex, unhex32};
use crate::domain::text::inert_line;
use crate::domain::{RosterEntry, Rubric};
use crate::formats::merged::{
    AppFacts, AppFinding, DirectionRef, Excluded, InputRef, LeftOut, MergedApp, MergedPayload,
    Method, Missing, app_facts, app_findings, excluded_apps,
};
use crate::formats::scores::ScoresPayload;
use crate::formats::{BundleRef, ExpertRef, HeadRef, MERGED_FORMAT, RubricRef};
use crate::store::Bundle;
use crate::verify::{self, BundleFacts, Context, PayloadRules, ScoresRules, VerifyError};

/// One file given to the merge: its name (as shown and recorded) and its
/// bytes — in memory, or on disk and read only while it is verified, so
/// that a merge of hundreds of large files never holds them all at once.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub name: String,
    pub bytes: Vec<u8>,
    pub path: Option<std::path::PathBuf>,
}

impl InputFile {
    pub fn in_memory(name: String, bytes: Vec<u8>) -> InputFile {
        InputFile {
            name,
            bytes,
            path: None,
        }
    }

    pub fn on_disk(name: String, path: std::path::PathBuf) -> InputFile {
        InputFile {
            name,
            bytes: Vec::new(),
            path: Some(path),
        }
    }

    /// The file's bytes.
    pub fn data(&self) -> std::result::Result<std::borrow::Cow<'_, [u8]>, String> {
        match &self.path {
            Some(p) => crate::support::fs::read_kind(p, &crate::support::fs::limits::SIGNED)
                .map(std::borrow::Cow::Owned)
                .map_err(|e| unreadable(p, &e)),
            None => Ok(std::borrow::Cow::Borrowed(&self.bytes)),
        }
    }

    /// Runs `f` on the file's bytes, read into the thread's reused buffer
    /// when on disk ([`crate::support::fs::with_read`]).
    pub fn with_data<R>(&self, f: impl FnOnce(std::result::Result<&[u8], String>) -> R) -> R {
        match &self.path {
            Some(p) => crate::support::fs::with_read(p, &crate::support::fs::limits::SIGNED, |r| {
                f(r.map_err(|e| unreadable(p, &e)))
            }),
            None => f(Ok(&self.bytes)),
        }
    }

    /// Hex SHA-256 of the bytes (empty when they cannot be read).
    pub fn sha256(&self) -> String {
        self.data()
            .map(|d| hex(&Sha256::digest(&d)))
            .unwrap_or_default()
    }
}

/// Why an input could not be read, without its path (the input's name
/// is given beside the reason).
fn unreadable(p: &std::path::Path, e: &anyhow::Error) -> String {
    let m = format!("{e:#}");
    let prefix = format!("{}: ", p.display());
    m.strip_prefix(&prefix).map(str::to_string).unwrap_or(m)
}

/// What the merge admits and how it aggregates.
#[derive(Debug, Clone, Default)]
pub struct MergeOptions {
    pub params: Params,
    /// Leave out files that fail verification (reported) instead of stopping.
    pub skip_invalid: bool,
    /// Merge partial exports too (their drafts never count).
    pub allow_partial: bool,
    /// Leave applications with eligibility findings out of the ranking.
    pub exclude_ineligible: bool,
}

/// What happened to one input, for the command's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    /// Verified and merged.
    Ok,
    /// Failed verification, left out (`--skip-invalid`).
    Skipped,
    /// A partial export, left out (no `--allow-partial`).
    Partial,
    /// An older file of an expert whose newer file extends it.
    Superseded,
    /// The same bytes or the same history as another input.
    Duplicate,
}

impl NoteKind {
    /// The tag the command prints at the start of the line.
    pub fn tag(self) -> &'static str {
        match self {
            NoteKind::Ok => "OK  ",
            NoteKind::Skipped => "SKIP",
            NoteKind::Partial => "PART",
            NoteKind::Superseded => "OLD ",
            NoteKind::Duplicate => "DUP ",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub kind: NoteKind,
    pub file: String,
    pub text: String,
}

/// A finished merge.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The payload; while `marks` holds the experts' marks, its
    /// applications' `by_expert` are empty (see [`Merged::full`]).
    pub payload: MergedPayload,
    pub aggregate: Aggregate,
    pub notes: Vec<Note>,
    /// The experts' marks kept compact ([`merge_compact`]), written
    /// straight into the payload's bytes and read by the people's files.
    pub marks: Option<marks::Marks>,
}

impl Merged {
    /// The merge with every application's `by_expert` in its payload.
    pub fn full(mut self) -> Merged {
        if let Some(m) = self.marks.take() {
            m.fill(&mut self.payload);
        }
        self
    }

    /// The payload's canonical JSON (what is signed), marks included.
    pub fn payload_bytes(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.write_payload(&mut out)?;
        Ok(out)
    }

    /// [`Merged::payload_bytes`] after what `out` holds.
    fn write_payload(&self, out: &mut Vec<u8>) -> Result<()> {
        let built = match &self.marks {
            Some(m) => marks::write_payload(&self.payload, m, out),
            None => crate::crypto::jcs::to_vec(&self.payload)
                .map(|b| out.extend_from_slice(&b))
                .map_err(|e| e.to_string()),
        };
        built.map_err(|e| anyhow::anyhow!("cannot build the payload: {e}"))
    }

    /// Writes the signed file's text to `w`: the text of
    /// [`Merged::envelope`], byte for byte, the payload given in pieces
    /// ([`marks::Pieces`]) — signed, encoded and written as it is built,
    /// never held whole.
    pub fn write_signed_text<W: std::io::Write>(
        &self,
        key: Option<&crate::crypto::sign::SecretKey>,
        w: &mut W,
    ) -> Result<()> {
        use crate::crypto::envelope::{EnvSignature, Envelope, EnvelopeError, MERGED_TYPE};
        use base64::Engine as _;
        use base64::engine::general_purpose::STANDARD;
        let Some(m) = &self.marks else {
            return Ok(self.envelope(key)?.write_text(w)?);
        };
        let cannot = |e: String| anyhow::anyhow!("cannot build the payload: {e}");
        let pieces = marks::Pieces::of(&self.payload, m).map_err(cannot)?;
        // Why the pieces could not be given (the writer's own errors are
        // the file's).
        let failed = std::cell::RefCell::new(None::<String>);
        let sig = std::cell::RefCell::new(None);
        let written = Envelope::write_text_signed_after(
            MERGED_TYPE,
            w,
            &mut |w| {
                use std::io::Write as _;
                let enc = std::cell::RefCell::new(base64::write::EncoderWriter::new(w, &STANDARD));
                let wrote = std::cell::RefCell::new(Ok(()));
                // The first pass over the pieces encodes them into the
                // file as it feeds them to the signature (or, unsigned,
                // only encodes them).
                let calls = std::cell::Cell::new(0usize);
                let given = std::cell::Cell::new(0usize);
                let feed = |sink: &mut dyn FnMut(&[u8])| {
                    let first = calls.get() == 0;
                    calls.set(calls.get() + 1);
                    given.set(0);
                    let each = pieces.each(&mut |piece| {
                        given.set(given.get() + piece.len());
                        sink(piece);
                        let mut wrote = wrote.borrow_mut();
                        if first && wrote.is_ok() {
                            *wrote = enc.borrow_mut().write_all(piece);
                        }
                    });
                    if let Err(e) = each {
                        failed.borrow_mut().get_or_insert(e);
                    }
                };
                match key {
                    None => feed(&mut |_| ()),
                    Some(k) => {
                        let len = pieces.size();
                        let prefix = format!("DSSEv1 {} {MERGED_TYPE} {len} ", MERGED_TYPE.len());
                        let signed = k.sign_pieces(&|sink| {
                            sink(prefix.as_bytes());
                            feed(sink)
                        });
                        if given.get() != len {
                            failed
                                .borrow_mut()
                                .get_or_insert(format!("{} bytes for {len}", given.get()));
                        }
                        *sig.borrow_mut() = Some(signed.map_err(|e| {
                            std::io::Error::other(EnvelopeError::Sign(e).to_string())
                        })?);
                    }
                }
                if failed.borrow().is_some() {
                    return Err(std::io::Error::other("the payload was not given whole"));
                }
                wrote.into_inner()?;
                enc.into_inner().finish()?;
                Ok(())
            },
            &mut || {
                Ok(match (key, sig.take()) {
                    (Some(k), Some(sig)) => vec![EnvSignature {
                        keyid: k.verify_key().key_id(),
                        sig: STANDARD.encode(sig),
                    }],
                    _ => Vec::new(),
                })
            },
        );
        if let Some(e) = failed.take() {
            return Err(cannot(e));
        }
        Ok(written?)
    }

    /// The signed envelope (unsigned without a key). The payload is
    /// written after room for the signed prefix (PAE), so the signature is
    /// taken over one buffer and no second copy of a payload of a hundred
    /// megabytes is made.
    pub fn envelope(&self, key: Option<&crate::crypto::sign::SecretKey>) -> Result<Envelope> {
        use base64::Engine as _;
        let ty = crate::crypto::envelope::MERGED_TYPE;
        let Some(k) = key else {
            return Ok(Envelope {
                payload_type: ty.into(),
                payload: self.payload_bytes()?,
                signatures: Vec::new(),
            });
        };
        // "DSSEv1 <len(type)> <type> <len(body)> ", the length at most 20 digits.
        let room = format!("DSSEv1 {} {ty} ", ty.len()).len() + 21;
        let mut buf = vec![0u8; room];
        self.write_payload(&mut buf)?;
        let prefix = format!("DSSEv1 {} {ty} {} ", ty.len(), buf.len() - room);
        let start = room - prefix.len();
        buf[start..room].copy_from_slice(prefix.as_bytes());
        let sig = k
            .sign(&buf[start..])
            .map_err(|e| anyhow::anyhow!("{}", crate::crypto::envelope::EnvelopeError::Sign(e)))?;
        buf.drain(..room);
        Ok(Envelope {
            payload_type: ty.into(),
            payload: buf,
            signatures: vec![crate::crypto::envelope::EnvSignature {
                keyid: k.verify_key().key_id(),
                sig: base64::engine::general_purpose::STANDARD.encode(sig),
            }],
        })
    }
}

/// A merge that stopped: every problem found (one line each), and what was
/// learnt of the other inputs on the way.
#[derive(Debug, Clone)]
pub struct Stopped {
    pub problems: Vec<String>,
    pub notes: Vec<Note>,
}

/// A verified expert file.
struct Candidate {
    pos: usize,
    name: String,
    sha256: String,
    /// The payload's header once verified: its applications are moved
    /// into `sheet` and its history dropped — a panel of 300 experts ×
    /// 1,000 applications holds 1.8 million events, and the merge needs
    /// only their hashes from then on.
    p: ScoresPayload,
    /// The expert's sheet, as the verified export states it.
    sheet: Column,
    /// The verified history's event hashes, in order. Each commits to its
    /// event and every one before it, so comparing hashes compares
    /// histories. Kept only for an expert with more than one file (read
    /// again then, [`Candidate::reread_hashes`]): most experts hand in one,
    /// and 300 histories' hashes are tens of megabytes.
    hashes: Vec<[u8; 32]>,
}

impl Candidate {
    /// Reads the file again for its history's hashes: the same bytes as
    /// verified (by SHA-256), verified again.
    fn reread_hashes(&mut self, f: &InputFile, ctx: &Context) -> std::result::Result<(), String> {
        let data = f.data()?;
        if hex(&Sha256::digest(&data)) != self.sha256 {
            return Err("changed while the merge read it; merge again".into());
        }
        let (_, _, hashes) =
            check_bytes(&data, ctx, |events| events.iter().map(|e| e.hash).collect())
                .map_err(|e| e.message)?;
        self.hashes = hashes;
        Ok(())
    }
}

/// How two verified histories of one expert relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    Same,
    /// The second extends the first.
    Extends,
    /// The first extends the second.
    ExtendedBy,
    /// They part at this seq (the first that differs).
    Fork(u64),
}

/// `b` extends `a` when `a`'s events are `b`'s first events (their hashes
/// agree, and so does `a`'s head; genesis: any history extends an empty
/// one of the same expert and bundle).
fn extends(a: &Candidate, b: &Candidate) -> bool {
    let n = a.hashes.len();
    n <= b.hashes.len()
        && a.hashes[..] == b.hashes[..n]
        && (n == 0 || unhex32(&a.p.head.hash) == Some(b.hashes[n - 1]))
}

fn relation(a: &Candidate, b: &Candidate) -> Relation {
    if a.p.head == b.p.head && a.hashes == b.hashes {
        return Relation::Same;
    }
    if extends(a, b) {
        return Relation::Extends;
    }
    if extends(b, a) {
        return Relation::ExtendedBy;
    }
    let at = a
        .hashes
        .iter()
        .zip(&b.hashes)
        .position(|(x, y)| x != y)
        .unwrap_or(a.hashes.len().min(b.hashes.len()));
    Relation::Fork(at as u64 + 1)
}

fn head_text(name: &str, h: &HeadRef) -> String {
    format!("{name} (head size {}, hash {})", h.size, short_id(&h.hash))
}

/// An expert's sheet as the export states it (verified equal to the replay
/// of its history): recused applications carry no scores.
pub fn sheet_of(p: &ScoresPayload) -> ExpertSheet {
    sheet_from(&p.expert.id, p.applications.clone())
}

/// The compact column of an expert's verified applications, found by
/// `row` among `rows` applications; taking them, not copying.
fn column_from(
    expert: &str,
    applications: Vec<crate::formats::scores::AppResult>,
    rows: usize,
    row: &dyn Fn(&str) -> Option<usize>,
    rubric: &Rubric,
) -> Column {
    let text = applications.iter().map(|a| a.comment.len()).sum();
    let mut col = Column::new(expert.to_string(), rows, rubric, text);
    for a in applications {
        let e = Entry {
            scores: a.scores,
            comment: a.comment,
            recommend: a.recommend,
            recused: a.status == "recused",
            recuse_reason: String::new(),
            last_seq: 0,
        };
        match row(&a.id) {
            Some(r) => col.set(r, &a.id, &e, rubric),
            None => col.unknown(&a.id),
        }
    }
    col.finish()
}

/// [`sheet_of`], taking the applications instead of copying them.
fn sheet_from(expert: &str, applications: Vec<crate::formats::scores::AppResult>) -> ExpertSheet {
    let entries = applications
        .into_iter()
        .map(|a| {
            (
                a.id,
                Entry {
                    scores: a.scores,
                    comment: a.comment,
                    recommend: a.recommend,
                    recused: a.status == "recused",
                    recuse_reason: a.recuse_reason.unwrap_or_default(),
                    last_seq: 0,
                },
            )
        })
        .collect();
    ExpertSheet {
        expert: expert.to_string(),
        entries,
    }
}

fn input_ref(c: &Candidate) -> InputRef {
    InputRef {
        file: c.name.clone(),
        sha256: c.sha256.clone(),
        expert: c.p.expert.id.clone(),
        name: c.p.expert.name.clone(),
        key_id: c.p.expert.key_id.clone(),
        head: c.p.head.clone(),
        created: c.p.created.clone(),
        partial: c.p.partial,
    }
}

/// An aggregation and its published parts.
#[derive(Debug, Clone)]
pub struct Aggregated {
    pub aggregate: Aggregate,
    pub applications: Vec<MergedApp>,
    pub experts: Vec<aggregate::ExpertStats>,
    pub agreement: Vec<aggregate::Agreement>,
}

/// The eligibility side of an aggregation: each application's findings
/// and whether those with findings are left out of the ranking.
#[derive(Debug, Clone, Copy)]
pub struct Eligibility<'a> {
    pub findings: &'a BTreeMap<String, Vec<AppFinding>>,
    pub exclude: bool,
}

impl Eligibility<'_> {
    /// The applications left out of the ranking, in `facts` order.
    pub fn excluded(&self, facts: &[AppFacts]) -> Vec<Excluded> {
        excluded_apps(
            facts.iter().map(|f| f.id.as_str()),
            self.findings,
            self.exclude,
        )
    }
}

/// Aggregates the applications of `facts` that `keep` admits (the
/// columns' rows are `facts`' indices).
fn aggregate_part(
    rubric: &Rubric,
    facts: &[AppFacts],
    columns: &[Column],
    params: &Params,
    keep: &dyn Fn(&str) -> bool,
) -> std::result::Result<Aggregate, String> {
    let (rows, infos): (Vec<usize>, Vec<AppInfo>) = facts
        .iter()
        .enumerate()
        .filter(|(_, f)| keep(&f.id))
        .map(|(i, f)| {
            (
                i,
                AppInfo {
                    id: f.id.clone(),
                    direction: f.direction,
                    lead_sme: f.sme,
                },
            )
        })
        .unzip();
    aggregate::aggregate_columns(rubric, &infos, &rows, columns, params).map_err(|e| e.to_string())
}

/// Aggregates expert sheets (in expert id order) and shapes the published
/// results: the one computation behind [`merge`] and [`recompute`]. With
/// applications excluded for their findings, the ranking, the experts'
/// statistics and the agreement are those of the other applications; the
/// excluded ones keep their figures and flags but no rank.
pub fn aggregate_sheets(
    rubric: &Rubric,
    facts: &[AppFacts],
    sheets: &[ExpertSheet],
    params: &Params,
    elig: Eligibility,
) -> std::result::Result<Aggregated, String> {
    let columns = Column::of_sheets(sheets, facts.iter().map(|f| f.id.as_str()), rubric);
    aggregate_compact(rubric, facts, columns, params, elig).map(Compact::full)
}

/// An aggregation whose marks are still the experts' columns.
struct Compact {
    aggregate: Aggregate,
    /// The published applications, `by_expert` empty.
    applications: Vec<MergedApp>,
    marks: marks::Marks,
}

impl Compact {
    /// The published parts with every application's marks.
    fn full(self) -> Aggregated {
        let mut applications = self.applications;
        for (row, a) in applications.iter_mut().enumerate() {
            a.by_expert = self.marks.expert_marks(row);
        }
        Aggregated {
            experts: self.aggregate.experts.clone(),
            agreement: self.aggregate.agreement.clone(),
            applications,
            aggregate: self.aggregate,
        }
    }
}

/// [`aggregate_sheets`] on the experts' columns (rows in `facts` order),
/// which become the marks.
fn aggregate_compact(
    rubric: &Rubric,
    facts: &[AppFacts],
    columns: Vec<Column>,
    params: &Params,
    elig: Eligibility,
) -> std::result::Result<Compact, String> {
    // The marks are laid out row by row on their own thread while the
    // columns are aggregated: both only read the columns.
    let (marks, agg) = std::thread::scope(|sc| {
        let marks = sc.spawn(|| marks::Marks::new(&columns, rubric));
        let agg = aggregate_all(rubric, facts, &columns, params, &elig);
        let marks = marks
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (marks, agg)
    });
    drop(columns);
    let agg = agg?;
    let applications = agg
        .applications
        .iter()
        .zip(facts)
        .map(|(r, f)| {
            let found = elig.findings.get(&f.id).cloned().unwrap_or_default();
            MergedApp::of(r, f, Vec::new(), found)
        })
        .collect();
    Ok(Compact {
        aggregate: agg,
        applications,
        marks,
    })
}

/// The aggregate of the columns: the applications left out of the
/// ranking by eligibility aggregated apart, unranked.
fn aggregate_all(
    rubric: &Rubric,
    facts: &[AppFacts],
    columns: &[Column],
    params: &Params,
    elig: &Eligibility,
) -> std::result::Result<Aggregate, String> {
    let excluded: BTreeSet<String> = elig.excluded(facts).into_iter().map(|x| x.id).collect();
    let agg = if excluded.is_empty() {
        aggregate_part(rubric, facts, columns, params, &|_| true)?
    } else {
        let ranked = aggregate_part(rubric, facts, columns, params, &|id| !excluded.contains(id))?;
        let left = aggregate_part(rubric, facts, columns, params, &|id| excluded.contains(id))?;
        let mut by_id: BTreeMap<String, aggregate::AppResult> = ranked
            .applications
            .into_iter()
            .chain(left.applications.into_iter().map(|mut r| {
                r.rank = None;
                r.tie_break = None;
                r.ranks.clear();
                r.flags.rank_unstable = false;
                r
            }))
            .map(|r| (r.id.clone(), r))
            .collect();
        Aggregate {
            params: ranked.params,
            applications: facts.iter().filter_map(|f| by_id.remove(&f.id)).collect(),
            experts: ranked.experts,
            agreement: ranked.agreement,
        }
    };
    Ok(agg)
}

/// The roster experts (never the chair) with no merged file, in roster
/// order, and why: no key in the roster, no file given, or every file
/// given left out.
pub fn missing_experts(
    roster: &[RosterEntry],
    inputs: &[InputRef],
    left_out: &[LeftOut],
) -> Vec<Missing> {
    use crate::verify::CHAIR_ROLE;
    roster
        .iter()
        .filter(|e| e.role.as_deref() != Some(CHAIR_ROLE))
        .filter(|e| !inputs.iter().any(|i| i.expert == e.id))
        .map(|e| {
            let files: Vec<String> = left_out
                .iter()
                .filter(|l| l.expert.as_deref() == Some(e.id.as_str()))
                .map(|l| format!("{} ({})", inert_line(&l.file), l.reason))
                .collect();
            let (reason, detail) = if !files.is_empty() {
                (
                    "left-out",
                    format!("every file given was left out: {}", files.join(", ")),
                )
            } else if e.key_id.is_none() {
                (
                    "no-key",
                    "the roster gives no key, so no file can be verified".to_string(),
                )
            } else {
                ("no-file", "no file of this expert was given".to_string())
            };
            Missing {
                expert: e.id.clone(),
                name: e.name.clone(),
                reason: reason.into(),
                detail,
            }
        })
        .collect()
}

/// The expert a file that does not verify says it is from, when its
/// envelope and payload can be read that far and the id is a roster
/// expert's (untrusted: it only tells the chair whose file was refused).
fn named_expert(data: &[u8], roster: &[RosterEntry]) -> Option<String> {
    let text = std::str::from_utf8(data).ok()?;
    let env = Envelope::parse(text).ok()?;
    let v: Value = serde_json::from_slice(&env.payload).ok()?;
    let id = v.get("expert")?.get("id")?.as_str()?;
    roster.iter().find(|e| e.id == id).map(|e| e.id.clone())
}

/// Merges the expert files `inputs` for the panel of `bundle`, checked
/// against `roster`. `Err` is an error that stops everything (an
/// unreadable bundle); `Ok(Err(Stopped))` lists the problems found in the
/// inputs. `progress` is told how many inputs have been verified.
pub fn merge(
    bundle: &Bundle,
    roster: &[RosterEntry],
    inputs: &[InputFile],
    opts: &MergeOptions,
    created: &str,
    chair: Option<ExpertRef>,
    progress: &mut dyn FnMut(usize, &str),
) -> Result<std::result::Result<Merged, Stopped>> {
    let done = merge_compact(bundle, roster, inputs, opts, created, chair, progress)?;
    Ok(done.map(Merged::full))
}

/// [`merge`], the experts' marks kept compact in [`Merged::marks`] (the
/// payload's `by_expert` empty): what `panelist merge` writes from, a
/// panel's marks being most of a merge's memory.
pub fn merge_compact(
    bundle: &Bundle,
    roster: &[RosterEntry],
    inputs: &[InputFile],
    opts: &MergeOptions,
    created: &str,
    chair: Option<ExpertRef>,
    progress: &mut dyn FnMut(usize, &str),
) -> Result<std::result::Result<Merged, Stopped>> {
    let mut stages = stages::Stages::new();
    let facts = BundleFacts::of(bundle)?;
    let bundle_apps = bundle.applications()?;
    let apps = app_facts(&bundle_apps);
    let findings = app_findings(&bundle.catalog, &bundle_apps);
    drop(bundle_apps);
    stages.mark("prepare");
    let ctx = Context {
        roster,
        bundle: Some(&facts),
    };
    let mut notes: Vec<Note> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    let mut left_out: Vec<LeftOut> = Vec::new();
    let mut seen_sha: BTreeMap<String, String> = BTreeMap::new();
    let mut candidates: Vec<Candidate> = Vec::new();
    // Verify every input on every core; the files are independent.
    // Each worker reads a file, hashes it, verifies it and keeps only what
    // the merge needs; a file given twice is verified twice and counted once.
    let rows: std::collections::HashMap<&str, usize> = apps
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id.as_str(), i))
        .collect();
    let row = |id: &str| rows.get(id).copied();
    let rubric = &bundle.rubric;
    type Kept = (String, ScoresPayload, Column);
    type Checked = (String, std::result::Result<Kept, (String, Option<String>)>);
    let mut results: Vec<Option<Checked>> = crate::support::par::map_indexed(
        inputs,
        |_, f| {
            f.with_data(|data| {
                let data = match data {
                    Ok(d) => d,
                    Err(m) => return Some((String::new(), Err((m, None)))),
                };
                let sha = hex(&Sha256::digest(data));
                let r = check_bytes(data, &ctx, |_| ())
                    .map(|(summary, mut p, ())| {
                        // The sheet compact as soon as it is verified; the
                        // payload's applications and history are let go.
                        let sheet = column_from(
                            &p.expert.id,
                            std::mem::take(&mut p.applications),
                            apps.len(),
                            &row,
                            rubric,
                        );
                        (summary, p, sheet)
                    })
                    .map_err(|e| (e.message, named_expert(data, roster)));
                Some((sha, r))
            })
        },
        &mut |n| {
            progress(
                n,
                inputs
                    .get(n.saturating_sub(1))
                    .map_or("", |f| f.name.as_str()),
            )
        },
    );
    stages.mark("verify");
    for (pos, f) in inputs.iter().enumerate() {
        let Some((sha, r)) = results[pos].take() else {
            continue;
        };
        let checked = if let Some(first) = seen_sha.get(&sha).filter(|_| !sha.is_empty()) {
            Err((
                NoteKind::Duplicate,
                (format!("the same file as {first}"), None),
            ))
        } else {
            seen_sha.insert(sha.clone(), f.name.clone());
            r.map_err(|m| (NoteKind::Skipped, m))
        };
        match checked {
            Ok((summary, p, sheet)) => {
                notes.push(Note {
                    kind: NoteKind::Ok,
                    file: f.name.clone(),
                    text: summary,
                });
                candidates.push(Candidate {
                    pos,
                    name: f.name.clone(),
                    sha256: sha,
                    p,
                    sheet,
                    hashes: Vec::new(),
                });
            }
            Err((NoteKind::Duplicate, (text, _))) => {
                left_out.push(LeftOut {
                    file: f.name.clone(),
                    sha256: sha,
                    expert: None,
                    reason: "duplicate".into(),
                    detail: text.clone(),
                });
                notes.push(Note {
                    kind: NoteKind::Duplicate,
                    file: f.name.clone(),
                    text,
                });
            }
            Err((_, (reason, named))) => {
                if opts.skip_invalid {
                    left_out.push(LeftOut {
                        file: f.name.clone(),
                        sha256: sha,
                        expert: named,
                        reason: "invalid".into(),
                        detail: reason.clone(),
                    });
                    notes.push(Note {
                        kind: NoteKind::Skipped,
                        file: f.name.clone(),
                        text: reason,
                    });
                } else {
                    problems.push(format!("BAD {}  {}", f.name, inert_line(&reason)));
                }
            }
        }
    }

    // One file per expert: the newest of a line of extensions; forks stop.
    let mut by_expert: BTreeMap<String, Vec<Candidate>> = BTreeMap::new();
    for c in candidates {
        by_expert.entry(c.p.expert.id.clone()).or_default().push(c);
    }
    let mut chosen: Vec<Candidate> = Vec::new();
    for (expert, mut files) in by_expert {
        if files.len() > 1 {
            let mut unread = false;
            for c in &mut files {
                if let Err(why) = c.reread_hashes(&inputs[c.pos], &ctx) {
                    problems.push(format!("BAD {}  {}", c.name, inert_line(&why)));
                    unread = true;
                }
            }
            if unread {
                continue;
            }
        }
        // Longest history first; among equal ones the later export, then
        // the later input.
        files.sort_by(|a, b| {
            b.p.head
                .size
                .cmp(&a.p.head.size)
                .then(b.p.created.cmp(&a.p.created))
                .then(b.pos.cmp(&a.pos))
        });
        let mut forked = false;
        for i in 0..files.len() {
            for j in i + 1..files.len() {
                if let Relation::Fork(at) = relation(&files[i], &files[j]) {
                    forked = true;
                    problems.push(format!(
                        "FORK expert {expert}: {} and {} part at seq {at} — two different signed histories (equivocation)",
                        head_text(&files[j].name, &files[j].p.head),
                        head_text(&files[i].name, &files[i].p.head),
                    ));
                }
            }
        }
        if forked {
            continue;
        }
        let mut files = files.into_iter();
        let Some(newest) = files.next() else {
            continue;
        };
        for old in files {
            let (kind, reason, detail) = if relation(&old, &newest) == Relation::Same {
                (
                    NoteKind::Duplicate,
                    "duplicate",
                    format!(
                        "the same history as {} (head size {}); {} is used",
                        newest.name, old.p.head.size, newest.name
                    ),
                )
            } else {
                (
                    NoteKind::Superseded,
                    "superseded",
                    format!(
                        "{} extends this history from {} to {} events (head {} is its event {}); the newer file is used",
                        newest.name,
                        old.p.head.size,
                        newest.p.head.size,
                        short_id(&old.p.head.hash),
                        old.p.head.size
                    ),
                )
            };
            left_out.push(LeftOut {
                file: old.name.clone(),
                sha256: old.sha256.clone(),
                expert: Some(expert.clone()),
                reason: reason.into(),
                detail: detail.clone(),
            });
            notes.push(Note {
                kind,
                file: old.name.clone(),
                text: detail,
            });
        }
        if newest.p.partial && !opts.allow_partial {
            let detail = format!(
                "expert {expert}'s file is partial (some applications neither complete nor recused); left out — merge with --allow-partial to count its complete scores"
            );
            left_out.push(LeftOut {
                file: newest.name.clone(),
                sha256: newest.sha256.clone(),
                expert: Some(expert.clone()),
                reason: "partial".into(),
                detail: detail.clone(),
            });
            notes.push(Note {
                kind: NoteKind::Partial,
                file: newest.name.clone(),
                text: detail,
            });
            continue;
        }
        chosen.push(newest);
    }
    if problems.is_empty() && chosen.is_empty() {
        problems.push("no expert file left to merge".into());
    }
    if !problems.is_empty() {
        return Ok(Err(Stopped { problems, notes }));
    }
    chosen.sort_by(|a, b| a.p.expert.id.cmp(&b.p.expert.id));
    // The histories are compared; from here on only the sheets count.
    let sheets: Vec<Column> = chosen
        .iter_mut()
        .map(|c| {
            c.hashes = Vec::new();
            std::mem::take(&mut c.sheet)
        })
        .collect();
    stages.mark("choose");
    let elig = Eligibility {
        findings: &findings,
        exclude: opts.exclude_ineligible,
    };
    let done = match aggregate_compact(&bundle.rubric, &apps, sheets, &opts.params, elig) {
        Ok(x) => x,
        Err(m) => {
            return Ok(Err(Stopped {
                problems: vec![m],
                notes,
            }));
        }
    };
    let inputs: Vec<InputRef> = chosen.iter().map(input_ref).collect();
    let payload = MergedPayload {
        format: MERGED_FORMAT.into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        created: created.to_string(),
        bundle: BundleRef {
            id: bundle.meta.bundle_id.clone(),
            digest: bundle.meta.digest.clone(),
            call: bundle.meta.call.clone(),
            panel: bundle.meta.panel.clone(),
        },
        chair,
        rubric: RubricRef::of(&bundle.rubric),
        directions: DirectionRef::of(&bundle.catalog, &apps),
        method: Method::of(&opts.params, opts.allow_partial, opts.exclude_ineligible),
        missing: missing_experts(roster, &inputs, &left_out),
        excluded: elig.excluded(&apps),
        inputs,
        left_out,
        applications: done.applications,
        experts: done.aggregate.experts.clone(),
        agreement: done.aggregate.agreement.clone(),
        opinions: None,
    };
    stages.mark("aggregate");
    Ok(Ok(Merged {
        payload,
        aggregate: done.aggregate,
        notes,
        marks: Some(done.marks),
    }))
}

/// Verifies one input as `panelist verify` does and insists it is an
/// expert's scores file. Returns the OK summary and the payload.
fn check_bytes<T>(
    bytes: &[u8],
    ctx: &Context,
    keep: impl FnOnce(&[crate::formats::scores::LeanEvent]) -> T,
) -> std::result::Result<(String, ScoresPayload, T), VerifyError> {
    // Megabytes each: the SIMD check, and the position only on failure.
    let text = simdutf8::basic::from_utf8(bytes).map_err(|_| {
        let at = std::str::from_utf8(bytes).map_or_else(|e| e.valid_up_to(), |_| 0);
        VerifyError::new(verify::Kind::Envelope, format!("not UTF-8 (byte {at})"))
    })?;
    let env = verify::parse_envelope(text)?;
    let (v, p, kept) = verify::verify_scores_lean(&env, ctx, keep)?;
    Ok((v.summary, p, kept))
}

/// The envelope of a merged payload: signed by the chair's key, or with no
/// signature at all (an unsigned draft) when there is none.
pub fn envelope(
    payload: &MergedPayload,
    key: Option<&crate::crypto::sign::SecretKey>,
) -> Result<Envelope> {
    // The typed writer: JCS straight from the payload's types, no tree.
    let bytes = crate::crypto::jcs::to_vec(payload)
        .map_err(|e| anyhow::anyhow!("cannot build the payload: {e}"))?;
    match key {
        Some(k) => Envelope::sign_bytes(crate::crypto::envelope::MERGED_TYPE, bytes, k)
            .map_err(|e| anyhow::anyhow!("{e}")),
        None => Ok(Envelope {
            payload_type: crate::crypto::envelope::MERGED_TYPE.into(),
            payload: bytes,
            signatures: Vec::new(),
        }),
    }
}

/// Recomputes `payload` from the expert files it names, found among
/// `inputs` by SHA-256. Each named file must be there and hold what the
/// payload records (expert, key id, head, bundle, rubric), its history must
/// verify and replay to its results; then the aggregation is run again
/// with the payload's method and every published figure compared. `Err`
/// lists every missing input and every differing figure, one line each.
///
/// Signatures are not checked here: `panelist verify` does that with the
/// roster, for the merged file and for each expert file.
pub fn recompute(
    payload: &MergedPayload,
    inputs: &[InputFile],
) -> std::result::Result<(), Vec<String>> {
    let mut errs: Vec<String> = Vec::new();
    if payload.format != MERGED_FORMAT {
        errs.push(format!(
            "format '{}', expected '{MERGED_FORMAT}'",
            inert_line(&payload.format)
        ));
    }
    let rubric = match payload.rubric.to_rubric() {
        Ok(r) => Some(r),
        Err(m) => {
            errs.push(format!("rubric: {m}"));
            None
        }
    };
    let by_sha: BTreeMap<String, &InputFile> = inputs.iter().map(|f| (f.sha256(), f)).collect();
    let mut files: Vec<ScoresPayload> = Vec::new();
    let mut experts_seen = BTreeSet::new();
    let app_ids: Vec<String> = payload.applications.iter().map(|a| a.id.clone()).collect();
    for r in &payload.inputs {
        let what = format!(
            "input {} of expert {}",
            inert_line(&r.file),
            inert_line(&r.expert)
        );
        if !experts_seen.insert(r.expert.clone()) {
            errs.push(format!("{what}: expert listed twice"));
        }
        let Some(f) = by_sha.get(&r.sha256) else {
            // A file of the same name that is given but no longer has the
            // recorded SHA-256 was altered, not lost.
            let base = |n: &str| {
                std::path::Path::new(n)
                    .file_name()
                    .map(|x| x.to_string_lossy().into_owned())
                    .unwrap_or_default()
            };
            match inputs.iter().find(|i| base(&i.name) == base(&r.file)) {
                Some(altered) => errs.push(format!(
                    "{what} was altered: its SHA-256 is {} now, the merged result names {}",
                    short_id(&altered.sha256()),
                    short_id(&r.sha256)
                )),
                None => errs.push(format!("missing {what} (sha256 {})", short_id(&r.sha256))),
            }
            continue;
        };
        match read_named_input(f, r, payload, &app_ids) {
            Ok(p) => files.push(p),
            Err(m) => errs.push(format!("{what}: {m}")),
        }
    }
    let sorted = payload.inputs.windows(2).all(|w| w[0].expert < w[1].expert);
    if !sorted {
        errs.push("inputs are not in expert id order".into());
    }
    let Some(rubric) = rubric else {
        return Err(errs);
    };
    if !errs.is_empty() {
        return Err(errs);
    }
    let facts: Vec<AppFacts> = payload.applications.iter().map(MergedApp::facts).collect();
    let params = payload.method.params();
    let index: std::collections::HashMap<&str, usize> = facts
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id.as_str(), i))
        .collect();
    let sheets: Vec<Column> = files
        .into_iter()
        .map(|p| {
            column_from(
                &p.expert.id,
                p.applications,
                facts.len(),
                &|id| index.get(id).copied(),
                &rubric,
            )
        })
        .collect();
    // The findings are the bundle's: `panelist verify --bundle` screens
    // them again; here the file's own are used.
    let findings: BTreeMap<String, Vec<AppFinding>> = payload
        .applications
        .iter()
        .filter(|a| !a.findings.is_empty())
        .map(|a| (a.id.clone(), a.findings.clone()))
        .collect();
    let elig = Eligibility {
        findings: &findings,
        exclude: payload.method.exclude_ineligible,
    };
    let done = match aggregate_compact(&rubric, &facts, sheets, &params, elig) {
        Ok(x) => x.full(),
        Err(m) => return Err(vec![m]),
    };
    let excluded = elig.excluded(&facts);
    // The opinions are the chair's words, not figures: they come from the
    // file (`check_opinions` checks their form, `panelist verify
    // --opinions` their log).
    let mut done = done;
    for (mine, theirs) in done.applications.iter_mut().zip(&payload.applications) {
        if mine.id == theirs.id {
            mine.opinion = theirs.opinion.clone();
        }
    }
    let method = Method::of(
        &params,
        payload.method.allow_partial,
        payload.method.exclude_ineligible,
    );
    let pairs: [(&str, Value, Value); 5] = [
        ("method", to_value(&payload.method), to_value(&method)),
        ("excluded", to_value(&payload.excluded), to_value(&excluded)),
        (
            "applications",
            to_value(&payload.applications),
            to_value(&done.applications),
        ),
        (
            "experts",
            to_value(&payload.experts),
            to_value(&done.experts),
        ),
        (
            "agreement",
            to_value(&payload.agreement),
            to_value(&done.agreement),
        ),
    ];
    for (name, got, want) in &pairs {
        diff(name, got, want, &mut errs);
    }
    const MAX: usize = 200;
    if errs.len() > MAX {
        let more = errs.len() - MAX;
        errs.truncate(MAX);
        errs.push(format!("… and {more} more differences"));
    }
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Reads an input the payload names and checks it is what the payload
/// says, and sound on its own (chain, replay).
fn read_named_input(
    f: &InputFile,
    r: &InputRef,
    payload: &MergedPayload,
    app_ids: &[String],
) -> std::result::Result<ScoresPayload, String> {
    let data = f.data()?;
    let text = std::str::from_utf8(&data).map_err(|_| "not UTF-8".to_string())?;
    let env = Envelope::parse(text).map_err(|e| e.to_string())?;
    if env.payload_type != SCORES_TYPE {
        return Err("not an expert's scores file".into());
    }
    let p: ScoresPayload = crate::formats::read_payload(&env).map_err(|e| e.to_string())?;
    let mut bad = Vec::new();
    if p.expert.id != r.expert {
        bad.push(format!("names expert {}", inert_line(&p.expert.id)));
    }
    if p.expert.key_id != r.key_id {
        bad.push(format!("key {}", short_id(&p.expert.key_id)));
    }
    if p.head != r.head {
        bad.push(format!(
            "head size {} hash {}",
            p.head.size,
            short_id(&p.head.hash)
        ));
    }
    if p.created != r.created || p.partial != r.partial {
        bad.push("created or partial differ".into());
    }
    if p.bundle != payload.bundle {
        bad.push(format!("bundle {}", short_id(&p.bundle.digest)));
    }
    if p.rubric != payload.rubric {
        bad.push("another rubric".into());
    }
    let ids: Vec<String> = p.applications.iter().map(|a| a.id.clone()).collect();
    if ids != app_ids {
        bad.push("other applications".into());
    }
    if p.partial && !payload.method.allow_partial {
        bad.push("partial, but the method does not allow partial files".into());
    }
    if !bad.is_empty() {
        return Err(format!(
            "the file differs from what the merged result records: {}",
            bad.join("; ")
        ));
    }
    let signer = RosterEntry {
        id: p.expert.id.clone(),
        name: p.expert.name.clone(),
        org: p.expert.org.clone(),
        role: None,
        alg: None,
        public_key: None,
        key_id: Some(p.expert.key_id.clone()),
        sm2_id: None,
        previous_keys: Vec::new(),
    };
    let ctx = Context {
        roster: &[],
        bundle: None,
    };
    ScoresRules
        .check(&env, &signer, &ctx)
        .map_err(|e| e.message)?;
    Ok(p)
}

/// A path segment for an element of a result array: its id, else index.
fn label(v: &Value, i: usize) -> String {
    if let Value::Object(m) = v {
        if let Some(Value::String(id)) = m.get("id") {
            return format!("[{id}]");
        }
        if let Some(Value::String(e)) = m.get("expert") {
            return format!("[{e}]");
        }
        if let (Some(d), Some(Value::String(c))) = (m.get("direction"), m.get("criterion")) {
            return format!("[{d}/{c}]");
        }
    }
    format!("[{i}]")
}

fn show(v: Option<&Value>) -> String {
    match v {
        None => "absent".into(),
        Some(Value::String(s)) => inert_line(s),
        Some(v) => inert_line(&v.to_string()),
    }
}

/// Every leaf where `got` (the file) and `want` (recomputed) differ.
fn diff(path: &str, got: &Value, want: &Value, out: &mut Vec<String>) {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            let keys: BTreeSet<&String> = g.keys().chain(w.keys()).collect();
            for k in keys {
                let p = format!("{path}.{k}");
                match (g.get(k), w.get(k)) {
                    (Some(a), Some(b)) => diff(&p, a, b, out),
                    (a, b) => out.push(format!("{p}: file {}, recomputed {}", show(a), show(b))),
                }
            }
        }
        (Value::Array(g), Value::Array(w)) if g.len() == w.len() => {
            for (i, (a, b)) in g.iter().zip(w).enumerate() {
                diff(&format!("{path}{}", label(b, i)), a, b, out);
            }
        }
        (Value::Array(g), Value::Array(w)) => out.push(format!(
            "{path}: file has {} entries, recomputed {}",
            g.len(),
            w.len()
        )),
        (a, b) if a == b => {}
        (a, b) => out.push(format!(
            "{path}: file {}, recomputed {}",
            show(Some(a)),
            show(Some(b))
        )),
    }
}

/// Checks aggregation knobs given on the command line (the messages name
/// their flags).
pub fn check_params(p: &Params) -> Result<()> {
    if p.trim_min_n < 3 {
        anyhow::bail!(
            "--trim-min-n {}: at least 3 (one highest and one lowest are dropped)",
            p.trim_min_n
        );
    }
    if p.quorum == 0 {
        anyhow::bail!("--quorum 0: at least 1");
    }
    for (flag, v) in [
        ("--disagreement-pct", p.disagreement_pct),
        ("--outlier-pct", p.outlier_pct),
    ] {
        if v == 0 || v > 100 {
            anyhow::bail!("{flag} {v}: a percentage from 1 to 100");
        }
    }
    Ok(())
}

/// A merge as the chair asks for it: files, the result's files and the
/// chair's key.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Experts' signed score files, or folders of them (their *.json).
    pub inputs: &'a [std::path::PathBuf],
    /// The panel's bundle.
    pub bundle: &'a std::path::Path,
    /// The roster with public keys (JSON array, or a bundle).
    pub roster: &'a std::path::Path,
    /// The merged result to write.
    pub output: &'a std::path::Path,
    pub csv: Option<&'a std::path::Path>,
    pub xlsx: Option<&'a std::path::Path>,
    /// The chair's key: an id in the key folder, or a key file; none for an
    /// unsigned draft.
    pub key: Option<&'a str>,
    pub passphrase_file: Option<&'a std::path::Path>,
    /// The chair's opinion log (专家组意见), whose final opinions the
    /// result carries.
    pub opinions: Option<&'a std::path::Path>,
}

/// Everything a merge reads before its long work: the roster, the bundle,
/// the inputs and the chair's unlocked key.
pub struct Prepared {
    pub roster: Vec<RosterEntry>,
    pub bundle: Bundle,
    pub inputs: Vec<InputFile>,
    pub key: Option<crate::keyring::Unlocked>,
    pub chair: Option<ExpertRef>,
    /// The chair's opinion log, checked.
    pub opinions: Option<opinions::Opinions>,
    /// Held from the check of the outputs until they are written: a
    /// second merge to any of the same files is refused.
    pub lock: crate::support::fs::OutputLock,
}

fn input_file(path: &std::path::Path) -> Result<InputFile> {
    let p = path.display();
    let md = std::fs::metadata(path)
        .map_err(|e| anyhow::anyhow!("{p}: cannot read: {}", crate::support::fs::io_msg(&e)))?;
    let limit = crate::support::fs::limits::SIGNED;
    if md.is_file() && md.len() > limit.bytes {
        anyhow::bail!(
            "{p}: larger than {}, the limit for {}",
            crate::support::fs::human_size(limit.bytes),
            limit.what
        );
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.to_string());
    // Read while it is verified, not now: see InputFile.
    Ok(InputFile::on_disk(name, path.to_path_buf()))
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// The input files: each file as given, each folder's *.json in name
/// order (leaving out the files this merge writes).
pub fn expand_inputs(
    inputs: &[std::path::PathBuf],
    outputs: &[&std::path::Path],
) -> Result<Vec<std::path::PathBuf>> {
    let cannot_read = |p: &std::path::Path, e: &std::io::Error| {
        anyhow::anyhow!(
            "{}: cannot read: {}",
            p.display(),
            crate::support::fs::io_msg(e)
        )
    };
    let mut out = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let rd = std::fs::read_dir(p).map_err(|e| cannot_read(p, &e))?;
            let mut found = Vec::new();
            for e in rd {
                let f = e.map_err(|e| cannot_read(p, &e))?.path();
                let json = f
                    .extension()
                    .is_some_and(|x| x.eq_ignore_ascii_case("json"));
                if json && f.is_file() && !outputs.iter().any(|o| same_file(o, &f)) {
                    found.push(f);
                }
            }
            if found.is_empty() {
                anyhow::bail!("{}: no *.json files in this folder", p.display());
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

impl Request<'_> {
    /// The files this merge writes.
    pub fn outputs(&self) -> Vec<&std::path::Path> {
        let mut outputs = vec![self.output];
        outputs.extend(self.csv);
        outputs.extend(self.xlsx);
        outputs
    }

    /// Reads the roster and the bundle, lists the inputs and unlocks the
    /// chair's key (the passphrase prompt comes before the long work); a
    /// key must be a chair's key of the roster.
    pub fn prepare(&self) -> Result<Prepared> {
        use crate::verify::CHAIR_ROLE;
        let roster = crate::verify::read_checked_roster(self.roster)?;
        let bundle = Bundle::open_read(self.bundle)?;
        let outputs = self.outputs();
        let paths = expand_inputs(self.inputs, &outputs)?;
        // Nothing this merge reads may be written over, and no two outputs
        // may be one file: checked before any is written.
        let key_path = self.key.map(crate::keyring::spec_path).transpose()?;
        let pass_path = key_path
            .as_ref()
            .and(crate::keyring::passphrase_path(self.passphrase_file));
        let mut read: Vec<&std::path::Path> = vec![self.bundle, self.roster];
        read.extend(paths.iter().map(|p| p.as_path()));
        read.extend(key_path.as_deref());
        read.extend(pass_path.as_deref());
        read.extend(self.opinions);
        crate::support::fs::check_outputs(&read, &outputs)?;
        let lock = crate::support::fs::OutputLock::acquire(&outputs)?;
        let key = match self.key {
            Some(spec) => Some(crate::keyring::unlock_spec(spec, self.passphrase_file)?),
            None => None,
        };
        let chair = match &key {
            Some(k) => {
                let entry = roster
                    .iter()
                    .find(|e| e.key_id.as_deref() == Some(k.key_id()))
                    .filter(|e| e.role.as_deref() == Some(CHAIR_ROLE));
                let Some(e) = entry else {
                    anyhow::bail!(
                        "{}",
                        crate::tr!(
                            format!(
                                "{}：密钥 {}（{}）不是本名单中组长的密钥；请加入其条目（panelist roster add {} {}.roster-entry.json）并指定组长（panelist roster chair {} {}）",
                                self.roster.display(),
                                k.file.id,
                                short_id(k.key_id()),
                                self.roster.display(),
                                k.file.id,
                                self.roster.display(),
                                k.file.id
                            ),
                            format!(
                                "{}: key {} ({}) is not a chair's key in this roster; add its entry (panelist roster add {} {}.roster-entry.json) and mark the chair (panelist roster chair {} {})",
                                self.roster.display(),
                                k.file.id,
                                short_id(k.key_id()),
                                self.roster.display(),
                                k.file.id,
                                self.roster.display(),
                                k.file.id
                            )
                        )
                    );
                };
                Some(ExpertRef {
                    id: e.id.clone(),
                    name: e.name.clone(),
                    org: e.org.clone(),
                    key_id: k.key_id().to_string(),
                })
            }
            None => None,
        };
        let inputs: Vec<InputFile> = paths.iter().map(|p| input_file(p)).collect::<Result<_>>()?;
        let opinions = match self.opinions {
            Some(path) => {
                let o = opinions::read(path, &roster, &bundle.meta.digest, &|id| {
                    bundle.has_application(id)
                })?;
                opinions::same_chair(chair.as_ref(), &o)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                Some(o)
            }
            None => None,
        };
        Ok(Prepared {
            roster,
            bundle,
            inputs,
            key,
            chair,
            opinions,
            lock,
        })
    }

    /// Builds the signed result and the people's files, then writes them
    /// (every file is built before any is renamed into place). The signed
    /// file is written beside its target as it is encoded (its SHA-256
    /// taken on the way, for the people's files to carry), so the whole
    /// text of a result of a hundred megabytes is never held; the people's
    /// files are built beside it and finished with its SHA-256.
    pub fn write(
        &self,
        prep: &Prepared,
        merged: &Merged,
        lang: crate::support::lang::Lang,
    ) -> Result<()> {
        let mut stages = stages::Stages::new();
        let apps = prep.bundle.applications()?;
        let people = report::People {
            agg: &merged.aggregate,
            apps: &apps,
            catalog: &prep.bundle.catalog,
            rubric: &prep.bundle.rubric,
            lang,
            payload: &merged.payload,
            marks: merged.marks.as_ref(),
        };
        // The people's files are built on their own threads while the
        // signed file is encoded, signed and written; each waits for the
        // signed file's SHA-256 only to finish. They only read the
        // aggregate and the payload.
        let (to_csv, csv_mark) = std::sync::mpsc::channel::<report::SignedMark>();
        let (to_xlsx, xlsx_mark) = std::sync::mpsc::channel::<report::SignedMark>();
        let (json, csv, xlsx) = std::thread::scope(|sc| {
            use crate::support::fs::stage;
            let xlsx = self.xlsx.map(|target| {
                sc.spawn(move || {
                    stage(target, |w| {
                        people.write_xlsx(w, move || xlsx_mark.recv().ok())
                    })
                })
            });
            let csv = self.csv.map(|target| {
                sc.spawn(move || {
                    let mark = csv_mark.recv().ok();
                    stage(target, |w| people.write_csv(w, move || mark))
                })
            });
            let json = self.write_signed(prep, merged, &mut stages);
            if let Ok((_, mark)) = &json {
                // A thread that has ended has nothing to finish.
                let _ = to_csv.send(mark.clone());
                let _ = to_xlsx.send(mark.clone());
            }
            drop((to_csv, to_xlsx));
            let csv = csv.map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
            stages.mark("csv");
            let xlsx = xlsx.map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
            stages.mark("xlsx");
            (json, csv, xlsx)
        });
        // The signed file's error first: without it the others stop.
        let (json_tmp, _) = json?;
        let csv = csv.transpose()?;
        let xlsx = xlsx.transpose()?;
        // The people's files are renamed into place first and the signed
        // file last: a merge stopped part-way leaves people's files that
        // name a signed file which is not beside them, and `panelist
        // verify` says so.
        for (tmp, target) in [(csv, self.csv), (xlsx, self.xlsx)] {
            if let (Some(tmp), Some(target)) = (tmp, target) {
                tmp.commit(target)?;
            }
        }
        stages.mark("write set");
        json_tmp.commit(self.output)?;
        stages.mark("commit json");
        Ok(())
    }

    /// The signed file, written beside its target (not yet in place), and
    /// its SHA-256 taken on the way.
    fn write_signed(
        &self,
        prep: &Prepared,
        merged: &Merged,
        stages: &mut stages::Stages,
    ) -> Result<(crate::support::fs::TempPath, report::SignedMark)> {
        let json_tmp = crate::support::fs::TempPath::beside(self.output);
        let cannot = || format!("cannot write {}", self.output.display());
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(json_tmp.path())
            .with_context(|| {
                format!(
                    "cannot create a file in {}",
                    self.output
                        .parent()
                        .filter(|p| !p.as_os_str().is_empty())
                        .unwrap_or(std::path::Path::new("."))
                        .display()
                )
            })?;
        let mut out = std::io::BufWriter::with_capacity(
            1 << 20,
            Hashing {
                file,
                sha: Sha256::new(),
            },
        );
        merged
            .write_signed_text(prep.key.as_ref().map(|k| &k.key), &mut out)
            .with_context(cannot)?;
        let hashing = out
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(cannot)?;
        // Synced here, while the people's files are still being built,
        // so that renaming it into place last waits for nothing.
        hashing.file.sync_all().with_context(cannot)?;
        let signed = report::SignedMark {
            sha256: hex(&hashing.sha.finalize()),
        };
        stages.mark("json write");
        Ok((json_tmp, signed))
    }
}

/// A file that hashes what is written to it.
struct Hashing {
    file: std::fs::File,
    sha: Sha256,
}

impl std::io::Write for Hashing {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.sha.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl Prepared {
    /// Runs [`merge`] on what was read.
    pub fn merge(
        &self,
        opts: &MergeOptions,
        created: &str,
        progress: &mut dyn FnMut(usize, &str),
    ) -> Result<std::result::Result<Merged, Stopped>> {
        let mut done = merge_compact(
            &self.bundle,
            &self.roster,
            &self.inputs,
            opts,
            created,
            self.chair.clone(),
            progress,
        )?;
        if let (Ok(m), Some(o)) = (&mut done, &self.opinions) {
            opinions::attach(&mut m.payload, o)?;
        }
        Ok(done)
    }
}

/// The missing experts the roster gives a key (those `--require-all`
/// insists on).
pub fn absent_keyed(payload: &MergedPayload) -> Vec<&Missing> {
    payload
        .missing
        .iter()
        .filter(|m| m.reason != "no-key")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_names_the_figure() {
        let got = serde_json::json!([{"id": "A", "total": {"mean": "80.0000"}}]);
        let want = serde_json::json!([{"id": "A", "total": {"mean": "81.0000"}}]);
        let mut out = Vec::new();
        diff("applications", &got, &want, &mut out);
        assert_eq!(
            out,
            ["applications[A].total.mean: file 80.0000, recomputed 81.0000"]
        );
    }
}
