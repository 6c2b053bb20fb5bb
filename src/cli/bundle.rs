//! `panelist bundle new|check|info|history`.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, Subcommand};

use super::Ctx;
use super::args::EncodingArg;
use super::print;
use crate::domain::history::Status;
use crate::domain::rules::{self, Finding};
use crate::domain::text::{inert_line, inert_path};
use crate::exit;
use crate::import;
use crate::store::Bundle;
use crate::support::lang::Lang;

#[derive(Subcommand, Debug)]
pub enum BundleCmd {
    /// Build a bundle from a JSON, CSV or XLSX file of applications.
    New(NewArgs),
    /// Screen applications against the call's eligibility rules (exit 1 on findings).
    Check(CheckArgs),
    /// Show a bundle's call, panel, digest, counts per direction and roster.
    Info(InfoArgs),
    /// Print a working copy's scoring history and check its hash chain.
    History(HistoryArgs),
}

#[derive(Args, Debug)]
pub struct NewArgs {
    /// Applications: .json, .xlsx (first sheet), or .csv (UTF-8 with or without BOM, or GB18030/GBK); English keys or the 汇总表's Chinese headers.
    pub input: PathBuf,
    /// The bundle file to write.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Which call's shipped catalog: 2023 (default), 2022 or 2020.
    #[arg(long)]
    pub call: Option<String>,
    /// A custom direction catalog (TOML or JSON) instead of a shipped one.
    #[arg(long, conflicts_with = "call")]
    pub catalog: Option<PathBuf>,
    /// A custom rubric (TOML or JSON) instead of the default.
    #[arg(long)]
    pub rubric: Option<PathBuf>,
    /// The panel's name.
    #[arg(long)]
    pub panel: Option<String>,
    /// The panel roster (JSON array of entries).
    #[arg(long)]
    pub roster: Option<PathBuf>,
    /// Encoding of a CSV file.
    #[arg(long, value_enum, default_value = "auto")]
    pub encoding: EncodingArg,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// A bundle, or a JSON/CSV file of applications.
    pub input: PathBuf,
    /// Findings as JSON.
    #[arg(long)]
    pub json: bool,
    /// For a JSON/CSV file: which call's catalog (default: the file's, else 2023).
    #[arg(long)]
    pub call: Option<String>,
    /// For a JSON/CSV file: a custom catalog.
    #[arg(long, conflicts_with = "call")]
    pub catalog: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "auto")]
    pub encoding: EncodingArg,
}

#[derive(Args, Debug)]
pub struct InfoArgs {
    pub bundle: PathBuf,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct HistoryArgs {
    pub bundle: PathBuf,
    #[arg(long)]
    pub json: bool,
}

pub fn run(cmd: &BundleCmd, ctx: &Ctx) -> Result<u8> {
    match cmd {
        BundleCmd::New(a) => new(a, ctx),
        BundleCmd::Check(a) => check(a, ctx),
        BundleCmd::Info(a) => info(a, ctx),
        BundleCmd::History(a) => history(a, ctx),
    }
}

pub fn new(a: &NewArgs, ctx: &Ctx) -> Result<u8> {
    let mut inputs = vec![a.input.as_path()];
    inputs.extend(a.catalog.as_deref());
    inputs.extend(a.rubric.as_deref());
    inputs.extend(a.roster.as_deref());
    crate::support::fs::check_outputs(&inputs, &[&a.output])?;
    let req = import::NewBundle {
        source: import::Source {
            input: &a.input,
            call: a.call.as_deref(),
            catalog: a.catalog.as_deref(),
            encoding: a.encoding.into(),
        },
        output: &a.output,
        rubric: a.rubric.as_deref(),
        panel: a.panel.as_deref(),
        roster: a.roster.as_deref(),
        force: a.force,
    };
    let built = import::new_bundle(&req, &ctx.clock)?;
    let (n, meta) = (built.count, &built.meta);
    let read_as = built.read_as.describe(ctx.lang);
    print::line(match ctx.lang {
        Lang::Zh => format!(
            "{}：{n} 个申报项目，{} 年征集，内容摘要 {}（读入 {}：{read_as}）",
            inert_path(&a.output),
            meta.call,
            meta.digest,
            inert_path(&a.input),
        ),
        Lang::En => format!(
            "{}: {n} applications, call {}, digest {} (read {}: {read_as})",
            inert_path(&a.output),
            meta.call,
            meta.digest,
            inert_path(&a.input),
        ),
    });
    Ok(exit::OK)
}

pub fn check(a: &CheckArgs, ctx: &Ctx) -> Result<u8> {
    let lang = ctx.lang;
    let input = &a.input;
    let (catalog, apps) = import::load_applications(&import::Source {
        input,
        call: a.call.as_deref(),
        catalog: a.catalog.as_deref(),
        encoding: a.encoding.into(),
    })?;
    let findings = rules::check(&catalog, &apps);
    if a.json {
        let v = serde_json::json!({
            "input": input.display().to_string(),
            "call": catalog.call,
            "applications": apps.len(),
            "findings": findings,
        });
        print::line(crate::support::jsonio::to_string_pretty_inert(&v)?);
    } else {
        for f in &findings {
            print::line(finding_line(f, lang));
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

pub fn info(a: &InfoArgs, ctx: &Ctx) -> Result<u8> {
    info_of(&a.bundle, a.json, ctx.lang)
}

/// `bundle info` of the bundle at `path` (also what `demo` shows without a
/// terminal).
pub fn info_of(path: &Path, json: bool, lang: Lang) -> Result<u8> {
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
        print::line(crate::support::jsonio::to_string_pretty_inert(&v)?);
        return Ok(exit::OK);
    }
    let l = |zh: &'static str, en: &'static str| crate::pad(lang.pick(zh, en), 14);
    print::line(format_args!("{}{}", l("文件", "file"), inert_path(path)));
    print::line(format_args!(
        "{}{} {}",
        l("征集", "call"),
        b.meta.call,
        b.catalog.notice
    ));
    print::line(format_args!(
        "{}{}",
        l("评审组", "panel"),
        inert_line(&b.meta.panel)
    ));
    print::line(format_args!(
        "{}{}",
        l("包编号", "bundle id"),
        b.meta.bundle_id
    ));
    print::line(format_args!(
        "{}{}",
        l("创建时间", "created"),
        crate::support::clock::show_local(&b.meta.created)
    ));
    print::line(format_args!("{}{}", l("内容摘要", "digest"), b.meta.digest));
    match &owner {
        Some(o) => print::line(format_args!(
            "{}{} {} ({})",
            l("评审专家", "expert"),
            o.id,
            inert_line(&o.name),
            inert_line(&o.org)
        )),
        None => print::line(format_args!(
            "{}{}",
            l("评审专家", "expert"),
            l("未指定（模板）", "none (template bundle)")
        )),
    }
    print::line(format_args!(
        "{}{}",
        l("申报项目", "applications"),
        apps.len()
    ));
    for (code, name, n) in &per_dir {
        print::line(format_args!("  {code:>2} {} {n:>4}", crate::pad(name, 28)));
    }
    print::line(format_args!("{}{}", l("专家名单", "roster"), roster.len()));
    for e in &roster {
        let key = e
            .key_id
            .as_deref()
            .map(|k| format!(" {} {}", lang.pick("密钥", "key"), &k[..k.len().min(16)]))
            .unwrap_or_default();
        print::line(format_args!(
            "  {:<6} {} ({}){key}",
            e.id,
            inert_line(&e.name),
            inert_line(&e.org)
        ));
    }
    print::line(format_args!(
        "{}{} {} {} {} {} {}",
        l("进度", "progress"),
        counts[2],
        l("已完成", "complete"),
        counts[3],
        l("已回避", "recused"),
        counts[0] + counts[1],
        l("待评", "to do"),
    ));
    print::line(format_args!(
        "{}{} {}, {} {}",
        l("评分记录", "history"),
        head.size,
        l("条", "events"),
        lang.pick("链头", "head"),
        head.hash
    ));
    Ok(exit::OK)
}

pub fn history(a: &HistoryArgs, ctx: &Ctx) -> Result<u8> {
    let lang = ctx.lang;
    let b = Bundle::open_read(&a.bundle)?;
    let events = b.history()?;
    let chain = b.verify_chain()?;
    if a.json {
        let v = serde_json::json!({
            "events": events,
            "chain": match &chain { Ok(h) => serde_json::json!({"ok": true, "size": h.size, "head": h.hash}),
                                     Err(e) => serde_json::json!({"ok": false, "first_bad_seq": e.seq(), "problem": e.to_string()}) },
        });
        print::line(crate::support::jsonio::to_string_pretty_inert(&v)?);
    } else {
        for e in &events {
            print::line(format_args!(
                "{:>6} {} {} {:<10} {}",
                e.seq,
                crate::support::clock::show_local(&e.time),
                e.expert,
                e.change.kind(),
                inert_line(&serde_json::to_string(&e.change).unwrap_or_default())
            ));
        }
        match &chain {
            Ok(h) => print::line(format_args!(
                "{} {} {}, {} {}",
                lang.pick("链校验通过：", "chain ok:"),
                h.size,
                lang.pick("条", "events"),
                lang.pick("链头", "head"),
                h.hash
            )),
            Err(e) => print::line(format_args!(
                "{} {}",
                lang.pick("链校验失败：", "chain BROKEN:"),
                e
            )),
        }
    }
    Ok(if chain.is_ok() {
        exit::OK
    } else {
        exit::FINDINGS
    })
}
