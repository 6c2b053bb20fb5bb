//! Hostile and malformed inputs: every file of the corpus in tests/hostile
//! gets its specific one-line message, exit 2, no panic, no output file.
//! The corpus and its expectations are listed in tests/hostile/cases.tsv
//! (regenerate with tests/hostile/make_corpus.py).

mod common;

use common::*;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/hostile");
const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/sample/applications.json"
);

#[test]
fn every_corpus_file_gets_its_one_line_error() {
    let cases = std::fs::read_to_string(format!("{DIR}/cases.tsv")).expect("cases.tsv");
    let s = Scratch::new();
    let mut n = 0;
    let mut failures = Vec::new();
    for line in cases
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, cmd, expect) = (cols[0], cols[1], cols[2]);
        let path = format!("{DIR}/{file}");
        assert!(
            std::path::Path::new(&path).exists(),
            "{file} is in the corpus"
        );
        let out = s.path(&format!("{file}.out"));
        let o = out.display().to_string();
        let args: Vec<&str> = match cmd {
            "info" => vec!["bundle", "info", &path],
            "new" => vec!["bundle", "new", &path, "-o", &o],
            "new-2023" => vec!["bundle", "new", &path, "-o", &o, "--call", "2023"],
            "roster" => vec!["bundle", "new", SAMPLE, "-o", &o, "--roster", &path],
            "catalog" => vec!["bundle", "new", SAMPLE, "-o", &o, "--catalog", &path],
            "rubric" => vec!["bundle", "new", SAMPLE, "-o", &o, "--rubric", &path],
            other => panic!("unknown command {other} for {file}"),
        };
        let r = s.run(&args);
        let one_line = r.stderr.lines().count() == 1;
        let ok = r.code == 2
            && one_line
            && r.stderr.contains(expect)
            && r.stderr.contains(file)
            && !r.stderr.contains("panicked")
            && !out.exists();
        if !ok {
            failures.push(format!(
                "{file}: exit {} stderr {:?} (want {expect:?})",
                r.code, r.stderr
            ));
        }
        n += 1;
    }
    assert!(n >= 50, "the corpus has at least 50 files, has {n}");
    assert!(
        failures.is_empty(),
        "{} of {n} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn huge_fields_are_refused() {
    let s = Scratch::new();
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(SAMPLE).unwrap()).unwrap();
    v["applications"][0]["sections"]["overview"] = serde_json::json!("长".repeat(300_000));
    let p = s.path("huge.json");
    std::fs::write(&p, serde_json::to_string(&v).unwrap()).unwrap();
    let out = s.path("huge.bundle");
    s.run(&[
        "bundle",
        "new",
        &p.display().to_string(),
        "-o",
        &out.display().to_string(),
    ])
    .assert_error(&["huge.json", "longer than 200000 characters"]);
    assert!(!out.exists());
}
