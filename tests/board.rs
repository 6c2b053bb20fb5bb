//! The chair's board: snapshots of every screen in zh and en at 80×24 and
//! 140×40 on ratatui's TestBackend, drawn from a fixed merged result, and
//! the keys that move between them.

mod common;

use common::screen;

use panelist::tui::ScreenBasics;
use std::collections::BTreeMap;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use panelist::crypto::Alg;
use panelist::crypto::envelope::{Envelope, MERGED_TYPE};
use panelist::crypto::sign::SecretKey;
use panelist::dev::generate::Rng;
use panelist::domain::RosterEntry;
use panelist::domain::aggregate::{ExpertSheet, Params};
use panelist::domain::catalog::{default_rubric, shipped_catalog};
use panelist::domain::history::{Entry, hex};
use panelist::formats::merged::{
    DirectionRef, InputRef, LeftOut, MergedPayload, Method, app_facts,
};
use panelist::formats::{BundleRef, ExpertRef, HeadRef, MERGED_FORMAT, RubricRef};
use panelist::merge::aggregate_sheets;
use panelist::support::lang::Lang;
use panelist::tui::board::{Board, Focus, Trust, View, view as ui};
use panelist::tui::config::Settings;
use panelist::tui::keymap::{Keymap, Overrides};

const SIZES: [(u16, u16); 2] = [(80, 24), (140, 40)];
const LANGS: [Lang; 2] = [Lang::Zh, Lang::En];
const EXPERTS: [&str; 7] = ["E01", "E02", "E03", "E04", "E05", "E06", "E07"];
const CRITERIA: [&str; 4] = ["innovation", "advancement", "practicality", "replicability"];

/// A fixed merged result: 24 applications in 3 directions, 7 experts; T-00002
/// recused by all, T-00004 with an outlier, T-00005 scored by two only, and
/// two applications of direction 1 tied.
fn payload() -> MergedPayload {
    let catalog = shipped_catalog("2023").expect("catalog");
    let rubric = default_rubric().expect("rubric");
    let apps: Vec<_> = (1..=24u32)
        .map(|i| {
            let mut a = common::bundle::app(i, i % 3 + 1);
            if i == 7 {
                a.title =
                    "面向工业互联网的威胁检测与态势感知平台（含“零信任”接入，跨省推广）".into();
            }
            a
        })
        .collect();
    let facts = app_facts(&apps);
    let mut rng = Rng::new(7);
    let sheets: Vec<ExpertSheet> = EXPERTS
        .iter()
        .enumerate()
        .map(|(e, ex)| {
            let mut entries = BTreeMap::new();
            for a in &apps {
                let mut en = Entry::default();
                let i: u32 = a.id[2..].parse().expect("number");
                let recuse = i == 2 || (i == 5 && e < 5) || (i > 5 && rng.chance(5));
                if recuse {
                    en.recused = true;
                    en.recuse_reason = "合作关系".into();
                } else {
                    let v: [i64; 4] = match i {
                        4 if e == 6 => [25, 25, 25, 25],
                        4 => [9, 10, 11, 10],
                        9 | 12 => [22, 21, 23 - (e as i64 % 2), 20],
                        _ => [0; 4].map(|_| 8 + rng.below(15) as i64),
                    };
                    for (k, x) in CRITERIA.iter().zip(v) {
                        en.scores.insert(k.to_string(), x);
                    }
                    en.comment =
                        "评审意见评审意见评审意见评审意见评审意见评审意见评审意见评审意见".into();
                    en.recommend = Some(v.iter().sum::<i64>() >= 60);
                }
                entries.insert(a.id.clone(), en);
            }
            ExpertSheet {
                expert: ex.to_string(),
                entries,
            }
        })
        .collect();
    let params = Params::default();
    let none = BTreeMap::new();
    let elig = panelist::merge::Eligibility {
        findings: &none,
        exclude: false,
    };
    let done = aggregate_sheets(&rubric, &facts, &sheets, &params, elig).expect("aggregate");
    MergedPayload {
        format: MERGED_FORMAT.into(),
        tool_version: "0.1.0".into(),
        created: "2024-03-05T10:00:00.000Z".into(),
        bundle: BundleRef {
            id: "0123456789abcdef0123456789abcdef".into(),
            digest: "ab".repeat(32),
            call: "2023".into(),
            panel: "第三评审组".into(),
        },
        chair: Some(ExpertRef {
            id: "C01".into(),
            name: "组长".into(),
            org: "评审组".into(),
            key_id: "cd".repeat(32),
        }),
        rubric: RubricRef::of(&rubric),
        directions: DirectionRef::of(&catalog, &facts),
        method: Method::of(&params, false, false),
        inputs: EXPERTS
            .iter()
            .map(|ex| InputRef {
                file: format!("{ex}.json"),
                sha256: "ef".repeat(32),
                expert: ex.to_string(),
                name: format!("专家{ex}"),
                key_id: "12".repeat(32),
                head: HeadRef {
                    size: 150,
                    hash: "34".repeat(32),
                },
                created: "2024-03-04T18:00:00.000Z".into(),
                partial: false,
            })
            .collect(),
        left_out: vec![LeftOut {
            file: "E06-edited.json".into(),
            sha256: "56".repeat(32),
            expert: None,
            reason: "invalid".into(),
            detail: "signature does not verify (payload or signature altered)".into(),
        }],
        missing: Vec::new(),
        excluded: Vec::new(),
        applications: done.applications,
        experts: done.experts,
        agreement: done.agreement,
        opinions: None,
    }
}

fn settings(lang: Lang) -> Settings {
    Settings {
        lang,
        ..Settings::default()
    }
}

fn board(lang: Lang, w: u16, h: u16, trust: Trust) -> Board {
    let mut b = Board::new(payload(), trust, settings(lang));
    b.update(panelist::tui::action::Action::Resize {
        width: w,
        height: h,
    });
    b
}

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(c: KeyCode) -> Event {
    Event::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn render(b: &mut Board, w: u16, h: u16) -> String {
    screen::text(w, h, |f| ui::draw(f, b))
}

fn snap(name: &str, trust: Trust, setup: impl Fn(&mut Board) -> Vec<Event>) {
    for lang in LANGS {
        for (w, h) in SIZES {
            let mut b = board(lang, w, h, trust.clone());
            // As the loop does: draw, read a key, draw again.
            for e in setup(&mut b) {
                render(&mut b, w, h);
                b.on_event(e);
            }
            assert!(!b.quit(), "{name}");
            let l = if lang == Lang::Zh { "zh" } else { "en" };
            let screen = render(&mut b, w, h);
            let snap_name = format!("{name}_{l}_{w}x{h}");
            // One language, but for what the merged file says.
            let data = [serde_json::to_value(b.payload()).expect("payload")];
            let own = common::lang_check::bundle_text(&data, lang);
            common::lang_check::assert_one_language(&snap_name, &screen, lang, &own, &[]);
            insta::assert_snapshot!(snap_name, screen);
        }
    }
}

#[test]
fn board_screens() {
    let verified = Trust::Verified("C01".into());
    snap("ranking", verified.clone(), |_| vec![]);
    snap("ranking_direction_2", verified.clone(), |_| vec![key(']')]);
    snap("application_flags", verified.clone(), |b| {
        assert!(b.select_id("T-00004"));
        vec![code(KeyCode::Enter)]
    });
    snap("application_distribution", verified.clone(), |b| {
        assert!(b.select_id("T-00009"));
        vec![
            code(KeyCode::Enter),
            code(KeyCode::PageDown),
            key('j'),
            key('j'),
        ]
    });
    snap("application_all_recused", verified.clone(), |b| {
        assert!(b.select_id("T-00002"));
        vec![code(KeyCode::Enter)]
    });
    snap("experts", Trust::Unsigned, |_| vec![code(KeyCode::Tab)]);
    snap("experts_scrolled", verified.clone(), |_| {
        vec![code(KeyCode::Tab), code(KeyCode::End)]
    });
    snap("help", Trust::Signed("C01".into()), |_| vec![key('?')]);
}

#[test]
fn too_small_says_so() {
    let mut b = board(Lang::En, 50, 12, Trust::Unsigned);
    insta::assert_snapshot!("too_small_en_50x12", render(&mut b, 50, 12));
}

#[test]
fn keys_move_between_screens() {
    let mut b = board(Lang::Zh, 80, 24, Trust::Unsigned);
    assert_eq!(b.direction(), Some(1));
    let first = b.current().map(|a| a.id.clone());
    b.on_event(key('j'));
    assert_ne!(b.current().map(|a| a.id.clone()), first);
    b.on_event(code(KeyCode::Enter));
    assert_eq!(b.focus(), Focus::Detail);
    b.on_event(code(KeyCode::Esc));
    assert_eq!(b.focus(), Focus::List);
    b.on_event(key(']'));
    assert_eq!(b.direction(), Some(2));
    assert_eq!(b.cursor(), 0);
    b.on_event(key('['));
    b.on_event(key('['));
    assert_eq!(b.direction(), Some(3), "directions wrap around");
    b.on_event(code(KeyCode::Tab));
    assert_eq!(b.view(), View::Experts);
    b.on_event(code(KeyCode::Esc));
    assert_eq!(b.view(), View::Ranking);
    b.on_event(code(KeyCode::F(2)));
    assert_eq!(b.lang(), Lang::En);
    b.on_event(key('?'));
    assert!(b.help());
    b.on_event(key('j'));
    assert!(b.help(), "other keys wait while the help is open");
    b.on_event(code(KeyCode::Esc));
    assert!(!b.help());
    b.on_event(code(KeyCode::End));
    assert_eq!(b.cursor(), b.ranked().len() - 1);
    b.on_event(key('q'));
    assert!(b.quit());
    let mut b = board(Lang::Zh, 80, 24, Trust::Unsigned);
    b.on_event(Event::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert!(b.quit(), "Ctrl-C quits");
}

#[test]
fn the_configured_keys_drive_the_board_too() {
    let mut o = Overrides::new();
    o.entry("list".into())
        .or_default()
        .insert("down".into(), vec!["n".into()]);
    o.entry("global".into())
        .or_default()
        .insert("quit".into(), vec!["ctrl-q".into()]);
    let s = Settings {
        keymap: Keymap::with_overrides(&o).expect("keymap"),
        ..settings(Lang::En)
    };
    let mut b = Board::new(payload(), Trust::Unsigned, s);
    b.on_event(key('j'));
    assert_eq!(b.cursor(), 0, "j is no longer down in lists");
    b.on_event(key('n'));
    assert_eq!(b.cursor(), 1);
    b.on_event(key('q'));
    assert!(!b.quit());
    b.on_event(Event::Key(KeyEvent::new(
        KeyCode::Char('q'),
        KeyModifiers::CONTROL,
    )));
    assert!(b.quit());
}

#[test]
fn load_reads_drafts_and_verifies_against_a_roster() {
    let s = common::cli::Scratch::new();
    let p = payload();
    let draft = panelist::merge::envelope(&p, None).expect("draft");
    let f = s.path("draft.json");
    std::fs::write(&f, draft.to_text()).expect("write");
    let (back, trust) = panelist::tui::board::load(&f, None).expect("load");
    assert_eq!(back, p);
    assert_eq!(trust, Trust::Unsigned);

    // Signed by a chair of the roster (inputs' keys are the roster's).
    let chair = SecretKey::generate(Alg::Ed25519, None).expect("key");
    let entry = |id: &str, k: &SecretKey, role: Option<&str>| RosterEntry {
        id: id.into(),
        name: format!("专家{id}"),
        org: "评审组".into(),
        role: role.map(str::to_string),
        alg: Some("ed25519".into()),
        public_key: Some(hex(k.verify_key().public_key())),
        key_id: Some(k.verify_key().key_id()),
        sm2_id: None,
        previous_keys: Vec::new(),
    };
    let mut roster = vec![entry("C01", &chair, Some("chair"))];
    let mut q = p.clone();
    for i in &mut q.inputs {
        let k = SecretKey::generate(Alg::Ed25519, None).expect("key");
        i.key_id = k.verify_key().key_id();
        roster.push(entry(&i.expert, &k, None));
    }
    q.chair = Some(ExpertRef {
        id: "C01".into(),
        name: "专家C01".into(),
        org: "评审组".into(),
        key_id: chair.verify_key().key_id(),
    });
    let signed =
        Envelope::sign(MERGED_TYPE, serde_json::to_value(&q).expect("json"), &chair).expect("sign");
    let f = s.path("merged.json");
    std::fs::write(&f, signed.to_text()).expect("write");
    let r = s.path("roster.json");
    std::fs::write(&r, serde_json::to_string(&roster).expect("json")).expect("write");
    let (_, trust) = panelist::tui::board::load(&f, Some(&r)).expect("verified");
    assert_eq!(trust, Trust::Verified("C01".into()));
    let (_, trust) = panelist::tui::board::load(&f, None).expect("signed");
    assert_eq!(trust, Trust::Signed("C01".into()));
    // The draft does not verify.
    let e = panelist::tui::board::load(&s.path("draft.json"), Some(&r))
        .expect_err("unsigned")
        .to_string();
    assert!(e.contains("unsigned merged result"), "{e}");
    // Without a terminal the command says it needs one.
    let run = s.run(&["board", f.to_str().expect("p")]);
    run.assert_error(&["the board needs a terminal"]);
}

fn mouse(kind: crossterm::event::MouseEventKind, col: u16, row: u16) -> Event {
    Event::Mouse(crossterm::event::MouseEvent {
        kind,
        column: col,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

#[test]
fn a_click_picks_a_ranking_row_then_opens_it_and_the_wheel_scrolls_the_pane_under_it() {
    use crossterm::event::{MouseButton, MouseEventKind};
    let mut b = board(Lang::En, 140, 40, Trust::Unsigned);
    let text = render(&mut b, 140, 40);
    let third = b.ranked()[2].id.clone();
    let y = text
        .lines()
        .position(|l| l.contains(&third))
        .expect("the third row") as u16;
    b.on_event(mouse(MouseEventKind::Down(MouseButton::Left), 10, y));
    assert_eq!(b.cursor(), 2);
    assert_eq!(b.focus(), Focus::List);
    render(&mut b, 140, 40);
    b.on_event(mouse(MouseEventKind::Down(MouseButton::Left), 10, y));
    assert_eq!(b.focus(), Focus::Detail, "a second click opens it");
    // The wheel over the ranking moves its cursor, whichever pane had the keys.
    render(&mut b, 140, 40);
    b.on_event(mouse(MouseEventKind::ScrollDown, 10, y));
    assert_eq!(b.focus(), Focus::List);
    assert_eq!(b.cursor(), 5);
}

#[test]
fn e_writes_the_panel_summary_beside_the_file() {
    use panelist::tui::board::Effect;
    use panelist::tui::kit::Screen;
    let s = common::cli::Scratch::new();
    let p = payload();
    let draft = panelist::merge::envelope(&p, None).expect("draft");
    let f = s.path("draft.json");
    std::fs::write(&f, draft.to_text()).expect("write");
    let (back, trust) = panelist::tui::board::load(&f, None).expect("load");
    // Without a file the key does nothing.
    let mut bare = Board::new(back.clone(), trust.clone(), settings(Lang::Zh));
    assert!(Screen::on_event(&mut bare, key('e')).is_empty());
    let mut b = Board::new(back, trust, settings(Lang::Zh)).with_source(f.clone());
    b.update(panelist::tui::action::Action::Resize {
        width: 140,
        height: 40,
    });
    let effects = Screen::on_event(&mut b, key('e'));
    assert_eq!(effects, vec![Effect::PrintSummary]);
    for e in effects {
        assert_eq!(b.run_effect(e), panelist::tui::kit::Flow::Continue);
    }
    let out = s.path("draft-summary.pdf");
    assert_eq!(b.message(), Some(&Ok(out.display().to_string())));
    let pdf = std::fs::read(&out).expect("written");
    assert!(pdf.starts_with(b"%PDF-"));
    let text = screen::text(140, 40, |fr| ui::draw(fr, &mut b));
    assert!(text.contains("专家组评审汇总表已写入"), "{text}");
    // The next command brings the hints back; a second print writes the
    // same bytes again.
    b.on_event(key('j'));
    assert_eq!(b.message(), None);
    let effects = Screen::on_event(&mut b, key('e'));
    for e in effects {
        b.run_effect(e);
    }
    assert_eq!(b.message(), Some(&Ok(out.display().to_string())));
    assert!(std::fs::read(&out).expect("again") == pdf, "reproducible");
}

/// A board of the fixed result that writes opinions to `log`, as chair C01.
fn board_with_desk(lang: Lang, w: u16, h: u16, log: &std::path::Path) -> Board {
    let key = common::panel::make_key("C01", Alg::Ed25519);
    let clock = panelist::support::clock::Clock::stepping("2024-03-02T09:00:00Z", 1000).unwrap();
    let desk =
        panelist::tui::board::opinions::Desk::open(log, &payload(), "C01", key, Vec::new(), clock)
            .expect("desk");
    board(lang, w, h, Trust::Verified("C01".into())).with_desk(desk)
}

fn ctrl(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

#[test]
fn the_opinion_editor_opens_on_a_draft_of_the_experts_comments() {
    let dir = tempfile::tempdir().unwrap();
    for lang in LANGS {
        for (w, h) in SIZES {
            let mut b = board_with_desk(lang, w, h, &dir.path().join("opinions.log"));
            assert!(b.select_id("T-00009"));
            render(&mut b, w, h);
            b.on_event(key('c'));
            let l = if lang == Lang::Zh { "zh" } else { "en" };
            let name = format!("opinion_draft_{l}_{w}x{h}");
            let screen = render(&mut b, w, h);
            let data = [serde_json::to_value(b.payload()).expect("payload")];
            let own = common::lang_check::bundle_text(&data, lang);
            common::lang_check::assert_one_language(&name, &screen, lang, &own, &[]);
            insta::assert_snapshot!(name, screen);
        }
    }
}

#[test]
fn an_opinion_is_saved_to_the_log_only_when_meant_and_before_the_board_says_so() {
    use panelist::store::opinions::OpinionLog;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("opinions.log");
    // Read-only: the key says how to write.
    let mut ro = board(Lang::En, 140, 40, Trust::Verified("C01".into()));
    ro.on_event(key('c'));
    assert!(ro.editor().is_none());
    let note = ro.opinion_note().unwrap().as_ref().unwrap_err();
    assert!(note.contains("--opinions"), "{note}");

    let mut b = board_with_desk(Lang::En, 140, 40, &log);
    assert!(b.select_id("T-00009"));
    // An untouched draft is not saved by Esc.
    b.on_event(key('c'));
    let draft = b.editor().unwrap().edit.text();
    assert!(
        draft.starts_with("Panel opinion:\n7 experts scored"),
        "{draft}"
    );
    assert!(draft.contains("- E01 (recommends): "), "{draft}");
    b.on_event(code(KeyCode::Esc));
    assert!(b.editor().is_none());
    assert!(!log.exists());
    assert!(
        b.opinion_note()
            .unwrap()
            .as_ref()
            .unwrap()
            .contains("not saved")
    );
    // Ctrl-S takes the draft as it is; typed text saved by Esc.
    b.on_event(key('c'));
    b.on_event(ctrl('s'));
    assert!(log.exists());
    assert_eq!(b.desk().unwrap().events(), 1);
    assert!(b.editor().is_some(), "Ctrl-S keeps the editor open");
    for c in "同意推荐".chars() {
        b.on_event(key(c));
    }
    b.on_event(code(KeyCode::Esc));
    assert!(b.editor().is_none());
    assert_eq!(b.desk().unwrap().events(), 2);
    let saved = b.opinion_note().unwrap().as_ref().unwrap();
    assert!(
        saved.contains("✓ saved the panel's opinion on T-00009"),
        "{saved}"
    );
    // Esc again without a change writes nothing.
    b.on_event(key('c'));
    b.on_event(code(KeyCode::Esc));
    assert_eq!(b.desk().unwrap().events(), 2);
    let screen = render(&mut b, 140, 40);
    assert!(screen.contains("opinions 1/24"), "{screen}");
    let shown: String = ui::application_lines(&b, b.current().unwrap(), 60)
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(shown.contains("同意推荐"), "{shown}");
    assert!(shown.contains("Panel opinion"), "{shown}");
    // Cleared and saved: withdrawn.
    b.on_event(key('c'));
    let n = b.editor().unwrap().edit.text().chars().count();
    for _ in 0..n + 40 {
        b.on_event(code(KeyCode::Backspace));
    }
    b.on_event(code(KeyCode::Esc));
    assert_eq!(b.desk().unwrap().events(), 3);
    assert!(b.desk().unwrap().opinion("T-00009").is_none());

    // The log as another process reads it: checked whole, every event
    // the chair's.
    let l = OpinionLog::open(&log, false, &|_, _| true, &|_| true).unwrap();
    let texts: Vec<&str> = l.events().iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts.len(), 3);
    assert!(texts[0].starts_with("Panel opinion:"));
    assert!(texts[1].ends_with("同意推荐"), "{}", texts[1]);
    assert_eq!(texts[2], "");
}

#[test]
fn a_save_that_fails_keeps_the_editor_open_and_says_not_saved() {
    let dir = tempfile::tempdir().unwrap();
    // The log's folder does not exist: the save cannot happen.
    let log = dir.path().join("gone").join("opinions.log");
    let mut b = board_with_desk(Lang::En, 140, 40, &log);
    b.on_event(key('c'));
    b.on_event(key('x'));
    b.on_event(code(KeyCode::Esc));
    let ed = b.editor().expect("the editor stays open");
    assert!(ed.edit.text().ends_with('x'));
    let note = b.opinion_note().unwrap().as_ref().unwrap_err();
    assert!(note.starts_with("panel opinion NOT saved"), "{note}");
    let screen = render(&mut b, 140, 40);
    assert!(screen.contains("NOT saved"), "{screen}");
    assert!(!screen.contains("✓ saved"), "{screen}");
    assert!(!log.exists());
}
