//! The independent Python verifier of the ministry's combined result
//! (`scripts/verify_combined.py`) and its JSON Schema
//! (`assets/schema/combined.schema.json`), on a generated call of three
//! panels: every figure recomputed to the last digit, with and without the
//! panels' merged files, and each kind of change after the fact named —
//! by the verifier and by `panelist verify` alike.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::call::Call;
use common::cli::Run;
use common::panel::read_env;
use panelist::crypto::envelope::{COMBINED_TYPE, Envelope};
use serde_json::Value;

fn call() -> &'static Call {
    static CALL: OnceLock<Call> = OnceLock::new();
    CALL.get_or_init(|| Call::combined("combine_python"))
}

fn python() -> &'static Path {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| {
        let o = Command::new("python3")
            .args([
                "-c",
                "import rfc8785, cryptography, gmssl, jsonschema, sys; print(sys.executable)",
            ])
            .output()
            .expect("python3 is needed for the independent verifier");
        assert!(
            o.status.success(),
            "the Python packages of the independent verifier are missing: run pip install -r scripts/requirements-verify.txt ({})",
            String::from_utf8_lossy(&o.stderr).trim()
        );
        PathBuf::from(String::from_utf8_lossy(&o.stdout).trim())
    })
}

/// `verify_combined.py FILE --roster ROSTER [--merged merged/*.json]`.
fn py(file: &Path, with_merged: bool) -> Run {
    let c = call();
    let mut cmd = Command::new(python());
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/verify_combined.py"))
        .arg(file)
        .arg("--roster")
        .arg(c.path("roster.json"));
    if with_merged {
        cmd.arg("--merged");
        for n in 1..=3 {
            cmd.arg(c.path(&format!("merged/p{n:02}.json")));
        }
    }
    Run::from(cmd.output().expect("python3"))
}

/// `panelist verify FILE --roster ROSTER`.
fn rust(file: &Path) -> Run {
    let c = call();
    let roster = c.path("roster.json").display().to_string();
    c.s.run(&["verify", &file.display().to_string(), "--roster", &roster])
}

fn bad(r: &Run, reason: &str) {
    assert_eq!(r.code, 1, "exit 1 expected: {}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.starts_with("BAD ") && r.stdout.contains(reason),
        "expected BAD with {reason:?}, got {:?} {:?}",
        r.stdout,
        r.stderr
    );
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
}

fn schema_error(file: &Path) -> Option<String> {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/schema/combined.schema.json");
    let v = Command::new(python())
        .args([
            "-c",
            "import base64, json, sys, jsonschema\n\
             s = json.load(open(sys.argv[1]))\n\
             jsonschema.Draft202012Validator.check_schema(s)\n\
             jsonschema.Draft202012Validator(s).validate(env := json.load(open(sys.argv[2])))\n\
             p = dict(s['$defs']['payload'], **{'$defs': s['$defs']})\n\
             jsonschema.Draft202012Validator(p).validate(json.loads(base64.b64decode(env['payload'])))",
        ])
        .arg(&schema)
        .arg(file)
        .output()
        .expect("python3");
    (!v.status.success()).then(|| String::from_utf8_lossy(&v.stderr).into_owned())
}

/// The combined result with `edit` applied to its payload, signed again
/// with the ministry's key (a change only a recomputation can catch).
fn resigned(name: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let c = call();
    let env = read_env(&c.path("combined.json"));
    let mut v = env.payload_value().expect("payload");
    edit(&mut v);
    let key = panelist::dev::call::key_of(1, "M01").expect("key");
    let out = c.path(name);
    std::fs::write(
        &out,
        Envelope::sign(COMBINED_TYPE, v, &key).unwrap().to_text(),
    )
    .unwrap();
    out
}

fn entry_index(v: &Value, pred: impl Fn(&Value) -> bool) -> usize {
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .position(pred)
        .expect("entry")
}

#[test]
fn the_combined_result_passes_with_and_without_the_merged_files_and_fits_the_schema() {
    let c = call();
    let f = c.path("combined.json");
    let r = py(&f, false);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("OK  "), "{}", r.stdout);
    assert!(
        r.stdout.contains("3 panels, 30 applications"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("no merged files given"), "{}", r.stdout);
    let r = py(&f, true);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("every figure recomputed, from 3 merged files"),
        "{}",
        r.stdout
    );
    assert_eq!(schema_error(&f), None);
    assert_eq!(rust(&f).code, 0);
    // What it recomputed is not empty: findings, a tie, a list.
    let p = read_env(&f).payload_value().unwrap();
    assert!(
        p["findings"].as_array().unwrap().len() >= 5,
        "{:#}",
        p["findings"]
    );
    assert_eq!(p["ties"].as_array().unwrap().len(), 1);
    assert!(!p["list"].as_array().unwrap().is_empty());
}

#[test]
fn a_changed_z_score_percentile_or_rank_is_named() {
    let z = resigned("z.json", |v| {
        let i = entry_index(v, |e| e["z"].is_string());
        v["entries"][i]["z"] = Value::from("9.9999");
    });
    bad(&py(&z, false), ".z: file 9.9999, recomputed");
    bad(&rust(&z), "differs from the recomputation");
    let pct = resigned("pct.json", |v| {
        let i = entry_index(v, |e| e["percentile"].is_string());
        v["entries"][i]["percentile"] = Value::from("0.0001");
    });
    bad(&py(&pct, false), ".percentile: file 0.0001");
    let rank = resigned("rank.json", |v| {
        let i = entry_index(v, |e| e["ranks"]["zscore"] == 1);
        v["entries"][i]["ranks"]["zscore"] = Value::from(2);
    });
    bad(&py(&rank, false), ".ranks.zscore: file 2, recomputed 1");
    bad(&rust(&rank), "differs from the recomputation");
}

#[test]
fn a_panel_figure_changed_in_the_combined_result_is_caught_with_the_merged_files() {
    let score = resigned("score.json", |v| {
        let i = entry_index(v, |e| e["score"].is_string());
        v["entries"][i]["score"] = Value::from("1.0000");
    });
    // Without the merged files the derived figures no longer agree; with
    // them, the copied figure itself is named.
    bad(&py(&score, false), "recomputed");
    bad(&py(&score, true), ".score: file 1.0000, recomputed");
}

#[test]
fn a_hidden_finding_a_broken_tie_and_a_padded_list_are_named() {
    let hidden = resigned("hidden.json", |v| {
        let n = v["findings"].as_array().unwrap().len() - 1;
        v["findings"].as_array_mut().unwrap().pop();
        for e in v["entries"].as_array_mut().unwrap() {
            e["findings"]
                .as_array_mut()
                .unwrap()
                .retain(|x| x.as_u64() != Some(n as u64));
        }
    });
    bad(&py(&hidden, false), "findings[");
    bad(&rust(&hidden), "findings across panels differ");
    let broken = resigned("broken.json", |v| {
        let t = v["ties"][0]["apps"][0].clone();
        v["ties"] = Value::Array(Vec::new());
        let i = entry_index(v, |e| e["id"] == t["id"] && e["panel"] == t["panel"]);
        v["entries"][i]["status"] = Value::from("selected");
        v["list"].as_array_mut().unwrap().push(t);
    });
    bad(
        &py(&broken, false),
        ".status: file selected, recomputed tie",
    );
    bad(&rust(&broken), "differs from the recomputation");
    let padded = resigned("padded.json", |v| {
        let i = entry_index(v, |e| e["status"] == "not-selected");
        let at =
            serde_json::json!({"panel": v["entries"][i]["panel"], "id": v["entries"][i]["id"]});
        v["list"].as_array_mut().unwrap().push(at);
    });
    bad(&py(&padded, false), "list");
    bad(&rust(&padded), "proposed list differs");
}

#[test]
fn drafts_strangers_and_missing_merged_files_are_refused() {
    let c = call();
    let env = read_env(&c.path("combined.json"));
    let draft = Envelope {
        signatures: Vec::new(),
        ..env
    };
    let d = c.path("draft.json");
    std::fs::write(&d, draft.to_text()).unwrap();
    bad(&py(&d, false), "unsigned combined result");
    assert!(schema_error(&d).is_some(), "a draft fits the schema");
    // Signed by a chair's key: not the ministry's.
    let env = read_env(&c.path("combined.json"));
    let chair = panelist::dev::call::key_of(1, "C01").unwrap();
    let by_chair = Envelope::sign(COMBINED_TYPE, env.payload_value().unwrap(), &chair).unwrap();
    let f = c.path("by-chair.json");
    std::fs::write(&f, by_chair.to_text()).unwrap();
    bad(&py(&f, false), "\"role\": \"ministry\"");
    bad(&rust(&f), "role \"ministry\"");
    // A merged file changed after signing, in place of panel 1's.
    let mut cmd = Command::new(python());
    let out = cmd
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/verify_combined.py"))
        .arg(c.path("combined.json"))
        .arg("--roster")
        .arg(c.path("roster.json"))
        .arg("--merged")
        .arg(c.path("forged/p01-changed.json"))
        .arg(c.path("merged/p02.json"))
        .arg(c.path("merged/p03.json"))
        .output()
        .unwrap();
    bad(
        &Run::from(out),
        "panels[0] (p01.json): no merged file given has its SHA-256",
    );
    // An unknown field: the verifier and the schema refuse it.
    let extra = resigned("extra.json", |v| {
        v["entries"][0]["note"] = Value::from("x");
    });
    bad(&py(&extra, false), "note");
    assert!(schema_error(&extra).is_some());
    bad(&rust(&extra), "note");
}
