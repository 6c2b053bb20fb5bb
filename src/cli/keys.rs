//! The commands that need the expert's key: `key new`, `key show`, and
//! scoring and recusing from the command line (signed in as the key's
//! expert, through the history store).

use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};
use clap::{Args, Subcommand};

use super::Ctx;
use super::args::{AlgArg, KeyArgs, YesNo};
use super::print;
use crate::crypto::keys::{KdfCost, KeyFile};
use crate::domain::history::{Change, Status};
use crate::domain::text::{inert_line, inert_path};
use crate::exit;
use crate::keyring;
use crate::store::Bundle;
use crate::support::lang::Lang;

#[derive(Subcommand, Debug)]
pub enum KeyCmd {
    /// Make your signing key (sealed under a passphrase in the data directory); a chair gives --chair.
    New(KeyNewArgs),
    /// Show a key's public identity.
    Show(KeyShowArgs),
    /// After a lost key: adopt the previous keys the chair's roster lists for you, so your new key carries on in your working copy.
    Adopt(KeyAdoptArgs),
}

#[derive(Args, Debug)]
pub struct KeyAdoptArgs {
    /// The chair's roster listing your new key and your previous key(s).
    #[arg(long)]
    pub roster: PathBuf,
    /// The expert id (default: the only key).
    #[arg(long)]
    pub id: Option<String>,
}

#[derive(Args, Debug)]
pub struct KeyNewArgs {
    #[arg(long)]
    pub id: String,
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub org: String,
    /// ed25519 (default) or sm2 (SM2 with SM3, GM/T 0003).
    #[arg(long, value_enum, default_value = "ed25519")]
    pub alg: AlgArg,
    /// SM2 distinguishing ID (default 1234567812345678, GM/T 0009-2012).
    #[arg(long)]
    pub sm2_id: Option<String>,
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Replace an existing key of this id.
    #[arg(long)]
    pub force: bool,
    /// The key is the panel chair's (组长): its roster entry carries the chair's role.
    #[arg(long)]
    pub chair: bool,
}

#[derive(Args, Debug)]
pub struct KeyShowArgs {
    /// The id (default: the only key).
    #[arg(long)]
    pub id: Option<String>,
    /// Print only the roster entry (JSON) to hand to the chair.
    #[arg(long)]
    pub roster_entry: bool,
    /// The key is the panel chair's: the roster entry carries the chair's role.
    #[arg(long)]
    pub chair: bool,
}

#[derive(Args, Debug)]
pub struct ScoreArgs {
    /// Your working copy.
    pub bundle: PathBuf,
    /// The application id.
    pub app: String,
    /// 创新性
    #[arg(long, allow_hyphen_values = true)]
    pub innovation: Option<i64>,
    /// 先进性
    #[arg(long, allow_hyphen_values = true)]
    pub advancement: Option<i64>,
    /// 实用性
    #[arg(long, allow_hyphen_values = true)]
    pub practicality: Option<i64>,
    /// 可推广性
    #[arg(long, allow_hyphen_values = true)]
    pub replicability: Option<i64>,
    /// Any criterion of the bundle's rubric: KEY=N (repeatable).
    #[arg(long = "set", value_name = "KEY=N")]
    pub set: Vec<String>,
    /// The review comment (评审意见); replaces the previous one.
    #[arg(long)]
    pub comment: Option<String>,
    /// Recommend the application or not.
    #[arg(long, value_enum)]
    pub recommend: Option<YesNo>,
    #[command(flatten)]
    pub key: KeyArgs,
}

#[derive(Args, Debug)]
pub struct RecuseArgs {
    /// Your working copy.
    pub bundle: PathBuf,
    /// The application id.
    pub app: String,
    /// Why (the conflict of interest; required unless --undo).
    #[arg(long)]
    pub reason: Option<String>,
    /// Withdraw an earlier recusal.
    #[arg(long)]
    pub undo: bool,
    #[command(flatten)]
    pub key: KeyArgs,
}

pub fn key(cmd: &KeyCmd, ctx: &Ctx) -> Result<u8> {
    match cmd {
        KeyCmd::New(a) => key_new(a, ctx),
        KeyCmd::Show(a) => key_show(a, ctx),
        KeyCmd::Adopt(a) => key_adopt(a, ctx),
    }
}

pub fn key_adopt(a: &KeyAdoptArgs, ctx: &Ctx) -> Result<u8> {
    let path = keyring::find(a.id.as_deref())?;
    let file = keyring::load(&path)?;
    let roster = crate::import::read_roster(&a.roster)?;
    let adopted = keyring::adopt_previous(&file, &roster)?;
    let ids: Vec<&str> = adopted.iter().map(|k| crate::crypto::short_id(k)).collect();
    print::line(ctx.lang.pick(
        &format!(
            "已采用 {} 的旧密钥 {}：这些密钥签署的评分记录仍属于你，新密钥 {} 可在原工作副本中继续评分",
            file.id,
            ids.join(", "),
            crate::crypto::short_id(&file.key_id)
        ),
        &format!(
            "adopted previous key(s) {} of {}: events they signed stay yours, and your new key {} carries on in the same working copy",
            ids.join(", "),
            file.id,
            crate::crypto::short_id(&file.key_id)
        ),
    ));
    Ok(exit::OK)
}

pub fn key_new(a: &KeyNewArgs, ctx: &Ctx) -> Result<u8> {
    // A bad id is refused by `create`, with its own message.
    if crate::domain::application::valid_expert_id(&a.id) {
        let pass = keyring::passphrase_path(a.passphrase_file.as_deref());
        let inputs: Vec<&std::path::Path> = pass.as_deref().into_iter().collect();
        crate::support::fs::check_outputs(&inputs, &[&keyring::key_path(&a.id)?])?;
    }
    let made = keyring::create(
        &keyring::NewKey {
            id: &a.id,
            name: &a.name,
            org: &a.org,
            alg: a.alg.into(),
            sm2_id: a.sm2_id.as_deref(),
            passphrase_file: a.passphrase_file.as_deref(),
            force: a.force,
        },
        &ctx.clock,
    )?;
    let (cost, file) = (made.cost, &made.file);
    let lang = ctx.lang;
    if cost != KdfCost::DEFAULT {
        eprintln!(
            "{}",
            match lang {
                Lang::Zh => format!(
                    "注意：按 {} 以 KDF 强度 m={} KiB、t={}、p={} 封存",
                    keyring::KDF_PARAMS_ENV,
                    cost.m_kib,
                    cost.t,
                    cost.p
                ),
                Lang::En => format!(
                    "note: sealed with KDF cost m={} KiB, t={}, p={} from {}",
                    cost.m_kib,
                    cost.t,
                    cost.p,
                    keyring::KDF_PARAMS_ENV
                ),
            }
        );
    }
    let whose = holder(&file.id, a.chair, lang);
    print::line(match lang {
        Lang::Zh => format!(
            "{}：{whose}的密钥（{}），密钥编号 {}",
            inert_path(&made.path),
            file.alg,
            file.key_id
        ),
        Lang::En => format!(
            "{}: key of {whose} ({}), key id {}",
            inert_path(&made.path),
            file.alg,
            file.key_id
        ),
    });
    print::line(if a.chair {
        lang.pick(
            "组长本人的名单条目（panelist key show --chair --roster-entry；加入名单：panelist roster add）：",
            "The chair's own roster entry (panelist key show --chair --roster-entry; add it with panelist roster add):",
        )
    } else {
        lang.pick(
            "交给组长的名单条目（panelist key show --roster-entry）：",
            "Roster entry for the chair (panelist key show --roster-entry):",
        )
    });
    print::line(roster_entry_json(file, a.chair)?);
    Ok(exit::OK)
}

/// "expert E01" / "chair C01" (专家 E01 / 组长 C01).
fn holder(id: &str, chair: bool, lang: Lang) -> String {
    match (chair, lang) {
        (true, Lang::Zh) => format!("组长 {id} "),
        (true, Lang::En) => format!("chair {id}"),
        (false, Lang::Zh) => format!("专家 {id} "),
        (false, Lang::En) => format!("expert {id}"),
    }
}

fn roster_entry_json(file: &KeyFile, chair: bool) -> Result<String> {
    let mut e = file.roster_entry();
    if chair {
        e.role = Some(crate::verify::CHAIR_ROLE.to_string());
    }
    Ok(crate::support::jsonio::to_string_pretty_inert(&e)?)
}

pub fn key_show(a: &KeyShowArgs, ctx: &Ctx) -> Result<u8> {
    let lang = ctx.lang;
    let path = keyring::find(a.id.as_deref())?;
    let file = keyring::load(&path)?;
    if a.roster_entry {
        print::line(roster_entry_json(&file, a.chair)?);
        return Ok(exit::OK);
    }
    let e = file.roster_entry();
    let row = |zh: &str, en: &str, value: &dyn std::fmt::Display| {
        print::line(format_args!("{}{value}", crate::pad(lang.pick(zh, en), 12)));
    };
    row("文件", "file", &inert_path(&path));
    if a.chair {
        row("组长", "chair", &e.id);
    } else {
        row("编号", "id", &e.id);
    }
    row("姓名", "name", &inert_line(&e.name));
    row("单位", "org", &inert_line(&e.org));
    row("算法", "alg", &file.alg);
    row("密钥编号", "key id", &file.key_id);
    row("公钥", "public key", &file.public_key);
    if let Some(s) = &e.sm2_id {
        row("SM2 标识", "sm2 id", &inert_line(s));
    }
    row(
        "创建时间",
        "created",
        &crate::support::clock::show_local(&file.created),
    );
    let c = file.cost();
    row(
        "封存方式",
        "sealed",
        &format_args!(
            "argon2id m={} KiB t={} p={}, xchacha20poly1305",
            c.m_kib, c.t, c.p
        ),
    );
    Ok(exit::OK)
}

/// One line on where an application stands now.
fn status_line(b: &Bundle, app: &str, lang: Lang) -> Result<String> {
    let sheet = b.current()?;
    let e = sheet.entry(app).cloned().unwrap_or_default();
    let status = e.status(&b.rubric);
    let st = crate::formats::scores::status_name(status);
    if e.recused {
        return Ok(format!(
            "{}  {}{}",
            inert_line(app),
            lang.pick("已回避：", "recused: "),
            inert_line(&e.recuse_reason)
        ));
    }
    let mut parts = vec![inert_line(app)];
    for c in &b.rubric.criteria {
        let v = e
            .scores
            .get(&c.key)
            .map_or("-".to_string(), |v| v.to_string());
        parts.push(format!("{} {v}", c.key));
    }
    let (n, min) = (e.comment.chars().count(), b.rubric.min_comment_chars);
    match lang {
        Lang::Zh => {
            parts.push(match e.total(&b.rubric) {
                Some(t) => format!("总分 {t}"),
                None => format!("已评部分合计 {}", e.partial_total(&b.rubric)),
            });
            parts.push(
                match e.recommend {
                    Some(true) => "推荐",
                    Some(false) => "不推荐",
                    None => "未表态是否推荐",
                }
                .into(),
            );
            parts.push(format!("评审意见 {n}/{min} 字"));
            parts.push(
                match status {
                    Status::Todo => "待评",
                    Status::Draft => "未完成",
                    Status::Complete => "已完成",
                    Status::Recused => "已回避",
                }
                .into(),
            );
        }
        Lang::En => {
            parts.push(match e.total(&b.rubric) {
                Some(t) => format!("total {t}"),
                None => format!("partial total {}", e.partial_total(&b.rubric)),
            });
            parts.push(match e.recommend {
                Some(true) => "recommended".into(),
                Some(false) => "not recommended".into(),
                None => "no recommendation".into(),
            });
            parts.push(format!("comment {n}/{min} chars"));
            parts.push(st.to_string());
        }
    }
    Ok(parts.join("  "))
}

/// The criterion scores given: the four named flags, then each `--set`.
fn criterion_scores(a: &ScoreArgs) -> Result<Vec<(String, i64)>> {
    let mut sets: Vec<(String, i64)> = Vec::new();
    for (k, v) in [
        ("innovation", a.innovation),
        ("advancement", a.advancement),
        ("practicality", a.practicality),
        ("replicability", a.replicability),
    ] {
        if let Some(v) = v {
            sets.push((k.to_string(), v));
        }
    }
    for s in &a.set {
        let (k, v) = s.split_once('=').ok_or_else(|| {
            anyhow!(crate::tr!(
                format!("--set {}：应写成 KEY=N", inert_line(s)),
                format!("--set {}: expected KEY=N", inert_line(s))
            ))
        })?;
        let n: i64 = v.trim().parse().map_err(|_| {
            anyhow!(crate::tr!(
                format!("--set {}：“{}”不是整数", inert_line(s), inert_line(v)),
                format!(
                    "--set {}: '{}' is not a whole number",
                    inert_line(s),
                    inert_line(v)
                )
            ))
        })?;
        let k = k.trim().to_string();
        if sets.iter().any(|(x, _)| *x == k) {
            bail!(crate::tr!(
                format!("评分项 {} 给了两次", inert_line(&k)),
                format!("criterion {} is given twice", inert_line(&k))
            ));
        }
        sets.push((k, n));
    }
    Ok(sets)
}

pub fn score(a: &ScoreArgs, ctx: &Ctx) -> Result<u8> {
    let mut sets = criterion_scores(a)?;
    if sets.is_empty() && a.comment.is_none() && a.recommend.is_none() {
        bail!(crate::tr!(
            "没有要记录的内容：请给出评分项分数、--comment 或 --recommend",
            "nothing to record: give criterion scores, --comment or --recommend"
        ));
    }
    let key = a.key.unlock()?;
    let mut session = keyring::session::Session::open(&a.bundle, key)?;
    if let Some(n) = &session.notice {
        eprintln!(
            "{}{}",
            ctx.lang.pick("panelist：提示：", "panelist: note: "),
            inert_line(n)
        );
    }
    let b = &session.bundle;
    let mut changes: Vec<Change> = Vec::new();
    // Rubric order first, then any others (which the store refuses by name).
    let mut ordered: Vec<(String, i64)> = Vec::new();
    for c in &b.rubric.criteria {
        if let Some(p) = sets.iter().position(|(k, _)| *k == c.key) {
            ordered.push(sets.remove(p));
        }
    }
    ordered.extend(sets);
    for (criterion, v) in ordered {
        changes.push(Change::Score {
            app: a.app.clone(),
            criterion,
            value: Some(v),
        });
    }
    if let Some(text) = &a.comment {
        changes.push(Change::Comment {
            app: a.app.clone(),
            text: text.clone(),
        });
    }
    if let Some(r) = a.recommend {
        changes.push(Change::Recommend {
            app: a.app.clone(),
            value: Some(r.into()),
        });
    }
    session.append_all(changes, &ctx.clock)?;
    print::line(status_line(&session.bundle, &a.app, ctx.lang)?);
    Ok(exit::OK)
}

pub fn recuse(a: &RecuseArgs, ctx: &Ctx) -> Result<u8> {
    let change = if a.undo {
        Change::Unrecuse {
            app: a.app.clone(),
            reason: a.reason.clone().unwrap_or_default(),
        }
    } else {
        let reason = a
            .reason
            .clone()
            .filter(|r| !r.trim().is_empty())
            .ok_or_else(|| {
                anyhow!(crate::tr!(
                    "回避须用 --reason 说明理由（利益冲突）",
                    "a recusal needs --reason (the conflict of interest)"
                ))
            })?;
        Change::Recuse {
            app: a.app.clone(),
            reason,
        }
    };
    let key = a.key.unlock()?;
    let mut session = keyring::session::Session::open(&a.bundle, key)?;
    if let Some(n) = &session.notice {
        eprintln!(
            "{}{}",
            ctx.lang.pick("panelist：提示：", "panelist: note: "),
            inert_line(n)
        );
    }
    session.append_all(vec![change], &ctx.clock)?;
    print::line(status_line(&session.bundle, &a.app, ctx.lang)?);
    Ok(exit::OK)
}
