//! Signing and verifying by algorithm.
//!
//! | alg | public key bytes | signature bytes |
//! |---|---|---|
//! | `ed25519` | 32 (RFC 8032 encoding) | 64, `R ‖ S` (RFC 8032); verified with `verify_strict` |
//! | `sm2` | 65, uncompressed SEC1 `04 ‖ x ‖ y` | 64, raw `r ‖ s` (32 bytes each, big-endian) |
//!
//! SM2 signs `SM3(Z_A ‖ M)` where `Z_A` is the GM/T 0003.2 user hash over
//! the signer's distinguishing ID (GM/T 0009-2012 default
//! `1234567812345678`), the curve parameters and the public key.

use ed25519_dalek::Verifier as _;
use sm2::dsa::signature::Signer as _;
use zeroize::{Zeroize, Zeroizing};

use super::{Alg, DEFAULT_SM2_ID, key_id};
use crate::domain::RosterEntry;

/// Why a key or a signature is not accepted. Never carries key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigError {
    #[error("{0}")]
    PublicKey(String),
    #[error("the private key is not a valid {0} key")]
    SecretKey(Alg),
    #[error("the signature is not {0} bytes")]
    SignatureLength(usize),
    #[error("the signature is malformed")]
    SignatureEncoding,
    #[error("the signature does not verify")]
    Invalid,
    #[error("SM2 distinguishing ID must be 1 to 8191 bytes")]
    Sm2Id,
    #[error("signing failed")]
    Signing,
    #[error("no randomness available: {0}")]
    Random(String),
}

fn check_sm2_id(id: &str) -> Result<(), SigError> {
    if id.is_empty() || id.len() > 8191 {
        return Err(SigError::Sm2Id);
    }
    Ok(())
}

/// A public key that signatures are checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyKey {
    alg: Alg,
    public_key: Vec<u8>,
    sm2_id: String,
}

impl VerifyKey {
    /// Checks that `public_key` is a valid key of `alg`. `sm2_id` is only
    /// used for SM2 (default [`DEFAULT_SM2_ID`]).
    pub fn new(alg: Alg, public_key: &[u8], sm2_id: Option<&str>) -> Result<VerifyKey, SigError> {
        let sm2_id = sm2_id.unwrap_or(DEFAULT_SM2_ID).to_string();
        match alg {
            Alg::Ed25519 => {
                let b: &[u8; 32] = public_key.try_into().map_err(|_| {
                    SigError::PublicKey(format!(
                        "an ed25519 public key is 32 bytes, this one is {}",
                        public_key.len()
                    ))
                })?;
                ed25519_dalek::VerifyingKey::from_bytes(b)
                    .map_err(|_| SigError::PublicKey("not a valid ed25519 public key".into()))?;
            }
            Alg::Sm2 => {
                check_sm2_id(&sm2_id)?;
                if public_key.len() != 65 || public_key[0] != 4 {
                    return Err(SigError::PublicKey(
                        "an sm2 public key is 65 bytes, uncompressed SEC1 (04 ‖ x ‖ y)".into(),
                    ));
                }
                sm2::dsa::VerifyingKey::from_sec1_bytes(&sm2_id, public_key)
                    .map_err(|_| SigError::PublicKey("not a point of the SM2 curve".into()))?;
            }
        }
        Ok(VerifyKey {
            alg,
            public_key: public_key.to_vec(),
            sm2_id,
        })
    }

    /// The key a roster entry names: its `alg`, `public_key` (hex) and, for
    /// SM2, `sm2_id`. The entry's `key_id` must be the key's id.
    pub fn from_roster(e: &RosterEntry) -> Result<VerifyKey, String> {
        let (Some(alg), Some(pk), Some(kid)) = (&e.alg, &e.public_key, &e.key_id) else {
            return Err(format!(
                "roster entry {} has no public key (alg, public_key and key_id are needed)",
                e.id
            ));
        };
        let alg = Alg::parse(alg).ok_or_else(|| {
            format!(
                "roster entry {}: unknown alg '{alg}' (ed25519 or sm2)",
                e.id
            )
        })?;
        let bytes = super::unhex(pk)
            .ok_or_else(|| format!("roster entry {}: public_key is not hex", e.id))?;
        let k = VerifyKey::new(alg, &bytes, e.sm2_id.as_deref())
            .map_err(|err| format!("roster entry {}: {err}", e.id))?;
        if k.key_id() != *kid {
            return Err(format!(
                "roster entry {}: key_id is not the SHA-256 of its public_key",
                e.id
            ));
        }
        if alg == Alg::Ed25519 && e.sm2_id.is_some() {
            return Err(format!("roster entry {}: sm2_id on an ed25519 key", e.id));
        }
        Ok(k)
    }

    /// The key a roster entry lists as one of `id`'s previous keys (its
    /// key id checked).
    pub fn from_previous(id: &str, p: &crate::domain::PreviousKey) -> Result<VerifyKey, String> {
        let alg = Alg::parse(&p.alg)
            .ok_or_else(|| format!("roster entry {id}: previous key: unknown alg '{}'", p.alg))?;
        let bytes = super::unhex(&p.public_key)
            .ok_or_else(|| format!("roster entry {id}: previous key: public_key is not hex"))?;
        let k = VerifyKey::new(alg, &bytes, p.sm2_id.as_deref())
            .map_err(|e| format!("roster entry {id}: previous key: {e}"))?;
        if k.key_id() != p.key_id {
            return Err(format!(
                "roster entry {id}: previous key: key_id is not the SHA-256 of its public_key"
            ));
        }
        Ok(k)
    }

    /// The keys a roster entry accepts for its expert: the current key
    /// first, then the previous ones.
    pub fn accepted_by(e: &RosterEntry) -> Result<Vec<VerifyKey>, String> {
        let mut keys = vec![VerifyKey::from_roster(e)?];
        for p in &e.previous_keys {
            keys.push(VerifyKey::from_previous(&e.id, p)?);
        }
        Ok(keys)
    }

    pub fn alg(&self) -> Alg {
        self.alg
    }

    pub fn public_key(&self) -> &[u8] {
        &self.public_key
    }

    pub fn sm2_id(&self) -> &str {
        &self.sm2_id
    }

    pub fn key_id(&self) -> String {
        key_id(&self.public_key)
    }

    /// The key parsed once (its point decompressed) for checking many
    /// signatures: a working copy's audit checks one per event.
    pub fn prepared(&self) -> Result<Prepared, SigError> {
        Ok(match self.alg {
            Alg::Ed25519 => {
                let b: &[u8; 32] = self
                    .public_key
                    .as_slice()
                    .try_into()
                    .map_err(|_| SigError::PublicKey("bad length".into()))?;
                Prepared::Ed25519(
                    ed25519_dalek::VerifyingKey::from_bytes(b).map_err(|_| {
                        SigError::PublicKey("not a valid ed25519 public key".into())
                    })?,
                )
            }
            Alg::Sm2 => Prepared::Sm2(
                sm2::dsa::VerifyingKey::from_sec1_bytes(&self.sm2_id, &self.public_key)
                    .map_err(|_| SigError::PublicKey("not a point of the SM2 curve".into()))?,
            ),
        })
    }

    /// Checks `sig` over `msg`.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), SigError> {
        if sig.len() != 64 {
            return Err(SigError::SignatureLength(64));
        }
        match self.alg {
            Alg::Ed25519 => {
                let b: &[u8; 32] = self
                    .public_key
                    .as_slice()
                    .try_into()
                    .map_err(|_| SigError::PublicKey("bad length".into()))?;
                let vk = ed25519_dalek::VerifyingKey::from_bytes(b)
                    .map_err(|_| SigError::PublicKey("not a valid ed25519 public key".into()))?;
                let s = ed25519_dalek::Signature::from_slice(sig)
                    .map_err(|_| SigError::SignatureEncoding)?;
                vk.verify_strict(msg, &s).map_err(|_| SigError::Invalid)
            }
            Alg::Sm2 => {
                let vk = sm2::dsa::VerifyingKey::from_sec1_bytes(&self.sm2_id, &self.public_key)
                    .map_err(|_| SigError::PublicKey("not a point of the SM2 curve".into()))?;
                let s = sm2::dsa::Signature::from_slice(sig)
                    .map_err(|_| SigError::SignatureEncoding)?;
                vk.verify(msg, &s).map_err(|_| SigError::Invalid)
            }
        }
    }
}

/// A [`VerifyKey`] parsed for use (see [`VerifyKey::prepared`]); checks
/// exactly as [`VerifyKey::verify`] does.
#[derive(Debug, Clone)]
pub enum Prepared {
    Ed25519(ed25519_dalek::VerifyingKey),
    Sm2(sm2::dsa::VerifyingKey),
}

impl Prepared {
    /// Checks `sig` over `msg`.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), SigError> {
        if sig.len() != 64 {
            return Err(SigError::SignatureLength(64));
        }
        match self {
            Prepared::Ed25519(vk) => {
                let s = ed25519_dalek::Signature::from_slice(sig)
                    .map_err(|_| SigError::SignatureEncoding)?;
                vk.verify_strict(msg, &s).map_err(|_| SigError::Invalid)
            }
            Prepared::Sm2(vk) => {
                let s = sm2::dsa::Signature::from_slice(sig)
                    .map_err(|_| SigError::SignatureEncoding)?;
                vk.verify(msg, &s).map_err(|_| SigError::Invalid)
            }
        }
    }
}

/// A private key, held only as long as a signature takes. Its bytes are
/// zeroed when it is dropped; `Debug` shows the algorithm and key id only.
pub struct SecretKey {
    alg: Alg,
    secret: Zeroizing<[u8; 32]>,
    public: VerifyKey,
}

/// A message given piece by piece: each call gives every piece, in
/// order, to the sink ([`SecretKey::sign_pieces`]).
pub type Feed<'a> = dyn Fn(&mut dyn FnMut(&[u8])) + 'a;

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretKey")
            .field("alg", &self.alg)
            .field("key_id", &self.public.key_id())
            .finish_non_exhaustive()
    }
}

impl SecretKey {
    /// A fresh key from the operating system's random source.
    pub fn generate(alg: Alg, sm2_id: Option<&str>) -> Result<SecretKey, SigError> {
        loop {
            let mut b = Zeroizing::new([0u8; 32]);
            getrandom::fill(b.as_mut()).map_err(|e| SigError::Random(e.to_string()))?;
            match SecretKey::from_bytes(alg, b.as_ref(), sm2_id) {
                Ok(k) => return Ok(k),
                // An SM2 scalar must be in [1, n-1]: draw again (p ≈ 2^-32).
                Err(SigError::SecretKey(_)) => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// A key from its 32 secret bytes: the Ed25519 seed, or the SM2 scalar
    /// (big-endian).
    pub fn from_bytes(
        alg: Alg,
        secret: &[u8],
        sm2_id: Option<&str>,
    ) -> Result<SecretKey, SigError> {
        let mut s = Zeroizing::new([0u8; 32]);
        if secret.len() != 32 {
            return Err(SigError::SecretKey(alg));
        }
        s.copy_from_slice(secret);
        let public = match alg {
            Alg::Ed25519 => {
                let sk = ed25519_dalek::SigningKey::from_bytes(&s);
                VerifyKey::new(alg, sk.verifying_key().as_bytes(), None)?
            }
            Alg::Sm2 => {
                let id = sm2_id.unwrap_or(DEFAULT_SM2_ID);
                check_sm2_id(id)?;
                // The public key from the scalar directly, which is wiped
                // after: sm2's SigningKey would keep a copy it never wipes.
                let mut scalar = sm2::NonZeroScalar::try_from(s.as_ref())
                    .map_err(|_| SigError::SecretKey(alg))?;
                let public = sm2::PublicKey::from_secret_scalar(&scalar);
                scalar.zeroize();
                let vk = sm2::dsa::VerifyingKey::new(id, public)
                    .map_err(|_| SigError::SecretKey(alg))?;
                VerifyKey::new(alg, &vk.to_sec1_bytes(), Some(id))?
            }
        };
        Ok(SecretKey {
            alg,
            secret: s,
            public,
        })
    }

    pub fn alg(&self) -> Alg {
        self.alg
    }

    /// The public half.
    pub fn verify_key(&self) -> &VerifyKey {
        &self.public
    }

    /// The 32 secret bytes, for sealing into a key file only.
    pub(crate) fn secret_bytes(&self) -> &[u8; 32] {
        &self.secret
    }

    /// Signs the message `feed` gives piece by piece to its sink (the same
    /// pieces each time it is called): the signature [`SecretKey::sign`]
    /// makes of the pieces joined. Ed25519 reads the message twice (the
    /// nonce, then the challenge: RFC 8032 §5.1.6), so a message of a
    /// hundred megabytes need not be held; SM2 gathers the pieces once.
    pub fn sign_pieces(&self, feed: &Feed) -> Result<Vec<u8>, SigError> {
        match self.alg {
            Alg::Ed25519 => {
                use ed25519_dalek::hazmat::{ExpandedSecretKey, raw_sign_byupdate};
                use sha2::Digest as _;
                // Zeroed on drop, as the signing key is.
                let esk = ExpandedSecretKey::from(&*self.secret);
                let vk = ed25519_dalek::VerifyingKey::from(&esk);
                let sig = raw_sign_byupdate::<sha2::Sha512, _>(
                    &esk,
                    |d| {
                        feed(&mut |piece| d.update(piece));
                        Ok(())
                    },
                    &vk,
                )
                .map_err(|_| SigError::Signing)?;
                Ok(sig.to_bytes().to_vec())
            }
            Alg::Sm2 => {
                let mut msg = Vec::new();
                feed(&mut |piece| msg.extend_from_slice(piece));
                self.sign(&msg)
            }
        }
    }

    /// Signs `msg`: 64 bytes (Ed25519 `R ‖ S`, or SM2 raw `r ‖ s`).
    pub fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, SigError> {
        match self.alg {
            Alg::Ed25519 => {
                // ed25519-dalek zeroes its signing key on drop.
                let sk = ed25519_dalek::SigningKey::from_bytes(&self.secret);
                let sig: ed25519_dalek::Signature = ed25519_dalek::Signer::sign(&sk, msg);
                Ok(sig.to_bytes().to_vec())
            }
            Alg::Sm2 => {
                // The nonce is derived deterministically from the key and the
                // message hash (RFC 6979 style), so no RNG failure can leak
                // the key. The sm2 crate's key type (0.14) does not zero its
                // scalar on drop and offers no way to; it lives only for this
                // call. RELIABILITY.md lists this.
                let sk =
                    sm2::dsa::SigningKey::from_slice(self.public.sm2_id(), self.secret.as_ref())
                        .map_err(|_| SigError::SecretKey(self.alg))?;
                let sig: sm2::dsa::Signature = sk.try_sign(msg).map_err(|_| SigError::Signing)?;
                Ok(sig.to_bytes().to_vec())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify_both_algs() {
        for alg in [Alg::Ed25519, Alg::Sm2] {
            let k = SecretKey::generate(alg, None).expect("key");
            let sig = k.sign(b"panelist").expect("sign");
            assert_eq!(sig.len(), 64);
            k.verify_key().verify(b"panelist", &sig).expect("verifies");
            assert_eq!(
                k.verify_key().verify(b"panelisT", &sig),
                Err(SigError::Invalid)
            );
            let dbg = format!("{k:?}");
            assert!(!dbg.contains(&crate::domain::history::hex(k.secret_bytes())));
        }
    }

    #[test]
    fn sm2_id_is_part_of_the_signature() {
        let k = SecretKey::generate(Alg::Sm2, Some("alice@example")).expect("key");
        let sig = k.sign(b"m").expect("sign");
        let other = VerifyKey::new(Alg::Sm2, k.verify_key().public_key(), None).expect("key");
        assert_eq!(other.verify(b"m", &sig), Err(SigError::Invalid));
    }
}
