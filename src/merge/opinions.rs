//! The panel's opinions in the merged result: the chair's opinion log is
//! read and checked against the roster (every event signed by the chair's
//! key) and the bundle, and its final opinions go into the signed payload
//! with a reference to where the log ended.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Result, anyhow, bail};

use crate::crypto::event::signed_by_any;
use crate::crypto::sign::VerifyKey;
use crate::domain::RosterEntry;
use crate::domain::opinion::FinalOpinion;
use crate::formats::merged::{MergedPayload, OpinionsRef};
use crate::store::opinions::{OpinionLog, head_hex};
use crate::verify::CHAIR_ROLE;

/// A chair's opinion log, checked: what the merged result records of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opinions {
    pub reference: OpinionsRef,
    /// Each application's final opinion, by id.
    pub finals: BTreeMap<String, FinalOpinion>,
}

/// Reads the opinion log at `path` for the bundle of `bundle_digest`: it
/// must be a chair's of `roster`, and every event signed by that chair's
/// key (current or a previous one the roster lists) and about an
/// application `known` to the bundle.
pub fn read(
    path: &Path,
    roster: &[RosterEntry],
    bundle_digest: &str,
    known: &dyn Fn(&str) -> bool,
) -> Result<Opinions> {
    let p = path.display();
    // Which chair: the log says; the roster must agree it is a chair.
    // Its signatures are checked once that chair's keys are known.
    let log = OpinionLog::open(path, false, &|_, _| true, known)?;
    let chair = log.meta().chair.clone();
    if log.meta().bundle_digest != bundle_digest {
        bail!(
            "{}",
            crate::tr!(
                format!(
                    "{p}：这份专家组意见记录属于另一个评审包（摘要 {}），不是本次合并的评审包",
                    crate::crypto::short_id(&log.meta().bundle_digest)
                ),
                format!(
                    "{p}: this opinion log is of another bundle (digest {}), not the one merged",
                    crate::crypto::short_id(&log.meta().bundle_digest)
                )
            )
        );
    }
    let entry = roster
        .iter()
        .find(|e| e.id == chair && e.role.as_deref() == Some(CHAIR_ROLE))
        .ok_or_else(|| {
            anyhow!(
                "{}",
                crate::tr!(
                    format!(
                        "{p}：意见记录属于 {chair}，但名单中 {chair} 不是组长；请用 panelist roster chair 指定组长"
                    ),
                    format!(
                        "{p}: the opinion log is {chair}'s, but the roster does not name {chair} as chair; mark the chair with panelist roster chair"
                    )
                )
            )
        })?;
    let accepted = VerifyKey::accepted_by(entry).map_err(|m| anyhow!("{p}: {m}"))?;
    log.check_signatures(&|h, s| signed_by_any(&accepted, h, s))?;
    Ok(Opinions {
        reference: OpinionsRef {
            chair,
            key_id: log.meta().key_id.clone(),
            events: log.events().len() as u64,
            head: head_hex(&log),
        },
        finals: log.finals(),
    })
}

/// Puts the opinions into the payload: each application's final opinion
/// and the log's reference. The opinions must be the signing chair's.
pub fn attach(payload: &mut MergedPayload, o: &Opinions) -> Result<()> {
    same_chair(payload.chair.as_ref(), o)?;
    for a in &mut payload.applications {
        a.opinion = o.finals.get(&a.id).cloned();
    }
    payload.opinions = Some(o.reference.clone());
    Ok(())
}

/// The opinions must be the signing chair's (any chair's for a draft).
pub fn same_chair(chair: Option<&crate::formats::ExpertRef>, o: &Opinions) -> Result<()> {
    match chair {
        Some(c) if c.id != o.reference.chair => bail!(
            "{}",
            crate::tr!(
                format!(
                    "专家组意见由 {} 写下，而签署本结果的组长是 {}；请由同一位组长签署",
                    o.reference.chair, c.id
                ),
                format!(
                    "the opinions were written by {}, but the result is signed by chair {}; the same chair signs both",
                    o.reference.chair, c.id
                )
            )
        ),
        _ => Ok(()),
    }
}

/// Whether the payload's opinions are exactly the log's: its reference
/// (chair, events, head) and every application's final opinion. The first
/// difference, in words.
pub fn check_against(payload: &MergedPayload, o: &Opinions) -> std::result::Result<(), String> {
    let Some(r) = &payload.opinions else {
        return Err(crate::tr!(
            "给出了意见记录，但结果未注明意见记录（opinions 为 null）".to_string(),
            "an opinion log was given, but the result names none (opinions is null)".to_string()
        ));
    };
    if r.chair != o.reference.chair || r.events != o.reference.events || r.head != o.reference.head
    {
        return Err(crate::tr!(
            format!(
                "结果注明意见记录共 {} 条、止于 {}，而所给记录共 {} 条、止于 {}",
                r.events,
                crate::crypto::short_id(&r.head),
                o.reference.events,
                crate::crypto::short_id(&o.reference.head)
            ),
            format!(
                "the result names an opinion log of {} events ending at {}, the log given has {} ending at {}",
                r.events,
                crate::crypto::short_id(&r.head),
                o.reference.events,
                crate::crypto::short_id(&o.reference.head)
            )
        ));
    }
    for a in &payload.applications {
        if a.opinion.as_ref() != o.finals.get(&a.id) {
            let id = crate::domain::text::inert_line(&a.id);
            return Err(crate::tr!(
                format!("项目 {id} 的专家组意见与意见记录的最终意见不同"),
                format!("application {id}'s opinion is not the log's final opinion")
            ));
        }
    }
    Ok(())
}
