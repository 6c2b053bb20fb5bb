//! The scoring history store: append, reopen, recompute, refuse, detect.

mod common;

use common::bundle::{clock, content, expert, signer, working_copy};
use common::cli::Scratch;
use panelist::domain::history::{self, Change, Refusal, Status};
use panelist::store::{Bundle, StoreError};

fn score(app: &str, c: &str, v: i64) -> Change {
    Change::Score {
        app: app.into(),
        criterion: c.into(),
        value: Some(v),
    }
}

#[test]
fn thousands_of_events_survive_reopen_and_the_chain_recomputes() {
    let s = Scratch::new();
    let path = s.path("wc.bundle");
    let clock = clock();
    {
        let mut b = working_copy(&path, 50);
        for i in 0..3000u32 {
            let app = format!("T-{:05}", i % 50 + 1);
            let c =
                ["innovation", "advancement", "practicality", "replicability"][(i % 4) as usize];
            let ev = b
                .append(score(&app, c, (i % 26) as i64), &clock, &signer())
                .expect("append");
            assert_eq!(ev.seq, i as u64 + 1);
        }
    }
    let b = Bundle::open_read(&path).expect("reopen");
    let head = b.verify_chain().expect("read").expect("chain verifies");
    assert_eq!(head.size, 3000);
    assert_eq!(b.head().expect("head"), head);
    // The stored sheet equals the replay of the history.
    let events = b.history().expect("history");
    let replayed = history::replay(&b.rubric, |a| b.has_application(a), &events).expect("replay");
    assert_eq!(replayed, b.sheet().expect("sheet"));
    // The last value written for T-00001 innovation is the one kept.
    let last = (0..3000u32)
        .rev()
        .find(|i| i % 50 == 0 && i % 4 == 0)
        .expect("some");
    assert_eq!(
        b.sheet().unwrap().entry("T-00001").unwrap().scores["innovation"],
        (last % 26) as i64
    );
    // Timestamps never go backwards.
    assert!(events.windows(2).all(|w| w[0].time <= w[1].time));
}

#[test]
fn a_row_edited_behind_the_store_is_named_by_seq() {
    let s = Scratch::new();
    let path = s.path("wc.bundle");
    let clock = clock();
    {
        let mut b = working_copy(&path, 5);
        for i in 0..40 {
            b.append(score("T-00002", "innovation", i % 26), &clock, &signer())
                .expect("append");
        }
    }
    // Tamper with sqlite directly: the triggers refuse, so drop them first.
    let c = rusqlite::Connection::open(&path).expect("sqlite");
    let e = c.execute(
        "UPDATE events SET body = replace(body, '\"value\":7', '\"value\":25') WHERE seq = 8",
        [],
    );
    assert!(e.is_err(), "append-only trigger must refuse updates");
    c.execute_batch("DROP TRIGGER events_append_only_update;")
        .expect("drop");
    let n = c
        .execute(
            "UPDATE events SET body = replace(body, '\"value\":7', '\"value\":25') WHERE seq = 8",
            [],
        )
        .expect("update");
    assert_eq!(n, 1);
    drop(c);
    let (b, _) = Bundle::open_inspect(&path).expect("open");
    let err = b.verify_chain().expect("read").expect_err("must break");
    assert_eq!(err.seq(), 8, "{err}");
    assert!(err.to_string().contains("seq 8"), "{err}");
}

#[test]
fn deleting_an_event_breaks_the_chain_at_that_point() {
    let s = Scratch::new();
    let path = s.path("wc.bundle");
    let clock = clock();
    {
        let mut b = working_copy(&path, 3);
        for i in 0..10 {
            b.append(score("T-00001", "advancement", i), &clock, &signer())
                .expect("append");
        }
    }
    let c = rusqlite::Connection::open(&path).expect("sqlite");
    c.execute_batch("DROP TRIGGER events_append_only_delete; DELETE FROM events WHERE seq = 4;")
        .expect("delete");
    drop(c);
    let (b, _) = Bundle::open_inspect(&path).expect("open");
    let err = b.verify_chain().unwrap().expect_err("gap");
    assert_eq!(err.seq(), 5, "{err}");
}

#[test]
fn refusals_leave_nothing_behind() {
    let s = Scratch::new();
    let path = s.path("wc.bundle");
    let clock = clock();
    let mut b = working_copy(&path, 3);
    let out = b
        .append(score("T-00001", "innovation", 26), &clock, &signer())
        .expect_err("above max");
    assert!(
        matches!(
            out,
            StoreError::Refused(Refusal::OutOfScale { value: 26, .. })
        ),
        "{out}"
    );
    assert!(
        b.append(score("T-00001", "innovation", -1), &clock, &signer())
            .is_err()
    );
    let out = b
        .append(score("NOPE", "innovation", 3), &clock, &signer())
        .expect_err("unknown app");
    assert!(out.to_string().contains("NOPE"), "{out}");
    assert!(
        b.append(score("T-00001", "beauty", 3), &clock, &signer())
            .is_err()
    );
    b.append(
        Change::Recuse {
            app: "T-00002".into(),
            reason: "曾参与该项目咨询".into(),
        },
        &clock,
        &signer(),
    )
    .expect("recuse");
    let out = b
        .append(score("T-00002", "innovation", 3), &clock, &signer())
        .expect_err("recused");
    assert!(
        matches!(out, StoreError::Refused(Refusal::Recused(_))),
        "{out}"
    );
    assert!(
        b.append(
            Change::Recuse {
                app: "T-00003".into(),
                reason: "  ".into()
            },
            &clock,
            &signer()
        )
        .is_err()
    );
    assert_eq!(b.head().unwrap().size, 1, "only the recusal was recorded");
    // Undo is a new event, and scoring works again.
    b.append(
        Change::Unrecuse {
            app: "T-00002".into(),
            reason: "误操作".into(),
        },
        &clock,
        &signer(),
    )
    .expect("unrecuse");
    b.append(score("T-00002", "innovation", 20), &clock, &signer())
        .expect("score after unrecuse");
    assert_eq!(b.head().unwrap().size, 3);
}

#[test]
fn status_moves_from_todo_to_complete() {
    let s = Scratch::new();
    let path = s.path("wc.bundle");
    let clock = clock();
    let mut b = working_copy(&path, 2);
    let st = |b: &Bundle| {
        b.current()
            .unwrap()
            .entry("T-00001")
            .map(|e| e.status(&b.rubric))
            .unwrap_or(Status::Todo)
    };
    assert_eq!(st(&b), Status::Todo);
    for (c, v) in [
        ("innovation", 20),
        ("advancement", 18),
        ("practicality", 22),
        ("replicability", 15),
    ] {
        b.append(score("T-00001", c, v), &clock, &signer()).unwrap();
    }
    assert_eq!(st(&b), Status::Draft);
    b.append(
        Change::Comment {
            app: "T-00001".into(),
            text: "技术路线清晰，部署规模较大，".repeat(3),
        },
        &clock,
        &signer(),
    )
    .unwrap();
    b.append(
        Change::Recommend {
            app: "T-00001".into(),
            value: Some(true),
        },
        &clock,
        &signer(),
    )
    .unwrap();
    assert_eq!(st(&b), Status::Complete);
    let e = b.current().unwrap().entry("T-00001").cloned().unwrap();
    assert_eq!(e.total(&b.rubric), Some(75));
}

#[test]
fn another_expert_is_refused_and_a_second_writer_is_locked_out() {
    let s = Scratch::new();
    let path = s.path("wc.bundle");
    let b = working_copy(&path, 2);
    let second = Bundle::open_write(&path).err().expect("locked");
    assert!(matches!(second, StoreError::Locked(_)), "{second}");
    // Readers are fine while the writer works.
    assert!(Bundle::open_read(&path).is_ok());
    drop(b);
    let mut b = Bundle::open_write(&path).expect("lock released");
    let err = b.claim(&expert("E02")).expect_err("owned by E01");
    let msg = err.to_string();
    assert!(msg.contains("E01") && msg.contains("E02"), "{msg}");
}

#[test]
fn stored_digest_matches_recomputed_content() {
    let s = Scratch::new();
    let path = s.path("b.bundle");
    let b = working_copy(&path, 30);
    assert_eq!(b.recompute_digest().unwrap(), b.meta.digest);
    // Same content, another file: same digest; other content: another.
    let p2 = s.path("b2.bundle");
    Bundle::create(&p2, &content(30), "另一组", &clock(), false).unwrap();
    assert_eq!(Bundle::open_read(&p2).unwrap().meta.digest, b.meta.digest);
    let p3 = s.path("b3.bundle");
    Bundle::create(&p3, &content(31), "另一组", &clock(), false).unwrap();
    assert_ne!(Bundle::open_read(&p3).unwrap().meta.digest, b.meta.digest);
}
