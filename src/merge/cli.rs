//! `panelist merge`: read the inputs, unlock the chair's key, run
//! [`super::merge`], write the signed result and the people's files.
//!
//! Exit codes: 0 merged (files left out with `--skip-invalid` or as partial
//! are listed, and recorded in the payload's `left_out`); 1 the merge
//! stopped on problems in the inputs (a file that does not verify, forked
//! histories of one expert, a recused expert's score) — every problem is
//! listed and nothing is written; 2 an error of usage or of reading (the
//! bundle, the roster, an input or the key cannot be read).

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use clap::Args;

use super::progress::Progress;
use super::{InputFile, MergeOptions};
use crate::crypto::short_id;
use crate::domain::aggregate::{Params, RankRule};
use crate::domain::text::inert_line;
use crate::exit;
use crate::formats::ExpertRef;
use crate::keyring::{self, Unlocked};
use crate::store::Bundle;
use crate::support::clock::Clock;
use crate::support::lang::Lang;
use crate::verify::{CHAIR_ROLE, check_roster};

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
    pub rule: RankRule,
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
}

impl MergeArgs {
    fn params(&self) -> Result<Params> {
        if self.trim_min_n < 3 {
            bail!(
                "--trim-min-n {}: at least 3 (one highest and one lowest are dropped)",
                self.trim_min_n
            );
        }
        if self.quorum == 0 {
            bail!("--quorum 0: at least 1");
        }
        for (flag, v) in [
            ("--disagreement-pct", self.disagreement_pct),
            ("--outlier-pct", self.outlier_pct),
        ] {
            if v == 0 || v > 100 {
                bail!("{flag} {v}: a percentage from 1 to 100");
            }
        }
        Ok(Params {
            rule: self.rule,
            trim_min_n: self.trim_min_n,
            quorum: self.quorum,
            disagreement_pct: self.disagreement_pct,
            outlier_pct: self.outlier_pct,
            rank_shift: self.rank_shift,
            z_min_scores: self.z_min_scores,
            sme_tiebreak: !self.no_sme_tiebreak,
        })
    }
}

/// Largest input accepted, as for `verify`.
const MAX_INPUT: u64 = 256 * 1024 * 1024;

fn read_input(path: &Path) -> Result<InputFile> {
    let p = path.display();
    let md = std::fs::metadata(path)
        .map_err(|e| anyhow!("{p}: cannot read: {}", crate::import::io_msg(&e)))?;
    if md.len() > MAX_INPUT {
        bail!("{p}: larger than {} MiB", MAX_INPUT >> 20);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.to_string());
    // Read while it is verified, not now: see InputFile.
    Ok(InputFile::on_disk(name, path.to_path_buf()))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// The input files: each file as given, each folder's *.json in name
/// order (leaving out the files this merge writes).
pub fn expand_inputs(inputs: &[PathBuf], outputs: &[&Path]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let rd = std::fs::read_dir(p).map_err(|e| {
                anyhow!(
                    "{}: cannot read: {}",
                    p.display(),
                    crate::import::io_msg(&e)
                )
            })?;
            let mut found = Vec::new();
            for e in rd {
                let f = e
                    .map_err(|e| {
                        anyhow!(
                            "{}: cannot read: {}",
                            p.display(),
                            crate::import::io_msg(&e)
                        )
                    })?
                    .path();
                let json = f
                    .extension()
                    .is_some_and(|x| x.eq_ignore_ascii_case("json"));
                if json && f.is_file() && !outputs.iter().any(|o| same_file(o, &f)) {
                    found.push(f);
                }
            }
            if found.is_empty() {
                bail!("{}: no *.json files in this folder", p.display());
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Opens the chair's key: a key file path, else an id in the key folder.
fn chair_key(spec: &str, passphrase_file: Option<&Path>) -> Result<Unlocked> {
    let p = Path::new(spec);
    if p.is_file() {
        keyring::unlock_file(p, passphrase_file)
    } else {
        keyring::unlock(Some(spec), passphrase_file)
    }
}

pub fn merge(a: MergeArgs, clock: &Clock, lang: Lang) -> Result<u8> {
    let params = a.params()?;
    let roster = crate::import::read_roster(&a.roster)?;
    check_roster(&roster).map_err(|m| anyhow!("{}: {m}", a.roster.display()))?;
    let bundle = Bundle::open_read(&a.bundle)?;
    let mut outputs: Vec<&Path> = vec![&a.output];
    outputs.extend(a.csv.as_deref());
    outputs.extend(a.xlsx.as_deref());
    let paths = expand_inputs(&a.inputs, &outputs)?;
    for p in &paths {
        if outputs.iter().any(|o| same_file(o, p)) {
            bail!("{}: is both an input and an output", p.display());
        }
    }
    // Unlock first: the passphrase prompt comes before the long work.
    let key = match &a.key {
        Some(spec) => Some(chair_key(spec, a.passphrase_file.as_deref())?),
        None => None,
    };
    let chair = match &key {
        Some(k) => {
            let entry = roster
                .iter()
                .find(|e| e.key_id.as_deref() == Some(k.key_id()))
                .filter(|e| e.role.as_deref() == Some(CHAIR_ROLE));
            let Some(e) = entry else {
                bail!(
                    "{}: key {} ({}) is not a chair's key in this roster; add its entry (panelist key show --id {} --roster-entry) with \"role\": \"{CHAIR_ROLE}\"",
                    a.roster.display(),
                    k.file.id,
                    short_id(k.key_id()),
                    k.file.id
                );
            };
            Some(ExpertRef {
                id: e.id.clone(),
                name: e.name.clone(),
                org: e.org.clone(),
                key_id: k.key_id().to_string(),
            })
        }
        None => None,
    };
    let inputs: Vec<InputFile> = paths.iter().map(|p| read_input(p)).collect::<Result<_>>()?;
    let opts = MergeOptions {
        params,
        skip_invalid: a.skip_invalid,
        allow_partial: a.allow_partial,
    };
    let mut bar = Progress::new(inputs.len(), lang.pick("校验", "verifying"));
    let outcome = super::merge(
        &bundle,
        &roster,
        &inputs,
        &opts,
        &clock.stamp(),
        chair,
        &mut |done, name| bar.step(done, name),
    )?;
    bar.finish();
    let merged = match outcome {
        Ok(m) => m,
        Err(stopped) => {
            for n in &stopped.notes {
                outln!("{} {}  {}", n.kind.tag(), n.file, inert_line(&n.text));
            }
            for p in &stopped.problems {
                outln!("{}", inert_line(p));
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
    // Build every file before writing any.
    let env = super::envelope(&merged.payload, key.as_ref().map(|k| &k.key))?;
    let apps = bundle.applications()?;
    let csv = a
        .csv
        .as_ref()
        .map(|_| super::report::csv_bytes(&merged.aggregate, &apps, &bundle.rubric, lang));
    let xlsx = match &a.xlsx {
        Some(_) => Some(super::report::xlsx_bytes(
            &merged.aggregate,
            &apps,
            &bundle.catalog,
            &bundle.rubric,
            lang,
        )?),
        None => None,
    };
    crate::support::fs::write_atomic(&a.output, env.to_text().as_bytes())?;
    if let (Some(p), Some(b)) = (&a.csv, &csv) {
        crate::support::fs::write_atomic(p, b)?;
    }
    if let (Some(p), Some(b)) = (&a.xlsx, &xlsx) {
        crate::support::fs::write_atomic(p, b)?;
    }
    for n in &merged.notes {
        outln!("{} {}  {}", n.kind.tag(), n.file, inert_line(&n.text));
    }
    let p = &merged.payload;
    // Roster experts with a key but no file in this merge.
    for e in &roster {
        let expert = e.role.as_deref() != Some(CHAIR_ROLE) && e.key_id.is_some();
        if expert && !p.inputs.iter().any(|i| i.expert == e.id) {
            outln!(
                "MISS {}  no file of this roster expert is merged ({})",
                e.id,
                inert_line(&e.name)
            );
        }
    }
    let flagged = p.applications.iter().filter(|x| x.flagged()).count();
    let signed = match &p.chair {
        Some(c) => format!("signed by {} (key {})", c.id, short_id(&c.key_id)),
        None => "UNSIGNED draft (no --key): panelist verify will refuse it".to_string(),
    };
    outln!(
        "{}: {} experts, {} applications in {} directions, rule {}, {} flagged, {signed}",
        a.output.display(),
        p.inputs.len(),
        p.applications.len(),
        p.directions.len(),
        p.method.rule.key(),
        flagged
    );
    for (path, what) in [(&a.csv, "CSV"), (&a.xlsx, "XLSX")] {
        if let Some(path) = path {
            outln!("{}: {what}", path.display());
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
