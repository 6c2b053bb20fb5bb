//! `panelist dev …`: tools for benchmarks and the reliability suite
//! (hidden from the help).

use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;

use super::Ctx;
use crate::exit;

#[derive(Subcommand, Debug)]
pub enum DevCmd {
    /// Write N generated applications as an application JSON file.
    Generate(GenerateArgs),
    /// Write a generated panel: bundle, roster and one signed export per expert.
    Panel(PanelArgs),
    /// Write a generated call: several panels merged and signed by their
    /// chairs, the ministry's roster and key, planted problems.
    Call(CallArgs),
    /// Take the terminal as the screens do, draw a frame, then panic: the
    /// end-to-end check that a panic gives the terminal back.
    ScreenPanic,
    /// Append random scores, printing one `ack` line per durable change.
    Soak(SoakArgs),
}

#[derive(clap::Args, Debug)]
pub struct GenerateArgs {
    #[arg(long, default_value_t = 10_000)]
    pub apps: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value = "2023")]
    pub call: String,
    #[arg(short, long)]
    pub output: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct PanelArgs {
    #[arg(long, default_value_t = 7)]
    pub experts: usize,
    #[arg(long, default_value_t = 60)]
    pub apps: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value_t = 2)]
    pub recuse_pct: u32,
    #[arg(short, long)]
    pub output: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct CallArgs {
    #[arg(long, default_value_t = 5)]
    pub panels: usize,
    /// Experts per panel.
    #[arg(long, default_value_t = 6)]
    pub experts: usize,
    /// Applications per panel.
    #[arg(long, default_value_t = 40)]
    pub apps: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(short, long)]
    pub output: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct SoakArgs {
    pub bundle: PathBuf,
    #[arg(long, default_value_t = 1000)]
    pub count: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

pub fn run(cmd: &DevCmd, ctx: &Ctx) -> Result<u8> {
    match cmd {
        DevCmd::Generate(a) => crate::support::fs::check_outputs(&[], &[&a.output])
            .and_then(|()| crate::dev::generate_apps(a.apps, a.seed, &a.call, &a.output)),
        DevCmd::Panel(a) => crate::dev::generate_panel(
            &a.output,
            a.experts,
            a.apps,
            a.seed,
            a.recuse_pct,
            &ctx.clock,
        ),
        DevCmd::Call(a) => crate::dev::call::generate_call(
            &a.output, a.panels, a.experts, a.apps, a.seed, &ctx.clock,
        ),
        DevCmd::Soak(a) => {
            // The expert's own key when the keys folder has one and a
            // passphrase file is named (PANELIST_PASSPHRASE_FILE), else one
            // made in memory for the soak.
            let key = if crate::keyring::list()?.is_empty()
                || std::env::var_os(crate::keyring::PASSPHRASE_FILE_ENV).is_none()
            {
                None
            } else {
                Some(crate::keyring::unlock(None, None)?)
            };
            crate::dev::soak(&a.bundle, a.count, a.seed, &ctx.clock, key)
        }
        DevCmd::ScreenPanic => crate::tui::screen_panic(),
    }
    .map(|()| exit::OK)
}
