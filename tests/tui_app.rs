//! The expert screens' behaviour, driven by key events against a real
//! working copy: every change is signed with the owner's key and goes
//! through the signing session, the screen
//! shows it only once the write returned, recusal locks scoring and its
//! withdrawal is a new event, conflicts ask first, untrusted text stays
//! inert.

mod common;

use common::fixture::*;
use common::screen;
use crossterm::event::{Event, KeyCode, KeyModifiers, MouseEvent, MouseEventKind};
use panelist::crypto::keys::Passphrase;
use panelist::domain::history::{Change, Status};
use panelist::domain::text::is_dangerous;
use panelist::store::Bundle;
use panelist::support::lang::Lang;
use panelist::tui::ScreenBasics;
use panelist::tui::action::Action;
use panelist::tui::expert::view as ui;
use panelist::tui::expert::{
    App, Dialog, ExportFailure, ExportStep, SaveState, Screen, Session, WorkingCopy, run_effect,
};
use panelist::tui::expert::{Effect, ExportRequest};

struct Setup {
    _dir: tempfile::TempDir,
    copy: WorkingCopy,
    app: App,
    clock: panelist::support::clock::Clock,
}

fn setup(scored_fixture: bool) -> Setup {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("wc.bundle");
    if scored_fixture {
        scored(&path);
    } else {
        template(&path);
    }
    let bundle = Bundle::open_read(&path).expect("open");
    let mut app = App::new(Session::load(&bundle).expect("load"), settings(Lang::En));
    drop(bundle);
    app.update(Action::Resize {
        width: 80,
        height: 24,
    });
    // A claimed copy opens signed in with its owner's key; an unclaimed
    // one waits for the identity picker.
    let copy = if scored_fixture {
        signed_copy(&path, &mut app)
    } else {
        isolated_home();
        WorkingCopy::new(Bundle::open_write(&path).expect("open"))
    };
    Setup {
        _dir: dir,
        copy,
        app,
        clock: clock(),
    }
}

impl Setup {
    fn bundle(&self) -> &Bundle {
        self.copy.bundle().expect("open")
    }
    fn drive(&mut self, events: impl IntoIterator<Item = Event>) -> bool {
        drive(&mut self.app, &mut self.copy, &self.clock, events)
    }
    fn open(&mut self, id: &str) {
        assert!(self.app.select_id(id), "{id}");
        self.drive([code(KeyCode::Enter), code(KeyCode::Tab)]);
    }
    fn score(&self, id: &str, k: &str) -> Option<i64> {
        self.bundle()
            .current()
            .expect("sheet")
            .entry(id)
            .and_then(|e| e.scores.get(k).copied())
    }
    fn events(&self) -> Vec<Change> {
        self.bundle()
            .history()
            .expect("history")
            .into_iter()
            .map(|e| e.change)
            .collect()
    }
    fn screen(&mut self) -> String {
        screen(&mut self.app, 80, 24)
    }
}

fn screen(app: &mut App, w: u16, h: u16) -> String {
    screen::text(w, h, |f| ui::draw(f, app))
}

#[test]
fn a_score_is_shown_only_after_the_store_returned() {
    let mut s = setup(true);
    s.open("2023-T-001");
    let before = s.events().len();
    // Typed digits wait (shown pending); Enter asks for the write.
    assert!(feed(&mut s.app, [key('2'), key('1')]).is_empty());
    assert_eq!(s.app.pending(), "21");
    let effects = feed(&mut s.app, [code(KeyCode::Enter)]);
    assert_eq!(
        effects,
        vec![Effect::Append(Change::Score {
            app: "2023-T-001".into(),
            criterion: "innovation".into(),
            value: Some(21),
        })]
    );
    assert_eq!(s.app.save(), SaveState::Pending);
    assert!(s.app.entry(0).is_none(), "not on screen before the write");
    assert!(!s.screen().contains("saved"));
    for e in effects {
        assert!(run_effect(&mut s.copy, &s.clock, &mut s.app, e));
    }
    let seq = before as u64 + 1;
    assert_eq!(s.app.save(), SaveState::Saved(seq));
    assert!(s.screen().contains(&format!("saved #{seq}")));
    assert_eq!(s.score("2023-T-001", "innovation"), Some(21));
    assert!(s.screen().contains("[21]/25"));
}

#[test]
fn digits_steps_and_clearing() {
    let mut s = setup(true);
    s.open("2023-T-001");
    // Even a digit that cannot grow within the scale waits for Enter.
    s.drive([key('7')]);
    assert_eq!(s.score("2023-T-001", "innovation"), None);
    s.drive([code(KeyCode::Enter)]);
    assert_eq!(s.score("2023-T-001", "innovation"), Some(7));
    // "0" may be the start of "05": it waits for Enter.
    s.drive([key('j'), key('0')]);
    assert_eq!(s.score("2023-T-001", "advancement"), None);
    s.drive([code(KeyCode::Enter)]);
    assert_eq!(s.score("2023-T-001", "advancement"), Some(0));
    // Out of scale: refused on screen, nothing written.
    let n = s.events().len();
    s.drive([key('2'), key('9')]);
    assert_eq!(s.events().len(), n);
    assert!(
        s.app.message().as_ref().is_some_and(|m| m.1),
        "an error note"
    );
    // Steps: small, large, clamped at both ends.
    s.drive([key('l')]);
    assert_eq!(s.score("2023-T-001", "advancement"), Some(1));
    s.drive([key('L'), key('L')]);
    assert_eq!(s.score("2023-T-001", "advancement"), Some(11));
    for _ in 0..5 {
        s.drive([key('L')]);
    }
    assert_eq!(s.score("2023-T-001", "advancement"), Some(25));
    s.drive([key('h'), key('H')]);
    assert_eq!(s.score("2023-T-001", "advancement"), Some(19));
    s.drive([code(KeyCode::Left)]);
    assert_eq!(s.score("2023-T-001", "advancement"), Some(18));
    // Pending digits are set when the expert moves on.
    s.drive([key('j'), key('1'), key('j')]);
    assert_eq!(s.score("2023-T-001", "practicality"), Some(1));
    // Stepping from unset starts at the bottom of the scale.
    s.drive([key('l')]);
    assert_eq!(s.score("2023-T-001", "replicability"), Some(0));
    // Clearing is an event too.
    s.drive([key('x')]);
    assert_eq!(s.score("2023-T-001", "replicability"), None);
    assert!(matches!(
        s.events().last(),
        Some(Change::Score { value: None, .. })
    ));
}

#[test]
fn the_total_updates_live_and_completion_needs_comment_and_recommendation() {
    let mut s = setup(true);
    s.open("2023-T-001");
    for d in ["21", "18", "20", "19"] {
        let mut e = typed(d);
        e.push(key('j'));
        s.drive(e);
    }
    assert!(s.screen().contains("total 78/100"), "{}", s.screen());
    assert_eq!(s.app.status(0), Status::Draft);
    s.drive([key('y')]);
    assert_eq!(s.app.status(0), Status::Draft, "comment still missing");
    let mut e = vec![key('c')];
    e.extend(typed(COMMENT));
    e.push(code(KeyCode::Esc));
    s.drive(e);
    assert!(s.app.dialog().is_none());
    assert_eq!(s.app.status(0), Status::Complete);
    let entry = s
        .bundle()
        .current()
        .unwrap()
        .entry("2023-T-001")
        .cloned()
        .unwrap();
    assert_eq!(entry.comment, COMMENT);
    assert_eq!(entry.recommend, Some(true));
    // y again: undecided.
    s.drive([key('y')]);
    assert_eq!(s.app.entry(0).unwrap().recommend, None);
    s.drive([key('n')]);
    assert_eq!(s.app.entry(0).unwrap().recommend, Some(false));
    // The header counts follow.
    let done = s.app.count(panelist::domain::history::Status::Complete);
    assert_eq!(done, 2);
}

#[test]
fn the_comment_editor_takes_chinese_and_multiple_lines() {
    let mut s = setup(true);
    s.open("2023-T-001");
    let mut e = vec![key('c')];
    e.extend(typed("第一段：技术先进。"));
    e.push(code(KeyCode::Enter));
    e.extend(typed("第二段：建议推荐。"));
    // Ctrl-S saves and stays open.
    e.push(ctrl('s'));
    s.drive(e);
    assert!(matches!(s.app.dialog(), Some(Dialog::Comment { .. })));
    let text = "第一段：技术先进。\n第二段：建议推荐。";
    assert_eq!(
        s.bundle()
            .current()
            .unwrap()
            .entry("2023-T-001")
            .unwrap()
            .comment,
        text
    );
    // Closing unchanged writes nothing more.
    let n = s.events().len();
    s.drive([code(KeyCode::Esc)]);
    assert_eq!(s.events().len(), n);
    // Ctrl-C in the editor saves, then quits.
    s.drive([key('c')]);
    let more = typed("补充");
    s.drive(more);
    let go_on = s.drive([ctrl('c')]);
    assert!(!go_on, "Ctrl-C quits");
    assert!(
        s.bundle()
            .current()
            .unwrap()
            .entry("2023-T-001")
            .unwrap()
            .comment
            .ends_with("补充")
    );
}

#[test]
fn recusal_needs_a_reason_and_confirmation_locks_scoring_and_is_withdrawn_by_a_new_event() {
    let mut s = setup(true);
    s.open("2023-T-007");
    let n = s.events().len();
    // No reason: refused in the dialog.
    s.drive([key('r'), code(KeyCode::Enter)]);
    assert!(matches!(
        s.app.dialog(),
        Some(Dialog::Recuse { confirm: false, .. })
    ));
    // Esc backs out.
    s.drive([code(KeyCode::Esc)]);
    assert!(s.app.dialog().is_none());
    assert_eq!(s.events().len(), n);
    // A reason, then Enter, then the confirmation.
    let mut e = vec![key('r')];
    e.extend(typed("与牵头单位有合作"));
    e.push(code(KeyCode::Enter));
    s.drive(e);
    assert!(matches!(
        s.app.dialog(),
        Some(Dialog::Recuse { confirm: true, .. })
    ));
    assert_eq!(s.events().len(), n, "nothing before confirming");
    s.drive([key('y')]);
    assert_eq!(
        s.events().last(),
        Some(&Change::Recuse {
            app: "2023-T-007".into(),
            reason: "与牵头单位有合作".into()
        })
    );
    // Locked: digits, steps and comments write nothing.
    let n = s.events().len();
    s.drive([key('5'), key('l'), key('c'), key('y')]);
    assert_eq!(s.events().len(), n);
    assert!(s.app.dialog().is_none());
    assert!(s.screen().contains("Recused"));
    // Withdrawal: a new event; the recusal stays in the history.
    let mut e = vec![key('r')];
    e.extend(typed("误操作"));
    e.extend([code(KeyCode::Enter), code(KeyCode::Enter)]);
    s.drive(e);
    let ev = s.events();
    assert_eq!(
        ev.last(),
        Some(&Change::Unrecuse {
            app: "2023-T-007".into(),
            reason: "误操作".into()
        })
    );
    assert!(
        ev.iter()
            .any(|c| matches!(c, Change::Recuse { app, .. } if app == "2023-T-007"))
    );
    s.drive([key('5'), code(KeyCode::Enter)]);
    assert_eq!(s.score("2023-T-007", "innovation"), Some(5));
    assert!(s.bundle().verify_chain().unwrap().is_ok());
}

#[test]
fn a_possible_conflict_asks_before_scoring() {
    let mut s = setup(true);
    // 2023-T-005's lead unit is 华信安全技术研究院有限公司; E01 works at 华信安全研究院.
    assert!(s.app.conflict(4).is_some());
    assert!(s.app.conflict(0).is_none());
    assert!(s.app.select_id("2023-T-005"));
    s.drive([code(KeyCode::Enter)]);
    assert!(matches!(s.app.dialog(), Some(Dialog::Conflict { .. })));
    // Later: the question comes back at the first score.
    s.drive([code(KeyCode::Esc), code(KeyCode::Tab), key('9')]);
    assert!(matches!(s.app.dialog(), Some(Dialog::Conflict { .. })));
    assert_eq!(s.score("2023-T-005", "innovation"), None);
    // "No conflict": scoring goes on.
    s.drive([key('c'), key('9'), code(KeyCode::Enter)]);
    assert_eq!(s.score("2023-T-005", "innovation"), Some(9));
    // 2023-T-006 has it as a joint unit: recuse from the question.
    assert!(s.app.select_id("2023-T-006"));
    s.drive([code(KeyCode::Enter)]);
    let mut e = vec![key('r')];
    e.extend(typed("本人单位为联合单位"));
    e.extend([code(KeyCode::Enter), key('y')]);
    s.drive(e);
    assert_eq!(s.app.status(5), Status::Recused);
}

#[test]
fn search_updates_per_keystroke_over_ids_titles_and_units() {
    let mut s = setup(true);
    s.drive([key('/')]);
    assert!(s.app.searching());
    s.drive([key('华')]);
    let after_one = s.app.visible().len();
    s.drive([key('信')]);
    let ids: Vec<&str> = s
        .app
        .visible()
        .iter()
        .map(|&i| s.app.session().apps[i].id.as_str())
        .collect();
    assert_eq!(ids, vec!["2023-T-005", "2023-T-006"], "lead and joint unit");
    assert!(after_one >= ids.len());
    // Backspace widens again; Enter keeps the query, Esc clears it.
    s.drive([code(KeyCode::Backspace)]);
    assert_eq!(s.app.visible().len(), after_one);
    s.drive(typed("信"));
    s.drive([code(KeyCode::Enter)]);
    assert!(!s.app.searching());
    assert_eq!(s.app.visible().len(), 2);
    s.drive([key('/'), code(KeyCode::Esc)]);
    assert_eq!(s.app.visible().len(), 18);
    // By id and by title.
    s.drive([key('/')]);
    s.drive(typed("T-014"));
    assert_eq!(s.app.current(), Some(13));
    s.drive([code(KeyCode::Esc), key('/')]);
    s.drive(typed("零信任"));
    assert_eq!(s.app.current(), Some(8));
}

#[test]
fn every_direction_is_a_few_keys_away_and_status_filters_cycle() {
    let mut s = setup(true);
    for code_ in 1..=13u32 {
        let mut e = vec![key('d')];
        e.extend(typed(&code_.to_string()));
        if code_ == 1 {
            e.push(code(KeyCode::Enter));
        }
        s.drive(e);
        assert_eq!(s.app.dir_filter(), Some(code_), "direction {code_}");
        assert!(s.app.dialog().is_none());
        assert!(
            s.app
                .visible()
                .iter()
                .all(|&i| s.app.session().apps[i].direction == Some(code_))
        );
    }
    s.drive([key('d'), key('0')]);
    assert_eq!(s.app.dir_filter(), None);
    s.drive([key(']'), key(']')]);
    assert_eq!(s.app.dir_filter(), Some(2));
    s.drive([key('['), key('['), key('[')]);
    assert_eq!(s.app.dir_filter(), Some(13));
    s.drive([key('x')]);
    assert_eq!(s.app.dir_filter(), None);
    // Status: to do, draft, complete, recused, all.
    let expect = [
        (Some(Status::Todo), 15),
        (Some(Status::Draft), 1),
        (Some(Status::Complete), 1),
        (Some(Status::Recused), 1),
        (None, 18),
    ];
    for (st, n) in expect {
        s.drive([key('s')]);
        assert_eq!(s.app.status_filter(), st);
        assert_eq!(s.app.visible().len(), n, "{st:?}");
    }
}

#[test]
fn the_identity_picker_claims_the_working_copy() {
    let mut s = setup(false);
    assert!(matches!(s.app.screen(), Screen::Identity(_)));
    assert!(s.screen().contains("Who are you?"));
    s.drive([key('j'), code(KeyCode::Enter)]);
    // The pick is confirmed first, naming the expert and the key.
    assert!(s.bundle().owner().unwrap().is_none(), "not claimed yet");
    let text = screen(&mut s.app, 140, 40);
    assert!(
        text.contains("Claim this working copy as E02 李晓梅 (北方网络安全测评中心)"),
        "{text}"
    );
    assert!(text.contains("no signing key yet"), "{text}");
    // Esc goes back to the list; Enter twice claims.
    s.drive([code(KeyCode::Esc)]);
    assert!(s.screen().contains("Who are you?"));
    s.drive([code(KeyCode::Enter)]);
    assert!(matches!(s.app.screen(), Screen::Identity(_)));
    s.drive([code(KeyCode::Enter)]);
    assert!(matches!(s.app.screen(), Screen::Main));
    let owner = s.bundle().owner().unwrap().expect("claimed");
    assert_eq!(owner.id, "E02");
    assert!(s.screen().contains("E02 李晓梅"));
}

#[test]
fn manual_identity_is_checked_then_claimed() {
    let mut s = setup(false);
    // Past the roster: manual entry.
    s.drive([key('j'), key('j'), key('j'), code(KeyCode::Enter)]);
    let mut e = typed("bad id");
    e.extend([code(KeyCode::Tab), code(KeyCode::Tab), code(KeyCode::Enter)]);
    s.drive(e);
    assert!(s.bundle().owner().unwrap().is_none());
    assert!(s.screen().contains("expert id must be"));
    // Fix the id (Ctrl-U clears the field), add a name and an organisation.
    let mut e = vec![ctrl('u')];
    e.extend(typed("E09"));
    e.push(code(KeyCode::Enter));
    e.extend(typed("赵敏"));
    e.push(code(KeyCode::Enter));
    e.extend(typed("华信安全研究院"));
    e.push(code(KeyCode::Enter));
    s.drive(e);
    assert!(s.bundle().owner().unwrap().is_none(), "asks first");
    assert!(s.screen().contains("E09 赵敏"));
    s.drive([code(KeyCode::Enter)]);
    let owner = s.bundle().owner().unwrap().expect("claimed");
    assert_eq!(
        (owner.id.as_str(), owner.name.as_str(), owner.org.as_str()),
        ("E09", "赵敏", "华信安全研究院")
    );
    // The conflicts follow the new identity.
    assert!(s.app.conflict(4).is_some());
}

#[test]
fn quitting_is_immediate_from_anywhere_and_esc_backs_out() {
    let mut s = setup(true);
    for opener in [key('?'), key('d'), key('o'), key('r')] {
        s.drive([opener]);
        assert!(s.app.dialog().is_some());
        s.drive([code(KeyCode::Esc)]);
        assert!(s.app.dialog().is_none());
    }
    s.drive([code(KeyCode::Enter)]);
    assert!(s.app.app_view());
    s.drive([code(KeyCode::Esc)]);
    assert!(!s.app.app_view());
    assert_eq!(feed(&mut s.app, [key('q')]), vec![Effect::Quit]);
}

#[test]
fn language_switches_with_a_key() {
    let mut s = setup(true);
    assert!(s.screen().contains("Applications"));
    s.drive([code(KeyCode::F(2))]);
    assert_eq!(s.app.lang(), Lang::Zh);
    assert!(s.screen().contains("申报项目"));
    s.drive([ctrl('t')]);
    assert!(s.screen().contains("Applications"));
}

#[test]
fn a_failed_write_says_so_in_the_screen_language() {
    let mut s = setup(true);
    s.drive([code(KeyCode::F(2))]);
    assert_eq!(s.app.lang(), Lang::Zh);
    s.app.on_appended(Err("wc.bundle: disk I/O error".into()));
    assert_eq!(
        s.app.save(),
        SaveState::Failed("未保存：wc.bundle: disk I/O error".into())
    );
    let text = screen(&mut s.app, 140, 40);
    assert!(text.contains("未保存：wc.bundle: disk I/O error"), "{text}");
    s.drive([code(KeyCode::F(2))]);
    s.app.on_appended(Err("wc.bundle: disk I/O error".into()));
    assert!(
        screen(&mut s.app, 140, 40).contains("Not saved: wc.bundle: disk I/O error"),
        "{}",
        screen(&mut s.app, 140, 40)
    );
}

#[test]
fn export_errors_say_so_in_the_screen_language() {
    let mut s = export_setup(vec![key_listing("E01")]);
    s.drive([code(KeyCode::F(2))]);
    let mut e = vec![
        key('e'),
        key('p'),
        code(KeyCode::Enter),
        code(KeyCode::Enter),
    ];
    e.extend(typed("right one"));
    e.push(code(KeyCode::Enter));
    assert_eq!(feed(&mut s.app, e).len(), 1);
    s.app.on_exported(Err(ExportFailure::Export(
        "/nowhere/E01.json: cannot write".into(),
    )));
    let text = screen(&mut s.app, 140, 40);
    assert!(
        text.contains("导出失败：/nowhere/E01.json: cannot write"),
        "{text}"
    );
}

#[test]
fn the_mouse_wheel_scrolls_the_list() {
    let mut s = setup(true);
    let _ = s.screen();
    let wheel = |kind| {
        Event::Mouse(MouseEvent {
            kind,
            column: 10,
            row: 6,
            modifiers: KeyModifiers::NONE,
        })
    };
    s.drive([wheel(MouseEventKind::ScrollDown)]);
    assert_eq!(s.app.selected(), 3);
    s.drive([wheel(MouseEventKind::ScrollUp)]);
    assert_eq!(s.app.selected(), 0);
}

/// The export dialog of the scored fixture, with E01's key listed.
fn export_setup(keys: Vec<panelist::keyring::KeyListing>) -> Setup {
    let mut s = setup(true);
    s.app.session_mut().keys = keys;
    s
}

#[test]
fn export_walks_review_file_and_passphrase_and_hands_the_loop_a_request() {
    let mut s = export_setup(vec![key_listing("E01")]);
    assert!(
        screen(&mut s.app, 140, 40).contains("key 5f1c0a9e7b3d2468"),
        "header names the key"
    );
    s.drive([key('e')]);
    let step = |s: &Setup| match &s.app.dialog() {
        Some(Dialog::Export(d)) => Some(d.step),
        _ => None,
    };
    assert_eq!(step(&s), Some(ExportStep::Review));
    let text = s.screen();
    assert!(
        text.contains("16 application(s) neither complete nor recused"),
        "{text}"
    );
    assert!(text.contains("[ ] export as partial"), "{text}");
    // Open applications: Enter alone is refused, p chooses a partial file.
    s.drive([code(KeyCode::Enter)]);
    assert_eq!(step(&s), Some(ExportStep::Review));
    assert!(s.screen().contains("press p to export as partial"));
    s.drive([key('p'), code(KeyCode::Enter)]);
    assert_eq!(step(&s), Some(ExportStep::Path));
    // Esc goes one step back, and forward again.
    s.drive([code(KeyCode::Esc)]);
    assert_eq!(step(&s), Some(ExportStep::Review));
    s.drive([code(KeyCode::Enter)]);
    assert_eq!(step(&s), Some(ExportStep::Path));
    let default = s.app.default_export_path();
    let prefix: String = s.app.session().meta.bundle_id.chars().take(8).collect();
    assert_eq!(
        default.file_name().and_then(|n| n.to_str()),
        Some(format!("E01-{prefix}.json").as_str())
    );
    assert_eq!(default.parent(), s.app.session().path.parent());
    // Edit the file name: drop ".json", add "-final.json".
    let mut e: Vec<Event> = (0..5).map(|_| code(KeyCode::Backspace)).collect();
    e.extend(typed("-final.json"));
    e.push(code(KeyCode::Enter));
    s.drive(e);
    assert_eq!(step(&s), Some(ExportStep::Passphrase));
    // An empty passphrase is not sent.
    assert!(feed(&mut s.app, [code(KeyCode::Enter)]).is_empty());
    let secret = "open sesame 芝麻";
    assert!(feed(&mut s.app, typed(secret)).is_empty());
    let text = s.screen();
    assert!(
        !text.contains("open sesame") && !text.contains("芝麻"),
        "{text}"
    );
    assert!(text.contains("••••••••••••••"), "{text}");
    let effects = feed(&mut s.app, [code(KeyCode::Enter)]);
    let want_out = default
        .to_str()
        .map(|p| format!("{}-final.json", p.trim_end_matches(".json")))
        .expect("utf-8");
    assert_eq!(
        effects,
        vec![Effect::Export(ExportRequest {
            expert: "E01".into(),
            out: want_out.into(),
            allow_incomplete: true,
            replace: false,
            passphrase: Passphrase::new(secret.into()),
        })]
    );
    assert_eq!(step(&s), Some(ExportStep::Running));
    // Keys do nothing while it runs.
    assert!(feed(&mut s.app, [code(KeyCode::Esc), key('q')]).is_empty());
    assert_eq!(step(&s), Some(ExportStep::Running));
}

#[test]
fn a_wrong_passphrase_asks_again_and_other_errors_stay_in_the_dialog() {
    let mut s = export_setup(vec![key_listing("E01")]);
    let mut e = vec![
        key('e'),
        key('p'),
        code(KeyCode::Enter),
        code(KeyCode::Enter),
    ];
    e.extend(typed("wrong"));
    e.push(code(KeyCode::Enter));
    let effects = feed(&mut s.app, e);
    assert_eq!(effects.len(), 1);
    s.app
        .on_exported(Err(ExportFailure::WrongPassphrase("/k/E01.key".into())));
    let Some(Dialog::Export(d)) = &s.app.dialog() else {
        panic!("the dialog stays open");
    };
    assert_eq!(d.step, ExportStep::Passphrase);
    assert!(d.pass.is_empty(), "the field is empty again");
    assert!(s.screen().contains("Wrong passphrase, try again"));
    // A file that cannot be written: back at the file, with the reason.
    let mut e = typed("right one");
    e.push(code(KeyCode::Enter));
    assert_eq!(feed(&mut s.app, e).len(), 1);
    s.app.on_exported(Err(ExportFailure::Export(
        "/nowhere/E01.json: cannot write: No such file or directory".into(),
    )));
    let Some(Dialog::Export(d)) = &s.app.dialog() else {
        panic!("the dialog stays open");
    };
    assert_eq!(d.step, ExportStep::Path);
    assert!(
        s.screen()
            .contains("Export failed: /nowhere/E01.json: cannot write")
    );
    // Esc backs out step by step (to the review), then closes.
    s.drive([code(KeyCode::Esc)]);
    assert!(matches!(&s.app.dialog(), Some(Dialog::Export(d)) if d.step == ExportStep::Review));
    s.drive([code(KeyCode::Esc)]);
    assert!(s.app.dialog().is_none());
}

#[test]
fn export_without_a_key_says_how_to_make_one() {
    let mut s = export_setup(Vec::new());
    s.drive([key('e'), key('p'), code(KeyCode::Enter)]);
    let Some(Dialog::Export(d)) = &s.app.dialog() else {
        panic!("open");
    };
    assert_eq!(d.step, ExportStep::Review, "no key, no next step");
    let text = screen(&mut s.app, 140, 40);
    assert!(text.contains("No signing key for expert E01"), "{text}");
    assert!(
        text.contains("panelist key new --id E01 --name 王志远 --org 华信安全研究院"),
        "{text}"
    );
    assert!(text.contains("No usable signing key"), "{text}");
}

#[test]
fn a_key_of_another_expert_or_another_key_is_not_used() {
    // E02's key only: E01 has none.
    let mut s = export_setup(vec![key_listing("E02")]);
    assert!(
        !screen(&mut s.app, 140, 40).contains("key 5f1c"),
        "E02's key is not E01's"
    );
    s.drive([key('e')]);
    assert!(s.screen().contains("No signing key for expert E01"));
}

#[test]
fn the_only_key_is_offered_first_and_claims_with_its_key_id() {
    let mut s = setup(false);
    s.app.session_mut().keys = vec![key_listing("E02")];
    let text = s.screen();
    assert!(text.contains("(signing key 5f1c0a9e7b3d2468)"), "{text}");
    // The key's owner is listed once, first, with the key.
    assert_eq!(text.matches("E02").count(), 1, "{text}");
    let first = text.lines().find(|l| l.contains('▶')).expect("a cursor");
    assert!(
        first.contains("E02") && first.contains("signing key"),
        "{text}"
    );
    s.drive([code(KeyCode::Enter)]);
    assert!(s.bundle().owner().unwrap().is_none(), "asks first");
    let text = screen(&mut s.app, 140, 40);
    assert!(text.contains("as E02 李晓梅"), "{text}");
    assert!(text.contains("signing with key 5f1c0a9e7b3d2468"), "{text}");
    s.drive([code(KeyCode::Enter)]);
    let owner = s.bundle().owner().unwrap().expect("claimed");
    assert_eq!(owner.id, "E02");
    assert_eq!(owner.key_id.as_deref(), Some(KEY_ID));
    assert!(
        screen(&mut s.app, 140, 40)
            .contains("E02 李晓梅 (北方网络安全测评中心) · key 5f1c0a9e7b3d2468")
    );
}

#[test]
fn two_keys_are_not_offered_and_the_roster_picker_is_unchanged() {
    let mut s = setup(false);
    s.app.session_mut().keys = vec![key_listing("E01"), key_listing("E02")];
    assert!(!s.screen().contains("signing key"));
    s.drive([key('j'), code(KeyCode::Enter), code(KeyCode::Enter)]);
    let owner = s.bundle().owner().unwrap().expect("claimed");
    assert_eq!((owner.id.as_str(), owner.key_id), ("E02", None));
}

#[test]
fn untrusted_text_never_reaches_the_terminal() {
    let mut s = setup(true);
    assert!(s.app.select_id("2023-T-017"));
    let check = |app: &mut App, what: &str| {
        for (w, h) in [(80, 24), (140, 40)] {
            let text = screen(app, w, h);
            assert!(
                !text.chars().any(|c| is_dangerous(c) || c == '\u{1b}'),
                "{what} at {w}x{h}: {text:?}"
            );
            assert!(text.contains('␛'), "{what}: ESC is shown as a picture");
        }
    };
    check(&mut s.app, "list");
    s.drive([code(KeyCode::Enter)]);
    check(&mut s.app, "detail");
    let text = screen(&mut s.app, 140, 40);
    assert!(text.contains("<U+202E>"), "{text}");
    s.drive([key('r')]);
    check(&mut s.app, "recusal dialog");
    s.drive([code(KeyCode::Esc), key('/')]);
    s.drive(typed("暗影"));
    check(&mut s.app, "search");
}

#[test]
fn a_ten_thousand_application_bundle_opens_searches_and_draws() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("big.bundle");
    let mut content = content();
    let base = content.applications.clone();
    content.applications = (0..10_000)
        .map(|i| {
            let mut a = base[i % base.len()].clone();
            a.id = format!("2023-B-{i:05}");
            a.title = format!("{}（第{i}号）", a.title);
            a
        })
        .collect();
    Bundle::create(&path, &content, "大型评审组", &clock(), false).expect("create");
    let mut b = Bundle::open_write(&path).expect("open");
    b.claim(&identity("E01")).expect("claim");
    let mut app = App::new(Session::load(&b).expect("load"), settings(Lang::Zh));
    app.update(Action::Resize {
        width: 140,
        height: 40,
    });
    let text = screen(&mut app, 140, 40);
    assert!(text.contains("10000/10000"));
    let c = clock();
    let mut b = WorkingCopy::new(b);
    drive(&mut app, &mut b, &c, [key('/')]);
    drive(&mut app, &mut b, &c, typed("第9999号"));
    assert_eq!(
        app.current().map(|i| app.session().apps[i].id.as_str()),
        Some("2023-B-09999")
    );
    drive(&mut app, &mut b, &c, [code(KeyCode::Enter), key('G')]);
    let text = screen(&mut app, 140, 40);
    assert!(text.contains("2023-B-"));
    drive(&mut app, &mut b, &c, [code(KeyCode::Esc), key('G')]);
    assert_eq!(app.selected(), 9999);
    let text = screen(&mut app, 140, 40);
    assert!(text.contains("2023-B-09999"));
}

/// Every event of `b` carries a signature by `key`.
fn all_signed_by(b: &Bundle, key: &panelist::keyring::Unlocked) -> bool {
    use panelist::crypto::event::{EventSig, check_all};
    let sigs = b.event_signatures().expect("sigs");
    let events = b.history().expect("history");
    let pairs: Vec<([u8; 32], Option<&str>)> = events
        .iter()
        .zip(&sigs)
        .map(|(e, (_, s))| {
            (
                panelist::domain::history::unhex32(&e.hash).expect("hash"),
                s.as_deref(),
            )
        })
        .collect();
    let verdicts = check_all(std::slice::from_ref(key.key.verify_key()), &pairs);
    !verdicts.is_empty() && verdicts.iter().all(|v| *v == EventSig::Current)
}

#[test]
fn a_keyed_copy_asks_the_passphrase_once_a_wrong_one_again_then_every_change_is_signed() {
    isolated_home();
    let e01 = test_key("E01");
    panelist::keyring::save_new(&e01.file, true).expect("save the key");
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("wc.bundle");
    scored(&path);
    let keys = panelist::keyring::public_keys().expect("keys");
    let b = Bundle::open_write(&path).expect("open");
    let session = Session::load(&b).expect("load").with_keys(keys);
    let mut app = App::new(session, settings(Lang::En));
    app.update(Action::Resize {
        width: 80,
        height: 24,
    });
    let mut copy = WorkingCopy::new(b);
    let c = clock();
    // As the loop opens the copy: the passphrase dialog.
    app.ask_for_key();
    assert!(matches!(app.dialog(), Some(Dialog::Unlock(_))));
    assert!(screen(&mut app, 80, 24).contains("Unlock your signing key"));
    // Later: nothing changes, and the first change key asks again.
    drive(&mut app, &mut copy, &c, [code(KeyCode::Esc)]);
    assert!(app.dialog().is_none());
    assert!(screen(&mut app, 80, 24).contains("Key locked"));
    let before = copy.bundle().expect("open").history().expect("h").len();
    drive(
        &mut app,
        &mut copy,
        &c,
        [code(KeyCode::Enter), code(KeyCode::Tab), key('7')],
    );
    assert!(matches!(app.dialog(), Some(Dialog::Unlock(_))));
    assert_eq!(
        copy.bundle().expect("open").history().expect("h").len(),
        before
    );
    // A wrong passphrase asks again, with a notice.
    let mut e = typed("not the passphrase");
    e.push(code(KeyCode::Enter));
    drive(&mut app, &mut copy, &c, e);
    assert!(matches!(app.dialog(), Some(Dialog::Unlock(_))));
    assert!(!copy.is_signed());
    assert!(screen(&mut app, 80, 24).contains("Wrong passphrase: try again"));
    // The right one unlocks; the score is saved and signed.
    let mut e = typed(PASS);
    e.push(code(KeyCode::Enter));
    drive(&mut app, &mut copy, &c, e);
    assert!(app.dialog().is_none());
    assert!(copy.is_signed());
    assert_eq!(app.signing(), &panelist::tui::expert::Signing::Unlocked);
    drive(&mut app, &mut copy, &c, [key('7'), code(KeyCode::Enter)]);
    assert_eq!(app.save(), SaveState::Saved(before as u64 + 1));
    let b = copy.bundle().expect("open");
    assert_eq!(b.history().expect("h").len(), before + 1);
    assert!(all_signed_by(b, &e01), "every event signed by E01's key");
}

#[test]
fn a_copy_with_events_another_key_made_is_refused_and_stays_read_only() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("wc.bundle");
    scored(&path);
    let mut app = app_for(&path, Lang::En, 140, 40);
    *app.signing_mut() = panelist::tui::expert::Signing::Locked;
    isolated_home();
    let mut copy = WorkingCopy::new(Bundle::open_write(&path).expect("open"));
    // E01's copy, but a key that did not sign its events.
    let mut other = test_key("E02");
    other.file.id = "E01".into();
    copy.sign_in(other, &mut app);
    assert!(!copy.is_signed());
    assert!(matches!(
        app.signing(),
        panelist::tui::expert::Signing::Refused(r) if r.contains("not made with your key")
    ));
    let text = screen(&mut app, 140, 40);
    assert!(text.contains("Read-only:"), "{text}");
    let before = copy.bundle().expect("open").history().expect("h").len();
    let c = clock();
    drive(
        &mut app,
        &mut copy,
        &c,
        [code(KeyCode::Tab), code(KeyCode::Tab), key('7')],
    );
    assert!(app.dialog().is_none(), "no key dialog on a refused copy");
    assert_eq!(
        copy.bundle().expect("open").history().expect("h").len(),
        before
    );
}

#[test]
fn a_keyless_expert_makes_the_key_on_the_screens_and_hands_the_roster_entry_over() {
    let mut s = setup(false);
    // E03 picked from the roster: the copy is claimed, and E03 has no key.
    s.drive([
        key('j'),
        key('j'),
        code(KeyCode::Enter),
        code(KeyCode::Enter),
    ]);
    assert_eq!(s.bundle().owner().unwrap().expect("claimed").id, "E03");
    assert!(matches!(s.app.dialog(), Some(Dialog::NewKey(_))));
    let text = s.screen();
    assert!(text.contains("at least 8 characters"), "{text}");
    assert!(text.contains("Zhang Wei"), "{text}");
    // Too short, then two that differ, then the same twice.
    let mut e = typed("short");
    e.push(code(KeyCode::Enter));
    s.drive(e);
    assert!(s.screen().contains("Passphrase too short"));
    let mut e = vec![ctrl('u')];
    e.extend(typed("long enough one"));
    e.push(code(KeyCode::Enter));
    e.extend(typed("long enough two"));
    e.push(code(KeyCode::Enter));
    s.drive(e);
    assert!(s.screen().contains("The two passphrases differ"));
    assert!(!s.copy.is_signed());
    let mut e = typed("long enough one");
    e.push(code(KeyCode::Enter));
    e.extend(typed("long enough one"));
    e.push(code(KeyCode::Enter));
    s.drive(e);
    assert!(s.copy.is_signed(), "{:?}", s.app.message());
    let entry_file = s._dir.path().join("E03.roster-entry.json");
    let text = std::fs::read_to_string(&entry_file).expect("the roster entry file");
    let entry: panelist::domain::RosterEntry = serde_json::from_str(&text).expect("json");
    assert_eq!(entry.id, "E03");
    let key_id = entry.key_id.clone().expect("key id");
    let listing = panelist::keyring::public_keys()
        .expect("keys")
        .into_iter()
        .find(|k| k.id == "E03")
        .expect("E03's key file");
    assert_eq!(listing.public.expect("reads").key_id, key_id);
    let shown = screen(&mut s.app, 140, 40);
    assert!(shown.contains("E03.roster-entry.json"), "{shown}");
    assert!(shown.contains(&key_id[..16]), "{shown}");
    // Closed, the expert scores at once, signed with the new key.
    s.drive([code(KeyCode::Enter)]);
    assert!(s.app.dialog().is_none());
    s.drive([
        code(KeyCode::Enter),
        code(KeyCode::Tab),
        key('7'),
        code(KeyCode::Enter),
    ]);
    assert!(
        matches!(s.app.save(), SaveState::Saved(1)),
        "{:?}",
        s.app.save()
    );
    let sigs = s.bundle().event_signatures().expect("sigs");
    assert!(sigs.iter().all(|(_, sig)| sig.is_some()));
}

/// The screens open on the list and the first application's texts; the
/// rest come from the content check once the first frame is drawn, and
/// the search finds them then. Altered content hands no texts over.
#[test]
fn a_brief_open_shows_the_first_text_and_takes_the_rest_from_the_content_check() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("wc.bundle");
    template(&path);
    let full = Bundle::open_read(&path)
        .expect("open")
        .applications()
        .expect("apps");
    assert!(full.len() >= 2 && full.iter().all(|a| !a.sections.overview.is_empty()));

    let mut b = Bundle::open_write_deferred(&path).expect("open");
    let session = Session::load_brief(&b).expect("brief");
    assert_eq!(session.apps[0], full[0], "the first application whole");
    assert!(
        session.apps[1..]
            .iter()
            .all(|a| a.sections.overview.is_empty()),
        "no other text read before the first frame"
    );
    let ids: Vec<&str> = session.apps.iter().map(|a| a.id.as_str()).collect();
    let want: Vec<&str> = full.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, want, "every application listed");
    let mut app = App::new(session, settings(Lang::En));
    assert!(app.needs_texts());
    b.start_content_check();
    app.on_texts(b.checked_applications().expect("checked"));
    assert!(!app.needs_texts());
    for (a, f) in app.session().apps.iter().zip(&full) {
        assert_eq!(a.sections, f.sections, "{}", a.id);
    }
    drop(b);

    // Another bundle's applications (a different list) are not taken.
    let mut other = App::new(
        Session::load_brief(&Bundle::open_read(&path).expect("open")).expect("brief"),
        settings(Lang::En),
    );
    other.on_texts(full[1..].to_vec());
    assert!(other.needs_texts(), "a different list is ignored");

    // Altered text: the check refuses, no texts are handed over.
    let c = rusqlite::Connection::open(&path).expect("open");
    c.execute(
        "UPDATE applications SET overview = overview || '改' WHERE position = 1",
        [],
    )
    .expect("edit");
    drop(c);
    let mut b = Bundle::open_write_deferred(&path).expect("open");
    let e = b.checked_applications().expect_err("altered").to_string();
    assert!(e.contains(&full[1].id), "{e}");
}

// ----- Scoring on purpose -----

#[test]
fn paging_in_the_scoring_panel_scrolls_the_text_and_never_changes_a_value() {
    let mut s = setup(true);
    s.open("2023-T-002");
    let before = s.events().len();
    let sheet = s.bundle().current().expect("sheet");
    for k in [
        KeyCode::PageDown,
        KeyCode::PageDown,
        KeyCode::PageUp,
        KeyCode::PageDown,
    ] {
        assert!(
            feed(&mut s.app, [code(k)]).is_empty(),
            "{k:?} writes nothing"
        );
    }
    assert_eq!(s.events().len(), before);
    assert_eq!(s.bundle().current().expect("sheet"), sheet);
    // The large steps keep their own keys.
    let effects = feed(&mut s.app, [key('H')]);
    assert!(
        matches!(
            &effects[..],
            [Effect::Append(Change::Score {
                value: Some(17),
                ..
            })]
        ),
        "{effects:?}"
    );
}

#[test]
fn every_application_opens_on_its_first_unscored_criterion_and_g_picks_the_ends() {
    let mut s = setup(true);
    // A draft with two criteria scored opens on the third.
    s.open("2023-T-003");
    assert_eq!(s.app.criterion_index(), 2);
    s.drive([key('G')]);
    assert_eq!(s.app.criterion_index(), 3);
    s.drive([key('g')]);
    assert_eq!(s.app.criterion_index(), 0);
    s.drive([code(KeyCode::End)]);
    assert_eq!(s.app.criterion_index(), 3);
    // The next application starts on its first criterion, so typing
    // through it fills every criterion.
    s.drive([code(KeyCode::Esc), code(KeyCode::Esc)]);
    assert!(s.app.select_id("2023-T-001"));
    s.drive([code(KeyCode::Enter), code(KeyCode::Tab)]);
    assert_eq!(s.app.criterion_index(), 0);
    let mut e = Vec::new();
    for (n, v) in ["15", "17", "21", "18"].iter().enumerate() {
        e.extend(typed(v));
        e.push(if n < 3 {
            key('j')
        } else {
            code(KeyCode::Enter)
        });
    }
    s.drive(e);
    let got: Vec<Option<i64>> = common::panel::CRITERIA
        .iter()
        .map(|k| s.score("2023-T-001", k))
        .collect();
    assert_eq!(got, [Some(15), Some(17), Some(21), Some(18)]);
    // A fully scored application opens on its first criterion.
    s.drive([code(KeyCode::Esc)]);
    assert!(s.app.select_id("2023-T-002"));
    s.drive([code(KeyCode::Enter), code(KeyCode::Tab)]);
    assert_eq!(s.app.criterion_index(), 0);
}

#[test]
fn a_typed_value_is_never_saved_by_esc_or_q() {
    let mut s = setup(true);
    s.open("2023-T-002");
    let before = s.events().len();
    // Esc discards it and says so.
    assert!(feed(&mut s.app, [key('1')]).is_empty());
    assert_eq!(s.app.pending(), "1");
    assert!(s.screen().contains("[1_]"), "{}", s.screen());
    assert!(s.screen().contains("not saved yet"), "{}", s.screen());
    assert!(feed(&mut s.app, [code(KeyCode::Esc)]).is_empty());
    assert_eq!(s.app.pending(), "");
    let note = s.app.message().cloned().expect("a note");
    assert!(note.0.contains("not saved"), "{note:?}");
    assert!(s.app.app_view(), "the first Esc only discards");
    // q with a value typed asks; n goes back to it; y quits without it.
    assert!(feed(&mut s.app, [key('1')]).is_empty());
    assert!(feed(&mut s.app, [key('q')]).is_empty());
    assert!(matches!(s.app.dialog(), Some(Dialog::QuitPending)));
    assert!(
        s.screen().contains("the typed 1 is not saved"),
        "{}",
        s.screen()
    );
    assert!(feed(&mut s.app, [key('n')]).is_empty());
    assert!(s.app.dialog().is_none());
    assert_eq!(s.app.pending(), "1");
    assert_eq!(
        feed(&mut s.app, [key('q'), key('y')]),
        vec![Effect::Quit],
        "quits, writing nothing"
    );
    // Ctrl-C does not save it either.
    let mut s = setup(true);
    s.open("2023-T-002");
    assert_eq!(feed(&mut s.app, [key('1'), ctrl('c')]), vec![Effect::Quit]);
    assert_eq!(s.events().len(), before);
    assert_eq!(s.score("2023-T-002", "innovation"), Some(22));
}

#[test]
fn a_number_past_the_scale_is_refused_whole() {
    let mut s = setup(true);
    s.open("2023-T-001");
    let before = s.events().len();
    assert!(feed(&mut s.app, [key('3'), key('0')]).is_empty());
    assert_eq!(s.app.pending(), "", "refused whole");
    let note = s.app.message().cloned().expect("a note");
    assert!(note.1, "an error: {note:?}");
    assert!(note.0.contains("30") && note.0.contains("0–25"), "{note:?}");
    assert!(note.0.contains("nothing saved"), "{note:?}");
    s.drive([code(KeyCode::Enter), code(KeyCode::Tab)]);
    assert_eq!(s.events().len(), before);
    // In Chinese too, naming the criterion.
    let mut s = setup(true);
    s.drive([code(KeyCode::F(2))]);
    s.open("2023-T-001");
    s.drive([key('3'), key('0')]);
    let note = s.app.message().cloned().expect("a note");
    assert!(
        note.0.contains("0–25") && note.0.contains("未保存"),
        "{note:?}"
    );
}

#[test]
fn a_saved_change_flashes_where_it_happened() {
    let mut s = setup(true);
    s.open("2023-T-001");
    s.drive([key('9'), code(KeyCode::Enter)]);
    let text = screen(&mut s.app, 140, 40);
    let row = text
        .lines()
        .find(|l| l.contains("[ 9]/25"))
        .expect("the scored row");
    assert!(row.contains("✓saved"), "{text}");
    s.drive([key('y')]);
    let text = screen(&mut s.app, 140, 40);
    let rec = text
        .lines()
        .find(|l| l.contains("recommendation:"))
        .expect("the recommendation line");
    assert!(rec.contains("✓saved"), "{text}");
    assert!(!text.contains("[ 9]/25 ✓saved"), "one flash at a time");
    // The next key clears it.
    s.drive([key('j')]);
    assert!(!screen(&mut s.app, 140, 40).contains("✓saved"));
    // A recusal flashes on the scoring panel it locks.
    let mut e = vec![key('r')];
    e.extend(typed("本人曾参与论证"));
    e.extend([code(KeyCode::Enter), key('y')]);
    s.drive(e);
    assert_eq!(s.app.status(0), Status::Recused);
    let text = screen(&mut s.app, 140, 40);
    assert!(text.contains("⊘ recused ✓saved"), "{text}");
}

#[test]
fn header_filter_and_export_count_alike_and_a_draft_says_what_it_lacks() {
    let mut s = setup(true);
    s.app.session_mut().keys = vec![key_listing("E01")];
    let header = screen(&mut s.app, 140, 40);
    let head: String = header.lines().take(2).collect();
    for st in [
        Status::Todo,
        Status::Draft,
        Status::Complete,
        Status::Recused,
    ] {
        let n = s.app.count(st);
        let label = s.app.s().status(st);
        assert!(head.contains(&format!("{n} {label}")), "{st:?}: {head}");
        // The status filter shows as many.
        while s.app.status_filter() != Some(st) {
            s.drive([key('s')]);
        }
        assert_eq!(s.app.visible().len(), n, "{st:?}");
        let text = screen(&mut s.app, 140, 40);
        assert!(text.contains(&format!("{n}/18 · {label}")), "{text}");
    }
    s.drive([key('x'), key('e')]);
    let dialog = screen(&mut s.app, 140, 40);
    let counts: String = ui::counts_line(&s.app);
    assert!(dialog.contains(&counts), "{dialog}");
    s.drive([code(KeyCode::Esc)]);
    // 2023-T-003: two criteria scored, no comment, no recommendation.
    s.open("2023-T-003");
    let text = screen(&mut s.app, 140, 40);
    assert!(
        text.contains("missing: Practicality, Replicability · comment 0/30 chars · recommendation"),
        "{text}"
    );
}

#[test]
fn the_comment_editor_keeps_pasted_lines_and_ctrl_j_is_a_line_break() {
    let mut s = setup(true);
    s.open("2023-T-001");
    s.drive([key('c')]);
    s.drive(typed("第一行"));
    // Ctrl-J (a line feed typed or sent without bracketed paste) breaks
    // the line; it never deletes one.
    s.drive([ctrl('j')]);
    s.drive(typed("第二行"));
    s.drive([Event::Paste(
        "\r\npasted one\r\npasted two\rthree\tend\u{7}".into(),
    )]);
    let note = s.app.message().cloned().expect("a note on the bell");
    assert!(note.0.contains("1 control character"), "{note:?}");
    s.drive([code(KeyCode::Esc)]);
    let comment = s
        .bundle()
        .current()
        .expect("sheet")
        .entry("2023-T-001")
        .map(|e| e.comment.clone())
        .expect("a comment");
    assert_eq!(comment, "第一行\n第二行\npasted one\npasted two\nthree end");
}

#[test]
fn the_picker_lists_each_expert_once_and_never_a_chair() {
    let mut s = setup(false);
    let mut roster = s.app.session().roster.clone();
    let mut chair = roster[0].clone();
    chair.id = "C01".into();
    chair.name = "组长甲".into();
    chair.role = Some("chair".into());
    roster.push(chair.clone());
    roster.push(roster[1].clone());
    s.app.session_mut().roster = roster;
    // Even the chair's own key file is not offered.
    let mut listing = key_listing("E01");
    listing.id = "C01".into();
    if let Ok(k) = listing.public.as_mut() {
        k.id = "C01".into();
        k.name = "组长甲".into();
    }
    s.app.session_mut().keys = vec![listing];
    let text = screen(&mut s.app, 140, 40);
    assert!(!text.contains("C01") && !text.contains("组长甲"), "{text}");
    assert_eq!(text.matches("E02").count(), 1, "{text}");
    assert!(!text.contains("signing key"), "{text}");
}

#[test]
fn the_export_shows_its_full_path_and_asks_before_replacing_a_file() {
    let mut s = export_setup(vec![key_listing("E01")]);
    let default = s.app.default_export_path();
    assert!(default.is_absolute(), "{default:?}");
    std::fs::write(&default, b"an earlier export").expect("write");
    s.drive([key('e'), key('p'), code(KeyCode::Enter)]);
    let text = screen(&mut s.app, 140, 40);
    let dir = default.parent().expect("folder").display().to_string();
    assert!(text.contains(&dir[..dir.len().min(40)]), "{text}");
    s.drive([code(KeyCode::Enter)]);
    assert_eq!(step(&s), Some(ExportStep::Replace));
    let text = screen(&mut s.app, 140, 40);
    assert!(text.contains("already exists. Replace it?"), "{text}");
    // Esc chooses another file; a new name goes straight on.
    s.drive([code(KeyCode::Esc)]);
    assert_eq!(step(&s), Some(ExportStep::Path));
    s.drive(typed(".new"));
    s.drive([code(KeyCode::Enter)]);
    assert_eq!(step(&s), Some(ExportStep::Passphrase));
    s.drive([code(KeyCode::Esc)]);
    for _ in 0..4 {
        s.drive([code(KeyCode::Backspace)]);
    }
    // Replacing, agreed to, is in the request.
    s.drive([code(KeyCode::Enter), code(KeyCode::Enter)]);
    assert_eq!(step(&s), Some(ExportStep::Passphrase));
    let effects = feed(&mut s.app, {
        let mut e = typed("secret");
        e.push(code(KeyCode::Enter));
        e
    });
    assert!(
        matches!(&effects[..], [Effect::Export(r)] if r.replace && r.out == default),
        "{effects:?}"
    );
    assert_eq!(
        std::fs::read(&default).expect("read"),
        b"an earlier export",
        "nothing written yet"
    );
}

/// Where the export dialog stands.
fn step(s: &Setup) -> Option<ExportStep> {
    match s.app.dialog() {
        Some(Dialog::Export(d)) => Some(d.step),
        _ => None,
    }
}

fn click(col: u16, row: u16) -> Event {
    Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(crossterm::event::MouseButton::Left),
        column: col,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

/// Where `needle` is drawn on `screen`: (column, row).
fn find(screen: &str, needle: &str) -> Option<(u16, u16)> {
    screen.lines().enumerate().find_map(|(y, l)| {
        l.find(needle).map(|at| {
            let x = unicode_width::UnicodeWidthStr::width(&l[..at]);
            (x as u16, y as u16)
        })
    })
}

#[test]
fn a_click_picks_a_row_then_opens_it_and_picks_a_criterion_without_saving() {
    let mut s = setup(true);
    let before = s.events().len();
    s.app.update(Action::Resize {
        width: 140,
        height: 40,
    });
    let text = screen(&mut s.app, 140, 40);
    let (x, y) = find(&text, "2023-T-003").expect("a row of the list");
    assert_ne!(s.app.selected(), 2);
    s.drive([click(x, y)]);
    let current = |app: &App| app.current().map(|i| app.session().apps[i].id.clone());
    assert_eq!(current(&s.app).as_deref(), Some("2023-T-003"));
    // The criterion "Practicality", clicked in the scoring panel.
    let text = screen(&mut s.app, 140, 40);
    let (x, y) = find(&text, "Practicality").expect("the criterion");
    s.drive([click(x, y)]);
    assert_eq!(s.app.context(), panelist::tui::action::Context::Scoring);
    let text = screen(&mut s.app, 140, 40);
    let line = text.lines().nth(y as usize).expect("the line");
    assert!(line.contains('▶'), "the cursor is on it: {line}");
    assert_eq!(s.events().len(), before, "a click saves nothing");
    // A click outside anything does nothing.
    s.drive([click(0, 0)]);
    assert_eq!(s.app.context(), panelist::tui::action::Context::Scoring);
}

#[test]
fn a_click_on_a_dialogs_key_presses_it() {
    let mut s = setup(true);
    s.app.update(Action::Resize {
        width: 140,
        height: 40,
    });
    assert!(s.app.select_id("2023-T-001"));
    s.drive([key('r')]);
    let text = screen(&mut s.app, 140, 40);
    assert!(s.app.dialog().is_some(), "{text}");
    // A click beside the dialog's keys does nothing; on "Esc cancel" closes it.
    let (x, y) = find(&text, "Esc cancel").expect("the dialog's keys");
    s.drive([click(x.saturating_sub(2), y.saturating_sub(3))]);
    assert!(s.app.dialog().is_some(), "still open");
    s.drive([click(x + 2, y)]);
    assert!(s.app.dialog().is_none(), "{}", screen(&mut s.app, 140, 40));
}

#[test]
fn the_wheel_scrolls_the_pane_under_it() {
    let mut s = setup(true);
    s.app.update(Action::Resize {
        width: 140,
        height: 40,
    });
    let text = screen(&mut s.app, 140, 40);
    let wheel = |col, row| {
        Event::Mouse(MouseEvent {
            kind: MouseEventKind::ScrollDown,
            column: col,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    // Over the application's text: the list's cursor stays.
    let (x, y) = find(&text, "Application 2023").expect("the text pane");
    let selected = s.app.selected();
    s.drive([wheel(x, y + 3)]);
    assert_eq!(s.app.selected(), selected);
    assert_ne!(screen(&mut s.app, 140, 40), text, "the text scrolled");
}

#[test]
fn an_export_that_cannot_open_the_key_says_why_in_chinese() {
    let mut s = export_setup(vec![key_listing("E01")]);
    s.drive([code(KeyCode::F(2))]);
    // Up to the passphrase as the loop runs it (the file step checks the
    // path through the loop).
    s.drive([
        key('e'),
        key('p'),
        code(KeyCode::Enter),
        code(KeyCode::Enter),
    ]);
    let mut e = typed("right one");
    e.push(code(KeyCode::Enter));
    let mut effects = feed(&mut s.app, e);
    let Some(Effect::Export(mut req)) = effects.pop() else {
        panic!("an export request");
    };
    req.out = s._dir.path().join("no-such-folder/E01.json");
    // The real effect: no key file in the data directory, or (when another
    // test of this binary made one there) not this passphrase. Either way
    // the dialog says it in Chinese.
    run_effect(&mut s.copy, &s.clock, &mut s.app, Effect::Export(req));
    let text = screen(&mut s.app, 80, 24);
    assert!(
        text.contains("没有专家 E01 的密钥") || text.contains("口令不正确"),
        "{text}"
    );
    let data = [
        serde_json::to_value(&s.app.session().apps[..]).expect("apps"),
        serde_json::to_value(&s.app.session().roster).expect("roster"),
    ];
    let own = common::lang_check::bundle_text(&data, Lang::Zh);
    let left = common::lang_check::foreign(&text, Lang::Zh, &own, &[]);
    assert_eq!(left, Vec::<String>::new(), "{text}");
}

#[test]
fn after_an_export_s_writes_the_score_sheet_beside_it() {
    let mut s = export_setup(vec![key_listing("E01")]);
    // Up to the passphrase as the loop runs it (the file step checks the
    // path through the loop).
    s.drive([
        key('e'),
        key('p'),
        code(KeyCode::Enter),
        code(KeyCode::Enter),
    ]);
    let mut e = typed("pass");
    e.push(code(KeyCode::Enter));
    assert_eq!(feed(&mut s.app, e).len(), 1);
    // The export itself, as the loop writes it (with the copy's key).
    let out = s.copy.path().with_file_name("E01-final.json");
    let sum =
        panelist::export::export_bundle(s.copy.path(), &test_key("E01"), &out, true, &s.clock)
            .expect("export");
    s.app.on_exported(Ok(sum));
    let effects = feed(&mut s.app, [key('s')]);
    assert_eq!(effects, vec![Effect::PrintSheet(out.clone(), Lang::En)]);
    for e in effects {
        assert!(run_effect(&mut s.copy, &s.clock, &mut s.app, e));
    }
    let sheet = out.with_file_name("E01-final-sheet.pdf");
    let Some(Dialog::Export(d)) = &s.app.dialog() else {
        panic!("the dialog stays open");
    };
    assert_eq!(
        d.sheet,
        Some(Ok(sheet.display().to_string())),
        "{:?}",
        d.sheet
    );
    let pdf = std::fs::read(&sheet).expect("sheet written");
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(
        screen(&mut s.app, 140, 40).contains("Score sheet written"),
        "the dialog says so"
    );
    // Enter still closes.
    s.drive([code(KeyCode::Enter)]);
    assert!(s.app.dialog().is_none());
}

#[test]
fn a_click_in_the_direction_picker_picks_that_direction() {
    let mut s = setup(true);
    s.app.update(Action::Resize {
        width: 140,
        height: 40,
    });
    s.drive([key('d')]);
    let d = s.app.session().catalog.directions[2].clone();
    let text = screen(&mut s.app, 140, 40);
    let (x, y) = find(&text, &d.name_en).expect("the direction in the picker");
    s.drive([click(x, y)]);
    assert!(s.app.dialog().is_none(), "picked and closed");
    assert_eq!(s.app.dir_filter(), Some(d.code));
}
