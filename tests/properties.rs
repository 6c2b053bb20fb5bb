//! Property tests: canonical bytes, chain append/verify, aggregation.

use panelist::domain::aggregate::{Q, stats};
use panelist::domain::history::{self, Change, canonical_body, make_event, verify_chain};
use panelist::domain::text::{inert, is_dangerous, normalize_name, title_similarity};
use proptest::prelude::*;

fn change() -> impl Strategy<Value = Change> {
    let app = prop::sample::select(vec!["A-1", "A-2", "申报-3"]).prop_map(String::from);
    let crit = prop::sample::select(vec![
        "innovation",
        "advancement",
        "practicality",
        "replicability",
    ])
    .prop_map(String::from);
    prop_oneof![
        (app.clone(), crit, prop::option::of(0i64..=25)).prop_map(|(app, criterion, value)| {
            Change::Score {
                app,
                criterion,
                value,
            }
        }),
        (app.clone(), ".{0,40}").prop_map(|(app, text)| Change::Comment { app, text }),
        (app.clone(), prop::option::of(any::<bool>()))
            .prop_map(|(app, value)| Change::Recommend { app, value }),
        (app, "[^\\s].{0,20}").prop_map(|(app, reason)| Change::Recuse { app, reason }),
    ]
}

fn chain(changes: &[Change]) -> Vec<history::Event> {
    let digest = [7u8; 32];
    let mut prev = history::genesis(&digest, "E01");
    let mut out = Vec::new();
    for (i, c) in changes.iter().enumerate() {
        let t = format!("2024-03-01T09:{:02}:{:02}.000Z", i / 60 % 60, i % 60);
        let e = make_event(i as u64 + 1, &prev, &t, "E01", c.clone());
        prev = history::unhex32(&e.hash).expect("hex");
        out.push(e);
    }
    out
}

proptest! {
    #[test]
    fn canonical_body_is_stable_through_json(c in change()) {
        let body = canonical_body("2024-03-01T09:00:00.000Z", "E01", &c);
        let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
        let back: Change = serde_json::from_value({
            let mut v = v.clone();
            if let serde_json::Value::Object(m) = &mut v { m.remove("time"); m.remove("expert"); }
            v
        }).expect("change");
        prop_assert_eq!(&back, &c);
        prop_assert_eq!(canonical_body("2024-03-01T09:00:00.000Z", "E01", &back), body);
    }

    #[test]
    fn appended_chains_verify_and_any_edit_is_caught(
        changes in prop::collection::vec(change(), 1..40),
        pick in any::<prop::sample::Index>(),
        field in 0usize..4,
    ) {
        let events = chain(&changes);
        let head = verify_chain(&[7u8; 32], "E01", &events).expect("verifies");
        prop_assert_eq!(history::hex(&head), events.last().unwrap().hash.clone());
        let i = pick.index(events.len());
        let mut bad = events.clone();
        match field {
            0 => bad[i].time = "2099-01-01T00:00:00.000Z".into(),
            1 => bad[i].expert = "E99".into(),
            2 => bad[i].change = Change::Comment { app: "X".into(), text: "改写".into() },
            _ => bad[i].seq += 1,
        }
        let err = verify_chain(&[7u8; 32], "E01", &bad).expect_err("edit caught");
        prop_assert!(err.seq() as usize <= i + 2, "caught at {} for edit at {}", err.seq(), i + 1);
        // Another bundle digest or expert gives another genesis.
        prop_assert!(verify_chain(&[8u8; 32], "E01", &events).is_err());
        prop_assert!(verify_chain(&[7u8; 32], "E02", &events).is_err());
    }

    #[test]
    fn stats_agree_with_floating_point(values in prop::collection::vec(0i64..=100, 1..30)) {
        let s = stats(&values, 5).expect("non-empty");
        let n = values.len() as f64;
        let mean = values.iter().sum::<i64>() as f64 / n;
        let close = |a: &str, b: f64| (a.parse::<f64>().unwrap() - b).abs() <= 0.00005 + 1e-9;
        prop_assert!(close(&s.mean, mean), "{} vs {}", s.mean, mean);
        let mut v = values.clone();
        v.sort();
        let med = if v.len() % 2 == 1 { v[v.len()/2] as f64 } else { (v[v.len()/2-1] + v[v.len()/2]) as f64 / 2.0 };
        prop_assert!(close(&s.median, med));
        if v.len() >= 2 {
            let var = values.iter().map(|x| (*x as f64 - mean).powi(2)).sum::<f64>() / (n - 1.0);
            prop_assert!(close(&s.std, var.sqrt()), "{} vs {}", s.std, var.sqrt());
        }
        if v.len() >= 5 {
            let inner = &v[1..v.len()-1];
            prop_assert!(close(&s.trimmed, inner.iter().sum::<i64>() as f64 / inner.len() as f64));
        }
        prop_assert_eq!(s.min, v[0]);
        prop_assert_eq!(s.max, *v.last().unwrap());
    }

    #[test]
    fn rationals_order_like_their_values(a in -1000i128..1000, b in 1i128..50, c in -1000i128..1000, d in 1i128..50) {
        let (x, y) = (Q::new(a, b), Q::new(c, d));
        let fx = a as f64 / b as f64;
        let fy = c as f64 / d as f64;
        if (fx - fy).abs() > 1e-9 {
            prop_assert_eq!(x < y, fx < fy);
        } else {
            prop_assert!(x == y);
        }
    }

    #[test]
    fn inert_text_never_carries_controls(s in "\\PC{0,30}|[\\x00-\\x1f\\x7f-\\u{9f}\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}a-z]{0,30}") {
        let out = inert(&s, true);
        prop_assert!(!out.chars().any(|c| c != '\n' && (c.is_control() || is_dangerous(c))), "{:?}", out);
    }

    #[test]
    fn similarity_is_symmetric_and_bounded(a in "\\PC{0,20}", b in "\\PC{0,20}") {
        let s = title_similarity(&a, &b);
        prop_assert!(s <= 1000);
        prop_assert_eq!(s, title_similarity(&b, &a));
        prop_assert_eq!(title_similarity(&a, &a), 1000);
        prop_assert_eq!(normalize_name(&normalize_name(&a)), normalize_name(&a));
    }
}

proptest! {
    #[test]
    fn fast_canonical_bytes_equal_general_jcs(c in change(), t in "\\PC{0,5}|[\\x00-\\x1f\"\\\\]{0,5}", ex in "[A-Za-z0-9]{1,8}") {
        let fast = canonical_body(&t, &ex, &c);
        let reference = history::canonical_body_reference(&t, &ex, &c);
        prop_assert_eq!(String::from_utf8_lossy(&fast), String::from_utf8_lossy(&reference));
    }
}

fn jcs_safe_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        (-(1i64 << 53) + 1..(1i64 << 53)).prop_map(|i| serde_json::json!(i)),
        "\\PC{0,8}|[\\x00-\\x1f\"\\\\\u{2028}\u{e000}\u{1f600}]{0,4}"
            .prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(
                "[a-z]{0,3}|\\PC{1,3}|[\u{e000}\u{ff21}\u{1f600}\u{10000}]{1,2}",
                inner,
                0..6
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn fast_jcs_equals_general_jcs(v in jcs_safe_value()) {
        let mut fast = Vec::new();
        panelist::crypto::envelope::write_jcs_safe(&v, &mut fast);
        let general = serde_json_canonicalizer::to_vec(&v).expect("jcs");
        prop_assert_eq!(String::from_utf8_lossy(&fast), String::from_utf8_lossy(&general));
    }
}

// --- Signed envelopes ------------------------------------------------------

use panelist::crypto::Alg;
use panelist::crypto::envelope::{Envelope, MAX_SAFE_INTEGER, SCORES_TYPE, canonical, pae};
use panelist::crypto::sign::SecretKey;
use serde_json::Value;

/// JSON values a payload may hold: strings (any text, controls too),
/// booleans, null, integers within ±(2^53 − 1), nested arrays and objects.
fn json_value() -> impl Strategy<Value = Value> {
    let max = MAX_SAFE_INTEGER as i64;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-max..=max).prop_map(Value::from),
        "\\PC{0,12}|[\\x00-\\x1f\"\\\\\\u{7f}-\\u{9f}\\u{2028}\\u{202e}]{0,6}"
            .prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("\\PC{0,6}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn json_payload() -> impl Strategy<Value = Value> {
    prop::collection::btree_map("[a-z_]{1,8}|\\PC{1,4}", json_value(), 0..6)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

/// Two fixed keys, so the cases are repeatable.
fn key(sm2: bool) -> SecretKey {
    let alg = if sm2 { Alg::Sm2 } else { Alg::Ed25519 };
    SecretKey::from_bytes(alg, &[0x5a; 32], None).expect("fixed key")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Sign, write, read back: the same envelope, and it verifies.
    #[test]
    fn a_signed_envelope_round_trips_and_verifies(payload in json_payload(), sm2 in any::<bool>()) {
        let k = key(sm2);
        let kid = k.verify_key().key_id();
        let env = Envelope::sign(SCORES_TYPE, payload.clone(), &k).expect("sign");
        let back = Envelope::parse(&env.to_text()).expect("parse");
        prop_assert_eq!(&back, &env);
        prop_assert!(back.verify_by(&kid, k.verify_key()).is_ok());
        // The signed bytes are PAE over the canonical payload.
        let body = canonical(&payload).expect("canonical");
        prop_assert_eq!(&back.payload, &body);
        prop_assert_eq!(back.signed_bytes(), pae(SCORES_TYPE, &body));
    }

    /// The typed JCS writer (crypto::jcs, what export and merge sign)
    /// writes exactly the bytes of the tree writer on any JCS-safe payload.
    #[test]
    fn the_typed_jcs_writer_agrees_with_the_tree_writer(payload in json_payload()) {
        prop_assert_eq!(
            panelist::crypto::jcs::to_vec(&payload).expect("typed"),
            canonical(&payload).expect("tree")
        );
    }

    /// Flipping any bit of the signed payload bytes, of the payload type or
    /// of the signature makes verification fail.
    #[test]
    fn any_flip_of_payload_type_or_signature_fails(
        payload in json_payload(),
        sm2 in any::<bool>(),
        at in any::<prop::sample::Index>(),
        bit in 0u8..8,
        target in 0usize..3,
    ) {
        let k = key(sm2);
        let body = canonical(&payload).expect("canonical");
        let msg = pae(SCORES_TYPE, &body);
        let sig = k.sign(&msg).expect("sign");
        prop_assert!(k.verify_key().verify(&msg, &sig).is_ok());
        let (mut body2, mut ty, mut sig2) = (body.clone(), SCORES_TYPE.as_bytes().to_vec(), sig.clone());
        let flip = |v: &mut Vec<u8>| { let i = at.index(v.len()); v[i] ^= 1 << bit; };
        match target {
            0 => flip(&mut body2),
            1 => flip(&mut ty),
            _ => flip(&mut sig2),
        }
        // PAE over raw bytes: the payload type's bytes go in as they are.
        let mut m2 = b"DSSEv1 ".to_vec();
        m2.extend_from_slice(format!("{} ", ty.len()).as_bytes());
        m2.extend_from_slice(&ty);
        m2.extend_from_slice(format!(" {} ", body2.len()).as_bytes());
        m2.extend_from_slice(&body2);
        prop_assert!(k.verify_key().verify(&m2, &sig2).is_err());
    }

    /// Flipping any bit of the written file: it no longer parses, or no
    /// longer verifies, or it still reads as exactly the signed envelope
    /// (white space turned into other white space).
    #[test]
    fn a_flipped_file_is_refused_or_unchanged(
        payload in json_payload(),
        sm2 in any::<bool>(),
        at in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let k = key(sm2);
        let kid = k.verify_key().key_id();
        let env = Envelope::sign(SCORES_TYPE, payload, &k).expect("sign");
        let mut bytes = env.to_text().into_bytes();
        let i = at.index(bytes.len());
        bytes[i] ^= 1 << bit;
        let accepted = std::str::from_utf8(&bytes)
            .ok()
            .and_then(|t| Envelope::parse(t).ok())
            .filter(|e| e.verify_by(&kid, k.verify_key()).is_ok());
        if let Some(e) = accepted {
            prop_assert_eq!(e, env, "a flip at byte {} was accepted as other content", i);
        }
    }

    /// PAE keeps type and body apart: the lengths are written in decimal
    /// and the parts can be read back from the bytes.
    #[test]
    fn pae_frames_type_and_body(ty in "\\PC{0,20}", body in prop::collection::vec(any::<u8>(), 0..64)) {
        let m = pae(&ty, &body);
        let rest = m.strip_prefix(b"DSSEv1 ").expect("tag");
        let sp = rest.iter().position(|&b| b == b' ').expect("space");
        let n: usize = std::str::from_utf8(&rest[..sp]).expect("ascii").parse().expect("len");
        prop_assert_eq!(n, ty.len());
        prop_assert_eq!(&rest[sp + 1..sp + 1 + n], ty.as_bytes());
        let rest = &rest[sp + 2 + n..];
        let sp = rest.iter().position(|&b| b == b' ').expect("space");
        let n: usize = std::str::from_utf8(&rest[..sp]).expect("ascii").parse().expect("len");
        prop_assert_eq!(n, body.len());
        prop_assert_eq!(&rest[sp + 1..], &body[..]);
    }
}
