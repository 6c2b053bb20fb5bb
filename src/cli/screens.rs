//! The commands that open a screen: `demo`, `open`, `board`, `replay`.
//! Each reads (and refuses with one line) what it shows before it touches
//! the terminal.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use super::Ctx;
use crate::exit;
use crate::store::Bundle;

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Start over from the embedded demo bundle.
    #[arg(long)]
    pub fresh: bool,
}

#[derive(Args, Debug)]
pub struct OpenArgs {
    /// The bundle: an expert's working copy.
    pub bundle: PathBuf,
    /// Your expert id from the panel roster, when the copy is not yet yours.
    #[arg(long = "as", value_name = "EXPERT_ID")]
    pub expert: Option<String>,
}

#[derive(Args, Debug)]
pub struct BoardArgs {
    /// A merged result (signed, or an unsigned draft), or the ministry's combined result.
    pub file: PathBuf,
    /// Verify the file against this roster first (JSON array, or a bundle).
    #[arg(long)]
    pub roster: Option<PathBuf>,
    /// Write the panel's opinions (专家组意见) to this opinion log (started
    /// at the first save); needs the chair's --key.
    #[arg(long, value_name = "LOG", requires = "key")]
    pub opinions: Option<PathBuf>,
    /// The chair's key, which signs each opinion: an id in the key folder,
    /// or a key file.
    #[arg(long, value_name = "ID|FILE", requires = "opinions")]
    pub key: Option<String>,
    /// Read the key's passphrase from this file (also PANELIST_PASSPHRASE_FILE).
    #[arg(long, value_name = "FILE", requires = "key")]
    pub passphrase_file: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// A working copy (.bundle) or a signed scores file (.json).
    pub file: PathBuf,
}

/// Whether the screens can run: stdin and stdout are terminals.
fn interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// `panelist demo`: the screens on a terminal, else the demo bundle's info.
/// The screens open signed in as the demo expert: its key is made with
/// the demo passphrase when the keys folder has none.
pub fn demo(a: &DemoArgs, ctx: &Ctx) -> Result<u8> {
    let path = crate::demo::prepare(a.fresh, &ctx.clock)?;
    if interactive() {
        let settings = crate::tui::settings(ctx.lang_flag)?;
        let key = demo_key(&path, ctx)?;
        crate::tui::run(
            Bundle::open_write_deferred(&path)?,
            &ctx.clock,
            settings,
            key,
        )?;
        return Ok(exit::OK);
    }
    let code = super::bundle::info_of(&path, false, ctx.lang)?;
    eprintln!(
        "{}",
        ctx.lang.pick(
            "（评审界面需要终端：标准输入和标准输出须为终端）",
            "(the expert screens need a terminal: stdin and stdout must be terminals)"
        )
    );
    Ok(code)
}

/// The demo expert's key, unlocked: made with the demo passphrase when
/// there is none. `None` when the keys folder holds a key of the demo
/// expert with another passphrase (the screens then ask for it). A demo
/// copy with events this key did not make (made before the demo signed)
/// is started over.
fn demo_key(path: &std::path::Path, ctx: &Ctx) -> Result<Option<crate::keyring::Unlocked>> {
    use crate::crypto::keys::Passphrase;
    use crate::demo::{DEMO_EXPERT, DEMO_PASSPHRASE};
    let pass = Passphrase::new(DEMO_PASSPHRASE.to_string());
    let key = if crate::keyring::key_path(DEMO_EXPERT)?.exists() {
        match crate::keyring::unlock_with(Some(DEMO_EXPERT), &pass) {
            Ok(k) => k,
            Err(e) if e.is::<crate::keyring::WrongPassphrase>() => return Ok(None),
            Err(e) => return Err(e),
        }
    } else {
        let (content, _) = crate::demo::content()?;
        let who = crate::demo::demo_identity(&content.roster);
        let (_, k) = crate::keyring::create_unlocked(
            &crate::keyring::NewKey {
                id: &who.id,
                name: &who.name,
                org: &who.org,
                alg: crate::crypto::Alg::Ed25519,
                sm2_id: None,
                passphrase_file: None,
                force: false,
            },
            &pass,
            &ctx.clock,
        )?;
        eprintln!(
            "{}",
            ctx.lang.pick(
                &format!(
                    "已为演示专家 {DEMO_EXPERT} 创建签名密钥，口令：{DEMO_PASSPHRASE}"
                ),
                &format!(
                    "made the demo expert {DEMO_EXPERT}'s signing key; its passphrase: {DEMO_PASSPHRASE}"
                ),
            )
        );
        k
    };
    let b = Bundle::open_read(path)?;
    let claimed_other = b
        .owner()?
        .and_then(|o| o.key_id)
        .is_some_and(|k| k != key.key_id());
    let unsigned = crate::keyring::session::unsigned_events(
        &b,
        &b.history()?,
        std::slice::from_ref(key.key.verify_key()),
        0,
    )?;
    drop(b);
    if claimed_other || !unsigned.is_empty() {
        crate::demo::prepare(true, &ctx.clock)?;
        eprintln!(
            "{}",
            ctx.lang.pick(
                "演示工作副本含有非演示密钥签名的记录，已重新开始",
                "the demo working copy held events the demo key did not sign: started over"
            )
        );
    }
    Ok(Some(key))
}

/// `panelist open BUNDLE [--as EXPERT_ID]`: the owner if the copy has one
/// (another --as is refused by the store), else --as from the roster, else
/// the screens ask.
pub fn open(a: &OpenArgs, ctx: &Ctx) -> Result<u8> {
    let settings = crate::tui::settings(ctx.lang_flag)?;
    let mut b = Bundle::open_write_deferred(&a.bundle)?;
    if let Some(id) = &a.expert {
        crate::store::claim_as(&mut b, id)?;
    }
    if !interactive() {
        bail!(ctx.lang.pick(
            "评审界面需要终端：标准输入和标准输出须为终端",
            "the expert screens need a terminal: stdin and stdout must be terminals"
        ));
    }
    crate::tui::run(b, &ctx.clock, settings, None)?;
    Ok(exit::OK)
}

/// `panelist board FILE [--roster R]`.
pub fn board(a: &BoardArgs, ctx: &Ctx) -> Result<u8> {
    // Read and opened once; the payloadType says which board.
    let text = crate::support::fs::read_text(&a.file, &crate::support::fs::limits::SIGNED)?;
    let env = crate::crypto::envelope::Envelope::parse_unsigned(&text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", a.file.display()))?;
    if env.payload_type == crate::crypto::envelope::COMBINED_TYPE {
        return national(a, ctx, &text, &env);
    }
    let (payload, trust) =
        crate::tui::board::from_envelope(&a.file, &text, &env, a.roster.as_deref())?;
    if !interactive() {
        bail!(
            "{}{}{}",
            a.file.display(),
            ctx.lang.pick("：", ": "),
            ctx.lang.pick(
                "看板需要终端（标准输入和标准输出须为终端）",
                "the board needs a terminal (stdin and stdout must be terminals)"
            )
        );
    }
    let desk = match &a.opinions {
        Some(log) => Some(opinion_desk(a, log, &payload)?),
        None => None,
    };
    let settings = crate::tui::settings(ctx.lang_flag)?;
    crate::tui::board::run(payload, trust, settings, &a.file, desk)?;
    Ok(exit::OK)
}

/// The chair's desk for `panelist board --opinions LOG`: the chair's key
/// unlocked (the prompt comes before the screen), the chair named by the
/// roster (or by the signed result), the log checked.
fn opinion_desk(
    a: &BoardArgs,
    log: &std::path::Path,
    payload: &crate::formats::merged::MergedPayload,
) -> Result<crate::tui::board::opinions::Desk> {
    let Some(spec) = a.key.as_deref() else {
        bail!(
            "{}",
            crate::tr!(
                "--opinions 需要组长的密钥（--key），每条专家组意见都由它签名".to_string(),
                "--opinions needs the chair's key (--key): it signs every opinion".to_string()
            )
        );
    };
    let mut read: Vec<&std::path::Path> = vec![&a.file];
    read.extend(a.roster.as_deref());
    crate::support::fs::check_outputs(&read, &[log])?;
    let key = crate::keyring::unlock_spec(spec, a.passphrase_file.as_deref())?;
    let (chair, previous) = match &a.roster {
        Some(r) => {
            let entries = crate::import::read_roster(r)?;
            let e = entries
                .iter()
                .find(|e| {
                    e.key_id.as_deref() == Some(key.key_id())
                        && e.role.as_deref() == Some(crate::verify::CHAIR_ROLE)
                })
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "{}",
                        crate::tr!(
                            format!(
                                "{}：密钥 {} 不是本名单中组长的密钥",
                                r.display(),
                                crate::crypto::short_id(key.key_id())
                            ),
                            format!(
                                "{}: key {} is not a chair's key in this roster",
                                r.display(),
                                crate::crypto::short_id(key.key_id())
                            )
                        )
                    )
                })?;
            let mut previous = crate::crypto::sign::VerifyKey::accepted_by(e)
                .map_err(|m| anyhow::anyhow!("{}: {m}", r.display()))?;
            previous.remove(0);
            (e.id.clone(), previous)
        }
        None => match &payload.chair {
            Some(c) if c.key_id == key.key_id() => (c.id.clone(), Vec::new()),
            _ => bail!(
                "{}",
                crate::tr!(
                    format!(
                        "{}：此汇总结果不是由密钥 {} 签署的；请加 --roster 名单，指明这把密钥属于哪位组长",
                        a.file.display(),
                        crate::crypto::short_id(key.key_id())
                    ),
                    format!(
                        "{}: this merged result is not signed with key {}; give --roster so the key's chair is known",
                        a.file.display(),
                        crate::crypto::short_id(key.key_id())
                    )
                )
            ),
        },
    };
    let clock = crate::support::clock::Clock::from_env()?;
    crate::tui::board::opinions::Desk::open(log, payload, &chair, key, previous, clock)
}

/// `panelist board COMBINED.json`: the ministry's national view.
fn national(
    a: &BoardArgs,
    ctx: &Ctx,
    text: &str,
    env: &crate::crypto::envelope::Envelope,
) -> Result<u8> {
    if a.opinions.is_some() {
        bail!(
            "{}",
            crate::tr!(
                format!(
                    "{}：这是全国汇总结果；--opinions 用于专家组的汇总结果",
                    a.file.display()
                ),
                format!(
                    "{}: a combined result of the whole call; --opinions is for a panel's merged result",
                    a.file.display()
                )
            )
        );
    }
    let (payload, trust) =
        crate::tui::board::national::from_envelope(&a.file, text, env, a.roster.as_deref())?;
    if !interactive() {
        bail!(
            "{}{}{}",
            a.file.display(),
            ctx.lang.pick("：", ": "),
            ctx.lang.pick(
                "看板需要终端（标准输入和标准输出须为终端）",
                "the board needs a terminal (stdin and stdout must be terminals)"
            )
        );
    }
    let settings = crate::tui::settings(ctx.lang_flag)?;
    crate::tui::board::national::run(payload, trust, settings)?;
    Ok(exit::OK)
}

/// `panelist replay FILE`.
pub fn replay(a: &ReplayArgs, ctx: &Ctx) -> Result<u8> {
    let settings = crate::tui::settings(ctx.lang_flag)?;
    let src = crate::tui::replay::source::Source::open(&a.file)?;
    if !interactive() {
        bail!(ctx.lang.pick(
            "回放界面需要终端：标准输入和标准输出须为终端",
            "the replay screen needs a terminal: stdin and stdout must be terminals"
        ));
    }
    crate::tui::replay::run_source(src, settings)?;
    Ok(exit::OK)
}
