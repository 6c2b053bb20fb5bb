//! The record is trusted only after it is checked: every attack on the
//! working-copy file an insider can make with SQLite alone is refused at
//! open with one line, and nothing acknowledged is ever lost.

mod common;

use std::path::{Path, PathBuf};

use common::bundle::{clock, signer, working_copy};
use common::cli::Scratch;
use panelist::domain::history::Change;
use panelist::store::{Bundle, StoreError};

fn score(app: &str, c: &str, v: i64) -> Change {
    Change::Score {
        app: app.into(),
        criterion: c.into(),
        value: Some(v),
    }
}

/// A working copy with a few scores, closed.
fn scored(s: &Scratch, name: &str) -> PathBuf {
    let path = s.path(name);
    let clock = clock();
    let mut b = working_copy(&path, 5);
    for (i, c) in ["innovation", "advancement", "practicality"]
        .iter()
        .enumerate()
    {
        b.append(score("T-00001", c, 10 + i as i64), &clock, &signer())
            .expect("append");
    }
    b.append(
        Change::Recuse {
            app: "T-00002".into(),
            reason: "同单位".into(),
        },
        &clock,
        &signer(),
    )
    .expect("recuse");
    path
}

/// Runs SQL on the file as an insider with the sqlite3 library would.
fn tamper(path: &Path, sql: &str) {
    let c = rusqlite::Connection::open(path).expect("open");
    c.execute_batch(sql).expect("tamper");
}

fn refused(path: &Path) -> String {
    match Bundle::open_write(path) {
        Ok(_) => panic!("{}: opened for scoring", path.display()),
        Err(e) => e.to_string(),
    }
}

fn assert_refused_everywhere(s: &Scratch, path: &Path, fragment: &str) {
    let msg = refused(path);
    assert!(msg.contains(fragment), "{msg}");
    assert!(!msg.contains('\n'), "{msg}");
    // The read-only commands refuse it too, in one line.
    let r = s.run(&["bundle", "info", path.to_str().unwrap()]);
    r.assert_error(&[fragment]);
}

#[test]
fn a_trigger_that_swallows_new_events_is_refused_before_anything_is_scored() {
    let s = Scratch::new();
    let p = scored(&s, "swallow.bundle");
    tamper(
        &p,
        "CREATE TRIGGER hide BEFORE INSERT ON events BEGIN SELECT RAISE(IGNORE); END;",
    );
    assert_refused_everywhere(&s, &p, "trigger 'hide'");
}

#[test]
fn a_trigger_on_the_sheet_is_refused() {
    let s = Scratch::new();
    let p = scored(&s, "sheet-trigger.bundle");
    tamper(
        &p,
        "CREATE TRIGGER bump AFTER INSERT ON sheet_scores BEGIN \
         UPDATE sheet_scores SET value = 25 WHERE app = new.app; END;",
    );
    assert_refused_everywhere(&s, &p, "trigger 'bump'");
}

#[test]
fn a_view_is_refused_without_being_queried() {
    let s = Scratch::new();
    let p = scored(&s, "view.bundle");
    // A view whose query never ends: reading it would hang.
    tamper(
        &p,
        "CREATE VIEW forever AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n) \
         SELECT i FROM n;",
    );
    assert_refused_everywhere(&s, &p, "view 'forever'");
}

#[test]
fn a_table_replaced_by_another_shape_is_refused() {
    let s = Scratch::new();
    let p = scored(&s, "index.bundle");
    tamper(&p, "CREATE INDEX extra ON events(body);");
    assert_refused_everywhere(&s, &p, "index 'extra'");
}

#[test]
fn a_hand_edited_score_on_the_sheet_is_refused_and_named() {
    let s = Scratch::new();
    let p = scored(&s, "sheet-edit.bundle");
    tamper(
        &p,
        "UPDATE sheet_scores SET value = 25 WHERE app = 'T-00001' AND criterion = 'innovation';",
    );
    let msg = refused(&p);
    assert!(msg.contains("T-00001"), "{msg}");
    assert!(msg.contains("differs from the scoring history"), "{msg}");
}

#[test]
fn an_edited_recused_row_is_refused_rather_than_wedging_the_copy() {
    let s = Scratch::new();
    let p = scored(&s, "recused-edit.bundle");
    tamper(&p, "UPDATE sheet SET recused = 0 WHERE app = 'T-00002';");
    let msg = refused(&p);
    assert!(msg.contains("T-00002"), "{msg}");
    // A sheet row for an application the history never touched.
    let p2 = scored(&s, "recused-new.bundle");
    tamper(
        &p2,
        "INSERT INTO sheet VALUES('T-00004', '', NULL, 1, '捏造', 0);",
    );
    let msg = refused(&p2);
    assert!(msg.contains("T-00004"), "{msg}");
}

#[test]
fn an_edited_application_is_refused_and_named() {
    let s = Scratch::new();
    let p = scored(&s, "app-edit.bundle");
    tamper(
        &p,
        "UPDATE applications SET overview = overview || '（补充）' WHERE id = 'T-00003';",
    );
    let msg = refused(&p);
    assert!(msg.contains("application T-00003"), "{msg}");
    let p2 = scored(&s, "unit-edit.bundle");
    tamper(
        &p2,
        "UPDATE units SET name = '另一家公司' WHERE app = 'T-00005' AND position = 0;",
    );
    let msg = refused(&p2);
    assert!(msg.contains("application T-00005"), "{msg}");
}

#[test]
fn a_foreign_wal_or_shm_beside_the_bundle_is_refused() {
    let s = Scratch::new();
    for ext in ["-wal", "-shm"] {
        let p = scored(&s, &format!("beside{ext}.bundle"));
        let mut other = p.clone().into_os_string();
        other.push(ext);
        std::fs::write(PathBuf::from(&other), b"left over from another copy").expect("write");
        let msg = refused(&p);
        assert!(msg.contains(ext), "{msg}");
        let r = s.run(&["bundle", "info", p.to_str().unwrap()]);
        r.assert_error(&[ext, "move that file away"]);
    }
}

#[test]
fn a_copy_taken_while_the_writer_is_open_holds_every_saved_change() {
    let s = Scratch::new();
    let path = s.path("live.bundle");
    let clock = clock();
    let mut b = working_copy(&path, 5);
    for i in 0..20 {
        b.append(score("T-00001", "innovation", i), &clock, &signer())
            .expect("append");
        // What an expert does to hand the copy in: copy the one file while
        // the screens are still open.
        let copy = s.path(&format!("copy-{i}.bundle"));
        std::fs::copy(&path, &copy).expect("copy");
        let c = Bundle::open_read(&copy).expect("the copy opens");
        assert_eq!(c.head().expect("head").size, i as u64 + 1);
        c.check_record().expect("the copy checks");
    }
    // Nothing but the bundle itself lives beside it.
    let beside: Vec<String> = std::fs::read_dir(s.dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("live.bundle") && n != "live.bundle")
        .collect();
    assert!(beside.is_empty(), "{beside:?}");
    drop(b);
}

#[test]
fn read_only_commands_leave_nothing_beside_the_bundle() {
    let s = Scratch::new();
    let p = scored(&s, "ro.bundle");
    for args in [
        vec!["bundle", "info"],
        vec!["bundle", "history"],
        vec!["bundle", "check"],
    ] {
        let mut a = args.clone();
        a.push(p.to_str().unwrap());
        let r = s.run(&a);
        assert!(r.code == 0 || r.code == 1, "{args:?}: {}", r.stderr);
        for ext in ["-wal", "-shm", "-journal"] {
            let mut b = p.clone().into_os_string();
            b.push(ext);
            assert!(
                !PathBuf::from(b).exists(),
                "{args:?} left {ext} beside the bundle"
            );
        }
    }
}

/// Read-only media, for real where the tests may mount (root), else a
/// read-only file in a read-only folder.
#[test]
fn bundles_on_read_only_media_can_be_read() {
    let s = Scratch::new();
    let p = scored(&s, "media.bundle");
    let media = s.path("media");
    std::fs::create_dir(&media).expect("mkdir");
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=8m", "tmpfs"])
        .arg(&media)
        .status()
        .is_ok_and(|st| st.success());
    let on_media = media.join("media.bundle");
    std::fs::copy(&p, &on_media).expect("copy");
    let remounted = mounted
        && std::process::Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&media)
            .status()
            .is_ok_and(|st| st.success());
    if !remounted {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&on_media, std::fs::Permissions::from_mode(0o444)).expect("chmod");
        std::fs::set_permissions(&media, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    }
    let r = s.run(&["bundle", "info", on_media.to_str().unwrap()]);
    let listing: Vec<_> = std::fs::read_dir(&media)
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    if mounted {
        let _ = std::process::Command::new("umount").arg(&media).status();
    } else {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&media, std::fs::Permissions::from_mode(0o755));
    }
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("T-") || r.stdout.contains('5'),
        "{}",
        r.stdout
    );
    assert_eq!(listing.len(), 1, "{listing:?}");
}

#[test]
fn replacing_a_bundle_under_a_live_writer_is_refused() {
    let s = Scratch::new();
    let input = s.path("apps.json");
    let out = s.path("panel.bundle");
    let r = s.run(&["demo"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let demo = find(s.dir.path(), "demo-E01.bundle").expect("demo working copy");
    // Build a bundle to replace, from the demo's applications.
    std::fs::write(&input, panelist::demo::APPLICATIONS_JSON).expect("write");
    let r = s.run(&[
        "bundle",
        "new",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let before = std::fs::read(&out).expect("read");
    {
        let _writer = Bundle::open_write(&out).expect("writer");
        let r = s.run(&[
            "bundle",
            "new",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--force",
        ]);
        r.assert_error(&["open in another panelist process"]);
        assert_eq!(std::fs::read(&out).expect("read"), before);
    }
    {
        let mut writer = Bundle::open_write(&demo).expect("demo writer");
        writer
            .append(score("D-2023-001", "innovation", 20), &clock(), &signer())
            .ok();
        let held = std::fs::read(&demo).expect("read");
        let r = s.run(&["demo", "--fresh"]);
        r.assert_error(&["open in another panelist process"]);
        assert_eq!(std::fs::read(&demo).expect("read"), held);
    }
    // With the writer gone, --force and --fresh work as before.
    let r = s.run(&[
        "bundle",
        "new",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(s.run(&["demo", "--fresh"]).code, 0);
}

#[test]
fn several_changes_commit_all_or_none() {
    let s = Scratch::new();
    let path = s.path("tx.bundle");
    let clock = clock();
    let mut b = working_copy(&path, 5);
    b.append(score("T-00001", "innovation", 3), &clock, &signer())
        .expect("append");
    // The third change is refused: none of the three is recorded.
    let err = b
        .append_all(
            vec![
                score("T-00002", "innovation", 5),
                score("T-00002", "advancement", 6),
                score("T-00002", "practicality", 99),
            ],
            &clock,
            &signer(),
        )
        .expect_err("out of range");
    assert!(matches!(err, StoreError::Refused(_)), "{err}");
    assert_eq!(b.head().expect("head").size, 1);
    let evs = b
        .append_all(
            vec![
                score("T-00002", "innovation", 5),
                score("T-00002", "advancement", 6),
            ],
            &clock,
            &signer(),
        )
        .expect("both");
    assert_eq!(evs.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2, 3]);
    drop(b);
    let b = Bundle::open_write(&path).expect("reopen");
    assert_eq!(b.head().expect("head").size, 3);
    let sheet = b.current().expect("sheet");
    assert_eq!(sheet.entry("T-00002").expect("entry").scores.len(), 2);
}

fn find(dir: &Path, name: &str) -> Option<PathBuf> {
    for e in std::fs::read_dir(dir).ok()?.filter_map(|e| e.ok()) {
        let p = e.path();
        if p.is_dir() {
            if let Some(f) = find(&p, name) {
                return Some(f);
            }
        } else if p.file_name().is_some_and(|n| n == name) {
            return Some(p);
        }
    }
    None
}

#[test]
fn the_screens_open_draws_before_the_content_check_but_records_nothing_until_it_passed() {
    let s = Scratch::new();
    let p = scored(&s, "deferred.bundle");
    tamper(
        &p,
        "UPDATE applications SET title = title || '（改）' WHERE id = 'T-00004';",
    );
    // The screens' open succeeds (the first frame is drawn) …
    let mut b = Bundle::open_write_deferred(&p).expect("opens for the first frame");
    // … but the first change waits for the content check and is refused.
    let err = b
        .append(score("T-00001", "replicability", 5), &clock(), &signer())
        .expect_err("the content check failed");
    assert!(err.to_string().contains("application T-00004"), "{err}");
    assert_eq!(b.content_verdict().map(|r| r.is_err()), Some(true));
    drop(b);
    assert_eq!(
        Bundle::open_read(&p)
            .expect("open")
            .head()
            .expect("head")
            .size,
        4,
        "nothing was recorded"
    );
    // An untouched copy records as usual.
    let q = scored(&s, "deferred-ok.bundle");
    let mut b = Bundle::open_write_deferred(&q).expect("open");
    b.append(score("T-00001", "replicability", 5), &clock(), &signer())
        .expect("recorded after the check passed");
    assert_eq!(b.content_verdict(), Some(Ok(())));
}
