//! `panelist merge`: the chair's merge of the experts' signed files.
//!
//! Exit codes: 0 merged (files left out with `--skip-invalid` or as partial
//! are listed, and recorded in the payload's `left_out`); 1 the merge
//! stopped on problems in the inputs (a file that does not verify, forked
//! histories of one expert, a recused expert's score) — every problem is
//! listed and nothing is written; 2 an error of usage or of reading (the
//! bundle, the roster, an input or the key cannot be read).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::Ctx;
use super::args::RankRuleArg;
use super::print;
use crate::crypto::short_id;
use crate::domain::aggregate::Params;
use crate::domain::text::{inert_line, inert_path};
use crate::exit;
use crate::merge::progress::Progress;
use crate::merge::{MergeOptions, Note, Request};
use crate::support::lang::Lang;

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Experts' signed score files, or folders of them (their *.json).
    #[arg(required = true, value_name = "EXPORT")]
    pub inputs: Vec<PathBuf>,
    /// The panel's bundle (the applications the experts scored).
    #[arg(long)]
    pub bundle: PathBuf,
    /// The panel roster with public keys (JSON array, or a bundle).
    #[arg(long)]
    pub roster: PathBuf,
    /// The merged result to write (signed JSON).
    #[arg(short, long, value_name = "MERGED.json")]
    pub output: PathBuf,
    /// Also write the results as CSV (UTF-8 with BOM, for Excel and WPS).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Also write the results as an XLSX workbook.
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,
    /// The chair's key: an id in the key folder, or a key file. Without it
    /// the result is an unsigned draft.
    #[arg(long, value_name = "ID|FILE")]
    pub key: Option<String>,
    /// Read the key's passphrase from this file (also PANELIST_PASSPHRASE_FILE).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// The statistic that ranks applications.
    #[arg(long, value_enum, default_value = "trimmed")]
    pub rule: RankRuleArg,
    /// Drop one highest and one lowest score from this many scorers on (≥ 3).
    #[arg(long, default_value_t = 5)]
    pub trim_min_n: u32,
    /// Fewer scorers than this is flagged below quorum.
    #[arg(long, default_value_t = 3)]
    pub quorum: u32,
    /// Flag high disagreement when the range of totals is at least this
    /// percent of the total scale.
    #[arg(long, default_value_t = 30)]
    pub disagreement_pct: u32,
    /// Flag an expert whose total is at least this percent of the scale
    /// from the panel's median on an application.
    #[arg(long, default_value_t = 25)]
    pub outlier_pct: u32,
    /// Flag an application whose ranks under the rules differ by more than
    /// this many places.
    #[arg(long, default_value_t = 3)]
    pub rank_shift: u32,
    /// z-score ranks need every expert of a direction to have this many scores.
    #[arg(long, default_value_t = 10)]
    pub z_min_scores: u32,
    /// Do not prefer small and micro enterprises at equal merit (the 2020
    /// call's tie-break); ties then go to innovation alone.
    #[arg(long)]
    pub no_sme_tiebreak: bool,
    /// Leave out files that fail verification (listed) instead of stopping.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Merge partial exports too (only their complete scores count).
    #[arg(long)]
    pub allow_partial: bool,
    /// Stop (exit 2, nothing written) unless every roster expert with a key
    /// has a merged file.
    #[arg(long)]
    pub require_all: bool,
    /// Leave applications with eligibility findings (bundle check) out of
    /// the ranking; the result lists them.
    #[arg(long)]
    pub exclude_ineligible: bool,
    /// The chair's opinion log, written on the board (panelist board
    /// --opinions): the result carries the panel's final opinions.
    #[arg(long, value_name = "LOG")]
    pub opinions: Option<PathBuf>,
}

impl MergeArgs {
    /// The aggregation knobs, checked.
    pub fn params(&self) -> Result<Params> {
        let p = Params {
            rule: self.rule.into(),
            trim_min_n: self.trim_min_n,
            quorum: self.quorum,
            disagreement_pct: self.disagreement_pct,
            outlier_pct: self.outlier_pct,
            rank_shift: self.rank_shift,
            z_min_scores: self.z_min_scores,
            sme_tiebreak: !self.no_sme_tiebreak,
        };
        crate::merge::check_params(&p)?;
        Ok(p)
    }

    /// The files and key of this merge.
    pub fn request(&self) -> Request<'_> {
        Request {
            inputs: &self.inputs,
            bundle: &self.bundle,
            roster: &self.roster,
            output: &self.output,
            csv: self.csv.as_deref(),
            xlsx: self.xlsx.as_deref(),
            key: self.key.as_deref(),
            passphrase_file: self.passphrase_file.as_deref(),
            opinions: self.opinions.as_deref(),
        }
    }
}

/// The Chinese name of a ranking rule (its key stays in the line).
fn rule_zh(key: &str) -> &'static str {
    match key {
        "trimmed" => "去掉一个最高分和一个最低分后取平均",
        "mean" => "平均分",
        "median" => "中位数",
        _ => "",
    }
}

/// A roster expert without a merged file, and why.
fn missing_line(m: &crate::formats::merged::Missing) -> String {
    let why = match m.reason.as_str() {
        "no-key" => crate::tr!("名单未给出其密钥", "the roster gives no key"),
        "left-out" => crate::tr!("给出的文件均未采用", "every file given was left out"),
        _ => crate::tr!("未给出其文件", "no file was given"),
    };
    crate::tr!(
        format!(
            "MISS {}  名单中这位专家没有文件参与汇总（{}）：{why}",
            m.expert,
            inert_line(&m.name)
        ),
        format!(
            "MISS {}  no file of this roster expert is merged ({}): {why}",
            m.expert,
            inert_line(&m.name)
        )
    )
}

fn note_line(n: &Note) -> String {
    format!("{} {}  {}", n.kind.tag(), n.file, inert_line(&n.text))
}

pub fn run(a: &MergeArgs, ctx: &Ctx) -> Result<u8> {
    let lang = ctx.lang;
    let params = a.params()?;
    let req = a.request();
    let mut stages = crate::merge::stages::Stages::new();
    let prep = req.prepare()?;
    stages.mark("open inputs");
    let opts = MergeOptions {
        params,
        skip_invalid: a.skip_invalid,
        allow_partial: a.allow_partial,
        exclude_ineligible: a.exclude_ineligible,
    };
    let mut bar = Progress::new(prep.inputs.len(), lang.pick("校验", "verifying"));
    let outcome = prep.merge(&opts, &ctx.clock.stamp(), &mut |done, name| {
        bar.step(done, name)
    })?;
    bar.finish();
    let merged = match outcome {
        Ok(m) => m,
        Err(stopped) => {
            for n in &stopped.notes {
                print::line(note_line(n));
            }
            for p in &stopped.problems {
                print::line(inert_line(p));
            }
            eprintln!(
                "{}",
                match lang {
                    Lang::Zh => format!(
                        "合并已停止：{} 个问题，未写出任何文件（无效文件可用 --skip-invalid 排除）",
                        stopped.problems.len()
                    ),
                    Lang::En => format!(
                        "merge stopped: {} problem(s), nothing written (--skip-invalid leaves out files that do not verify)",
                        stopped.problems.len()
                    ),
                }
            );
            return Ok(exit::FINDINGS);
        }
    };
    let p = &merged.payload;
    let absent = crate::merge::absent_keyed(p);
    if a.require_all && !absent.is_empty() {
        for n in &merged.notes {
            print::line(note_line(n));
        }
        for m in &absent {
            print::line(missing_line(m));
        }
        anyhow::bail!(
            "{}",
            crate::tr!(
                format!(
                    "--require-all：名单中 {} 位有密钥的专家没有文件参与汇总（{}），未写出任何文件；请补齐其文件后重新汇总",
                    absent.len(),
                    absent
                        .iter()
                        .map(|m| m.expert.as_str())
                        .collect::<Vec<_>>()
                        .join("、")
                ),
                format!(
                    "--require-all: {} keyed roster expert(s) have no merged file ({}); nothing written — add their files and merge again",
                    absent.len(),
                    absent
                        .iter()
                        .map(|m| m.expert.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            )
        );
    }
    req.write(&prep, &merged, lang)?;
    for n in &merged.notes {
        print::line(note_line(n));
    }
    for m in &p.missing {
        print::line(missing_line(m));
    }
    for x in &p.excluded {
        print::line(crate::tr!(
            format!(
                "EXCL {}  有资格审查问题（{}），未参与排名",
                inert_line(&x.id),
                x.rules.join("、")
            ),
            format!(
                "EXCL {}  eligibility findings ({}), left out of the ranking",
                inert_line(&x.id),
                x.rules.join(", ")
            )
        ));
    }
    let findings = p
        .applications
        .iter()
        .filter(|x| !x.findings.is_empty())
        .count();
    if findings > 0 && p.excluded.is_empty() {
        print::line(crate::tr!(
            format!(
                "注意：{findings} 个项目有资格审查问题，结果中已标出（--exclude-ineligible 可将其排除出排名）"
            ),
            format!(
                "note: {findings} application(s) have eligibility findings, flagged in the result (--exclude-ineligible leaves them out of the ranking)"
            )
        ));
    }
    let flagged = p.applications.iter().filter(|x| x.flagged()).count();
    let signed = match (&p.chair, lang) {
        (Some(c), Lang::Zh) => format!("组长 {} 签署（密钥 {}）", c.id, short_id(&c.key_id)),
        (Some(c), Lang::En) => format!("signed by {} (key {})", c.id, short_id(&c.key_id)),
        (None, Lang::Zh) => "未签名草稿（未给出 --key）：panelist verify 不会接受".to_string(),
        (None, Lang::En) => "UNSIGNED draft (no --key): panelist verify will refuse it".to_string(),
    };
    let (out, rule) = (inert_path(&a.output), p.method.rule.key());
    print::line(match lang {
        Lang::Zh => format!(
            "{out}：{} 位专家，{} 个项目分属 {} 个方向，规则 {rule}（{}），{flagged} 个需关注，{signed}",
            p.inputs.len(),
            p.applications.len(),
            p.directions.len(),
            rule_zh(rule),
        ),
        Lang::En => format!(
            "{out}: {} experts, {} applications in {} directions, rule {rule}, {flagged} flagged, {signed}",
            p.inputs.len(),
            p.applications.len(),
            p.directions.len(),
        ),
    });
    for (path, what) in [(&a.csv, "CSV"), (&a.xlsx, "XLSX")] {
        if let Some(path) = path {
            print::line(format_args!(
                "{}{}{what}",
                inert_path(path),
                lang.pick("：", ": ")
            ));
        }
    }
    if p.chair.is_none() {
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
