//! The signed-file envelope, shared by an expert's export and the chair's
//! merged result. It is DSSE (Dead Simple Signing Envelope) v1 as
//! specified, wire form included:
//!
//! ```json
//! {"payloadType": "...", "payload": "<base64>", "signatures": [{"keyid": "...", "sig": "<base64>"}]}
//! ```
//!
//! `payload` is the standard base64 of the exact bytes that were signed:
//! UTF-8 JSON, written RFC 8785 (JCS) canonical by panelist so the same
//! content always gives the same bytes. The signature is over the DSSE v1
//! pre-authentication encoding of the payload type and those bytes:
//!
//! ```text
//! PAE(type, body) = "DSSEv1" SP len(type) SP type SP len(body) SP body
//! ```
//!
//! with lengths as ASCII decimal byte counts. A verifier hashes the bytes
//! as they are (no re-canonicalisation), then parses them once. To keep
//! JCS unambiguous across implementations, a payload may hold only
//! strings, booleans, nulls, arrays, objects and integers of magnitude
//! below 2^53.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::short_id;
use super::sign::{SecretKey, SigError, VerifyKey};

/// An expert's signed scores.
pub const SCORES_TYPE: &str = "application/vnd.panelist.scores+json;version=3";
/// The chair's signed merged result.
pub const MERGED_TYPE: &str = "application/vnd.panelist.merged+json;version=4";
/// The ministry's signed combined result of a whole call.
pub const COMBINED_TYPE: &str = "application/vnd.panelist.combined+json;version=1";

/// Largest integer magnitude a payload may hold: 2^53 - 1.
pub use crate::support::strict::MAX_SAFE_INTEGER;

/// One signature of an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvSignature {
    /// Selects the key; the verifier's roster says which key that is.
    pub keyid: String,
    /// Base64 (RFC 4648 §4, with padding) of the signature bytes.
    pub sig: String,
}

/// A signed file, its payload decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub payload_type: String,
    /// The exact signed bytes (the base64 of `payload`, decoded).
    pub payload: Vec<u8>,
    pub signatures: Vec<EnvSignature>,
}

/// The envelope as it is written: DSSE's JSON form.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    #[serde(rename = "payloadType")]
    payload_type: String,
    payload: String,
    signatures: Vec<EnvSignature>,
}

/// The envelope as it is read: the payload's base64 borrowed from the
/// file's bytes where it holds no escape (it never does when written by
/// panelist), so megabytes of it are not copied before they are decoded.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireIn<'a> {
    #[serde(rename = "payloadType")]
    payload_type: String,
    #[serde(borrow)]
    payload: std::borrow::Cow<'a, str>,
    signatures: Vec<EnvSignature>,
}

/// Why an envelope is not accepted; each names what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("not a signed panelist file: {0}")]
    Syntax(String),
    #[error("payload is not JCS-safe: {0}")]
    NotJcsSafe(String),
    #[error("no signature by key {expected} (the file is signed by {found})")]
    NoSignatureBy { expected: String, found: String },
    #[error("signature {index}: sig is not base64")]
    Base64 { index: usize },
    #[error("signature by key {keyid} does not verify: {err} (payload or signature altered)")]
    Invalid { keyid: String, err: SigError },
    #[error("cannot sign: {0}")]
    Sign(SigError),
}

/// The DSSE v1 pre-authentication encoding.
pub fn pae(payload_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    pae_into(&mut out, payload_type, body);
    out
}

/// [`pae`] into `out` (emptied first, its room kept).
fn pae_into(out: &mut Vec<u8>, payload_type: &str, body: &[u8]) {
    out.clear();
    out.reserve(payload_type.len() + body.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(body.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(body);
}
/// Checks that `v` holds no number JCS implementations could disagree on:
/// no fractions or exponents, no integer of magnitude 2^53 or more. The
/// error names the JSON path.
pub fn check_jcs_safe(v: &Value) -> Result<(), String> {
    fn walk(v: &Value, path: &mut String) -> Result<(), String> {
        match v {
            Value::Number(n) => {
                let ok = if let Some(u) = n.as_u64() {
                    u <= MAX_SAFE_INTEGER
                } else if let Some(i) = n.as_i64() {
                    i.unsigned_abs() <= MAX_SAFE_INTEGER
                } else {
                    false
                };
                if ok {
                    Ok(())
                } else {
                    Err(format!("{path} = {n} is not an integer below 2^53"))
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(x, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            Value::Object(m) => {
                for (k, x) in m {
                    let len = path.len();
                    path.push('.');
                    path.push_str(k);
                    walk(x, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
    walk(v, &mut String::from("$"))
}

/// The RFC 8785 canonical bytes of a JCS-safe value.
pub fn canonical(v: &Value) -> Result<Vec<u8>, EnvelopeError> {
    check_jcs_safe(v).map_err(EnvelopeError::NotJcsSafe)?;
    let mut out = Vec::with_capacity(4096);
    write_jcs_safe(v, &mut out);
    Ok(out)
}

/// RFC 8785 for a value already known to be JCS-safe (integers only, so
/// numbers print as their decimal digits): members sorted by the UTF-16
/// code units of their names, strings escaped as ECMAScript does. Written
/// directly because every verification canonicalises megabytes of
/// history; a property test holds it equal to a general implementation.
pub fn write_jcs_safe(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::String(s) => crate::domain::history::jcs_str(out, s),
        Value::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_jcs_safe(x, out);
            }
            out.push(b']');
        }
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            // Byte order equals UTF-16 order except where a supplementary
            // character meets U+E000..U+FFFF; sort by UTF-16 only then.
            if keys.iter().all(|k| k.is_ascii()) {
                keys.sort_unstable();
            } else {
                keys.sort_unstable_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            }
            out.push(b'{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                crate::domain::history::jcs_str(out, k);
                out.push(b':');
                if let Some(x) = m.get(*k) {
                    write_jcs_safe(x, out);
                }
            }
            out.push(b'}');
        }
    }
}

/// A payload's base64 (RFC 4648 §4, padded, canonical). Decoded with SIMD
/// (`base64-simd`), which refuses what is not the alphabet or not padded
/// as it must be; its last quad is then re-encoded and compared, so
/// non-zero trailing bits are refused too. Anything it refuses is decoded
/// by the `base64` crate, whose verdict stands: the two accept the same
/// texts.
fn decode_payload(text: &[u8]) -> Result<Vec<u8>, base64::DecodeError> {
    if let Ok(bytes) = base64_simd::STANDARD.decode_to_vec(text) {
        let tail = bytes.len() % 3;
        if tail == 0 || text.ends_with(STANDARD.encode(&bytes[bytes.len() - tail..]).as_bytes()) {
            return Ok(bytes);
        }
    }
    STANDARD.decode(text)
}

impl Envelope {
    /// Signs `payload` as `payload_type` with `key`: the payload is
    /// written JCS canonical and those bytes are signed.
    pub fn sign(
        payload_type: &str,
        payload: Value,
        key: &SecretKey,
    ) -> Result<Envelope, EnvelopeError> {
        Envelope::sign_bytes(payload_type, canonical(&payload)?, key)
    }

    /// Signs `payload` (the exact bytes the file will carry) as
    /// `payload_type` with `key`; the signature's keyid is the key's id.
    pub fn sign_bytes(
        payload_type: &str,
        payload: Vec<u8>,
        key: &SecretKey,
    ) -> Result<Envelope, EnvelopeError> {
        let mut env = Envelope {
            payload_type: payload_type.to_string(),
            payload,
            signatures: Vec::new(),
        };
        let sig = key.sign(&env.signed_bytes()).map_err(EnvelopeError::Sign)?;
        env.signatures.push(EnvSignature {
            keyid: key.verify_key().key_id(),
            sig: STANDARD.encode(sig),
        });
        Ok(env)
    }

    /// The bytes every signature is over: PAE(payloadType, payload).
    pub fn signed_bytes(&self) -> Vec<u8> {
        pae(&self.payload_type, &self.payload)
    }

    /// Parses a signed file: strict JSON (duplicate keys refused), exactly
    /// the three envelope fields, a base64 payload of UTF-8 text.
    pub fn parse(text: &str) -> Result<Envelope, EnvelopeError> {
        let env = Envelope::parse_unsigned(text)?;
        if env.signatures.is_empty() {
            return Err(EnvelopeError::Syntax("no signatures".into()));
        }
        Ok(env)
    }

    /// Parses as [`Envelope::parse`] but accepts an empty signature list:
    /// the chair's unsigned draft of a merged result, for reading only.
    pub fn parse_unsigned(text: &str) -> Result<Envelope, EnvelopeError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let start = text.trim_start();
        if start.is_empty() {
            return Err(EnvelopeError::Syntax("the file is empty".into()));
        }
        if !start.starts_with('{') {
            return Err(EnvelopeError::Syntax(
                "the file is not a JSON object".into(),
            ));
        }
        // One strict pass; a refused file is read again only to say where.
        let wire: WireIn = match crate::support::strict::from_slice(text.as_bytes()) {
            Ok(w) => w,
            Err(fast) => {
                let why = match crate::support::jsonio::from_str_closed::<Wire>(text) {
                    Err(e) => e.to_string(),
                    Ok(_) => fast.to_string(),
                };
                return Err(EnvelopeError::Syntax(why));
            }
        };
        Envelope::from_wire(wire)
    }

    fn from_wire(wire: WireIn) -> Result<Envelope, EnvelopeError> {
        let payload = decode_payload(wire.payload.as_bytes()).map_err(|_| {
            EnvelopeError::Syntax(
                "payload is not base64 (RFC 4648 §4, with padding) of the signed bytes".into(),
            )
        })?;
        // SIMD validation (simdutf8); the standard library's only to say
        // where a bad payload goes wrong.
        if simdutf8::basic::from_utf8(&payload).is_err() {
            let at = std::str::from_utf8(&payload)
                .err()
                .map_or(0, |e| e.valid_up_to());
            return Err(EnvelopeError::Syntax(format!(
                "payload is not UTF-8 (byte {at} of the decoded payload)"
            )));
        }
        Ok(Envelope {
            payload_type: wire.payload_type,
            payload,
            signatures: wire.signatures,
        })
    }

    /// The payload's text (checked UTF-8 when parsed).
    pub fn payload_text(&self) -> &str {
        // Checked with SIMD (as when parsed): the verifiers call this on
        // every payload they read.
        simdutf8::basic::from_utf8(&self.payload).unwrap_or_default()
    }

    /// The payload as a JSON value, read strictly: duplicate keys refused,
    /// an object, JCS-safe. For tools and for explaining a refusal; the
    /// verifiers read the payload's own types directly.
    pub fn payload_value(&self) -> Result<Value, EnvelopeError> {
        let v: Value = crate::support::jsonio::from_str_strict(self.payload_text())
            .map_err(|e| EnvelopeError::Syntax(format!("payload: {e}")))?;
        if !v.is_object() {
            return Err(EnvelopeError::Syntax("payload is not a JSON object".into()));
        }
        check_jcs_safe(&v).map_err(EnvelopeError::NotJcsSafe)?;
        Ok(v)
    }

    /// Replaces the payload by the JCS bytes of `v` (signatures are left
    /// as they are: sign again to make them cover it).
    pub fn set_payload_value(&mut self, v: &Value) -> Result<(), EnvelopeError> {
        self.payload = canonical(v)?;
        Ok(())
    }

    /// The file's text: DSSE's JSON form, pretty, a final newline.
    pub fn to_text(&self) -> String {
        let mut out = Vec::with_capacity(self.payload.len().div_ceil(3) * 4 + 1024);
        self.write_text(&mut out)
            .expect("writing to memory does not fail");
        // Base64 and the inert JSON around it are ASCII and whole UTF-8.
        String::from_utf8(out).unwrap_or_default()
    }

    /// [`Envelope::to_text`] written to `w` as it is made: the base64 of a
    /// payload of a hundred megabytes is encoded in pieces, never held
    /// whole, and (being only `A–Z a–z 0–9 + / =`) is not passed through
    /// the inert string writer.
    pub fn write_text<W: std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        self.write_text_with(w, &mut |w| {
            let mut buf = String::with_capacity(64 * 1024);
            // Whole groups of three bytes per piece: no padding in between.
            for piece in self.payload.chunks(48 * 1024) {
                buf.clear();
                STANDARD.encode_string(piece, &mut buf);
                w.write_all(buf.as_bytes())?;
            }
            Ok(())
        })
    }

    /// [`Envelope::write_text`] with the payload's base64 written by
    /// `payload` (for a payload given in pieces, not held in `self`).
    pub fn write_text_with<W: std::io::Write>(
        &self,
        w: &mut W,
        payload: &mut dyn FnMut(&mut W) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        Envelope::write_text_signed_after(&self.payload_type, w, payload, &mut || {
            Ok(self.signatures.clone())
        })
    }

    /// The text of an envelope of type `payload_type`, its payload's
    /// base64 written by `payload`, its signatures given by `signatures`
    /// once that is done: a payload given in pieces is encoded into the
    /// file in the same pass over them that starts its signature (the
    /// signatures come after the payload in the text).
    pub fn write_text_signed_after<W: std::io::Write>(
        payload_type: &str,
        w: &mut W,
        payload: &mut dyn FnMut(&mut W) -> std::io::Result<()>,
        signatures: &mut dyn FnMut() -> std::io::Result<Vec<EnvSignature>>,
    ) -> std::io::Result<()> {
        // The first `"payload": ""` is the payload's: the type before it
        // is a string whose quotes are escaped.
        const SLOT: &str = "\"payload\": \"";
        let frame = |signatures: Vec<EnvSignature>| -> std::io::Result<(String, usize)> {
            let wire = Wire {
                payload: String::new(),
                payload_type: payload_type.to_string(),
                signatures,
            };
            let frame = crate::support::jsonio::to_string_pretty_inert(&wire)
                .map_err(std::io::Error::other)?;
            let at = frame
                .find("\"payload\": \"\"")
                .map(|i| i + SLOT.len())
                .ok_or_else(|| std::io::Error::other("no payload in the envelope"))?;
            Ok((frame, at))
        };
        let (head, at) = frame(Vec::new())?;
        w.write_all(&head.as_bytes()[..at])?;
        payload(w)?;
        let (whole, at_whole) = frame(signatures()?)?;
        if whole.as_bytes()[..at_whole] != head.as_bytes()[..at] {
            return Err(std::io::Error::other(
                "the envelope's text before the payload depends on its signatures",
            ));
        }
        w.write_all(&whole.as_bytes()[at_whole..])?;
        w.write_all(b"\n")
    }

    /// The decoded payload for people: pretty JSON, every character a
    /// terminal would obey escaped.
    pub fn show(&self) -> Result<String, EnvelopeError> {
        let v = self.payload_value()?;
        let mut s = crate::support::jsonio::to_string_pretty_inert(&v)
            .map_err(|e| EnvelopeError::Syntax(e.to_string()))?;
        s.push('\n');
        Ok(s)
    }

    /// Checks every signature whose keyid is `key_id` against `key` (the
    /// key the verifier's roster names; the file's keyid only selects).
    /// At least one must be present and all present must verify.
    pub fn verify_by(&self, key_id: &str, key: &VerifyKey) -> Result<(), EnvelopeError> {
        // The signed bytes are built in a buffer this thread keeps.
        thread_local! {
            static SIGNED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        crate::support::fs::with_room(&SIGNED, |room| self.verify_in(key_id, key, room))
    }

    fn verify_in(
        &self,
        key_id: &str,
        key: &VerifyKey,
        room: &mut Vec<u8>,
    ) -> Result<(), EnvelopeError> {
        let mut seen = false;
        let mut built = false;
        for (i, s) in self.signatures.iter().enumerate() {
            if s.keyid != key_id {
                continue;
            }
            seen = true;
            let raw = STANDARD
                .decode(s.sig.as_bytes())
                .map_err(|_| EnvelopeError::Base64 { index: i + 1 })?;
            if !built {
                pae_into(room, &self.payload_type, &self.payload);
                built = true;
            }
            key.verify(room, &raw)
                .map_err(|err| EnvelopeError::Invalid {
                    keyid: short_id(key_id).to_string(),
                    err,
                })?;
        }
        if !seen {
            let found: Vec<&str> = self.signatures.iter().map(|s| short_id(&s.keyid)).collect();
            return Err(EnvelopeError::NoSignatureBy {
                expected: short_id(key_id).to_string(),
                found: found.join(", "),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Alg;

    /// The SIMD decoder with its trailing-bits check accepts exactly the
    /// texts the `base64` crate accepts, and gives the same bytes: every
    /// one-character change, insertion and deletion of canonical texts of
    /// every length up to 70 bytes (every tail shape), long enough for the
    /// SIMD blocks, with every character a text could hold there.
    #[test]
    fn simd_decoding_accepts_what_the_reference_accepts() {
        let alphabet: Vec<u8> =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n\r.\0".to_vec();
        let agree = |t: &[u8]| {
            let ours = decode_payload(t).ok();
            let reference = STANDARD.decode(t).ok();
            assert_eq!(ours, reference, "{:?}", String::from_utf8_lossy(t));
        };
        for n in 0..70usize {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + n * 11) as u8).collect();
            let text = STANDARD.encode(&bytes).into_bytes();
            agree(&text);
            for at in 0..=text.len() {
                for &c in &alphabet {
                    if at < text.len() {
                        let mut t = text.clone();
                        t[at] = c;
                        agree(&t);
                    }
                    let mut t = text.clone();
                    t.insert(at, c);
                    agree(&t);
                }
                if at < text.len() {
                    let mut t = text.clone();
                    t.remove(at);
                    agree(&t);
                }
            }
        }
    }

    #[test]
    fn pae_matches_the_dsse_spec_example() {
        // DSSE protocol.md: PAE("http://example.com/HelloWorld", "hello world")
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    #[test]
    fn floats_and_big_integers_are_refused() {
        let v: Value = serde_json::from_str(r#"{"a": [1, {"b": 1.5}]}"#).expect("json");
        assert_eq!(
            check_jcs_safe(&v).unwrap_err(),
            "$.a[1].b = 1.5 is not an integer below 2^53"
        );
        let big: Value = serde_json::from_str(r#"{"n": 9007199254740992}"#).expect("json");
        assert!(check_jcs_safe(&big).is_err());
        let ok: Value = serde_json::from_str(r#"{"n": -9007199254740991}"#).expect("json");
        assert!(check_jcs_safe(&ok).is_ok());
    }

    #[test]
    fn text_written_in_pieces_is_the_whole_serialisation() {
        let k = SecretKey::generate(Alg::Ed25519, None).expect("key");
        // Payload lengths around the pieces' size and the base64 groups.
        for n in [
            0usize,
            1,
            2,
            3,
            48 * 1024 - 1,
            48 * 1024,
            48 * 1024 + 2,
            200_001,
        ] {
            let bytes: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            let env = Envelope::sign_bytes(SCORES_TYPE, bytes.clone(), &k).expect("sign");
            let whole = Wire {
                payload: STANDARD.encode(&bytes),
                payload_type: env.payload_type.clone(),
                signatures: env.signatures.clone(),
            };
            let mut want = crate::support::jsonio::to_string_pretty_inert(&whole).expect("text");
            want.push('\n');
            assert_eq!(env.to_text(), want, "payload of {n} bytes");
            if n > 0 {
                let back = Envelope::parse(&env.to_text()).expect("parses");
                assert_eq!(back.payload, bytes);
            }
        }
    }

    #[test]
    fn sign_parse_verify() {
        let k = SecretKey::generate(Alg::Ed25519, None).expect("key");
        let env =
            Envelope::sign(SCORES_TYPE, serde_json::json!({"b": 1, "a": "中"}), &k).expect("sign");
        // The payload is the JCS bytes, carried as base64.
        assert_eq!(env.payload, "{\"a\":\"中\",\"b\":1}".as_bytes());
        let text = env.to_text();
        let wire: Value = serde_json::from_str(&text).expect("json");
        assert_eq!(
            wire["payload"],
            serde_json::json!(STANDARD.encode(&env.payload))
        );
        let back = Envelope::parse(&text).expect("parse");
        assert_eq!(back, env);
        let kid = k.verify_key().key_id();
        back.verify_by(&kid, k.verify_key()).expect("verifies");
        let mut bad = back.clone();
        bad.payload = b"{\"a\":\"\xe4\xb8\xad\",\"b\":2}".to_vec();
        assert!(matches!(
            bad.verify_by(&kid, k.verify_key()),
            Err(EnvelopeError::Invalid { .. })
        ));
        assert!(matches!(
            back.verify_by("00", k.verify_key()),
            Err(EnvelopeError::NoSignatureBy { .. })
        ));
        let dup = r#"{"payloadType": "x", "payload": "e30=", "payload": "e30=", "signatures": []}"#;
        assert!(Envelope::parse(dup).is_err());
        let not_b64 = r#"{"payloadType": "x", "payload": "{}", "signatures": []}"#;
        let e = Envelope::parse_unsigned(not_b64).unwrap_err();
        assert!(e.to_string().contains("payload is not base64"), "{e}");
        let not_utf8 = format!(
            r#"{{"payloadType": "x", "payload": "{}", "signatures": []}}"#,
            STANDARD.encode(b"{\"a\":\"\xff\"}")
        );
        let e = Envelope::parse_unsigned(&not_utf8).unwrap_err();
        assert!(e.to_string().contains("not UTF-8 (byte 6"), "{e}");
    }
}
