//! Per-event signatures. Every event of a working copy's history is signed
//! by its owner's key when it is made, over the event's hash — which covers
//! the event and, through `prev`, the whole chain before it. A history can
//! then be checked event by event with nothing but the roster: an event
//! that nobody with the key made has no valid signature.
//!
//! The message signed is a fixed context string followed by the 32 hash
//! bytes, so an event signature can never be taken for an envelope's (DSSE
//! PAE) signature or the other way round. The signature is stored as
//! standard base64 of its 64 bytes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::sign::{SecretKey, SigError, VerifyKey};

/// What precedes the event hash in the signed message.
pub const CONTEXT: &[u8] = b"panelist.event-signature.v1\0";

/// The exact bytes an event signature is made over.
pub fn message(hash: &[u8; 32]) -> Vec<u8> {
    let mut m = Vec::with_capacity(CONTEXT.len() + 32);
    m.extend_from_slice(CONTEXT);
    m.extend_from_slice(hash);
    m
}

/// Signs an event hash; the base64 text stored beside the event.
pub fn sign(key: &SecretKey, hash: &[u8; 32]) -> Result<String, SigError> {
    Ok(STANDARD.encode(key.sign(&message(hash))?))
}

/// Whether `sig` (base64) is `vk`'s signature over the event hash.
pub fn verify(vk: &VerifyKey, hash: &[u8; 32], sig: &str) -> bool {
    match STANDARD.decode(sig.as_bytes()) {
        Ok(bytes) => vk.verify(&message(hash), &bytes).is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Alg;

    #[test]
    fn an_event_signature_verifies_only_for_its_hash_and_key() {
        for alg in [Alg::Ed25519, Alg::Sm2] {
            let k = SecretKey::generate(alg, None).expect("key");
            let other = SecretKey::generate(alg, None).expect("key");
            let h = [7u8; 32];
            let s = sign(&k, &h).expect("sign");
            assert!(verify(k.verify_key(), &h, &s));
            assert!(!verify(k.verify_key(), &[8u8; 32], &s));
            assert!(!verify(other.verify_key(), &h, &s));
            assert!(!verify(k.verify_key(), &h, "not base64!"));
            // The same key's signature over the bare hash (no context) is
            // not an event signature.
            let bare = STANDARD.encode(k.sign(&h).expect("sign"));
            assert!(!verify(k.verify_key(), &h, &bare));
        }
    }
}
