//! `panelist export` and `panelist verify`.

use std::path::PathBuf;

use anyhow::{Result, anyhow};
use clap::Args;

use crate::cli_keys::KeyArgs;
use crate::domain::text::{inert_line, inert_path};
use crate::exit;
use crate::support::clock::Clock;
use crate::verify::{self, BundleFacts, Context};

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

pub fn export(a: ExportArgs, clock: &Clock) -> Result<u8> {
    let key = crate::keyring::unlock(a.key.key.as_deref(), a.key.passphrase_file.as_deref())?;
    let s = super::export_bundle(&a.bundle, &key, &a.output, a.allow_incomplete, clock)?;
    println!(
        "{}: expert {} ({}), key {}, {} events, {}{}",
        inert_path(&s.path),
        s.expert,
        inert_line(&s.expert_name),
        crate::crypto::short_id(&s.key_id),
        s.events,
        s.counts.line(),
        if s.partial { " (partial)" } else { "" }
    );
    Ok(exit::OK)
}

/// Reads a signed file with the size limit of any input.
fn read_file(path: &std::path::Path) -> Result<String> {
    const MAX: u64 = 256 * 1024 * 1024;
    let p = path.display();
    let md = std::fs::metadata(path)
        .map_err(|e| anyhow!("{p}: cannot read: {}", crate::import::io_msg(&e)))?;
    if md.is_dir() {
        return Err(anyhow!("{p}: is a directory"));
    }
    if md.len() > MAX {
        return Err(anyhow!("{p}: larger than {} MiB", MAX >> 20));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| anyhow!("{p}: cannot read: {}", crate::import::io_msg(&e)))?;
    String::from_utf8(bytes)
        .map_err(|e| anyhow!("{p}: not UTF-8 (byte {})", e.utf8_error().valid_up_to()))
}

pub fn verify(a: VerifyArgs) -> Result<u8> {
    let roster = crate::import::read_roster(&a.roster)?;
    verify::check_roster(&roster).map_err(|m| anyhow!("{}: {m}", a.roster.display()))?;
    let facts = match &a.bundle {
        Some(p) => Some(BundleFacts::read(p)?),
        None => None,
    };
    let ctx = Context {
        roster: &roster,
        bundle: facts.as_ref(),
    };
    let mut code = exit::OK;
    for f in &a.files {
        let name = inert_path(f);
        let text = match read_file(f) {
            Ok(t) => t,
            Err(e) => {
                // A file that cannot be read is an error, not a verdict.
                eprintln!("panelist: error: {}", inert_line(&format!("{e:#}")));
                code = exit::ERROR;
                continue;
            }
        };
        match verify::verify_text(&text, &ctx) {
            Ok(v) => println!("OK  {name}  {}", v.summary),
            Err(reason) => {
                println!("BAD {name}  {}", inert_line(&reason.message));
                if code == exit::OK {
                    code = exit::FINDINGS;
                }
            }
        }
    }
    Ok(code)
}
