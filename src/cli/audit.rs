//! `panelist audit`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::Ctx;
use super::print;
use crate::exit;

#[derive(Args, Debug)]
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
pub fn run(a: &AuditArgs, ctx: &Ctx) -> Result<u8> {
    if let Some(report) = &a.report {
        let mut inputs: Vec<&std::path::Path> = a.files.iter().map(|f| f.as_path()).collect();
        inputs.push(&a.roster);
        inputs.extend(a.bundle.as_deref());
        crate::support::fs::check_outputs(&inputs, &[report])?;
    }
    let result = crate::audit::audit_files(&a.files, &a.roster, a.bundle.as_deref())?;
    if let Some(p) = &a.report {
        let md = crate::audit::report::markdown(&result, ctx.lang, &ctx.clock.stamp());
        crate::support::fs::write_atomic(p, md.as_bytes())?;
    }
    if a.json {
        let v = serde_json::json!({
            "files": result.files,
            "findings": result.findings,
            "problems": result.problems(),
        });
        print::line(serde_json::to_string_pretty(&v)?);
    } else {
        print::text(crate::audit::report::text(&result, ctx.lang));
    }
    Ok(if result.problems() == 0 {
        exit::OK
    } else {
        exit::FINDINGS
    })
}
