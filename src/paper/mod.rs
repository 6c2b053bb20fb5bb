//! Paper that matches the file: an expert's score sheet (个人评分表) from a
//! signed export and the panel's summary (专家组评审汇总表) from a merged
//! result, as PDF, to print and sign by hand.
//!
//! Every page carries the signed file's name and SHA-256 (short in text,
//! whole in a QR code), so a sheet is matched to its file with
//! `sha256sum` or `panelist verify`. The same file gives the same bytes:
//! the creation date is the file's own time, the document id its hash,
//! and nothing random enters. Fonts are the machine's (see [`font`]);
//! krilla embeds only the glyphs used.

pub mod font;
mod layout;
mod sheet;
mod summary;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Result, anyhow, bail};

use crate::crypto::envelope::{Envelope, MERGED_TYPE, SCORES_TYPE};
use crate::domain::text::inert_line;
use crate::formats::merged::MergedPayload;
use crate::formats::scores::ScoresPayload;
use crate::support::lang::Lang;

pub use font::{FontError, PaperFont};

/// The signed file a document is printed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Its file name (no folder).
    pub name: String,
    /// Hex SHA-256 of its bytes: what `sha256sum` prints.
    pub sha256: String,
}

impl Source {
    pub fn of(path: &Path, bytes: &[u8]) -> Source {
        use sha2::Digest as _;
        Source {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string()),
            sha256: crate::domain::history::hex(&sha2::Sha256::digest(bytes)),
        }
    }

    /// The hash's first 16 hex digits, as printed on every page.
    pub fn short(&self) -> &str {
        self.sha256.get(..16).unwrap_or(&self.sha256)
    }
}

/// What was checked before printing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// Verified against a roster, as `panelist verify` checks: signed by
    /// this roster entry.
    Verified(String),
    /// Read strictly, its signature not checked (no roster given).
    Unchecked,
    /// A merged result made without the chair's key: a draft, printed as
    /// one.
    Unsigned,
}

/// An expert's export, read for its score sheet.
#[derive(Debug, Clone)]
pub struct SheetInput {
    pub source: Source,
    pub trust: Trust,
    pub payload: ScoresPayload,
    /// Application id → title (from the bundle; the export has none).
    pub titles: BTreeMap<String, String>,
}

/// A merged result, read for the panel's summary.
#[derive(Debug, Clone)]
pub struct SummaryInput {
    pub source: Source,
    pub trust: Trust,
    pub payload: MergedPayload,
}

fn read_envelope(path: &Path) -> Result<(String, Envelope)> {
    let p = path.display();
    let text = crate::support::fs::read_text(path, &crate::support::fs::limits::SIGNED)?;
    let env = crate::verify::parse_envelope(&text)
        .map_err(|e| anyhow!("{p}: {}", inert_line(&e.message)))?;
    Ok((text, env))
}

fn roster(path: &Path) -> Result<Vec<crate::domain::RosterEntry>> {
    crate::verify::read_checked_roster(path)
}

/// Reads an expert's export: verified against `roster` when given (and
/// then against `bundle` too), titles from `bundle`.
pub fn read_sheet(
    path: &Path,
    roster_path: Option<&Path>,
    bundle: Option<&Path>,
) -> Result<SheetInput> {
    let p = path.display();
    let (text, env) = read_envelope(path)?;
    if env.payload_type != SCORES_TYPE {
        bail!(
            "{p}: not an expert's scores file (payloadType {}); `panelist paper summary` prints a merged result",
            inert_line(&env.payload_type)
        );
    }
    if env.signatures.is_empty() {
        bail!("{p}: not signed; a score sheet is printed from the signed export");
    }
    let facts = crate::verify::read_bundle_facts(bundle)?;
    let (payload, trust) = match roster_path {
        Some(r) => {
            let entries = roster(r)?;
            let ctx = crate::verify::Context {
                roster: &entries,
                bundle: facts.as_ref(),
            };
            let (v, payload) = crate::verify::verify_scores(&env, &ctx)
                .map_err(|e| anyhow!("{p}: does not verify: {}", inert_line(&e.message)))?;
            (payload, Trust::Verified(v.signer))
        }
        None => {
            let payload: ScoresPayload = crate::verify::read_payload(&env)
                .map_err(|e| anyhow!("{p}: {}", inert_line(&e.message)))?;
            if let Some(f) = &facts
                && f.digest != payload.bundle.digest
            {
                bail!(
                    "{p}: scores another bundle than {} (its digest differs)",
                    inert_line(&f.path)
                );
            }
            (payload, Trust::Unchecked)
        }
    };
    payload
        .rubric
        .to_rubric()
        .map_err(|m| anyhow!("{p}: payload rubric: {m}"))?;
    let titles = facts
        .map(|f| f.apps.into_iter().map(|a| (a.id, a.title)).collect())
        .unwrap_or_default();
    Ok(SheetInput {
        source: Source::of(path, text.as_bytes()),
        trust,
        payload,
        titles,
    })
}

/// Reads a merged result, verified against `roster` when given.
pub fn read_summary(path: &Path, roster_path: Option<&Path>) -> Result<SummaryInput> {
    let p = path.display();
    let (text, env) = read_envelope(path)?;
    if env.payload_type != MERGED_TYPE {
        bail!(
            "{p}: not a merged result (payloadType {}); `panelist paper sheet` prints an expert's export",
            inert_line(&env.payload_type)
        );
    }
    let trust = match roster_path {
        Some(r) => {
            let entries = roster(r)?;
            let ctx = crate::verify::Context {
                roster: &entries,
                bundle: None,
            };
            let v = crate::verify::verify_envelope(&env, &ctx)
                .map_err(|e| anyhow!("{p}: does not verify: {}", inert_line(&e.message)))?;
            Trust::Verified(v.signer)
        }
        None if env.signatures.is_empty() => Trust::Unsigned,
        None => Trust::Unchecked,
    };
    let payload: MergedPayload = crate::verify::read_payload(&env)
        .map_err(|e| anyhow!("{p}: {}", inert_line(&e.message)))?;
    payload
        .rubric
        .to_rubric()
        .map_err(|m| anyhow!("{p}: payload rubric: {m}"))?;
    Ok(SummaryInput {
        source: Source::of(path, text.as_bytes()),
        trust,
        payload,
    })
}

/// A document rendered: its PDF bytes and page count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printed {
    pub pdf: Vec<u8>,
    pub pages: usize,
}

/// The score sheet.
pub fn sheet_pdf(input: &SheetInput, font: &mut PaperFont, lang: Lang) -> Result<Printed> {
    let (pdf, pages) =
        sheet::render(input, font, lang).map_err(|e| anyhow!("{}: {e}", input.source.name))?;
    Ok(Printed { pdf, pages })
}

/// The panel's summary.
pub fn summary_pdf(input: &SummaryInput, font: &mut PaperFont, lang: Lang) -> Result<Printed> {
    let (pdf, pages) =
        summary::render(input, font, lang).map_err(|e| anyhow!("{}: {e}", input.source.name))?;
    Ok(Printed { pdf, pages })
}

/// Writes `pdf` to `out` atomically (a reader never sees half a file).
pub fn write_pdf(out: &Path, printed: &Printed) -> Result<()> {
    crate::support::fs::write_atomic(out, &printed.pdf)
}

/// The font to print with: `given`, else an installed one; without one,
/// the line naming what to install, in `lang`.
pub fn font_for(given: Option<&Path>, lang: Lang) -> Result<PaperFont> {
    PaperFont::locate(given).map_err(|e| match e {
        FontError::NotFound => anyhow!(
            "{}",
            lang.pick(font::INSTALL_HINT_ZH, font::INSTALL_HINT_EN)
        ),
        FontError::Bad(m) => anyhow!("{m}"),
    })
}

/// "第 N 页 共 M 页".
fn page_zh(n: usize, m: usize) -> String {
    format!("第 {n} 页 共 {m} 页")
}

fn page_en(n: usize, m: usize) -> String {
    format!("Page {n} of {m}")
}

/// The footer's file line: name and short hash.
fn file_line(s: &Source, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("文件：{}    SHA-256：{}", s.name, s.short()),
        Lang::En => format!("File: {}    SHA-256: {}", s.name, s.short()),
    }
}

/// The header's line saying what was checked.
fn trust_line(t: &Trust, lang: Lang) -> String {
    match (t, lang) {
        (Trust::Verified(id), Lang::Zh) => format!("签名：已按专家名册核验（{id} 的密钥）"),
        (Trust::Verified(id), Lang::En) => format!("Signature: verified against the roster ({id}'s key)"),
        (Trust::Unchecked, Lang::Zh) => {
            "签名：未核验（打印时未给专家名册 --roster；请用 panelist verify 核验该文件）".into()
        }
        (Trust::Unchecked, Lang::En) => {
            "Signature: not checked (printed without --roster; check the file with panelist verify)".into()
        }
        (Trust::Unsigned, Lang::Zh) => {
            "草稿：该汇总结果未经组长签名（merge 未给 --key），不作为正式记录".into()
        }
        (Trust::Unsigned, Lang::En) => {
            "DRAFT: this merged result is not signed by the chair (merged without --key); not the record".into()
        }
    }
}

/// The date part (YYYY-MM-DD) of an RFC 3339 time.
fn day(t: &str) -> &str {
    t.get(..10).unwrap_or(t)
}
