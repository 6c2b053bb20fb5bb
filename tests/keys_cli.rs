//! `panelist key`, and scoring and recusing from the command line, signed
//! in with the key: the real binary in a temporary PANELIST_HOME.

mod common;

use base64::Engine as _;
use common::panel::{GOOD_COMMENT, PASS, Panel};
use panelist::crypto::keys::{KdfCost, KeyFile, Owner, Passphrase};
use panelist::crypto::sign::SecretKey;
use panelist::crypto::{Alg, key_id, unhex};
use panelist::domain::history::hex;
use panelist::store::Bundle;

#[cfg(unix)]
fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

#[test]
fn key_new_writes_a_private_file_and_show_prints_the_roster_entry() {
    for alg in ["ed25519", "sm2"] {
        let p = Panel::new(alg, 1);
        #[cfg(unix)]
        {
            assert_eq!(mode(&p.key_path()), 0o600, "{alg} key file mode");
            assert_eq!(mode(p.key_path().parent().expect("dir")), 0o700);
        }
        let e = p.roster_entry();
        assert_eq!(
            (e.id.as_str(), e.name.as_str(), e.org.as_str()),
            ("E01", "测试专家", "测试研究院")
        );
        assert_eq!(e.alg.as_deref(), Some(alg));
        let pk = unhex(e.public_key.as_deref().expect("public key")).expect("hex");
        assert_eq!(pk.len(), if alg == "sm2" { 65 } else { 32 });
        assert_eq!(e.key_id.as_deref(), Some(key_id(&pk).as_str()));
        assert_eq!(
            e.sm2_id.as_deref(),
            (alg == "sm2").then_some("1234567812345678")
        );
        // The human view names the file and the sealing.
        let show = p.run(&["key", "show"]);
        assert!(
            show.stdout.contains("argon2id m=256 KiB t=1 p=1"),
            "{}",
            show.stdout
        );
        // A second key for the same expert is refused unless forced.
        let again = p.run(&["key", "new", "--id", "E01", "--name", "x", "--org", "y"]);
        again.assert_error(&["E01.key", "already exists", "--force"]);
    }
}

#[test]
fn the_key_file_records_its_kdf_cost_and_opens_with_it() {
    let p = Panel::new("ed25519", 1);
    let f = KeyFile::parse(&std::fs::read_to_string(p.key_path()).expect("key")).expect("parse");
    assert_eq!(
        f.cost(),
        KdfCost {
            m_kib: 256,
            t: 1,
            p: 1
        }
    );
    assert_eq!(f.kdf.alg, "argon2id");
    assert_eq!(f.cipher.alg, "xchacha20poly1305");
    // Opens with the file's own cost whatever the current setting is.
    let out =
        p.s.cmd()
            .env("PANELIST_KDF_PARAMS", "m=512,t=2,p=1")
            .env("PANELIST_PASSPHRASE_FILE", &p.pass)
            .args(["recuse", p.bundle_str(), &p.apps[0], "--reason", "同单位"])
            .output()
            .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn wrong_passphrase_is_one_clear_line() {
    let p = Panel::new("ed25519", 1);
    std::fs::write(&p.pass, "not the passphrase\n").expect("write");
    let r = p.run(&["score", p.bundle_str(), &p.apps[0], "--innovation", "20"]);
    r.assert_error(&["E01.key", "wrong passphrase for key E01"]);
    let b = Bundle::open_read(&p.bundle).expect("open");
    assert_eq!(b.head().expect("head").size, 0, "nothing recorded");
    assert!(b.owner().expect("owner").is_none(), "not claimed");
}

#[cfg(unix)]
#[test]
fn a_key_file_others_can_read_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let p = Panel::new("ed25519", 1);
    std::fs::set_permissions(p.key_path(), std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let r = p.run(&["score", p.bundle_str(), &p.apps[0], "--innovation", "20"]);
    r.assert_error(&[
        "E01.key",
        "accessible by group or others",
        "mode 0644",
        "chmod 600",
    ]);
    p.run(&["key", "show"])
        .assert_error(&["accessible by group or others"]);
}

#[test]
fn an_altered_key_file_does_not_open() {
    let p = Panel::new("ed25519", 1);
    let text = std::fs::read_to_string(p.key_path()).expect("key");
    let edited = text.replace("测试专家", "别的专家");
    std::fs::write(p.key_path(), edited).expect("write");
    let r = p.run(&["score", p.bundle_str(), &p.apps[0], "--innovation", "20"]);
    r.assert_error(&[
        "wrong passphrase for key E01",
        "or the key file was altered",
    ]);
}

#[test]
fn scoring_claims_the_copy_with_the_key_and_goes_through_the_history() {
    let p = Panel::new("ed25519", 2);
    let r = p.run(&[
        "score",
        p.bundle_str(),
        &p.apps[0],
        "--innovation",
        "20",
        "--set",
        "advancement=18",
        "--practicality",
        "22",
        "--replicability",
        "19",
        "--comment",
        GOOD_COMMENT,
        "--recommend",
        "yes",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("innovation 20  advancement 18  practicality 22  replicability 19  total 79"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.trim_end().ends_with("complete"), "{}", r.stdout);
    let b = Bundle::open_read(&p.bundle).expect("open");
    let owner = b.owner().expect("owner").expect("claimed");
    assert_eq!(owner.id, "E01");
    assert_eq!(owner.key_id, p.roster_entry().key_id);
    let h = b.history().expect("history");
    assert_eq!(h.len(), 6, "four scores, a comment, a recommendation");
    assert!(b.verify_chain().expect("chain").is_ok());
    drop(b);

    // Out of scale: refused, and the valid flags of the same call are not
    // recorded either.
    let r = p.run(&[
        "score",
        p.bundle_str(),
        &p.apps[1],
        "--innovation",
        "10",
        "--advancement",
        "26",
    ]);
    r.assert_error(&["advancement = 26 is outside the rubric (0..25 in steps of 1)"]);
    let r = p.run(&["score", p.bundle_str(), &p.apps[1], "--set", "beauty=3"]);
    r.assert_error(&["no criterion 'beauty' in the rubric"]);
    let r = p.run(&["score", p.bundle_str(), "NOPE", "--innovation", "3"]);
    r.assert_error(&["no application 'NOPE'"]);
    assert_eq!(
        Bundle::open_read(&p.bundle)
            .expect("open")
            .history()
            .expect("h")
            .len(),
        6
    );

    // Recuse, refuse scoring while recused, withdraw.
    let r = p.run(&[
        "recuse",
        p.bundle_str(),
        &p.apps[1],
        "--reason",
        "曾参与该项目评估",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("recused: 曾参与该项目评估"),
        "{}",
        r.stdout
    );
    p.run(&["score", p.bundle_str(), &p.apps[1], "--innovation", "3"])
        .assert_error(&["is recused"]);
    p.run(&["recuse", p.bundle_str(), &p.apps[1]])
        .assert_error(&["needs --reason"]);
    let r = p.run(&[
        "recuse",
        p.bundle_str(),
        &p.apps[1],
        "--undo",
        "--reason",
        "误操作",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    p.run(&["recuse", p.bundle_str(), &p.apps[1], "--undo"])
        .assert_error(&["is not recused"]);
    let history = Bundle::open_read(&p.bundle)
        .expect("open")
        .history()
        .expect("h");
    let kinds: Vec<&str> = history.iter().map(|e| e.change.kind()).collect();
    assert_eq!(&kinds[6..], ["recuse", "unrecuse"]);
}

#[test]
fn another_experts_copy_or_another_key_is_refused() {
    let p = Panel::new("ed25519", 1);
    {
        let mut b = Bundle::open_write(&p.bundle).expect("open");
        b.claim(&common::bundle::expert("E02")).expect("claim");
    }
    let r = p.run(&["score", p.bundle_str(), &p.apps[0], "--innovation", "20"]);
    r.assert_error(&["belongs to expert E02", "you are E01"]);

    // Same expert id, but the copy was claimed with another key.
    let q = Panel::new("ed25519", 1);
    q.score_complete(0, 20);
    let r = q.run(&[
        "key",
        "new",
        "--id",
        "E01",
        "--name",
        "测试专家",
        "--org",
        "测试研究院",
        "--force",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = q.run(&["score", q.bundle_str(), &q.apps[0], "--innovation", "21"]);
    r.assert_error(&["claimed with key", "not with key"]);
}

#[test]
fn with_several_keys_one_must_be_chosen() {
    let p = Panel::new("ed25519", 1);
    let r = p.run(&[
        "key",
        "new",
        "--id",
        "E02",
        "--name",
        "第二专家",
        "--org",
        "某单位",
        "--alg",
        "sm2",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    p.run(&["key", "show"])
        .assert_error(&["2 keys (E01, E02)", "--key ID"]);
    let r = p.run(&["key", "show", "--id", "E02", "--roster-entry"]);
    assert!(r.stdout.contains("\"sm2\""), "{}", r.stdout);
    let r = p.run(&[
        "score",
        p.bundle_str(),
        &p.apps[0],
        "--key",
        "E01",
        "--innovation",
        "20",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    p.run(&["key", "show", "--id", "E09"])
        .assert_error(&["no key for E09"]);
}

/// Every way the secret could leak in text: hex either case, base64 with
/// and without padding, URL-safe too.
fn leak_forms(secret: &[u8]) -> Vec<String> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let h = hex(secret);
    vec![
        h.clone(),
        h.to_uppercase(),
        STANDARD.encode(secret),
        STANDARD_NO_PAD.encode(secret),
        URL_SAFE_NO_PAD.encode(secret),
        // A fragment is enough to count as a leak.
        h[..24].to_string(),
    ]
}

#[test]
fn the_private_key_never_appears_in_any_output() {
    for alg in [Alg::Ed25519, Alg::Sm2] {
        let p = Panel::without_key(2);
        // A key whose secret bytes the test knows, sealed as `key new` would.
        let secret: [u8; 32] = std::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(11));
        let key = SecretKey::from_bytes(alg, &secret, None).expect("key");
        let owner = Owner {
            id: "E01".into(),
            name: "测试专家".into(),
            org: "测试研究院".into(),
        };
        let file = KeyFile::seal(
            &key,
            &owner,
            &Passphrase::new(PASS.into()),
            KdfCost {
                m_kib: 256,
                t: 1,
                p: 1,
            },
            "2024-03-01T09:00:00.000Z",
        )
        .expect("seal");
        let dir = p.key_path().parent().expect("dir").to_path_buf();
        std::fs::create_dir_all(&dir).expect("dir");
        panelist::support::fs::write_atomic_mode(
            &p.key_path(),
            file.to_text().as_bytes(),
            Some(0o600),
        )
        .expect("write key");

        let out = p.s.path("out.json");
        let out_s = out.to_str().expect("path").to_string();
        let mut texts: Vec<String> = vec![std::fs::read_to_string(p.key_path()).expect("key")];
        let mut runs = vec![
            p.run(&["key", "show"]),
            p.run(&["key", "show", "--roster-entry"]),
        ];
        p.score_complete(0, 20);
        p.recuse(1, "利益相关");
        runs.push(p.run(&["export", p.bundle_str(), "-o", &out_s]));
        let roster = p.roster();
        runs.push(p.run(&["verify", &out_s, "--roster", roster.to_str().expect("p")]));
        runs.push(p.run(&["bundle", "history", p.bundle_str(), "--json"]));
        runs.push(p.run(&["bundle", "info", p.bundle_str(), "--json"]));
        std::fs::write(&p.pass, "wrong passphrase\n").expect("write");
        runs.push(p.run(&["export", p.bundle_str(), "-o", &out_s]));
        runs.push(p.run(&["score", p.bundle_str(), &p.apps[0], "--innovation", "1"]));
        texts.push(std::fs::read_to_string(&out).expect("export"));
        for r in runs {
            texts.push(r.stdout);
            texts.push(r.stderr);
        }
        let bundle_bytes = std::fs::read(&p.bundle).expect("bundle");
        texts.push(String::from_utf8_lossy(&bundle_bytes).into_owned());
        for form in leak_forms(&secret) {
            for t in &texts {
                assert!(!t.contains(&form), "{alg}: secret leaked as {form}");
            }
        }
        // Debug of every type that holds it shows no secret either, nor
        // does a panic that formats them (a panic message is printed).
        let pass = Passphrase::new(PASS.into());
        let unlocked = panelist::keyring::Unlocked {
            path: p.key_path(),
            file: file.clone(),
            key: file.unseal(&pass).expect("unseal"),
        };
        let errors = [
            file.unseal(&Passphrase::new("wrong passphrase".into()))
                .expect_err("wrong"),
            KeyFile::parse("{}").expect_err("empty"),
        ];
        let dbg =
            format!("{key:?} {file:?} {file:#?} {unlocked:?} {unlocked:#?} {pass:?} {errors:?}");
        assert!(
            dbg.contains("SecretKey") && dbg.contains("Passphrase(..)"),
            "{dbg}"
        );
        let panicked = std::panic::catch_unwind(|| {
            let held = &unlocked;
            panic!("while signing with {held:?} ({:?})", held.key);
        })
        .expect_err("panics");
        let msg = panicked
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(msg.contains("while signing with Unlocked"), "{msg}");
        for form in leak_forms(&secret) {
            assert!(!dbg.contains(&form), "{alg}: secret in Debug");
            assert!(!msg.contains(&form), "{alg}: secret in a panic message");
            assert!(
                !dbg.contains(PASS) && !msg.contains(PASS),
                "passphrase shown"
            );
        }
    }
}

/// One writer per working copy: while another panelist process has it
/// open for writing, `score` and `recuse` are refused with one line and
/// exit 2, and record nothing; once it is closed they work.
#[test]
fn a_second_writer_process_is_refused_with_one_line() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let p = Panel::new("ed25519", 2);
    let expected = format!(
        "panelist: error: {}: already open in another panelist process (only one writer at a time)\n",
        p.bundle_str()
    );
    // Another process scoring in a loop holds the copy.
    let mut soak =
        p.s.cmd()
            .env("PANELIST_KDF_PARAMS", common::panel::FAST_KDF)
            .env("PANELIST_PASSPHRASE_FILE", &p.pass)
            .args(["dev", "soak", p.bundle_str(), "--count", "100000000"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn soak");
    // Keep reading its acknowledgements, or it stops on a closed pipe.
    let mut acks = BufReader::new(soak.stdout.take().expect("stdout"));
    let mut first = String::new();
    acks.read_line(&mut first).expect("soak acknowledges");
    let drain = std::thread::spawn(move || std::io::copy(&mut acks, &mut std::io::sink()));
    assert!(first.starts_with("ack 1 "), "{first}");
    let score = p.run(&["score", p.bundle_str(), &p.apps[0], "--innovation", "20"]);
    let recuse = p.run(&["recuse", p.bundle_str(), &p.apps[1], "--reason", "同单位"]);
    let still_running = soak.try_wait().expect("soak status").is_none();
    soak.kill().expect("kill soak");
    soak.wait().expect("wait soak");
    let _ = drain.join();
    assert!(still_running, "the soak held the copy throughout");
    for r in [&score, &recuse] {
        r.assert_error(&["already open in another panelist process"]);
        assert_eq!(r.stderr, expected);
        assert!(r.stdout.is_empty(), "{}", r.stdout);
    }

    // The same when this process holds it through the library.
    let held = Bundle::open_write(&p.bundle).expect("open for writing");
    let before = held.head().expect("head").size;
    let r = p.run(&["score", p.bundle_str(), &p.apps[0], "--innovation", "20"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr, expected);
    assert_eq!(held.head().expect("head").size, before, "nothing recorded");
    drop(held);
    // Other tests of this binary spawn processes all the time; one forked
    // while the copy was held keeps the lock until its exec, so allow a
    // moment.
    let mut r = p.run(&["score", p.bundle_str(), &p.apps[0], "--innovation", "20"]);
    for _ in 0..50 {
        if r.code == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        r = p.run(&["score", p.bundle_str(), &p.apps[0], "--innovation", "20"]);
    }
    assert_eq!(r.code, 0, "the lock goes with the holder: {}", r.stderr);
}
