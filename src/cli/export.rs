//! `panelist export`, `panelist verify` and `panelist show`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::Ctx;
use super::args::KeyArgs;
use super::print;
use crate::domain::text::{inert_line, inert_path};
use crate::exit;
use crate::support::lang::Lang;
use crate::verify::{self, Context};

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Your working copy.
    pub bundle: PathBuf,
    /// The signed file to write (JSON).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Export even if some applications are neither complete nor recused
    /// (the file is then marked partial).
    #[arg(long)]
    pub allow_incomplete: bool,
    #[command(flatten)]
    pub key: KeyArgs,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Signed files (experts' exports, or a merged result).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The panel roster with public keys: a JSON array of entries, or a
    /// bundle whose roster carries them.
    #[arg(long)]
    pub roster: PathBuf,
    /// Also check that each file scores this bundle (digest, id, rubric,
    /// applications).
    #[arg(long)]
    pub bundle: Option<PathBuf>,
    /// The chair's opinion log a merged result names: its chain and
    /// signatures are checked and its final opinions compared with the
    /// result's.
    #[arg(long, value_name = "LOG")]
    pub opinions: Option<PathBuf>,
}

pub fn export(a: &ExportArgs, ctx: &Ctx) -> Result<u8> {
    // Before the passphrase is asked for: nothing read may be written over.
    let key_file = crate::keyring::find(a.key.key.as_deref())?;
    let pass = crate::keyring::passphrase_path(a.key.passphrase_file.as_deref());
    let mut inputs = vec![a.bundle.as_path(), key_file.as_path()];
    inputs.extend(pass.as_deref());
    crate::support::fs::check_outputs(&inputs, &[&a.output])?;
    let key = a.key.unlock()?;
    let s =
        crate::export::export_bundle(&a.bundle, &key, &a.output, a.allow_incomplete, &ctx.clock)?;
    print::line(match ctx.lang {
        Lang::Zh => format!(
            "{}：专家 {}（{}），密钥 {}，{} 条评分记录，{}{}",
            inert_path(&s.path),
            s.expert,
            inert_line(&s.expert_name),
            crate::crypto::short_id(&s.key_id),
            s.events,
            s.counts.line(),
            if s.partial { "（未评完）" } else { "" }
        ),
        Lang::En => format!(
            "{}: expert {} ({}), key {}, {} events, {}{}",
            inert_path(&s.path),
            s.expert,
            inert_line(&s.expert_name),
            crate::crypto::short_id(&s.key_id),
            s.events,
            s.counts.line(),
            if s.partial { " (partial)" } else { "" }
        ),
    });
    Ok(exit::OK)
}

/// The CSV and XLSX beside a merged result with its stem, one line each:
/// `OK` when it names this signed file's SHA-256, `BAD` otherwise. False
/// when any is bad.
fn check_set(signed: &std::path::Path, bytes: &[u8], lang: Lang) -> bool {
    use crate::verify::set::Verdict;
    let want = crate::verify::set::sha256_hex(bytes);
    let short = |h: &str| h[..h.len().min(16)].to_string();
    let of = inert_path(signed);
    let mut good = true;
    for m in crate::verify::set::check_beside(signed, bytes) {
        let name = inert_path(&m.path);
        let kind = m.kind;
        let why = match &m.verdict {
            Verdict::Belongs => {
                print::line(match lang {
                    Lang::Zh => format!(
                        "OK  {name}  {of} 的 {kind}（签名文件 SHA-256 {}）",
                        short(&want)
                    ),
                    Lang::En => format!(
                        "OK  {name}  {kind} of {of} (signed file SHA-256 {})",
                        short(&want)
                    ),
                });
                continue;
            }
            Verdict::Other(h) => match lang {
                Lang::Zh => format!(
                    "属于另一次汇总的 {kind}：它记的签名文件 SHA-256 是 {}，而 {of} 是 {}；请使用同一次汇总写出的文件（或重新汇总）",
                    short(h),
                    short(&want)
                ),
                Lang::En => format!(
                    "{kind} of another merged result: it names signed file SHA-256 {}, {of} is {}; use the files one merge wrote together (or merge again)",
                    short(h),
                    short(&want)
                ),
            },
            Verdict::NoMark => match lang {
                Lang::Zh => {
                    format!("{kind} 中没有所属签名文件的 SHA-256，无法与 {of} 对应；请重新汇总")
                }
                Lang::En => format!(
                    "{kind} without the SHA-256 of the signed file it belongs to: it cannot be matched to {of}; merge again"
                ),
            },
            Verdict::Unreadable(why) => match lang {
                Lang::Zh => format!("无法读取此 {kind}：{}", inert_line(why)),
                Lang::En => format!("cannot read this {kind}: {}", inert_line(why)),
            },
        };
        good = false;
        print::line(format_args!("BAD {name}  {why}"));
    }
    good
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// A signed file (an expert's export or a merged result).
    pub file: PathBuf,
}

/// Prints the decoded payload of a signed file: what `jq -r .payload FILE
/// | base64 -d | jq .` prints, with characters a terminal would obey
/// escaped. It checks no signature; `panelist verify` does.
pub fn show(a: &ShowArgs, _ctx: &Ctx) -> Result<u8> {
    let name = inert_path(&a.file);
    let text = crate::export::read_signed_file(&a.file)?;
    let env = crate::crypto::envelope::Envelope::parse_unsigned(&text)
        .map_err(|e| anyhow::anyhow!("{name}: {}", inert_line(&e.to_string())))?;
    let shown = env
        .show()
        .map_err(|e| anyhow::anyhow!("{name}: {}", inert_line(&e.to_string())))?;
    print::text(&shown);
    Ok(exit::OK)
}

/// Exit 0 when every file verifies, 1 when any is bad, 2 when any cannot
/// be read (each reported on its own line).
/// A verified merged result's opinions against the chair's log `log`.
fn opinions_agree(
    bytes: &[u8],
    log: &std::path::Path,
    roster: &[crate::domain::RosterEntry],
) -> std::result::Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    let env = crate::crypto::envelope::Envelope::parse(text).map_err(|e| e.to_string())?;
    let p: crate::formats::merged::MergedPayload =
        crate::formats::read_payload(&env).map_err(|e| e.to_string())?;
    let ids: std::collections::BTreeSet<&str> =
        p.applications.iter().map(|a| a.id.as_str()).collect();
    let o = crate::merge::opinions::read(log, roster, &p.bundle.digest, &|id| ids.contains(id))
        .map_err(|e| format!("{e:#}"))?;
    crate::merge::opinions::check_against(&p, &o)
}

pub fn verify(a: &VerifyArgs, cli: &Ctx) -> Result<u8> {
    let roster = crate::verify::read_checked_roster(&a.roster)?;
    let facts = crate::verify::read_bundle_facts(a.bundle.as_deref())?;
    let ctx = Context {
        roster: &roster,
        bundle: facts.as_ref(),
    };
    // Every file on every core; the lines come out in the order given.
    enum Outcome {
        Unreadable(String),
        Verdict(
            std::result::Result<verify::Verified, verify::VerifyError>,
            Vec<u8>,
            String,
        ),
    }
    let outcomes = crate::support::par::map(&a.files, |f| {
        crate::export::with_signed_text(f, |read| match read {
            Err(e) => Outcome::Unreadable(format!("{e:#}")),
            Ok(text) => {
                let bytes = text.as_bytes();
                // What `sha256sum` prints, and every printed page shows.
                let sha = crate::verify::set::sha256_hex(bytes);
                let r = verify::verify_text(text, &ctx);
                // A merged result's set is checked against its bytes.
                let keep = match &r {
                    Ok(v) if v.payload_type == crate::crypto::envelope::MERGED_TYPE => {
                        bytes.to_vec()
                    }
                    _ => Vec::new(),
                };
                Outcome::Verdict(r, keep, sha)
            }
        })
    });
    let mut code = exit::OK;
    for (f, outcome) in a.files.iter().zip(outcomes) {
        let name = inert_path(f);
        match outcome {
            Outcome::Unreadable(e) => {
                // A file that cannot be read is an error, not a verdict.
                eprintln!("{}{}", super::error_prefix(), inert_line(&e));
                code = exit::ERROR;
            }
            Outcome::Verdict(Ok(v), bytes, sha) => {
                if let (Some(log), true) = (
                    &a.opinions,
                    v.payload_type == crate::crypto::envelope::MERGED_TYPE,
                ) && let Err(why) = opinions_agree(&bytes, log, &roster)
                {
                    print::line(format_args!("BAD {name}  {}", inert_line(&why)));
                    if code == exit::OK {
                        code = exit::FINDINGS;
                    }
                    continue;
                }
                print::line(format_args!("OK  {name}  {}  SHA-256 {sha}", v.summary));
                if v.payload_type == crate::crypto::envelope::MERGED_TYPE
                    && !check_set(f, &bytes, cli.lang)
                    && code == exit::OK
                {
                    code = exit::FINDINGS;
                }
            }
            Outcome::Verdict(Err(reason), _, _) => {
                print::line(format_args!("BAD {name}  {}", inert_line(&reason.message)));
                if code == exit::OK {
                    code = exit::FINDINGS;
                }
            }
        }
    }
    Ok(code)
}
