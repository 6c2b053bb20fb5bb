//! The command line: clap definitions (one `Args` struct per command;
//! shared arguments and value enums in [`args`]), one file per command
//! family, each with `run(args, ctx) -> Result<u8>`, and [`print`], the one
//! way output reaches stdout. Only this module knows clap.

pub mod args;
pub mod audit;
pub mod bundle;
pub mod combine;
pub mod dev;
pub mod docs;
pub mod export;
pub mod help_zh;
pub mod keys;
pub mod merge;
pub mod paper;
pub mod print;
pub mod roster;
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
    /// The chair's roster: start it from a bundle, add each person's key, mark the chair, list, check.
    #[command(subcommand)]
    Roster(roster::RosterCmd),
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
    /// Combine every panel's signed merged result of a call: verify, check the rules across panels, rank nationally, propose the list, sign (the ministry).
    Combine(combine::CombineArgs),
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

/// How an error line starts, in the language of the run.
pub fn error_prefix() -> &'static str {
    crate::tr!("panelist：错误：", "panelist: error: ")
}

/// An error as one line, `context: cause: …`, each part in the language
/// of the run (the store's errors have their Chinese text apart).
pub fn error_text(e: &anyhow::Error) -> String {
    if !crate::support::lang::current().is_zh() {
        return format!("{e:#}");
    }
    e.chain()
        .map(|c| match c.downcast_ref::<crate::store::StoreError>() {
            Some(s) => s.zh(),
            None => c.to_string(),
        })
        .collect::<Vec<_>>()
        .join("：")
}

/// The clap definition of the whole command line (for completions and
/// manual pages).
pub fn command() -> clap::Command {
    Cli::command()
}

/// Parses the command line and runs the command: its exit code, or the
/// error `main` reports.
pub fn run() -> Result<u8> {
    use clap::FromArgMatches;
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Help and usage in Chinese when the run is (clap prints them while
    // parsing, before `--lang` is known).
    let cli = if help_zh::wants_zh(&argv) {
        let m = help_zh::localize(Cli::command())
            .try_get_matches_from(&argv)
            .unwrap_or_else(|e| help_zh::exit_with(e));
        Cli::from_arg_matches(&m).unwrap_or_else(|e| help_zh::exit_with(e))
    } else {
        Cli::parse_from(&argv)
    };
    let lang_flag = cli.lang.map(Lang::from);
    crate::support::lang::set_current(lang(lang_flag));
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
        Command::Roster(c) => roster::run(c, ctx),
        Command::Score(a) => keys::score(a, ctx),
        Command::Recuse(a) => keys::recuse(a, ctx),
        Command::Export(a) => export::export(a, ctx),
        Command::Verify(a) => export::verify(a, ctx),
        Command::Show(a) => export::show(a, ctx),
        Command::Audit(a) => audit::run(a, ctx),
        Command::Merge(a) => merge::run(a, ctx),
        Command::Combine(a) => combine::run(a, ctx),
        Command::Paper(c) => paper::run(c, ctx),
        Command::Board(a) => screens::board(a, ctx),
        Command::Replay(a) => screens::replay(a, ctx),
        Command::Completions(a) => docs::completions(a, ctx),
        Command::Man(a) => docs::man(a, ctx),
        Command::Dev(c) => dev::run(c, ctx),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_visible_command_and_argument_has_chinese_help() {
        let cmd = super::command();
        let missing: Vec<String> = super::help_zh::keys(&cmd)
            .into_iter()
            .filter(|k| super::help_zh::lookup(k).is_none())
            .collect();
        assert!(missing.is_empty(), "no zh help for: {missing:#?}");
        // And the localized command line is a valid clap definition: the
        // help of every command is drawn.
        for k in super::help_zh::keys(&cmd)
            .iter()
            .filter(|k| !k.contains(':'))
        {
            let mut argv = vec!["panelist"];
            argv.extend(k.split(' '));
            argv.push("--help");
            let e = super::help_zh::localize(super::command())
                .try_get_matches_from(&argv)
                .expect_err("help");
            assert_eq!(e.kind(), clap::error::ErrorKind::DisplayHelp, "{k}: {e}");
            let text = e.render().to_string();
            assert!(text.contains("用法："), "{k}: {text}");
            assert!(
                !text.contains("Options:") && !text.contains("Usage:"),
                "{k}: {text}"
            );
        }
    }
}
