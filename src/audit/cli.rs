//! `panelist audit`.

use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};

use crate::exit;
use crate::support::clock::Clock;
use crate::support::lang::Lang;
use crate::verify::{self, BundleFacts};

#[derive(clap::Args, Debug)]
pub struct AuditArgs {
    /// Working copies (.bundle), signed exports and merged results, in any mix.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The panel roster (JSON array) or a bundle whose roster carries the keys.
    #[arg(long)]
    pub roster: PathBuf,
    /// The panel's bundle, to check every digest against.
    #[arg(long)]
    pub bundle: Option<PathBuf>,
    /// Findings as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Also write a Markdown report to this file.
    #[arg(long)]
    pub report: Option<PathBuf>,
}

/// Exit 0 when no problem was found (notices allowed), 1 on problems.
pub fn run(a: AuditArgs, lang: Lang, clock: &Clock) -> Result<u8> {
    let roster = crate::import::read_roster(&a.roster)?;
    verify::check_roster(&roster).map_err(|m| anyhow!("{}: {m}", a.roster.display()))?;
    let facts = match &a.bundle {
        Some(p) => Some(BundleFacts::read(p)?),
        None => None,
    };
    for f in &a.files {
        if !f.exists() {
            bail!("{}: no such file", f.display());
        }
    }
    let result = super::audit(&a.files, &roster, facts.as_ref());
    if let Some(p) = &a.report {
        let md = super::report::markdown(&result, lang, &clock.stamp());
        crate::support::fs::write_atomic(p, md.as_bytes())?;
    }
    if a.json {
        let v = serde_json::json!({
            "files": result.files,
            "findings": result.findings,
            "problems": result.problems(),
        });
        crate::outln!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print!("{}", super::report::text(&result, lang));
    }
    Ok(if result.problems() == 0 {
        exit::OK
    } else {
        exit::FINDINGS
    })
}
