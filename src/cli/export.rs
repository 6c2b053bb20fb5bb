//! `panelist export` and `panelist verify`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::Ctx;
use super::args::KeyArgs;
use super::print;
use crate::domain::text::{inert_line, inert_path};
use crate::exit;
use crate::verify::{self, Context};

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Your working copy.
    pub bundle: PathBuf,
    /// The signed file to write (JSON).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Export even if some applications are neither complete nor recused
    /// (the file is then marked partial).
    #[arg(long)]
    pub allow_incomplete: bool,
    #[command(flatten)]
    pub key: KeyArgs,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Signed files (experts' exports, or a merged result).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The panel roster with public keys: a JSON array of entries, or a
    /// bundle whose roster carries them.
    #[arg(long)]
    pub roster: PathBuf,
    /// Also check that each file scores this bundle (digest, id, rubric,
    /// applications).
    #[arg(long)]
    pub bundle: Option<PathBuf>,
}

pub fn export(a: &ExportArgs, ctx: &Ctx) -> Result<u8> {
    let key = a.key.unlock()?;
    let s =
        crate::export::export_bundle(&a.bundle, &key, &a.output, a.allow_incomplete, &ctx.clock)?;
    print::line(format_args!(
        "{}: expert {} ({}), key {}, {} events, {}{}",
        inert_path(&s.path),
        s.expert,
        inert_line(&s.expert_name),
        crate::crypto::short_id(&s.key_id),
        s.events,
        s.counts.line(),
        if s.partial { " (partial)" } else { "" }
    ));
    Ok(exit::OK)
}

/// Exit 0 when every file verifies, 1 when any is bad, 2 when any cannot
/// be read (each reported on its own line).
pub fn verify(a: &VerifyArgs, _ctx: &Ctx) -> Result<u8> {
    let roster = crate::verify::read_checked_roster(&a.roster)?;
    let facts = crate::verify::read_bundle_facts(a.bundle.as_deref())?;
    let ctx = Context {
        roster: &roster,
        bundle: facts.as_ref(),
    };
    let mut code = exit::OK;
    for f in &a.files {
        let name = inert_path(f);
        let text = match crate::export::read_signed_file(f) {
            Ok(t) => t,
            Err(e) => {
                // A file that cannot be read is an error, not a verdict.
                eprintln!("panelist: error: {}", inert_line(&format!("{e:#}")));
                code = exit::ERROR;
                continue;
            }
        };
        match verify::verify_text(&text, &ctx) {
            Ok(v) => print::line(format_args!("OK  {name}  {}", v.summary)),
            Err(reason) => {
                print::line(format_args!("BAD {name}  {}", inert_line(&reason.message)));
                if code == exit::OK {
                    code = exit::FINDINGS;
                }
            }
        }
    }
    Ok(code)
}
