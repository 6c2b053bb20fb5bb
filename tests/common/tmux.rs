//! tmux around the real binary: one server per test (its own socket,
//! killed at the end, pass or fail), the session's screen as text, keys
//! and text sent to it. tmux is required (bash .ci/run installs it).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The fixed clock of every session.
pub const NOW: &str = "2024-03-01T09:00:00Z";

/// One test at a time: a process spawned by one test inherits, until it
/// execs, the file descriptors another test holds open — the working copy's
/// writer lock included — which would make that lock look taken.
pub static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}
pub const WAIT: Duration = Duration::from_secs(10);

pub fn require_tmux() {
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
pub struct Tmux {
    socket: String,
    home: PathBuf,
    /// The socket file, removed at the end.
    socket_path: std::cell::RefCell<Option<PathBuf>>,
}

impl Tmux {
    pub fn new(home: &Path, name: &str) -> Tmux {
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

    pub fn run(&self, args: &[&str]) -> String {
        let out = self.tmux().args(args).output().expect("run tmux");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts `panelist ARGS` in a fresh 120×40 session.
    pub fn start(&self, args: &[&str]) {
        self.start_in(args, Some("en"));
    }

    /// [`Tmux::start`] with `PANELIST_LANG` set to `lang`, or not set at
    /// all (the configuration file decides).
    pub fn start_in(&self, args: &[&str], lang: Option<&str>) {
        self.start_env(args, lang, &[]);
    }

    /// [`Tmux::start_in`] with more `NAME=value` variables in the session.
    pub fn start_env(&self, args: &[&str], lang: Option<&str>, env: &[String]) {
        let bin = super::cli::bin();
        let cmd = format!("exec {} {}", bin.display(), args.join(" "));
        let home = format!("PANELIST_HOME={}", self.home.display());
        let now = format!("PANELIST_NOW={NOW}");
        // An empty PANELIST_LANG is as good as none.
        let lang_env = format!("PANELIST_LANG={}", lang.unwrap_or(""));
        let mut args: Vec<&str> = vec![
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
            &lang_env,
            "-e",
            "LANG=C.UTF-8",
            // Times on the screens in a fixed zone.
            "-e",
            "TZ=CST-8",
            // Keys made on the screens (and the demo's) at the cheapest cost.
            "-e",
            "PANELIST_KDF_PARAMS=m=256,t=1,p=1",
        ];
        for e in env {
            args.extend(["-e", e.as_str()]);
        }
        args.push(&cmd);
        self.run(&args);
        self.remember_socket();
    }

    /// Runs `panelist ARGS` from `sh` in a fresh 100×30 session, for checks
    /// of what panelist leaves behind on the shell's terminal: once it ends,
    /// the shell prints `exit=STATUS` and `stty: ` with the terminal's
    /// ` icanon` and ` echo` settings when they are on.
    pub fn shell_after(&self, args: &str) {
        // No backtrace: a panic's message stays a few lines, so the shell's
        // own lines are never scrolled over on the 30-row screen.
        let cmd = format!(
            "PANELIST_HOME={} PANELIST_NOW={NOW} PANELIST_LANG=en RUST_BACKTRACE=0 {} {args}; echo \"exit=$?\"; \
             printf 'stty:'; stty -a | grep -o ' icanon\\| echo ' | tr -d '\\n'; echo; sleep 30",
            self.home.display(),
            super::cli::bin().display()
        );
        self.run(&[
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
        self.remember_socket();
    }

    /// The shell's screen once panelist has ended (see [`Tmux::shell_after`]).
    pub fn back_at_the_shell(&self) -> String {
        // A shell, a panelist start and its exit under a loaded machine:
        // more time than one screen change.
        self.wait_within("the shell after panelist", WAIT * 3, |s| {
            s.contains("exit=") && s.contains("stty:")
        })
    }

    /// tmux's view of the pane: alternate screen, any-mouse reporting and
    /// cursor visibility, as `0|1` flags.
    pub fn modes(&self) -> String {
        self.run(&[
            "display-message",
            "-p",
            "-t",
            "p",
            "#{alternate_on} #{mouse_any_flag} #{cursor_flag}",
        ])
        .trim()
        .to_string()
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

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "p"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Types UTF-8 text as it is.
    pub fn text(&self, text: &str) {
        self.run(&["send-keys", "-t", "p", "-l", text]);
    }

    /// A left click at column `x`, row `y` of the pane (from 0), as the
    /// terminal reports it with mouse capture on: an SGR press and release.
    pub fn click(&self, x: usize, y: usize) {
        let (col, row) = (x + 1, y + 1);
        self.text(&format!("\x1b[<0;{col};{row}M\x1b[<0;{col};{row}m"));
    }

    pub fn screen(&self) -> String {
        self.tmux()
            .args(["capture-pane", "-p", "-t", "p"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }

    /// Polls the screen until `pred` holds (at most 10 s) on a settled
    /// screen: the same capture twice in a row, so a frame the terminal is
    /// still drawing is never judged.
    pub fn wait(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        self.wait_within(what, WAIT, pred)
    }

    /// [`Tmux::wait`] with its own limit.
    pub fn wait_within(&self, what: &str, limit: Duration, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        let mut last = String::new();
        loop {
            let s = self.screen();
            if pred(&s) && s == last {
                return s;
            }
            last = s.clone();
            if start.elapsed() > limit {
                panic!("timed out waiting for {what}; the screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_for(&self, needle: &str) -> String {
        self.wait(needle, |s| s.contains(needle))
    }

    pub fn pane_pid(&self) -> u32 {
        self.run(&["display-message", "-p", "-t", "p", "#{pane_pid}"])
            .trim()
            .parse()
            .expect("pane pid")
    }

    /// Waits until the session is gone (panelist exited).
    pub fn wait_exit(&self) {
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
