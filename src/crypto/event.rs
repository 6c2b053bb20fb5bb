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

use super::sign::{Prepared, SecretKey, SigError, VerifyKey};

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
    vk.prepared().is_ok_and(|k| verify_prepared(&k, hash, sig))
}

/// [`verify`] with the key parsed once, and no allocation: the message
/// and the signature's bytes are on the stack.
pub fn verify_prepared(vk: &Prepared, hash: &[u8; 32], sig: &str) -> bool {
    // 64 signature bytes are 88 base64 characters; room for the decoder's
    // estimate of anything longer is refused below anyway.
    let mut raw = [0u8; 72];
    if sig.len() > 96 {
        return false;
    }
    let Ok(n) = STANDARD.decode_slice(sig.as_bytes(), &mut raw) else {
        return false;
    };
    let mut msg = [0u8; CONTEXT.len() + 32];
    msg[..CONTEXT.len()].copy_from_slice(CONTEXT);
    msg[CONTEXT.len()..].copy_from_slice(hash);
    vk.verify(&msg, &raw[..n]).is_ok()
}

/// Whether `sig` over `hash` is made by one of `accepted` (the current key
/// or a previous one).
pub fn signed_by_any(accepted: &[VerifyKey], hash: &[u8; 32], sig: &str) -> bool {
    matches!(
        check_all(accepted, &[(*hash, Some(sig))])[0],
        EventSig::Current | EventSig::Previous
    )
}

/// How one stored event signature checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventSig {
    /// Signed by the first of the accepted keys (the current one).
    Current,
    /// Signed by another accepted key (a previous key of the same expert).
    Previous,
    /// No signature stored.
    Missing,
    /// A signature no accepted key made.
    Wrong,
}

/// Checks every event signature against the accepted keys (the current
/// key first), in parallel over the machine's cores. `events` are
/// `(hash, signature)` pairs; the answer is in the same order.
pub fn check_all(accepted: &[VerifyKey], events: &[([u8; 32], Option<&str>)]) -> Vec<EventSig> {
    // Each key parsed once; one that does not parse verifies nothing.
    let keys: Vec<Option<Prepared>> = accepted.iter().map(|k| k.prepared().ok()).collect();
    let one = |(hash, sig): &([u8; 32], Option<&str>)| match sig {
        None => EventSig::Missing,
        Some(s) => match keys
            .iter()
            .position(|k| k.as_ref().is_some_and(|k| verify_prepared(k, hash, s)))
        {
            Some(0) => EventSig::Current,
            Some(_) => EventSig::Previous,
            None => EventSig::Wrong,
        },
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || events.len() < 512 {
        return events.iter().map(one).collect();
    }
    let chunk = events.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = events
            .chunks(chunk)
            .map(|c| scope.spawn(move || c.iter().map(one).collect::<Vec<_>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
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

    #[test]
    fn check_all_tells_current_previous_missing_and_wrong_in_order() {
        let now = SecretKey::generate(Alg::Ed25519, None).expect("key");
        let before = SecretKey::generate(Alg::Ed25519, None).expect("key");
        let stranger = SecretKey::generate(Alg::Ed25519, None).expect("key");
        let accepted = [now.verify_key().clone(), before.verify_key().clone()];
        let mut sigs = Vec::new();
        let mut want = Vec::new();
        for i in 0..2000u32 {
            let mut h = [0u8; 32];
            h[..4].copy_from_slice(&i.to_be_bytes());
            let (s, w) = match i % 4 {
                0 => (Some(sign(&now, &h).expect("sign")), EventSig::Current),
                1 => (Some(sign(&before, &h).expect("sign")), EventSig::Previous),
                2 => (None, EventSig::Missing),
                _ => (Some(sign(&stranger, &h).expect("sign")), EventSig::Wrong),
            };
            sigs.push((h, s));
            want.push(w);
        }
        let events: Vec<([u8; 32], Option<&str>)> =
            sigs.iter().map(|(h, s)| (*h, s.as_deref())).collect();
        assert_eq!(check_all(&accepted, &events), want);
    }
}
