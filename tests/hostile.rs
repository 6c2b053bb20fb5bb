//! Hostile and malformed inputs: every file of the corpus in tests/hostile
//! gets its specific one-line message, exit 2, no panic, no output file —
//! or, for signed files given to `panelist verify`, its one `BAD` line and
//! exit 1. Nothing any of them prints carries a terminal control
//! character. The corpus and its expectations are listed in
//! tests/hostile/cases.tsv (regenerate with tests/hostile/make_corpus.py).

mod common;

use common::cli::{Run, Scratch, first_dangerous};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/hostile");
const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/sample/applications.json"
);

/// Where the commands under test write: the one-line error contract
/// (exit 2, one line on stderr naming the file), or `verify`'s verdict
/// contract (exit 1, one `BAD FILE  reason` line on stdout, nothing on
/// stderr).
enum Contract {
    Error { names: String },
    Bad { file: String },
}

/// Runs one corpus case; `Err` says how it broke its contract.
fn run_case(s: &Scratch, file: &str, cmd: &str, expect: &str) -> Result<(), String> {
    // Work on a copy: opening a bundle may leave -wal/-shm files beside it,
    // and the corpus in the source tree must stay as generated.
    let src = format!("{DIR}/{file}");
    if !std::path::Path::new(&src).exists() {
        return Err("missing from the corpus".into());
    }
    let path = s.path(file);
    std::fs::copy(&src, &path).map_err(|e| format!("copy: {e}"))?;
    let path = path.display().to_string();
    let out = s.path(&format!("{file}.out"));
    let o = out.display().to_string();
    let roster = format!("{DIR}/export-roster.json");
    let good = s.path("export-good.json");
    std::fs::copy(format!("{DIR}/export-good.json"), &good).map_err(|e| format!("{e}"))?;
    let good = good.display().to_string();
    let wc = s.path("wc.bundle").display().to_string();
    let mut c = s.cmd();
    let contract = match cmd {
        "info" => {
            c.args(["bundle", "info", &path]);
            Contract::Error { names: file.into() }
        }
        "new" | "new-2023" => {
            c.args(["bundle", "new", &path, "-o", &o]);
            if cmd == "new-2023" {
                c.args(["--call", "2023"]);
            }
            Contract::Error { names: file.into() }
        }
        "roster" | "catalog" | "rubric" => {
            c.args([
                "bundle",
                "new",
                SAMPLE,
                "-o",
                &o,
                &format!("--{cmd}"),
                &path,
            ]);
            Contract::Error { names: file.into() }
        }
        "verify" => {
            c.args(["verify", &path, "--roster", &roster]);
            Contract::Bad { file: path.clone() }
        }
        "verify-error" => {
            c.args(["verify", &path, "--roster", &roster]);
            Contract::Error { names: file.into() }
        }
        "verify-roster" => {
            c.args(["verify", &good, "--roster", &path]);
            Contract::Error { names: file.into() }
        }
        "key" | "key-0640" | "key-0604" => {
            // The corpus file becomes expert E01's key; `export` must
            // refuse it before it touches the working copy.
            let keys = s.path("home/data/keys");
            std::fs::create_dir_all(&keys).map_err(|e| format!("{e}"))?;
            let key = keys.join("E01.key");
            std::fs::copy(&src, &key).map_err(|e| format!("{e}"))?;
            let mode = match cmd {
                "key-0640" => 0o640,
                "key-0604" => 0o604,
                _ => 0o600,
            };
            set_mode(&key, mode);
            c.env(
                "PANELIST_PASSPHRASE_FILE",
                format!("{DIR}/key-passphrase.txt"),
            )
            .args(["export", &wc, "-o", &o]);
            Contract::Error {
                names: "E01.key".into(),
            }
        }
        other => return Err(format!("unknown command {other}")),
    };
    let r = Run::from(c.output().map_err(|e| format!("run: {e}"))?);
    let shown = format!(
        "exit {} stdout {:?} stderr {:?}",
        r.code, r.stdout, r.stderr
    );
    if r.stderr.contains("panicked") || r.stdout.contains("panicked") {
        return Err(format!("panic: {shown}"));
    }
    if let Some(bad) = first_dangerous(&r.stdout).or_else(|| first_dangerous(&r.stderr)) {
        return Err(format!("U+{bad:04X} reaches the terminal: {shown}"));
    }
    if out.exists() {
        return Err(format!("an output file was left behind: {shown}"));
    }
    let ok = match &contract {
        Contract::Error { names } => {
            r.code == 2
                && r.stderr.lines().count() == 1
                && r.stderr.contains(expect)
                && r.stderr.contains(names.as_str())
                && r.stdout.is_empty()
        }
        Contract::Bad { file } => {
            r.code == 1
                && r.stderr.is_empty()
                && r.stdout.lines().count() == 1
                && r.stdout.starts_with(&format!("BAD {file}  "))
                && r.stdout.contains(expect)
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{shown} (want {expect:?})"))
    }
}

#[cfg(unix)]
fn set_mode(p: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[cfg(not(unix))]
fn set_mode(_: &std::path::Path, _: u32) {}

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
        if cfg!(not(unix)) && cmd.starts_with("key-0") {
            continue;
        }
        if let Err(why) = run_case(&s, file, cmd, expect) {
            failures.push(format!("{file} ({cmd}): {why}"));
        }
        n += 1;
    }
    assert!(n >= 120, "the corpus has at least 120 files, has {n}");
    assert!(
        failures.is_empty(),
        "{} of {n} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The spoiled exports are all made from this one, which verifies.
#[test]
fn the_corpus_export_verifies_against_the_corpus_roster() {
    let s = Scratch::new();
    let r = s.run(&[
        "verify",
        &format!("{DIR}/export-good.json"),
        "--roster",
        &format!("{DIR}/export-roster.json"),
    ]);
    assert_eq!(r.code, 0, "{} {}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("OK  "), "{}", r.stdout);
    assert!(
        r.stdout.contains("4 scored, 1 recused, 0 to do"),
        "{}",
        r.stdout
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

/// The independent Python verifier (scripts/verify_export.py) reaches the
/// same verdict on every spoiled export: BAD, never OK, never a crash.
#[test]
fn the_python_verifier_rejects_every_spoiled_export_too() {
    let probe = std::process::Command::new("python3")
        .args(["-c", "import rfc8785, cryptography, gmssl"])
        .output();
    if !probe.as_ref().is_ok_and(|o| o.status.success()) {
        panic!(
            "python3 and the verifier's packages are needed: pip install -r scripts/requirements-verify.txt"
        );
    }
    let cases = std::fs::read_to_string(format!("{DIR}/cases.tsv")).expect("cases.tsv");
    let files: Vec<String> = cases
        .lines()
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols.get(1) == Some(&"verify")).then(|| format!("{DIR}/{}", cols[0]))
        })
        .collect();
    assert!(files.len() >= 30, "{}", files.len());
    let out = std::process::Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scripts/verify_export.py"
        ))
        .args(&files)
        .arg("--roster")
        .arg(format!("{DIR}/export-roster.json"))
        .output()
        .expect("python3");
    let r = Run::from(out);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), files.len(), "{}", r.stdout);
    for (line, f) in lines.iter().zip(&files) {
        assert!(line.starts_with(&format!("BAD {f}  ")), "{line}");
    }
}
