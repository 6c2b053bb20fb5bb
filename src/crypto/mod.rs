//! Keys, canonical bytes, signing and verifying.
//!
//! - [`keys`]: generating a key pair, sealing the private key under a
//!   passphrase (Argon2id + XChaCha20-Poly1305) and the key file's text.
//! - [`sign`]: Ed25519 (RFC 8032, strict verification) and SM2 with SM3
//!   (GM/T 0003, GM/T 0009 distinguishing ID) signatures, chosen by
//!   algorithm name.
//! - [`envelope`]: the signed-file envelope (DSSE pre-authentication
//!   encoding over the RFC 8785 canonical payload) shared by an expert's
//!   export and the chair's merged result.
//!
//! Nothing here knows of SQLite or the terminal, and the private key never
//! leaves this module in any printable form: no `Debug`, no `Display`, no
//! error message carries it.

pub mod envelope;
pub mod event;
pub mod jcs;
pub mod keys;
pub mod sign;

use sha2::{Digest, Sha256};

/// The GM/T 0009-2012 default distinguishing ID of an SM2 signer.
pub const DEFAULT_SM2_ID: &str = "1234567812345678";

/// A signature algorithm panelist signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    /// Ed25519 (RFC 8032).
    Ed25519,
    /// SM2 with SM3 (GM/T 0003), for 商用密码 deployments.
    Sm2,
}

impl Alg {
    pub fn name(self) -> &'static str {
        match self {
            Alg::Ed25519 => "ed25519",
            Alg::Sm2 => "sm2",
        }
    }

    pub fn parse(s: &str) -> Option<Alg> {
        match s {
            "ed25519" => Some(Alg::Ed25519),
            "sm2" => Some(Alg::Sm2),
            _ => None,
        }
    }
}

impl std::fmt::Display for Alg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A key's id: lower-case hex SHA-256 of its public key bytes (Ed25519:
/// the 32-byte key; SM2: the 65-byte uncompressed SEC1 point).
pub fn key_id(public_key: &[u8]) -> String {
    crate::domain::history::hex(&Sha256::digest(public_key))
}

/// Parses lower-case or upper-case hex of any even length.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let d = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    s.as_bytes()
        .chunks(2)
        .map(|c| Some(d(c[0])? << 4 | d(c[1])?))
        .collect()
}

/// The first 16 hex digits of a key id, for messages.
pub fn short_id(key_id: &str) -> &str {
    key_id.get(..16).unwrap_or(key_id)
}
