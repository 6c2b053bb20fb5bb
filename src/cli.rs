//! The command line: clap subcommands, each calling one library function
//! and printing its result.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand};

use crate::domain::catalog::{default_rubric, shipped_catalog};
use crate::domain::content::Content;
use crate::domain::history::Status;
use crate::domain::rules::{self, Finding};
use crate::domain::text::{inert_line, inert_path};
use crate::exit;
use crate::import::{self, Encoding};
use crate::store::Bundle;
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
    pub lang: Option<Lang>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Open the embedded demo panel as expert E01 (a working copy kept between runs).
    Demo {
        /// Start over from the embedded demo bundle.
        #[arg(long)]
        fresh: bool,
    },
    /// Open a working copy in the expert screens (read, recuse, score, comment).
    Open {
        /// The bundle: an expert's working copy.
        bundle: PathBuf,
        /// Your expert id from the panel roster, when the copy is not yet yours.
        #[arg(long = "as", value_name = "EXPERT_ID")]
        expert: Option<String>,
    },
    /// Build, check and describe bundles.
    #[command(subcommand)]
    Bundle(BundleCmd),
    /// Make or show your signing key.
    #[command(subcommand)]
    Key(crate::cli_keys::KeyCmd),
    /// Score an application in your working copy, signed in with your key.
    Score(crate::cli_keys::ScoreArgs),
    /// Declare (or with --undo withdraw) a conflict of interest (回避).
    Recuse(crate::cli_keys::RecuseArgs),
    /// Write your signed scores file for the chair.
    Export(crate::export::cli::ExportArgs),
    /// Verify signed files against the roster (exit 0 all good, 1 any bad).
    Verify(crate::export::cli::VerifyArgs),
    /// Check working copies, exports and merged results against the roster and each other (exit 0 clean, 1 problems).
    Audit(crate::audit::cli::AuditArgs),
    /// Merge the experts' signed files: verify, aggregate, rank, sign (the chair).
    Merge(crate::merge::cli::MergeArgs),
    /// The chair's board: rankings, score distributions, flags and expert statistics of a merged result.
    Board {
        /// A merged result (signed, or an unsigned draft).
        file: PathBuf,
        /// Verify the file against this roster first (JSON array, or a bundle).
        #[arg(long)]
        roster: Option<PathBuf>,
    },
    /// Step through a working copy's or an export's scoring history: every event, its chain status, the sheet at any moment.
    Replay {
        /// A working copy (.bundle) or a signed scores file (.json).
        file: PathBuf,
    },
    /// Tools for benchmarks and the reliability suite.
    #[command(subcommand, hide = true)]
    Dev(DevCmd),
}

#[derive(Subcommand, Debug)]
pub enum DevCmd {
    /// Write N generated applications as an application JSON file.
    Generate {
        #[arg(long, default_value_t = 10_000)]
        apps: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value = "2023")]
        call: String,
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Write a generated panel: bundle, roster and one signed export per expert.
    Panel {
        #[arg(long, default_value_t = 7)]
        experts: usize,
        #[arg(long, default_value_t = 60)]
        apps: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 2)]
        recuse_pct: u32,
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Take the terminal as the screens do, draw a frame, then panic: the
    /// end-to-end check that a panic gives the terminal back.
    ScreenPanic,
    /// Append random scores, printing one `ack` line per durable change.
    Soak {
        bundle: PathBuf,
        #[arg(long, default_value_t = 1000)]
        count: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Subcommand, Debug)]
pub enum BundleCmd {
    /// Build a bundle from a JSON or CSV file of applications.
    New {
        /// Applications: .json, or .csv (UTF-8 with or without BOM, or GB18030/GBK).
        input: PathBuf,
        /// The bundle file to write.
        #[arg(short, long)]
        output: PathBuf,
        /// Which call's shipped catalog: 2023 (default), 2022 or 2020.
        #[arg(long)]
        call: Option<String>,
        /// A custom direction catalog (TOML or JSON) instead of a shipped one.
        #[arg(long, conflicts_with = "call")]
        catalog: Option<PathBuf>,
        /// A custom rubric (TOML or JSON) instead of the default.
        #[arg(long)]
        rubric: Option<PathBuf>,
        /// The panel's name.
        #[arg(long)]
        panel: Option<String>,
        /// The panel roster (JSON array of entries).
        #[arg(long)]
        roster: Option<PathBuf>,
        /// Encoding of a CSV file.
        #[arg(long, value_enum, default_value = "auto")]
        encoding: Encoding,
        /// Replace the output file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Screen applications against the call's eligibility rules (exit 1 on findings).
    Check {
        /// A bundle, or a JSON/CSV file of applications.
        input: PathBuf,
        /// Findings as JSON.
        #[arg(long)]
        json: bool,
        /// For a JSON/CSV file: which call's catalog (default: the file's, else 2023).
        #[arg(long)]
        call: Option<String>,
        /// For a JSON/CSV file: a custom catalog.
        #[arg(long, conflicts_with = "call")]
        catalog: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "auto")]
        encoding: Encoding,
    },
    /// Show a bundle's call, panel, digest, counts per direction and roster.
    Info {
        bundle: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Print a working copy's scoring history and check its hash chain.
    History {
        bundle: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

/// The language in force for this run.
pub fn lang(cli_lang: Option<Lang>) -> Lang {
    cli_lang.or_else(Lang::from_env).unwrap_or_default()
}

pub fn run() -> Result<u8> {
    let cli = Cli::parse();
    let lang = lang(cli.lang);
    let clock = Clock::from_env()?;
    match cli.command {
        Command::Demo { fresh } => demo(fresh, cli.lang, lang, &clock),
        Command::Open { bundle, expert } => open(&bundle, expert.as_deref(), cli.lang, &clock),
        Command::Dev(d) => match d {
            DevCmd::Generate {
                apps,
                seed,
                call,
                output,
            } => crate::dev::generate_apps(apps, seed, &call, &output).map(|_| exit::OK),
            DevCmd::Panel {
                experts,
                apps,
                seed,
                recuse_pct,
                output,
            } => crate::dev::generate_panel(&output, experts, apps, seed, recuse_pct, &clock)
                .map(|_| exit::OK),
            DevCmd::Soak {
                bundle,
                count,
                seed,
            } => crate::dev::soak(&bundle, count, seed, &clock).map(|_| exit::OK),
            DevCmd::ScreenPanic => crate::tui::screen_panic().map(|_| exit::OK),
        },
        Command::Bundle(b) => match b {
            BundleCmd::New {
                input,
                output,
                call,
                catalog,
                rubric,
                panel,
                roster,
                encoding,
                force,
            } => bundle_new(
                &input, &output, call, catalog, rubric, panel, roster, encoding, force, &clock,
            ),
            BundleCmd::Check {
                input,
                json,
                call,
                catalog,
                encoding,
            } => bundle_check(&input, json, call, catalog, encoding, lang),
            BundleCmd::Info { bundle, json } => bundle_info(&bundle, json, lang),
            BundleCmd::History { bundle, json } => bundle_history(&bundle, json, lang),
        },
        Command::Key(k) => crate::cli_keys::key(k, &clock),
        Command::Score(a) => crate::cli_keys::score(a, &clock),
        Command::Recuse(a) => crate::cli_keys::recuse(a, &clock),
        Command::Export(a) => crate::export::cli::export(a, &clock),
        Command::Verify(a) => crate::export::cli::verify(a),
        Command::Audit(a) => crate::audit::cli::run(a, lang, &clock),
        Command::Merge(a) => crate::merge::cli::merge(a, &clock, lang),
        Command::Board { file, roster } => board(&file, roster.as_deref(), cli.lang, lang),
        Command::Replay { file } => replay(&file, cli.lang),
    }
}

/// `panelist replay FILE`: the file is read (and refused with one line)
/// before the terminal is touched.
fn replay(file: &Path, lang_flag: Option<Lang>) -> Result<u8> {
    let settings = crate::tui::settings(lang_flag)?;
    let src = crate::tui::replay::source::Source::open(file)?;
    if !interactive() {
        bail!("the replay screen needs a terminal: stdin and stdout must be terminals");
    }
    crate::tui::replay::run_source(src, settings)?;
    Ok(exit::OK)
}

fn demo(fresh: bool, lang_flag: Option<Lang>, lang: Lang, clock: &Clock) -> Result<u8> {
    let path = crate::demo::prepare(fresh, clock)?;
    if interactive() {
        let settings = crate::tui::settings(lang_flag)?;
        crate::tui::run(Bundle::open_write(&path)?, clock, settings)?;
        return Ok(exit::OK);
    }
    let code = bundle_info(&path, false, lang)?;
    eprintln!(
        "{}",
        lang.pick(
            "（评审界面需要终端：标准输入和标准输出须为终端）",
            "(the expert screens need a terminal: stdin and stdout must be terminals)"
        )
    );
    Ok(code)
}

fn board(path: &Path, roster: Option<&Path>, lang_flag: Option<Lang>, lang: Lang) -> Result<u8> {
    let (payload, trust) = crate::tui::board::load(path, roster)?;
    if !interactive() {
        bail!(
            "{}: {}",
            path.display(),
            lang.pick(
                "看板需要终端（标准输入和标准输出须为终端）",
                "the board needs a terminal (stdin and stdout must be terminals)"
            )
        );
    }
    let settings = crate::tui::settings(lang_flag)?;
    crate::tui::board::run(payload, trust, settings)?;
    Ok(exit::OK)
}

/// Whether the expert screens can run: stdin and stdout are terminals.
fn interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// `panelist open BUNDLE [--as EXPERT_ID]`: the owner if the copy has one
/// (another --as is refused by the store), else --as from the roster, else
/// the screens ask.
fn open(path: &Path, expert: Option<&str>, lang_flag: Option<Lang>, clock: &Clock) -> Result<u8> {
    let settings = crate::tui::settings(lang_flag)?;
    let mut b = Bundle::open_write(path)?;
    if let Some(id) = expert {
        let who = match b.owner()? {
            // The store compares ids and refuses someone else clearly.
            Some(o) => crate::store::Identity {
                id: id.to_string(),
                ..o
            },
            None => {
                let roster = b.roster()?;
                let e = roster.iter().find(|e| e.id == id).ok_or_else(|| {
                    let ids: Vec<&str> = roster.iter().map(|e| e.id.as_str()).collect();
                    anyhow!(
                        "{}: expert '{}' is not on the panel roster ({})",
                        path.display(),
                        inert_line(id),
                        if ids.is_empty() {
                            "the roster is empty".to_string()
                        } else {
                            ids.join(", ")
                        }
                    )
                })?;
                crate::store::Identity {
                    id: e.id.clone(),
                    name: e.name.clone(),
                    org: e.org.clone(),
                    key_id: e.key_id.clone(),
                }
            }
        };
        b.claim(&who)?;
    }
    if !interactive() {
        bail!("the expert screens need a terminal: stdin and stdout must be terminals");
    }
    crate::tui::run(b, clock, settings)?;
    Ok(exit::OK)
}

fn pick_catalog(
    call: Option<String>,
    catalog: Option<PathBuf>,
    file_call: Option<&str>,
) -> Result<crate::domain::Catalog> {
    match (catalog, call) {
        (Some(p), _) => import::read_catalog(&p),
        (None, Some(c)) => shipped_catalog(&c).map_err(|m| anyhow!("--call: {m}")),
        (None, None) => shipped_catalog(file_call.unwrap_or("2023")).map_err(anyhow::Error::msg),
    }
}

/// The call a JSON file declares, read before its directions are resolved.
fn declared_call(input: &Path) -> Option<String> {
    if input
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
    {
        return None;
    }
    let text = std::fs::read_to_string(input).ok()?;
    let v: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).ok()?;
    v.get("call").and_then(|c| c.as_str()).map(str::to_string)
}

#[allow(clippy::too_many_arguments)]
fn bundle_new(
    input: &Path,
    output: &Path,
    call: Option<String>,
    catalog: Option<PathBuf>,
    rubric: Option<PathBuf>,
    panel: Option<String>,
    roster: Option<PathBuf>,
    encoding: Encoding,
    force: bool,
    clock: &Clock,
) -> Result<u8> {
    let catalog = pick_catalog(call, catalog, declared_call(input).as_deref())?;
    let rubric = match rubric {
        Some(p) => import::read_rubric(&p)?,
        None => default_rubric().map_err(anyhow::Error::msg)?,
    };
    let parsed = import::read_applications(input, &catalog, encoding)?;
    if let Some(c) = &parsed.call
        && c != &catalog.call
    {
        bail!(
            "{}: the file is for the {c} call but the catalog is {}'s",
            input.display(),
            catalog.call
        );
    }
    for a in &parsed.applications {
        if a.direction.is_none() {
            let what = a.direction_written.as_deref().map(inert_line);
            match what {
                Some(w) => bail!(
                    "{}: application {}: unknown direction '{w}' (not in the {} catalog)",
                    input.display(),
                    inert_line(&a.id),
                    catalog.call
                ),
                None => bail!(
                    "{}: application {}: no direction",
                    input.display(),
                    inert_line(&a.id)
                ),
            }
        }
    }
    if parsed.applications.is_empty() {
        bail!("{}: no applications", input.display());
    }
    let roster = match roster {
        Some(p) => import::read_roster(&p)?,
        None => parsed.roster.clone(),
    };
    let panel = panel
        .or(parsed.panel.clone())
        .unwrap_or_else(|| format!("{} panel", catalog.call));
    let n = parsed.applications.len();
    let content = Content {
        catalog,
        rubric,
        applications: parsed.applications,
        roster,
    };
    let meta = Bundle::create(output, &content, &panel, clock, force)?;
    outln!(
        "{}: {} applications, call {}, digest {}",
        inert_path(output),
        n,
        meta.call,
        meta.digest
    );
    Ok(exit::OK)
}

fn bundle_check(
    input: &Path,
    json: bool,
    call: Option<String>,
    catalog: Option<PathBuf>,
    encoding: Encoding,
    lang: Lang,
) -> Result<u8> {
    let is_bundle = std::fs::File::open(input)
        .and_then(|mut f| {
            let mut h = [0u8; 16];
            std::io::Read::read_exact(&mut f, &mut h).map(|_| h)
        })
        .map(|h| &h == b"SQLite format 3\0")
        .unwrap_or(false);
    let (catalog, apps) = if is_bundle {
        let b = Bundle::open_read(input)?;
        (b.catalog.clone(), b.applications()?)
    } else {
        let catalog = pick_catalog(call, catalog, declared_call(input).as_deref())?;
        let parsed = import::read_applications(input, &catalog, encoding)?;
        (catalog, parsed.applications)
    };
    let findings = rules::check(&catalog, &apps);
    if json {
        let v = serde_json::json!({
            "input": input.display().to_string(),
            "call": catalog.call,
            "applications": apps.len(),
            "findings": findings,
        });
        outln!("{}", crate::support::jsonio::to_string_pretty_inert(&v)?);
    } else {
        for f in &findings {
            outln!("{}", finding_line(f, lang));
        }
        let n = findings.len();
        let summary = match lang {
            Lang::Zh => format!("{}：{} 个项目，{} 条问题", inert_path(input), apps.len(), n),
            Lang::En => format!(
                "{}: {} applications, {} findings",
                inert_path(input),
                apps.len(),
                n
            ),
        };
        eprintln!("{summary}");
    }
    Ok(if findings.is_empty() {
        exit::OK
    } else {
        exit::FINDINGS
    })
}

/// One line per finding: rule, applications, message, source.
pub fn finding_line(f: &Finding, lang: Lang) -> String {
    let apps: Vec<String> = f.apps.iter().map(|a| inert_line(a)).collect();
    format!(
        "{:<20} {:<28} {}  [{}]",
        f.rule.key(),
        apps.join(","),
        f.message(lang.is_zh()),
        f.source
    )
}

fn bundle_info(path: &Path, json: bool, lang: Lang) -> Result<u8> {
    let b = Bundle::open_read(path)?;
    let apps = b.applications()?;
    let roster = b.roster()?;
    let owner = b.owner()?;
    let head = b.head()?;
    let sheet = b.sheet()?;
    let mut per_dir: Vec<(u32, String, usize)> = b
        .catalog
        .directions
        .iter()
        .map(|d| (d.code, lang.pick(&d.name_zh, &d.name_en).to_string(), 0))
        .collect();
    for a in &apps {
        if let Some(e) = per_dir.iter_mut().find(|e| Some(e.0) == a.direction) {
            e.2 += 1;
        }
    }
    let mut counts = [0usize; 4];
    for a in &apps {
        let st = sheet
            .entry(&a.id)
            .map(|e| e.status(&b.rubric))
            .unwrap_or(Status::Todo);
        counts[st as usize] += 1;
    }
    if json {
        let v = serde_json::json!({
            "file": path.display().to_string(),
            "call": b.meta.call,
            "notice": b.catalog.notice,
            "panel": b.meta.panel,
            "bundle_id": b.meta.bundle_id,
            "created": b.meta.created,
            "digest": b.meta.digest,
            "applications": apps.len(),
            "per_direction": per_dir.iter().map(|(c, n, k)| serde_json::json!({"code": c, "name": n, "count": k})).collect::<Vec<_>>(),
            "roster": roster,
            "owner": owner,
            "history": {"size": head.size, "head": head.hash},
            "progress": {"todo": counts[0], "draft": counts[1], "complete": counts[2], "recused": counts[3]},
        });
        outln!("{}", crate::support::jsonio::to_string_pretty_inert(&v)?);
        return Ok(exit::OK);
    }
    let l = |zh: &'static str, en: &'static str| crate::pad(lang.pick(zh, en), 14);
    outln!("{}{}", l("文件", "file"), inert_path(path));
    outln!("{}{} {}", l("征集", "call"), b.meta.call, b.catalog.notice);
    outln!("{}{}", l("评审组", "panel"), inert_line(&b.meta.panel));
    outln!("{}{}", l("包编号", "bundle id"), b.meta.bundle_id);
    outln!("{}{}", l("创建时间", "created"), b.meta.created);
    outln!("{}{}", l("内容摘要", "digest"), b.meta.digest);
    match &owner {
        Some(o) => outln!(
            "{}{} {} ({})",
            l("评审专家", "expert"),
            o.id,
            inert_line(&o.name),
            inert_line(&o.org)
        ),
        None => outln!(
            "{}{}",
            l("评审专家", "expert"),
            l("未指定（模板）", "none (template bundle)")
        ),
    }
    outln!("{}{}", l("申报项目", "applications"), apps.len());
    for (code, name, n) in &per_dir {
        outln!("  {code:>2} {} {n:>4}", crate::pad(name, 28));
    }
    outln!("{}{}", l("专家名单", "roster"), roster.len());
    for e in &roster {
        let key = e
            .key_id
            .as_deref()
            .map(|k| format!(" key {}", &k[..k.len().min(16)]))
            .unwrap_or_default();
        outln!(
            "  {:<6} {} ({}){key}",
            e.id,
            inert_line(&e.name),
            inert_line(&e.org)
        );
    }
    outln!(
        "{}{} {} {} {} {} {}",
        l("进度", "progress"),
        counts[2],
        l("已完成", "complete"),
        counts[3],
        l("已回避", "recused"),
        counts[0] + counts[1],
        l("待评", "to do"),
    );
    outln!(
        "{}{} {}, head {}",
        l("评分记录", "history"),
        head.size,
        l("条", "events"),
        head.hash
    );
    Ok(exit::OK)
}

fn bundle_history(path: &Path, json: bool, lang: Lang) -> Result<u8> {
    let b = Bundle::open_read(path)?;
    let events = b.history()?;
    let chain = b.verify_chain()?;
    if json {
        let v = serde_json::json!({
            "events": events,
            "chain": match &chain { Ok(h) => serde_json::json!({"ok": true, "size": h.size, "head": h.hash}),
                                     Err(e) => serde_json::json!({"ok": false, "first_bad_seq": e.seq(), "problem": e.to_string()}) },
        });
        outln!("{}", crate::support::jsonio::to_string_pretty_inert(&v)?);
    } else {
        for e in &events {
            outln!(
                "{:>6} {} {} {:<10} {}",
                e.seq,
                e.time,
                e.expert,
                e.change.kind(),
                inert_line(&serde_json::to_string(&e.change).unwrap_or_default())
            );
        }
        match &chain {
            Ok(h) => outln!(
                "{} {} {}, head {}",
                lang.pick("链校验通过：", "chain ok:"),
                h.size,
                lang.pick("条", "events"),
                h.hash
            ),
            Err(e) => outln!("{} {}", lang.pick("链校验失败：", "chain BROKEN:"), e),
        }
    }
    Ok(if chain.is_ok() {
        exit::OK
    } else {
        exit::FINDINGS
    })
}

/// Opens a path for reading with context (shared by later commands).
pub fn open_bundle(path: &Path) -> Result<Bundle> {
    Bundle::open_read(path).with_context(|| "opening bundle".to_string())
}
