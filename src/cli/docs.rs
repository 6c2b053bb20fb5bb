//! `panelist completions SHELL` and `panelist man [-o DIR]`: shell
//! completion scripts and manual pages, both from the clap definitions of
//! [`super::Cli`].

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::Args;
use clap_complete::Shell;

use super::Ctx;
use super::print;
use crate::exit;

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Args, Debug)]
pub struct ManArgs {
    /// The folder to write panelist.1 and the subcommands' pages to (made if missing).
    #[arg(short, long, value_name = "DIR", default_value = ".")]
    pub output: PathBuf,
}

/// Prints the completion script of `a.shell` on stdout.
pub fn completions(a: &CompletionsArgs, _ctx: &Ctx) -> Result<u8> {
    let mut cmd = super::command();
    let mut script = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "panelist", &mut script);
    print::bytes(&script);
    Ok(exit::OK)
}

/// Writes `panelist.1` and one page per visible subcommand
/// (`panelist-bundle-new.1`, …) into `a.output`, naming each file written.
pub fn man(a: &ManArgs, _ctx: &Ctx) -> Result<u8> {
    std::fs::create_dir_all(&a.output)
        .with_context(|| format!("{}: cannot make the folder", a.output.display()))?;
    let mut cmd = super::command().disable_help_subcommand(true);
    cmd.build();
    write_pages(&cmd, &a.output)?;
    Ok(exit::OK)
}

fn write_pages(cmd: &clap::Command, dir: &Path) -> Result<()> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut page = Vec::new();
    man.render(&mut page)?;
    let path = dir.join(man.get_filename());
    crate::support::fs::write_atomic(&path, &page)?;
    print::line(crate::domain::text::inert_path(&path));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, dir)?;
    }
    Ok(())
}
