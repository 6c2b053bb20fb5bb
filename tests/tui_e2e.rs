//! End to end: the real binary in a pseudo-terminal (tmux), driven by key
//! presses, with PANELIST_HOME in a temp dir and a fixed clock. tmux is
//! required (bash .ci/run installs it); each test has its own tmux server
//! (socket) and kills it at the end, pass or fail.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use panelist::domain::conflict;
use panelist::store::Bundle;
use panelist::tui::search::Index;

use common::tmux::{NOW, Tmux, serial};

/// An application of the demo the demo expert has no conflict with, and a
/// piece of its lead unit's name that the search ranks it first for.
fn target() -> (String, String) {
    targets(1).remove(0)
}

/// `n` such applications, in bundle order.
fn targets(n: usize) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let (content, _) = panelist::demo::content().expect("demo content");
    let me = panelist::demo::demo_identity(&content.roster);
    let mut index = Index::new(&content.applications, &content.catalog);
    for (i, a) in content.applications.iter().enumerate() {
        if conflict::find(&me.org, a).is_some() {
            continue;
        }
        let chars: Vec<char> = a.lead_unit.name.chars().collect();
        'this_app: for len in [4usize, 5, 6, 3, 7, 8] {
            for start in (1..chars.len().saturating_sub(len)).chain([0]) {
                let piece: String = chars[start..start + len].iter().collect();
                if piece.trim().chars().count() != len {
                    continue;
                }
                let ranked = index.rank(&piece);
                if ranked.first() == Some(&i) {
                    out.push((a.id.clone(), piece));
                    if out.len() == n {
                        return out;
                    }
                    break 'this_app;
                }
            }
        }
    }
    panic!("fewer than {n} demo applications can be found by part of their lead unit's name");
}

fn working_copy(home: &Path) -> PathBuf {
    home.join("data/demo/demo-E01.bundle")
}

/// The row under the cursor shows `id`.
fn cursor_on(screen: &str, id: &str) -> bool {
    screen.lines().any(|l| l.contains('▶') && l.contains(id))
}

fn open_target(t: &Tmux, id: &str, piece: &str) {
    t.wait_for("Applications");
    t.keys(&["/"]);
    t.wait_for("/ search");
    t.text(piece);
    t.wait(&format!("{id} under the cursor"), |s| cursor_on(s, id));
    t.keys(&["Enter"]);
    t.wait("the search to close", |s| !s.contains("Enter done"));
    t.keys(&["Enter"]);
    t.wait_for(&format!("Application {id}"));
}

#[test]
fn score_comment_quit_reopen_and_the_history_is_in_order() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let (id, piece) = target();
    // The demo's rubric decides the scale, the names and the comment's length.
    let rubric = panelist::domain::catalog::default_rubric().expect("rubric");
    assert_eq!(rubric.criteria.len(), 4, "four criteria");
    let values: Vec<i64> = rubric
        .criteria
        .iter()
        .zip([21i64, 18, 20, 19])
        .map(|(c, v)| c.min + (v * (c.max - c.min) / 25) / c.step * c.step)
        .collect();
    let total: i64 = rubric
        .criteria
        .iter()
        .zip(&values)
        .map(|(c, v)| v * c.weight)
        .sum();
    let total_text = format!("total {total}/{}", rubric.max_total());
    let digits = rubric
        .criteria
        .iter()
        .map(|c| c.max.to_string().len().max(c.min.to_string().len()))
        .max()
        .unwrap_or(2);
    let boxes: Vec<String> = rubric
        .criteria
        .iter()
        .zip(&values)
        .map(|(c, v)| format!("[{v:>digits$}]/{}", c.max))
        .collect();
    let mut comment = String::from(
        "该项目技术路线清晰，部署规模较大，成效可以量化，具备在其他行业和地区推广的条件，建议推荐。",
    );
    while comment.chars().count() < rubric.min_comment_chars as usize {
        comment.push_str("补充说明：项目运行稳定。");
    }
    let first = format!("▶ {}", rubric.criteria[0].name_en);

    let t = Tmux::new(&home, "flow");
    t.start(&["demo"]);
    open_target(&t, &id, &piece);
    t.keys(&["Tab"]);
    t.wait("the scoring panel to have the keyboard", |s| {
        s.contains(&first)
    });
    for (n, v) in values.iter().enumerate() {
        // Digits, then Enter in case the value could still grow.
        t.text(&v.to_string());
        t.keys(&["Enter"]);
        t.wait_for(&format!("saved #{}", n + 1));
        t.keys(&["j"]);
    }
    t.wait_for(&total_text);
    t.keys(&["c"]);
    t.wait_for("Review comment");
    t.text(&comment);
    let n = comment.chars().count();
    t.wait_for(&format!("{n}/{} chars", rubric.min_comment_chars));
    t.keys(&["Escape"]);
    t.wait_for("saved #5");
    t.keys(&["y"]);
    t.wait_for("saved #6");
    let s = t.screen();
    assert!(s.contains("recommendation: recommend"), "{s}");
    t.keys(&["q"]);
    t.wait_exit();

    // Reopen: the same values are on screen.
    let t = Tmux::new(&home, "reopen");
    t.start(&["demo"]);
    open_target(&t, &id, &piece);
    let s = t.wait_for(&total_text);
    for b in &boxes {
        assert!(s.contains(b.as_str()), "{b} on screen:\n{s}");
    }
    assert!(s.contains("该项目技术路线清晰"), "comment on screen:\n{s}");
    assert!(s.contains("● complete"), "{s}");
    t.keys(&["q"]);
    t.wait_exit();

    // The history, in order.
    let out = Command::new(common::cli::bin())
        .env("PANELIST_HOME", &home)
        .args(["bundle", "history", "--json"])
        .arg(working_copy(&home))
        .output()
        .expect("history");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["chain"]["ok"], true);
    let events = v["events"].as_array().expect("events");
    let summary: Vec<(u64, String, String)> = events
        .iter()
        .map(|e| {
            let detail = match e["type"].as_str().unwrap_or("") {
                "score" => format!("{}={}", e["criterion"].as_str().unwrap_or(""), e["value"]),
                "comment" => e["text"].as_str().unwrap_or("").to_string(),
                "recommend" => e["value"].to_string(),
                other => other.to_string(),
            };
            (
                e["seq"].as_u64().unwrap_or(0),
                e["type"].as_str().unwrap_or("").to_string(),
                detail,
            )
        })
        .collect();
    let mut expected: Vec<(u64, String, String)> = rubric
        .criteria
        .iter()
        .zip(&values)
        .enumerate()
        .map(|(i, (c, v))| (i as u64 + 1, "score".into(), format!("{}={v}", c.key)))
        .collect();
    expected.push((5, "comment".into(), comment.clone()));
    expected.push((6, "recommend".into(), "true".into()));
    assert_eq!(summary, expected);
    assert!(
        events
            .iter()
            .all(|e| e["app"] == id.as_str() && e["expert"] == "E01")
    );
    assert!(
        events
            .windows(2)
            .all(|w| w[0]["time"].as_str() <= w[1]["time"].as_str())
    );
}

#[test]
fn kill_9_right_after_saved_loses_nothing() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let (id, piece) = target();
    let t = Tmux::new(&home, "kill");
    t.start(&["demo"]);
    open_target(&t, &id, &piece);
    t.keys(&["Tab"]);
    let rubric = panelist::domain::catalog::default_rubric().expect("rubric");
    let first = &rubric.criteria[0];
    let value = (first.min + first.max) / 2 / first.step * first.step;
    t.wait("the scoring panel to have the keyboard", |s| {
        s.contains(&format!("▶ {}", first.name_en))
    });
    t.text(&value.to_string());
    t.keys(&["Enter"]);
    t.wait_for("saved #1");
    let pid = t.pane_pid();
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    assert_eq!(comm.trim(), "panelist", "the pane runs panelist itself");
    let killed = Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    t.wait_exit();

    let path = working_copy(&home);
    let b = Bundle::open_write(&path).expect("reopen after kill -9");
    let sheet = b.current().expect("sheet");
    assert_eq!(
        sheet
            .entry(&id)
            .and_then(|e| e.scores.get(&first.key).copied()),
        Some(value)
    );
    let head = b.verify_chain().expect("read").expect("the chain verifies");
    assert_eq!(head.size, 1);
    drop(b);
    let r = Bundle::open_read(&path).expect("read-only");
    assert_eq!(r.history().expect("history").len(), 1);
}

#[test]
fn open_refuses_another_expert_and_needs_a_terminal() {
    let _serial = serial();
    let s = common::cli::Scratch::new();
    let path = s.path("wc.bundle");
    drop(common::bundle::working_copy(&path, 3));
    let p = path.display().to_string();
    let r = s.run(&["open", &p, "--as", "E02"]);
    r.assert_error(&["belongs to expert E01", "E02"]);
    // The owner itself gets as far as the terminal check.
    let r = s.run(&["open", &p, "--as", "E01"]);
    r.assert_error(&["need a terminal"]);
    // An unclaimed bundle and an id not on the roster.
    let t = s.path("template.bundle");
    panelist::store::Bundle::create(
        &t,
        &common::bundle::content(3),
        "组",
        &common::bundle::clock(),
        false,
    )
    .expect("create");
    let r = s.run(&["open", &t.display().to_string(), "--as", "E77"]);
    r.assert_error(&["not on the panel roster", "E01"]);
    // Not a terminal: the demo prints its summary and says why.
    let r = s.run(&["demo"]);
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains("need a terminal"), "{}", r.stderr);
}

#[test]
fn open_with_as_claims_from_the_roster_then_shows_the_screens() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let path = dir.path().join("template.bundle");
    panelist::store::Bundle::create(
        &path,
        &common::bundle::content(5),
        "测试组",
        &common::bundle::clock(),
        false,
    )
    .expect("create");
    let t = Tmux::new(&home, "open");
    t.start(&["open", &path.display().to_string()]);
    // No owner and no --as: the identity picker.
    t.wait_for("Who are you?");
    t.keys(&["Enter"]);
    // The pick is confirmed first; nothing is claimed before.
    t.wait_for("Claim this working copy as E01 测试专家");
    t.wait_for("no signing key yet");
    let b = Bundle::open_read(&path).expect("open");
    assert_eq!(
        b.owner().unwrap(),
        None,
        "not claimed before the confirmation"
    );
    drop(b);
    t.keys(&["Enter"]);
    t.wait_for("E01 测试专家");
    // E01 has no key: it is made right there, passphrase typed twice.
    t.wait_for("Make your signing key");
    t.wait_for("at least 8 characters");
    t.text("a long passphrase");
    t.keys(&["Enter"]);
    t.text("a long passphrase");
    t.keys(&["Enter"]);
    let entry_file = dir.path().join("E01.roster-entry.json");
    let s = t.wait_for("Key made");
    assert!(!s.contains("a long passphrase"), "never shown:\n{s}");
    let text = std::fs::read_to_string(&entry_file).expect("the roster entry file");
    let entry: panelist::domain::RosterEntry = serde_json::from_str(&text).expect("json");
    assert_eq!(entry.id, "E01");
    assert!(entry.key_id.is_some());
    t.keys(&["Enter"]);
    t.wait("the dialog to close", |s| !s.contains("Key made"));
    t.keys(&["q"]);
    t.wait_exit();
    let b = Bundle::open_read(&path).expect("open");
    assert_eq!(b.owner().unwrap().map(|o| o.id), Some("E01".into()));
    assert!(home.join("data/keys/E01.key").exists());
}

#[test]
fn the_terminal_is_restored_on_quit() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("tmp");
    let t = Tmux::new(&dir.path().join("home"), "restore");
    t.shell_after("demo");
    t.wait_for("Applications");
    t.keys(&["q"]);
    let s = t.back_at_the_shell();
    assert!(s.contains("exit=0"), "{s}");
    assert!(
        !s.contains("Applications"),
        "the alternate screen is gone:\n{s}"
    );
    assert!(s.contains("stty: icanon echo"), "raw mode is off:\n{s}");
    assert_eq!(
        t.modes(),
        "0 0 1",
        "alternate screen off, mouse reporting off, cursor shown"
    );
}

#[test]
fn a_panic_on_the_screens_gives_the_terminal_back() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("tmp");
    let t = Tmux::new(&dir.path().join("home"), "panic");
    t.shell_after("dev screen-panic");
    let s = t.back_at_the_shell();
    assert!(s.contains("exit=101"), "the panic's exit status:\n{s}");
    assert!(
        s.contains("a deliberate panic on the screens"),
        "the panic message is readable on the shell's screen:\n{s}"
    );
    assert!(
        !s.contains("screen-panic\n"),
        "the alternate screen is gone:\n{s}"
    );
    assert!(s.contains("stty: icanon echo"), "raw mode is off:\n{s}");
    assert_eq!(
        t.modes(),
        "0 0 1",
        "alternate screen off, mouse reporting off, cursor shown"
    );
}

const PASS: &str = "correct horse battery staple";

/// `panelist ARGS` in `home` with a cheap KDF and the passphrase file.
fn panelist(home: &Path, pass: &Path, args: &[&str]) -> std::process::Output {
    Command::new(common::cli::bin())
        .env("PANELIST_HOME", home)
        .env("PANELIST_NOW", NOW)
        .env("PANELIST_LANG", "en")
        .env("PANELIST_KDF_PARAMS", "m=256,t=1,p=1")
        .env("PANELIST_PASSPHRASE_FILE", pass)
        .args(args)
        .output()
        .expect("run panelist")
}

/// The demo's working copy with E01's key and `n` applications scored
/// from the command line (each fully, one change per criterion plus
/// comment and recommendation). Returns the ids scored, in order.
fn demo_with_key(home: &Path, pass: &Path, n: usize) -> Vec<String> {
    std::fs::write(pass, format!("{PASS}\n")).expect("pass file");
    let (content, _) = panelist::demo::content().expect("demo content");
    let me = panelist::demo::demo_identity(&content.roster);
    let out = panelist(
        home,
        pass,
        &[
            "key",
            "new",
            "--id",
            "E01",
            "--name",
            &me.name,
            "--org",
            &me.org,
            "--passphrase-file",
            pass.to_str().expect("utf-8 path"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Without a terminal the demo only builds its working copy.
    let out = Command::new(common::cli::bin())
        .env("PANELIST_HOME", home)
        .env("PANELIST_NOW", NOW)
        .arg("demo")
        .output()
        .expect("demo");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wc = working_copy(home);
    let wc = wc.to_str().expect("utf-8 path");
    let mut comment =
        String::from("平台已在多家单位稳定运行，检测能力与处置流程成熟，具备推广条件。");
    while comment.chars().count() < content.rubric.min_comment_chars as usize {
        comment.push_str("运行稳定。");
    }
    let ids: Vec<String> = content
        .applications
        .iter()
        .take(n)
        .map(|a| a.id.clone())
        .collect();
    for (k, id) in ids.iter().enumerate() {
        let c = &content.rubric.criteria;
        let v = |i: usize| {
            (c[i].min + (c[i].max - c[i].min) * (12 + k as i64 + i as i64) / 25).to_string()
        };
        let args: Vec<String> = vec![
            "score".into(),
            wc.into(),
            id.clone(),
            "--set".into(),
            format!("{}={}", c[0].key, v(0)),
            "--set".into(),
            format!("{}={}", c[1].key, v(1)),
            "--set".into(),
            format!("{}={}", c[2].key, v(2)),
            "--set".into(),
            format!("{}={}", c[3].key, v(3)),
            "--comment".into(),
            comment.clone(),
            "--recommend".into(),
            "yes".into(),
        ];
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = panelist(home, pass, &refs);
        assert!(
            out.status.success(),
            "score: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    ids
}

#[test]
fn export_from_the_screen_with_a_typed_passphrase_then_verify_accepts_it() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let pass = dir.path().join("pass.txt");
    demo_with_key(&home, &pass, 2);
    let out = panelist(&home, &pass, &["key", "show"]);
    let shown = String::from_utf8_lossy(&out.stdout).into_owned();
    let key_id = shown
        .lines()
        .find_map(|l| l.strip_prefix("key id"))
        .map(|l| l.trim().to_string())
        .expect("key show prints the key id");

    let t = Tmux::new(&home, "export");
    t.start(&["demo"]);
    // The header names the key.
    t.wait_for(&format!("key {}", &key_id[..16]));
    // The key is not the demo's: its passphrase is asked; a wrong one
    // asks again.
    t.wait_for("Unlock your signing key");
    t.text("not the passphrase");
    t.keys(&["Enter"]);
    let s = t.wait_for("Wrong passphrase: try again");
    assert!(!s.contains("not the passphrase"), "{s}");
    t.text(PASS);
    t.keys(&["Enter"]);
    t.wait_for("Key unlocked");
    t.keys(&["e"]);
    t.wait_for("Export signed scores · 1/3");
    t.wait_for("export as partial");
    t.keys(&["p", "Enter"]);
    t.wait_for("Export signed scores · 2/3");
    t.keys(&["Enter"]);
    t.wait_for("Export signed scores · 3/3");
    // A wrong passphrase first: the dialog asks again.
    t.text("not the passphrase");
    t.keys(&["Enter"]);
    let s = t.wait_for("Wrong passphrase, try again");
    assert!(
        !s.contains("not the passphrase"),
        "the passphrase is never shown:\n{s}"
    );
    t.text(PASS);
    t.keys(&["Enter"]);
    let s = t.wait_for("Exported (partial)");
    assert!(!s.contains(PASS), "{s}");
    assert!(s.contains(&key_id[..40]), "the key id is shown:\n{s}");
    t.keys(&["Enter"]);
    t.wait("the dialog to close", |s| !s.contains("Exported"));
    t.keys(&["q"]);
    t.wait_exit();

    let demo_dir = home.join("data/demo");
    let files: Vec<PathBuf> = std::fs::read_dir(&demo_dir)
        .expect("demo dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("E01-"))
        })
        .collect();
    assert_eq!(
        files.len(),
        1,
        "one export next to the working copy: {files:?}"
    );
    let roster = dir.path().join("roster.json");
    let out = panelist(&home, &pass, &["key", "show", "--roster-entry"]);
    assert!(out.status.success());
    let entry: serde_json::Value = serde_json::from_slice(&out.stdout).expect("entry");
    std::fs::write(&roster, serde_json::to_string(&[entry]).expect("json")).expect("roster");
    let out = Command::new(common::cli::bin())
        .env("PANELIST_HOME", &home)
        .args(["verify"])
        .arg(&files[0])
        .arg("--roster")
        .arg(&roster)
        .output()
        .expect("verify");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("OK"), "{stdout}");
    assert!(stdout.contains("2 scored"), "{stdout}");
}

/// The sheet row of application `id` (the timeline's rows carry no status).
fn sheet_row<'a>(screen: &'a str, id: &str, status: &str) -> Option<&'a str> {
    screen
        .lines()
        .find(|l| l.contains(id) && l.contains(status))
}

#[test]
fn replay_steps_through_a_history_scored_on_the_command_line() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let pass = dir.path().join("pass.txt");
    let ids = demo_with_key(&home, &pass, 3);
    let wc = working_copy(&home);
    let b = Bundle::open_read(&wc).expect("open");
    let n = b.history().expect("history").len();
    let per_app = n / ids.len();
    assert!(per_app >= 4, "each application took several events");
    drop(b);

    let t = Tmux::new(&home, "replay");
    t.start(&["replay", &wc.display().to_string()]);
    // The whole first frame: the header, the chain status and every row.
    let s = t.wait(&format!("as of #{n} with every row"), |s| {
        s.contains(&format!("as of #{n}"))
            && s.contains("chain verified")
            && ids.iter().all(|id| sheet_row(s, id, "complete").is_some())
    });
    assert!(s.contains("chain verified"), "{s}");
    for id in &ids {
        assert!(
            sheet_row(&s, id, "complete").is_some(),
            "{id} complete at the end:\n{s}"
        );
    }
    // The first event: only the first application, one criterion.
    t.keys(&["g"]);
    let s = t.wait_for("as of #1 ");
    assert!(sheet_row(&s, &ids[0], "draft").is_some(), "{s}");
    assert!(sheet_row(&s, &ids[1], "to do").is_some(), "{s}");
    // Step on to the first application's last event: it is complete, the
    // second still to do.
    for _ in 1..per_app {
        t.keys(&["j"]);
    }
    let s = t.wait_for(&format!("as of #{per_app} "));
    assert!(sheet_row(&s, &ids[0], "complete").is_some(), "{s}");
    assert!(sheet_row(&s, &ids[1], "to do").is_some(), "{s}");
    // One more: the second application begins.
    t.keys(&["Right"]);
    let s = t.wait_for(&format!("as of #{} ", per_app + 1));
    assert!(sheet_row(&s, &ids[1], "draft").is_some(), "{s}");
    // Its own history, then back.
    t.keys(&["Enter"]);
    t.wait_for(&format!("History of {}", ids[1]));
    t.keys(&["Escape"]);
    t.wait("the whole timeline", |s| {
        s.contains(&format!("Timeline {n}/{n}"))
    });
    t.keys(&["q"]);
    t.wait_exit();
}

#[test]
fn a_keyed_copy_unlocks_once_then_a_score_saves_and_audit_finds_every_event_signed() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let pass = dir.path().join("pass.txt");
    demo_with_key(&home, &pass, 1);
    let (id, piece) = target();
    let t = Tmux::new(&home, "keyed");
    t.start(&["demo"]);
    t.wait_for("Unlock your signing key");
    t.text("wrong passphrase");
    t.keys(&["Enter"]);
    t.wait_for("Wrong passphrase: try again");
    t.text(PASS);
    t.keys(&["Enter"]);
    t.wait_for("Key unlocked");
    open_target(&t, &id, &piece);
    t.keys(&["Tab"]);
    t.text("1");
    t.keys(&["Enter"]);
    t.wait_for("saved #7");
    t.keys(&["q"]);
    t.wait_exit();
    // The chair's roster with E01's key: audit finds no unsigned event.
    let out = panelist(&home, &pass, &["key", "show", "--roster-entry"]);
    let mine: serde_json::Value = serde_json::from_slice(&out.stdout).expect("roster entry");
    let (content, _) = panelist::demo::content().expect("demo content");
    let roster: Vec<serde_json::Value> = content
        .roster
        .iter()
        .map(|e| {
            if e.id == "E01" {
                mine.clone()
            } else {
                serde_json::to_value(e).expect("entry")
            }
        })
        .collect();
    let roster_file = dir.path().join("roster.json");
    std::fs::write(&roster_file, serde_json::to_vec(&roster).expect("json")).expect("roster");
    let wc = working_copy(&home);
    let out = panelist(
        &home,
        &pass,
        &[
            "audit",
            wc.to_str().expect("utf-8"),
            "--roster",
            roster_file.to_str().expect("utf-8"),
        ],
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(!text.to_lowercase().contains("unsigned"), "{text}");
}

/// The screens open on the list and the first application's texts alone;
/// every other application's texts (and the search over them) are there
/// from the first key on: a phrase only the last application's text holds
/// finds it, and opening it shows that text.
#[test]
fn texts_of_every_application_are_shown_and_searched_after_the_first_frame() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let (content, _) = panelist::demo::content().expect("demo content");
    let apps = &content.applications;
    let last = apps.last().expect("apps");
    let folded = |s: &str| panelist::domain::text::normalize_name(s);
    // Six characters of the last application's overview that no other
    // application has in any field, and that are not in its short fields.
    let chars: Vec<char> = last.sections.overview.chars().collect();
    let shorts = |a: &panelist::domain::Application| {
        let mut h = format!("{}{}", a.id, a.title);
        for u in a.units() {
            h.push_str(&u.name);
        }
        folded(&h)
    };
    let text_of = |a: &panelist::domain::Application| {
        let s = &a.sections;
        folded(&format!(
            "{}|{}|{}|{}",
            s.overview, s.technology, s.deployment, s.replication
        ))
    };
    let piece = (0..chars.len().saturating_sub(6))
        .map(|s| chars[s..s + 6].iter().collect::<String>())
        .find(|p| {
            let f = folded(p);
            f.chars().count() == 6
                && f.chars().all(|c| c.is_alphanumeric())
                && apps.iter().all(|a| {
                    (a.id == last.id) == text_of(a).contains(f.as_str())
                        && !shorts(a).contains(f.as_str())
                })
        })
        .expect("a phrase only the last application's text holds");
    let t = Tmux::new(&home, "texts");
    t.start(&["demo"]);
    t.wait_for("Applications");
    t.keys(&["/"]);
    t.wait_for("/ search");
    t.text(&piece);
    t.wait(&format!("{} under the cursor", last.id), |s| {
        cursor_on(s, &last.id)
    });
    t.keys(&["Enter"]);
    t.wait("the search to close", |s| !s.contains("Enter done"));
    t.keys(&["Enter"]);
    t.wait_for(&format!("Application {}", last.id));
    let head: String = last.sections.overview.chars().take(8).collect();
    t.wait_for(&head);
    t.keys(&["q"]);
    t.wait_exit();
}

// ----- Scoring that cannot go wrong by accident -----

/// The working copy's history as `bundle history --json` prints it.
fn history(home: &Path) -> Vec<serde_json::Value> {
    let out = Command::new(common::cli::bin())
        .env("PANELIST_HOME", home)
        .args(["bundle", "history", "--json"])
        .arg(working_copy(home))
        .output()
        .expect("history");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    v["events"].as_array().cloned().unwrap_or_default()
}

/// `app`'s scores in the history, criterion → last value.
fn scores_of(events: &[serde_json::Value], app: &str) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = Vec::new();
    for e in events
        .iter()
        .filter(|e| e["app"] == app && e["type"] == "score")
    {
        let k = e["criterion"].as_str().unwrap_or("").to_string();
        out.retain(|(c, _)| *c != k);
        if let Some(v) = e["value"].as_i64() {
            out.push((k, v));
        }
    }
    out.sort();
    out
}

#[test]
fn paging_never_scores_and_the_next_application_starts_on_its_first_criterion() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let apps = targets(2);
    let rubric = panelist::domain::catalog::default_rubric().expect("rubric");
    let names: Vec<&str> = rubric.criteria.iter().map(|c| c.name_en.as_str()).collect();
    let t = Tmux::new(&home, "paging");
    t.start(&["demo"]);
    let (id1, piece1) = &apps[0];
    open_target(&t, id1, piece1);
    t.keys(&["Tab"]);
    t.wait_for(&format!("▶ {}", names[0]));
    // Score every criterion, the cursor ending on the last.
    for (n, v) in ["20", "12", "11", "9"].iter().enumerate() {
        t.text(v);
        t.keys(&[if n < 3 { "j" } else { "Enter" }]);
        t.wait_for(&format!("saved #{}", n + 1));
    }
    t.wait_for(&format!("▶ {}", names[3]));
    // Paging in the scoring panel scrolls; it never changes a value.
    t.keys(&["PageDown", "PageDown", "PageUp", "NPage", "PPage"]);
    t.keys(&["End"]);
    let s = t.wait_for(&format!("▶ {}", names[3]));
    assert!(s.contains("saved #4"), "nothing more saved:\n{s}");
    assert!(s.contains("[20]/25"), "{s}");
    // The next application opens on its first criterion: typing through
    // it fills each criterion in turn.
    t.keys(&["Escape"]);
    t.wait("the list to have the keyboard", |s| {
        s.lines().last().is_some_and(|l| l.contains("Enter open"))
    });
    t.keys(&["x"]);
    t.wait_for("Applications 64/64");
    let (id2, piece2) = &apps[1];
    open_target(&t, id2, piece2);
    t.keys(&["Tab"]);
    t.wait_for(&format!("▶ {}", names[0]));
    for (n, v) in ["15", "17", "14", "8"].iter().enumerate() {
        t.text(v);
        t.keys(&[if n < 3 { "j" } else { "Enter" }]);
        t.wait_for(&format!("saved #{}", n + 5));
    }
    // g and G pick the first and the last criterion.
    t.keys(&["g"]);
    t.wait_for(&format!("▶ {}", names[0]));
    t.keys(&["G"]);
    t.wait_for(&format!("▶ {}", names[3]));
    t.keys(&["q"]);
    t.wait_exit();
    let events = history(&home);
    assert_eq!(events.len(), 8, "{events:?}");
    let keys: Vec<String> = rubric.criteria.iter().map(|c| c.key.clone()).collect();
    let want = |vals: [i64; 4]| {
        let mut w: Vec<(String, i64)> = keys.iter().cloned().zip(vals).collect();
        w.sort();
        w
    };
    assert_eq!(scores_of(&events, id1), want([20, 12, 11, 9]));
    assert_eq!(scores_of(&events, id2), want([15, 17, 14, 8]));
}

#[test]
fn a_pending_digit_is_not_saved_by_q_or_esc_and_30_is_refused() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let (id, piece) = target();
    let rubric = panelist::domain::catalog::default_rubric().expect("rubric");
    let first = &rubric.criteria[0];
    assert_eq!((first.min, first.max), (0, 25), "the demo's scale");
    let t = Tmux::new(&home, "pending");
    t.start(&["demo"]);
    open_target(&t, &id, &piece);
    t.keys(&["Tab"]);
    t.wait_for(&format!("▶ {}", first.name_en));
    // A typed digit is visibly pending; Esc discards it and says so.
    t.text("1");
    t.wait_for("[1_]");
    t.wait_for("1 not saved yet: Enter saves");
    t.keys(&["Escape"]);
    t.wait_for("the typed 1 (Innovation) was not saved: discarded");
    // 30 on a 0–25 scale is refused whole, naming the scale.
    t.text("30");
    let s = t.wait_for("30 is outside the scale of Innovation, 0–25");
    assert!(s.contains("nothing saved"), "{s}");
    // q with a pending value asks; n goes back to it.
    t.text("1");
    t.wait_for("[1_]");
    t.keys(&["q"]);
    t.wait_for("Innovation: the typed 1 is not saved.");
    t.keys(&["n"]);
    t.wait("the question to close", |s| !s.contains("is not saved."));
    assert!(t.screen().contains("[1_]"));
    // y quits without it.
    t.keys(&["q"]);
    t.wait_for("is not saved.");
    t.keys(&["y"]);
    t.wait_exit();
    assert!(history(&home).is_empty(), "nothing saved");
}

#[test]
fn claiming_a_copy_needs_a_confirmation_naming_the_expert_and_the_key() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let pass = dir.path().join("pass.txt");
    std::fs::write(&pass, format!("{PASS}\n")).expect("pass file");
    let path = dir.path().join("template.bundle");
    let mut content = common::bundle::content(5);
    // A second expert, and a chair the picker never offers.
    let mut e02 = content.roster[0].clone();
    e02.id = "E02".into();
    e02.name = "第二专家".into();
    let mut chair = content.roster[0].clone();
    chair.id = "C01".into();
    chair.name = "评审组长".into();
    chair.role = Some("chair".into());
    content.roster.extend([e02, chair]);
    panelist::store::Bundle::create(&path, &content, "测试组", &common::bundle::clock(), false)
        .expect("create");
    // The only key in the data directory is the second roster expert's.
    let second = &content.roster[1];
    let out = panelist(
        &home,
        &pass,
        &[
            "key",
            "new",
            "--id",
            &second.id,
            "--name",
            &second.name,
            "--org",
            &second.org,
            "--passphrase-file",
            pass.to_str().expect("utf-8"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown =
        String::from_utf8_lossy(&panelist(&home, &pass, &["key", "show"]).stdout).into_owned();
    let key_id = shown
        .lines()
        .find_map(|l| l.strip_prefix("key id"))
        .map(|l| l.trim().to_string())
        .expect("key id");
    let t = Tmux::new(&home, "claim");
    t.start(&["open", &path.display().to_string()]);
    let s = t.wait_for("Who are you?");
    // The key's owner first, under the cursor, and listed once.
    let row = s.lines().find(|l| l.contains('▶')).expect("a cursor row");
    assert!(
        row.contains(&second.id) && row.contains(&key_id[..16]),
        "{s}"
    );
    assert_eq!(s.matches(second.id.as_str()).count(), 1, "{s}");
    assert!(s.contains(&content.roster[0].id), "{s}");
    assert!(
        !s.contains("C01") && !s.contains("评审组长"),
        "never a chair:\n{s}"
    );
    t.keys(&["Enter"]);
    let s = t.wait_for(&format!(
        "Claim this working copy as {} {}",
        second.id, second.name
    ));
    assert!(
        s.contains(&format!("signing with key {}", &key_id[..16])),
        "{s}"
    );
    // Esc goes back; nothing is claimed.
    t.keys(&["Escape"]);
    t.wait_for("Who are you?");
    assert_eq!(
        Bundle::open_read(&path).expect("open").owner().unwrap(),
        None
    );
    t.keys(&["Enter"]);
    t.wait_for("Claim this working copy as");
    t.keys(&["Enter"]);
    t.wait_for("Unlock your signing key");
    t.keys(&["Escape"]);
    t.keys(&["q"]);
    t.wait_exit();
    let owner = Bundle::open_read(&path)
        .expect("open")
        .owner()
        .unwrap()
        .expect("claimed");
    assert_eq!(owner.id, second.id);
    assert_eq!(owner.key_id.as_deref(), Some(key_id.as_str()));
}

#[test]
fn a_pasted_multi_line_comment_keeps_its_text() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let (id, piece) = target();
    let t = Tmux::new(&home, "paste");
    t.start(&["demo"]);
    open_target(&t, &id, &piece);
    t.keys(&["Tab"]);
    t.keys(&["c"]);
    t.wait_for("Review comment");
    // A bracketed paste (tmux turns its line feeds into carriage returns).
    t.run(&[
        "set-buffer",
        "-b",
        "c",
        "第一段：技术路线清晰。\n第二段：部署规模较大。\n",
    ]);
    t.run(&["paste-buffer", "-p", "-b", "c", "-t", "p"]);
    t.wait_for("第二段：部署规模较大。");
    // Line feeds typed without a paste arrive as Ctrl-J: a line break.
    t.text("第三段：成效可量化。\n第四段：建议推荐。");
    t.wait_for("第四段：建议推荐。");
    t.keys(&["Escape"]);
    t.wait_for("saved #1");
    t.keys(&["q"]);
    t.wait_exit();
    let events = history(&home);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(
        events[0]["text"].as_str(),
        Some(
            "第一段：技术路线清晰。\n第二段：部署规模较大。\n第三段：成效可量化。\n第四段：建议推荐。"
        )
    );
}

/// The id on the list's row at line `y` of `screen`.
fn row_id(screen: &str, y: usize) -> Option<String> {
    let line = screen.lines().nth(y)?;
    let left = line.split('│').nth(1)?;
    left.split_whitespace()
        .find(|t| t.contains('-') && t.chars().any(|c| c.is_ascii_digit()))
        .map(str::to_string)
}

#[test]
fn a_click_selects_the_clicked_row_and_a_second_opens_it() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("tmp");
    let t = Tmux::new(&dir.path().join("home"), "click");
    t.start(&["demo"]);
    let s = t.wait_for("Applications");
    assert_eq!(t.modes().split(' ').nth(1), Some("1"), "the mouse is taken");
    let lines: Vec<&str> = s.lines().collect();
    let cursor = lines
        .iter()
        .position(|l| l.contains('▶'))
        .expect("a row under the cursor");
    let first = row_id(&s, cursor).expect("the cursor's row has an id");
    let y = cursor + 3;
    let id = row_id(&s, y).expect("a row three lines further down");
    assert_ne!(id, first);
    t.click(6, y);
    let s = t.wait(&format!("{id} under the cursor"), |s| cursor_on(s, &id));
    assert!(!cursor_on(&s, &first), "the cursor left {first}:\n{s}");
    // A click on the row under the cursor opens its application.
    t.click(6, y);
    t.wait_for(&format!("Application {id}"));
    t.keys(&["q"]);
    t.wait_exit();
}

#[test]
fn mouse_capture_can_be_turned_off_in_the_configuration() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join("config")).expect("config dir");
    std::fs::write(home.join("config/config.toml"), "mouse = false\n").expect("config");
    let t = Tmux::new(&home, "nomouse");
    t.start(&["demo"]);
    t.wait_for("Applications");
    assert_eq!(
        t.modes(),
        "1 0 0",
        "alternate screen on, no mouse reporting: the terminal selects text"
    );
    t.keys(&["q"]);
    t.wait_exit();
}

#[test]
fn the_language_chosen_with_f2_is_there_on_the_next_start() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let config = home.join("config/config.toml");
    let t = Tmux::new(&home, "lang");
    // No PANELIST_LANG and a C locale: English, until F2.
    t.start_in(&["demo"], None);
    t.wait_for("Applications");
    t.keys(&["F2"]);
    t.wait_for("申报项目");
    t.keys(&["q"]);
    t.wait_exit();
    let text = std::fs::read_to_string(&config).expect("config.toml written");
    assert!(text.contains("lang = \"zh\""), "{text}");

    let t = Tmux::new(&home, "lang-again");
    t.start_in(&["demo"], None);
    let s = t.wait_for("申报项目");
    assert!(!s.contains("Applications"), "{s}");
    // And back: English is remembered too, the file stays one setting.
    t.keys(&["F2"]);
    t.wait_for("Applications");
    t.keys(&["q"]);
    t.wait_exit();
    let text = std::fs::read_to_string(&config).expect("config.toml");
    assert_eq!(text.matches("lang =").count(), 1, "{text}");
    assert!(text.contains("lang = \"en\""), "{text}");
}
