//! The real binary in a scratch PANELIST_HOME: [`Scratch`] runs it with a
//! fixed language and clock, [`Run`] holds what it did, and the checks of
//! the one-line error contract and of inert output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_panelist"))
}

/// A scratch directory that also serves as PANELIST_HOME.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }
    /// A scratch folder for a fixture kept in a `static` (never dropped, so
    /// never removed when the tests end): under cargo's target tmp folder,
    /// in a folder named `name` that the next run empties first, so that
    /// repeated runs do not pile up temporary folders.
    pub fn for_fixture(name: &str) -> Scratch {
        let parent = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        let _ = std::fs::remove_dir_all(&parent);
        std::fs::create_dir_all(&parent).expect("fixture folder");
        Scratch {
            dir: tempfile::tempdir_in(&parent).expect("temp dir"),
        }
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(bin());
        c.env("PANELIST_HOME", self.dir.path().join("home"))
            .env("PANELIST_LANG", "en")
            .env("PANELIST_NOW", "2024-03-01T09:00:00Z")
            // Times in text are local: a fixed zone.
            .env("TZ", "CST-8")
            .env_remove("PANELIST_PASSPHRASE_FILE");
        c
    }
    pub fn run(&self, args: &[&str]) -> Run {
        let out = self.cmd().args(args).output().expect("run panelist");
        Run::from(out)
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Asserts the one-line error contract: exit 2, one line on stderr
    /// containing every fragment, no panic.
    pub fn assert_error(&self, fragments: &[&str]) {
        assert_eq!(self.code, 2, "exit code; stderr: {}", self.stderr);
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line expected: {:?}", self.stderr);
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        for f in fragments {
            assert!(
                self.stderr.contains(f),
                "stderr {:?} lacks {:?}",
                self.stderr,
                f
            );
        }
    }
}

/// The first character of `s` that must not reach a terminal as itself:
/// ESC and every other C0 control but tab and line feed, DEL, the C1
/// controls (U+0080–U+009F, which some terminals obey as CSI and OSC), and
/// the bidi, invisible and separator characters of
/// `panelist::domain::text::is_dangerous`.
pub fn first_dangerous(s: &str) -> Option<u32> {
    s.chars()
        .find(|&c| {
            (c.is_control() && c != '\n' && c != '\t') || panelist::domain::text::is_dangerous(c)
        })
        .map(|c| c as u32)
}

/// Asserts that a command's output holds no terminal control character.
pub fn assert_inert(what: &str, r: &Run) {
    for (name, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
        if let Some(c) = first_dangerous(text) {
            panic!("{what}: U+{c:04X} on {name}: {text:?}");
        }
    }
}
