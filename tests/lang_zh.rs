//! `--lang zh` all the way: every command a chair (and an expert) runs, its
//! success lines, summaries, prompts' errors, error lines and `--help`,
//! with no English word left. Allowed: ids, paths and file names, options,
//! key and format names, hex, numbers (see [`ALLOWED`]).

mod common;

use common::cli::Run;
use common::panel::Panel;

/// Words that may stay as they are in a Chinese message: names of formats,
/// algorithms, tools and status tags, and the keys a user types.
const ALLOWED: &[&str] = &[
    "panelist",
    "OK",
    "BAD",
    "MISS",
    "SKIP",
    "PART",
    "OLD",
    "DUP",
    "CSV",
    "XLSX",
    "JSON",
    "UTF",
    "BOM",
    "GB18030",
    "GBK",
    "SHA",
    "KDF",
    "KiB",
    "ed25519",
    "sm2",
    "SM2",
    "SM3",
    "argon2id",
    "xchacha20poly1305",
    "TOML",
    "Markdown",
    "bash",
    "zsh",
    "fish",
    "elvish",
    "powershell",
    "Excel",
    "WPS",
    "auto",
    "shell",
    "SQLite",
    "trimmed",
    "mean",
    "median",
    "yes",
    "KEY",
    "ROSTER",
    "ENTRY",
    "OPTIONS",
    "INPUT",
    "OUTPUT",
    "BUNDLE",
    "CALL",
    "CATALOG",
    "RUBRIC",
    "PANEL",
    "ENCODING",
    "LANG",
    "FILE",
    "ID",
    "APP",
    "REASON",
    "EXPORT",
    "FILES",
    "SHELL",
    "RULE",
    "CSV",
    "XLSX",
    "NAME",
    "ORG",
    "ALG",
    "SET",
    "COMMENT",
    "RECOMMEND",
    "innovation",
    "advancement",
    "practicality",
    "replicability",
    "tmp",
    "roster",
    "entry",
    "bundle",
    "key",
    "show",
    "paper",
    "PDF",
    "pdf",
    "sheet",
    "summary",
    "add",
    "init",
    "chair",
    "new",
    "check",
    "info",
    "list",
    "merge",
    "verify",
    "export",
    "score",
    "recuse",
    "audit",
    "board",
    "replay",
    "demo",
    "open",
    "completions",
    "history",
    "adopt",
    "help",
    "version",
    "zh",
    "en",
    "sha256",
    "xlsx",
    "csv",
    "json",
    "chmod",
    // The ministry's combine: tags, placeholders, value names.
    "FIND",
    "TIE",
    "MERGED",
    "COMBINED",
    "YEAR",
    "VALUE",
    "combine",
    "raw",
    "zscore",
    "percentile",
    "ministry",
    // What the test types wrong on purpose.
    "bundel",
];

/// The first English word of `text` that is not allowed, with its line.
fn english(text: &str, scratch: &str) -> Option<(String, String)> {
    for line in text.lines() {
        // JSON printed for machines (a roster entry): keys are names.
        let t = line.trim();
        if t.starts_with('"') || matches!(t, "{" | "}" | "[" | "]" | "}," | "],") {
            continue;
        }
        let l = line.replace(scratch, "");
        for tok in l.split(|c: char| {
            !(c.is_ascii_alphanumeric()
                || matches!(c, '-' | '_' | '.' | '/' | '=' | '<' | '>' | '*'))
        }) {
            // Paths, file names, options, ids, hex, numbers, placeholders.
            if tok.len() < 3
                || tok.contains(['.', '/', '=', '_', '<', '>', '*'])
                || tok.starts_with('-')
                || tok.chars().any(|c| c.is_ascii_digit())
            {
                continue;
            }
            let word = tok.trim_matches('-');
            if word.len() < 3 || ALLOWED.contains(&word) {
                continue;
            }
            if word.chars().all(|c| c.is_ascii_alphabetic()) {
                return Some((word.to_string(), line.to_string()));
            }
        }
    }
    None
}

struct Zh {
    p: Panel,
    scratch: String,
    checked: std::cell::Cell<usize>,
}

impl Zh {
    fn run(&self, args: &[&str]) -> Run {
        let mut a = vec!["--lang", "zh"];
        a.extend(args);
        let r = self.p.run(&a);
        for (what, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
            if let Some((w, line)) = english(text, &self.scratch) {
                panic!(
                    "panelist {}: English word {w:?} in {what}: {line}",
                    args.join(" ")
                );
            }
        }
        self.checked.set(self.checked.get() + 1);
        r
    }
    fn ok(&self, args: &[&str]) -> Run {
        let r = self.run(args);
        assert!(r.code == 0 || r.code == 1, "{args:?}: {}", r.stderr);
        r
    }
    fn fails(&self, args: &[&str]) -> Run {
        let r = self.run(args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.starts_with("panelist：错误："), "{}", r.stderr);
        r
    }
    fn path(&self, name: &str) -> String {
        self.p.s.path(name).display().to_string()
    }
}

#[test]
fn every_chair_command_speaks_chinese() {
    let p = Panel::new("ed25519", 3);
    let scratch = p.s.dir.path().display().to_string();
    let z = Zh {
        p,
        scratch,
        checked: Default::default(),
    };
    let b = z.p.bundle_str().to_string();

    // The chair's inputs.
    let csv = z.path("apps.csv");
    std::fs::write(
        &csv,
        "序号,项目编号,项目名称,申报方向,牵头单位,统一社会信用代码,推荐单位,推荐顺序,省份\n1,A-1,某平台,物联网,甲公司,91110108MA01XK3D7T,北京市通信管理局,1,北京\n",
    )
    .unwrap();
    z.ok(&["bundle", "new", &csv, "-o", &z.path("panel.bundle")]);
    z.ok(&["bundle", "check", &csv]);
    z.ok(&["bundle", "info", &z.path("panel.bundle")]);
    z.ok(&["bundle", "history", &b]);
    std::fs::write(
        z.path("bad.csv"),
        "项目编号,项目名称,申报方向,牵头单位,统一社会信用代码,备注，说明,joint_3_name\nA-1,某平台,区块链,甲公司,9111,x,y\nA-1,,联网,,9111,x,y\n",
    )
    .unwrap();
    let r = z.fails(&[
        "bundle",
        "new",
        &z.path("bad.csv"),
        "-o",
        &z.path("x.bundle"),
    ]);
    assert!(r.stderr.lines().count() >= 5, "{}", r.stderr);
    z.fails(&["bundle", "info", &z.path("nothing.bundle")]);

    // Keys: the expert's and the chair's.
    z.ok(&["key", "show"]);
    z.fails(&["score", &b, "x", "--innovation", "1"]);
    z.ok(&[
        "key",
        "new",
        "--id",
        "C01",
        "--name",
        "张组长",
        "--org",
        "某院",
        "--chair",
    ]);
    z.ok(&["key", "show", "--id", "C01", "--chair"]);
    z.fails(&["key", "show", "--id", "E09"]);
    z.fails(&[
        "key",
        "new",
        "--id",
        "C01",
        "--name",
        "张组长",
        "--org",
        "某院",
    ]);

    // Scoring from the command line.
    for (i, app) in z.p.apps.clone().iter().enumerate() {
        if i + 1 == z.p.apps.len() {
            z.ok(&[
                "recuse",
                &b,
                app,
                "--reason",
                "本人曾为该申报单位提供咨询服务",
                "--key",
                "E01",
            ]);
        } else {
            z.ok(&[
                "score",
                &b,
                app,
                "--innovation",
                "20",
                "--advancement",
                "21",
                "--practicality",
                "22",
                "--replicability",
                "19",
                "--comment",
                common::panel::GOOD_COMMENT,
                "--recommend",
                "yes",
                "--key",
                "E01",
            ]);
        }
    }
    z.fails(&["score", &b, "x", "--key", "E01"]);
    z.fails(&["recuse", &b, "x", "--key", "E01"]);
    z.ok(&["export", &b, "-o", &z.path("E01.json"), "--key", "E01"]);

    // The roster.
    let roster = z.path("roster.json");
    z.ok(&["roster", "init", "--bundle", &b, "-o", &roster]);
    for (id, chair) in [("E01", false), ("C01", true)] {
        let mut args = vec!["key", "show", "--id", id, "--roster-entry"];
        if chair {
            args.push("--chair");
        }
        let r = z.p.run(&args);
        let entry = z.path(&format!("{id}.roster-entry.json"));
        std::fs::write(&entry, r.stdout).unwrap();
        z.ok(&["roster", "add", &roster, &entry]);
    }
    z.ok(&["roster", "chair", &roster, "C01"]);
    z.ok(&["roster", "list", &roster]);
    z.ok(&["roster", "check", &roster]);
    z.fails(&["roster", "chair", &roster, "X9"]);
    std::fs::write(
        z.path("bad-entry.json"),
        r#"{"id":"E 1","name":"某人","org":"某单位"}"#,
    )
    .unwrap();
    z.fails(&["roster", "add", &roster, &z.path("bad-entry.json")]);
    std::fs::write(
        z.path("keyless.json"),
        r#"{"id":"E05","name":"某人","org":"某单位"}"#,
    )
    .unwrap();
    z.fails(&["roster", "add", &roster, &z.path("keyless.json")]);
    z.fails(&["roster", "init", "--bundle", &b, "-o", &roster]);

    // Verify, merge, audit.
    z.ok(&["verify", &z.path("E01.json"), "--roster", &roster]);
    let merged = z.path("merged.json");
    let r = z.ok(&[
        "merge",
        &z.path("E01.json"),
        "--bundle",
        &b,
        "--roster",
        &roster,
        "-o",
        &merged,
        "--csv",
        &z.path("merged.csv"),
        "--xlsx",
        &z.path("merged.xlsx"),
        "--key",
        "C01",
    ]);
    assert!(r.stdout.contains("组长 C01 签署"), "{}", r.stdout);
    z.ok(&["verify", &merged, "--roster", &roster]);
    z.ok(&["audit", &b, &z.path("E01.json"), "--roster", &roster]);
    z.fails(&["board", &merged]);
    z.fails(&["replay", &b]);
    z.fails(&["merge", "--bundle", &b]);
    z.fails(&["bundel"]);

    // The ministry's combine of a generated call.
    let call = z.path("call");
    z.ok(&[
        "dev",
        "call",
        "--panels",
        "3",
        "--experts",
        "3",
        "--apps",
        "8",
        "-o",
        &call,
    ]);
    let c = |n: &str| format!("{call}/{n}");
    let r = z.ok(&[
        "combine",
        &c("merged"),
        "--roster",
        &c("roster.json"),
        "-o",
        &z.path("combined.json"),
        "--key",
        &c("ministry.key"),
        "--passphrase-file",
        &c("ministry.pass"),
        "--quota",
        &c("quota.toml"),
        "--csv",
        &z.path("national.csv"),
        "--notice-csv",
        &z.path("notice.csv"),
        "--xlsx",
        &z.path("national.xlsx"),
    ]);
    assert!(r.stdout.contains("M01 签署"), "{}", r.stdout);
    assert!(r.stdout.contains("TIE "), "{}", r.stdout);
    z.ok(&[
        "verify",
        &z.path("combined.json"),
        "--roster",
        &c("roster.json"),
    ]);
    for bad in ["p01-draft.json", "p01-stranger.json", "p01-changed.json"] {
        z.fails(&[
            "combine",
            &c("merged/p02.json"),
            &c(&format!("forged/{bad}")),
            "--roster",
            &c("roster.json"),
            "-o",
            &z.path("refused.json"),
        ]);
    }
    z.fails(&[
        "combine",
        &c("merged"),
        &c("forged/p01-v2.json"),
        "--roster",
        &c("roster.json"),
        "-o",
        &z.path("refused.json"),
    ]);
    z.fails(&[
        "combine",
        &c("merged"),
        "--roster",
        &c("roster.json"),
        "-o",
        &z.path("refused.json"),
        "--threshold",
        "x",
    ]);

    // --help of every command.
    let top = z.ok(&["--help"]);
    assert!(top.stdout.contains("用法："), "{}", top.stdout);
    for c in [
        vec!["bundle", "new"],
        vec!["bundle", "check"],
        vec!["bundle", "info"],
        vec!["key", "new"],
        vec!["key", "show"],
        vec!["roster", "add"],
        vec!["roster", "check"],
        vec!["merge"],
        vec!["combine"],
        vec!["verify"],
        vec!["export"],
        vec!["audit"],
        vec!["score"],
    ] {
        let mut a = c.clone();
        a.push("--help");
        let r = z.ok(&a);
        assert!(r.stdout.contains("用法："), "{c:?}: {}", r.stdout);
    }
    assert!(z.checked.get() > 40);
}

#[test]
fn the_detector_finds_english_and_lets_names_through() {
    assert_eq!(
        english("/tmp/x/a.csv: 3 applications, call 2023", "/tmp/x").map(|(w, _)| w),
        Some("applications".to_string())
    );
    assert_eq!(
        english(
            "OK  E01.json  专家 E01（李）  已评 2，回避 1，待评 0 --skip-invalid ed25519 c54a117a4365e97e",
            "/tmp/x"
        ),
        None
    );
}
