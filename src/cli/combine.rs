//! `panelist combine`: the ministry's combine of every panel's signed
//! merged result into the national ranking and the proposed list.
//!
//! Exit codes: 0 combined (findings across panels and ties at the cut are
//! listed, and recorded in the result); 2 a result refused (a draft, one
//! that does not verify, of another call, given twice, two versions of one
//! panel) or an error of usage or of reading — one line, nothing written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};

use super::Ctx;
use super::args::RankRuleArg;
use super::print;
use crate::combine::{Options, Request};
use crate::crypto::short_id;
use crate::domain::national::{self, Basis, Selection};
use crate::domain::text::{inert_line, inert_path};
use crate::exit;
use crate::support::lang::Lang;

/// `--basis`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BasisArg {
    Raw,
    Zscore,
    Percentile,
}

impl From<BasisArg> for Basis {
    fn from(b: BasisArg) -> Basis {
        match b {
            BasisArg::Raw => Basis::Raw,
            BasisArg::Zscore => Basis::Zscore,
            BasisArg::Percentile => Basis::Percentile,
        }
    }
}

#[derive(Args, Debug)]
pub struct CombineArgs {
    /// The chairs' signed merged results, or folders of them (their *.json).
    #[arg(required = true, value_name = "MERGED")]
    pub inputs: Vec<PathBuf>,
    /// The ministry's roster: every chair's entry (role chair) and the
    /// ministry's signer (role ministry), with public keys.
    #[arg(long)]
    pub roster: PathBuf,
    /// The combined result to write (signed JSON).
    #[arg(short, long, value_name = "COMBINED.json")]
    pub output: PathBuf,
    /// Also write the national ranking as CSV (UTF-8 with BOM).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Also write the public-notice list (公示) as CSV.
    #[arg(long, value_name = "FILE")]
    pub notice_csv: Option<PathBuf>,
    /// Also write the ranking, the list and the findings as an XLSX workbook.
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,
    /// The ministry's key: an id in the key folder, or a key file. Without
    /// it the result is an unsigned draft.
    #[arg(long, value_name = "ID|FILE")]
    pub key: Option<String>,
    /// Read the key's passphrase from this file (also PANELIST_PASSPHRASE_FILE).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// The call every result must be of (default: the first result's).
    #[arg(long, value_name = "YEAR")]
    pub call: Option<String>,
    /// Of two versions of one panel's result, keep this file (repeatable).
    #[arg(long, value_name = "FILE")]
    pub prefer: Vec<PathBuf>,
    /// The statistic of the panels' totals that ranks nationally.
    #[arg(long, value_enum, default_value = "trimmed")]
    pub rule: RankRuleArg,
    /// The value the proposed list is drawn by: the panels' raw figures, or
    /// per-panel z-scores or percentiles.
    #[arg(long, value_enum, default_value = "raw")]
    pub basis: BasisArg,
    /// Propose this many applications per direction.
    #[arg(long, value_name = "N", conflicts_with_all = ["quota", "threshold"])]
    pub select: Option<u32>,
    /// Places per direction from a TOML file of `direction code = N` lines.
    #[arg(long, value_name = "FILE", conflicts_with = "threshold")]
    pub quota: Option<PathBuf>,
    /// Propose every application whose basis value is at least this.
    #[arg(long, value_name = "VALUE")]
    pub threshold: Option<String>,
    /// Flag an application whose national ranks under raw, z-score and
    /// percentile differ by more than this many places.
    #[arg(long, default_value_t = 3)]
    pub rank_shift: u32,
    /// Do not prefer small and micro enterprises at equal merit.
    #[arg(long)]
    pub no_sme_tiebreak: bool,
    /// The experts' signed files of the panels (files or folders of
    /// *.json): every panel's figures are recomputed from them, and the
    /// combine stops unless each recomputes exactly.
    #[arg(long, value_name = "EXPORT", num_args = 1..)]
    pub exports: Vec<PathBuf>,
}

/// The places per direction of a quota file: `code = N` lines (TOML).
fn read_quota(path: &Path) -> Result<BTreeMap<u32, u32>> {
    let text = crate::support::fs::read_text(path, &crate::support::fs::limits::CONFIG)?;
    let table: BTreeMap<String, toml::Value> = toml::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}: {}",
            inert_path(path),
            crate::tr!(
                format!("不是“方向代码 = 名额”的 TOML：{}", e.message()),
                format!(
                    "not TOML of `direction code = places` lines: {}",
                    e.message()
                )
            )
        )
    })?;
    let mut out = BTreeMap::new();
    for (k, v) in table {
        let code = k.parse::<u32>().ok().filter(|c| c.to_string() == k);
        let n = v.as_integer().and_then(|n| u32::try_from(n).ok());
        match (code, n) {
            (Some(c), Some(n)) => {
                out.insert(c, n);
            }
            _ => bail!(
                "{}: {}",
                inert_path(path),
                crate::tr!(
                    format!("“{}”：键须为方向代码，值须为非负整数名额", inert_line(&k)),
                    format!(
                        "'{}': each key must be a direction code and each value a whole number of places",
                        inert_line(&k)
                    )
                )
            ),
        }
    }
    Ok(out)
}

impl CombineArgs {
    /// The ministry's options, checked (`--select N` becomes a quota of N
    /// for every direction once the directions are known).
    fn options(&self) -> Result<Options> {
        let selection = if let Some(q) = &self.quota {
            Selection::Quota(read_quota(q)?)
        } else if let Some(t) = &self.threshold {
            Selection::Threshold(national::parse_threshold(t).ok_or_else(|| {
                anyhow::anyhow!(
                    "{}",
                    crate::tr!(
                        format!("--threshold “{}”：须为最多 4 位小数的数", inert_line(t)),
                        format!(
                            "--threshold '{}': must be a number with at most 4 decimal places",
                            inert_line(t)
                        )
                    )
                )
            })?)
        } else {
            Selection::None
        };
        Ok(Options {
            rule: self.rule.into(),
            sme_tiebreak: !self.no_sme_tiebreak,
            basis: self.basis.into(),
            rank_shift: self.rank_shift,
            selection,
            call: self.call.clone(),
            select: self.select,
        })
    }
}

pub fn run(a: &CombineArgs, ctx: &Ctx) -> Result<u8> {
    let lang = ctx.lang;
    let opts = a.options()?;
    let req = Request {
        inputs: &a.inputs,
        roster: &a.roster,
        output: &a.output,
        csv: a.csv.as_deref(),
        notice_csv: a.notice_csv.as_deref(),
        xlsx: a.xlsx.as_deref(),
        key: a.key.as_deref(),
        passphrase_file: a.passphrase_file.as_deref(),
        prefer: &a.prefer,
        exports: &a.exports,
    };
    let done = req.run(&opts, &ctx.clock.stamp(), lang)?;
    let p = &done.payload;
    for (file, n) in &done.recomputed {
        print::line(crate::tr!(
            format!(
                "RECO {}  每个数值都由 {n} 份专家评分文件重算，一致",
                inert_line(file)
            ),
            format!(
                "RECO {}  every figure recomputed from {n} experts' files, equal",
                inert_line(file)
            )
        ));
    }
    for s in &p.set_aside {
        print::line(crate::tr!(
            format!(
                "SKIP {}  未采用：{}",
                inert_line(&s.file),
                inert_line(&s.detail)
            ),
            format!(
                "SKIP {}  set aside: {}",
                inert_line(&s.file),
                inert_line(&s.detail)
            )
        ));
    }
    for f in &p.findings {
        let apps: Vec<String> = f
            .apps
            .iter()
            .map(|x| {
                format!(
                    "{}@{}",
                    inert_line(&x.id),
                    inert_line(p.panel_name(x.panel))
                )
            })
            .collect();
        print::line(format!(
            "FIND {}  {}  [{}]",
            f.rule,
            inert_line(lang.pick(&f.detail_zh, &f.detail_en)),
            apps.join(", ")
        ));
    }
    for t in &p.ties {
        let apps: Vec<String> = t
            .apps
            .iter()
            .map(|x| {
                format!(
                    "{}@{}",
                    inert_line(&x.id),
                    inert_line(p.panel_name(x.panel))
                )
            })
            .collect();
        let dir = p.direction_name(t.direction, lang, true);
        print::line(crate::tr!(
            format!(
                "TIE  {dir}：第 {} 名 {} 项并列，只剩 {} 个名额，未自动取舍：{}",
                t.rank,
                t.apps.len(),
                t.places_left,
                apps.join("、")
            ),
            format!(
                "TIE  {dir}: {} applications share rank {} with {} place(s) left, not broken: {}",
                t.apps.len(),
                t.rank,
                t.places_left,
                apps.join(", ")
            )
        ));
    }
    let unstable = p.entries.iter().filter(|e| !e.robust).count();
    let signed = match (&p.ministry, lang) {
        (Some(m), Lang::Zh) => format!("{} 签署（密钥 {}）", m.id, short_id(&m.key_id)),
        (Some(m), Lang::En) => format!("signed by {} (key {})", m.id, short_id(&m.key_id)),
        (None, Lang::Zh) => "未签名草稿（未给出 --key）：panelist verify 不会接受".to_string(),
        (None, Lang::En) => "UNSIGNED draft (no --key): panelist verify will refuse it".to_string(),
    };
    let out = inert_path(&a.output);
    print::line(crate::tr!(
        format!(
            "{out}：{} 个评审组，{} 个项目分属 {} 个方向，跨组问题 {} 条，名次不稳健 {unstable} 项，临界并列 {} 处，拟入选 {} 项，{signed}",
            p.panels.len(),
            p.entries.len(),
            p.directions.len(),
            p.findings.len(),
            p.ties.len(),
            p.list.len()
        ),
        format!(
            "{out}: {} panels, {} applications in {} directions, {} finding(s) across panels, {unstable} not robust, {} tie(s) at the cut, {} on the list, {signed}",
            p.panels.len(),
            p.entries.len(),
            p.directions.len(),
            p.findings.len(),
            p.ties.len(),
            p.list.len()
        )
    ));
    for (path, what) in [
        (&a.csv, "CSV"),
        (
            &a.notice_csv,
            lang.pick("公示名单 CSV", "public-notice CSV"),
        ),
        (&a.xlsx, "XLSX"),
    ] {
        if let Some(path) = path {
            print::line(format_args!(
                "{}{}{what}",
                inert_path(path),
                lang.pick("：", ": ")
            ));
        }
    }
    if p.ministry.is_none() {
        eprintln!(
            "{}",
            lang.pick(
                "注意：未签名（未给出 --key），此结果仅为草稿",
                "note: unsigned (no --key); this result is a draft"
            )
        );
    }
    Ok(exit::OK)
}
