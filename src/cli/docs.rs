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
/// Every page is rendered and every target checked before any is written.
pub fn man(a: &ManArgs, _ctx: &Ctx) -> Result<u8> {
    let mut cmd = super::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    render_pages(&cmd, &a.output, &mut pages)?;
    if !a.output.exists() {
        std::fs::create_dir_all(&a.output)
            .with_context(|| format!("{}: cannot make the folder", a.output.display()))?;
    }
    let targets: Vec<&Path> = pages.iter().map(|(p, _)| p.as_path()).collect();
    crate::support::fs::check_outputs(&[], &targets)?;
    for (path, page) in &pages {
        crate::support::fs::write_atomic(path, page)?;
        print::line(crate::domain::text::inert_path(path));
    }
    Ok(exit::OK)
}

fn render_pages(cmd: &clap::Command, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) -> Result<()> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut page = Vec::new();
    man.render(&mut page)?;
    out.push((dir.join(man.get_filename()), page));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        render_pages(sub, dir, out)?;
    }
    Ok(())
}
