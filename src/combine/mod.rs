//! The ministry's combine: every panel's signed merged result of one call
//! into the national ranking per direction and the proposed list.
//!
//! Each merged result is verified as `panelist verify` does it
//! (`verify::verify_envelope`: one signature, by a key the ministry's
//! roster gives a chair, the payload closed and consistent); the chair
//! vouches for the experts' keys of the panel, so the roster the check runs
//! against is the signing chair's entry from the ministry's roster plus the
//! experts the payload names. Drafts, results of another call, one file
//! twice and two versions of one panel's result are refused before any
//! figure is read. Then the rules of the call's notice that reach across
//! panels are run over every panel's applications (`domain::rules`), the
//! ranking is computed (`domain::national`), and the payload is signed with
//! the ministry's key.

pub mod report;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::crypto::envelope::{COMBINED_TYPE, Envelope, MERGED_TYPE};
use crate::crypto::short_id;
use crate::domain::aggregate::RankRule;
use crate::domain::national::{self, Basis, Selection};
use crate::domain::text::{inert_line, inert_path};
use crate::domain::{Catalog, RosterEntry};
use crate::formats::combined::{
    CallLimits, CombinedEntry, CombinedMethod, CombinedPayload, PanelRef, SetAside, apply_ranking,
    call_findings,
};
use crate::formats::merged::{DirectionRef, MergedPayload};
use crate::formats::{COMBINED_FORMAT, ExpertRef};
use crate::verify::{CHAIR_ROLE, Context};

/// The roster role of the ministry's signer.
pub const MINISTRY_ROLE: &str = crate::verify::MINISTRY_ROLE;

/// What the ministry asks of the combine.
#[derive(Debug, Clone)]
pub struct Options {
    pub rule: RankRule,
    pub sme_tiebreak: bool,
    pub basis: Basis,
    pub rank_shift: u32,
    pub selection: Selection,
    /// The call every result must be of; without it, they must agree.
    pub call: Option<String>,
    /// `--select N`: a quota of N for every direction.
    pub select: Option<u32>,
}

/// One merged result as read and verified.
pub struct Panel {
    pub file: String,
    pub path: PathBuf,
    pub sha256: String,
    pub payload: MergedPayload,
    pub chair: RosterEntry,
}

/// Reads and verifies one merged result's bytes. `Err` is one line saying
/// what is wrong (the file's name is added by the caller).
pub fn read_panel(bytes: &[u8], chairs: &[RosterEntry]) -> Result<(MergedPayload, RosterEntry)> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}",
            crate::tr!(
                format!("不是 UTF-8 文本（第 {} 字节）", e.valid_up_to()),
                format!("not UTF-8 (byte {})", e.valid_up_to())
            )
        )
    })?;
    let env = crate::verify::parse_envelope(text).map_err(|e| anyhow::anyhow!("{}", said(&e)))?;
    if env.payload_type != MERGED_TYPE {
        bail!(
            "{}",
            crate::tr!(
                format!(
                    "不是评审组的汇总结果（payloadType '{}'，应为 {MERGED_TYPE}）",
                    inert_line(&env.payload_type)
                ),
                format!(
                    "not a panel's merged result (payloadType '{}', expected {MERGED_TYPE})",
                    inert_line(&env.payload_type)
                )
            )
        );
    }
    if env.signatures.is_empty() {
        bail!(
            "{}",
            crate::tr!(
                "未签名的汇总结果（组长未用 --key 签署）：只是草稿，不能合并；请组长签署后重新提交",
                "unsigned merged result (made without the chair's --key): a draft, it cannot be combined; ask the chair for the signed one"
            )
        );
    }
    let payload: MergedPayload =
        crate::verify::read_payload(&env).map_err(|e| anyhow::anyhow!("{}", said(&e)))?;
    let chair = chair_of(&env, chairs)?;
    let roster = panel_roster(&payload, &chair);
    let ctx = Context {
        roster: &roster,
        bundle: None,
    };
    crate::verify::verify_envelope(&env, &ctx).map_err(|e| anyhow::anyhow!("{}", said(&e)))?;
    Ok((payload, chair))
}

/// A verification failure in the language of the run: the checks' own
/// words where they have Chinese, else what its kind means.
fn said(e: &crate::verify::VerifyError) -> String {
    use crate::verify::Kind;
    let has_zh = e
        .message
        .chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    if !crate::support::lang::current().is_zh() || has_zh {
        return e.message.clone();
    }
    match e.kind {
        Kind::Envelope => "不是格式正确的签名文件（严格 JSON 的 DSSE 信封）",
        Kind::PayloadType => "载荷类型不是评审组的汇总结果",
        Kind::Signature => "签名无法验证：签署后内容或签名被改动过",
        Kind::Roster => "签署人或其中的专家密钥与部里的名单不符",
        Kind::Format => "汇总结果的内容不完整或前后不一致",
        Kind::Chain | Kind::Replay | Kind::Results | Kind::Bundle => "汇总结果未通过校验",
    }
    .to_string()
}

/// The ministry roster's chair whose key signed `env`.
fn chair_of(env: &Envelope, chairs: &[RosterEntry]) -> Result<RosterEntry> {
    let kid = env.signatures.first().map_or("", |s| s.keyid.as_str());
    let Some(e) = chairs
        .iter()
        .find(|e| e.key_id.as_deref() == Some(kid) && e.role.as_deref() == Some(CHAIR_ROLE))
    else {
        bail!(
            "{}",
            crate::tr!(
                format!(
                    "签名密钥 {} 不是部里名单中任何组长的密钥",
                    inert_line(short_id(kid))
                ),
                format!(
                    "signed by key {}, which is no chair's key in the ministry's roster",
                    inert_line(short_id(kid))
                )
            )
        );
    };
    Ok(e.clone())
}

/// The roster a panel's result is verified against: the signing chair
/// from the ministry's roster, the experts the chair merged with the keys
/// the chair names, and the experts the chair lists as missing.
fn panel_roster(p: &MergedPayload, chair: &RosterEntry) -> Vec<RosterEntry> {
    let mut roster = vec![chair.clone()];
    let entry = |id: &str, key_id: Option<String>| RosterEntry {
        id: id.to_string(),
        name: String::new(),
        org: String::new(),
        role: None,
        alg: None,
        public_key: None,
        key_id,
        sm2_id: None,
        previous_keys: Vec::new(),
    };
    for i in &p.inputs {
        if i.expert != chair.id {
            roster.push(entry(&i.expert, Some(i.key_id.clone())));
        }
    }
    for m in &p.missing {
        roster.push(entry(&m.expert, None));
    }
    roster
}

/// The panels given, read and verified; every refusal is one line naming
/// the file(s). `prefer` settles two versions of one panel's result.
pub fn read_panels(
    paths: &[PathBuf],
    chairs: &[RosterEntry],
    prefer: &[PathBuf],
    call: Option<&str>,
) -> Result<(Vec<Panel>, Vec<SetAside>)> {
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.display().to_string())
    };
    let read: Vec<Result<Panel>> = crate::support::par::map(paths, |path| {
        let bytes = crate::support::fs::read_kind(path, &crate::support::fs::limits::SIGNED)?;
        let sha256 = crate::verify::set::sha256_hex(&bytes);
        let (payload, chair) = read_panel(&bytes, chairs)
            .map_err(|e| anyhow::anyhow!("{}{}{e}", inert_path(path), crate::tr!("：", ": ")))?;
        Ok(Panel {
            file: name(path),
            path: path.clone(),
            sha256,
            payload,
            chair,
        })
    });
    let mut panels = Vec::with_capacity(read.len());
    for r in read {
        panels.push(r?);
    }
    // The same file twice.
    for (i, a) in panels.iter().enumerate() {
        if let Some(b) = panels[..i].iter().find(|b| b.sha256 == a.sha256) {
            bail!(
                "{}",
                crate::tr!(
                    format!(
                        "{} 与 {} 是同一份汇总结果（同一评审组的同一文件给了两次）；请只给一次",
                        inert_path(&b.path),
                        inert_path(&a.path)
                    ),
                    format!(
                        "{} and {} are the same merged result (one panel's file given twice); give it once",
                        inert_path(&b.path),
                        inert_path(&a.path)
                    )
                )
            );
        }
    }
    // One call.
    let want = call
        .map(str::to_string)
        .or_else(|| panels.first().map(|p| p.payload.bundle.call.clone()));
    if let Some(want) = &want
        && let Some(p) = panels.iter().find(|p| &p.payload.bundle.call != want)
    {
        bail!(
            "{}",
            crate::tr!(
                format!(
                    "{}：是 {} 年申报的汇总结果，而本次合并的是 {} 年（--call）",
                    inert_path(&p.path),
                    inert_line(&p.payload.bundle.call),
                    inert_line(want)
                ),
                format!(
                    "{}: a merged result of call {}, but this combine is of call {} (--call)",
                    inert_path(&p.path),
                    inert_line(&p.payload.bundle.call),
                    inert_line(want)
                )
            )
        );
    }
    for f in prefer {
        if !panels.iter().any(|p| same_path(&p.path, f)) {
            bail!(
                "{}",
                crate::tr!(
                    format!("--prefer {}：不是给出的汇总结果之一", inert_path(f)),
                    format!(
                        "--prefer {}: not one of the merged results given",
                        inert_path(f)
                    )
                )
            );
        }
    }
    // Two versions of one panel: the same bundle, bundle id or panel name.
    let same_panel = |a: &MergedPayload, b: &MergedPayload| {
        a.bundle.digest == b.bundle.digest
            || a.bundle.id == b.bundle.id
            || a.bundle.panel == b.bundle.panel
    };
    let preferred = |p: &Panel| prefer.iter().any(|f| same_path(&p.path, f));
    let mut keep = vec![true; panels.len()];
    let mut set_aside = Vec::new();
    for i in 0..panels.len() {
        for j in 0..i {
            if !(keep[i] && keep[j] && same_panel(&panels[i].payload, &panels[j].payload)) {
                continue;
            }
            let (a, b) = (&panels[j], &panels[i]);
            let drop = match (preferred(a), preferred(b)) {
                (true, false) => i,
                (false, true) => j,
                _ => bail!(
                    "{}",
                    crate::tr!(
                        format!(
                            "{} 和 {} 是同一评审组（{}）的两个版本的汇总结果，均未采用；请用 --prefer 指定保留哪一个",
                            inert_path(&a.path),
                            inert_path(&b.path),
                            inert_line(&a.payload.bundle.panel)
                        ),
                        format!(
                            "{} and {} are two versions of one panel's merged result ({}); neither is kept — name the one to keep with --prefer",
                            inert_path(&a.path),
                            inert_path(&b.path),
                            inert_line(&a.payload.bundle.panel)
                        )
                    )
                ),
            };
            let kept = if drop == i { j } else { i };
            keep[drop] = false;
            set_aside.push(SetAside {
                file: panels[drop].file.clone(),
                sha256: panels[drop].sha256.clone(),
                reason: "not-preferred".into(),
                detail: format!(
                    "another version of panel {} is preferred: {}",
                    panels[drop].payload.bundle.panel, panels[kept].file
                ),
            });
        }
    }
    let panels = panels
        .into_iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(p))
        .collect();
    Ok((panels, set_aside))
}

fn same_path(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// The entries of every panel, in panel order then the panel's order.
pub fn entries(panels: &[&MergedPayload], rule: RankRule) -> Vec<CombinedEntry> {
    let mut out = Vec::new();
    for (k, p) in panels.iter().enumerate() {
        for a in &p.applications {
            let ranked = a.rank.is_some();
            let score = a
                .total
                .as_ref()
                .filter(|_| ranked)
                .map(|t| t.pick(rule).to_string());
            let innovation = a
                .criteria
                .get("innovation")
                .filter(|_| ranked)
                .map(|c| c.pick(rule).to_string());
            let mut pf: Vec<String> = Vec::new();
            for f in &a.findings {
                if !pf.contains(&f.rule) {
                    pf.push(f.rule.clone());
                }
            }
            out.push(CombinedEntry {
                panel: k as u32,
                id: a.id.clone(),
                title: a.title.clone(),
                direction: a.direction,
                lead_unit: a.lead_unit.clone(),
                sme: a.sme,
                authority: a.authority.clone(),
                scorers: a.scorers.len() as u32,
                score,
                innovation,
                z: None,
                percentile: None,
                ranks: BTreeMap::new(),
                robust: true,
                status: national::Status::Unranked,
                panel_findings: pf,
                findings: Vec::new(),
                opinion: a.opinion.as_ref().map(|o| o.text.clone()),
            });
        }
    }
    out
}

/// The call's directions across the panels, code order.
fn directions(panels: &[&MergedPayload]) -> Vec<DirectionRef> {
    let mut by_code: BTreeMap<u32, DirectionRef> = BTreeMap::new();
    for p in panels {
        for d in &p.directions {
            by_code.entry(d.code).or_insert_with(|| d.clone());
        }
    }
    by_code.into_values().collect()
}

/// The method as the payload publishes it.
pub fn method(o: &Options) -> CombinedMethod {
    let (selection, quota, threshold) = match &o.selection {
        Selection::None => ("none", BTreeMap::new(), None),
        Selection::Quota(q) => (
            "quota",
            q.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            None,
        ),
        Selection::Threshold(t) => ("threshold", BTreeMap::new(), Some(national::fixed(*t))),
    };
    CombinedMethod {
        rule: o.rule,
        sme_tiebreak: o.sme_tiebreak,
        basis: o.basis,
        rank_shift: o.rank_shift,
        selection: selection.into(),
        quota,
        threshold,
        places: 0,
        ranking: String::new(),
        zscore: String::new(),
        percentile: String::new(),
        robust: String::new(),
        selection_rule: String::new(),
    }
    .with_rules()
}

/// The call's catalog (its per-authority limits and high-end direction).
pub fn catalog_of(call: &str) -> Result<Catalog> {
    crate::domain::catalog::shipped_catalog(call).map_err(|m| {
        anyhow::anyhow!(
            "{}",
            crate::tr!(
                format!("没有 {} 年申报的方向目录：{m}", inert_line(call)),
                format!("no catalog of call {}: {m}", inert_line(call))
            )
        )
    })
}

/// Combines verified panels into the (unsigned) payload.
pub fn combine(
    panels: &[Panel],
    set_aside: Vec<SetAside>,
    o: &Options,
    created: &str,
    ministry: Option<ExpertRef>,
) -> Result<CombinedPayload> {
    let payloads: Vec<&MergedPayload> = panels.iter().map(|p| &p.payload).collect();
    let call = o
        .call
        .clone()
        .or_else(|| payloads.first().map(|p| p.bundle.call.clone()))
        .unwrap_or_default();
    let catalog = catalog_of(&call)?;
    let mut o = o.clone();
    if let Some(n) = o.select {
        o.selection = Selection::Quota(directions(&payloads).iter().map(|d| (d.code, n)).collect());
    }
    let o = &o;
    if let Selection::Quota(q) = &o.selection {
        let dirs = directions(&payloads);
        let missing: Vec<String> = dirs
            .iter()
            .filter(|d| !q.contains_key(&d.code))
            .map(|d| d.code.to_string())
            .collect();
        if !missing.is_empty() {
            bail!(
                "{}",
                crate::tr!(
                    format!("方向 {} 没有给出名额", missing.join("、")),
                    format!("no quota given for direction(s) {}", missing.join(", "))
                )
            );
        }
    }
    let mut entries = entries(&payloads, o.rule);
    let names: Vec<String> = payloads.iter().map(|p| p.bundle.panel.clone()).collect();
    let findings = call_findings(&catalog, &mut entries, &names);
    let method = method(o);
    let params = method.params().map_err(anyhow::Error::msg)?;
    let (ties, list) = apply_ranking(&mut entries, &params).map_err(anyhow::Error::msg)?;
    Ok(CombinedPayload {
        format: COMBINED_FORMAT.into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        created: created.into(),
        call,
        ministry,
        method,
        limits: CallLimits::of(&catalog),
        panels: panels
            .iter()
            .map(|p| PanelRef {
                file: p.file.clone(),
                sha256: p.sha256.clone(),
                bundle: p.payload.bundle.clone(),
                chair: ExpertRef {
                    id: p.chair.id.clone(),
                    name: p.chair.name.clone(),
                    org: p.chair.org.clone(),
                    key_id: p.chair.key_id.clone().unwrap_or_default(),
                },
                merged: p.payload.created.clone(),
                panel_rule: p.payload.method.rule,
                experts: p.payload.inputs.len() as u32,
                applications: p.payload.applications.len() as u32,
            })
            .collect(),
        set_aside,
        directions: directions(&payloads),
        entries,
        findings,
        ties,
        list,
    })
}

/// The envelope of a combined payload: signed by the ministry's key, or
/// unsigned (a draft).
pub fn envelope(
    payload: &CombinedPayload,
    key: Option<&crate::crypto::sign::SecretKey>,
) -> Result<Envelope> {
    let bytes = crate::crypto::jcs::to_vec(payload)
        .map_err(|e| anyhow::anyhow!("cannot build the payload: {e}"))?;
    match key {
        Some(k) => {
            Envelope::sign_bytes(COMBINED_TYPE, bytes, k).map_err(|e| anyhow::anyhow!("{e}"))
        }
        None => Ok(Envelope {
            payload_type: COMBINED_TYPE.into(),
            payload: bytes,
            signatures: Vec::new(),
        }),
    }
}

/// The files and key of one combine.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub inputs: &'a [PathBuf],
    /// The ministry's roster: the chairs (role `chair`) and the ministry's
    /// signer (role `ministry`).
    pub roster: &'a Path,
    pub output: &'a Path,
    pub csv: Option<&'a Path>,
    pub notice_csv: Option<&'a Path>,
    pub xlsx: Option<&'a Path>,
    pub key: Option<&'a str>,
    pub passphrase_file: Option<&'a Path>,
    pub prefer: &'a [PathBuf],
    /// The experts' signed files of the panels (files or folders of
    /// *.json): when given, every panel's figures are recomputed from them.
    pub exports: &'a [PathBuf],
}

/// A combine done, ready to write.
pub struct Combined {
    pub payload: CombinedPayload,
    pub json: String,
    /// Per panel recomputed from its experts' files: its file and how many.
    pub recomputed: Vec<(String, usize)>,
}

/// Every panel's figures recomputed from its experts' signed files, found
/// among `exports` by SHA-256 (as `panelist verify` does for one merged
/// result with the experts' files): one line for the first panel that does
/// not recompute, naming it and its first difference.
pub fn recompute_panels(panels: &[Panel], exports: &[PathBuf]) -> Result<Vec<(String, usize)>> {
    let paths = crate::merge::expand_inputs(exports, &[])?;
    let inputs: Vec<crate::merge::InputFile> = paths
        .iter()
        .map(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| p.display().to_string());
            crate::merge::InputFile::on_disk(name, p.clone())
        })
        .collect();
    let results = crate::support::par::map(panels, |panel| {
        crate::merge::recompute(&panel.payload, &inputs)
    });
    let mut out = Vec::new();
    for (panel, r) in panels.iter().zip(results) {
        if let Err(errs) = r {
            let first = errs.first().cloned().unwrap_or_default();
            let more = errs.len().saturating_sub(1);
            bail!(
                "{}",
                crate::tr!(
                    format!(
                        "{}：不能由专家的签名评分文件重算：{}{}；未写出任何文件",
                        inert_line(&panel.file),
                        inert_line(&first),
                        if more > 0 {
                            format!("（另有 {more} 处）")
                        } else {
                            String::new()
                        }
                    ),
                    format!(
                        "{}: does not recompute from the experts' signed files: {}{}; nothing written",
                        inert_line(&panel.file),
                        inert_line(&first),
                        if more > 0 {
                            format!(" (and {more} more)")
                        } else {
                            String::new()
                        }
                    )
                )
            );
        }
        out.push((panel.file.clone(), panel.payload.inputs.len()));
    }
    Ok(out)
}

impl Request<'_> {
    pub fn outputs(&self) -> Vec<&Path> {
        let mut v = vec![self.output];
        v.extend(self.csv);
        v.extend(self.notice_csv);
        v.extend(self.xlsx);
        v
    }

    /// Reads, verifies, combines, signs and writes (the people's files
    /// first, the signed file last; nothing written on any error).
    pub fn run(
        &self,
        o: &Options,
        created: &str,
        lang: crate::support::lang::Lang,
    ) -> Result<Combined> {
        let roster = crate::verify::read_checked_roster(self.roster)?;
        let outputs = self.outputs();
        let paths = crate::merge::expand_inputs(self.inputs, &outputs)?;
        let key_path = self.key.map(crate::keyring::spec_path).transpose()?;
        let pass_path = key_path
            .as_ref()
            .and(crate::keyring::passphrase_path(self.passphrase_file));
        let mut read: Vec<&Path> = vec![self.roster];
        read.extend(paths.iter().map(PathBuf::as_path));
        read.extend(key_path.as_deref());
        read.extend(pass_path.as_deref());
        crate::support::fs::check_outputs(&read, &outputs)?;
        let _lock = crate::support::fs::OutputLock::acquire(&outputs)?;
        let key = match self.key {
            Some(spec) => Some(crate::keyring::unlock_spec(spec, self.passphrase_file)?),
            None => None,
        };
        let ministry = match &key {
            Some(k) => {
                let Some(e) = roster.iter().find(|e| {
                    e.key_id.as_deref() == Some(k.key_id())
                        && e.role.as_deref() == Some(MINISTRY_ROLE)
                }) else {
                    bail!(
                        "{}",
                        crate::tr!(
                            format!(
                                "{}：密钥 {}（{}）不是名单中角色为 \"{MINISTRY_ROLE}\" 的条目的密钥",
                                inert_path(self.roster),
                                k.file.id,
                                short_id(k.key_id())
                            ),
                            format!(
                                "{}: key {} ({}) is not the key of an entry with role \"{MINISTRY_ROLE}\" in this roster",
                                inert_path(self.roster),
                                k.file.id,
                                short_id(k.key_id())
                            )
                        )
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
        let (panels, set_aside) = read_panels(&paths, &roster, self.prefer, o.call.as_deref())?;
        let recomputed = if self.exports.is_empty() {
            Vec::new()
        } else {
            recompute_panels(&panels, self.exports)?
        };
        let payload = combine(&panels, set_aside, o, created, ministry)?;
        let env = envelope(&payload, key.as_ref().map(|k| &k.key))?;
        let json = env.to_text();
        let mark = crate::merge::report::SignedMark::of(json.as_bytes());
        let people = report::People {
            payload: &payload,
            lang,
            signed: &mark,
        };
        let csv = self.csv.map(|_| people.ranking_csv());
        let notice = self.notice_csv.map(|_| people.notice_csv());
        let xlsx = match self.xlsx {
            Some(_) => Some(people.xlsx()?),
            None => None,
        };
        let mut set: Vec<(&Path, &[u8])> = Vec::new();
        if let (Some(p), Some(b)) = (self.csv, &csv) {
            set.push((p, b));
        }
        if let (Some(p), Some(b)) = (self.notice_csv, &notice) {
            set.push((p, b));
        }
        if let (Some(p), Some(b)) = (self.xlsx, &xlsx) {
            set.push((p, b));
        }
        set.push((self.output, json.as_bytes()));
        crate::support::fs::write_set(&set)?;
        Ok(Combined {
            payload,
            json,
            recomputed,
        })
    }
}
