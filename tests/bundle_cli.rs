//! `panelist bundle new|check|info` and `demo`, run as the real binary.

mod common;

use common::bundle::working_copy;
use common::cli::Scratch;
use std::collections::BTreeSet;

fn digest_of(s: &Scratch, bundle: &str) -> String {
    let r = s.run(&["bundle", "info", bundle, "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    v["digest"].as_str().expect("digest").to_string()
}

const SAMPLE_JSON: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/sample/applications.json"
);
const SAMPLE_CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/sample/applications.csv"
);

#[test]
fn json_csv_with_bom_and_gb18030_csv_give_the_same_digest() {
    let s = Scratch::new();
    let csv = std::fs::read(SAMPLE_CSV).expect("sample csv");
    assert!(
        csv.starts_with(b"\xEF\xBB\xBF"),
        "the sample CSV carries a BOM"
    );
    // The same CSV without BOM, and as Excel saves it in GB18030.
    let text = std::str::from_utf8(&csv[3..]).expect("utf-8");
    std::fs::write(s.path("nobom.csv"), text).unwrap();
    let (gb, _, bad) = encoding_rs::GB18030.encode(text);
    assert!(!bad);
    assert!(
        std::str::from_utf8(&gb).is_err(),
        "GB18030 bytes are not UTF-8"
    );
    std::fs::write(s.path("gb.csv"), &gb).unwrap();

    let mut digests = BTreeSet::new();
    for (input, out) in [
        (SAMPLE_JSON.to_string(), "j.bundle"),
        (SAMPLE_CSV.to_string(), "c.bundle"),
        (s.path("nobom.csv").display().to_string(), "n.bundle"),
        (s.path("gb.csv").display().to_string(), "g.bundle"),
    ] {
        let out = s.path(out).display().to_string();
        let r = s.run(&["bundle", "new", &input, "-o", &out]);
        assert_eq!(r.code, 0, "{input}: {}", r.stderr);
        digests.insert(digest_of(&s, &out));
    }
    assert_eq!(digests.len(), 1, "{digests:?}");
    // Explicit encoding works too; the wrong one is a clear error.
    let g = s.path("gb.csv").display().to_string();
    let out = s.path("g2.bundle").display().to_string();
    assert_eq!(
        s.run(&["bundle", "new", &g, "-o", &out, "--encoding", "gbk"])
            .code,
        0
    );
    let out3 = s.path("g3.bundle").display().to_string();
    s.run(&["bundle", "new", &g, "-o", &out3, "--encoding", "utf-8"])
        .assert_error(&["gb.csv", "UTF-8"]);
    assert!(!s.path("g3.bundle").exists());
}

#[test]
fn clean_sample_checks_clean() {
    let s = Scratch::new();
    let r = s.run(&["bundle", "check", SAMPLE_JSON]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "");
    let out = s.path("s.bundle").display().to_string();
    assert_eq!(s.run(&["bundle", "new", SAMPLE_CSV, "-o", &out]).code, 0);
    assert_eq!(s.run(&["bundle", "check", &out]).code, 0);
}

/// The violations planted in the demo (assets/demo/PLANTED.md), by rule.
fn planted() -> BTreeSet<(String, Vec<String>)> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/demo/PLANTED.md"
    ))
    .expect("PLANTED.md");
    let mut out = BTreeSet::new();
    for line in text.lines() {
        // | rule-key | ID, ID | what |
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 4 || !cells[1].starts_with('`') {
            continue;
        }
        let rule = cells[1].trim_matches('`').to_string();
        let mut ids: Vec<String> = cells[2]
            .split(',')
            .map(|s| s.trim().trim_matches('`').to_string())
            .filter(|s| !s.is_empty())
            .collect();
        ids.sort();
        out.insert((rule, ids));
    }
    out
}

#[test]
fn demo_check_reports_every_planted_violation_and_nothing_else() {
    let s = Scratch::new();
    let r = s.run(&["demo"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let wc = s.dir.path().join("home/data/demo/demo-E01.bundle");
    assert!(wc.exists());
    let r = s.run(&["bundle", "check", &wc.display().to_string(), "--json"]);
    assert_eq!(r.code, 1, "findings expected: {}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let mut found = BTreeSet::new();
    for f in v["findings"].as_array().expect("array") {
        let mut ids: Vec<String> = f["apps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        ids.sort();
        found.insert((f["rule"].as_str().unwrap().to_string(), ids));
        assert!(
            f["source"]
                .as_str()
                .unwrap()
                .contains("工信厅联网安函〔2023〕360号"),
            "{f}"
        );
    }
    let expected = planted();
    assert!(
        expected.len() >= 9,
        "PLANTED.md lists every rule: {expected:?}"
    );
    assert_eq!(found, expected);
    // The human form: one line per finding, exit 1.
    let r = s.run(&["bundle", "check", &wc.display().to_string()]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout.lines().count(), expected.len());
}

#[test]
fn demo_keeps_its_working_copy_and_fresh_starts_over() {
    let s = Scratch::new();
    assert_eq!(s.run(&["demo"]).code, 0);
    let wc = s.dir.path().join("home/data/demo/demo-E01.bundle");
    let id1 = digest_and_id(&s, &wc);
    assert_eq!(s.run(&["demo"]).code, 0);
    assert_eq!(digest_and_id(&s, &wc), id1, "kept between runs");
    assert_eq!(s.run(&["demo", "--fresh"]).code, 0);
    let id3 = digest_and_id(&s, &wc);
    assert_eq!(id3.0, id1.0, "same content");
    assert_ne!(id3.1, id1.1, "a new bundle id");
}

fn digest_and_id(s: &Scratch, p: &std::path::Path) -> (String, String) {
    let r = s.run(&["bundle", "info", &p.display().to_string(), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    (
        v["digest"].as_str().unwrap().into(),
        v["bundle_id"].as_str().unwrap().into(),
    )
}

#[test]
fn info_shows_counts_per_direction_and_roster() {
    let s = Scratch::new();
    assert_eq!(s.run(&["demo"]).code, 0);
    let wc = s
        .dir
        .path()
        .join("home/data/demo/demo-E01.bundle")
        .display()
        .to_string();
    let r = s.run(&["bundle", "info", &wc, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let per = v["per_direction"].as_array().unwrap();
    assert_eq!(per.len(), 13);
    assert!(per.iter().all(|d| d["count"].as_u64().unwrap() >= 3));
    let total: u64 = per.iter().map(|d| d["count"].as_u64().unwrap()).sum();
    assert_eq!(total, v["applications"].as_u64().unwrap());
    assert!(total >= 60);
    assert_eq!(v["roster"].as_array().unwrap().len(), 7);
    assert_eq!(v["owner"]["id"], "E01");
    let zh = s
        .cmd()
        .args(["--lang", "zh", "bundle", "info", &wc])
        .output()
        .unwrap();
    let text = String::from_utf8(zh.stdout).unwrap();
    assert!(
        text.contains("评审组") && text.contains("商用密码"),
        "{text}"
    );
}

#[test]
fn bad_inputs_get_one_line_and_leave_no_output() {
    let s = Scratch::new();
    let out = s.path("out.bundle");
    let o = out.display().to_string();
    let write = |name: &str, bytes: &[u8]| {
        let p = s.path(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    };
    // Not SQLite, empty, missing file.
    let txt = write(
        "notes.bundle",
        b"hello, this is not a database at all........",
    );
    s.run(&["bundle", "info", &txt])
        .assert_error(&["notes.bundle", "not a panelist bundle"]);
    let empty = write("empty.bundle", b"");
    s.run(&["bundle", "info", &empty])
        .assert_error(&["empty.bundle", "empty"]);
    s.run(&[
        "bundle",
        "info",
        &s.path("nope.bundle").display().to_string(),
    ])
    .assert_error(&["nope.bundle", "no such file"]);
    // A real bundle, truncated.
    let good = s.path("good.bundle");
    drop(working_copy(&good, 40));
    let bytes = std::fs::read(&good).unwrap();
    let cut = write("cut.bundle", &bytes[..bytes.len() / 2]);
    s.run(&["bundle", "info", &cut])
        .assert_error(&["cut.bundle", "truncated"]);
    // Another program's SQLite file.
    let other = s.path("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t(x);")
        .unwrap();
    s.run(&["bundle", "info", &other.display().to_string()])
        .assert_error(&["other.db", "another program"]);
    // A newer schema version.
    let newer = s.path("newer.bundle");
    std::fs::copy(&good, &newer).unwrap();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .execute_batch("PRAGMA user_version=99;")
        .unwrap();
    s.run(&["bundle", "info", &newer.display().to_string()])
        .assert_error(&["newer.bundle", "newer panelist", "99"]);

    // CSV problems.
    let missing = write("missing.csv", "id,title,direction\nA-1,标题,1\n".as_bytes());
    s.run(&["bundle", "new", &missing, "-o", &o])
        .assert_error(&["missing.csv", "missing columns", "lead_name"]);
    let mut bad = b"id,title\n".to_vec();
    bad.extend_from_slice(&[0x81, 0x20, 0xFF, 0xFE, b'\n']);
    let badenc = write("badenc.csv", &bad);
    s.run(&["bundle", "new", &badenc, "-o", &o])
        .assert_error(&["badenc.csv", "GB18030"]);
    // Unknown direction.
    let sample = std::fs::read_to_string(SAMPLE_JSON).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&sample).unwrap();
    v["applications"][1]["direction"] = serde_json::json!(42);
    let unk = write(
        "unknown.json",
        serde_json::to_string(&v).unwrap().as_bytes(),
    );
    s.run(&["bundle", "new", &unk, "-o", &o])
        .assert_error(&["unknown.json", "unknown direction '42'"]);
    // Broken JSON, duplicate keys.
    let broken = write("broken.json", b"{\"applications\": [");
    s.run(&["bundle", "new", &broken, "-o", &o])
        .assert_error(&["broken.json", "line 1"]);
    let dup = write("dup.json", b"{\"applications\": [], \"applications\": []}");
    s.run(&["bundle", "new", &dup, "-o", &o])
        .assert_error(&["dup.json", "duplicate key"]);
    assert!(!out.exists(), "no output file left behind");
    let leftovers: Vec<_> = std::fs::read_dir(s.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn help_lists_the_subcommands() {
    let s = Scratch::new();
    let r = s.run(&["--help"]);
    assert_eq!(r.code, 0);
    for sub in ["demo", "bundle"] {
        assert!(r.stdout.contains(sub), "{sub} in help: {}", r.stdout);
    }
}

#[test]
fn times_in_text_are_local_with_their_offset_and_stay_utc_in_json() {
    let s = Scratch::new();
    assert_eq!(s.run(&["demo"]).code, 0);
    let wc = s
        .dir
        .path()
        .join("home/data/demo/demo-E01.bundle")
        .display()
        .to_string();
    let r = s.run(&["bundle", "info", &wc, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let stored = v["created"].as_str().expect("created").to_string();
    assert!(stored.ends_with('Z'), "stored in UTC: {stored}");
    // The scratch's zone is TZ=CST-8: the text shows it.
    let r = s.run(&["bundle", "info", &wc]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let tz = jiff::tz::TimeZone::fixed(jiff::tz::offset(8));
    let shown = panelist::support::clock::show_in(&stored, &tz, false).expect("a time");
    assert!(shown.ends_with("+08:00"), "{shown}");
    assert!(r.stdout.contains(&shown), "{shown} in:\n{}", r.stdout);
    assert!(!r.stdout.contains(&stored), "{}", r.stdout);
}
