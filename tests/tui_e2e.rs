//! End to end: the real binary in a pseudo-terminal (tmux), driven by key
//! presses, with PANELIST_HOME in a temp dir and a fixed clock. tmux is
//! required (bash .ci/run installs it); each test has its own tmux server
//! (socket) and kills it at the end, pass or fail.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use panelist::domain::conflict;
use panelist::store::Bundle;
use panelist::tui::search::Index;

const NOW: &str = "2024-03-01T09:00:00Z";

/// One test at a time: a process spawned by one test inherits, until it
/// execs, the file descriptors another test holds open — the working copy's
/// writer lock included — which would make that lock look taken.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}
const WAIT: Duration = Duration::from_secs(10);

fn require_tmux() {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        ok,
        "tmux is required for the end-to-end terminal tests: install it (bash .ci/run does)"
    );
}

/// One tmux server with one session running panelist.
struct Tmux {
    socket: String,
    home: PathBuf,
    /// The socket file, removed at the end.
    socket_path: std::cell::RefCell<Option<PathBuf>>,
}

impl Tmux {
    fn new(home: &Path, name: &str) -> Tmux {
        require_tmux();
        static N: AtomicUsize = AtomicUsize::new(0);
        let socket = format!(
            "panelist-e2e-{}-{name}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        Tmux {
            socket,
            home: home.to_path_buf(),
            socket_path: Default::default(),
        }
    }

    fn tmux(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-u", "-L", &self.socket, "-f", "/dev/null"])
            .env("LANG", "C.UTF-8")
            .env("LC_ALL", "C.UTF-8");
        c
    }

    fn run(&self, args: &[&str]) -> String {
        let out = self.tmux().args(args).output().expect("run tmux");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts `panelist ARGS` in a fresh 120×40 session.
    fn start(&self, args: &[&str]) {
        let bin = common::bin();
        let cmd = format!("exec {} {}", bin.display(), args.join(" "));
        let home = format!("PANELIST_HOME={}", self.home.display());
        let now = format!("PANELIST_NOW={NOW}");
        self.run(&[
            "new-session",
            "-d",
            "-s",
            "p",
            "-x",
            "120",
            "-y",
            "40",
            "-e",
            &home,
            "-e",
            &now,
            "-e",
            "PANELIST_LANG=en",
            "-e",
            "LANG=C.UTF-8",
            &cmd,
        ]);
        self.remember_socket();
    }

    fn remember_socket(&self) {
        if let Ok(o) = self
            .tmux()
            .args(["display-message", "-p", "#{socket_path}"])
            .output()
        {
            let p = String::from_utf8_lossy(&o.stdout).trim().to_string();
            if !p.is_empty() {
                *self.socket_path.borrow_mut() = Some(PathBuf::from(p));
            }
        }
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "p"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Types UTF-8 text as it is.
    fn text(&self, text: &str) {
        self.run(&["send-keys", "-t", "p", "-l", text]);
    }

    fn screen(&self) -> String {
        self.tmux()
            .args(["capture-pane", "-p", "-t", "p"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }

    /// Polls the screen until `pred` holds (at most 10 s).
    fn wait(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            if start.elapsed() > WAIT {
                panic!("timed out waiting for {what}; the screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_for(&self, needle: &str) -> String {
        self.wait(needle, |s| s.contains(needle))
    }

    fn pane_pid(&self) -> u32 {
        self.run(&["display-message", "-p", "-t", "p", "#{pane_pid}"])
            .trim()
            .parse()
            .expect("pane pid")
    }

    /// Waits until the session is gone (panelist exited).
    fn wait_exit(&self) {
        let start = Instant::now();
        while self
            .tmux()
            .args(["has-session", "-t", "p"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
        {
            if start.elapsed() > WAIT {
                panic!("panelist did not exit; the screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").output();
        if let Some(p) = self.socket_path.borrow_mut().take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// An application of the demo the demo expert has no conflict with, and a
/// piece of its lead unit's name that the search ranks it first for.
fn target() -> (String, String) {
    let (content, _) = panelist::demo::content().expect("demo content");
    let me = panelist::demo::demo_identity(&content.roster);
    let mut index = Index::new(&content.applications);
    for (i, a) in content.applications.iter().enumerate() {
        if conflict::find(&me.org, a).is_some() {
            continue;
        }
        let chars: Vec<char> = a.lead_unit.name.chars().collect();
        for len in [4usize, 5, 6, 3, 7, 8] {
            for start in (1..chars.len().saturating_sub(len)).chain([0]) {
                let piece: String = chars[start..start + len].iter().collect();
                if piece.trim().chars().count() != len {
                    continue;
                }
                let ranked = index.rank(&piece);
                if ranked.first() == Some(&i) {
                    return (a.id.clone(), piece);
                }
            }
        }
    }
    panic!("no demo application can be found by part of its lead unit's name");
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
    assert!(s.contains("recommend: recommend"), "{s}");
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
    let out = Command::new(common::bin())
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
    let s = common::Scratch::new();
    let path = s.path("wc.bundle");
    drop(common::working_copy(&path, 3));
    let p = path.display().to_string();
    let r = s.run(&["open", &p, "--as", "E02"]);
    r.assert_error(&["belongs to expert E01", "E02"]);
    // The owner itself gets as far as the terminal check.
    let r = s.run(&["open", &p, "--as", "E01"]);
    r.assert_error(&["need a terminal"]);
    // An unclaimed bundle and an id not on the roster.
    let t = s.path("template.bundle");
    panelist::store::Bundle::create(&t, &common::content(3), "组", &common::clock(), false)
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
        &common::content(5),
        "测试组",
        &common::clock(),
        false,
    )
    .expect("create");
    let t = Tmux::new(&home, "open");
    t.start(&["open", &path.display().to_string()]);
    // No owner and no --as: the identity picker.
    t.wait_for("Who are you?");
    t.keys(&["Enter"]);
    t.wait_for("E01 测试专家");
    t.keys(&["q"]);
    t.wait_exit();
    let b = Bundle::open_read(&path).expect("open");
    assert_eq!(b.owner().unwrap().map(|o| o.id), Some("E01".into()));
}

#[test]
fn the_terminal_is_restored_on_quit() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let t = Tmux::new(&home, "restore");
    // A shell runs panelist, then prints a marker: the shell's screen must
    // come back (alternate screen left) once panelist quits.
    let bin = common::bin();
    let cmd = format!(
        "PANELIST_HOME={} PANELIST_NOW={NOW} PANELIST_LANG=en {} demo; echo back-at-the-shell; stty -a | grep -o ' icanon' ; sleep 30",
        home.display(),
        bin.display()
    );
    t.run(&[
        "new-session",
        "-d",
        "-s",
        "p",
        "-x",
        "100",
        "-y",
        "30",
        "sh",
        "-c",
        &cmd,
    ]);
    t.remember_socket();
    t.wait_for("Applications");
    t.keys(&["q"]);
    let s = t.wait_for("back-at-the-shell");
    assert!(
        !s.contains("Applications"),
        "the alternate screen is gone:\n{s}"
    );
    t.wait_for(" icanon");
}
