//! The command line: clap definitions (one `Args` struct per command;
//! shared arguments and value enums in [`args`]), one file per command
//! family, each with `run(args, ctx) -> Result<u8>`, and [`print`], the one
//! way output reaches stdout. Only this module knows clap.

pub mod args;
pub mod audit;
pub mod bundle;
pub mod dev;
pub mod docs;
pub mod export;
pub mod keys;
pub mod merge;
pub mod paper;
pub mod print;
pub mod screens;

use anyhow::Result;
use clap::{CommandFactory, Parser, Subcommand};

use crate::support::clock::Clock;
use crate::support::lang::Lang;

#[derive(Parser, Debug)]
#[command(
    name = "panelist",
    version,
    about = "Terminal workstation for expert review panels of the cybersecurity pilot-demonstration call (网络安全技术应用试点示范)",
    after_help = "Files live under PANELIST_HOME when it is set (tests, USB sticks).\nExit codes: 0 all good, 1 findings, 2 error."
)]
pub struct Cli {
    /// Language of messages and screens (default: from PANELIST_LANG or the locale).
    #[arg(long, global = true, value_enum)]
    pub lang: Option<args::LangArg>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Open the embedded demo panel as expert E01 (a working copy kept between runs).
    Demo(screens::DemoArgs),
    /// Open a working copy in the expert screens (read, recuse, score, comment).
    Open(screens::OpenArgs),
    /// Build, check and describe bundles.
    #[command(subcommand)]
    Bundle(bundle::BundleCmd),
    /// Make or show your signing key.
    #[command(subcommand)]
    Key(keys::KeyCmd),
    /// Score an application in your working copy, signed in with your key.
    Score(keys::ScoreArgs),
    /// Declare (or with --undo withdraw) a conflict of interest (回避).
    Recuse(keys::RecuseArgs),
    /// Write your signed scores file for the chair.
    Export(export::ExportArgs),
    /// Verify signed files against the roster (exit 0 all good, 1 any bad).
    Verify(export::VerifyArgs),
    /// Print a signed file's payload, decoded from its base64, as pretty JSON (no verification).
    Show(export::ShowArgs),
    /// Check working copies, exports and merged results against the roster and each other (exit 0 clean, 1 problems).
    Audit(audit::AuditArgs),
    /// Merge the experts' signed files: verify, aggregate, rank, sign (the chair).
    Merge(merge::MergeArgs),
    /// Print for signature: an expert's score sheet or the panel's summary, as PDF.
    #[command(subcommand)]
    Paper(paper::PaperCmd),
    /// The chair's board: rankings, score distributions, flags and expert statistics of a merged result.
    Board(screens::BoardArgs),
    /// Step through a working copy's or an export's scoring history: every event, its chain status, the sheet at any moment.
    Replay(screens::ReplayArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(docs::CompletionsArgs),
    /// Write the manual pages (panelist.1 and one per subcommand).
    #[command(hide = true)]
    Man(docs::ManArgs),
    /// Tools for benchmarks and the reliability suite.
    #[command(subcommand, hide = true)]
    Dev(dev::DevCmd),
}

/// What every command gets besides its arguments.
#[derive(Debug)]
pub struct Ctx {
    /// The language in force for this run.
    pub lang: Lang,
    /// `--lang` as given (the screens keep their saved language without it).
    pub lang_flag: Option<Lang>,
    pub clock: Clock,
}

/// The language in force for this run.
pub fn lang(cli_lang: Option<Lang>) -> Lang {
    cli_lang.or_else(Lang::from_env).unwrap_or_default()
}

/// The clap definition of the whole command line (for completions and
/// manual pages).
pub fn command() -> clap::Command {
    Cli::command()
}

/// Parses the command line and runs the command: its exit code, or the
/// error `main` reports.
pub fn run() -> Result<u8> {
    let cli = Cli::parse();
    let lang_flag = cli.lang.map(Lang::from);
    let ctx = Ctx {
        lang: lang(lang_flag),
        lang_flag,
        clock: Clock::from_env()?,
    };
    dispatch(&cli.command, &ctx)
}

fn dispatch(command: &Command, ctx: &Ctx) -> Result<u8> {
    match command {
        Command::Demo(a) => screens::demo(a, ctx),
        Command::Open(a) => screens::open(a, ctx),
        Command::Bundle(c) => bundle::run(c, ctx),
        Command::Key(c) => keys::key(c, ctx),
        Command::Score(a) => keys::score(a, ctx),
        Command::Recuse(a) => keys::recuse(a, ctx),
        Command::Export(a) => export::export(a, ctx),
        Command::Verify(a) => export::verify(a, ctx),
        Command::Show(a) => export::show(a, ctx),
        Command::Audit(a) => audit::run(a, ctx),
        Command::Merge(a) => merge::run(a, ctx),
        Command::Paper(c) => paper::run(c, ctx),
        Command::Board(a) => screens::board(a, ctx),
        Command::Replay(a) => screens::replay(a, ctx),
        Command::Completions(a) => docs::completions(a, ctx),
        Command::Man(a) => docs::man(a, ctx),
        Command::Dev(c) => dev::run(c, ctx),
    }
}
