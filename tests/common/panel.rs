//! Keyed panels. [`Panel`] is a scratch panel for the key, scoring, export
//! and verify tests: one expert with a key in a temporary PANELIST_HOME, an
//! unclaimed working copy, passphrase from a file, a cheap KDF. [`Expert`]
//! scores and exports through the library with a key from [`make_key`];
//! [`mark_changes`] turns a mark into its events; [`Fixture`] is the
//! chair's side: a panel bundle, a roster and the experts' signed files to
//! merge.

use std::path::{Path, PathBuf};

use panelist::crypto::Alg;
use panelist::crypto::envelope::{Envelope, SCORES_TYPE};
use panelist::crypto::keys::{KdfCost, KeyFile, Owner, Passphrase};
use panelist::crypto::sign::SecretKey;
use panelist::domain::RosterEntry;
use panelist::domain::history::Change;
use panelist::keyring::Unlocked;
use panelist::merge::InputFile;
use panelist::store::Bundle;
use panelist::support::clock::Clock;

use super::bundle::{clock, content};
use super::cli::{Run, Scratch};

pub const PASS: &str = "correct horse battery staple";
pub const FAST_KDF: &str = "m=256,t=1,p=1";
pub const GOOD_COMMENT: &str =
    "平台已在三家省级单位稳定运行两年，检测能力与处置流程成熟，具备在同行业推广的条件。";

/// Expert `id`'s key of `alg`, sealed with [`PASS`] at the cheapest cost,
/// unlocked: for tests that sign in the library rather than through a
/// keys folder.
pub fn make_key(id: &str, alg: Alg) -> Unlocked {
    let key = SecretKey::generate(alg, None).expect("key");
    let owner = Owner {
        id: id.into(),
        name: format!("专家{id}"),
        org: "测试研究院".into(),
    };
    let cost = KdfCost {
        m_kib: 256,
        t: 1,
        p: 1,
    };
    let file = KeyFile::seal(
        &key,
        &owner,
        &Passphrase::new(PASS.into()),
        cost,
        "2024-03-01T08:00:00.000Z",
    )
    .expect("seal");
    Unlocked {
        path: PathBuf::from(format!("{id}.key")),
        file,
        key,
    }
}

/// The default rubric's criteria, in its order.
pub const CRITERIA: [&str; 4] = ["innovation", "advancement", "practicality", "replicability"];

/// `panelist ARGS` in the scratch folder `s`, with the cheap KDF and the
/// passphrase file `pass`.
pub fn run_keyed(s: &Scratch, pass: &Path, args: &[&str]) -> Run {
    let out = s
        .cmd()
        .env("PANELIST_KDF_PARAMS", FAST_KDF)
        .env("PANELIST_PASSPHRASE_FILE", pass)
        .args(args)
        .output()
        .expect("run panelist");
    Run::from(out)
}

/// The changes that put one expert's mark on `app`: a recusal (`None`), or
/// the four scores in [`CRITERIA`] order, a comment and the recommendation.
pub fn mark_changes(app: String, mark: Option<([i64; 4], bool)>) -> Vec<Change> {
    let Some((scores, recommend)) = mark else {
        return vec![Change::Recuse {
            app,
            reason: "本人与申报单位存在合作关系".into(),
        }];
    };
    let mut out: Vec<Change> = CRITERIA
        .iter()
        .zip(scores)
        .map(|(k, v)| Change::Score {
            app: app.clone(),
            criterion: k.to_string(),
            value: Some(v),
        })
        .collect();
    out.push(Change::Comment {
        app: app.clone(),
        text: GOOD_COMMENT.into(),
    });
    out.push(Change::Recommend {
        app,
        value: Some(recommend),
    });
    out
}

/// An expert scoring through the library: the key, the working copy and
/// the clock its events are stamped with.
pub struct Expert {
    pub key: Unlocked,
    pub copy: PathBuf,
    pub clock: Clock,
}

impl Expert {
    /// Appends `cs`, each a committed event.
    pub fn append(&self, cs: Vec<Change>) {
        let mut b = Bundle::open_write(&self.copy).expect("open copy");
        let key = panelist::keyring::owner::OwnerKey::new(&self.key.key, Vec::new());
        for c in cs {
            b.append_all(vec![c], &self.clock, &key).expect("append");
        }
    }

    /// Exports the working copy to `out`.
    pub fn export(&self, out: &Path, allow_incomplete: bool) {
        panelist::export::export_bundle(&self.copy, &self.key, out, allow_incomplete, &self.clock)
            .expect("export");
    }
}

/// A chair's scratch folder for the merge tests: the panel bundle, the
/// roster of experts and chairs, the passphrase file of every key, and the
/// experts' signed files (named by the test that builds it). The chairs'
/// keys are in the folder's PANELIST_HOME.
pub struct Fixture {
    pub s: Scratch,
    pub pass: PathBuf,
    pub bundle: PathBuf,
    pub roster: PathBuf,
    /// An expert's key: in the roster, but not a chair's.
    pub expert_key: SecretKey,
}

impl Fixture {
    pub fn path(&self, name: &str) -> PathBuf {
        self.s.path(name)
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run_keyed(&self.s, &self.pass, args)
    }

    /// `panelist merge` of the files `inputs` in the folder, with `extra`
    /// options, whatever its outcome.
    pub fn merge(&self, inputs: &[&str], extra: &[&str]) -> Run {
        self.merge_run(inputs, None, extra)
    }

    /// `panelist merge` of `inputs` into `out`, with `extra` options; it
    /// must succeed. Returns the path of `out`.
    pub fn merge_into(&self, inputs: &[&str], out: &str, extra: &[&str]) -> PathBuf {
        let r = self.merge_run(inputs, Some(out), extra);
        assert_eq!(r.code, 0, "merge: {}\n{}", r.stdout, r.stderr);
        self.path(out)
    }

    /// `panelist merge` of `inputs` into `out`, with `extra` options,
    /// whatever its outcome.
    pub fn merge_named(&self, inputs: &[&str], out: &str, extra: &[&str]) -> Run {
        self.merge_run(inputs, Some(out), extra)
    }

    fn merge_run(&self, inputs: &[&str], out: Option<&str>, extra: &[&str]) -> Run {
        let bundle = self.bundle.display().to_string();
        let roster = self.roster.display().to_string();
        let out = out.map(|o| self.path(o).display().to_string());
        let files: Vec<String> = inputs
            .iter()
            .map(|f| self.path(f).display().to_string())
            .collect();
        let mut args = vec!["merge", "--bundle", &bundle, "--roster", &roster];
        if let Some(o) = &out {
            args.extend(["-o", o.as_str()]);
        }
        args.extend(files.iter().map(String::as_str));
        args.extend(extra);
        self.run(&args)
    }

    /// The file `name` in the folder, as the merge reads it.
    pub fn input(&self, name: &str) -> InputFile {
        InputFile::in_memory(name.into(), std::fs::read(self.path(name)).expect("input"))
    }

    /// A chair's private key, opened from the data directory.
    pub fn chair_key(&self, id: &str) -> SecretKey {
        let path = self.s.dir.path().join(format!("home/data/keys/{id}.key"));
        KeyFile::parse(&std::fs::read_to_string(path).expect("key file"))
            .expect("parse")
            .unseal(&Passphrase::new(PASS.into()))
            .expect("unseal")
    }
}

pub struct Panel {
    pub s: Scratch,
    pub pass: PathBuf,
    pub bundle: PathBuf,
    pub apps: Vec<String>,
}

impl Panel {
    /// A panel of `n` applications and expert E01's key of `alg`.
    pub fn new(alg: &str, n: u32) -> Panel {
        let p = Panel::without_key(n);
        let r = p.run(&[
            "key",
            "new",
            "--id",
            "E01",
            "--name",
            "测试专家",
            "--org",
            "测试研究院",
            "--alg",
            alg,
        ]);
        assert_eq!(r.code, 0, "key new: {}", r.stderr);
        p
    }

    pub fn without_key(n: u32) -> Panel {
        let s = Scratch::new();
        let pass = s.path("pass.txt");
        std::fs::write(&pass, format!("{PASS}\n")).expect("pass file");
        let bundle = s.path("E01.bundle");
        let c = content(n);
        let apps = c.applications.iter().map(|a| a.id.clone()).collect();
        Bundle::create(&bundle, &c, "测试评审组", &clock(), false).expect("bundle");
        Panel {
            s,
            pass,
            bundle,
            apps,
        }
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run_keyed(&self.s, &self.pass, args)
    }

    pub fn bundle_str(&self) -> &str {
        self.bundle.to_str().expect("utf-8 path")
    }

    pub fn key_path(&self) -> PathBuf {
        self.s.dir.path().join("home/data/keys/E01.key")
    }

    /// Scores application `i` completely.
    pub fn score_complete(&self, i: usize, base: i64) {
        let v = |d: i64| (base + d).to_string();
        let r = self.run(&[
            "score",
            self.bundle_str(),
            &self.apps[i],
            "--innovation",
            &v(0),
            "--advancement",
            &v(1),
            "--practicality",
            &v(2),
            "--replicability",
            &v(-1),
            "--comment",
            GOOD_COMMENT,
            "--recommend",
            "yes",
        ]);
        assert_eq!(r.code, 0, "score: {}", r.stderr);
    }

    pub fn recuse(&self, i: usize, reason: &str) {
        let r = self.run(&[
            "recuse",
            self.bundle_str(),
            &self.apps[i],
            "--reason",
            reason,
        ]);
        assert_eq!(r.code, 0, "recuse: {}", r.stderr);
    }

    /// Scores every application but the last, which is recused.
    pub fn finish(&self) {
        let n = self.apps.len();
        for i in 0..n - 1 {
            self.score_complete(i, 15 + i as i64);
        }
        self.recuse(n - 1, "本人曾为该申报单位提供咨询服务");
    }

    pub fn export(&self, name: &str) -> PathBuf {
        let out = self.s.path(name);
        let r = self.run(&[
            "export",
            self.bundle_str(),
            "-o",
            out.to_str().expect("path"),
        ]);
        assert_eq!(r.code, 0, "export: {}", r.stderr);
        out
    }

    /// The roster entry `key show --roster-entry` prints.
    pub fn roster_entry(&self) -> RosterEntry {
        let r = self.run(&["key", "show", "--roster-entry"]);
        assert_eq!(r.code, 0, "key show: {}", r.stderr);
        serde_json::from_str(&r.stdout).expect("roster entry JSON")
    }

    /// A roster file of the given entries.
    pub fn write_roster(&self, name: &str, entries: &[RosterEntry]) -> PathBuf {
        let p = self.s.path(name);
        std::fs::write(&p, serde_json::to_string_pretty(entries).expect("json")).expect("roster");
        p
    }

    pub fn roster(&self) -> PathBuf {
        let e = self.roster_entry();
        self.write_roster("roster.json", &[e])
    }

    pub fn verify(&self, files: &[&Path], roster: &Path, bundle: Option<&Path>) -> Run {
        let mut args: Vec<String> = vec!["verify".into()];
        args.extend(files.iter().map(|f| f.display().to_string()));
        args.push("--roster".into());
        args.push(roster.display().to_string());
        if let Some(b) = bundle {
            args.push("--bundle".into());
            args.push(b.display().to_string());
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        self.run(&refs)
    }

    /// The expert's private key, opened as the program would.
    pub fn secret(&self) -> SecretKey {
        let text = std::fs::read_to_string(self.key_path()).expect("key file");
        KeyFile::parse(&text)
            .expect("parse")
            .unseal(&Passphrase::new(PASS.into()))
            .expect("unseal")
    }
}

/// Reads a signed file.
pub fn read_env(path: &Path) -> Envelope {
    Envelope::parse(&std::fs::read_to_string(path).expect("file")).expect("envelope")
}

/// A signed file's text with its payload edited and not signed again
/// (the payload is written JCS, as panelist writes it): a tampered file.
pub fn tamper_text(text: &str, edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut env = Envelope::parse_unsigned(text).expect("envelope");
    let mut payload = env.payload_value().expect("payload");
    edit(&mut payload);
    env.payload = panelist::crypto::envelope::canonical(&payload).expect("jcs");
    env.to_text()
}

/// A signed file's text with `from` replaced by `to` once in its payload's
/// (JCS) text, not signed again.
pub fn tamper_raw(text: &str, from: &str, to: &str) -> String {
    let mut env = Envelope::parse_unsigned(text).expect("envelope");
    let t = env.payload_text().to_string();
    assert!(t.contains(from), "payload holds {from}");
    env.payload = t.replacen(from, to, 1).into_bytes();
    env.to_text()
}

/// Applies `edit` to the payload and signs it again with `key`, as an
/// expert rewriting their own file would.
pub fn resign(
    path: &Path,
    out: &Path,
    key: &SecretKey,
    edit: impl FnOnce(&mut serde_json::Value),
) -> PathBuf {
    let env = read_env(path);
    let mut payload = env.payload_value().expect("payload");
    edit(&mut payload);
    let signed = Envelope::sign(SCORES_TYPE, payload, key).expect("sign");
    std::fs::write(out, signed.to_text()).expect("write");
    out.to_path_buf()
}
