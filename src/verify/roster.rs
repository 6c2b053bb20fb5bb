//! The roster's own checks, run once before any file.

use std::path::Path;

use super::{Kind, VerifyError};
use crate::crypto::short_id;
use crate::domain::RosterEntry;

/// The role a roster entry needs to sign merged results.
pub const CHAIR_ROLE: &str = "chair";

/// Checks a roster's key fields once, before any file: every entry that
/// names a key must name a valid one whose key_id is its SHA-256, and no
/// two entries may share a key.
pub fn check_roster(roster: &[RosterEntry]) -> Result<(), VerifyError> {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for e in roster {
        if e.alg.is_none() && e.public_key.is_none() && e.key_id.is_none() {
            continue;
        }
        super::roster_key(e)?;
        let kid = e.key_id.as_deref().unwrap_or_default();
        if let Some((other, _)) = seen.iter().find(|(_, k)| *k == kid) {
            return Err(VerifyError::new(
                Kind::Roster,
                format!(
                    "roster entries {other} and {} share key {}",
                    e.id,
                    short_id(kid)
                ),
            ));
        }
        seen.push((&e.id, kid));
        // A previous key must be a valid key of its own, and not the
        // current one of this or any other entry.
        for prev in &e.previous_keys {
            crate::crypto::sign::VerifyKey::from_previous(&e.id, prev)
                .map_err(|m| VerifyError::new(Kind::Roster, m))?;
            if prev.key_id == kid {
                return Err(VerifyError::new(
                    Kind::Roster,
                    format!(
                        "roster entry {}: key {} is listed as its own previous key",
                        e.id,
                        short_id(kid)
                    ),
                ));
            }
        }
    }
    for e in roster {
        for prev in &e.previous_keys {
            if let Some(other) = roster
                .iter()
                .find(|o| o.key_id.as_deref() == Some(prev.key_id.as_str()))
            {
                return Err(VerifyError::new(
                    Kind::Roster,
                    format!(
                        "roster entry {}: previous key {} is the current key of {}",
                        e.id,
                        short_id(&prev.key_id),
                        other.id
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The roster at `path` (a JSON array, or a bundle's), checked fit to
/// verify signed files against.
pub fn read_checked_roster(path: &Path) -> anyhow::Result<Vec<crate::domain::RosterEntry>> {
    let roster = crate::import::read_roster(path)?;
    check_roster(&roster).map_err(|m| anyhow::anyhow!("{}: {m}", path.display()))?;
    Ok(roster)
}

/// The facts of the bundle at `path`, when one is given.
pub fn read_bundle_facts(path: Option<&Path>) -> anyhow::Result<Option<super::BundleFacts>> {
    path.map(super::BundleFacts::read).transpose()
}
