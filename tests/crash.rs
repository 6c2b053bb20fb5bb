//! Crash tests.
//!
//! - A scoring session is killed with SIGKILL at random points; every
//!   change that was acknowledged must be there afterwards, the database
//!   sound and the chain intact. `PANELIST_CRASH_RUNS` kills (default 100).
//! - `panelist export` is killed at random points while it writes the
//!   signed file (the harness in tests/common/sigkill.rs); the target must
//!   be absent, the previous complete file or a new file that verifies.
//!   `PANELIST_CRASH_EXPORT_RUNS` kills (default 40).
//!
//! The full runs documented in RELIABILITY.md are
//! `PANELIST_CRASH_RUNS=1000 PANELIST_CRASH_EXPORT_RUNS=200 cargo test
//! --test crash -- --nocapture`.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use common::bundle::working_copy;
use common::cli::Scratch;
use common::sigkill::{KillTest, kill_at_random_points};
use panelist::dev::generate::Rng;
use panelist::domain::history::{self, Change};
use panelist::store::Bundle;
use panelist::verify::{Context, verify_text};

fn runs() -> u64 {
    std::env::var("PANELIST_CRASH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
}

#[test]
fn acknowledged_scores_survive_sigkill() {
    let s = Scratch::new();
    let path = s.path("wc.bundle");
    drop(working_copy(&path, 40));
    let mut rng = Rng::new(2024);
    // seq → (app, criterion, value) of every acknowledged change so far.
    let mut acked: BTreeMap<u64, (String, String, i64)> = BTreeMap::new();
    let mut mid_write_kills = 0;
    for run in 0..runs() {
        let mut child = s
            .cmd()
            .args([
                "dev",
                "soak",
                &path.display().to_string(),
                "--count",
                "100000",
            ])
            .arg("--seed")
            .arg(run.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn soak");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // Wait for a random number of acknowledgements (0..40), then a
        // random extra delay so the kill lands anywhere, also mid-commit.
        let want = rng.below(40);
        let mut seen = Vec::new();
        while seen.len() < want {
            match rx.recv_timeout(Duration::from_secs(20)) {
                Ok(line) => seen.push(line),
                Err(_) => break,
            }
        }
        std::thread::sleep(Duration::from_micros(rng.below(3000) as u64));
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        let _ = reader.join();
        for line in seen.into_iter().chain(rx.try_iter()) {
            let p: Vec<&str> = line.split(' ').collect();
            assert_eq!(p[0], "ack", "{line}");
            let seq: u64 = p[1].parse().expect("seq");
            acked.insert(
                seq,
                (p[2].into(), p[3].into(), p[4].parse().expect("value")),
            );
        }
        // Reopen like the expert would, and check everything.
        let b = Bundle::open_read(&path).expect("reopens after kill");
        assert_eq!(b.integrity_check().expect("check"), "ok", "run {run}");
        let head = b
            .verify_chain()
            .expect("read")
            .expect("chain verifies after kill");
        let events = b.history().expect("history");
        if head.size > acked.keys().last().copied().unwrap_or(0) {
            mid_write_kills += 1;
        }
        for (seq, (app, c, v)) in &acked {
            let e = events
                .get(*seq as usize - 1)
                .unwrap_or_else(|| panic!("acked seq {seq} lost"));
            assert_eq!(
                e.change,
                Change::Score {
                    app: app.clone(),
                    criterion: c.clone(),
                    value: Some(*v)
                },
                "seq {seq}"
            );
        }
        let replayed =
            history::replay(&b.rubric, |a| b.has_application(a), &events).expect("replay");
        assert_eq!(
            replayed,
            b.sheet().expect("sheet"),
            "sheet matches history after run {run}"
        );
    }
    assert!(!acked.is_empty(), "the soak acknowledged changes");
    // Kills between commit and acknowledgement are allowed to keep the
    // change; they show the kills landed in the middle of writes.
    eprintln!(
        "crash runs: {}, acked: {}, kills after an unannounced commit: {mid_write_kills}",
        runs(),
        acked.len()
    );
}

fn export_runs() -> u64 {
    std::env::var("PANELIST_CRASH_EXPORT_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40)
}

#[test]
fn a_killed_export_leaves_the_previous_file_or_a_whole_new_one() {
    let p = common::panel::Panel::new("ed25519", 40);
    // A long history makes a file of some size, so kills land while it is
    // being written too.
    let r = p.run(&["dev", "soak", p.bundle_str(), "--count", "1500"]);
    assert_eq!(r.code, 0, "soak: {}", r.stderr);
    let roster = vec![p.roster_entry()];
    let target = p.s.path("out/E01.json");
    let target_s = target.display().to_string();
    let report = kill_at_random_points(KillTest {
        target: target.clone(),
        runs: export_runs(),
        seed: 8,
        command: Box::new(|run| {
            // Each run signs at another time, so its file differs.
            let mut c = p.s.cmd();
            c.env("PANELIST_KDF_PARAMS", common::panel::FAST_KDF)
                .env("PANELIST_PASSPHRASE_FILE", &p.pass)
                .env(
                    "PANELIST_NOW",
                    format!("2024-03-02T{:02}:{:02}:00Z", run % 24, run / 24 % 60),
                )
                .args([
                    "export",
                    p.bundle_str(),
                    "-o",
                    &target_s,
                    "--allow-incomplete",
                ]);
            c
        }),
        valid: Box::new(|bytes| {
            let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
            let ctx = Context {
                roster: &roster,
                bundle: None,
            };
            verify_text(text, &ctx)
                .map(|_| ())
                .map_err(|e| e.to_string())
        }),
    });
    eprintln!("export crash test: {report}");
    assert_eq!(
        report.absent + report.kept_previous + report.replaced,
        report.runs
    );
}
