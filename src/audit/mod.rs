//! The auditor's check: any mix of expert working copies, signed exports
//! and merged results, checked against the roster (and the bundle) and
//! against each other. Every problem becomes a finding naming the file and,
//! where there is one, the first bad sequence number. Nothing is written.

pub mod report;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::crypto::envelope::{Envelope, MERGED_TYPE, SCORES_TYPE};
use crate::domain::RosterEntry;
use crate::domain::history::{self, Event, Sheet};
use crate::domain::text::inert_line;
use crate::formats::merged::MergedPayload;
use crate::formats::scores::ScoresPayload;
use crate::store::Bundle;
use crate::verify::{self, BundleFacts, Context, Kind, VerifyError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something was changed, lost or does not verify.
    Problem,
    /// Allowed, but the auditor should see it (e.g. events after an export).
    Notice,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// A stable key for grouping: "chain", "signature", "sheet", ….
    pub kind: &'static str,
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    pub message: String,
}

/// What the audit read from one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileSummary {
    pub file: String,
    /// "working copy", "export" or "merged".
    pub kind: &'static str,
    pub sha256: String,
    pub expert: Option<String>,
    pub bundle_id: Option<String>,
    pub bundle_digest: Option<String>,
    pub events: Option<u64>,
    pub head: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Audit {
    pub files: Vec<FileSummary>,
    pub findings: Vec<Finding>,
}

impl Audit {
    pub fn problems(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Problem)
            .count()
    }

    /// How many problems name `file`.
    fn problems_of(&self, file: &str) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Problem && f.file == file)
            .count()
    }

    fn push(
        &mut self,
        severity: Severity,
        kind: &'static str,
        file: &str,
        seq: Option<u64>,
        message: String,
    ) {
        self.findings.push(Finding {
            severity,
            kind,
            file: file.to_string(),
            seq,
            message,
        });
    }
}

/// A working copy's facts, kept for the cross-checks.
struct Wc {
    file: String,
    expert: Option<String>,
    bundle_id: String,
    digest: String,
    events: Vec<Event>,
    /// No problem was found in the file itself (chain, replay, sheet,
    /// signatures, schema).
    consistent: bool,
}

/// An export that parsed (whether or not it verified).
struct Ex {
    file: String,
    payload: ScoresPayload,
}

fn sha256_hex(bytes: &[u8]) -> String {
    history::hex(&Sha256::digest(bytes))
}

/// Runs every check. `Err` only for what stops the audit as a whole (an
/// unreadable roster or bundle is the caller's); a bad input file is a
/// finding.
pub fn audit(paths: &[PathBuf], roster: &[RosterEntry], bundle: Option<&BundleFacts>) -> Audit {
    let mut a = Audit::default();
    let mut wcs = Vec::new();
    let mut exports = Vec::new();
    let mut merged = Vec::new();
    let mut inputs_by_sha: BTreeMap<String, PathBuf> = BTreeMap::new();
    // Each file on its own, on every core; then the cross-checks.
    for one in crate::support::par::map(paths, |p| audit_file(p, roster, bundle)) {
        a.files.extend(one.audit.files);
        a.findings.extend(one.audit.findings);
        wcs.extend(one.wc);
        exports.extend(one.export);
        merged.extend(one.merged);
        if let Some((sha, p)) = one.input {
            inputs_by_sha.insert(sha, p);
        }
    }
    cross_check(&mut a, &wcs, &exports, bundle);
    for (file, env) in &merged {
        check_merged(&mut a, file, env, &inputs_by_sha);
    }
    a.findings.sort_by(|x, y| {
        (x.severity, x.kind, &x.file, x.seq).cmp(&(y.severity, y.kind, &y.file, y.seq))
    });
    a
}

/// What one file gave the audit: its own findings and summary, and what
/// the cross-checks need of it.
#[derive(Default)]
struct OneFile {
    audit: Audit,
    wc: Option<Wc>,
    export: Option<Ex>,
    merged: Option<(String, Envelope)>,
    /// A signed file, by the SHA-256 of its bytes (the merged results'
    /// inputs are found by it).
    input: Option<(String, PathBuf)>,
}

/// The checks of one file: read once, verified once.
fn audit_file(p: &Path, roster: &[RosterEntry], bundle: Option<&BundleFacts>) -> OneFile {
    let mut one = OneFile::default();
    let a = &mut one.audit;
    let file = p.display().to_string();
    let bytes = match crate::support::fs::read_kind(p, &crate::support::fs::limits::AUDITED) {
        Ok(b) => b,
        Err(e) => {
            a.push(
                Severity::Problem,
                "unreadable",
                &file,
                None,
                format!("{e:#}"),
            );
            return one;
        }
    };
    let sha = sha256_hex(&bytes);
    if bytes.starts_with(b"SQLite format 3\0") {
        drop(bytes);
        one.wc = audit_working_copy(a, p, &sha, roster);
        return one;
    }
    one.input = Some((sha.clone(), p.to_path_buf()));
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t,
        Err(e) => {
            a.push(
                Severity::Problem,
                "format",
                &file,
                None,
                format!("not UTF-8 (byte {})", e.valid_up_to()),
            );
            return one;
        }
    };
    let ctx = Context { roster, bundle };
    let env = match Envelope::parse(text) {
        Ok(e) => e,
        Err(e) => {
            a.push(Severity::Problem, "format", &file, None, e.to_string());
            return one;
        }
    };
    drop(bytes);
    let mut verified_payload = None;
    let verdict = if env.payload_type == SCORES_TYPE {
        verify::verify_scores(&env, &ctx).map(|(_, p)| verified_payload = Some(p))
    } else {
        verify::verify_envelope(&env, &ctx).map(|_| ())
    };
    if let Err(why) = verdict {
        a.push(
            Severity::Problem,
            finding_kind(&why),
            &file,
            None,
            why.message,
        );
    }
    match env.payload_type.as_str() {
        SCORES_TYPE => {
            let read = match verified_payload {
                Some(p) => Ok(p),
                // Not verified: still read, for the cross-checks.
                None => crate::formats::read_payload::<ScoresPayload>(&env),
            };
            match read {
                Ok(payload) => {
                    a.files.push(FileSummary {
                        file: file.clone(),
                        kind: "export",
                        sha256: sha.clone(),
                        expert: Some(payload.expert.id.clone()),
                        bundle_id: Some(payload.bundle.id.clone()),
                        bundle_digest: Some(payload.bundle.digest.clone()),
                        events: Some(payload.head.size),
                        head: Some(payload.head.hash.clone()),
                    });
                    one.export = Some(Ex { file, payload });
                }
                Err(e) => a.push(Severity::Problem, "format", &file, None, e.to_string()),
            }
        }
        MERGED_TYPE => {
            /// The one field the summary needs, the rest skipped.
            #[derive(serde::Deserialize)]
            struct Head {
                bundle: crate::formats::BundleRef,
            }
            let head = serde_json::from_slice::<Head>(&env.payload).ok();
            a.files.push(FileSummary {
                file: file.clone(),
                kind: "merged",
                sha256: sha.clone(),
                expert: None,
                bundle_id: head.as_ref().map(|h| h.bundle.id.clone()),
                bundle_digest: head.as_ref().map(|h| h.bundle.digest.clone()),
                events: None,
                head: None,
            });
            one.merged = Some((file, env));
        }
        other => a.push(
            Severity::Problem,
            "format",
            &file,
            None,
            format!("unknown payloadType '{}'", inert_line(other)),
        ),
    }
    one
}

/// The finding's kind of a file that does not verify. The message keeps
/// its own seq where it has one, so the finding carries none.
fn finding_kind(why: &VerifyError) -> &'static str {
    match why.kind {
        Kind::Signature | Kind::Roster => "signature",
        Kind::Chain | Kind::Replay => "chain",
        Kind::Bundle => "bundle",
        Kind::Envelope => "format",
        Kind::PayloadType | Kind::Format | Kind::Results => "verify",
    }
}

fn audit_working_copy(a: &mut Audit, p: &Path, sha: &str, roster: &[RosterEntry]) -> Option<Wc> {
    let file = p.display().to_string();
    let problems_before = a.problems_of(&file);
    // With BENCH_VERBOSE, each stage's time on stderr: the chain and the
    // replay apart from the signatures.
    let mut stages = crate::merge::stages::Stages::new();
    let b = match Bundle::open_inspect(p) {
        Ok((b, schema)) => {
            for s in schema {
                a.push(Severity::Problem, "schema", &file, None, s);
            }
            b
        }
        Err(e) => {
            a.push(Severity::Problem, "unreadable", &file, None, e.to_string());
            return None;
        }
    };
    match b.integrity_check() {
        Ok(s) if s == "ok" => {}
        Ok(s) => a.push(
            Severity::Problem,
            "database",
            &file,
            None,
            format!("integrity check: {s}"),
        ),
        Err(e) => a.push(Severity::Problem, "database", &file, None, e.to_string()),
    }
    match b.recompute_digest() {
        Ok(d) if d == b.meta.digest => {}
        Ok(d) => a.push(
            Severity::Problem,
            "bundle",
            &file,
            None,
            format!(
                "applications, catalog or rubric edited: content digest {d} ≠ recorded {}",
                b.meta.digest
            ),
        ),
        Err(e) => a.push(Severity::Problem, "bundle", &file, None, e.to_string()),
    }
    stages.mark("open+checks");
    let owner = b.owner().ok().flatten();
    // The history is read once: the chain, the signatures and the replay
    // all work on these events.
    let (events, read) = match b.history() {
        Ok(ev) => (ev, true),
        Err(e) => {
            a.push(Severity::Problem, "chain", &file, None, e.to_string());
            (Vec::new(), false)
        }
    };
    stages.mark("read");
    let mut chain_ok = false;
    let chain = if read {
        b.verify_chain_of(&events)
    } else {
        b.verify_chain()
    };
    match chain {
        Ok(Ok(_)) => chain_ok = true,
        Ok(Err(e)) => a.push(
            Severity::Problem,
            "chain",
            &file,
            Some(e.seq()),
            without_seq(e.seq(), e.to_string()),
        ),
        Err(e) => a.push(Severity::Problem, "chain", &file, None, e.to_string()),
    }
    stages.mark("chain");
    if let Some(o) = &owner {
        audit_event_signatures(a, &file, &b, o, &events, roster);
    }
    stages.mark("signatures");
    if owner.is_none() && !events.is_empty() {
        a.push(
            Severity::Problem,
            "chain",
            &file,
            None,
            "events but no owner recorded".into(),
        );
    }
    // Replay: every event valid against the rubric (no score on a recused
    // application), and the stored sheet exactly the replayed one.
    if chain_ok {
        match history::replay(&b.rubric, |x| b.has_application(x), &events) {
            Ok(replayed) => match b.sheet() {
                Ok(stored) => {
                    for app in sheet_diff(&replayed, &stored) {
                        a.push(
                            Severity::Problem,
                            "sheet",
                            &file,
                            None,
                            format!("the current sheet of {} differs from its history (edited without an event)", inert_line(&app)),
                        );
                    }
                }
                Err(e) => a.push(Severity::Problem, "sheet", &file, None, e.to_string()),
            },
            Err((seq, r)) => a.push(Severity::Problem, "replay", &file, Some(seq), r.to_string()),
        }
    }
    stages.mark("replay");
    let head = events.last().map(|e| e.hash.clone());
    a.files.push(FileSummary {
        file: file.clone(),
        kind: "working copy",
        sha256: sha.to_string(),
        expert: owner.as_ref().map(|o| o.id.clone()),
        bundle_id: Some(b.meta.bundle_id.clone()),
        bundle_digest: Some(b.meta.digest.clone()),
        events: Some(events.len() as u64),
        head,
    });
    let consistent = a.problems_of(&file) == problems_before;
    Some(Wc {
        file,
        expert: owner.map(|o| o.id),
        bundle_id: b.meta.bundle_id.clone(),
        digest: b.meta.digest.clone(),
        events,
        consistent,
    })
}

/// Every event of a working copy must be signed by its owner's key (or a
/// previous key the roster lists for the same expert): the roster alone
/// tells which events nobody with the key made.
fn audit_event_signatures(
    a: &mut Audit,
    file: &str,
    b: &Bundle,
    owner: &crate::store::Identity,
    events: &[Event],
    roster: &[RosterEntry],
) {
    use crate::crypto::event::{EventSig, check_all};
    if events.is_empty() {
        return;
    }
    let Some(entry) = roster.iter().find(|e| e.id == owner.id) else {
        a.push(
            Severity::Problem,
            "signature",
            file,
            None,
            format!(
                "the owner {} is not in the roster: its events' signatures cannot be checked",
                inert_line(&owner.id)
            ),
        );
        return;
    };
    let accepted = match crate::crypto::sign::VerifyKey::accepted_by(entry) {
        Ok(k) => k,
        Err(m) => {
            a.push(Severity::Problem, "signature", file, None, m);
            return;
        }
    };
    let sigs = match b.event_signatures() {
        Ok(s) => s,
        Err(e) => {
            a.push(Severity::Problem, "signature", file, None, e.to_string());
            return;
        }
    };
    let pairs: Vec<([u8; 32], Option<&str>)> = events
        .iter()
        .zip(&sigs)
        .map(|(e, (_, s))| (history::unhex32(&e.hash).unwrap_or([0; 32]), s.as_deref()))
        .collect();
    let verdicts = check_all(&accepted, &pairs);
    let pick = |want: EventSig| -> Vec<u64> {
        events
            .iter()
            .zip(&verdicts)
            .filter(|(_, v)| **v == want)
            .map(|(e, _)| e.seq)
            .collect()
    };
    let id = inert_line(&owner.id);
    for (want, what) in [
        (EventSig::Missing, "unsigned: nobody with the key made them"),
        (
            EventSig::Wrong,
            "signed, but not by the key the roster lists: nobody with the key made them",
        ),
    ] {
        let seqs = pick(want);
        if !seqs.is_empty() {
            a.push(
                Severity::Problem,
                "signature",
                file,
                seqs.first().copied(),
                format!("event(s) {} of {id} are {what}", history::seq_ranges(&seqs)),
            );
        }
    }
    let previous = pick(EventSig::Previous);
    if !previous.is_empty() {
        a.push(
            Severity::Notice,
            "signature",
            file,
            previous.first().copied(),
            format!(
                "event(s) {} of {id} are signed by a previous key the roster lists for {id} (a lost key replaced): valid",
                history::seq_ranges(&previous)
            ),
        );
    }
}

/// A chain error's message without its leading `seq N: `: the finding
/// carries the seq, and the report prints it once.
fn without_seq(seq: u64, message: String) -> String {
    match message.strip_prefix(&format!("seq {seq}: ")) {
        Some(rest) => rest.to_string(),
        None => message,
    }
}

/// Applications whose entries differ between two sheets.
fn sheet_diff(a: &Sheet, b: &Sheet) -> Vec<String> {
    let mut keys: Vec<&String> = a.entries.keys().chain(b.entries.keys()).collect();
    keys.sort();
    keys.dedup();
    let empty = history::Entry::default();
    keys.into_iter()
        .filter(|k| {
            let x = a.entries.get(*k).unwrap_or(&empty);
            let y = b.entries.get(*k).unwrap_or(&empty);
            x != y
        })
        .cloned()
        .collect()
}

fn cross_check(a: &mut Audit, wcs: &[Wc], exports: &[Ex], bundle: Option<&BundleFacts>) {
    // One bundle digest everywhere.
    let mut digests: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for w in wcs {
        digests.entry(&w.digest).or_default().push(&w.file);
    }
    for e in exports {
        digests
            .entry(&e.payload.bundle.digest)
            .or_default()
            .push(&e.file);
    }
    if let Some(b) = bundle {
        digests.entry(&b.digest).or_default().push(&b.path);
    }
    if digests.len() > 1 {
        let parts: Vec<String> = digests
            .iter()
            .map(|(d, fs)| format!("{} in {}", &d[..d.len().min(16)], fs.join(", ")))
            .collect();
        a.push(
            Severity::Problem,
            "bundle",
            "",
            None,
            format!("bundle digests disagree: {}", parts.join("; ")),
        );
    }
    // Each export against the working copy of the same expert and bundle.
    for e in exports {
        let p = &e.payload;
        for w in wcs.iter().filter(|w| {
            w.expert.as_deref() == Some(p.expert.id.as_str()) && w.bundle_id == p.bundle.id
        }) {
            let size = p.head.size as usize;
            let is_prefix =
                w.events.len() < size && w.events.iter().zip(&p.history).all(|(x, y)| x == y);
            // A genuine older copy is consistent in itself, and no export
            // made after this one signs a shorter history (which would say
            // events were cut after signing and the rest signed again).
            let cut_after = exports.iter().any(|o| {
                o.payload.expert.id == p.expert.id
                    && o.payload.bundle.id == p.bundle.id
                    && o.payload.created >= p.created
                    && (o.payload.head.size as usize) < size
            });
            if is_prefix && w.consistent && !cut_after {
                // An accident, not tampering: an older copy of the history.
                a.push(
                    Severity::Notice,
                    "older copy",
                    &w.file,
                    None,
                    format!(
                        "working copy has {} events, the first {} of the {} that {} signed: it is an older copy of that history, not an altered one — audit the newest copy, or the export alone",
                        w.events.len(),
                        w.events.len(),
                        size,
                        e.file
                    ),
                );
                continue;
            }
            if w.events.len() < size {
                a.push(
                    Severity::Problem,
                    "truncated",
                    &w.file,
                    Some(w.events.len() as u64 + 1),
                    format!(
                        "working copy has {} events but {} signed {} (events removed after signing)",
                        w.events.len(),
                        e.file,
                        size
                    ),
                );
                continue;
            }
            if size > 0 && w.events[size - 1].hash != p.head.hash {
                let first = w
                    .events
                    .iter()
                    .zip(&p.history)
                    .find(|(x, y)| x != y)
                    .map(|(x, _)| x.seq);
                a.push(
                    Severity::Problem,
                    "rewritten",
                    &w.file,
                    first,
                    format!(
                        "working copy at seq {size} has head {} but {} signed {} (history rewritten{})",
                        short(&w.events[size - 1].hash),
                        e.file,
                        short(&p.head.hash),
                        first.map(|s| format!(" from seq {s}")).unwrap_or_default()
                    ),
                );
                continue;
            }
            // Events a newer export of the same history signs are covered:
            // only those beyond the newest such export are reported.
            let newest = exports
                .iter()
                .filter(|o| {
                    o.payload.expert.id == p.expert.id
                        && o.payload.bundle.id == p.bundle.id
                        && (o.payload.head.size as usize) <= w.events.len()
                        && o.payload.head.size > 0
                        && w.events[o.payload.head.size as usize - 1].hash == o.payload.head.hash
                })
                .map(|o| o.payload.head.size as usize)
                .max()
                .unwrap_or(size);
            if newest > size {
                continue;
            }
            if w.events.len() > size {
                let after: Vec<String> =
                    w.events[size..].iter().map(|x| x.seq.to_string()).collect();
                a.push(
                    Severity::Notice,
                    "after export",
                    &w.file,
                    Some(size as u64 + 1),
                    format!(
                        "{} event(s) after {} was signed (seq {}); not covered by a signature",
                        after.len(),
                        e.file,
                        compress(&after)
                    ),
                );
            }
        }
    }
    // Two exports of one expert: the older must be a prefix of the newer.
    let mut by_expert: BTreeMap<(&str, &str), Vec<&Ex>> = BTreeMap::new();
    for e in exports {
        by_expert
            .entry((&e.payload.expert.id, &e.payload.bundle.id))
            .or_default()
            .push(e);
    }
    for ((expert, _), mut list) in by_expert {
        list.sort_by_key(|e| e.payload.head.size);
        for pair in list.windows(2) {
            let (old, new) = (pair[0], pair[1]);
            let n = old.payload.head.size as usize;
            let extends = n == 0
                || new
                    .payload
                    .history
                    .get(n - 1)
                    .is_some_and(|x| x.hash == old.payload.head.hash);
            if !extends {
                a.push(
                    Severity::Problem,
                    "fork",
                    &new.file,
                    None,
                    format!(
                        "expert {expert}: {} (head {} at {}) and {} (head {} at {}) disagree — the history was rewritten between them",
                        old.file,
                        short(&old.payload.head.hash),
                        old.payload.head.size,
                        new.file,
                        short(&new.payload.head.hash),
                        new.payload.head.size
                    ),
                );
            }
        }
    }
    // Times move forward across the files too (each chain checks its own).
    for e in exports {
        if let Some(last) = e.payload.history.last()
            && e.payload.created.as_str() < last.time.as_str()
        {
            a.push(
                Severity::Problem,
                "time",
                &e.file,
                Some(last.seq),
                format!(
                    "exported at {} before its last event at {}",
                    e.payload.created, last.time
                ),
            );
        }
    }
}

fn check_merged(a: &mut Audit, file: &str, env: &Envelope, inputs: &BTreeMap<String, PathBuf>) {
    let payload = match crate::formats::read_payload::<MergedPayload>(env) {
        Ok(p) => p,
        Err(e) => {
            a.push(Severity::Problem, "merged", file, None, e.to_string());
            return;
        }
    };
    // Every signed file given to the audit is a candidate input; the
    // recomputation picks the ones the merged result names by SHA-256.
    let files: Vec<crate::merge::InputFile> = inputs
        .values()
        .filter_map(|p| {
            crate::support::fs::read_kind(p, &crate::support::fs::limits::SIGNED)
                .ok()
                .map(|bytes| crate::merge::InputFile {
                    path: None,
                    name: p.display().to_string(),
                    bytes,
                })
        })
        .collect();
    if let Err(problems) = crate::merge::recompute(&payload, &files) {
        for m in problems {
            a.push(Severity::Problem, "merged", file, None, m);
        }
    }
}

fn short(h: &str) -> &str {
    &h[..h.len().min(16)]
}

/// "4,5,6,9" → "4–6, 9".
fn compress(seqs: &[String]) -> String {
    let nums: Vec<u64> = seqs.iter().filter_map(|s| s.parse().ok()).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < nums.len() {
        let mut j = i;
        while j + 1 < nums.len() && nums[j + 1] == nums[j] + 1 {
            j += 1;
        }
        out.push(if j > i {
            format!("{}–{}", nums[i], nums[j])
        } else {
            nums[i].to_string()
        });
        i = j + 1;
    }
    out.join(", ")
}

/// Reads the roster (checked) and the bundle's facts, checks every file
/// exists, and runs [`audit`].
pub fn audit_files(
    files: &[PathBuf],
    roster: &std::path::Path,
    bundle: Option<&std::path::Path>,
) -> anyhow::Result<Audit> {
    let roster = crate::verify::read_checked_roster(roster)?;
    let facts = crate::verify::read_bundle_facts(bundle)?;
    for f in files {
        if !f.exists() {
            anyhow::bail!("{}: no such file", f.display());
        }
    }
    Ok(audit(files, &roster, facts.as_ref()))
}
