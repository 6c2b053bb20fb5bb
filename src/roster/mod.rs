//! The chair's roster file: started from a bundle, then changed only
//! through these functions — an expert's entry added or replaced from the
//! file the expert hands over (`<id>.roster-entry.json`, as `panelist key
//! show --roster-entry` prints it and the screens write it), the chair
//! marked — and checked before a merge (keys valid, ids unique, exactly one
//! chair). The roster file is the subject of these commands: a change
//! rewrites it atomically under its output lock, never any other input.

use std::path::Path;

use anyhow::{Result, anyhow, bail};

use crate::domain::application::validate_roster_in;

/// The roster's shape checked, its message in the run's language.
fn validate_roster(r: &[crate::domain::RosterEntry]) -> std::result::Result<(), String> {
    validate_roster_in(r, crate::support::lang::current().is_zh())
}
use crate::domain::text::inert_line;
use crate::domain::{PreviousKey, RosterEntry};
use crate::support::fs::{OutputLock, limits};
use crate::tr;
use crate::verify::CHAIR_ROLE;

/// Whether an entry is the chair's.
pub fn is_chair(e: &RosterEntry) -> bool {
    e.role.as_deref() == Some(CHAIR_ROLE)
}

/// The roster's JSON as written: a pretty array and a final newline.
pub fn to_bytes(roster: &[RosterEntry]) -> Result<Vec<u8>> {
    let mut s = crate::support::jsonio::to_string_pretty_inert(&roster)?;
    s.push('\n');
    Ok(s.into_bytes())
}

/// Reads one roster entry file (a JSON object) as an expert hands it
/// over.
pub fn read_entry(path: &Path) -> Result<RosterEntry> {
    let p = path.display();
    let bytes = crate::support::fs::read_kind(path, &limits::ROSTER)?;
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes)).map_err(
        |e| {
            anyhow!(tr!(
                format!("{p}：不是 UTF-8 文本（第 {} 字节）", e.valid_up_to()),
                format!("{p}: not UTF-8 (byte {})", e.valid_up_to())
            ))
        },
    )?;
    if !text.trim_start().starts_with('{') {
        bail!(tr!(
            format!("{p}：名单条目应是一个 JSON 对象（panelist key show --roster-entry 的输出）"),
            format!(
                "{p}: a roster entry is one JSON object (what panelist key show --roster-entry prints)"
            )
        ));
    }
    let e: RosterEntry =
        crate::support::jsonio::from_str_closed(text).map_err(|e| anyhow!("{p}: {e}"))?;
    validate_roster(std::slice::from_ref(&e)).map_err(|m| anyhow!("{p}: {m}"))?;
    if e.key_id.is_none() {
        bail!(tr!(
            format!(
                "{p}：条目 {} 没有密钥；请专家用 panelist key show --roster-entry 导出",
                e.id
            ),
            format!(
                "{p}: entry {} has no key; have the expert write it with panelist key show --roster-entry",
                e.id
            )
        ));
    }
    crate::verify::check_roster(std::slice::from_ref(&e)).map_err(|m| anyhow!("{p}: {m}"))?;
    Ok(e)
}

/// The roster at `path` (a JSON array, or a bundle's roster).
pub fn read(path: &Path) -> Result<Vec<RosterEntry>> {
    crate::import::read_roster(path)
}

/// What [`add`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    /// A new entry.
    New,
    /// The roster had this expert without a key (from the bundle).
    Keyed,
    /// The same key was already there: nothing changed.
    Same,
    /// Another key was there: it is kept as a previous key.
    Replaced { old_key_id: String },
}

/// Adds `entry` to `roster`, or gives its key to the entry of its id.
/// An entry already holding another key is replaced only with `replace`
/// (a lost key): its old key is kept as a previous key, so events it
/// signed stay the expert's. The role and, when the roster has them, name
/// and org of an existing entry are kept; the chair's role comes only from
/// [`mark_chair`] or an entry that carries it.
pub fn add(roster: &mut Vec<RosterEntry>, entry: RosterEntry, replace: bool) -> Result<Added> {
    let Some(at) = roster.iter().position(|e| e.id == entry.id) else {
        roster.push(entry);
        check(roster)?;
        return Ok(Added::New);
    };
    let old = roster[at].clone();
    let what = match &old.key_id {
        None => Added::Keyed,
        Some(k) if Some(k) == entry.key_id.as_ref() => return Ok(Added::Same),
        Some(k) => {
            if !replace {
                bail!(tr!(
                    format!(
                        "名单中 {} 已有另一把密钥 {}；若原密钥丢失需要更换，请加 --replace（原密钥留作旧密钥）",
                        old.id,
                        crate::crypto::short_id(k)
                    ),
                    format!(
                        "{} already has another key {} in the roster; to replace a lost key give --replace (the old key is kept as a previous key)",
                        old.id,
                        crate::crypto::short_id(k)
                    )
                ));
            }
            Added::Replaced {
                old_key_id: k.clone(),
            }
        }
    };
    let mut new = entry;
    if old.role.is_some() && new.role.is_none() {
        new.role = old.role.clone();
    }
    let mut previous = old.previous_keys.clone();
    if let (Added::Replaced { .. }, Some(alg), Some(pk), Some(kid)) =
        (&what, &old.alg, &old.public_key, &old.key_id)
    {
        previous.push(PreviousKey {
            alg: alg.clone(),
            public_key: pk.clone(),
            key_id: kid.clone(),
            sm2_id: old.sm2_id.clone(),
        });
    }
    for p in new.previous_keys.drain(..) {
        if !previous.iter().any(|q| q.key_id == p.key_id) {
            previous.push(p);
        }
    }
    previous.retain(|p| Some(&p.key_id) != new.key_id.as_ref());
    new.previous_keys = previous;
    roster[at] = new;
    check(roster)?;
    Ok(what)
}

/// Makes `id` the chair: the role moves from whoever had it (returned).
pub fn mark_chair(roster: &mut [RosterEntry], id: &str) -> Result<Option<String>> {
    if !roster.iter().any(|e| e.id == id) {
        let ids: Vec<&str> = roster.iter().map(|e| e.id.as_str()).collect();
        bail!(tr!(
            format!("名单中没有 {}（名单：{}）", inert_line(id), ids.join(", ")),
            format!(
                "{} is not in the roster (it lists {})",
                inert_line(id),
                ids.join(", ")
            )
        ));
    }
    let mut was = None;
    for e in roster.iter_mut() {
        if e.id == id {
            e.role = Some(CHAIR_ROLE.to_string());
        } else if is_chair(e) {
            was = Some(e.id.clone());
            e.role = None;
        }
    }
    Ok(was)
}

/// The roster's shape and keys: ids valid and unique, names present,
/// every key valid and none shared.
pub fn check(roster: &[RosterEntry]) -> Result<()> {
    validate_roster(roster).map_err(anyhow::Error::msg)?;
    crate::verify::check_roster(roster).map_err(|e| anyhow!("{e}"))?;
    Ok(())
}

/// What stands between a roster and a merge, one line each: no chair or
/// more than one, the chair without a key, experts without a key (their
/// files cannot be verified).
pub fn readiness(roster: &[RosterEntry]) -> Vec<String> {
    let mut out = Vec::new();
    let chairs: Vec<&RosterEntry> = roster.iter().filter(|e| is_chair(e)).collect();
    match chairs.len() {
        0 => out.push(tr!(
            "名单中没有组长；用 panelist roster chair ROSTER ID 指定".to_string(),
            "the roster has no chair; mark one with panelist roster chair ROSTER ID".to_string()
        )),
        1 => {}
        _ => out.push(tr!(
            format!(
                "名单中有 {} 位组长（{}），应只有一位",
                chairs.len(),
                chairs
                    .iter()
                    .map(|e| e.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!(
                "the roster has {} chairs ({}); it needs exactly one",
                chairs.len(),
                chairs
                    .iter()
                    .map(|e| e.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        )),
    }
    for e in roster.iter().filter(|e| e.key_id.is_none()) {
        out.push(if is_chair(e) {
            tr!(
                format!("组长 {} 还没有密钥；用 panelist roster add 加入其 roster-entry 文件", e.id),
                format!(
                    "the chair {} has no key yet; add their roster-entry file with panelist roster add",
                    e.id
                )
            )
        } else {
            tr!(
                format!("专家 {} 还没有密钥；用 panelist roster add 加入其 roster-entry 文件", e.id),
                format!(
                    "expert {} has no key yet; add their roster-entry file with panelist roster add",
                    e.id
                )
            )
        });
    }
    out
}

/// Changes the roster file at `path` in place (or writes the change to
/// `output`): reads it under the output's lock, applies `change`, checks
/// the result and writes it atomically. Returns what `change` returned.
pub fn edit<T>(
    path: &Path,
    output: &Path,
    change: impl FnOnce(&mut Vec<RosterEntry>) -> Result<T>,
) -> Result<T> {
    let _lock = OutputLock::acquire(&[output])?;
    if crate::import::is_bundle_file(path) {
        bail!(tr!(
            format!(
                "{}：这是评审包；先用 panelist roster init --bundle {} -o roster.json 建立名单文件",
                path.display(),
                path.display()
            ),
            format!(
                "{}: is a bundle; start a roster file first with panelist roster init --bundle {} -o roster.json",
                path.display(),
                path.display()
            )
        ));
    }
    let mut roster = read(path)?;
    let r = change(&mut roster)?;
    check(&roster).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    crate::support::fs::write_atomic(output, &to_bytes(&roster)?)?;
    Ok(r)
}

/// Writes a new roster file from a bundle's roster (under the output's
/// lock, atomically; an existing file only with `force`).
pub fn init(bundle: &Path, output: &Path, force: bool) -> Result<Vec<RosterEntry>> {
    let _lock = OutputLock::acquire(&[output])?;
    if !force && output.exists() {
        bail!(tr!(
            format!("{}：已存在（要替换请加 --force）", output.display()),
            format!("{}: exists (give --force to replace it)", output.display())
        ));
    }
    if !crate::import::is_bundle_file(bundle) {
        bail!(tr!(
            format!("{}：不是评审包", bundle.display()),
            format!("{}: not a bundle", bundle.display())
        ));
    }
    let roster = crate::store::Bundle::open_read(bundle)?.roster()?;
    check(&roster).map_err(|e| anyhow!("{}: {e}", bundle.display()))?;
    crate::support::fs::write_atomic(output, &to_bytes(&roster)?)?;
    Ok(roster)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bare(id: &str) -> RosterEntry {
        RosterEntry {
            id: id.into(),
            name: format!("{id} name"),
            org: "org".into(),
            role: None,
            alg: None,
            public_key: None,
            key_id: None,
            sm2_id: None,
            previous_keys: Vec::new(),
        }
    }

    #[test]
    fn the_chair_role_moves_and_there_is_one() {
        let mut r = vec![bare("E01"), bare("C01")];
        assert_eq!(mark_chair(&mut r, "E01").unwrap(), None);
        assert_eq!(mark_chair(&mut r, "C01").unwrap(), Some("E01".into()));
        assert_eq!(r.iter().filter(|e| is_chair(e)).count(), 1);
        assert!(is_chair(&r[1]));
        assert!(mark_chair(&mut r, "X9").is_err());
    }

    #[test]
    fn readiness_names_the_missing_chair_and_keys() {
        let r = vec![bare("E01")];
        let lines = readiness(&r);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[0].contains("no chair"));
        assert!(lines[1].contains("E01"));
    }
}
