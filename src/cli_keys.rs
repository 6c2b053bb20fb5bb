//! The commands that need the expert's key: `key new`, `key show`, and
//! scoring and recusing from the command line (signed in as the key's
//! expert, through the history store).

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use clap::{Args, Subcommand, ValueEnum};

use crate::crypto::keys::{KdfCost, KeyFile, Owner};
use crate::crypto::sign::SecretKey;
use crate::crypto::{Alg, short_id};
use crate::domain::application::valid_expert_id;
use crate::domain::history::{Change, Sheet};
use crate::domain::text::{inert_line, inert_path};
use crate::exit;
use crate::keyring::{self, Unlocked};
use crate::store::Bundle;
use crate::support::clock::Clock;

/// Which key signs, and where its passphrase comes from.
#[derive(Args, Debug, Clone, Default)]
pub struct KeyArgs {
    /// The expert id of the key to use (default: the only key).
    #[arg(long = "key", value_name = "ID")]
    pub key: Option<String>,
    /// Read the passphrase from this file instead of the terminal (also
    /// PANELIST_PASSPHRASE_FILE).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum KeyCmd {
    /// Make your signing key (sealed under a passphrase in the data directory).
    New {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        org: String,
        /// ed25519 (default) or sm2 (SM2 with SM3, GM/T 0003).
        #[arg(long, value_enum, default_value = "ed25519")]
        alg: Alg,
        /// SM2 distinguishing ID (default 1234567812345678, GM/T 0009-2012).
        #[arg(long)]
        sm2_id: Option<String>,
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
        /// Replace an existing key of this expert.
        #[arg(long)]
        force: bool,
    },
    /// Show a key's public identity.
    Show {
        /// The expert id (default: the only key).
        #[arg(long)]
        id: Option<String>,
        /// Print only the roster entry (JSON) to hand to the chair.
        #[arg(long)]
        roster_entry: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum YesNo {
    Yes,
    No,
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

pub fn key(cmd: KeyCmd, clock: &Clock) -> Result<u8> {
    match cmd {
        KeyCmd::New {
            id,
            name,
            org,
            alg,
            sm2_id,
            passphrase_file,
            force,
        } => key_new(
            &id,
            &name,
            &org,
            alg,
            sm2_id,
            passphrase_file.as_deref(),
            force,
            clock,
        ),
        KeyCmd::Show { id, roster_entry } => key_show(id.as_deref(), roster_entry),
    }
}

#[allow(clippy::too_many_arguments)]
fn key_new(
    id: &str,
    name: &str,
    org: &str,
    alg: Alg,
    sm2_id: Option<String>,
    passphrase_file: Option<&Path>,
    force: bool,
    clock: &Clock,
) -> Result<u8> {
    if !valid_expert_id(id) {
        bail!("--id {id:?}: an expert id is 1-32 letters, digits, '-' or '_'");
    }
    if name.trim().is_empty() {
        bail!("--name: empty");
    }
    if sm2_id.is_some() && alg != Alg::Sm2 {
        bail!("--sm2-id is only for --alg sm2");
    }
    let path = keyring::key_path(id)?;
    if path.exists() && !force {
        bail!(
            "{}: a key for expert {id} already exists (use --force to replace it; the old key can then no longer sign)",
            path.display()
        );
    }
    let cost = keyring::kdf_cost()?;
    let pass = keyring::read_passphrase(
        passphrase_file,
        &format!("New passphrase for key {id}: "),
        true,
    )?;
    let key = SecretKey::generate(alg, sm2_id.as_deref()).map_err(|e| anyhow!("{e}"))?;
    let owner = Owner {
        id: id.to_string(),
        name: name.trim().to_string(),
        org: org.trim().to_string(),
    };
    let file =
        KeyFile::seal(&key, &owner, &pass, cost, &clock.stamp()).map_err(|e| anyhow!("{e}"))?;
    drop(key);
    let path = keyring::save_new(&file, force)?;
    if cost != KdfCost::DEFAULT {
        eprintln!(
            "note: sealed with KDF cost m={} KiB, t={}, p={} from {}",
            cost.m_kib,
            cost.t,
            cost.p,
            keyring::KDF_PARAMS_ENV
        );
    }
    println!(
        "{}: key of expert {} ({}), key id {}",
        inert_path(&path),
        file.id,
        file.alg,
        file.key_id
    );
    println!("Roster entry for the chair (panelist key show --roster-entry):");
    println!("{}", roster_entry_json(&file)?);
    Ok(exit::OK)
}

fn roster_entry_json(file: &KeyFile) -> Result<String> {
    Ok(crate::support::jsonio::to_string_pretty_inert(
        &file.roster_entry(),
    )?)
}

fn key_show(id: Option<&str>, roster_entry: bool) -> Result<u8> {
    let path = keyring::find(id)?;
    let file = keyring::load(&path)?;
    if roster_entry {
        println!("{}", roster_entry_json(&file)?);
        return Ok(exit::OK);
    }
    let e = file.roster_entry();
    println!("{:<12}{}", "file", inert_path(&path));
    println!("{:<12}{}", "expert", e.id);
    println!("{:<12}{}", "name", inert_line(&e.name));
    println!("{:<12}{}", "org", inert_line(&e.org));
    println!("{:<12}{}", "alg", file.alg);
    println!("{:<12}{}", "key id", file.key_id);
    println!("{:<12}{}", "public key", file.public_key);
    if let Some(s) = &e.sm2_id {
        println!("{:<12}{}", "sm2 id", inert_line(s));
    }
    println!("{:<12}{}", "created", file.created);
    let c = file.cost();
    println!(
        "{:<12}argon2id m={} KiB t={} p={}, xchacha20poly1305",
        "sealed", c.m_kib, c.t, c.p
    );
    Ok(exit::OK)
}

/// Opens a working copy for writing as the key's expert: claims it (with
/// the key id) when unclaimed, else checks it is this expert's and was
/// claimed with this key.
pub fn open_as(bundle: &Path, key: &Unlocked) -> Result<Bundle> {
    let mut b = Bundle::open_write(bundle)?;
    if let Some(o) = b.owner()?
        && o.id == key.file.id
        && let Some(k) = &o.key_id
        && k != key.key_id()
    {
        bail!(
            "{}: this working copy was claimed with key {}, not with key {} of {}",
            bundle.display(),
            short_id(k),
            short_id(key.key_id()),
            key.path.display()
        );
    }
    b.claim(&key.identity())?;
    Ok(b)
}

/// Checks every change against the sheet before the first is written, so
/// a refused one leaves nothing behind; then appends them in order.
fn append_all(b: &mut Bundle, changes: Vec<Change>, clock: &Clock) -> Result<()> {
    let mut sheet: Sheet = b.current()?;
    for (i, c) in changes.iter().enumerate() {
        sheet
            .check(&b.rubric, |a| b.has_application(a), c)
            .map_err(|r| anyhow!("{}: {r}", b.path().display()))?;
        sheet.apply(i as u64 + 1, c);
    }
    for c in changes {
        b.append(c, clock)?;
    }
    Ok(())
}

/// One line on where an application stands now.
fn status_line(b: &Bundle, app: &str) -> Result<String> {
    let sheet = b.current()?;
    let e = sheet.entry(app).cloned().unwrap_or_default();
    let st = crate::formats::scores::status_name(e.status(&b.rubric));
    if e.recused {
        return Ok(format!(
            "{}  recused: {}",
            inert_line(app),
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
    parts.push(match e.total(&b.rubric) {
        Some(t) => format!("total {t}"),
        None => format!("partial total {}", e.partial_total(&b.rubric)),
    });
    parts.push(match e.recommend {
        Some(true) => "recommended".into(),
        Some(false) => "not recommended".into(),
        None => "no recommendation".into(),
    });
    parts.push(format!(
        "comment {}/{} chars",
        e.comment.chars().count(),
        b.rubric.min_comment_chars
    ));
    parts.push(st.to_string());
    Ok(parts.join("  "))
}

pub fn score(a: ScoreArgs, clock: &Clock) -> Result<u8> {
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
        let (k, v) = s
            .split_once('=')
            .ok_or_else(|| anyhow!("--set {}: expected KEY=N", inert_line(s)))?;
        let n: i64 = v.trim().parse().map_err(|_| {
            anyhow!(
                "--set {}: '{}' is not a whole number",
                inert_line(s),
                inert_line(v)
            )
        })?;
        let k = k.trim().to_string();
        if sets.iter().any(|(x, _)| *x == k) {
            bail!("criterion {} is given twice", inert_line(&k));
        }
        sets.push((k, n));
    }
    if sets.is_empty() && a.comment.is_none() && a.recommend.is_none() {
        bail!("nothing to record: give criterion scores, --comment or --recommend");
    }
    let key = keyring::unlock(a.key.key.as_deref(), a.key.passphrase_file.as_deref())?;
    let mut b = open_as(&a.bundle, &key)?;
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
    if let Some(text) = a.comment {
        changes.push(Change::Comment {
            app: a.app.clone(),
            text,
        });
    }
    if let Some(r) = a.recommend {
        changes.push(Change::Recommend {
            app: a.app.clone(),
            value: Some(r == YesNo::Yes),
        });
    }
    append_all(&mut b, changes, clock)?;
    println!("{}", status_line(&b, &a.app)?);
    Ok(exit::OK)
}

pub fn recuse(a: RecuseArgs, clock: &Clock) -> Result<u8> {
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
            .ok_or_else(|| anyhow!("a recusal needs --reason (the conflict of interest)"))?;
        Change::Recuse {
            app: a.app.clone(),
            reason,
        }
    };
    let key = keyring::unlock(a.key.key.as_deref(), a.key.passphrase_file.as_deref())?;
    let mut b = open_as(&a.bundle, &key)?;
    append_all(&mut b, vec![change], clock)?;
    println!("{}", status_line(&b, &a.app)?);
    Ok(exit::OK)
}
