//! Stage timings of a merge (and of an audit of a working copy) for
//! whoever measures it: with `BENCH_VERBOSE` set, each stage's wall time,
//! the process's resident memory and its peak so far go to stderr, one
//! line per stage. Silent otherwise, and never part of the results.

use std::time::Instant;

/// A stopwatch of a merge's stages.
pub struct Stages {
    on: bool,
    start: Instant,
    last: Instant,
}

impl Stages {
    /// On when `BENCH_VERBOSE` is set (to anything).
    pub fn new() -> Stages {
        // One origin for the whole process: the stages of the merge and of
        // the writing read as one timeline.
        static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
        let now = Instant::now();
        Stages {
            on: std::env::var_os("BENCH_VERBOSE").is_some(),
            start: *START.get_or_init(|| now),
            last: now,
        }
    }

    /// Ends the stage `name`: its time, the total so far and the memory.
    pub fn mark(&mut self, name: &str) {
        if !self.on {
            return;
        }
        let now = Instant::now();
        let (rss, peak) = memory_kb();
        eprintln!(
            "stage {name:<12} {:>7.3} s  (at {:>7.3} s)  rss {:>7.1} MB  peak {:>7.1} MB",
            (now - self.last).as_secs_f64(),
            (now - self.start).as_secs_f64(),
            rss as f64 / 1e3,
            peak as f64 / 1e3,
        );
        self.last = now;
    }
}

impl Default for Stages {
    fn default() -> Stages {
        Stages::new()
    }
}

/// VmRSS and VmHWM of this process in kB (0 where /proc does not say).
fn memory_kb() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
