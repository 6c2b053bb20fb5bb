//! `panelist export` and `panelist verify`: the signed file an expert
//! hands in, and every way a changed file is caught.

mod common;

use std::path::{Path, PathBuf};

use common::panel::{Panel, read_env, resign, tamper_raw, tamper_text};
use panelist::crypto::envelope::{MERGED_TYPE, SCORES_TYPE};
use panelist::formats::scores::ScoresPayload;
use serde_json::{Value, json};

fn finished(alg: &str) -> (Panel, PathBuf, PathBuf) {
    let p = Panel::new(alg, 3);
    p.finish();
    let out = p.export("E01.json");
    let roster = p.roster();
    (p, out, roster)
}

fn bad_line(r: &common::cli::Run, file: &Path, fragment: &str) {
    assert_eq!(
        r.code, 1,
        "exit 1 expected; stdout {} stderr {}",
        r.stdout, r.stderr
    );
    let line = format!("BAD {}  ", file.display());
    assert!(
        r.stdout.starts_with(&line) && r.stdout.contains(fragment),
        "expected {line:?} with {fragment:?}, got {:?}",
        r.stdout
    );
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
}

#[test]
fn export_refuses_open_applications_and_lists_them() {
    let p = Panel::new("ed25519", 3);
    p.score_complete(0, 20);
    let r = p.run(&["score", p.bundle_str(), &p.apps[1], "--innovation", "5"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = p.s.path("E01.json");
    let out_s = out.to_str().expect("path");
    let r = p.run(&["export", p.bundle_str(), "-o", out_s]);
    r.assert_error(&[
        "2 application(s) neither complete nor recused",
        "T-00002 (draft)",
        "T-00003 (to do)",
        "--allow-incomplete",
    ]);
    assert!(!out.exists(), "no file on refusal");

    let r = p.run(&["export", p.bundle_str(), "-o", out_s, "--allow-incomplete"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("1 scored, 0 recused, 2 to do (partial)"),
        "{}",
        r.stdout
    );
    let env = read_env(&out);
    assert_eq!(
        env.payload_value().expect("payload")["partial"],
        json!(true)
    );
    let roster = p.roster();
    let v = p.verify(&[&out], &roster, Some(&p.bundle));
    assert_eq!(v.code, 0, "{} {}", v.stdout, v.stderr);
    assert_eq!(
        v.stdout,
        format!(
            "OK  {}  expert E01 (测试专家)  1 scored, 0 recused, 2 to do (partial)  SHA-256 {}\n",
            out.display(),
            panelist::verify::set::sha256_hex(&std::fs::read(&out).expect("export"))
        )
    );
}

#[test]
fn export_needs_a_claimed_copy_of_the_same_expert() {
    let p = Panel::new("ed25519", 1);
    let out = p.s.path("x.json");
    let r = p.run(&["export", p.bundle_str(), "-o", out.to_str().expect("p")]);
    r.assert_error(&["no expert has claimed this working copy"]);
}

#[test]
fn ed25519_and_sm2_exports_verify_and_carry_the_documented_fields() {
    for alg in ["ed25519", "sm2"] {
        let (p, out, roster) = finished(alg);
        let r = p.verify(&[&out], &roster, Some(&p.bundle));
        assert_eq!(r.code, 0, "{alg}: {} {}", r.stdout, r.stderr);
        // The whole SHA-256 of the file's bytes: what `sha256sum` prints
        // and every printed page of the file shows.
        assert_eq!(
            r.stdout,
            format!(
                "OK  {}  expert E01 (测试专家)  2 scored, 1 recused, 0 to do  SHA-256 {}\n",
                out.display(),
                panelist::verify::set::sha256_hex(&std::fs::read(&out).expect("export"))
            )
        );
        let text = std::fs::read_to_string(&out).expect("file");
        let env = read_env(&out);
        assert_eq!(env.payload_type, SCORES_TYPE);
        assert_eq!(env.signatures.len(), 1);
        assert_eq!(
            Some(env.signatures[0].keyid.clone()),
            p.roster_entry().key_id
        );
        let raw: Value = serde_json::from_str(&text).expect("json");
        let mut keys: Vec<&String> = raw.as_object().expect("object").keys().collect();
        keys.sort();
        assert_eq!(keys, ["payload", "payloadType", "signatures"]);
        // The file lists them in the documented order.
        let at = |k: &str| text.find(&format!("\"{k}\"")).expect("key present");
        assert!(at("payloadType") < at("payload") && at("payload") < at("signatures"));
        // The payload is the base64 of its JCS bytes.
        let pv = env.payload_value().expect("payload");
        assert_eq!(
            env.payload,
            panelist::crypto::envelope::canonical(&pv).expect("jcs")
        );
        let payload: ScoresPayload = serde_json::from_value(pv.clone()).expect("typed");
        assert_eq!(payload.format, "panelist.scores.v3");
        assert_eq!(payload.expert.id, "E01");
        assert!(!payload.partial);
        assert_eq!(payload.rubric.criteria.len(), 4);
        assert_eq!(payload.head.size, payload.history.len() as u64);
        assert_eq!(payload.history.len(), 13, "2 × 6 events and a recusal");
        let a0 = &payload.applications[0];
        assert_eq!(a0.status, "complete");
        assert_eq!(a0.total, Some(15 + 16 + 17 + 14));
        assert_eq!(a0.recommend, Some(true));
        let a2 = &payload.applications[2];
        assert_eq!(a2.status, "recused");
        assert_eq!(
            a2.recuse_reason.as_deref(),
            Some("本人曾为该申报单位提供咨询服务")
        );
        // Events are their bodies: seq, prev and hash are computed.
        let ev = &pv["history"][0];
        for k in ["time", "expert", "type", "app"] {
            assert!(ev.get(k).is_some(), "event field {k}");
        }
        for k in ["seq", "prev", "hash"] {
            assert!(ev.get(k).is_none(), "event field {k} is not written");
        }
        // Every file passes the JSON Schema's required fields (spot check).
        let schema: Value = serde_json::from_str(
            &std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/schema/export.schema.json"),
            )
            .expect("schema"),
        )
        .expect("schema json");
        for k in schema["$defs"]["payload"]["required"]
            .as_array()
            .expect("required")
        {
            assert!(
                pv.get(k.as_str().expect("str")).is_some(),
                "payload lacks {k}"
            );
        }
    }
}

#[test]
fn several_files_one_line_each_and_exit_one_if_any_is_bad() {
    let (p, out, roster) = finished("ed25519");
    let copy = p.s.path("copy.json");
    let text = std::fs::read_to_string(&out).expect("file");
    std::fs::write(
        &copy,
        tamper_raw(&text, "\"comment\":\"平台", "\"comment\":\"平囗"),
    )
    .expect("w");
    let r = p.verify(&[&out, &copy], &roster, None);
    assert_eq!(r.code, 1);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with("OK  "));
    assert!(lines[1].starts_with(&format!("BAD {}", copy.display())));
    assert!(lines[1].contains("does not verify"), "{}", lines[1]);
}

#[test]
fn a_flipped_byte_in_the_payload_or_signature_is_caught() {
    for alg in ["ed25519", "sm2"] {
        let (p, out, roster) = finished(alg);
        let text = std::fs::read_to_string(&out).expect("file");
        let t = p.s.path("t.json");
        // A score in the results.
        let edited = tamper_raw(&text, "\"innovation\":15", "\"innovation\":16");
        assert_ne!(edited, text);
        std::fs::write(&t, &edited).expect("w");
        bad_line(&p.verify(&[&t], &roster, None), &t, "does not verify");
        // One byte of the signature.
        let env = read_env(&out);
        let sig = &env.signatures[0].sig;
        let mut bytes = sig.clone().into_bytes();
        bytes[10] = if bytes[10] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(bytes).expect("ascii");
        std::fs::write(&t, text.replace(sig.as_str(), &flipped)).expect("w");
        bad_line(&p.verify(&[&t], &roster, None), &t, "does not verify");
        // A byte of a history event's time.
        let edited = tamper_raw(&text, "2024-03-01T09:00:0", "2024-03-01T09:00:1");
        std::fs::write(&t, &edited).expect("w");
        bad_line(&p.verify(&[&t], &roster, None), &t, "does not verify");
    }
}

#[test]
fn a_rewritten_history_is_caught_even_when_signed_again() {
    let (p, out, roster) = finished("ed25519");
    let key = p.secret();
    let t = p.s.path("t.json");

    // Drop an event.
    resign(&out, &t, &key, |v| {
        v["history"].as_array_mut().expect("array").remove(3);
    });
    bad_line(
        &p.verify(&[&t], &roster, None),
        &t,
        "the history gives size 12 hash",
    );

    // Reorder two events.
    resign(&out, &t, &key, |v| {
        v["history"].as_array_mut().expect("array").swap(1, 2);
    });
    bad_line(
        &p.verify(&[&t], &roster, None),
        &t,
        "the history gives size 13 hash",
    );

    // Alter an event's content (a score); the head still names the old chain.
    resign(&out, &t, &key, |v| {
        v["history"][0]["value"] = json!(25);
    });
    bad_line(
        &p.verify(&[&t], &roster, None),
        &t,
        "the history gives size 13 hash",
    );

    // Edit a score in the results without an event.
    resign(&out, &t, &key, |v| {
        v["applications"][0]["scores"]["innovation"] = json!(25);
        v["applications"][0]["total"] = json!(25 + 16 + 17 + 14);
    });
    bad_line(
        &p.verify(&[&t], &roster, None),
        &t,
        "application T-00001: exported innovation = 25, the history gives 15",
    );

    // Hide a recusal.
    resign(&out, &t, &key, |v| {
        v["applications"][2]["status"] = json!("todo");
        v["applications"][2]["recuse_reason"] = Value::Null;
    });
    bad_line(
        &p.verify(&[&t], &roster, None),
        &t,
        "application T-00003: exported status todo, the history gives recused",
    );

    // A head that is not the history's.
    resign(&out, &t, &key, |v| {
        v["head"]["size"] = json!(12);
    });
    bad_line(&p.verify(&[&t], &roster, None), &t, "log head says size 12");

    // Claim completeness falsely / partial flag lie.
    resign(&out, &t, &key, |v| {
        v["partial"] = json!(true);
    });
    bad_line(
        &p.verify(&[&t], &roster, None),
        &t,
        "payload says partial = true",
    );

    // A rubric that would accept other scores.
    resign(&out, &t, &key, |v| {
        v["rubric"]["criteria"][0]["step"] = json!(0);
    });
    bad_line(&p.verify(&[&t], &roster, None), &t, "payload rubric:");

    // A float is not JCS-safe.
    resign(&out, &t, &key, |v| {
        v["head"]["size"] = json!(1);
    });
    let text = tamper_raw(
        &std::fs::read_to_string(&t).expect("t"),
        "\"size\":1",
        "\"size\":1.0",
    );
    std::fs::write(&t, text).expect("w");
    bad_line(&p.verify(&[&t], &roster, None), &t, "not JCS-safe");
}

#[test]
fn a_swapped_bundle_is_caught() {
    let (p, out, roster) = finished("ed25519");
    let other = p.s.path("other.bundle");
    panelist::store::Bundle::create(
        &other,
        &common::bundle::content(4),
        "别的评审组",
        &common::bundle::clock(),
        false,
    )
    .expect("bundle");
    bad_line(
        &p.verify(&[&out], &roster, Some(&other)),
        &out,
        &format!("is not the digest of {}", other.display()),
    );
    // Same content, rebuilt: the digest agrees but the bundle id does not.
    let twin = p.s.path("twin.bundle");
    panelist::store::Bundle::create(
        &twin,
        &common::bundle::content(3),
        "测试评审组",
        &common::bundle::clock(),
        false,
    )
    .expect("bundle");
    bad_line(&p.verify(&[&out], &roster, Some(&twin)), &out, "bundle id");
    // And the history's genesis binds the digest: swapping it in the file
    // (signed again) gives another chain, which the head does not name.
    let key = p.secret();
    let t = p.s.path("t.json");
    let other_digest = panelist::store::Bundle::open_read(&other)
        .expect("open")
        .meta
        .digest;
    resign(&out, &t, &key, |v| {
        v["bundle"]["digest"] = json!(other_digest);
    });
    bad_line(
        &p.verify(&[&t], &roster, None),
        &t,
        "the history gives size 13 hash",
    );
}

#[test]
fn a_key_not_in_the_roster_is_caught() {
    let (p, out, roster) = finished("ed25519");
    // The same expert id with another key: a roster made from another home.
    let q = Panel::new("sm2", 1);
    let other_roster = q.roster();
    bad_line(
        &p.verify(&[&out], &other_roster, None),
        &out,
        "which is not expert E01's key in the roster",
    );
    // A file whose keyid names the roster's key but is signed by another key.
    let env = read_env(&out);
    let forged = panelist::crypto::envelope::Envelope::sign_bytes(
        SCORES_TYPE,
        env.payload.clone(),
        &q.secret(),
    )
    .expect("sign");
    let mut forged = forged;
    forged.signatures[0].keyid = env.signatures[0].keyid.clone();
    let t = p.s.path("t.json");
    std::fs::write(&t, forged.to_text()).expect("w");
    bad_line(&p.verify(&[&t], &roster, None), &t, "does not verify");
    // An expert the roster does not list.
    let mut e = p.roster_entry();
    e.id = "E07".into();
    let r7 = p.write_roster("r7.json", &[e]);
    bad_line(
        &p.verify(&[&out], &r7, None),
        &out,
        "expert E01 is not in the roster",
    );
    // A roster entry without a key.
    let mut e = p.roster_entry();
    e.alg = None;
    e.public_key = None;
    e.key_id = None;
    let r0 = p.write_roster("r0.json", &[e]);
    bad_line(
        &p.verify(&[&out], &r0, None),
        &out,
        "no public key for expert E01",
    );
}

#[test]
fn strict_json_and_envelope_shape() {
    let (p, out, roster) = finished("ed25519");
    let text = std::fs::read_to_string(&out).expect("file");
    let t = p.s.path("t.json");
    std::fs::write(
        &t,
        tamper_raw(
            &text,
            "\"partial\":false,",
            "\"partial\":false,\"partial\":false,",
        ),
    )
    .expect("w");
    bad_line(
        &p.verify(&[&t], &roster, None),
        &t,
        "duplicate key \"partial\"",
    );
    std::fs::write(&t, text.replacen("{", "{\"extra\": 1, ", 1)).expect("w");
    bad_line(&p.verify(&[&t], &roster, None), &t, "unknown field `extra`");
    std::fs::write(&t, text.replacen(SCORES_TYPE, "application/json", 1)).expect("w");
    bad_line(
        &p.verify(&[&t], &roster, None),
        &t,
        "unknown payloadType 'application/json'",
    );
    std::fs::write(&t, &text[..text.len() / 2]).expect("w");
    bad_line(
        &p.verify(&[&t], &roster, None),
        &t,
        "not a signed panelist file",
    );
}

#[test]
fn merged_payloads_need_a_chair_and_a_well_formed_payload() {
    let (p, _out, roster) = finished("ed25519");
    let key = p.secret();
    let env =
        panelist::crypto::envelope::Envelope::sign(MERGED_TYPE, json!({"format": "draft"}), &key)
            .expect("sign");
    let t = p.s.path("merged.json");
    std::fs::write(&t, env.to_text()).expect("w");
    // E01 is an expert, not the chair.
    bad_line(
        &p.verify(&[&t], &roster, None),
        &t,
        "does not give E01 the role \"chair\"",
    );
    let mut chair = p.roster_entry();
    chair.role = Some("chair".into());
    let chair_roster = p.write_roster("chair-roster.json", &[chair]);
    bad_line(&p.verify(&[&t], &chair_roster, None), &t, "payload: ");
    let bad = tamper_text(&env.to_text(), |v| v["format"] = json!("other"));
    std::fs::write(&t, bad).expect("w");
    bad_line(&p.verify(&[&t], &chair_roster, None), &t, "does not verify");
}

#[test]
fn verify_errors_exit_two() {
    let (p, out, roster) = finished("ed25519");
    let missing = p.s.path("no-roster.json");
    let r = p.verify(&[&out], &missing, None);
    r.assert_error(&["no-roster.json", "no such file"]);
    // A roster whose key_id does not match its key.
    let mut e = p.roster_entry();
    e.key_id = Some("00".repeat(32));
    let r1 = p.write_roster("r1.json", &[e]);
    p.verify(&[&out], &r1, None)
        .assert_error(&["key_id is not the SHA-256 of its public_key"]);
    // An unreadable file among good ones: exit 2, the others still judged.
    let gone = p.s.path("gone.json");
    let r = p.verify(&[&out, &gone], &roster, None);
    assert_eq!(r.code, 2);
    assert!(r.stdout.starts_with("OK  "), "{}", r.stdout);
    assert!(r.stderr.contains("gone.json: cannot read"), "{}", r.stderr);
}

#[test]
fn the_roster_may_be_a_bundle_carrying_public_keys() {
    let (p, out, _roster) = finished("sm2");
    let mut c = common::bundle::content(3);
    c.roster = vec![p.roster_entry()];
    let chair = p.s.path("chair.bundle");
    panelist::store::Bundle::create(&chair, &c, "测试评审组", &common::bundle::clock(), false)
        .expect("bundle");
    let r = p.verify(&[&out], &chair, None);
    assert_eq!(r.code, 0, "{} {}", r.stdout, r.stderr);
}

/// The independent Python verifier (scripts/verify_export.py) on files the
/// binary made: both algorithms pass, a one-byte change fails, and a
/// rewritten-and-resigned result fails its replay.
#[test]
fn the_independent_python_verifier_agrees() {
    let probe = std::process::Command::new("python3")
        .args(["-c", "import rfc8785, cryptography, gmssl, jsonschema"])
        .output();
    match probe {
        Ok(o) if o.status.success() => {}
        Ok(o) => panic!(
            "the Python packages of the independent verifier are missing: run pip install -r scripts/requirements-verify.txt ({})",
            String::from_utf8_lossy(&o.stderr).trim()
        ),
        Err(e) => panic!(
            "python3 is needed for the independent verifier ({e}); install it, then run pip install -r scripts/requirements-verify.txt"
        ),
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/verify_export.py");
    let py = |files: &[&Path], roster: &Path| {
        let out = std::process::Command::new("python3")
            .arg(&script)
            .args(files)
            .arg("--roster")
            .arg(roster)
            .output()
            .expect("python3");
        common::cli::Run::from(out)
    };
    for alg in ["ed25519", "sm2"] {
        let (p, out, roster) = finished(alg);
        let r = py(&[&out], &roster);
        assert_eq!(r.code, 0, "{alg}: {} {}", r.stdout, r.stderr);
        assert_eq!(
            r.stdout,
            format!(
                "OK  {}  expert E01 (测试专家)  2 scored, 1 recused, 0 to do\n",
                out.display()
            )
        );
        // The file also validates against the published JSON Schema.
        let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/schema/export.schema.json");
        let v = std::process::Command::new("python3")
            .args([
                "-c",
                "import base64, json, sys, jsonschema\n\
                 s = json.load(open(sys.argv[1]))\n\
                 jsonschema.Draft202012Validator.check_schema(s)\n\
                 jsonschema.Draft202012Validator(s).validate(env := json.load(open(sys.argv[2])))\n\
                 p = dict(s['$defs']['payload'], **{'$defs': s['$defs']})\n\
                 jsonschema.Draft202012Validator(p).validate(json.loads(base64.b64decode(env['payload'])))",
            ])
            .arg(&schema)
            .arg(&out)
            .output()
            .expect("python3");
        assert!(
            v.status.success(),
            "{alg}: schema: {}",
            String::from_utf8_lossy(&v.stderr)
        );
        let text = std::fs::read_to_string(&out).expect("file");
        let t = p.s.path("t.json");
        std::fs::write(
            &t,
            tamper_raw(&text, "\"innovation\":15", "\"innovation\":16"),
        )
        .expect("w");
        let r = py(&[&t], &roster);
        assert_eq!(r.code, 1, "{alg}: {}", r.stdout);
        assert!(
            r.stdout.contains("signature does not verify"),
            "{}",
            r.stdout
        );
        let key = p.secret();
        resign(&out, &t, &key, |v| {
            v["history"][0]["value"] = json!(25);
        });
        let r = py(&[&t], &roster);
        assert!(
            r.stdout.contains("log head does not match the history"),
            "{alg}: {}",
            r.stdout
        );
        resign(&out, &t, &key, |v| {
            v["applications"][0]["scores"]["innovation"] = json!(25);
        });
        let r = py(&[&t], &roster);
        assert!(
            r.stdout
                .contains("application T-00001: exported result differs"),
            "{alg}: {}",
            r.stdout
        );
    }
}

/// `panelist show` prints the decoded payload for people: pretty JSON that
/// is exactly the signed payload, and a clear one-line error on a file that
/// is not a signed file.
#[test]
fn show_prints_the_decoded_payload() {
    let (p, out, _) = finished("ed25519");
    let r = p.run(&["show", out.to_str().expect("path")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("\n  \"format\": \"panelist.scores.v3\",\n"),
        "{}",
        r.stdout
    );
    let shown: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(shown, read_env(&out).payload_value().expect("payload"));
    let t = p.s.path("t.json");
    std::fs::write(&t, "[]").expect("w");
    let r = p.run(&["show", t.to_str().expect("path")]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr
            .contains("not a signed panelist file: the file is not a JSON object"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
}

/// The file is standard DSSE: securesystemslib's DSSE envelope, given only
/// the roster's Ed25519 key, verifies an export panelist wrote, and refuses
/// it once a byte of the payload changed. Skipped (with a note) where the
/// module is not installed; CI installs it (scripts/requirements-verify.txt).
#[test]
fn an_ed25519_export_verifies_with_securesystemslib() {
    let probe = std::process::Command::new("python3")
        .args([
            "-c",
            "import securesystemslib.dsse, securesystemslib.signer",
        ])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!(
            "skipped: python3 with securesystemslib is not installed (pip install -r scripts/requirements-verify.txt)"
        );
        return;
    }
    let (p, out, roster) = finished("ed25519");
    let entry: Value =
        serde_json::from_str::<Vec<Value>>(&std::fs::read_to_string(&roster).expect("roster"))
            .expect("roster json")
            .remove(0);
    let script = "import json, sys\n\
         from securesystemslib.dsse import Envelope\n\
         from securesystemslib.signer import SSlibKey\n\
         e = json.load(open(sys.argv[2]))\n\
         key = SSlibKey(e['key_id'], 'ed25519', 'ed25519', {'public': e['public_key']})\n\
         env = Envelope.from_dict(json.load(open(sys.argv[1])))\n\
         env.verify([key], 1)\n\
         print(env.payload_type, len(env.pae()), json.loads(env.payload)['expert']['id'])";
    let entry_file = p.s.path("entry.json");
    std::fs::write(&entry_file, entry.to_string()).expect("w");
    let run = |file: &Path| {
        std::process::Command::new("python3")
            .args(["-c", script])
            .arg(file)
            .arg(&entry_file)
            .output()
            .expect("python3")
    };
    let ok = run(&out);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let said = String::from_utf8_lossy(&ok.stdout);
    assert!(
        said.starts_with(&format!("{SCORES_TYPE} ")) && said.trim_end().ends_with(" E01"),
        "{said}"
    );
    let text = std::fs::read_to_string(&out).expect("file");
    let t = p.s.path("t.json");
    std::fs::write(
        &t,
        tamper_raw(&text, "\"innovation\":15", "\"innovation\":16"),
    )
    .expect("w");
    let bad = run(&t);
    assert!(!bad.status.success(), "a changed payload must not verify");
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("Verification"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

/// `export::export_bundle`, the function the terminal interface's export
/// dialog calls, writes the same verifiable file and says what it wrote.
#[test]
fn the_library_export_returns_a_summary() {
    let p = Panel::new("ed25519", 3);
    p.finish();
    let text = std::fs::read_to_string(p.key_path()).expect("key");
    let file = panelist::crypto::keys::KeyFile::parse(&text).expect("parse");
    let key = panelist::keyring::Unlocked {
        path: p.key_path(),
        key: file
            .unseal(&panelist::crypto::keys::Passphrase::new(
                common::panel::PASS.into(),
            ))
            .expect("unseal"),
        file,
    };
    let out = p.s.path("lib.json");
    let s = panelist::export::export_bundle(&p.bundle, &key, &out, false, &common::bundle::clock())
        .expect("export");
    assert_eq!(s.path, out);
    assert_eq!(
        (s.expert.as_str(), s.expert_name.as_str()),
        ("E01", "测试专家")
    );
    assert_eq!(s.key_id, key.key_id());
    assert_eq!(
        (s.counts.complete, s.counts.recused, s.counts.open()),
        (2, 1, 0)
    );
    assert_eq!(s.events, 13);
    assert!(!s.partial);
    let r = p.verify(&[&out], &p.roster(), Some(&p.bundle));
    assert_eq!(r.code, 0, "{}", r.stdout);
}
