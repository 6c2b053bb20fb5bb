//! `panelist roster init|add|chair|list|check`: the chair's roster file,
//! never edited by hand. `add` and `chair` rewrite the roster they are
//! given (it is their subject) atomically under its lock, or write the
//! changed roster to `-o` and leave the given one as it is.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, Subcommand};

use super::Ctx;
use super::print;
use crate::domain::RosterEntry;
use crate::domain::text::{inert_line, inert_path};
use crate::exit;
use crate::roster::{self, Added};
use crate::support::lang::Lang;

#[derive(Subcommand, Debug)]
pub enum RosterCmd {
    /// Start a roster file from a bundle's roster (ids, names, organisations).
    Init(InitArgs),
    /// Add an expert's entry, or give their key to their entry, from the file they hand over (<id>.roster-entry.json).
    Add(AddArgs),
    /// Mark the chair (组长): the role moves from whoever had it.
    Chair(ChairArgs),
    /// List the roster: ids, roles, names, keys.
    List(ListArgs),
    /// Check the roster before a merge: keys valid, ids unique, exactly one chair, every entry keyed (exit 0 ready, 1 problems).
    Check(ListArgs),
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// The bundle whose roster starts the file.
    #[arg(long)]
    pub bundle: PathBuf,
    /// The roster file to write.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// The roster file (changed in place unless -o is given).
    pub roster: PathBuf,
    /// The entry file the expert hands over (panelist key show --roster-entry, or the screens' <id>.roster-entry.json).
    pub entry: PathBuf,
    /// Replace another key the roster holds for this id (a lost key; the old one is kept as a previous key).
    #[arg(long)]
    pub replace: bool,
    /// Write the changed roster here instead of changing ROSTER.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ChairArgs {
    /// The roster file (changed in place unless -o is given).
    pub roster: PathBuf,
    /// The chair's id.
    pub id: String,
    /// Write the changed roster here instead of changing ROSTER.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// A roster file, or a bundle.
    pub roster: PathBuf,
    /// As JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cmd: &RosterCmd, ctx: &Ctx) -> Result<u8> {
    match cmd {
        RosterCmd::Init(a) => init(a, ctx),
        RosterCmd::Add(a) => add(a, ctx),
        RosterCmd::Chair(a) => chair(a, ctx),
        RosterCmd::List(a) => list(a, ctx),
        RosterCmd::Check(a) => check(a, ctx),
    }
}

/// "expert E01" or "chair C01" in `lang`.
pub fn who(e: &RosterEntry, lang: Lang) -> String {
    match (roster::is_chair(e), lang) {
        (true, Lang::Zh) => format!("组长 {}", e.id),
        (true, Lang::En) => format!("chair {}", e.id),
        (false, Lang::Zh) => format!("专家 {}", e.id),
        (false, Lang::En) => format!("expert {}", e.id),
    }
}

fn init(a: &InitArgs, ctx: &Ctx) -> Result<u8> {
    crate::support::fs::check_outputs(&[&a.bundle], &[&a.output])?;
    let r = roster::init(&a.bundle, &a.output, a.force)?;
    let keyed = r.iter().filter(|e| e.key_id.is_some()).count();
    print::line(match ctx.lang {
        Lang::Zh => format!(
            "{}：{} 位名单成员（{keyed} 位已有密钥），取自 {}；接着用 panelist roster add {} <id>.roster-entry.json 加入各人的密钥，用 panelist roster chair 指定组长",
            inert_path(&a.output),
            r.len(),
            inert_path(&a.bundle),
            inert_path(&a.output)
        ),
        Lang::En => format!(
            "{}: {} roster entries ({keyed} with a key) from {}; next add each person's key with panelist roster add {} <id>.roster-entry.json and mark the chair with panelist roster chair",
            inert_path(&a.output),
            r.len(),
            inert_path(&a.bundle),
            inert_path(&a.output)
        ),
    });
    Ok(exit::OK)
}

/// The output of a change: `-o`, else the roster itself; the inputs it
/// must not be.
fn target<'a>(
    roster: &'a Path,
    output: Option<&'a Path>,
    entry: Option<&'a Path>,
) -> Result<&'a Path> {
    let out = output.unwrap_or(roster);
    let mut inputs: Vec<&Path> = entry.into_iter().collect();
    if output.is_some() {
        inputs.push(roster);
    }
    crate::support::fs::check_outputs(&inputs, &[out])?;
    Ok(out)
}

fn add(a: &AddArgs, ctx: &Ctx) -> Result<u8> {
    let out = target(&a.roster, a.output.as_deref(), Some(&a.entry))?;
    let entry = roster::read_entry(&a.entry)?;
    let id = entry.id.clone();
    let (what, now) = roster::edit(&a.roster, out, |r| {
        let what = roster::add(r, entry, a.replace)?;
        let now = r.iter().find(|e| e.id == id).cloned();
        Ok((what, now))
    })?;
    let now = now.expect("the entry just added");
    let kid = crate::crypto::short_id(now.key_id.as_deref().unwrap_or_default()).to_string();
    let w = who(&now, ctx.lang);
    let p = inert_path(out);
    print::line(match (what, ctx.lang) {
        (Added::New, Lang::Zh) => {
            format!("{p}：已加入{w}（{}），密钥 {kid}", inert_line(&now.name))
        }
        (Added::New, Lang::En) => format!("{p}: added {w} ({}), key {kid}", inert_line(&now.name)),
        (Added::Keyed, Lang::Zh) => {
            format!("{p}：{w}（{}）的密钥已登记：{kid}", inert_line(&now.name))
        }
        (Added::Keyed, Lang::En) => {
            format!("{p}: {w} ({}) now has key {kid}", inert_line(&now.name))
        }
        (Added::Same, Lang::Zh) => format!("{p}：{w} 的密钥 {kid} 已在名单中，未作改动"),
        (Added::Same, Lang::En) => {
            format!("{p}: {w}'s key {kid} is already in the roster; nothing changed")
        }
        (Added::Replaced { old_key_id }, Lang::Zh) => format!(
            "{p}：{w} 的密钥已更换为 {kid}；原密钥 {} 留作旧密钥（其签署的评分记录仍属于本人）",
            crate::crypto::short_id(&old_key_id)
        ),
        (Added::Replaced { old_key_id }, Lang::En) => format!(
            "{p}: {w}'s key replaced by {kid}; the old key {} is kept as a previous key (events it signed stay theirs)",
            crate::crypto::short_id(&old_key_id)
        ),
    });
    Ok(exit::OK)
}

fn chair(a: &ChairArgs, ctx: &Ctx) -> Result<u8> {
    let out = target(&a.roster, a.output.as_deref(), None)?;
    let was = roster::edit(&a.roster, out, |r| roster::mark_chair(r, &a.id))?;
    let p = inert_path(out);
    let id = inert_line(&a.id);
    print::line(match (was, ctx.lang) {
        (None, Lang::Zh) => format!("{p}：{id} 为评审组组长"),
        (None, Lang::En) => format!("{p}: {id} is the panel's chair"),
        (Some(w), Lang::Zh) => format!("{p}：{id} 为评审组组长（原组长 {w} 改为专家）"),
        (Some(w), Lang::En) => format!("{p}: {id} is the panel's chair ({w} is no longer)"),
    });
    Ok(exit::OK)
}

fn list(a: &ListArgs, ctx: &Ctx) -> Result<u8> {
    let r = roster::read(&a.roster)?;
    if a.json {
        print::line(crate::support::jsonio::to_string_pretty_inert(&r)?);
        return Ok(exit::OK);
    }
    let lang = ctx.lang;
    for e in &r {
        let role = if roster::is_chair(e) {
            lang.pick("组长", "chair")
        } else {
            lang.pick("专家", "expert")
        };
        let key = match (&e.alg, &e.key_id) {
            (Some(alg), Some(k)) => format!("{alg} {}", crate::crypto::short_id(k)),
            _ => lang.pick("（无密钥）", "(no key)").to_string(),
        };
        let prev = if e.previous_keys.is_empty() {
            String::new()
        } else {
            match lang {
                Lang::Zh => format!("  旧密钥 {} 把", e.previous_keys.len()),
                Lang::En => format!("  {} previous key(s)", e.previous_keys.len()),
            }
        };
        print::line(format_args!(
            "{:<8} {} {}  {} ({}){prev}",
            e.id,
            crate::pad(role, 6),
            crate::pad(&key, 26),
            inert_line(&e.name),
            inert_line(&e.org)
        ));
    }
    let chairs = r.iter().filter(|e| roster::is_chair(e)).count();
    let keyed = r.iter().filter(|e| e.key_id.is_some()).count();
    eprintln!(
        "{}",
        match lang {
            Lang::Zh => format!(
                "{}：{} 位成员，{chairs} 位组长，{keyed} 位已有密钥",
                inert_path(&a.roster),
                r.len()
            ),
            Lang::En => format!(
                "{}: {} entries, {chairs} chair(s), {keyed} with a key",
                inert_path(&a.roster),
                r.len()
            ),
        }
    );
    Ok(exit::OK)
}

fn check(a: &ListArgs, ctx: &Ctx) -> Result<u8> {
    let r = roster::read(&a.roster)?;
    roster::check(&r).map_err(|e| anyhow::anyhow!("{}: {e}", a.roster.display()))?;
    let problems = roster::readiness(&r);
    if a.json {
        let v = serde_json::json!({
            "roster": a.roster.display().to_string(),
            "entries": r.len(),
            "chair": r.iter().find(|e| roster::is_chair(e)).map(|e| e.id.clone()),
            "problems": problems,
        });
        print::line(crate::support::jsonio::to_string_pretty_inert(&v)?);
    } else {
        for p in &problems {
            print::line(format_args!(
                "{}{}{p}",
                inert_path(&a.roster),
                ctx.lang.pick("：", ": ")
            ));
        }
        let summary = match (problems.is_empty(), ctx.lang) {
            (true, Lang::Zh) => format!(
                "{}：名单可用于汇总：{} 位成员，密钥有效，编号不重复，组长一位",
                inert_path(&a.roster),
                r.len()
            ),
            (true, Lang::En) => format!(
                "{}: ready to merge: {} entries, keys valid, ids unique, one chair",
                inert_path(&a.roster),
                r.len()
            ),
            (false, Lang::Zh) => {
                format!("{}：{} 处问题", inert_path(&a.roster), problems.len())
            }
            (false, Lang::En) => {
                format!("{}: {} problem(s)", inert_path(&a.roster), problems.len())
            }
        };
        eprintln!("{summary}");
    }
    Ok(if problems.is_empty() {
        exit::OK
    } else {
        exit::FINDINGS
    })
}
