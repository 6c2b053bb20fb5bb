//! One verdict: `panelist verify` and the independent Python verifier
//! (`scripts/verify_export.py`) say OK or BAD alike on every file — the
//! whole hostile corpus, and hundreds of property-generated mutations of
//! the corpus's good export (a field deleted or added, a type changed, a
//! time, a number or a string changed), re-signed with the corpus key and
//! their hash chain recomputed where the edit leaves the events readable,
//! so the edit reaches the payload's own checks. The merged result's
//! closed reading has its own cases at the end (`verify_merged.py` also
//! recomputes every figure, which `panelist verify` leaves to the merge;
//! tests/merged_python.rs holds them).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::cli::Scratch;
use panelist::crypto::envelope::{Envelope, SCORES_TYPE};
use panelist::crypto::sign::SecretKey;
use panelist::domain::history::{self, unhex32};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRng, TestRunner};
use serde_json::{Value, json};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/hostile");
const PASSPHRASE_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/hostile/key-passphrase.txt"
);

fn roster() -> String {
    format!("{DIR}/export-roster.json")
}

/// The corpus expert's key: the corpus keeps an intact copy of it
/// (`key-group-readable.key`, refused only for its mode at run time).
fn corpus_key(s: &Scratch) -> SecretKey {
    let copy = s.path("E01.key");
    std::fs::copy(format!("{DIR}/key-group-readable.key"), &copy).expect("copy key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    panelist::keyring::unlock_file(&copy, Some(Path::new(PASSPHRASE_FILE)))
        .expect("the corpus key opens with the corpus passphrase")
        .key
}

/// OK or BAD per file from one run of a verifier that prints
/// `OK  FILE  …` / `BAD FILE  …` lines; a file without a line (an error
/// on stderr) counts as BAD.
fn verdicts(stdout: &str, files: &[PathBuf]) -> Vec<bool> {
    let mut ok = BTreeMap::new();
    for l in stdout.lines() {
        if let Some(rest) = l.strip_prefix("OK  ") {
            ok.insert(rest.split("  ").next().unwrap_or("").to_string(), true);
        } else if let Some(rest) = l.strip_prefix("BAD ") {
            ok.insert(rest.split("  ").next().unwrap_or("").to_string(), false);
        }
    }
    files
        .iter()
        .map(|f| ok.get(&f.display().to_string()).copied().unwrap_or(false))
        .collect()
}

fn panelist_verdicts(s: &Scratch, files: &[PathBuf]) -> (Vec<bool>, String) {
    let mut out = String::new();
    let mut all = Vec::new();
    // one file per run where the run errs on a file, so the others still
    // get their line; in chunks otherwise
    for chunk in files.chunks(64) {
        let mut c = s.cmd();
        c.arg("verify").args(chunk).args(["--roster", &roster()]);
        let o = c.output().expect("run panelist");
        let stdout = String::from_utf8_lossy(&o.stdout).to_string();
        let stderr = String::from_utf8_lossy(&o.stderr).to_string();
        assert!(!stderr.contains("panicked"), "{stderr}");
        out.push_str(&stdout);
        out.push_str(&stderr);
        all.extend(verdicts(&stdout, chunk));
    }
    (all, out)
}

fn python_available() {
    let probe = std::process::Command::new("python3")
        .args(["-c", "import rfc8785, cryptography, gmssl, jsonschema"])
        .output();
    assert!(
        probe.as_ref().is_ok_and(|o| o.status.success()),
        "python3 and the verifier's packages are needed: pip install -r scripts/requirements-verify.txt"
    );
}

fn python_verdicts(files: &[PathBuf]) -> (Vec<bool>, String) {
    let o = std::process::Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scripts/verify_export.py"
        ))
        .args(files)
        .args(["--roster", &roster()])
        .output()
        .expect("python3");
    let stdout = String::from_utf8_lossy(&o.stdout).to_string();
    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(!stderr.contains("Traceback"), "{stderr}");
    (verdicts(&stdout, files), format!("{stdout}{stderr}"))
}

fn line_of<'a>(out: &'a str, f: &Path) -> &'a str {
    let name = f.display().to_string();
    out.lines()
        .find(|l| l.contains(&name))
        .unwrap_or("(no line: an error)")
}

/// Runs both verifiers over `files` and names every disagreement.
fn assert_one_verdict(s: &Scratch, files: &[PathBuf], what: &dyn Fn(usize) -> String) -> Vec<bool> {
    python_available();
    let (rust, rust_out) = panelist_verdicts(s, files);
    let (py, py_out) = python_verdicts(files);
    let mut disagree = Vec::new();
    for (i, f) in files.iter().enumerate() {
        if rust[i] != py[i] {
            disagree.push(format!(
                "{}\n    panelist: {}\n    python:   {}",
                what(i),
                line_of(&rust_out, f),
                line_of(&py_out, f)
            ));
        }
    }
    assert!(
        disagree.is_empty(),
        "{} of {} files get two verdicts:\n{}",
        disagree.len(),
        files.len(),
        disagree.join("\n")
    );
    rust
}

#[test]
fn the_hostile_corpus_gets_one_verdict() {
    let s = Scratch::new();
    let cases = std::fs::read_to_string(format!("{DIR}/cases.tsv")).expect("cases.tsv");
    let mut files: Vec<PathBuf> = cases
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split('\t').next().unwrap_or(""))
        .filter(|f| f.ends_with(".json"))
        .map(|f| PathBuf::from(format!("{DIR}/{f}")))
        .collect();
    files.push(PathBuf::from(format!("{DIR}/export-good.json")));
    let v = assert_one_verdict(&s, &files, &|i| files[i].display().to_string());
    assert_eq!(
        v.iter().filter(|&&ok| ok).count(),
        1,
        "only the good export verifies"
    );
    assert!(*v.last().unwrap());
}

fn good_payload() -> Value {
    let text = std::fs::read_to_string(format!("{DIR}/export-good.json")).expect("good");
    let env = Envelope::parse(&text).expect("envelope");
    env.payload_value().expect("payload")
}

/// Every place in `v`: the JSON pointer of each object, array and leaf.
fn places(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                places(x, format!("{at}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                places(x, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// A time spelled another way, or another instant.
const TIMES: &[&str] = &[
    "0",
    "",
    "2024-03-01T09:00:00Z",
    "2024-03-01T17:00:00.000+08:00",
    "2024-03-01t09:00:00.000z",
    "2024-03-01 09:00:00.000Z",
    "2024-03-01T09:00:00.000",
    "2024-02-30T09:00:00.000Z",
    "2024-03-01T09:00:60.000Z",
    "2024-03-01T08:59:59.999Z",
    "2024-03-01T09:00:00.000Z",
    "2024-03-01T09:30:00.000Z",
    "2024-03-01T10:00:00.000Z",
    "2024-03-01T10:00:00.001Z",
    "2099-12-31T23:59:59.999Z",
    "1970-01-01T00:00:00.000Z",
];

#[derive(Debug, Clone)]
enum Edit {
    Delete,
    Insert(String),
    Retype(u8),
    Time(usize),
    Number(i64),
    Text(String),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        Just(Edit::Delete),
        prop::sample::select(vec!["note", "extra", "type", "value", "seq"])
            .prop_map(|k| Edit::Insert(k.to_string())),
        (0u8..6).prop_map(Edit::Retype),
        (0..TIMES.len()).prop_map(Edit::Time),
        prop::sample::select(vec![
            -1i64,
            0,
            1,
            2,
            7,
            20,
            100,
            1001,
            (1 << 31) - 1,
            1 << 32,
            (1 << 53) - 1
        ])
        .prop_map(Edit::Number),
        prop::sample::select(vec![
            "\u{2060}",
            " ",
            "\u{00AD}",
            "\u{E0041}",
            "\u{FE0F}",
            "x",
            "",
            "\u{E000}",
            "\u{1C}",
            "\u{378}",
            "\u{13439}",
            "\u{3164}"
        ])
        .prop_map(|s| Edit::Text(s.to_string())),
    ]
}

/// Applies `edit` at `place` (a pointer into `p`); false if it does not
/// apply there.
fn apply(p: &mut Value, place: &str, edit: &Edit) -> bool {
    let (parent, key) = match place.rsplit_once('/') {
        Some((a, b)) => (a, b),
        None => return false,
    };
    if let Edit::Delete = edit {
        return match p.pointer_mut(parent) {
            Some(Value::Object(m)) => m.remove(key).is_some(),
            Some(Value::Array(a)) => match key.parse::<usize>() {
                Ok(i) if i < a.len() => {
                    a.remove(i);
                    true
                }
                _ => false,
            },
            _ => false,
        };
    }
    let Some(target) = p.pointer_mut(place) else {
        return false;
    };
    match edit {
        Edit::Delete => unreachable!(),
        Edit::Insert(k) => match target {
            Value::Object(m) => {
                m.insert(k.clone(), json!("x"));
                true
            }
            _ => false,
        },
        Edit::Retype(n) => {
            *target = match (n, &*target) {
                (_, Value::Object(m)) => Value::Array(m.values().cloned().collect()),
                (0, Value::String(s)) => json!(s.len()),
                (_, Value::String(_)) => Value::Null,
                (0, Value::Number(n)) => json!(n.to_string()),
                (_, Value::Number(_)) => json!(true),
                (_, Value::Bool(b)) => json!(if *b { 1 } else { 0 }),
                (_, Value::Null) => json!("null"),
                (_, Value::Array(_)) => json!({}),
            };
            true
        }
        Edit::Time(i) => {
            if matches!(target, Value::String(s) if history::parse_time(s).is_some()) {
                *target = json!(TIMES[*i]);
                true
            } else {
                false
            }
        }
        Edit::Number(n) => {
            if target.is_number() {
                *target = json!(n);
                true
            } else {
                false
            }
        }
        Edit::Text(t) => match target {
            Value::String(s) => {
                s.push_str(t);
                true
            }
            _ => false,
        },
    }
}

/// Recomputes the history's head after an edit (each event is its body,
/// hashed as its canonical bytes after the one before), where every event
/// still has canonical bytes, so an edit of an event reaches the checks
/// after the chain.
fn rechain(p: &mut Value) {
    let (Some(digest), Some(expert)) = (
        p.pointer("/bundle/digest")
            .and_then(Value::as_str)
            .and_then(unhex32),
        p.pointer("/expert/id")
            .and_then(Value::as_str)
            .map(str::to_string),
    ) else {
        return;
    };
    let Some(Value::Array(events)) = p.get("history") else {
        return;
    };
    let mut prev = history::genesis(&digest, &expert);
    for (i, v) in events.iter().enumerate() {
        let Ok(body) = panelist::crypto::envelope::canonical(v) else {
            return;
        };
        prev = history::event_hash(i as u64 + 1, &prev, &body);
    }
    let size = events.len();
    p["head"] = json!({"size": size, "hash": history::hex(&prev)});
}

#[test]
fn mutations_of_a_good_file_get_one_verdict() {
    let s = Scratch::new();
    let key = corpus_key(&s);
    let good = good_payload();
    let mut all_places = Vec::new();
    places(&good, String::new(), &mut all_places);
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(proptest::test_runner::RngAlgorithm::ChaCha, &[7; 32]),
    );
    let count: usize = std::env::var("PANELIST_VERDICT_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let strategy = (
        prop::sample::select(all_places.clone()),
        edit(),
        // a second edit half of the time
        prop::option::of((prop::sample::select(all_places), edit())),
        any::<bool>(),
        any::<bool>(),
    );
    let mut files = Vec::new();
    let mut what = Vec::new();
    // the good file itself, re-signed: both say OK
    let mut untouched = good.clone();
    rechain(&mut untouched);
    let f = s.path("m-good.json");
    let env = Envelope::sign(SCORES_TYPE, untouched, &key).expect("sign");
    std::fs::write(&f, env.to_text()).expect("write");
    files.push(f);
    what.push("the good file re-signed".to_string());
    let mut tries = 0;
    while files.len() < count && tries < count * 20 {
        tries += 1;
        let (place, e, second, chain, sign) =
            strategy.new_tree(&mut runner).expect("strategy").current();
        let mut p = good.clone();
        if !apply(&mut p, &place, &e) {
            continue;
        }
        let mut desc = format!("{e:?} at {place}");
        if let Some((place2, e2)) = second
            && apply(&mut p, &place2, &e2)
        {
            desc.push_str(&format!(", {e2:?} at {place2}"));
        }
        if chain {
            rechain(&mut p);
            desc.push_str(", chain recomputed");
        }
        let f = s.path(&format!("m-{:04}.json", files.len()));
        if sign {
            let Ok(env) = Envelope::sign(SCORES_TYPE, p, &key) else {
                continue; // not signable (not JCS-safe): the parser's case
            };
            std::fs::write(&f, env.to_text()).expect("write");
            desc.push_str(", re-signed");
        } else {
            let text = std::fs::read_to_string(format!("{DIR}/export-good.json")).expect("good");
            // Not signed again: the edited payload under the good signature.
            let mut env = Envelope::parse(&text).expect("envelope");
            env.payload = serde_json::to_vec(&p).expect("json");
            std::fs::write(&f, env.to_text()).expect("write");
        }
        files.push(f);
        what.push(desc);
    }
    assert!(
        files.len() >= count.min(100),
        "only {} mutations applied",
        files.len()
    );
    let v = assert_one_verdict(&s, &files, &|i| what[i].clone());
    assert!(v[0], "the re-signed good file verifies");
    let bad = v.iter().filter(|&&ok| !ok).count();
    assert!(
        bad * 2 > files.len(),
        "most mutations are caught: {bad} of {}",
        files.len()
    );
}

/// Re-signed edits of the good file that only the new checks catch: both
/// verifiers refuse each, panelist with the message named.
#[test]
fn malformed_times_and_invisible_ids_are_refused_by_both() {
    let s = Scratch::new();
    let key = corpus_key(&s);
    let good = good_payload();
    let last = good["history"].as_array().expect("history").len() - 1;
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "time-offset",
            Box::new(|p| p["history"][1]["time"] = json!("2024-03-01T17:00:01.000+08:00")),
            "seq 2: time is not written YYYY-MM-DDTHH:MM:SS.mmmZ",
        ),
        (
            "time-zero",
            Box::new(|p| {
                for e in p["history"].as_array_mut().unwrap() {
                    e["time"] = json!("0");
                }
            }),
            "seq 1: time is not written",
        ),
        (
            "time-no-millis",
            Box::new(|p| p["history"][0]["time"] = json!("2024-03-01T09:00:00Z")),
            "seq 1: time is not written",
        ),
        (
            "time-lower-case",
            Box::new(|p| p["history"][0]["time"] = json!("2024-03-01t09:00:00.000z")),
            "seq 1: time is not written",
        ),
        (
            "time-backwards",
            Box::new(|p| p["history"][1]["time"] = json!("2024-03-01T08:59:59.999Z")),
            "seq 2: time goes backwards",
        ),
        (
            "time-after-created",
            Box::new(move |p| p["history"][last]["time"] = json!("2024-03-01T10:00:00.001Z")),
            "is after the file was created",
        ),
        (
            "created-offset",
            Box::new(|p| p["created"] = json!("2024-03-01T18:00:00.000+08:00")),
            "payload created '2024-03-01T18:00:00.000+08:00' is not written",
        ),
        (
            "created-zero",
            Box::new(|p| p["created"] = json!("0")),
            "payload created '0' is not written",
        ),
        (
            "app-id-word-joiner",
            Box::new(|p| {
                let id = p["applications"][0]["id"].as_str().unwrap().to_string();
                p["applications"][0]["id"] = json!(format!("{id}\u{2060}"));
            }),
            "holds white space, control, invisible",
        ),
        (
            "event-extra-field",
            Box::new(|p| p["history"][0]["note"] = json!("x")),
            "unknown field `note`",
        ),
    ];
    let mut files = Vec::new();
    for (name, edit, _) in &cases {
        let mut p = good.clone();
        edit(&mut p);
        if *name != "event-extra-field" {
            rechain(&mut p);
        }
        let f = s.path(&format!("{name}.json"));
        let env = Envelope::sign(SCORES_TYPE, p, &key).expect("sign");
        std::fs::write(&f, env.to_text()).expect("write");
        files.push(f);
    }
    let v = assert_one_verdict(&s, &files, &|i| cases[i].0.to_string());
    assert!(v.iter().all(|ok| !ok), "{v:?}");
    for ((name, _, want), f) in cases.iter().zip(&files) {
        let r = s.run(&["verify", &f.display().to_string(), "--roster", &roster()]);
        assert_eq!(r.code, 1, "{name}: {}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains(want), "{name}: {}", r.stdout);
    }
}
