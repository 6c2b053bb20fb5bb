//! A scoring session: a working copy opened for writing by its owner with
//! the owner's unlocked key. This is the only way changes enter a history:
//! every event is signed by the key when it is made, and the copy is
//! checked before anything is scored —
//!
//! - the store's own checks (schema, content against its digest, chain,
//!   sheet against the replay: `Bundle::open_write`);
//! - the copy is this expert's, claimed with this key (or a previous key
//!   of the same expert, which the new key then takes over);
//! - every event is signed by the owner's current or a previous key;
//! - the copy is not behind the last head this key signed in it.

use std::path::Path;

use anyhow::{Result, anyhow, bail};

use super::heads::{self, SignedHead};
use super::owner::OwnerKey;
use super::{Unlocked, previous_keys};
use crate::crypto::event::{self, EventSig};
use crate::crypto::short_id;
use crate::crypto::sign::VerifyKey;
use crate::domain::history::{Change, Event, unhex32};
use crate::store::Bundle;
use crate::support::clock::Clock;

pub struct Session {
    pub bundle: Bundle,
    pub key: Unlocked,
    previous: Vec<VerifyKey>,
    /// A note for the expert found while opening (an older copy).
    pub notice: Option<String>,
}

pub use crate::domain::history::seq_ranges as seq_list;

/// The seqs of events not signed by any of `accepted`, checked in
/// parallel. Events up to `trusted` (a head this key signed, which the
/// chain pins) are not checked again.
pub fn unsigned_events(
    bundle: &Bundle,
    events: &[Event],
    accepted: &[VerifyKey],
    trusted: u64,
) -> Result<Vec<u64>> {
    let sigs = bundle.event_signatures()?;
    let todo: Vec<(u64, [u8; 32], Option<&str>)> = events
        .iter()
        .zip(&sigs)
        .filter(|(e, _)| e.seq > trusted)
        .map(|(e, (_, s))| (e.seq, unhex32(&e.hash).unwrap_or([0; 32]), s.as_deref()))
        .collect();
    let pairs: Vec<([u8; 32], Option<&str>)> = todo.iter().map(|(_, h, s)| (*h, *s)).collect();
    let verdicts = event::check_all(accepted, &pairs);
    Ok(todo
        .iter()
        .zip(verdicts)
        .filter(|(_, v)| matches!(v, EventSig::Missing | EventSig::Wrong))
        .map(|((seq, _, _), _)| *seq)
        .collect())
}

impl Session {
    /// Opens `path` for scoring as the key's expert.
    pub fn open(path: &Path, key: Unlocked) -> Result<Session> {
        Session::with_bundle(Bundle::open_write(path)?, key)
    }

    /// Starts a session on a bundle already open for writing (the screens
    /// open it before the key is unlocked).
    pub fn with_bundle(mut bundle: Bundle, key: Unlocked) -> Result<Session> {
        let path = bundle.path().to_path_buf();
        let path = path.as_path();
        let previous = previous_keys(&key.file.id, key.key_id())?;
        if let Some(o) = bundle.owner()?
            && o.id == key.file.id
            && let Some(k) = &o.key_id
            && k != key.key_id()
        {
            if !previous.iter().any(|p| p.key_id() == *k) {
                bail!(
                    "{}: this working copy was claimed with key {}, not with key {} of {}; if you lost key {} and made this one, ask the chair to list {} as a previous key of {} in the roster, then run `panelist key adopt --roster ROSTER` and try again",
                    path.display(),
                    short_id(k),
                    short_id(key.key_id()),
                    key.path.display(),
                    short_id(k),
                    short_id(k),
                    key.file.id
                );
            }
            bundle.rebind_key(key.key_id())?;
        }
        bundle.claim(&key.identity())?;
        let mut accepted = vec![key.key.verify_key().clone()];
        accepted.extend(previous.iter().cloned());
        let events = bundle.history()?;
        let last = heads::last(key.key_id(), &bundle.meta.bundle_id, &key.file.id);
        let mut notice = None;
        let mut trusted = 0;
        if let Some(l) = &last {
            match heads::behind(&events, l) {
                None => trusted = l.size,
                Some(m) => notice = Some(format!("{}: {m}", path.display())),
            }
        }
        let bad = unsigned_events(&bundle, &events, &accepted, trusted)?;
        if !bad.is_empty() {
            bail!(
                "{}: refused: event(s) {} were not made with your key (nobody with it signed them); do not score in this copy — hand it to the chair: `panelist audit` names every such event",
                path.display(),
                seq_list(&bad)
            );
        }
        Ok(Session {
            bundle,
            key,
            previous,
            notice,
        })
    }

    /// Records `changes` as one transaction, each event signed; returns
    /// them once durable.
    pub fn append_all(&mut self, changes: Vec<Change>, clock: &Clock) -> Result<Vec<Event>> {
        let owner = OwnerKey::new(&self.key.key, self.previous.clone());
        let path = self.bundle.path().display().to_string();
        let evs = self
            .bundle
            .append_all(changes, clock, &owner)
            .map_err(|e| match e {
                crate::store::StoreError::Refused(r) => anyhow!(crate::tr!(
                    format!("{path}：{}", r.zh()),
                    format!("{path}: {r}")
                )),
                e => anyhow!(e),
            })?;
        if let Some(last) = evs.last() {
            // A tripwire, not the record: a failure to note it is not a
            // failure of the change, which is already durable.
            let _ = heads::remember(
                self.key.key_id(),
                &self.bundle.meta.bundle_id,
                &self.key.file.id,
                &SignedHead {
                    size: last.seq,
                    hash: last.hash.clone(),
                    time: last.time.clone(),
                },
            );
        }
        Ok(evs)
    }
}
