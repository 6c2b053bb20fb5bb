//! The ministry's combined result: its signer, shape, and every derived
//! figure recomputed from the panels' figures it carries (z-scores,
//! percentiles, national ranks, robustness, statuses, ties at the cut, the
//! proposed list, the rules checked across panels). That those figures are
//! the panels' own is checked against the merged files themselves by
//! `scripts/verify_combined.py --merged`.

use std::collections::BTreeSet;

use super::roster::CHAIR_ROLE;
use super::{Context, Kind, PayloadRules, VerifyError};
use crate::crypto::envelope::Envelope;
use crate::crypto::short_id;
use crate::domain::RosterEntry;
use crate::domain::history::unhex32;
use crate::domain::national::Status;
use crate::domain::text::inert_line;
use crate::formats::COMBINED_FORMAT;
use crate::formats::combined::{CombinedPayload, apply_ranking, call_findings};

/// The roster role of the ministry's signer of a combined result.
pub const MINISTRY_ROLE: &str = "ministry";

fn format_error(message: impl Into<String>) -> VerifyError {
    VerifyError::new(Kind::Format, message)
}

fn roster_error(message: impl Into<String>) -> VerifyError {
    VerifyError::new(Kind::Roster, message)
}

/// Signed by exactly one key, which the roster gives an entry with role
/// `ministry`; every panel's chair a chair of the roster with that key;
/// the payload closed, and every derived figure its recomputation.
pub struct CombinedRules;

impl PayloadRules for CombinedRules {
    fn signer<'r>(
        &self,
        env: &Envelope,
        roster: &'r [RosterEntry],
    ) -> Result<&'r RosterEntry, VerifyError> {
        if env.signatures.len() != 1 {
            return Err(VerifyError::new(
                Kind::Signature,
                crate::tr!(
                    format!(
                        "合并结果须有且仅有一个签名，此文件有 {} 个",
                        env.signatures.len()
                    ),
                    format!(
                        "a combined result carries exactly one signature, this one has {}",
                        env.signatures.len()
                    )
                ),
            ));
        }
        let kid = &env.signatures[0].keyid;
        let entry = roster
            .iter()
            .find(|e| e.key_id.as_deref() == Some(kid.as_str()))
            .ok_or_else(|| {
                roster_error(crate::tr!(
                    format!("签名密钥 {} 不在名单中", inert_line(short_id(kid))),
                    format!(
                        "signed by key {}, which is not in the roster",
                        inert_line(short_id(kid))
                    )
                ))
            })?;
        if entry.role.as_deref() != Some(MINISTRY_ROLE) {
            return Err(roster_error(crate::tr!(
                format!(
                    "由 {} 的密钥签署，但名单未给 {} 角色 \"{MINISTRY_ROLE}\"",
                    entry.id, entry.id
                ),
                format!(
                    "signed by {}'s key, but the roster does not give {} the role \"{MINISTRY_ROLE}\"",
                    entry.id, entry.id
                )
            )));
        }
        Ok(entry)
    }

    fn check(
        &self,
        env: &Envelope,
        signer: &RosterEntry,
        ctx: &Context,
    ) -> Result<String, VerifyError> {
        let p: CombinedPayload = super::read_payload(env)?;
        check_payload(&p, Some(signer), ctx.roster)?;
        Ok(crate::tr!(
            format!(
                "部里 {}（{}）签署的合并结果  {} 个评审组，{} 个项目，拟入选 {} 项",
                signer.id,
                inert_line(&signer.name),
                p.panels.len(),
                p.entries.len(),
                p.list.len()
            ),
            format!(
                "combined result by {} ({})  {} panels, {} applications, {} on the list",
                signer.id,
                inert_line(&signer.name),
                p.panels.len(),
                p.entries.len(),
                p.list.len()
            )
        ))
    }
}

/// The checks of a combined payload; `signer` and `roster` when it is
/// signed and a roster is at hand.
pub fn check_payload(
    p: &CombinedPayload,
    signer: Option<&RosterEntry>,
    roster: &[RosterEntry],
) -> Result<(), VerifyError> {
    if p.format != COMBINED_FORMAT {
        return Err(format_error(format!(
            "payload format '{}', expected '{COMBINED_FORMAT}'",
            inert_line(&p.format)
        )));
    }
    crate::domain::history::parse_time(&p.created).ok_or_else(|| {
        format_error(format!(
            "payload created '{}' is not written YYYY-MM-DDTHH:MM:SS.mmmZ (UTC, milliseconds)",
            inert_line(&p.created)
        ))
    })?;
    if let Some(s) = signer {
        let named = p
            .ministry
            .as_ref()
            .is_some_and(|m| m.id == s.id && Some(m.key_id.as_str()) == s.key_id.as_deref());
        if !named {
            return Err(roster_error(crate::tr!(
                format!("载荷所列部里签署人与实际签署的 {} 不符", s.id),
                format!("the payload's ministry signer is not {}, who signed", s.id)
            )));
        }
    }
    if p.method != p.method.clone().with_rules() {
        return Err(format_error(crate::tr!(
            "方法中公布的规则不是本版本的",
            "the method's published rules are not this version's"
        )));
    }
    let params = p.method.params().map_err(format_error)?;
    let mut files = BTreeSet::new();
    for (i, panel) in p.panels.iter().enumerate() {
        if unhex32(&panel.sha256).is_none() || !files.insert(panel.sha256.as_str()) {
            return Err(format_error(format!(
                "panels[{i}]: sha256 must be 64 lower-case hex digits, once each"
            )));
        }
        if panel.bundle.call != p.call {
            return Err(format_error(format!(
                "panels[{i}] is of call {}, the result of call {}",
                inert_line(&panel.bundle.call),
                inert_line(&p.call)
            )));
        }
        if !roster.is_empty() {
            let ok = roster.iter().any(|e| {
                e.id == panel.chair.id
                    && e.key_id.as_deref() == Some(panel.chair.key_id.as_str())
                    && e.role.as_deref() == Some(CHAIR_ROLE)
            });
            if !ok {
                return Err(roster_error(crate::tr!(
                    format!(
                        "评审组 {} 的组长 {} 及其密钥不在名单中",
                        inert_line(&panel.bundle.panel),
                        inert_line(&panel.chair.id)
                    ),
                    format!(
                        "panel {}: chair {} with that key is not a chair of the roster",
                        inert_line(&panel.bundle.panel),
                        inert_line(&panel.chair.id)
                    )
                )));
            }
        }
    }
    let mut seen = BTreeSet::new();
    for e in &p.entries {
        if e.panel as usize >= p.panels.len() || !seen.insert((e.panel, e.id.as_str())) {
            return Err(format_error(format!(
                "entry {} of panel {}: no such panel, or twice",
                inert_line(&e.id),
                e.panel
            )));
        }
        if !p.directions.iter().any(|d| d.code == e.direction) {
            return Err(format_error(format!(
                "entry {}: direction {} is not in directions",
                inert_line(&e.id),
                e.direction
            )));
        }
    }
    // Every derived figure, recomputed from the panels' figures.
    let mut again = p.entries.clone();
    for e in &mut again {
        e.z = None;
        e.percentile = None;
        e.ranks.clear();
        e.robust = true;
        e.status = Status::Unranked;
        e.findings.clear();
    }
    let catalog = crate::domain::catalog::shipped_catalog(&p.call).map_err(format_error)?;
    if p.limits != crate::formats::combined::CallLimits::of(&catalog) {
        return Err(format_error(crate::tr!(
            format!("所列限额不是 {} 年方向目录的", inert_line(&p.call)),
            format!(
                "the limits are not those of the catalog of call {}",
                inert_line(&p.call)
            )
        )));
    }
    let names: Vec<String> = p.panels.iter().map(|x| x.bundle.panel.clone()).collect();
    let findings = call_findings(&catalog, &mut again, &names);
    let (ties, list) = apply_ranking(&mut again, &params).map_err(format_error)?;
    if p.findings != findings {
        return Err(format_error(crate::tr!(
            format!(
                "跨组问题与重新检查的不符（文件 {} 条，重新检查 {} 条）",
                p.findings.len(),
                findings.len()
            ),
            format!(
                "the findings across panels differ from the rules run again (file {}, again {})",
                p.findings.len(),
                findings.len()
            )
        )));
    }
    for (a, b) in p.entries.iter().zip(&again) {
        if let Some((field, file, recomputed)) = first_difference(a, b) {
            return Err(format_error(crate::tr!(
                format!(
                    "评审组 {} 的项目 {}：{field} 为 {file}，与重新计算的 {recomputed} 不符",
                    a.panel,
                    inert_line(&a.id)
                ),
                format!(
                    "application {} of panel {}: {field} {file} differs from the recomputation, {recomputed}",
                    inert_line(&a.id),
                    a.panel
                )
            )));
        }
    }
    if p.ties != ties {
        return Err(format_error(crate::tr!(
            "临界并列与重新计算的不符",
            "the ties at the cut differ from the recomputation"
        )));
    }
    if p.list != list {
        return Err(format_error(crate::tr!(
            "拟入选名单与重新计算的不符",
            "the proposed list differs from the recomputation"
        )));
    }
    Ok(())
}

/// The first derived field of an entry that differs from its
/// recomputation: its name, the file's value and the recomputed one.
fn first_difference(
    a: &crate::formats::combined::CombinedEntry,
    b: &crate::formats::combined::CombinedEntry,
) -> Option<(&'static str, String, String)> {
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "null".into());
    let fields: [(&'static str, String, String); 7] = [
        ("z", show(&a.z), show(&b.z)),
        ("percentile", show(&a.percentile), show(&b.percentile)),
        ("ranks", format!("{:?}", a.ranks), format!("{:?}", b.ranks)),
        ("robust", a.robust.to_string(), b.robust.to_string()),
        ("status", a.status.key().into(), b.status.key().into()),
        (
            "findings",
            format!("{:?}", a.findings),
            format!("{:?}", b.findings),
        ),
        ("entry", String::new(), String::new()),
    ];
    fields
        .into_iter()
        .find(|(f, x, y)| x != y || (*f == "entry" && a != b))
        .map(|(f, x, y)| (f, inert_line(&x), inert_line(&y)))
}
