//! `panelist roster`: the chair's roster started from a bundle, each
//! person's key added from the entry file they hand over, the chair
//! marked, listed and checked — and never a half-written or hand-edited
//! file.

mod common;

use common::cli::{Run, Scratch};
use common::panel::{PASS, run_keyed};
use panelist::domain::RosterEntry;

const SAMPLE_JSON: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/sample/applications.json"
);

struct Chair {
    s: Scratch,
    pass: std::path::PathBuf,
}

impl Chair {
    fn new() -> Chair {
        let s = Scratch::new();
        let pass = s.path("pass.txt");
        std::fs::write(&pass, PASS).unwrap();
        let r0 = s.path("r0.json");
        std::fs::write(
            &r0,
            r#"[{"id":"E01","name":"李专家","org":"某大学"},{"id":"E02","name":"王专家","org":"某所"},{"id":"C01","name":"张组长","org":"某院"}]"#,
        )
        .unwrap();
        let c = Chair { s, pass };
        let r = c.run(&[
            "bundle",
            "new",
            SAMPLE_JSON,
            "-o",
            "panel.bundle",
            "--roster",
            "r0.json",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        c
    }
    fn run(&self, args: &[&str]) -> Run {
        let args: Vec<String> = args
            .iter()
            .map(|a| {
                if a.ends_with(".json") || a.ends_with(".bundle") {
                    self.s.path(a).display().to_string()
                } else {
                    a.to_string()
                }
            })
            .collect();
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        run_keyed(&self.s, &self.pass, &refs)
    }
    /// Makes `id`'s key and writes its entry file as the expert hands it over.
    fn key(&self, id: &str, chair: bool) -> std::path::PathBuf {
        let mut args = vec![
            "key",
            "new",
            "--id",
            id,
            "--name",
            "某人",
            "--org",
            "某单位",
        ];
        if chair {
            args.push("--chair");
        }
        let r = self.run(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        self.entry(id, chair)
    }
    fn entry(&self, id: &str, chair: bool) -> std::path::PathBuf {
        let mut args = vec!["key", "show", "--id", id, "--roster-entry"];
        if chair {
            args.push("--chair");
        }
        let r = self.run(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let p = self.s.path(&format!("{id}.roster-entry.json"));
        std::fs::write(&p, r.stdout).unwrap();
        p
    }
    fn roster(&self) -> Vec<RosterEntry> {
        serde_json::from_slice(&std::fs::read(self.s.path("roster.json")).unwrap()).unwrap()
    }
}

#[test]
fn a_roster_from_a_bundle_gets_every_key_and_one_chair() {
    let c = Chair::new();
    let r = c.run(&[
        "roster",
        "init",
        "--bundle",
        "panel.bundle",
        "-o",
        "roster.json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("3 roster entries (0 with a key)"),
        "{}",
        r.stdout
    );
    // Not ready: no chair, no keys.
    let r = c.run(&["roster", "check", "roster.json"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("no chair"), "{}", r.stdout);
    assert_eq!(
        r.stdout.matches("has no key yet").count(),
        3,
        "{}",
        r.stdout
    );
    // init does not write over an existing roster.
    c.run(&[
        "roster",
        "init",
        "--bundle",
        "panel.bundle",
        "-o",
        "roster.json",
    ])
    .assert_error(&["roster.json", "--force"]);

    for id in ["E01", "E02"] {
        c.key(id, false);
        let r = c.run(&[
            "roster",
            "add",
            "roster.json",
            &format!("{id}.roster-entry.json"),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.contains(&format!("expert {id} (")), "{}", r.stdout);
    }
    c.key("C01", true);
    let r = c.run(&["roster", "add", "roster.json", "C01.roster-entry.json"]);
    assert!(r.stdout.contains("chair C01"), "{}", r.stdout);
    let roster = c.roster();
    assert_eq!(roster.len(), 3);
    assert!(roster.iter().all(|e| e.key_id.is_some()));
    assert_eq!(
        roster
            .iter()
            .filter(|e| e.role.as_deref() == Some("chair"))
            .map(|e| e.id.as_str())
            .collect::<Vec<_>>(),
        vec!["C01"]
    );
    // The names the bundle's roster gave are replaced by the key's own.
    let r = c.run(&["roster", "check", "roster.json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("ready to merge: 3 entries"),
        "{}",
        r.stderr
    );
    let r = c.run(&["roster", "list", "roster.json"]);
    assert_eq!(r.code, 0);
    let c01 = r.stdout.lines().find(|l| l.starts_with("C01")).unwrap();
    assert!(c01.contains("chair"), "{c01}");
    assert!(!r.stdout.contains("(no key)"), "{}", r.stdout);
    // The key's own message calls the chair a chair.
    let show = c.run(&[
        "key", "new", "--id", "C02", "--name", "x", "--org", "y", "--chair",
    ]);
    assert!(show.stdout.contains("key of chair C02"), "{}", show.stdout);
    assert!(!show.stdout.contains("expert"), "{}", show.stdout);
}

#[test]
fn marking_the_chair_moves_the_role_and_an_unknown_id_is_refused() {
    let c = Chair::new();
    c.run(&[
        "roster",
        "init",
        "--bundle",
        "panel.bundle",
        "-o",
        "roster.json",
    ]);
    let r = c.run(&["roster", "chair", "roster.json", "E01"]);
    assert!(
        r.stdout.contains("E01 is the panel's chair"),
        "{}",
        r.stdout
    );
    let r = c.run(&["roster", "chair", "roster.json", "C01"]);
    assert!(r.stdout.contains("(E01 is no longer)"), "{}", r.stdout);
    let chairs: Vec<String> = c
        .roster()
        .into_iter()
        .filter(|e| e.role.as_deref() == Some("chair"))
        .map(|e| e.id)
        .collect();
    assert_eq!(chairs, vec!["C01".to_string()]);
    let before = std::fs::read(c.s.path("roster.json")).unwrap();
    c.run(&["roster", "chair", "roster.json", "X9"])
        .assert_error(&["X9 is not in the roster", "E01, E02, C01"]);
    assert_eq!(std::fs::read(c.s.path("roster.json")).unwrap(), before);
}

#[test]
fn another_key_for_an_id_needs_replace_and_the_old_one_stays_a_previous_key() {
    let c = Chair::new();
    c.run(&[
        "roster",
        "init",
        "--bundle",
        "panel.bundle",
        "-o",
        "roster.json",
    ]);
    c.key("E01", false);
    c.run(&["roster", "add", "roster.json", "E01.roster-entry.json"]);
    let old = c.roster()[0].key_id.clone().unwrap();
    // The same entry again changes nothing.
    let r = c.run(&["roster", "add", "roster.json", "E01.roster-entry.json"]);
    assert!(r.stdout.contains("nothing changed"), "{}", r.stdout);
    // A lost key: a new one for E01.
    let r = c.run(&[
        "key",
        "new",
        "--id",
        "E01",
        "--name",
        "某人",
        "--org",
        "某单位",
        "--force",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    c.entry("E01", false);
    let before = std::fs::read(c.s.path("roster.json")).unwrap();
    c.run(&["roster", "add", "roster.json", "E01.roster-entry.json"])
        .assert_error(&["E01 already has another key", "--replace"]);
    assert_eq!(std::fs::read(c.s.path("roster.json")).unwrap(), before);
    // -o writes the change elsewhere and leaves the roster as it is.
    let r = c.run(&[
        "roster",
        "add",
        "roster.json",
        "E01.roster-entry.json",
        "--replace",
        "-o",
        "new.json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read(c.s.path("roster.json")).unwrap(), before);
    let new: Vec<RosterEntry> =
        serde_json::from_slice(&std::fs::read(c.s.path("new.json")).unwrap()).unwrap();
    assert_ne!(new[0].key_id.as_deref(), Some(old.as_str()));
    assert_eq!(new[0].previous_keys.len(), 1);
    assert_eq!(new[0].previous_keys[0].key_id, old);
    // The entry file is an input: never the output.
    c.run(&[
        "roster",
        "add",
        "roster.json",
        "E01.roster-entry.json",
        "-o",
        "E01.roster-entry.json",
    ])
    .assert_error(&["E01.roster-entry.json"]);
}

#[test]
fn bad_entry_files_are_refused_by_name() {
    let c = Chair::new();
    c.run(&[
        "roster",
        "init",
        "--bundle",
        "panel.bundle",
        "-o",
        "roster.json",
    ]);
    let before = std::fs::read(c.s.path("roster.json")).unwrap();
    std::fs::write(
        c.s.path("bare.json"),
        r#"{"id":"E09","name":"x","org":"y"}"#,
    )
    .unwrap();
    c.run(&["roster", "add", "roster.json", "bare.json"])
        .assert_error(&["bare.json", "has no key"]);
    std::fs::write(c.s.path("list.json"), "[]").unwrap();
    c.run(&["roster", "add", "roster.json", "list.json"])
        .assert_error(&["list.json", "one JSON object"]);
    c.key("E02", false);
    let mut e: serde_json::Value =
        serde_json::from_slice(&std::fs::read(c.s.path("E02.roster-entry.json")).unwrap()).unwrap();
    e["key_id"] = serde_json::json!("00".repeat(32));
    std::fs::write(c.s.path("forged.json"), e.to_string()).unwrap();
    let r = c.run(&["roster", "add", "roster.json", "forged.json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("forged.json"), "{}", r.stderr);
    e["extra"] = serde_json::json!(1);
    std::fs::write(c.s.path("extra.json"), e.to_string()).unwrap();
    let r = c.run(&["roster", "add", "roster.json", "extra.json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(std::fs::read(c.s.path("roster.json")).unwrap(), before);
    // A bundle is not edited as a roster.
    c.run(&["roster", "chair", "panel.bundle", "C01"])
        .assert_error(&["is a bundle", "roster init"]);
}
