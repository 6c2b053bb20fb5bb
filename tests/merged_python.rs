//! The independent Python verifier of the chair's merged result
//! (`scripts/verify_merged.py`) and the merged file's JSON Schema
//! (`assets/schema/merged.schema.json`), on a small real panel: five experts
//! with Ed25519 and SM2 keys, twelve applications in three directions,
//! recusals (one application recused by everyone), an outlier, a tie broken
//! by the SME rule and a tie that shares its rank, a superseded file and a
//! partial one. Two merges are signed by two chairs: Ed25519 with the
//! default rule, SM2 with `median`, no SME tie-break and a partial input.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::cli::{Run, Scratch};
use common::panel::{Expert, Fixture, GOOD_COMMENT, PASS, make_key, mark_changes, read_env};
use panelist::crypto::Alg;
use panelist::crypto::envelope::{Envelope, MERGED_TYPE};
use panelist::crypto::sign::SecretKey;
use panelist::domain::RosterEntry;
use panelist::domain::catalog::{default_rubric, shipped_catalog};
use panelist::domain::content::Content;
use panelist::domain::history::Change;
use panelist::store::{Bundle, Identity};
use panelist::support::clock::Clock;
use serde_json::{Value, json};

const N_APPS: usize = 12;
const EXPERTS: [(&str, Alg); 5] = [
    ("E01", Alg::Ed25519),
    ("E02", Alg::Ed25519),
    ("E03", Alg::Ed25519),
    ("E04", Alg::Ed25519),
    // The SM2 expert has the fewest events: SM3 in the Python verifier's
    // package is slow on long files.
    ("E05", Alg::Sm2),
];

/// The files merged by the Ed25519 chair (E02-a.json is superseded).
const INPUTS_A: [&str; 6] = [
    "E01.json",
    "E02-a.json",
    "E02-b.json",
    "E03.json",
    "E04.json",
    "E05.json",
];
/// The files merged by the SM2 chair (E05's is partial).
const INPUTS_B: [&str; 5] = [
    "E01.json",
    "E02-b.json",
    "E03.json",
    "E04.json",
    "E05-mid.json",
];

/// Application `i` (0-based) is `T-{i+1:05}`, in direction `(i+1) % 3 + 1`;
/// its lead unit is an SME when `i+1` is even (`common::bundle::app`).
fn app_id(i: usize) -> String {
    format!("T-{:05}", i + 1)
}

/// What expert `e` (0-based) does with application `i`: `None` recuses.
/// T-00001 is recused by everyone; E05 recuses all of direction 3 (so that
/// only there every scorer has enough scores for the z-score rank);
/// T-00003 and T-00006 are scored alike (the SME T-00006 wins the tie),
/// as are T-00004 and T-00010 (both SMEs: a shared rank); E04 is an
/// outlier on T-00009.
fn mark(e: usize, i: usize) -> Option<([i64; 4], bool)> {
    let recused = i == 0 || (e == 0 && i == 1) || (e == 2 && (i == 1 || i == 4)) || {
        e == 4 && (i + 1) % 3 == 2
    };
    if recused {
        return None;
    }
    if e == 3 && i == 8 {
        return Some(([25; 4], true));
    }
    let base = match i {
        5 => 2,
        9 => 3,
        _ => i,
    } as i64;
    let e = e as i64;
    let s = [0, 1, 2, 3].map(|k| 8 + (base * 5 + e * 3 + k * 7 + base * e) % 15);
    Some((s, s.iter().sum::<i64>() >= 60))
}

fn changes(e: usize, range: std::ops::Range<usize>) -> Vec<Change> {
    range
        .flat_map(|i| mark_changes(app_id(i), mark(e, i)))
        .collect()
}

fn content() -> Content {
    Content {
        catalog: shipped_catalog("2023").expect("catalog"),
        rubric: default_rubric().expect("rubric"),
        applications: (1..=N_APPS as u32)
            .map(|n| common::bundle::app(n, n % 3 + 1))
            .collect(),
        roster: Vec::new(),
    }
}

fn build() -> Fixture {
    let s = Scratch::for_fixture("merged_python");
    let pass = s.path("pass.txt");
    std::fs::write(&pass, format!("{PASS}\n")).expect("pass file");
    let bundle = s.path("panel.bundle");
    let setup = Clock::stepping("2024-03-01T08:00:00Z", 1000).expect("clock");
    Bundle::create(&bundle, &content(), "第一评审组", &setup, false).expect("bundle");

    let mut roster: Vec<RosterEntry> = Vec::new();
    let mut experts: Vec<Expert> = Vec::new();
    for (id, alg) in EXPERTS {
        let key = make_key(id, alg);
        roster.push(key.file.roster_entry());
        let copy = s.path(&format!("{id}.bundle"));
        std::fs::copy(&bundle, &copy).expect("copy");
        let mut b = Bundle::open_write(&copy).expect("open");
        b.claim(&Identity {
            id: id.into(),
            name: key.file.name.clone(),
            org: key.file.org.clone(),
            key_id: Some(key.file.key_id.clone()),
        })
        .expect("claim");
        drop(b);
        let clock = Clock::stepping("2024-03-01T09:00:00Z", 250).expect("clock");
        experts.push(Expert { key, copy, clock });
    }
    for (e, x) in experts.iter().enumerate() {
        let name = EXPERTS[e].0;
        if name == "E05" {
            // A partial file half-way, then the rest.
            x.append(changes(e, 0..N_APPS / 2));
            x.export(&s.path("E05-mid.json"), true);
            x.append(changes(e, N_APPS / 2..N_APPS));
            x.export(&s.path("E05.json"), false);
        } else {
            x.append(changes(e, 0..N_APPS));
            let out = match name {
                "E02" => "E02-a.json".to_string(),
                _ => format!("{name}.json"),
            };
            x.export(&s.path(&out), false);
        }
    }
    // E02 comes back and changes one score: the newer file extends the older.
    experts[1].append(vec![Change::Score {
        app: app_id(7),
        criterion: "innovation".into(),
        value: Some(21),
    }]);
    experts[1].export(&s.path("E02-b.json"), false);
    // E01 edits a comment after handing in: a valid file the merges never saw.
    experts[0].append(vec![Change::Comment {
        app: app_id(2),
        text: format!("{GOOD_COMMENT}（补充）"),
    }]);
    experts[0].export(&s.path("E01-late.json"), false);

    let fx = Fixture {
        s,
        pass,
        bundle,
        roster: PathBuf::new(),
        expert_key: experts.swap_remove(0).key.key,
    };
    // Two chairs through the command line, role "chair" in the roster.
    for (id, alg, name) in [("C01", "ed25519", "组长"), ("C02", "sm2", "副组长")] {
        let r = fx.run(&[
            "key",
            "new",
            "--id",
            id,
            "--name",
            name,
            "--org",
            "评审组",
            "--alg",
            alg,
        ]);
        assert_eq!(r.code, 0, "key new {id}: {}", r.stderr);
        let r = fx.run(&["key", "show", "--id", id, "--roster-entry"]);
        assert_eq!(r.code, 0, "key show {id}: {}", r.stderr);
        let mut chair: RosterEntry = serde_json::from_str(&r.stdout).expect("entry");
        chair.role = Some("chair".into());
        roster.push(chair);
    }
    let roster_path = fx.path("roster.json");
    std::fs::write(
        &roster_path,
        serde_json::to_string_pretty(&roster).expect("json"),
    )
    .expect("roster");
    let fx = Fixture {
        roster: roster_path,
        ..fx
    };
    fx.merge_into(
        &INPUTS_A,
        "merged-a.json",
        &["--key", "C01", "--z-min-scores", "9"],
    );
    fx.merge_into(
        &INPUTS_B,
        "merged-b.json",
        &[
            "--key",
            "C02",
            "--rule",
            "median",
            "--no-sme-tiebreak",
            "--allow-partial",
            "--trim-min-n",
            "3",
            "--quorum",
            "2",
            "--z-min-scores",
            "3",
        ],
    );
    fx.merge_into(&INPUTS_A, "draft.json", &[]);
    fx
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        python();
        build()
    })
}

/// The Python interpreter `python3` runs, once it is known to have the
/// verifier's packages (CI installs them). Called by its own path, so that
/// a version manager's `python3` wrapper runs once, not for every check.
fn python() -> &'static Path {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(python_ready)
}

fn python_ready() -> PathBuf {
    let probe = Command::new("python3")
        .args([
            "-c",
            "import rfc8785, cryptography, gmssl, jsonschema, sys; print(sys.executable)",
        ])
        .output();
    match probe {
        Ok(o) if o.status.success() => {
            let exe = String::from_utf8_lossy(&o.stdout).trim().to_string();
            if exe.is_empty() {
                PathBuf::from("python3")
            } else {
                PathBuf::from(exe)
            }
        }
        Ok(o) => panic!(
            "the Python packages of the independent verifier are missing: run pip install -r scripts/requirements-verify.txt ({})",
            String::from_utf8_lossy(&o.stderr).trim()
        ),
        Err(e) => panic!(
            "python3 is needed for the independent verifier ({e}); install it, then run pip install -r scripts/requirements-verify.txt"
        ),
    }
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/verify_merged.py")
}

/// `verify_merged.py MERGED --roster ROSTER FILES...`
fn py(merged: &Path, roster: &Path, files: &[&str]) -> Run {
    let fx = fixture();
    let out = Command::new(python())
        .arg(script())
        .arg(merged)
        .arg("--roster")
        .arg(roster)
        .args(files.iter().map(|f| fx.path(f)))
        .output()
        .expect("python3");
    Run::from(out)
}

fn ok(r: &Run, merged: &Path, summary: &str) {
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.stdout, format!("OK  {}  {summary}\n", merged.display()));
}

fn bad(r: &Run, merged: &Path, reason: &str) {
    assert_eq!(r.code, 1, "exit 1 expected: {}\n{}", r.stdout, r.stderr);
    let head = format!("BAD {}  ", merged.display());
    assert!(
        r.stdout.starts_with(&head) && r.stdout.contains(reason),
        "expected {head:?} with {reason:?}, got {:?} {:?}",
        r.stdout,
        r.stderr
    );
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
}

/// `jsonschema` on `file` against the merged schema: None when valid, else
/// the validator's message.
fn schema_error(file: &Path) -> Option<String> {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/schema/merged.schema.json");
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

/// Writes `env` with `edit` applied to the payload, signed again by `key`.
fn resigned(name: &str, env: &Envelope, key: &SecretKey, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let mut payload = env.payload_value().expect("payload");
    edit(&mut payload);
    let signed = Envelope::sign(MERGED_TYPE, payload, key).expect("sign");
    let path = fixture().path(name);
    std::fs::write(&path, signed.to_text()).expect("write");
    path
}

/// The input files of a merge that are merged (not left out).
fn merged_inputs(env: &Envelope) -> Vec<String> {
    env.payload_value().expect("payload")["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .map(|i| i["file"].as_str().expect("file").to_string())
        .collect()
}

/// The index of the first application whose field `k` is not null.
fn first_with(env: &Envelope, k: &str) -> usize {
    env.payload_value().expect("payload")["applications"]
        .as_array()
        .expect("applications")
        .iter()
        .position(|a| !a[k].is_null() && a[k] != json!({}))
        .expect("such an application")
}

#[test]
fn both_merges_pass_with_and_without_the_expert_files_and_fit_the_schema() {
    let fx = fixture();
    for (merged, inputs, chair, rule) in [
        ("merged-a.json", &INPUTS_A[..], "C01 (组长)", "trimmed"),
        ("merged-b.json", &INPUTS_B[..], "C02 (副组长)", "median"),
    ] {
        let m = fx.path(merged);
        let env = read_env(&m);
        let n = merged_inputs(&env).len();
        assert_eq!(n, 5, "{merged}");
        let head = format!("merged result by {chair}  5 experts, 12 applications, rule {rule}");
        ok(
            &py(&m, &fx.roster, &[]),
            &m,
            &format!(
                "{head}; figures recomputed from the file's own marks (no expert files given)"
            ),
        );
        ok(
            &py(&m, &fx.roster, inputs),
            &m,
            &format!("{head}; every figure recomputed from 5 expert files"),
        );
        assert_eq!(schema_error(&m), None, "{merged}");
    }
    // The planted cases are in the files, so the checks above covered them.
    let a = read_env(&fx.path("merged-a.json"))
        .payload_value()
        .expect("payload");
    let apps = a["applications"].as_array().expect("apps");
    assert_eq!(apps[0]["flags"]["all_recused"], json!(true));
    assert_eq!(apps[8]["flags"]["outliers"], json!(["E04"]));
    assert!(
        apps[2]["tie_break"]
            .as_str()
            .is_some_and(|t| t.contains("broken by the tie-break")),
        "{}",
        apps[2]["tie_break"]
    );
    assert!(
        apps[3]["tie_break"]
            .as_str()
            .is_some_and(|t| t.contains("rank shared")),
        "{}",
        apps[3]["tie_break"]
    );
    assert_eq!(apps[3]["rank"], apps[9]["rank"]);
    let with_z = apps.iter().filter(|a| a["ranks"].get("zscore").is_some());
    assert!(
        with_z.clone().count() > 0 && with_z.clone().all(|a| a["direction"] == json!(3)),
        "z-score ranks only in direction 3"
    );
    let left: Vec<&str> = a["left_out"]
        .as_array()
        .expect("left")
        .iter()
        .map(|l| l["reason"].as_str().expect("reason"))
        .collect();
    assert_eq!(left, ["superseded"]);
    let b = read_env(&fx.path("merged-b.json"))
        .payload_value()
        .expect("payload");
    assert_eq!(b["inputs"][4]["partial"], json!(true));
    assert_eq!(b["method"]["sme_tiebreak"], json!(false));
}

#[test]
fn the_schema_is_closed_and_wants_the_chairs_signature() {
    let fx = fixture();
    let env = read_env(&fx.path("merged-a.json"));
    let t = fx.path("schema-extra.json");
    let mut v = env.clone();
    let mut pv = env.payload_value().expect("payload");
    pv["applications"][1]["flags"]["note"] = json!("x");
    v.payload = serde_json::to_vec(&pv).expect("json");
    std::fs::write(&t, v.to_text()).expect("w");
    let e = schema_error(&t).expect("an unknown field is refused");
    assert!(e.contains("note"), "{e}");
    let mut v = env.clone();
    let mut pv = env.payload_value().expect("payload");
    pv["experts"][0]["leniency"] = json!(1.5);
    v.payload = serde_json::to_vec(&pv).expect("json");
    std::fs::write(&t, v.to_text()).expect("w");
    assert!(
        schema_error(&t).is_some(),
        "a statistic is a decimal string"
    );
    let draft = fx.path("draft.json");
    assert!(
        schema_error(&draft).is_some(),
        "an unsigned draft is not the chair's result"
    );
}

#[test]
fn a_changed_figure_fails_unless_recomputation_agrees() {
    let fx = fixture();
    for (merged, inputs, chair) in [
        ("merged-a.json", &INPUTS_A[..], "C01"),
        ("merged-b.json", &INPUTS_B[..], "C02"),
    ] {
        let m = fx.path(merged);
        let env = read_env(&m);
        let key = fx.chair_key(chair);
        let i = first_with(&env, "total");
        let id = app_id(i);
        let was = env.payload_value().expect("payload")["applications"][i]["total"]["mean"]
            .as_str()
            .expect("mean")
            .to_string();
        assert_ne!(was, "99.0000");
        // Not signed again: the signature fails.
        let mut changed = env.clone();
        let mut pv = env.payload_value().expect("payload");
        pv["applications"][i]["total"]["mean"] = json!("99.0000");
        changed.set_payload_value(&pv).expect("jcs");
        let t = fx.path("changed.json");
        std::fs::write(&t, changed.to_text()).expect("w");
        bad(&py(&t, &fx.roster, &[]), &t, "signature does not verify");
        // Signed again by the chair: the recomputation names the figure.
        let t = resigned("resigned.json", &env, &key, |p| {
            p["applications"][i]["total"]["mean"] = json!("99.0000");
        });
        let want = format!("applications[{id}].total.mean: file 99.0000, recomputed {was}");
        bad(&py(&t, &fx.roster, &[]), &t, &want);
        bad(&py(&t, &fx.roster, inputs), &t, &want);
    }
    // Every kind of figure, in the Ed25519 chair's file (recomputed from
    // the file's own marks; with the files it is the same computation).
    let m = fx.path("merged-a.json");
    let env = read_env(&m);
    let key = fx.chair_key("C01");
    let p = &env.payload_value().expect("payload");
    let z = p["applications"]
        .as_array()
        .expect("apps")
        .iter()
        .position(|a| a["ranks"].get("zscore").is_some())
        .expect("a z-score rank");
    let alpha = p["agreement"]
        .as_array()
        .expect("agreement")
        .iter()
        .position(|g| !g["alpha"].is_null())
        .expect("an alpha");
    let g = &p["agreement"][alpha];
    let cases: Vec<(String, Value, String)> =
        vec![
        (
            format!("/applications/{z}/ranks/zscore"),
            json!(99),
            format!("applications[{}].ranks.zscore: file 99, recomputed ", app_id(z)),
        ),
        (
            "/applications/4/rank".into(),
            json!(7),
            "applications[T-00005].rank: file 7, recomputed ".into(),
        ),
        (
            "/applications/4/criteria/practicality/std".into(),
            json!("0.0001"),
            "applications[T-00005].criteria.practicality.std: file 0.0001, recomputed ".into(),
        ),
        (
            "/applications/8/flags/outliers".into(),
            json!([]),
            "applications[T-00009].flags.outliers: file [], recomputed [\"E04\"]".into(),
        ),
        (
            "/applications/5/tie_break".into(),
            Value::Null,
            "applications[T-00006].tie_break: file null, recomputed tied on trimmed with T-00003"
                .into(),
        ),
        (
            "/experts/2/leniency".into(),
            json!("9.9999"),
            "experts[E03].leniency: file 9.9999, recomputed ".into(),
        ),
        (
            format!("/agreement/{alpha}/alpha"),
            json!("0.1234"),
            format!(
                "agreement[{}/{}].alpha: file 0.1234, recomputed ",
                g["direction"],
                g["criterion"].as_str().expect("criterion")
            ),
        ),
    ];
    for (pointer, value, want) in cases {
        assert_ne!(p.pointer(&pointer), Some(&value), "{pointer}");
        let t = resigned("case.json", &env, &key, |q| {
            *q.pointer_mut(&pointer).expect("pointer") = value;
        });
        bad(&py(&t, &fx.roster, &[]), &t, &want);
    }
}

#[test]
fn expert_marks_are_checked_against_the_expert_files() {
    let fx = fixture();
    let m = fx.path("merged-a.json");
    let env = read_env(&m);
    let key = fx.chair_key("C01");
    // T-00005's scorers are E01, E02 and E04; E01's innovation is raised
    // together with its total, so the by_expert row is self-consistent.
    let row = &env.payload_value().expect("payload")["applications"][4]["by_expert"][0];
    assert_eq!(row["expert"], json!("E01"));
    let v = row["scores"]["innovation"].as_i64().expect("score");
    let t = resigned("marks.json", &env, &key, |p| {
        let r = &mut p["applications"][4]["by_expert"][0];
        r["scores"]["innovation"] = json!(v + 1);
        r["total"] = json!(r["total"].as_i64().expect("total") + 1);
    });
    // Without the files the figures no longer follow from the marks...
    bad(
        &py(&t, &fx.roster, &[]),
        &t,
        "applications[T-00005].criteria.innovation.",
    );
    // ...and with them the mark itself is named.
    bad(
        &py(&t, &fx.roster, &INPUTS_A),
        &t,
        &format!(
            "applications[T-00005].by_expert[E01].scores.innovation: file {}, recomputed {v}",
            v + 1
        ),
    );
}

#[test]
fn expert_files_must_be_the_merged_ones() {
    let fx = fixture();
    let m = fx.path("merged-a.json");
    let env = read_env(&m);
    let sha = env.payload_value().expect("payload")["inputs"][0]["sha256"]
        .as_str()
        .expect("sha")
        .to_string();
    // E01's later file, validly signed, in place of the one merged.
    let mut files = INPUTS_A.to_vec();
    files[0] = "E01-late.json";
    bad(
        &py(&m, &fx.roster, &files),
        &m,
        &format!("inputs[E01].sha256: file {sha}, given E01-late.json has "),
    );
    // One expert's file missing.
    bad(
        &py(&m, &fx.roster, &INPUTS_A[..5]),
        &m,
        "inputs[E05]: no expert file given for E05 (E05.json, sha256 ",
    );
    // A file of the merge edited afterwards: it no longer verifies.
    let edited = fx.path("E04-edited.json");
    let text = std::fs::read_to_string(fx.path("E04.json")).expect("E04");
    let changed = common::panel::tamper_raw(&text, "\"comment\":\"平台", "\"comment\":\"平囗");
    assert_ne!(changed, text);
    std::fs::write(&edited, changed).expect("w");
    let mut files = INPUTS_A.to_vec();
    files[4] = "E04-edited.json";
    bad(
        &py(&m, &fx.roster, &files),
        &m,
        "expert file E04-edited.json does not verify: signature does not verify",
    );
    // A file the merge never saw, of an expert who is an input.
    let r = py(&fx.path("merged-b.json"), &fx.roster, &{
        let mut f = INPUTS_B.to_vec();
        f.push("E02-a.json");
        f
    });
    bad(
        &r,
        &fx.path("merged-b.json"),
        "expert file E02-a.json (expert E02) is neither an input nor left out of this merge",
    );
}

#[test]
fn only_a_chair_of_the_roster_signs_a_merged_result() {
    let fx = fixture();
    let m = fx.path("merged-a.json");
    let env = read_env(&m);
    // Signed by an expert of the roster.
    let t = resigned("by-expert.json", &env, &fx.expert_key, |_| {});
    bad(
        &py(&t, &fx.roster, &[]),
        &t,
        "signed by E01, whose roster entry does not have \"role\": \"chair\"",
    );
    // The chair's own entry without the role.
    let mut roster: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&fx.roster).expect("roster")).expect("json");
    for e in &mut roster {
        if e["id"] == json!("C01") {
            e.as_object_mut().expect("entry").remove("role");
        }
    }
    let plain = fx.path("roster-no-role.json");
    std::fs::write(&plain, serde_json::to_string(&roster).expect("json")).expect("w");
    bad(
        &py(&m, &plain, &[]),
        &m,
        "signed by C01, whose roster entry does not have \"role\": \"chair\"",
    );
    // Another chair signs a payload that names C01.
    let t = resigned("other-chair.json", &env, &fx.chair_key("C02"), |_| {});
    bad(&py(&t, &fx.roster, &[]), &t, "chair names C01 (key ");
    // A key outside the roster.
    let stranger = SecretKey::generate(Alg::Sm2, None).expect("key");
    let t = resigned("stranger.json", &env, &stranger, |_| {});
    bad(&py(&t, &fx.roster, &[]), &t, "which is not in the roster");
    // The unsigned draft.
    let d = fx.path("draft.json");
    bad(&py(&d, &fx.roster, &[]), &d, "unsigned merged result");
}

#[test]
fn usage_and_unreadable_input_exit_two() {
    let fx = fixture();
    let m = fx.path("merged-a.json");
    let r = py(&m, &fx.path("no-such-roster.json"), &[]);
    assert_eq!(r.code, 2, "{} {}", r.stdout, r.stderr);
    assert!(r.stdout.is_empty() && r.stderr.contains("no-such-roster.json"));
    let r = py(&m, &fx.roster, &["no-such-file.json"]);
    assert_eq!(r.code, 2, "{} {}", r.stdout, r.stderr);
    assert!(r.stderr.contains("no-such-file.json"), "{}", r.stderr);
    let r = Run::from(
        Command::new(python())
            .arg(script())
            .arg(&m)
            .output()
            .expect("python3"),
    );
    assert_eq!(r.code, 2, "--roster is required: {}", r.stderr);
}

/// Both verifiers read the merged payload closed: `method` written as an
/// array of its values, a method without `tie_break`, an unknown field, a
/// time of another form are refused by `panelist verify` and by the Python
/// verifier alike (panelist once read this payload with plain serde).
#[test]
fn both_verifiers_read_the_merged_payload_closed() {
    let fx = fixture();
    let env = read_env(&fx.path("merged-a.json"));
    let key = fx.chair_key("C01");
    type Edit = fn(&mut Value);
    let cases: [(&str, Edit, &str); 5] = [
        (
            "method-array",
            |p| {
                let m: Vec<Value> = p["method"]
                    .as_object()
                    .expect("method")
                    .values()
                    .cloned()
                    .collect();
                p["method"] = Value::Array(m);
            },
            "method",
        ),
        (
            "method-no-tie-break",
            |p| {
                p["method"]
                    .as_object_mut()
                    .expect("method")
                    .remove("tie_break");
            },
            "tie_break",
        ),
        ("unknown-field", |p| p["note"] = json!("x"), "note"),
        (
            "created-offset",
            |p| p["created"] = json!("2024-03-01T17:00:00.000+08:00"),
            "created",
        ),
        (
            "input-created-zero",
            |p| p["inputs"][0]["created"] = json!("0"),
            "created",
        ),
    ];
    for (name, edit, word) in cases {
        let t = resigned(&format!("closed-{name}.json"), &env, &key, edit);
        let r = fx.s.run(&[
            "verify",
            &t.display().to_string(),
            "--roster",
            &fx.roster.display().to_string(),
        ]);
        assert_eq!(r.code, 1, "{name}: panelist {}{}", r.stdout, r.stderr);
        assert!(
            r.stdout.starts_with("BAD ") && r.stdout.contains(word),
            "{name}: {}",
            r.stdout
        );
        let p = py(&t, &fx.roster, &[]);
        bad(&p, &t, "");
        assert!(p.stdout.contains(word), "{name}: python {}", p.stdout);
    }
}
