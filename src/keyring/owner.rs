//! The owner's unlocked key as a working copy's store needs it: it signs
//! each new event and recognises the signatures of the owner's current key
//! and of the previous keys the roster lists for the same expert.

use crate::crypto::event;
use crate::crypto::sign::{SecretKey, VerifyKey};
use crate::store::EventKey;

pub struct OwnerKey<'a> {
    key: &'a SecretKey,
    /// The current key first, then the previous ones.
    accepted: Vec<VerifyKey>,
}

impl<'a> OwnerKey<'a> {
    pub fn new(key: &'a SecretKey, previous: Vec<VerifyKey>) -> OwnerKey<'a> {
        let mut accepted = vec![key.verify_key().clone()];
        accepted.extend(previous);
        OwnerKey { key, accepted }
    }

    pub fn accepted(&self) -> &[VerifyKey] {
        &self.accepted
    }
}

impl EventKey for OwnerKey<'_> {
    fn sign_event(&self, hash: &[u8; 32]) -> Result<String, String> {
        event::sign(self.key, hash).map_err(|e| e.to_string())
    }

    fn owns(&self, hash: &[u8; 32], sig: &str) -> bool {
        event::signed_by_any(&self.accepted, hash, sig)
    }
}
