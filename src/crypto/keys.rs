//! The key file: an expert's public identity in clear, the private key
//! sealed under a passphrase.
//!
//! ```text
//! kek    = Argon2id(passphrase UTF-8, salt, m_kib, t, p, version 0x13) → 32 bytes
//! aad    = "panelist.key.v1\n" ‖ JCS(the file object without "sealed")
//! sealed = XChaCha20-Poly1305(kek, nonce[24], aad, secret[32]) = ciphertext[32] ‖ tag[16]
//! ```
//!
//! The KDF parameters are stored in every file, so a file opens with the
//! parameters it was sealed with whatever the current defaults are. The
//! associated data binds the identity, public key and parameters to the
//! ciphertext: a file whose clear part was edited no longer opens. See
//! `docs/formats.md` ("Key file") for the full description.
//!
//! This module only turns keys into text and back; reading and writing the
//! files is `keyring`'s.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::{AeadInOut, KeyInit, Tag, XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::sign::{SecretKey, SigError, VerifyKey};
use super::{Alg, DEFAULT_SM2_ID, unhex};
use crate::domain::RosterEntry;
use crate::domain::history::hex;

pub const KEY_FORMAT: &str = "panelist.key.v1";
const AAD_TAG: &[u8] = b"panelist.key.v1\n";

/// Shortest passphrase accepted for a new key, in characters.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// Argon2id cost parameters as stored in a key file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfCost {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl KdfCost {
    /// The default for new keys: 64 MiB, 3 passes, 1 lane.
    pub const DEFAULT: KdfCost = KdfCost {
        m_kib: 64 * 1024,
        t: 3,
        p: 1,
    };

    /// Bounds a file's parameters must lie in before any work is done, so a
    /// damaged file cannot ask for terabytes.
    pub fn check(&self) -> Result<(), String> {
        if !(1..=16).contains(&self.p) {
            return Err(format!("kdf p = {} is outside 1..16", self.p));
        }
        if self.m_kib < 8 * self.p || self.m_kib > 4 * 1024 * 1024 {
            return Err(format!(
                "kdf m_kib = {} is outside {}..{}",
                self.m_kib,
                8 * self.p,
                4 * 1024 * 1024
            ));
        }
        if !(1..=100).contains(&self.t) {
            return Err(format!("kdf t = {} is outside 1..100", self.t));
        }
        Ok(())
    }

    /// Parses `m=KIB,t=N,p=N` (the `PANELIST_KDF_PARAMS` syntax).
    pub fn parse(s: &str) -> Result<KdfCost, String> {
        let mut c = KdfCost::DEFAULT;
        for part in s.split(',') {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("'{part}' is not key=value"))?;
            let n: u32 = v
                .trim()
                .parse()
                .map_err(|_| format!("'{v}' is not a number"))?;
            match k.trim() {
                "m" => c.m_kib = n,
                "t" => c.t = n,
                "p" => c.p = n,
                other => return Err(format!("unknown parameter '{other}' (m, t, p)")),
            }
        }
        c.check()?;
        Ok(c)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kdf {
    /// Always "argon2id".
    pub alg: String,
    /// Argon2 version, 19 (0x13).
    pub version: u32,
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
    /// Hex, 16 bytes.
    pub salt: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cipher {
    /// Always "xchacha20poly1305".
    pub alg: String,
    /// Hex, 24 bytes.
    pub nonce: String,
}

/// A key file as stored. Everything but `sealed` is public.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFile {
    pub format: String,
    pub id: String,
    pub name: String,
    pub org: String,
    pub alg: String,
    /// Hex of the public key bytes.
    pub public_key: String,
    /// Hex SHA-256 of the public key bytes.
    pub key_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sm2_id: Option<String>,
    pub created: String,
    pub kdf: Kdf,
    pub cipher: Cipher,
    /// Hex of ciphertext ‖ tag (48 bytes).
    pub sealed: String,
}

impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyFile")
            .field("id", &self.id)
            .field("alg", &self.alg)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// Why a key file cannot be used. None of these carries key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("wrong passphrase (or the key file was altered)")]
    WrongPassphrase,
    #[error("not a panelist key file: {0}")]
    Format(String),
    #[error("{0}")]
    Key(#[from] SigError),
    #[error("passphrase must be at least {MIN_PASSPHRASE_CHARS} characters")]
    ShortPassphrase,
    #[error("the key derivation failed: {0}")]
    Kdf(String),
    #[error("no randomness available: {0}")]
    Random(String),
}

/// A passphrase, zeroed when dropped and never printed.
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    pub fn new(s: String) -> Passphrase {
        Passphrase(Zeroizing::new(s))
    }
    fn bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
    pub fn chars(&self) -> usize {
        self.0.chars().count()
    }
    /// Whether two typed passphrases agree (the confirmation prompt).
    pub fn same_as(&self, other: &Passphrase) -> bool {
        self.0.as_bytes() == other.0.as_bytes()
    }

    /// An empty passphrase to type into, its room reserved up front: a
    /// string that grew would leave its earlier, shorter copy behind in
    /// freed memory, unzeroed.
    pub fn typing() -> Passphrase {
        Passphrase(Zeroizing::new(String::with_capacity(MAX_TYPED_BYTES)))
    }

    /// Adds a typed character. Refused (false) once the reserved room is
    /// full, so the buffer never moves.
    pub fn push(&mut self, c: char) -> bool {
        if self.0.len() + c.len_utf8() > self.0.capacity() {
            return false;
        }
        self.0.push(c);
        true
    }

    /// Removes the last character. Its bytes stay in the spare room until
    /// the passphrase is dropped, when the whole buffer is zeroed.
    pub fn pop(&mut self) {
        self.0.pop();
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Zeroes and empties the passphrase, keeping its room.
    pub fn clear(&mut self) {
        zeroize::Zeroize::zeroize(&mut *self.0);
    }
}

/// Room reserved for a passphrase typed into the terminal interface.
pub const MAX_TYPED_BYTES: usize = 1024;

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(..)")
    }
}

/// Who a key belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub id: String,
    pub name: String,
    pub org: String,
}

fn derive(pass: &Passphrase, salt: &[u8], cost: KdfCost) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    cost.check().map_err(KeyError::Format)?;
    let params = Params::new(cost.m_kib, cost.t, cost.p, Some(32))
        .map_err(|e| KeyError::Kdf(e.to_string()))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(pass.bytes(), salt, out.as_mut())
        .map_err(|e| KeyError::Kdf(e.to_string()))?;
    Ok(out)
}

impl KeyFile {
    /// The bytes the AEAD authenticates alongside the sealed secret.
    fn aad(&self) -> Vec<u8> {
        let mut v = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let serde_json::Value::Object(m) = &mut v {
            m.remove("sealed");
        }
        let mut out = AAD_TAG.to_vec();
        out.extend(serde_json_canonicalizer::to_vec(&v).unwrap_or_default());
        out
    }

    /// Seals `key` under `pass` for `owner`.
    pub fn seal(
        key: &SecretKey,
        owner: &Owner,
        pass: &Passphrase,
        cost: KdfCost,
        created: &str,
    ) -> Result<KeyFile, KeyError> {
        if pass.chars() < MIN_PASSPHRASE_CHARS {
            return Err(KeyError::ShortPassphrase);
        }
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut salt).map_err(|e| KeyError::Random(e.to_string()))?;
        getrandom::fill(&mut nonce).map_err(|e| KeyError::Random(e.to_string()))?;
        let vk = key.verify_key();
        let mut file = KeyFile {
            format: KEY_FORMAT.into(),
            id: owner.id.clone(),
            name: owner.name.clone(),
            org: owner.org.clone(),
            alg: key.alg().name().into(),
            public_key: hex(vk.public_key()),
            key_id: vk.key_id(),
            sm2_id: (key.alg() == Alg::Sm2).then(|| vk.sm2_id().to_string()),
            created: created.into(),
            kdf: Kdf {
                alg: "argon2id".into(),
                version: 0x13,
                m_kib: cost.m_kib,
                t: cost.t,
                p: cost.p,
                salt: hex(&salt),
            },
            cipher: Cipher {
                alg: "xchacha20poly1305".into(),
                nonce: hex(&nonce),
            },
            sealed: String::new(),
        };
        let kek = derive(pass, &salt, cost)?;
        let cipher = XChaCha20Poly1305::new_from_slice(kek.as_ref())
            .map_err(|_| KeyError::Kdf("key length".into()))?;
        let mut buf = Zeroizing::new(*key.secret_bytes());
        let xn = XNonce::from(nonce);
        let tag = cipher
            .encrypt_inout_detached(&xn, &file.aad(), buf.as_mut_slice().into())
            .map_err(|_| KeyError::Kdf("encryption failed".into()))?;
        let mut sealed = buf.to_vec();
        sealed.extend_from_slice(&tag);
        file.sealed = hex(&sealed);
        Ok(file)
    }

    /// Parses a key file's text (strict JSON) and checks its public part:
    /// format, algorithm, public key and key id agree.
    pub fn parse(text: &str) -> Result<KeyFile, KeyError> {
        if !text.trim_start().starts_with('{') {
            return Err(KeyError::Format("not a JSON object".into()));
        }
        let f: KeyFile = crate::support::jsonio::from_str_closed(text)
            .map_err(|e| KeyError::Format(e.to_string()))?;
        if f.format != KEY_FORMAT {
            return Err(KeyError::Format(format!(
                "format '{}', expected '{KEY_FORMAT}'",
                f.format
            )));
        }
        f.verify_key()?;
        if f.kdf.alg != "argon2id" || f.kdf.version != 0x13 {
            return Err(KeyError::Format(format!(
                "kdf {} version {} (only argon2id version 19)",
                f.kdf.alg, f.kdf.version
            )));
        }
        f.cost().check().map_err(KeyError::Format)?;
        if f.cipher.alg != "xchacha20poly1305" {
            return Err(KeyError::Format(format!(
                "cipher {} (only xchacha20poly1305)",
                f.cipher.alg
            )));
        }
        Ok(f)
    }

    pub fn to_text(&self) -> String {
        let mut s = crate::support::jsonio::to_string_pretty_inert(self).unwrap_or_default();
        s.push('\n');
        s
    }

    pub fn alg(&self) -> Result<Alg, KeyError> {
        Alg::parse(&self.alg).ok_or_else(|| KeyError::Format(format!("unknown alg '{}'", self.alg)))
    }

    pub fn cost(&self) -> KdfCost {
        KdfCost {
            m_kib: self.kdf.m_kib,
            t: self.kdf.t,
            p: self.kdf.p,
        }
    }

    /// The public key, checked against the stored key id.
    pub fn verify_key(&self) -> Result<VerifyKey, KeyError> {
        let alg = self.alg()?;
        let pk = unhex(&self.public_key)
            .ok_or_else(|| KeyError::Format("public_key is not hex".into()))?;
        let vk = VerifyKey::new(alg, &pk, self.sm2_id.as_deref())?;
        if vk.key_id() != self.key_id {
            return Err(KeyError::Format(
                "key_id is not the SHA-256 of public_key".into(),
            ));
        }
        Ok(vk)
    }

    /// Opens the sealed private key. A wrong passphrase and an altered file
    /// look the same to the AEAD and give the same error.
    pub fn unseal(&self, pass: &Passphrase) -> Result<SecretKey, KeyError> {
        let alg = self.alg()?;
        let salt =
            unhex(&self.kdf.salt).ok_or_else(|| KeyError::Format("kdf salt is not hex".into()))?;
        if salt.len() < 16 {
            return Err(KeyError::Format("kdf salt is shorter than 16 bytes".into()));
        }
        let nonce: [u8; 24] = unhex(&self.cipher.nonce)
            .and_then(|n| n.try_into().ok())
            .ok_or_else(|| KeyError::Format("cipher nonce is not 24 bytes of hex".into()))?;
        let sealed = unhex(&self.sealed)
            .filter(|s| s.len() == 48)
            .ok_or_else(|| KeyError::Format("sealed is not 48 bytes of hex".into()))?;
        let kek = derive(pass, &salt, self.cost())?;
        let cipher = XChaCha20Poly1305::new_from_slice(kek.as_ref())
            .map_err(|_| KeyError::Kdf("key length".into()))?;
        let mut buf = Zeroizing::new([0u8; 32]);
        buf.copy_from_slice(&sealed[..32]);
        let tag = Tag::try_from(&sealed[32..]).map_err(|_| KeyError::WrongPassphrase)?;
        cipher
            .decrypt_inout_detached(
                &XNonce::from(nonce),
                &self.aad(),
                buf.as_mut_slice().into(),
                &tag,
            )
            .map_err(|_| KeyError::WrongPassphrase)?;
        let key = SecretKey::from_bytes(alg, buf.as_ref(), self.sm2_id.as_deref())?;
        if key.verify_key() != &self.verify_key()? {
            return Err(KeyError::Format(
                "the sealed private key does not belong to public_key".into(),
            ));
        }
        Ok(key)
    }

    /// The public identity as a roster entry.
    pub fn roster_entry(&self) -> RosterEntry {
        RosterEntry {
            id: self.id.clone(),
            name: self.name.clone(),
            org: self.org.clone(),
            role: None,
            alg: Some(self.alg.clone()),
            public_key: Some(self.public_key.clone()),
            key_id: Some(self.key_id.clone()),
            sm2_id: if self.alg == "sm2" {
                Some(
                    self.sm2_id
                        .clone()
                        .unwrap_or_else(|| DEFAULT_SM2_ID.to_string()),
                )
            } else {
                None
            },
            previous_keys: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: KdfCost = KdfCost {
        m_kib: 64,
        t: 1,
        p: 1,
    };

    fn owner() -> Owner {
        Owner {
            id: "E01".into(),
            name: "张三".into(),
            org: "某研究院".into(),
        }
    }

    #[test]
    fn seal_unseal_round_trip_and_wrong_passphrase() {
        for alg in [Alg::Ed25519, Alg::Sm2] {
            let k = SecretKey::generate(alg, None).expect("key");
            let pass = Passphrase::new("correct horse".into());
            let f =
                KeyFile::seal(&k, &owner(), &pass, FAST, "2024-03-01T09:00:00.000Z").expect("seal");
            let text = f.to_text();
            assert!(!text.contains(&hex(k.secret_bytes())));
            let g = KeyFile::parse(&text).expect("parse");
            let k2 = g.unseal(&pass).expect("unseal");
            assert_eq!(k2.secret_bytes(), k.secret_bytes());
            let bad = g.unseal(&Passphrase::new("wrong horse".into()));
            assert_eq!(bad.err(), Some(KeyError::WrongPassphrase));
        }
    }

    #[test]
    fn editing_the_clear_part_breaks_the_seal() {
        let k = SecretKey::generate(Alg::Ed25519, None).expect("key");
        let pass = Passphrase::new("correct horse".into());
        let mut f = KeyFile::seal(&k, &owner(), &pass, FAST, "t").expect("seal");
        f.name = "李四".into();
        assert_eq!(f.unseal(&pass).err(), Some(KeyError::WrongPassphrase));
    }

    #[test]
    fn a_typed_passphrase_never_outgrows_its_room() {
        let mut p = Passphrase::typing();
        assert!(p.is_empty());
        for c in "口令 pass".chars() {
            assert!(p.push(c));
        }
        assert!(p.same_as(&Passphrase::new("口令 pass".into())));
        p.pop();
        assert_eq!(p.chars(), 6);
        let room = p.0.capacity();
        while p.push('x') {}
        assert_eq!(p.0.capacity(), room, "never reallocated");
        assert!(p.0.len() <= MAX_TYPED_BYTES);
        p.clear();
        assert!(p.is_empty());
        assert_eq!(p.0.capacity(), room);
        assert_eq!(format!("{p:?}"), "Passphrase(..)");
    }

    #[test]
    fn short_passphrase_and_cost_bounds() {
        let k = SecretKey::generate(Alg::Ed25519, None).expect("key");
        let r = KeyFile::seal(&k, &owner(), &Passphrase::new("short".into()), FAST, "t");
        assert_eq!(r.err(), Some(KeyError::ShortPassphrase));
        assert!(KdfCost::parse("m=64,t=1,p=1").is_ok());
        assert!(KdfCost::parse("m=4,t=1,p=1").is_err());
        assert!(KdfCost::parse("m=99999999999").is_err());
        assert!(KdfCost::parse("q=1").is_err());
    }
}
