//! The last head each key signed, per working copy, kept in the data
//! directory (`heads/KEYID/BUNDLEID-EXPERT.json`). A copy whose history is
//! behind it — an older copy handed in, or a file rolled back to drop
//! events — is named when it is opened, before anything is scored.
//!
//! The note is written after every acknowledged change, without a sync of
//! its own: it is a tripwire, not the record (the record is the bundle).

use std::path::PathBuf;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::domain::history::Event;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedHead {
    pub size: u64,
    pub hash: String,
    pub time: String,
}

fn note(key_id: &str, bundle_id: &str, expert: &str) -> Result<PathBuf> {
    let safe = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .take(64)
            .collect()
    };
    Ok(crate::support::paths::data_dir()?
        .join("heads")
        .join(safe(key_id))
        .join(format!("{}-{}.json", safe(bundle_id), safe(expert))))
}

/// Remembers `head` as the last one `key_id` signed in this copy.
pub fn remember(key_id: &str, bundle_id: &str, expert: &str, head: &SignedHead) -> Result<()> {
    let path = note(key_id, bundle_id, expert)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec(head)?)?;
    std::fs::rename(&tmp, &path)?;
    Ok(())
}

/// The head this key last signed in this copy, if any.
pub fn last(key_id: &str, bundle_id: &str, expert: &str) -> Option<SignedHead> {
    let path = note(key_id, bundle_id, expert).ok()?;
    let bytes =
        crate::support::fs::read_kind(&path, &crate::support::fs::limits::HEAD_NOTE).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// What is wrong with a history against the head its key last signed:
/// `None` when the history holds that head (at its seq) or more.
pub fn behind(history: &[Event], last: &SignedHead) -> Option<String> {
    if last.size == 0 {
        return None;
    }
    match history.get(last.size as usize - 1) {
        Some(e) if e.hash == last.hash => None,
        Some(_) => Some(format!(
            "this copy's history differs from the one your key signed up to seq {} ({}): it is not the copy you scored in — use your newest copy",
            last.size, last.time
        )),
        None => Some(format!(
            "this copy holds {} events, but your key already signed seq {} ({}): it is an older copy, or events were removed — use your newest copy",
            history.len(),
            last.size,
            last.time
        )),
    }
}
