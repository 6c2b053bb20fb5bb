//! A reusable crash harness for commands that write one output file
//! (`panelist export`, and the chair's merged result): run the command,
//! kill it with SIGKILL at a random moment, and check what is left at the
//! target path. It must be one of
//!
//! - nothing, when there was nothing before;
//! - the previous complete file, byte for byte;
//! - a new file that passes the caller's validity check —
//!
//! never a truncated or half-written file, and never the loss of a
//! previous file.
//!
//! Two calibration runs measure the command's running time and its write
//! window (from its temporary file appearing to its exit). Then, from a
//! seeded generator so a failure can be repeated, half the kills land at a
//! random moment of the whole run and half at a random moment of the write
//! window, found by watching the folder for the temporary file. A kill
//! that leaves the temporary file behind landed between its creation and
//! the rename over the target: those are counted as kills mid-write, and
//! the leftovers removed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use panelist::dev::generate::Rng;

/// Builds the command of run `i`.
pub type CommandFn<'a> = Box<dyn FnMut(u64) -> Command + 'a>;
/// Judges the bytes left at the target: `Ok`, or why they are not a
/// complete output.
pub type ValidFn<'a> = Box<dyn Fn(&[u8]) -> Result<(), String> + 'a>;

/// What to run and how to judge its output.
pub struct KillTest<'a> {
    /// The file the command writes; alone in its folder, so that anything
    /// else appearing there is the command's temporary file.
    pub target: PathBuf,
    /// How many kills.
    pub runs: u64,
    /// Seed of the kill moments (and of which runs start without a file).
    pub seed: u64,
    /// The command of run `i`. Each run should write different content
    /// (a different time, say) so a new file can be told from the old one.
    pub command: CommandFn<'a>,
    /// Whether the bytes are a complete, valid output (the reason if not).
    pub valid: ValidFn<'a>,
}

/// What the kills left behind.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct KillReport {
    pub runs: u64,
    /// No file before, none after.
    pub absent: u64,
    /// The previous complete file, unchanged.
    pub kept_previous: u64,
    /// A new complete, valid file.
    pub replaced: u64,
    /// The command had already finished when the kill came.
    pub finished_first: u64,
    /// Kills that left a temporary file: they landed mid-write.
    pub mid_write: u64,
    /// Mean duration of a whole run (calibration).
    pub run_time: Duration,
    /// Mean time from the temporary file appearing to the command's exit.
    pub write_window: Duration,
}

impl std::fmt::Display for KillReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} kills over a {:.1} ms command writing for {:.1} ms: {} mid-write (temporary file left), {} kept the previous file, {} left a new complete file, {} left no file where there was none, {} after the command had finished",
            self.runs,
            self.run_time.as_secs_f64() * 1000.0,
            self.write_window.as_secs_f64() * 1000.0,
            self.mid_write,
            self.kept_previous,
            self.replaced,
            self.absent,
            self.finished_first
        )
    }
}

fn names(dir: &Path) -> BTreeSet<PathBuf> {
    std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

/// Watches `dir` until a file other than `target` and those in `before`
/// appears, or the child exits, or `limit` passes. Returns whether it
/// appeared.
fn wait_for_temp(
    dir: &Path,
    target: &Path,
    before: &BTreeSet<PathBuf>,
    child: &mut std::process::Child,
    limit: Duration,
) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if names(dir)
            .iter()
            .any(|p| p.as_path() != target && !before.contains(p))
        {
            return true;
        }
        if matches!(child.try_wait(), Ok(Some(_))) {
            return false;
        }
        std::thread::sleep(Duration::from_micros(20));
    }
    false
}

/// Kill-tests `t`; panics with the run number and what was found when the
/// target is ever left truncated, invalid or lost.
pub fn kill_at_random_points(mut t: KillTest) -> KillReport {
    let dir = t
        .target
        .parent()
        .expect("target has a folder")
        .to_path_buf();
    std::fs::create_dir_all(&dir).expect("target folder");
    let before: BTreeSet<PathBuf> = names(&dir);
    let mut report = KillReport {
        runs: t.runs,
        ..KillReport::default()
    };

    // Calibrate: two whole runs, each must succeed with a valid file.
    let mut total = Duration::ZERO;
    let mut window = Duration::ZERO;
    for i in 0..2 {
        let start = Instant::now();
        let mut child = (t.command)(u64::MAX - i)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn calibration run");
        let limit = Duration::from_secs(60);
        let saw = wait_for_temp(&dir, &t.target, &before, &mut child, limit);
        let seen = Instant::now();
        let status = child.wait().expect("calibration run");
        total += start.elapsed();
        if saw {
            window += seen.elapsed();
        }
        assert!(status.success(), "calibration run failed: {status}");
        let bytes = std::fs::read(&t.target).expect("calibration run wrote the target");
        if let Err(e) = (t.valid)(&bytes) {
            panic!("calibration output is not valid: {e}");
        }
    }
    report.run_time = total / 2;
    report.write_window = window / 2;
    let run_us = (report.run_time.as_micros() as usize).max(1) * 11 / 10;
    let window_us = (report.write_window.as_micros() as usize).max(1) * 11 / 10;

    let mut rng = Rng::new(t.seed);
    for run in 0..t.runs {
        // A quarter of the runs start with no file at all.
        if rng.below(4) == 0 {
            let _ = std::fs::remove_file(&t.target);
        }
        let previous = std::fs::read(&t.target).ok();
        let mut child = (t.command)(run)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        if rng.below(2) == 0 {
            std::thread::sleep(Duration::from_micros(rng.below(run_us) as u64));
        } else {
            let limit = report.run_time * 3;
            if wait_for_temp(&dir, &t.target, &before, &mut child, limit) {
                std::thread::sleep(Duration::from_micros(rng.below(window_us) as u64));
            }
        }
        if matches!(child.try_wait(), Ok(Some(_))) {
            report.finished_first += 1;
        } else {
            child.kill().expect("SIGKILL");
        }
        let _ = child.wait();

        let leftovers: Vec<PathBuf> = names(&dir)
            .into_iter()
            .filter(|p| *p != t.target && !before.contains(p))
            .collect();
        if !leftovers.is_empty() {
            report.mid_write += 1;
            for p in &leftovers {
                let _ = std::fs::remove_file(p);
            }
        }
        match (std::fs::read(&t.target).ok(), previous) {
            (None, None) => report.absent += 1,
            (None, Some(_)) => panic!("run {run}: the previous complete file was lost"),
            (Some(now), Some(prev)) if now == prev => report.kept_previous += 1,
            (Some(now), _) => match (t.valid)(&now) {
                Ok(()) => report.replaced += 1,
                Err(e) => panic!(
                    "run {run}: the target holds {} bytes that are not a complete file: {e}",
                    now.len()
                ),
            },
        }
    }
    report
}
