//! The auditor's tamper suite, in the style of transparency-log negative
//! tests: every way of changing a working copy or an export after the fact
//! is detected and named; the untouched set passes clean.

mod common;

use std::path::{Path, PathBuf};

use common::panel::{FAST_KDF, PASS, Panel, resign, tamper_text};
use panelist::domain::history::{self, Change};

struct Fixture {
    p: Panel,
    export: PathBuf,
    roster: PathBuf,
}

fn fixture() -> Fixture {
    let p = Panel::new("ed25519", 4);
    p.finish();
    let export = p.export("E01.json");
    let roster = p.roster();
    Fixture { p, export, roster }
}

fn audit(f: &Fixture, files: &[&Path]) -> (i32, serde_json::Value) {
    let mut args = vec!["audit".to_string()];
    args.extend(files.iter().map(|p| p.display().to_string()));
    args.extend([
        "--roster".into(),
        f.roster.display().to_string(),
        "--json".into(),
    ]);
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = f.p.run(&a);
    assert_ne!(r.code, 2, "audit error: {}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    (r.code, v)
}

/// The problems found, as (kind, seq) pairs.
fn problems(v: &serde_json::Value) -> Vec<(String, Option<u64>)> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "problem")
        .map(|f| {
            (
                f["kind"].as_str().unwrap_or("").to_string(),
                f["seq"].as_u64(),
            )
        })
        .collect()
}

/// A copy of the working copy with `sql` applied (triggers dropped first).
fn tampered(f: &Fixture, name: &str, sql: &str) -> PathBuf {
    let out = f.p.s.path(name);
    std::fs::copy(&f.p.bundle, &out).expect("copy");
    let c = rusqlite::Connection::open(&out).expect("open");
    // An insider drops the append-only triggers, edits, and puts the
    // triggers back exactly as they were, so the schema looks untouched.
    let triggers: Vec<String> = c
        .prepare("SELECT sql FROM sqlite_master WHERE type='trigger' ORDER BY name")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
        .expect("triggers");
    c.execute_batch(
        "DROP TRIGGER events_append_only_update; DROP TRIGGER events_append_only_delete;",
    )
    .expect("drop triggers");
    c.execute_batch(sql).expect("tamper");
    for t in triggers {
        c.execute_batch(&t).expect("restore trigger");
    }
    out
}

fn size(f: &Fixture) -> u64 {
    let b = panelist::store::Bundle::open_read(&f.p.bundle).expect("open");
    b.head().expect("head").size
}

#[test]
fn the_untouched_set_is_clean() {
    let f = fixture();
    let (code, v) = audit(&f, &[&f.p.bundle, &f.export]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["problems"], 0);
    assert!(v["findings"].as_array().unwrap().is_empty(), "{v}");
    assert_eq!(v["files"].as_array().unwrap().len(), 2);
}

#[test]
fn a_flipped_byte_in_any_column_is_named() {
    let f = fixture();
    // Change one character in each column of event 3.
    let cases = [
        (
            "body",
            "UPDATE events SET body = replace(body, '\"expert\":\"E01\"', '\"expert\":\"E02\"') WHERE seq = 3;",
            Some(3),
        ),
        (
            "prev",
            "UPDATE events SET prev = substr(prev, 1, 10) || (CASE substr(prev, 11, 1) WHEN 'a' THEN 'b' ELSE 'a' END) || substr(prev, 12) WHERE seq = 3;",
            Some(3),
        ),
        (
            "hash",
            "UPDATE events SET hash = substr(hash, 1, 20) || (CASE substr(hash, 21, 1) WHEN '0' THEN '1' ELSE '0' END) || substr(hash, 22) WHERE seq = 3;",
            Some(3),
        ),
        (
            "seq",
            "UPDATE events SET seq = 1003 WHERE seq = 3;",
            Some(4),
        ),
    ];
    for (col, sql, seq) in cases {
        let wc = tampered(&f, &format!("flip-{col}.bundle"), sql);
        let (code, v) = audit(&f, &[&wc]);
        assert_eq!(code, 1, "{col}: {v}");
        let ps = problems(&v);
        assert!(
            ps.iter().any(|(k, s)| k == "chain" && *s == seq),
            "{col}: {ps:?}"
        );
    }
}

#[test]
fn deleted_events_are_named() {
    let f = fixture();
    let n = size(&f);
    // First and middle: the chain breaks at the next seq.
    for (name, seq, expect) in [("first", 1, 2), ("middle", n / 2, n / 2 + 1)] {
        let wc = tampered(
            &f,
            &format!("del-{name}.bundle"),
            &format!("DELETE FROM events WHERE seq = {seq};"),
        );
        let (_, v) = audit(&f, &[&wc]);
        let ps = problems(&v);
        assert!(
            ps.iter().any(|(k, s)| k == "chain" && *s == Some(expect)),
            "{name}: {ps:?}"
        );
    }
    // Last: the chain still links, but the export signed more, and the
    // sheet kept the effect of the lost event.
    let wc = tampered(
        &f,
        "del-last.bundle",
        &format!("DELETE FROM events WHERE seq = {n};"),
    );
    let (code, v) = audit(&f, &[&wc, &f.export]);
    assert_eq!(code, 1);
    let ps = problems(&v);
    assert!(
        ps.iter().any(|(k, s)| k == "truncated" && *s == Some(n)),
        "{ps:?}"
    );
    assert!(ps.iter().any(|(k, _)| k == "sheet"), "{ps:?}");
}

#[test]
fn swapped_and_duplicated_events_are_named() {
    let f = fixture();
    let n = size(&f);
    let swap = tampered(
        &f,
        "swap.bundle",
        "UPDATE events SET seq = -1 WHERE seq = 3; UPDATE events SET seq = 3 WHERE seq = 4; UPDATE events SET seq = 4 WHERE seq = -1;",
    );
    let (_, v) = audit(&f, &[&swap]);
    assert!(
        problems(&v)
            .iter()
            .any(|(k, s)| k == "chain" && *s == Some(3)),
        "{v}"
    );
    let dup = tampered(
        &f,
        "dup.bundle",
        &format!(
            "INSERT INTO events(seq, body, prev, hash) SELECT {}, body, prev, hash FROM events WHERE seq = 2;",
            n + 1
        ),
    );
    let (_, v) = audit(&f, &[&dup]);
    assert!(
        problems(&v)
            .iter()
            .any(|(k, s)| k == "chain" && *s == Some(n + 1)),
        "{v}"
    );
}

#[test]
fn a_well_formed_inserted_event_is_caught_against_the_export() {
    let f = fixture();
    // Insert a correctly hashed event after seq 2 and re-chain everything
    // after it, as a forger with the file (but not the key) would.
    let b = panelist::store::Bundle::open_read(&f.p.bundle).expect("open");
    let mut events = b.history().expect("history");
    let digest = b.digest_bytes().expect("digest");
    drop(b);
    let forged = Change::Score {
        app: f.p.apps[0].clone(),
        criterion: "innovation".into(),
        value: Some(25),
    };
    events.insert(
        2,
        history::make_event(0, &[0; 32], &events[1].time, "E01", forged),
    );
    let mut prev = history::genesis(&digest, "E01");
    let mut sql = String::from("DELETE FROM events;");
    for (i, e) in events.iter().enumerate() {
        let ev = history::make_event(i as u64 + 1, &prev, &e.time, "E01", e.change.clone());
        prev = history::unhex32(&ev.hash).expect("hex");
        let body = String::from_utf8(history::canonical_body(&ev.time, &ev.expert, &ev.change))
            .expect("utf-8");
        sql.push_str(&format!(
            "INSERT INTO events(seq, body, prev, hash) VALUES({}, '{}', '{}', '{}');",
            ev.seq,
            body.replace('\'', "''"),
            ev.prev,
            ev.hash
        ));
    }
    let wc = tampered(&f, "insert.bundle", &sql);
    // The chain alone links (a forger can rehash) …
    let rb = panelist::store::Bundle::open_read(&wc).expect("open");
    assert!(rb.verify_chain().expect("read").is_ok());
    drop(rb);
    // … but the signed export pins the original head.
    let (code, v) = audit(&f, &[&wc, &f.export]);
    assert_eq!(code, 1);
    let ps = problems(&v);
    assert!(
        ps.iter().any(|(k, s)| k == "rewritten" && *s == Some(3)),
        "{ps:?}"
    );
}

#[test]
fn events_after_the_export_are_shown_but_allowed() {
    let f = fixture();
    f.p.score_complete(0, 10);
    let (code, v) = audit(&f, &[&f.p.bundle, &f.export]);
    assert_eq!(code, 0, "{v}");
    let notes: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == "after export")
        .collect();
    assert_eq!(notes.len(), 1, "{v}");
    assert!(
        notes[0]["message"]
            .as_str()
            .unwrap()
            .contains("not covered by a signature")
    );
}

#[test]
fn truncating_and_re_exporting_is_caught() {
    let f = fixture();
    let n = size(&f);
    // Truncate to 4 events, fix the sheet to match, re-export with the key.
    let keep = 4;
    let b = panelist::store::Bundle::open_read(&f.p.bundle).expect("open");
    let events = b.history().expect("history");
    let sheet =
        history::replay(&b.rubric, |a| b.has_application(a), &events[..keep]).expect("replay");
    drop(b);
    let mut sql = format!(
        "DELETE FROM events WHERE seq > {keep}; DELETE FROM sheet_scores; DELETE FROM sheet;"
    );
    for (app, e) in &sheet.entries {
        sql.push_str(&format!(
            "INSERT INTO sheet VALUES('{app}', '{}', {}, {}, '{}', {});",
            e.comment.replace('\'', "''"),
            e.recommend
                .map_or("NULL".to_string(), |r| (r as i32).to_string()),
            e.recused as i32,
            e.recuse_reason.replace('\'', "''"),
            e.last_seq
        ));
        for (c, v) in &e.scores {
            sql.push_str(&format!(
                "INSERT INTO sheet_scores VALUES('{app}', '{c}', {v});"
            ));
        }
    }
    let wc = tampered(&f, "cut.bundle", &sql);
    let again = f.p.s.path("E01-again.json");
    let r = f.p.run(&[
        "export",
        wc.to_str().unwrap(),
        "-o",
        again.to_str().unwrap(),
        "--allow-incomplete",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The new pair alone is consistent …
    let (code, _) = audit(&f, &[&wc, &again]);
    assert_eq!(code, 0);
    // … the first export betrays the truncation.
    let (code, v) = audit(&f, &[&wc, &again, &f.export]);
    assert_eq!(code, 1);
    assert!(
        problems(&v)
            .iter()
            .any(|(k, s)| k == "truncated" && *s == Some(keep as u64 + 1)),
        "{v} (n={n})"
    );
}

#[test]
fn the_sheet_edited_without_an_event_is_caught() {
    let f = fixture();
    let wc = tampered(
        &f,
        "sheet.bundle",
        &format!(
            "UPDATE sheet_scores SET value = 25 WHERE app = '{}' AND criterion = 'innovation';",
            f.p.apps[0]
        ),
    );
    let (code, v) = audit(&f, &[&wc]);
    assert_eq!(code, 1);
    let found: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == "sheet")
        .collect();
    assert_eq!(found.len(), 1, "{v}");
    assert!(found[0]["message"].as_str().unwrap().contains(&f.p.apps[0]));
}

#[test]
fn edited_exports_are_caught() {
    let f = fixture();
    let text = std::fs::read_to_string(&f.export).unwrap();
    // Change the size, without the key: the signature fails.
    let edited = tamper_text(&text, |p| {
        let n = p["head"]["size"].as_u64().unwrap();
        p["head"]["size"] = serde_json::json!(n - 1);
    });
    let bad = f.p.s.path("size.json");
    std::fs::write(&bad, edited).unwrap();
    let (code, out) = audit(&f, &[&bad]);
    assert_eq!(code, 1);
    assert!(
        problems(&out).iter().any(|(k, _)| k == "signature"),
        "{out}"
    );
    // Drop an event and sign again with the expert's own key: the chain
    // and head checks fail, and the working copy disagrees.
    let key = f.p.secret();
    let dropped = resign(&f.export, &f.p.s.path("drop.json"), &key, |p| {
        p["history"].as_array_mut().unwrap().remove(2);
    });
    let (code, out) = audit(&f, &[&f.p.bundle, &dropped]);
    assert_eq!(code, 1);
    let ps = problems(&out);
    assert!(
        ps.iter().any(|(k, _)| k == "chain" || k == "verify"),
        "{ps:?}"
    );
    // A changed head, re-signed: the working copy's head at that size differs.
    let head = resign(&f.export, &f.p.s.path("head.json"), &key, |p| {
        p["head"]["hash"] = serde_json::json!("0".repeat(64));
    });
    let (code, out) = audit(&f, &[&f.p.bundle, &head]);
    assert_eq!(code, 1);
    assert!(!problems(&out).is_empty(), "{out}");
}

/// A generated panel merged by a chair: (scratch, roster, merged, exports).
fn merged_panel() -> (common::cli::Scratch, PathBuf, PathBuf, Vec<PathBuf>) {
    let s = common::cli::Scratch::new();
    let dir = s.path("panel");
    let run = |args: &[&str]| {
        let out = s
            .cmd()
            .env("PANELIST_KDF_PARAMS", FAST_KDF)
            .env("PANELIST_PASSPHRASE_FILE", s.path("pass.txt"))
            .args(args)
            .output()
            .expect("run");
        common::cli::Run::from(out)
    };
    std::fs::write(s.path("pass.txt"), format!("{PASS}\n")).expect("pass");
    let r = run(&[
        "dev",
        "panel",
        "--experts",
        "5",
        "--apps",
        "12",
        "--recuse-pct",
        "10",
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&[
        "key",
        "new",
        "--id",
        "C01",
        "--name",
        "组长",
        "--org",
        "评审组",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["key", "show", "--id", "C01", "--roster-entry"]);
    let mut chair: panelist::domain::RosterEntry = serde_json::from_str(&r.stdout).expect("entry");
    chair.role = Some("chair".into());
    let roster_path = dir.join("roster.json");
    let mut roster: Vec<panelist::domain::RosterEntry> =
        serde_json::from_str(&std::fs::read_to_string(&roster_path).unwrap()).unwrap();
    roster.push(chair);
    std::fs::write(&roster_path, serde_json::to_string(&roster).unwrap()).unwrap();
    let merged = dir.join("merged.json");
    let r = run(&[
        "merge",
        "--bundle",
        dir.join("panel.bundle").to_str().unwrap(),
        "--roster",
        roster_path.to_str().unwrap(),
        dir.join("exports").to_str().unwrap(),
        "-o",
        merged.to_str().unwrap(),
        "--key",
        "C01",
    ]);
    assert_eq!(r.code, 0, "merge: {}{}", r.stdout, r.stderr);
    let mut exports: Vec<PathBuf> = std::fs::read_dir(dir.join("exports"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    exports.sort();
    (s, roster_path, merged, exports)
}

fn audit_with(
    s: &common::cli::Scratch,
    roster: &Path,
    files: &[PathBuf],
) -> (i32, serde_json::Value) {
    let mut args = vec!["audit".to_string()];
    args.extend(files.iter().map(|p| p.display().to_string()));
    args.extend([
        "--roster".into(),
        roster.display().to_string(),
        "--json".into(),
    ]);
    let r = s.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_ne!(r.code, 2, "{}", r.stderr);
    (r.code, serde_json::from_str(&r.stdout).expect("json"))
}

#[test]
fn a_merged_result_is_recomputed_from_its_inputs() {
    let (s, roster, merged, exports) = merged_panel();
    let mut all = exports.clone();
    all.push(merged.clone());
    let (code, v) = audit_with(&s, &roster, &all);
    assert_eq!(code, 0, "untouched merged set is clean: {v}");

    // One figure changed.
    let mut id = String::new();
    let text = tamper_text(&std::fs::read_to_string(&merged).unwrap(), |p| {
        let apps = p["applications"].as_array_mut().expect("applications");
        let target = apps
            .iter_mut()
            .find(|a| a["total"].is_object())
            .expect("a scored application");
        id = target["id"].as_str().unwrap().to_string();
        target["total"]["mean"] = serde_json::json!("99.0000");
    });
    let edited = s.path("merged-edited.json");
    std::fs::write(&edited, text).unwrap();
    let mut files = exports.clone();
    files.push(edited);
    let (code, v) = audit_with(&s, &roster, &files);
    assert_eq!(code, 1);
    let msgs: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "merged")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains(&id) && m.contains("99.0000")),
        "{msgs:?}"
    );
    assert!(problems(&v).iter().any(|(k, _)| k == "signature"), "{v}");

    // One input missing.
    let mut files: Vec<PathBuf> = exports[1..].to_vec();
    files.push(merged.clone());
    let (code, v) = audit_with(&s, &roster, &files);
    assert_eq!(code, 1);
    let missing = exports[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    let named = v["findings"].as_array().unwrap().iter().any(|f| {
        f["kind"] == "merged"
            && f["message"]
                .as_str()
                .unwrap()
                .contains(missing.trim_end_matches(".json"))
    });
    assert!(named, "the missing input is named: {v}");
}
