//! Hidden developer commands used by the benchmarks and the reliability
//! suite: generate a large panel, and append scores in a loop announcing
//! each durable one (the crash test kills this process at random points).

use std::io::Write;
use std::path::Path;

use anyhow::{Result, bail};

use crate::clock::Clock;
use crate::domain::catalog::shipped_catalog;
use crate::domain::history::Change;
use crate::generate::{self, Rng};
use crate::store::{Bundle, Identity};

/// Writes `n` generated applications as an application JSON file.
pub fn generate_apps(n: usize, seed: u64, call: &str, out: &Path) -> Result<()> {
    let catalog = shipped_catalog(call).map_err(anyhow::Error::msg)?;
    let apps = generate::applications(&catalog, n, seed);
    let v = serde_json::json!({
        "call": call,
        "panel": format!("生成评审组（{n}项）"),
        "applications": apps,
    });
    crate::fsutil::write_atomic(out, serde_json::to_string(&v)?.as_bytes())
}

/// Appends `count` random valid score changes, printing
/// `ack SEQ APP CRITERION VALUE` after each returns (that is, once durable).
pub fn soak(path: &Path, count: u64, seed: u64, clock: &Clock) -> Result<()> {
    let mut b = Bundle::open_write(path)?;
    if b.owner()?.is_none() {
        b.claim(&Identity {
            id: "E01".into(),
            name: "压力测试".into(),
            org: "测试".into(),
            key_id: None,
        })?;
    }
    let apps: Vec<String> = b.applications()?.into_iter().map(|a| a.id).collect();
    if apps.is_empty() {
        bail!("{}: no applications", path.display());
    }
    let crit: Vec<(String, i64, i64)> = b
        .rubric
        .criteria
        .iter()
        .map(|c| (c.key.clone(), c.min, c.max))
        .collect();
    let mut r = Rng::new(seed);
    let out = std::io::stdout();
    let mut out = out.lock();
    for _ in 0..count {
        let app = r.pick(&apps).clone();
        let (key, lo, hi) = r.pick(&crit).clone();
        let v = lo + r.below((hi - lo + 1) as usize) as i64;
        let ev = b.append(
            Change::Score {
                app: app.clone(),
                criterion: key.clone(),
                value: Some(v),
            },
            clock,
        )?;
        writeln!(out, "ack {} {app} {key} {v}", ev.seq)?;
        out.flush()?;
    }
    Ok(())
}
