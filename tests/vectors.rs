//! Published test vectors for every primitive the signed files rest on:
//! Ed25519 (RFC 8032 §7.1), SM2 with SM3 (GM/T 0003.5-2012 appendix A),
//! SM3 (GB/T 32905 / GM/T 0004 example 1 and 2), and RFC 8785 (the
//! reference implementation's testdata).

use panelist::crypto::sign::{SecretKey, SigError, VerifyKey};
use panelist::crypto::{Alg, unhex};

fn h(s: &str) -> Vec<u8> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    unhex(&clean).expect("test vector is hex")
}

/// RFC 8032 §7.1 TEST 1, 2 and 3: secret key, public key, message, signature.
const RFC8032: [(&str, &str, &str, &str); 3] = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155\
         5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da\
         085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac\
         18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
];

#[test]
fn ed25519_rfc8032_section_7_1_tests_1_to_3() {
    for (i, (sk, pk, msg, sig)) in RFC8032.iter().enumerate() {
        let (sk, pk, msg, sig) = (h(sk), h(pk), h(msg), h(sig));
        let key = SecretKey::from_bytes(Alg::Ed25519, &sk, None).expect("secret key");
        assert_eq!(
            key.verify_key().public_key(),
            pk.as_slice(),
            "TEST {}",
            i + 1
        );
        assert_eq!(key.sign(&msg).expect("sign"), sig, "TEST {}", i + 1);
        let vk = VerifyKey::new(Alg::Ed25519, &pk, None).expect("public key");
        vk.verify(&msg, &sig).expect("published signature verifies");
        let mut other = msg.clone();
        other.push(0);
        assert_eq!(vk.verify(&other, &sig), Err(SigError::Invalid));
        let mut bent = sig.clone();
        bent[0] ^= 1;
        assert_eq!(vk.verify(&msg, &bent), Err(SigError::Invalid));
    }
}

/// GM/T 0003.5-2012 appendix A, the digital signature example on the
/// recommended curve: ID "1234567812345678", message "message digest".
const SM2_D: &str = "3945208F 7B2144B1 3F36E38A C6D39F95 88939369 2860B51A 42FB81EF 4DF7C5B8";
const SM2_XA: &str = "09F9DF31 1E5421A1 50DD7D16 1E4BC5C6 72179FAD 1833FC07 6BB08FF3 56F35020";
const SM2_YA: &str = "CCEA490C E26775A5 2DC6EA71 8CC1AA60 0AED05FB F35E084A 6632F607 2DA9AD13";
const SM2_R: &str = "F5A03B06 48D2C463 0EEAC513 E1BB81A1 5944DA38 27D5B741 43AC7EAC EEE720B3";
const SM2_S: &str = "B1B6AA29 DF212FD8 763182BC 0D421CA1 BB9038FD 1F7F42D4 840B69C4 85BBC1AA";

fn sm2_public() -> Vec<u8> {
    let mut pk = vec![4u8];
    pk.extend(h(SM2_XA));
    pk.extend(h(SM2_YA));
    pk
}

#[test]
fn sm2_gmt_0003_5_example_verifies() {
    let pk = sm2_public();
    let mut sig = h(SM2_R);
    sig.extend(h(SM2_S));
    let vk = VerifyKey::new(Alg::Sm2, &pk, Some("1234567812345678")).expect("public key");
    vk.verify(b"message digest", &sig)
        .expect("the published signature verifies");
    // The default ID is the standard's.
    let default = VerifyKey::new(Alg::Sm2, &pk, None).expect("public key");
    default.verify(b"message digest", &sig).expect("default ID");
    assert_eq!(vk.verify(b"message digesT", &sig), Err(SigError::Invalid));
    let other_id = VerifyKey::new(Alg::Sm2, &pk, Some("ALICE123@YAHOO.COM")).expect("key");
    assert_eq!(
        other_id.verify(b"message digest", &sig),
        Err(SigError::Invalid)
    );
    let mut bent = sig.clone();
    bent[63] ^= 1;
    assert_eq!(vk.verify(b"message digest", &bent), Err(SigError::Invalid));
}

#[test]
fn sm2_published_private_key_gives_the_published_public_key_and_signs() {
    let key = SecretKey::from_bytes(Alg::Sm2, &h(SM2_D), None).expect("secret key");
    assert_eq!(key.verify_key().public_key(), sm2_public().as_slice());
    let sig = key.sign(b"message digest").expect("sign");
    VerifyKey::new(Alg::Sm2, &sm2_public(), None)
        .expect("key")
        .verify(b"message digest", &sig)
        .expect("our signature verifies under the published key");
}

#[test]
fn sm3_published_examples() {
    use sm3::Digest;
    assert_eq!(
        panelist::domain::history::hex(&sm3::Sm3::digest(b"abc")),
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    );
    assert_eq!(
        panelist::domain::history::hex(&sm3::Sm3::digest("abcd".repeat(16).as_bytes())),
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    );
}

#[test]
fn jcs_rfc8785_reference_testdata() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/jcs");
    let mut n = 0;
    let mut names: Vec<_> = std::fs::read_dir(dir.join("input"))
        .expect("testdata")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    for input in names {
        let stem = input
            .file_stem()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let value: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&input).expect("input")).expect("json");
        let want = std::fs::read(dir.join("output").join(format!("{stem}.json"))).expect("output");
        let hex: Vec<u8> = std::fs::read_to_string(dir.join("outhex").join(format!("{stem}.txt")))
            .expect("outhex")
            .split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).expect("hex byte"))
            .collect();
        let got = serde_json_canonicalizer::to_vec(&value).expect("canonical");
        assert_eq!(got, want, "{stem}");
        assert_eq!(got, hex, "{stem} (hex)");
        n += 1;
    }
    assert_eq!(n, 6, "all six reference files");
}
