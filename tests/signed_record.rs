//! Nothing enters a history that its owner's key did not make. Tried as an
//! insider with the sqlite3 library and no key would: events appended with
//! a valid chain, events planted before the copy is handed out, events
//! signed by another key, a multi-change `score` on a full disk, and an
//! expert who lost the key.

mod common;

use std::path::Path;

use common::cli::Run;
use common::panel::{GOOD_COMMENT, Panel};
use panelist::domain::history::{self, Change, Event};
use panelist::store::Bundle;

/// Appends `changes` to the file as an insider would: a valid chain, the
/// events' bodies in their canonical form, and `sig` (none, or a forged
/// one) — without the owner's key.
fn insider_appends(path: &Path, changes: Vec<Change>, sig: Option<String>) -> Vec<u64> {
    let (owner, head, size, digest) = {
        let b = Bundle::open_read(path).expect("open");
        let owner = b.owner().expect("owner").expect("claimed").id;
        let h = b.head().expect("head");
        (owner, h.hash, h.size, b.digest_bytes().expect("digest"))
    };
    let mut prev = if size == 0 {
        history::genesis(&digest, &owner)
    } else {
        history::unhex32(&head).expect("hex")
    };
    let c = rusqlite::Connection::open(path).expect("sqlite");
    let mut seqs = Vec::new();
    for (i, change) in changes.into_iter().enumerate() {
        let seq = size + 1 + i as u64;
        let ev: Event = history::make_event(seq, &prev, "2099-01-01T00:00:00.000Z", &owner, change);
        let body = String::from_utf8(history::canonical_body(&ev.time, &ev.expert, &ev.change))
            .expect("utf-8");
        c.execute(
            "INSERT INTO events(seq, body, prev, hash, sig) VALUES(?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![seq as i64, body, ev.prev, ev.hash, sig],
        )
        .expect("insert");
        prev = history::unhex32(&ev.hash).expect("hex");
        seqs.push(seq);
    }
    drop(c);
    rewrite_sheet(path);
    seqs
}

/// A careful insider also rewrites the stored sheet to the replay of the
/// new history, so the file is consistent in everything but signatures.
fn rewrite_sheet(path: &Path) {
    let b = Bundle::open_read(path).expect("open");
    let events = b.history().expect("history");
    let sheet = history::replay(&b.rubric, |a| b.has_application(a), &events).expect("replay");
    drop(b);
    let c = rusqlite::Connection::open(path).expect("sqlite");
    c.execute_batch("DELETE FROM sheet_scores; DELETE FROM sheet;")
        .expect("clear");
    for (app, e) in &sheet.entries {
        c.execute(
            "INSERT INTO sheet VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![
                app,
                e.comment,
                e.recommend,
                e.recused,
                e.recuse_reason,
                e.last_seq as i64
            ],
        )
        .expect("sheet");
        for (k, v) in &e.scores {
            c.execute(
                "INSERT INTO sheet_scores VALUES(?1, ?2, ?3)",
                rusqlite::params![app, k, v],
            )
            .expect("scores");
        }
    }
}

fn planted(app: &str) -> Vec<Change> {
    vec![
        Change::Score {
            app: app.into(),
            criterion: "innovation".into(),
            value: Some(25),
        },
        Change::Comment {
            app: app.into(),
            text: GOOD_COMMENT.into(),
        },
    ]
}

fn audit_json(p: &Panel, roster: &Path) -> (i32, serde_json::Value) {
    let r = p.run(&[
        "audit",
        p.bundle_str(),
        "--roster",
        roster.to_str().unwrap(),
        "--json",
    ]);
    (r.code, serde_json::from_str(&r.stdout).unwrap_or_default())
}

fn signature_findings(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["kind"] == "signature")
        .map(|f| f["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn head_size(p: &Panel) -> u64 {
    Bundle::open_read(&p.bundle)
        .expect("open")
        .head()
        .expect("head")
        .size
}

#[test]
fn keyless_events_appended_to_a_copy_are_refused_by_score_and_export_and_named_by_audit() {
    let p = Panel::new("ed25519", 4);
    p.score_complete(0, 10);
    let roster = p.roster();
    let (code, v) = audit_json(&p, &roster);
    assert_eq!(code, 0, "the expert's own events are clean: {v}");
    let seqs = insider_appends(&p.bundle, planted(&p.apps[1]), None);
    let before = std::fs::read(&p.bundle).expect("read");
    // The expert's next score is refused, naming the events: the key
    // never signs over them.
    let r = p.run(&["score", p.bundle_str(), &p.apps[2], "--innovation", "9"]);
    r.assert_error(&[
        "not made with your key",
        &format!("{}–{}", seqs[0], seqs[1]),
    ]);
    // The export refuses too, and writes nothing.
    let out = p.s.path("E01.json");
    let r = p.run(&["export", p.bundle_str(), "-o", out.to_str().unwrap()]);
    r.assert_error(&["not made with your key", "nothing was exported"]);
    assert!(!out.exists());
    assert_eq!(std::fs::read(&p.bundle).expect("read"), before);
    // With only the roster in hand, the audit names them.
    let (code, v) = audit_json(&p, &roster);
    assert_eq!(code, 1, "{v}");
    let found = signature_findings(&v);
    assert!(
        found
            .iter()
            .any(|m| m.contains("unsigned") && m.contains(&format!("{}–{}", seqs[0], seqs[1]))),
        "{found:?}"
    );
}

#[test]
fn events_signed_by_another_key_are_refused_and_named() {
    let p = Panel::new("ed25519", 3);
    p.score_complete(0, 10);
    let stranger = common::bundle::test_key("E99");
    // A signature, but by a key nobody in the roster holds.
    let forged = {
        let b = Bundle::open_read(&p.bundle).expect("open");
        let h = history::unhex32(&b.head().expect("head").hash).expect("hex");
        panelist::crypto::event::sign(&stranger.key, &h).expect("sign")
    };
    let seqs = insider_appends(&p.bundle, planted(&p.apps[1])[..1].to_vec(), Some(forged));
    let r = p.run(&["recuse", p.bundle_str(), &p.apps[2], "--reason", "同单位"]);
    r.assert_error(&["not made with your key", &seqs[0].to_string()]);
    let (code, v) = audit_json(&p, &p.roster());
    assert_eq!(code, 1, "{v}");
    assert!(
        signature_findings(&v)
            .iter()
            .any(|m| m.contains("not by the key the roster lists")),
        "{v}"
    );
}

#[test]
fn events_planted_before_the_copy_is_handed_out_are_refused_at_the_first_score() {
    let p = Panel::new("ed25519", 3);
    // The secretariat claims the fresh copy for E01 and plants events.
    {
        let mut b = Bundle::open_write(&p.bundle).expect("open");
        b.claim(&panelist::store::Identity {
            id: "E01".into(),
            name: "测试专家".into(),
            org: "测试研究院".into(),
            key_id: None,
        })
        .expect("claim");
    }
    insider_appends(&p.bundle, planted(&p.apps[0]), None);
    let r = p.run(&["score", p.bundle_str(), &p.apps[1], "--innovation", "9"]);
    r.assert_error(&["not made with your key", "1–2"]);
    assert_eq!(head_size(&p), 2, "nothing was added");
}

#[test]
fn a_multi_change_score_on_a_full_disk_records_all_or_none() {
    let p = Panel::new("ed25519", 3);
    p.score_complete(0, 10);
    let before = head_size(&p);
    let size_kib = std::fs::metadata(&p.bundle).expect("md").len() / 1024;
    // The file may not grow, nor may its journal take more than one page:
    // the disk is full in the middle of the transaction.
    let limit = (size_kib / 2).max(4);
    let script = format!("trap '' XFSZ; ulimit -f {limit}; exec \"$0\" \"$@\"",);
    let run = std::process::Command::new("bash")
        .env("PANELIST_HOME", p.s.dir.path().join("home"))
        .env("PANELIST_KDF_PARAMS", common::panel::FAST_KDF)
        .env("PANELIST_PASSPHRASE_FILE", &p.pass)
        .arg("-c")
        .arg(&script)
        .arg(common::cli::bin())
        .args([
            "score",
            p.bundle_str(),
            &p.apps[1],
            "--innovation",
            "11",
            "--advancement",
            "12",
            "--practicality",
            "13",
            "--replicability",
            "14",
            "--comment",
            &GOOD_COMMENT.repeat(40),
        ])
        .output()
        .expect("run under a file size limit");
    let r = Run::from(run);
    assert_eq!(
        r.code, 2,
        "a full disk is an error: {} {}",
        r.stdout, r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    // Reopened where the disk has room: none of the five changes is there,
    // everything before is, and the copy carries on.
    assert_eq!(head_size(&p), before, "all or none: none");
    let b = Bundle::open_write(&p.bundle).expect("reopens");
    b.check_record().expect("the record checks");
    drop(b);
    p.score_complete(1, 12);
    assert_eq!(head_size(&p), before + 6);
}

#[test]
fn a_lost_key_is_replaced_and_the_expert_carries_on_in_the_same_copy() {
    let p = Panel::new("ed25519", 3);
    p.score_complete(0, 10);
    let old = p.roster_entry();
    // The passphrase is lost: a new key for the same expert.
    let r = p.run(&[
        "key",
        "new",
        "--id",
        "E01",
        "--name",
        "测试专家",
        "--org",
        "测试研究院",
        "--force",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let new = p.roster_entry();
    assert_ne!(old.key_id, new.key_id);
    // The screen that refuses the key change says exactly what to do.
    let r = p.run(&["score", p.bundle_str(), &p.apps[1], "--innovation", "9"]);
    r.assert_error(&["previous key", "panelist key adopt --roster"]);
    // The chair lists the old key as a previous key of E01.
    let mut entry = new.clone();
    entry.previous_keys = vec![panelist::domain::PreviousKey {
        alg: old.alg.clone().unwrap(),
        public_key: old.public_key.clone().unwrap(),
        key_id: old.key_id.clone().unwrap(),
        sm2_id: None,
    }];
    let roster = p.write_roster("roster-new.json", std::slice::from_ref(&entry));
    let r = p.run(&["key", "adopt", "--roster", roster.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    p.score_complete(1, 12);
    p.score_complete(2, 13);
    // The export is signed with the new key and verifies against the new
    // roster; the audit says the old key's events stay valid.
    let export = p.export("E01.json");
    let r = p.verify(&[&export], &roster, Some(&p.bundle));
    assert_eq!(r.code, 0, "{}", r.stdout);
    let (code, v) = audit_json(&p, &roster);
    assert_eq!(code, 0, "{v}");
    assert!(
        signature_findings(&v)
            .iter()
            .any(|m| m.contains("previous key") && m.contains("valid")),
        "{v}"
    );
    // Against the old roster (no previous key listed) the new key's events
    // are not E01's.
    let stale = p.write_roster("roster-old.json", &[old]);
    let (code, _) = audit_json(&p, &stale);
    assert_eq!(code, 1);
}

/// An export of the copy as it stands (not every application done yet).
fn export_partial(p: &Panel, name: &str) -> std::path::PathBuf {
    let out = p.s.path(name);
    let r = p.run(&[
        "export",
        p.bundle_str(),
        "-o",
        out.to_str().unwrap(),
        "--allow-incomplete",
    ]);
    assert_eq!(r.code, 0, "export: {}", r.stderr);
    out
}

fn kinds(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f["kind"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn an_older_copy_is_named_as_such_not_as_tampering() {
    let p = Panel::new("ed25519", 3);
    p.score_complete(0, 10);
    let older = p.s.path("older.bundle");
    std::fs::copy(&p.bundle, &older).expect("copy");
    p.score_complete(1, 11);
    let export = export_partial(&p, "E01.json");
    let roster = p.roster();
    let r = p.run(&[
        "audit",
        older.to_str().unwrap(),
        export.to_str().unwrap(),
        "--roster",
        roster.to_str().unwrap(),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(r.code, 0, "an older copy is no problem: {v}");
    let k = kinds(&v);
    assert!(k.iter().any(|k| k == "older copy"), "{k:?}");
    assert!(
        !k.iter().any(|k| k == "truncated" || k == "rewritten"),
        "{k:?}"
    );
    let msg = v["findings"][0]["message"].as_str().unwrap_or_default();
    assert!(msg.contains("audit the newest copy"), "{msg}");
}

#[test]
fn events_a_newer_export_signs_are_not_called_uncovered() {
    let p = Panel::new("ed25519", 3);
    p.score_complete(0, 10);
    let first = export_partial(&p, "E01-first.json");
    p.score_complete(1, 11);
    let second = export_partial(&p, "E01-second.json");
    let roster = p.roster();
    let r = p.run(&[
        "audit",
        p.bundle_str(),
        first.to_str().unwrap(),
        second.to_str().unwrap(),
        "--roster",
        roster.to_str().unwrap(),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(r.code, 0, "{v}");
    assert!(!kinds(&v).iter().any(|k| k == "after export"), "{v}");
    // Events past the newest export are still reported.
    p.score_complete(2, 12);
    let r = p.run(&[
        "audit",
        p.bundle_str(),
        first.to_str().unwrap(),
        second.to_str().unwrap(),
        "--roster",
        roster.to_str().unwrap(),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let after: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "after export")
        .collect();
    assert_eq!(after.len(), 1, "{v}");
    assert!(
        after[0]["message"]
            .as_str()
            .unwrap()
            .contains("E01-second.json"),
        "{v}"
    );
}

#[test]
fn the_screens_export_checks_its_output_like_the_command_line() {
    // The export dialog calls the library's export: an output naming the
    // working copy itself (or the key file) is refused and nothing changes.
    let p = Panel::new("ed25519", 2);
    p.score_complete(0, 10);
    let key = panelist::keyring::unlock_file(&p.key_path(), Some(&p.pass)).expect("unlock");
    let before = std::fs::read(&p.bundle).expect("read");
    let clock = common::bundle::clock();
    let e = panelist::export::export_bundle(&p.bundle, &key, &p.bundle, true, &clock)
        .expect_err("the copy is an input");
    assert!(format!("{e:#}").contains("is also an input"), "{e:#}");
    assert_eq!(std::fs::read(&p.bundle).expect("read"), before);
    let e = panelist::export::export_bundle(&p.bundle, &key, &p.key_path(), true, &clock)
        .expect_err("the key file is an input");
    assert!(!format!("{e:#}").is_empty());
    let missing = p.s.path("no/such/folder/E01.json");
    assert!(panelist::export::export_bundle(&p.bundle, &key, &missing, true, &clock).is_err());
}

#[test]
fn replay_marks_events_the_key_did_not_make() {
    use panelist::crypto::event::EventSig;
    use panelist::tui::replay::source::{Signatures, Source};
    let p = Panel::new("ed25519", 3);
    // The chair's bundle carries the expert's key in its roster.
    let e = p.roster_entry();
    rusqlite::Connection::open(&p.bundle)
        .expect("sqlite")
        .execute(
            "UPDATE roster SET alg = ?1, public_key = ?2, key_id = ?3 WHERE id = 'E01'",
            rusqlite::params![e.alg, e.public_key, e.key_id],
        )
        .expect("roster");
    p.score_complete(0, 10);
    let src = Source::open(&p.bundle).expect("open");
    assert_eq!(src.sigs.counts(), (0, 0), "{:?}", src.sigs);
    assert!(matches!(src.sigs, Signatures::Checked(_)));
    let seqs = insider_appends(&p.bundle, planted(&p.apps[1]), None);
    let src = Source::open(&p.bundle).expect("open");
    assert_eq!(src.sigs.counts(), (2, 0));
    for s in &seqs {
        assert_eq!(src.sigs.of(*s as usize - 1), Some(EventSig::Missing));
    }
    assert_eq!(src.sigs.of(0), Some(EventSig::Current));
}
