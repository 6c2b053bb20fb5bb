//! Terminal injection: application text, comments, names, file names and
//! signed files carrying escape sequences (CSI, OSC), C1 controls, bidi
//! overrides and invisible characters reach the terminal only as inert
//! placeholders. Every command that prints untrusted text is run on such
//! data, and nothing it writes to stdout or stderr — text or `--json` —
//! may carry ESC, another C0 control but tab and newline, a C1 control
//! (U+0080–U+009F), a bidi control or an invisible character.

mod common;
mod signing;

use common::*;
use serde_json::{Value, json};
use signing::Panel;

/// Every kind of character that could drive a terminal: CSI colour and
/// clear-screen, an OSC title with BEL, the 8-bit CSI (U+009B) and NEL,
/// a right-to-left override and isolate, zero-width and BOM, CR, BS, DEL,
/// a line separator.
const HOSTILE: &str = "评审\u{1b}[31m红\u{1b}]0;owned\u{7}\u{1b}[2J\u{9b}31m\u{85}\u{202e}txt.exe\u{2066}\u{200b}\r\u{8}\u{7f}\u{feff}\u{2028}尾";

/// An application id may not hold controls or spaces, but it may hold a
/// bidi override: it must be shown inert too.
const HOSTILE_ID: &str = "2023-\u{202e}LIVE-\u{200b}001";

fn hostile_apps() -> Value {
    let sample: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/sample/applications.json"
        ))
        .expect("sample"),
    )
    .expect("json");
    let mut doc = sample.clone();
    doc["panel"] = json!(format!("组{HOSTILE}"));
    let apps = doc["applications"].as_array_mut().expect("apps");
    for (i, a) in apps.iter_mut().enumerate() {
        a["title"] = json!(format!("标题{i}{HOSTILE}"));
        // The same hostile authority and lead unit everywhere, so the
        // authority-limit and unit-limit findings quote them.
        a["authority"] = json!(format!("管理局{HOSTILE}"));
        a["lead_unit"]["name"] = json!(format!("单位{HOSTILE}"));
        a["lead_unit"]["credit_code"] = json!(format!("9111{HOSTILE}"));
        a["sector"] = json!(HOSTILE);
        for s in ["overview", "technology", "deployment", "replication"] {
            a["sections"][s] = json!(format!("{s}{HOSTILE}"));
        }
    }
    apps[0]["id"] = json!(HOSTILE_ID);
    // Six more copies under other ids, past the authority limit of five.
    let extra: Vec<Value> = (0..6)
        .map(|i| {
            let mut a = apps[1].clone();
            a["id"] = json!(format!("2023-COPY-{i:03}"));
            a
        })
        .collect();
    apps.extend(extra);
    doc["roster"] = json!([{"id": "E01", "name": HOSTILE, "org": HOSTILE}]);
    doc
}

fn run_all(p: &Panel, args: &[&[&str]]) -> Vec<(String, common::Run)> {
    args.iter()
        .map(|a| (a.join(" "), p.run(a)))
        .collect::<Vec<_>>()
}

#[test]
fn no_command_lets_a_control_character_through() {
    // The expert's own name and organisation are hostile too.
    let p = Panel::without_key(1);
    let r = p.run(&[
        "key", "new", "--id", "E01", "--name", HOSTILE, "--org", HOSTILE,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut runs = vec![("key new".to_string(), r)];

    let apps = p.s.path("apps.json");
    std::fs::write(&apps, serde_json::to_string(&hostile_apps()).expect("json")).expect("w");
    let apps_s = apps.display().to_string();
    // File names are untrusted as well: experts name the files they hand in.
    let dir = p.s.path("in");
    std::fs::create_dir_all(&dir).expect("dir");
    let bundle = dir.join(format!("wc{HOSTILE}.bundle"));
    let b = bundle.display().to_string();
    let out = dir.join(format!("E01{HOSTILE}.json"));
    let o = out.display().to_string();
    let missing = dir.join(format!("nothing{HOSTILE}.bundle"));
    let m = missing.display().to_string();

    runs.extend(run_all(
        &p,
        &[
            &["bundle", "check", &apps_s],
            &["bundle", "check", &apps_s, "--json"],
            &["--lang", "zh", "bundle", "check", &apps_s],
            &["bundle", "new", &apps_s, "-o", &b, "--panel", HOSTILE],
            &["bundle", "check", &b],
            &["bundle", "check", &b, "--json"],
            &["bundle", "info", &b],
            &["bundle", "info", &b, "--json"],
            &["--lang", "zh", "bundle", "info", &b],
            &["key", "show"],
            &["key", "show", "--roster-entry"],
        ],
    ));
    let ids: Vec<String> = hostile_apps()["applications"]
        .as_array()
        .expect("apps")
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_string())
        .collect();
    let comment = format!("{HOSTILE}{}", "意见".repeat(20));
    runs.extend(run_all(
        &p,
        &[
            &[
                "score",
                &b,
                &ids[0],
                "--innovation",
                "20",
                "--advancement",
                "20",
                "--practicality",
                "20",
                "--replicability",
                "20",
                "--comment",
                &comment,
                "--recommend",
                "yes",
            ],
            &["recuse", &b, &ids[1], "--reason", HOSTILE],
            // Refusals quote what was given.
            &["score", &b, HOSTILE, "--innovation", "3"],
            &["score", &b, &ids[2], "--set", &format!("{HOSTILE}=3")],
            &[
                "score",
                &b,
                &ids[2],
                "--set",
                &format!("innovation={HOSTILE}"),
            ],
            &["recuse", &b, &ids[0], "--reason", "x", "--undo"],
            &["bundle", "history", &b],
            &["bundle", "history", &b, "--json"],
            &["bundle", "info", &m],
            // Incomplete: refused with the list of open applications.
            &["export", &b, "-o", &o],
            &["export", &b, "-o", &o, "--allow-incomplete"],
        ],
    ));
    assert!(out.exists(), "the partial export was written");

    // The chair's side: a roster with hostile names, the file under its
    // hostile name, a spoiled copy, and a hostile file that is not there.
    let mut entry = p.roster_entry();
    entry.name = HOSTILE.into();
    entry.org = HOSTILE.into();
    let roster = p.write_roster("roster.json", &[entry]);
    let roster_s = roster.display().to_string();
    let spoiled = dir.join(format!("spoiled{HOSTILE}.json"));
    let text = std::fs::read_to_string(&out).expect("export");
    std::fs::write(
        &spoiled,
        text.replacen(
            "\"format\": \"panelist.scores.v1\"",
            &format!("\"format\": {}", json!(HOSTILE)),
            1,
        ),
    )
    .expect("w");
    let sp = spoiled.display().to_string();
    runs.extend(run_all(
        &p,
        &[
            &["verify", &o, "--roster", &roster_s],
            &["verify", &o, "--roster", &roster_s, "--bundle", &b],
            &["verify", &sp, &m, "--roster", &roster_s],
            &["verify", &o, "--roster", &m],
        ],
    ));

    let mut seen_ok = false;
    for (what, r) in &runs {
        assert!(!r.stderr.contains("panicked"), "{what:?}: {}", r.stderr);
        assert_inert(&format!("{what:?}"), r);
        seen_ok |= r.stdout.contains("OK  ");
    }
    assert!(seen_ok, "the good file verified");
    // The placeholders show what was there.
    let info = &runs
        .iter()
        .find(|(w, _)| w.starts_with("bundle info") && !w.contains("json"))
        .expect("info")
        .1;
    assert!(info.stdout.contains("␛[31m红"), "{}", info.stdout);
    assert!(info.stdout.contains("<U+202E>"), "{}", info.stdout);
    // The hostile comment and reason were recorded and shown inert.
    let history = &runs
        .iter()
        .find(|(w, _)| w.starts_with("bundle history") && !w.contains("json"))
        .expect("history")
        .1;
    assert!(
        history.stdout.contains("chain ok: 7 events"),
        "{}",
        history.stdout
    );
    assert!(
        history.stdout.contains("\\u001b]0;owned\\u0007"),
        "{}",
        history.stdout
    );
}
