//! No command destroys what it reads: every command that writes refuses,
//! with one line and exit 2 and before it writes anything, an output that
//! is one of its inputs (by path or by inode), two outputs that are one
//! file, an output in a folder that does not exist and an output that is
//! a device, FIFO or folder. A merge writes its JSON, CSV and XLSX as a
//! set under a lock, and `verify` tells a set from another merge's files.
//! Every kind of input is read within its size limit whatever it is
//! (`/dev/zero`, a FIFO), and text never reaches a spreadsheet as a
//! formula.

mod common;

use std::path::{Path, PathBuf};

use common::bundle::content;
use common::cli::{Run, Scratch};
use common::panel::{Expert, FAST_KDF, PASS, Panel, make_key, mark_changes};
use panelist::crypto::Alg;
use panelist::domain::RosterEntry;
use panelist::store::{Bundle, Identity};
use panelist::support::clock::Clock;

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Runs `f`, which must leave every file of `files` byte-identical.
fn untouched<R>(files: &[&Path], f: impl FnOnce() -> R) -> R {
    let before: Vec<Vec<u8>> = files
        .iter()
        .map(|p| std::fs::read(p).expect("read before"))
        .collect();
    let r = f();
    for (p, b) in files.iter().zip(before) {
        assert_eq!(
            std::fs::read(p).expect("read after"),
            b,
            "{} changed",
            p.display()
        );
    }
    r
}

/// An expert's finished working copy with a key, exported once.
fn exported_panel() -> (Panel, PathBuf) {
    let p = Panel::new("ed25519", 3);
    p.finish();
    let out = p.export("E01.json");
    (p, out)
}

#[test]
fn export_never_writes_over_what_it_reads() {
    let (p, old) = exported_panel();
    let key = p.key_path();
    let bundle = p.bundle.clone();
    untouched(&[&bundle, &key, &p.pass, &old], || {
        p.run(&["export", s(&bundle), "-o", s(&bundle)])
            .assert_error(&["E01.bundle", "also an input"]);
        p.run(&["export", s(&bundle), "-o", s(&key)])
            .assert_error(&["E01.key", "also an input"]);
        p.run(&["export", s(&bundle), "-o", s(&p.pass)])
            .assert_error(&["pass.txt", "also an input"]);
        // The same file under another name: a hard link.
        let link = p.s.path("link.bundle");
        std::fs::hard_link(&bundle, &link).expect("link");
        p.run(&["export", s(&bundle), "-o", s(&link)])
            .assert_error(&["link.bundle", "same file as the input"]);
    });
}

#[test]
fn an_output_that_is_a_device_fifo_or_folder_is_refused() {
    let (p, _) = exported_panel();
    // Every case fails on the output check or, were the check missing, on
    // the missing key or input before anything is written: /dev/null is
    // never at risk.
    let r = p.run(&["export", p.bundle_str(), "-o", "/dev/null"]);
    r.assert_error(&["/dev/null", "a device", "not a regular file"]);
    let r = p.run(&[
        "bundle",
        "new",
        s(&p.s.path("none.json")),
        "-o",
        "/dev/null",
    ]);
    r.assert_error(&["/dev/null", "a device"]);
    let fifo = p.s.path("out.fifo");
    mkfifo(&fifo);
    let r = p.run(&["bundle", "new", s(&p.s.path("none.json")), "-o", s(&fifo)]);
    r.assert_error(&["out.fifo", "a FIFO"]);
    let dir = p.s.path("adir");
    std::fs::create_dir(&dir).expect("dir");
    let r = p.run(&["bundle", "new", s(&p.s.path("none.json")), "-o", s(&dir)]);
    r.assert_error(&["adir", "a folder"]);
    // A link to a device is the device.
    let link = p.s.path("null.json");
    std::os::unix::fs::symlink("/dev/null", &link).expect("symlink");
    let r = p.run(&["bundle", "new", s(&p.s.path("none.json")), "-o", s(&link)]);
    r.assert_error(&["null.json", "a device"]);
}

#[test]
fn bundle_new_and_audit_report_never_write_over_their_inputs() {
    let sc = Scratch::new();
    let apps = sc.path("apps.json");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/sample/applications.json"
        ),
        &apps,
    )
    .expect("sample");
    let roster = sc.path("roster.json");
    std::fs::write(&roster, "[]").expect("roster");
    untouched(&[&apps, &roster], || {
        sc.run(&["bundle", "new", s(&apps), "-o", s(&apps), "--force"])
            .assert_error(&["apps.json", "also an input"]);
        sc.run(&[
            "bundle",
            "new",
            s(&apps),
            "--roster",
            s(&roster),
            "-o",
            s(&roster),
            "--force",
        ])
        .assert_error(&["roster.json", "also an input"]);
        sc.run(&[
            "audit",
            s(&apps),
            "--roster",
            s(&roster),
            "--report",
            s(&roster),
        ])
        .assert_error(&["roster.json", "also an input"]);
    });
    let nested = sc.path("nosuchdir/x.bundle");
    sc.run(&["bundle", "new", s(&apps), "-o", s(&nested)])
        .assert_error(&["nosuchdir", "no folder"]);
}

#[test]
fn key_new_never_writes_over_its_passphrase_file() {
    let sc = Scratch::new();
    let keys = sc.path("home/data/keys");
    std::fs::create_dir_all(&keys).expect("keys");
    let pass = keys.join("E09.key");
    std::fs::write(&pass, format!("{PASS}\n")).expect("pass");
    untouched(&[&pass], || {
        let r = Run::from(
            sc.cmd()
                .env("PANELIST_KDF_PARAMS", FAST_KDF)
                .args([
                    "key",
                    "new",
                    "--id",
                    "E09",
                    "--name",
                    "专家",
                    "--org",
                    "单位",
                    "--force",
                    "--passphrase-file",
                    s(&pass),
                ])
                .output()
                .expect("run"),
        );
        r.assert_error(&["E09.key", "also an input"]);
    });
}

#[test]
fn man_pages_are_checked_before_any_is_written() {
    let sc = Scratch::new();
    let dir = sc.path("man");
    std::fs::create_dir(&dir).expect("dir");
    // One page's name is taken by a folder: no page is written.
    std::fs::create_dir(dir.join("panelist-merge.1")).expect("dir");
    sc.run(&["man", "-o", s(&dir)])
        .assert_error(&["panelist-merge.1", "a folder"]);
    assert!(!dir.join("panelist.1").exists(), "no page written");
}

// ---------------------------------------------------------------- merge

/// A generated panel of three experts and a chair C01: the scratch folder,
/// the panel folder (panel.bundle, roster.json, exports/) and a run with
/// the cheap KDF and the passphrase file.
struct Chair {
    sc: Scratch,
    dir: PathBuf,
}

impl Chair {
    fn new() -> Chair {
        let sc = Scratch::new();
        std::fs::write(sc.path("pass.txt"), format!("{PASS}\n")).expect("pass");
        let c = Chair {
            dir: sc.path("panel"),
            sc,
        };
        let r = c.run(&[
            "dev",
            "panel",
            "--experts",
            "3",
            "--apps",
            "8",
            "-o",
            s(&c.dir),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let r = c.run(&[
            "key",
            "new",
            "--id",
            "C01",
            "--name",
            "组长",
            "--org",
            "评审组",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let r = c.run(&["key", "show", "--id", "C01", "--roster-entry"]);
        let mut chair: RosterEntry = serde_json::from_str(&r.stdout).expect("entry");
        chair.role = Some("chair".into());
        let mut roster: Vec<RosterEntry> =
            serde_json::from_str(&std::fs::read_to_string(c.roster()).expect("roster"))
                .expect("roster");
        roster.push(chair);
        std::fs::write(c.roster(), serde_json::to_string(&roster).expect("json")).expect("w");
        c
    }

    fn cmd(&self) -> std::process::Command {
        let mut cmd = self.sc.cmd();
        cmd.env("PANELIST_KDF_PARAMS", FAST_KDF)
            .env("PANELIST_PASSPHRASE_FILE", self.sc.path("pass.txt"));
        cmd
    }

    fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd().args(args).output().expect("run"))
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
    fn bundle(&self) -> PathBuf {
        self.path("panel.bundle")
    }
    fn roster(&self) -> PathBuf {
        self.path("roster.json")
    }
    fn export(&self, i: usize) -> PathBuf {
        let mut all: Vec<PathBuf> = std::fs::read_dir(self.path("exports"))
            .expect("exports")
            .map(|e| e.expect("entry").path())
            .collect();
        all.sort();
        all[i].clone()
    }

    /// The merge's arguments before the outputs.
    fn merge_args(&self, extra: &[&str]) -> Vec<String> {
        let mut a: Vec<String> = [
            "merge",
            "--bundle",
            s(&self.bundle()),
            "--roster",
            s(&self.roster()),
            s(&self.path("exports")),
            "--key",
            "C01",
        ]
        .iter()
        .map(|x| x.to_string())
        .collect();
        a.extend(extra.iter().map(|x| x.to_string()));
        a
    }

    fn merge(&self, extra: &[&str]) -> Run {
        let a = self.merge_args(extra);
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        self.run(&refs)
    }

    /// A merge into m.json, m.csv and m.xlsx in the scratch folder.
    fn merge_set(&self, extra: &[&str]) -> Run {
        let (j, c, x) = self.set();
        let mut a = vec!["-o", s(&j), "--csv", s(&c), "--xlsx", s(&x)];
        a.extend(extra);
        self.merge(&a)
    }

    fn set(&self) -> (PathBuf, PathBuf, PathBuf) {
        (
            self.sc.path("m.json"),
            self.sc.path("m.csv"),
            self.sc.path("m.xlsx"),
        )
    }

    fn verify(&self, file: &Path) -> Run {
        self.run(&["verify", s(file), "--roster", s(&self.roster())])
    }
}

#[test]
fn merge_never_writes_over_what_it_reads() {
    let c = Chair::new();
    let r = c.merge_set(&[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let (j, csv, x) = c.set();
    let (bundle, roster, e0) = (c.bundle(), c.roster(), c.export(0));
    let key = c.sc.path("home/data/keys/C01.key");
    let pass = c.sc.path("pass.txt");
    untouched(&[&bundle, &roster, &e0, &key, &pass, &j, &csv, &x], || {
        c.merge(&["-o", s(&bundle)])
            .assert_error(&["panel.bundle", "also an input"]);
        c.merge(&["-o", s(&j), "--csv", s(&roster)])
            .assert_error(&["roster.json", "also an input"]);
        c.merge(&["-o", s(&j), "--xlsx", s(&key)])
            .assert_error(&["C01.key", "also an input"]);
        c.merge(&["-o", s(&j), "--csv", s(&pass)])
            .assert_error(&["pass.txt", "also an input"]);
        // An export inside an input folder, given as the output by a name
        // of its own.
        let link = c.sc.path("export-link.json");
        std::fs::hard_link(&e0, &link).expect("link");
        c.merge(&["-o", s(&link)])
            .assert_error(&["export-link.json", "same file as the input"]);
        c.merge(&["-o", s(&j), "--csv", s(&j), "--xlsx", s(&j)])
            .assert_error(&["m.json", "twice"]);
        c.merge(&["-o", s(&j), "--csv", s(&csv), "--xlsx", s(&csv)])
            .assert_error(&["m.csv", "twice"]);
        // The CSV's folder is missing: refused before -o is replaced.
        c.merge(&["-o", s(&j), "--csv", s(&c.sc.path("nosuchdir/m.csv"))])
            .assert_error(&["nosuchdir", "no folder"]);
    });
    // A missing input stops the merge later: were the output check
    // missing, nothing would be written to the device anyway.
    let r = c.run(&[
        "merge",
        "--bundle",
        s(&bundle),
        "--roster",
        s(&roster),
        s(&c.sc.path("missing.json")),
        "-o",
        "/dev/null",
    ]);
    r.assert_error(&["/dev/null", "a device"]);
}

#[test]
fn verify_checks_the_set_beside_a_merged_result() {
    let c = Chair::new();
    let (j, csv, x) = c.set();
    let r = c.merge_set(&[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = c.verify(&j);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
    assert!(
        v.stdout.contains("OK  ") && v.stdout.contains("m.csv  CSV of"),
        "{}",
        v.stdout
    );
    assert!(v.stdout.contains("m.xlsx  XLSX of"), "{}", v.stdout);

    // A merge stopped between its renames: the CSV and XLSX of the first
    // merge beside the JSON of the second.
    let old_csv = std::fs::read(&csv).expect("csv");
    let old_xlsx = std::fs::read(&x).expect("xlsx");
    let r = c.merge_set(&["--rule", "mean"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_ne!(std::fs::read(&csv).expect("csv"), old_csv, "a new CSV");
    std::fs::write(&csv, &old_csv).expect("old csv");
    let v = c.verify(&j);
    assert_eq!(v.code, 1, "{}{}", v.stdout, v.stderr);
    let bad: Vec<&str> = v.stdout.lines().filter(|l| l.starts_with("BAD")).collect();
    assert_eq!(bad.len(), 1, "{}", v.stdout);
    assert!(
        bad[0].contains("m.csv") && bad[0].contains("another merged result"),
        "{}",
        v.stdout
    );
    std::fs::write(&x, &old_xlsx).expect("old xlsx");
    let v = c.verify(&j);
    assert_eq!(v.code, 1);
    assert!(
        v.stdout
            .lines()
            .any(|l| l.starts_with("BAD") && l.contains("m.xlsx")),
        "{}",
        v.stdout
    );
    // A CSV that names no signed file cannot be matched.
    std::fs::write(&csv, "\u{feff}a,b\r\n1,2\r\n").expect("csv");
    let v = c.verify(&j);
    assert!(
        v.stdout
            .lines()
            .any(|l| l.starts_with("BAD") && l.contains("without the SHA-256")),
        "{}",
        v.stdout
    );
}

#[test]
fn the_people_files_carry_the_signed_files_sha256() {
    use calamine::{Reader, Xlsx};
    use sha2::{Digest, Sha256};
    let c = Chair::new();
    let (j, csv, x) = c.set();
    let r = c.merge_set(&[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let hex: String = Sha256::digest(std::fs::read(&j).expect("json"))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    // The CSV's last row, as wide as the others.
    let text = std::fs::read_to_string(&csv).expect("csv");
    let mut rd =
        csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.expect("row")).collect();
    let last = rows.last().expect("rows");
    assert_eq!(&last[0], "signed file SHA-256");
    assert_eq!(&last[1], hex.as_str());
    // The XLSX's summary sheet.
    let mut wb: Xlsx<_> = calamine::open_workbook(&x).expect("xlsx");
    let first = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&first).expect("summary");
    let found = range
        .rows()
        .any(|r| r.len() > 1 && r[0] == "signed file SHA-256" && r[1] == hex.as_str());
    assert!(found, "summary sheet names {hex}");
}

#[test]
fn a_second_merge_to_the_same_outputs_is_refused_or_waits_never_mixes() {
    let c = Chair::new();
    let (j, _, _) = c.set();
    // Held by another writer: refused at once, with one line.
    let lock = panelist::support::fs::OutputLock::acquire(&[j.as_path()]).expect("lock");
    let r = c.merge_set(&[]);
    r.assert_error(&["m.json", "another panelist is writing"]);
    assert!(!j.exists(), "nothing written");
    drop(lock);
    // Two merges at once, with different rules: each finishes or is
    // refused by the lock, and the set on disk is one merge's.
    let spawn = |rule: &str| {
        let (j, cs, x) = c.set();
        let mut a = c.merge_args(&[
            "-o",
            s(&j),
            "--csv",
            s(&cs),
            "--xlsx",
            s(&x),
            "--rule",
            rule,
        ]);
        a.remove(0);
        c.cmd().arg("merge").args(&a).output().expect("spawn")
    };
    std::thread::scope(|sc| {
        let a = sc.spawn(|| spawn("mean"));
        let b = sc.spawn(|| spawn("median"));
        for o in [a.join().expect("a"), b.join().expect("b")] {
            let r = Run::from(o);
            assert!(
                r.code == 0 || r.stderr.contains("another panelist is writing"),
                "{}{}",
                r.stdout,
                r.stderr
            );
        }
    });
    let v = c.verify(&j);
    assert_eq!(v.code, 0, "one merge's set: {}{}", v.stdout, v.stderr);
    assert_eq!(v.stdout.lines().filter(|l| l.starts_with("OK")).count(), 3);
}

// ---------------------------------------------------------------- limits

fn mkfifo(p: &Path) {
    let st = std::process::Command::new("mkfifo")
        .arg(p)
        .status()
        .expect("mkfifo");
    assert!(st.success(), "mkfifo");
}

/// Runs `run` while a thread writes `n` bytes into the FIFO `p`; the
/// writer never outlives the test's hold on the FIFO.
fn with_fifo_writer<R>(p: &Path, n: usize, run: impl FnOnce() -> R) -> R {
    use std::io::Write;
    use std::sync::atomic::{AtomicBool, Ordering};
    let opened = AtomicBool::new(false);
    std::thread::scope(|sc| {
        sc.spawn(|| {
            let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(p) else {
                return;
            };
            opened.store(true, Ordering::SeqCst);
            let chunk = vec![b'['; 64 * 1024];
            let mut left = n;
            while left > 0 {
                let k = left.min(chunk.len());
                if f.write_all(&chunk[..k]).is_err() {
                    return; // the reader stopped at its limit
                }
                left -= k;
            }
        });
        let r = run();
        if !opened.load(Ordering::SeqCst) {
            // The command never opened the FIFO: open it to free the writer.
            let _ = std::fs::File::open(p);
        }
        r
    })
}

#[test]
fn dev_zero_is_refused_at_the_limit_of_each_kind() {
    let (p, export) = exported_panel();
    let out = p.s.path("x.bundle");
    p.run(&["bundle", "new", "/dev/zero", "-o", s(&out)])
        .assert_error(&["/dev/zero", "larger than 512 MiB", "applications file"]);
    assert!(!out.exists());
    p.run(&["verify", s(&export), "--roster", "/dev/zero"])
        .assert_error(&["/dev/zero", "larger than 16 MiB", "roster"]);
    let r = Run::from(
        p.s.cmd()
            .args(["export", p.bundle_str(), "-o", s(&p.s.path("again.json"))])
            .args(["--passphrase-file", "/dev/zero"])
            .output()
            .expect("run"),
    );
    r.assert_error(&["/dev/zero", "larger than 4 KiB", "passphrase file"]);
    p.run(&["verify", "/dev/zero", "--roster", s(&p.roster())])
        .assert_error(&["/dev/zero", "larger than 256 MiB", "signed file"]);
}

#[test]
fn a_fifo_is_refused_at_the_limit_of_each_kind() {
    let (p, export) = exported_panel();
    let fifo = p.s.path("in.fifo");
    mkfifo(&fifo);
    let r = with_fifo_writer(&fifo, 4 << 20, || {
        Run::from(
            p.s.cmd()
                .args(["export", p.bundle_str(), "-o", s(&p.s.path("again.json"))])
                .args(["--passphrase-file", s(&fifo)])
                .output()
                .expect("run"),
        )
    });
    r.assert_error(&["in.fifo", "larger than 4 KiB", "passphrase file"]);
    let r = with_fifo_writer(&fifo, 17 << 20, || {
        p.run(&["verify", s(&export), "--roster", s(&fifo)])
    });
    r.assert_error(&["in.fifo", "larger than 16 MiB", "roster"]);
}

// ---------------------------------------------------------------- formulas

const FORMULAS: [&str; 6] = [
    "=1+1",
    "+SUM(A1:A9)",
    "-2+3",
    "@cmd",
    "-SUM(A1)",
    "=HYPERLINK(\"http://x\")",
];

/// A merged draft of one expert over applications whose title, lead unit
/// and authority start like formulas: (scratch, CSV, XLSX).
fn formula_merge() -> (Scratch, PathBuf, PathBuf) {
    let sc = Scratch::new();
    let mut c = content(FORMULAS.len() as u32);
    for (a, f) in c.applications.iter_mut().zip(FORMULAS) {
        a.title = format!("{f}标题");
        a.lead_unit.name = format!("{f}单位");
        a.authority = format!("{f}管理局");
    }
    let bundle = sc.path("panel.bundle");
    let clock = Clock::stepping("2024-03-01T08:00:00Z", 1000).expect("clock");
    Bundle::create(&bundle, &c, "评审组", &clock, false).expect("bundle");
    let key = make_key("E01", Alg::Ed25519);
    let roster = sc.path("roster.json");
    std::fs::write(
        &roster,
        serde_json::to_string(&[key.file.roster_entry()]).expect("json"),
    )
    .expect("roster");
    let copy = sc.path("E01.bundle");
    std::fs::copy(&bundle, &copy).expect("copy");
    let mut b = Bundle::open_write(&copy).expect("open");
    b.claim(&Identity {
        id: "E01".into(),
        name: key.file.name.clone(),
        org: key.file.org.clone(),
        key_id: Some(key.file.key_id.clone()),
    })
    .expect("claim");
    drop(b);
    let e = Expert {
        key,
        copy,
        clock: Clock::stepping("2024-03-01T09:00:00Z", 250).expect("clock"),
    };
    for a in &c.applications {
        e.append(mark_changes(a.id.clone(), Some(([18, 17, 16, 12], true))));
    }
    e.export(&sc.path("E01.json"), false);
    let (csv, xlsx) = (sc.path("m.csv"), sc.path("m.xlsx"));
    let r = sc.run(&[
        "merge",
        "--bundle",
        s(&bundle),
        "--roster",
        s(&roster),
        s(&sc.path("E01.json")),
        "-o",
        s(&sc.path("m.json")),
        "--csv",
        s(&csv),
        "--xlsx",
        s(&xlsx),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    (sc, csv, xlsx)
}

#[test]
fn formula_like_text_is_defused_in_the_csv_and_a_string_in_the_xlsx() {
    use calamine::{Data, Reader, Xlsx};
    let (_sc, csv, xlsx) = formula_merge();
    let text = std::fs::read_to_string(&csv).expect("csv");
    let mut rd = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.expect("row")).collect();
    let apps = &rows[..rows.len() - 1];
    assert_eq!(apps.len(), FORMULAS.len());
    for row in apps {
        for col in [3, 4, 6] {
            let cell = &row[col];
            assert!(cell.starts_with('\''), "column {col}: {cell:?}");
            assert!(
                FORMULAS.iter().any(|f| cell[1..].starts_with(f)),
                "the text itself after the quote: {cell:?}"
            );
        }
        // Figures stay numbers.
        assert!(row[10].parse::<f64>().is_ok(), "total mean {:?}", &row[10]);
    }
    let mut wb: Xlsx<_> = calamine::open_workbook(&xlsx).expect("xlsx");
    let names = wb.sheet_names();
    let mut seen = 0;
    // The direction sheets (the comments sheet has its own columns).
    for name in names[1..]
        .iter()
        .filter(|n| !["评审意见", "Comments"].contains(&n.as_str()))
    {
        let range = wb.worksheet_range(name).expect("sheet");
        for row in range.rows().skip(1) {
            if let Data::String(t) = &row[3] {
                assert!(FORMULAS.iter().any(|f| t.starts_with(f)), "{t:?}");
                seen += 1;
            } else {
                panic!("title is not a string cell: {:?}", row[3]);
            }
            assert!(matches!(row[10], Data::Float(_)), "total mean is a number");
        }
        let formulas = wb.worksheet_formula(name).expect("formulas");
        assert!(
            formulas.cells().all(|(_, _, f)| f.is_empty()),
            "no formula on {name}"
        );
    }
    assert_eq!(seen, FORMULAS.len());
}
