//! The auditor's replay screen: snapshots of the timeline, the sheet at a
//! moment, an application's history, the filter and a broken chain, in zh
//! and en at 80×24 and 140×40, on the fixed panel of tests/common/fixture.rs;
//! and its behaviour on working copies and signed exports.

mod common;

use common::fixture::*;
use common::screen;
use crossterm::event::{Event, KeyCode};
use panelist::domain::history::Change;
use panelist::domain::text::is_dangerous;
use panelist::support::lang::Lang;
use panelist::tui::action::Action;
use panelist::tui::replay::source::{Break, Kind, Parts, Source};
use panelist::tui::replay::state::{Dialog, Pane, ReplayApp};
use panelist::tui::replay::view as ui;

const SIZES: [(u16, u16); 2] = [(80, 24), (140, 40)];
const LANGS: [Lang; 2] = [Lang::Zh, Lang::En];

fn render(app: &mut ReplayApp, w: u16, h: u16) -> String {
    screen::text(w, h, |f| ui::draw(f, app))
}

use screen::lang_name;

fn app_on(src: Source, lang: Lang, w: u16, h: u16) -> ReplayApp {
    let mut app = ReplayApp::new(src, settings(lang));
    app.update(Action::Resize {
        width: w,
        height: h,
    });
    app
}

fn feed(app: &mut ReplayApp, events: Vec<Event>) {
    for e in events {
        app.on_event(e);
    }
}

/// Draws `make()` after `events` in both languages at both sizes.
fn snap(name: &str, make: &dyn Fn() -> Source, events: &dyn Fn() -> Vec<Event>) {
    for lang in LANGS {
        for (w, h) in SIZES {
            let mut app = app_on(make(), lang, w, h);
            feed(&mut app, events());
            let screen = render(&mut app, w, h);
            assert!(
                !screen.chars().any(|c| is_dangerous(c) || c == '\u{1b}'),
                "{name}: {screen}"
            );
            let snap_name = format!("{name}_{}_{w}x{h}", lang_name(lang));
            one_language(&snap_name, &screen, app.src(), lang);
            insta::assert_snapshot!(snap_name, screen);
        }
    }
}

/// A zh replay says everything in Chinese and an en one in English, but
/// for what the file itself says (see `common::lang_check`).
fn one_language(name: &str, screen: &str, src: &Source, lang: Lang) {
    let mut own = vec![src.call.clone(), src.panel.clone(), src.file.clone()];
    own.extend(
        src.apps
            .iter()
            .flat_map(|a| [a.id.clone(), a.title.clone()]),
    );
    if let Some(e) = &src.expert {
        own.extend([e.id.clone(), e.name.clone(), e.org.clone()]);
    }
    let data = [
        serde_json::to_value(&own).expect("names"),
        serde_json::to_value(&src.rubric).expect("rubric"),
        serde_json::to_value(&src.events).expect("events"),
    ];
    let bundle = common::lang_check::bundle_text(&data, lang);
    // What the states type in (filters, an application's id).
    // What the states type in (filters, an application's id), and the
    // filter's own words.
    let typed = [
        "T-002",
        "crit:创新性",
        "who:E01",
        "score comment recommend recuse unrecuse",
    ];
    common::lang_check::assert_one_language(name, screen, lang, &bundle, &typed);
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("wc.bundle");
    replayed(&path);
    Fixture { _dir: dir, path }
}

impl Fixture {
    fn source(&self) -> Source {
        let mut s = Source::open(&self.path).expect("open");
        s.file = "wc.bundle".into();
        s
    }

    /// The same history with event 7 (2023-T-003 innovation 12) changed
    /// to 25 after the fact: the chain breaks there.
    fn tampered(&self) -> Source {
        let s = self.source();
        let mut events = s.events.clone();
        events[6].change = Change::Score {
            app: "2023-T-003".into(),
            criterion: "innovation".into(),
            value: Some(25),
        };
        Source::new(parts_of(&s, events))
    }
}

fn parts_of(s: &Source, events: Vec<panelist::domain::history::Event>) -> Parts {
    Parts {
        kind: s.kind.clone(),
        file: s.file.clone(),
        call: s.call.clone(),
        panel: s.panel.clone(),
        digest: s.digest.clone(),
        expert: s.expert.clone(),
        rubric: s.rubric.clone(),
        apps: s.apps.clone(),
        events,
        head: None,
    }
}

/// The same history as an export would carry it: no titles, a key id.
fn as_export(s: &Source) -> Source {
    let mut p = parts_of(s, s.events.clone());
    p.kind = Kind::Export {
        created: "2024-03-01T10:00:00.000Z".into(),
        partial: true,
        key_id: KEY_ID.into(),
    };
    p.file = "E01-0a1b2c3d.json".into();
    for a in &mut p.apps {
        a.title.clear();
    }
    Source::new(p)
}

fn none() -> Vec<Event> {
    Vec::new()
}

fn typed_then(s: &str, then: &[Event]) -> Vec<Event> {
    let mut e = typed(s);
    e.extend(then.iter().cloned());
    e
}

#[test]
fn snapshots() {
    let f = fixture();
    let src = || f.source();
    snap("replay_timeline", &src, &none);
    // g: the first event; five on: the sheet as of seq 6.
    snap("replay_sheet_at_6", &src, &|| {
        let mut e = vec![key('g')];
        e.extend((0..5).map(|_| key('j')));
        e.push(code(KeyCode::Tab));
        e
    });
    snap("replay_apps_dialog", &src, &|| {
        let mut e = vec![key('a')];
        e.extend(typed("00"));
        e
    });
    snap("replay_app_history", &src, &|| {
        let mut e = vec![key('a')];
        e.extend(typed_then("T-002", &[code(KeyCode::Enter), key('k')]));
        e
    });
    snap("replay_filter_dialog", &src, &|| {
        let mut e = vec![key('/')];
        e.extend(typed("crit:innovation from:2024-03-01T17:00:05"));
        e
    });
    snap("replay_filter_applied", &src, &|| {
        let mut e = vec![key('/')];
        e.extend(typed_then("crit:创新性", &[code(KeyCode::Enter)]));
        e
    });
    snap("replay_filter_error", &src, &|| {
        let mut e = vec![key('/')];
        e.extend(typed_then("who:E01", &[code(KeyCode::Enter)]));
        e
    });
    snap("replay_broken_chain", &|| f.tampered(), &|| {
        let mut e = vec![key('g')];
        e.extend((0..7).map(|_| key('j')));
        e
    });
    snap("replay_export", &|| as_export(&f.source()), &|| {
        vec![
            key('g'),
            key('j'),
            key('j'),
            key('j'),
            key('j'),
            code(KeyCode::Tab),
        ]
    });
    snap("replay_help", &src, &|| vec![key('?')]);
}

fn score_of(app: &ReplayApp, id: &str, k: &str) -> Option<i64> {
    app.sheet().entry(id).and_then(|e| e.scores.get(k).copied())
}

#[test]
fn stepping_through_time_replays_the_sheet_to_that_moment() {
    let f = fixture();
    let mut app = app_on(f.source(), Lang::En, 80, 24);
    assert_eq!(app.moment(), 16, "opens at the last event");
    assert_eq!(score_of(&app, "2023-T-002", "innovation"), Some(20));
    assert_eq!(score_of(&app, "2023-T-003", "advancement"), None);
    feed(&mut app, vec![key('g')]);
    assert_eq!(app.moment(), 1);
    assert_eq!(score_of(&app, "2023-T-002", "innovation"), Some(22));
    assert_eq!(score_of(&app, "2023-T-002", "advancement"), None);
    // → and j step on; ← and k step back; G is the end.
    feed(&mut app, vec![code(KeyCode::Right), key('j'), key('j')]);
    assert_eq!(app.moment(), 4);
    feed(&mut app, vec![code(KeyCode::Left)]);
    assert_eq!(app.moment(), 3);
    assert_eq!(score_of(&app, "2023-T-002", "practicality"), Some(23));
    assert_eq!(score_of(&app, "2023-T-002", "replicability"), None);
    feed(&mut app, vec![key('G')]);
    assert_eq!(app.moment(), 16);
    // Before the clear at seq 15, 2023-T-003's advancement was 9.
    feed(&mut app, vec![key('k'), key('k')]);
    assert_eq!(app.moment(), 14);
    assert_eq!(score_of(&app, "2023-T-003", "advancement"), Some(9));
    // The sheet follows the application the event touched.
    let row = app.row();
    assert_eq!(app.src().apps[row].id, "2023-T-004");
    // PgUp from the end pages back; the sheet's own keys move rows only.
    feed(&mut app, vec![code(KeyCode::Tab)]);
    assert_eq!(app.focus(), Pane::Sheet);
    feed(&mut app, vec![key('j')]);
    assert_eq!(app.row(), row + 1);
    assert_eq!(app.moment(), 14);
    feed(&mut app, vec![code(KeyCode::Left)]);
    assert_eq!(app.moment(), 13, "← steps time from the sheet too");
}

#[test]
fn an_applications_own_history_and_back() {
    let f = fixture();
    let mut app = app_on(f.source(), Lang::En, 140, 40);
    // From the sheet: Enter on 2023-T-002's row.
    feed(&mut app, vec![code(KeyCode::Tab)]);
    let i = app.src().app_index("2023-T-002").expect("listed");
    while app.row() < i {
        feed(&mut app, vec![key('j')]);
    }
    while app.row() > i {
        feed(&mut app, vec![key('k')]);
    }
    feed(&mut app, vec![code(KeyCode::Enter)]);
    assert_eq!(app.focus(), Pane::Timeline);
    let seqs: Vec<u64> = app
        .visible()
        .iter()
        .map(|&k| app.src().events[k].seq)
        .collect();
    assert_eq!(seqs, vec![1, 2, 3, 4, 5, 6, 10, 12]);
    assert_eq!(
        app.moment(),
        12,
        "the application's last event up to the moment"
    );
    assert!(render(&mut app, 140, 40).contains("History of 2023-T-002"));
    // Esc: the whole timeline again, the moment kept.
    feed(&mut app, vec![code(KeyCode::Esc)]);
    assert!(app.app_view().is_none());
    assert_eq!(app.visible().len(), 16);
    assert_eq!(app.moment(), 12);
    // `a` and a typed id: the picker narrows, Enter opens.
    feed(&mut app, vec![key('a')]);
    feed(&mut app, typed_then("t-004", &[code(KeyCode::Enter)]));
    let seqs: Vec<u64> = app
        .visible()
        .iter()
        .map(|&k| app.src().events[k].seq)
        .collect();
    assert_eq!(seqs, vec![9, 13, 14]);
    // Enter on an event in the timeline opens its application's history.
    feed(
        &mut app,
        vec![code(KeyCode::Esc), key('g'), code(KeyCode::Enter)],
    );
    assert_eq!(
        app.app_view().as_ref().map(|v| v.app),
        app.src().app_index("2023-T-002")
    );
}

#[test]
fn the_filter_narrows_the_timeline_and_says_what_is_wrong() {
    let f = fixture();
    let mut app = app_on(f.source(), Lang::En, 80, 24);
    let seqs = |app: &ReplayApp| -> Vec<u64> {
        app.visible()
            .iter()
            .map(|&k| app.src().events[k].seq)
            .collect()
    };
    feed(&mut app, vec![key('/')]);
    feed(
        &mut app,
        typed_then("crit:innovation", &[code(KeyCode::Enter)]),
    );
    assert_eq!(seqs(&app), vec![1, 7, 10, 16]);
    feed(&mut app, vec![key('/'), ctrl('u')]);
    feed(
        &mut app,
        typed_then(
            "type:score from:2024-03-01T17:05 to:2024-03-01T17:05:04",
            &[code(KeyCode::Enter)],
        ),
    );
    assert_eq!(seqs(&app), vec![10, 14]);
    feed(&mut app, vec![key('/'), ctrl('u')]);
    feed(
        &mut app,
        typed_then("app:T-003 seq:1-10", &[code(KeyCode::Enter)]),
    );
    assert_eq!(seqs(&app), vec![7, 8]);
    // A mistake keeps the dialog open with the reason; the filter stays.
    feed(&mut app, vec![key('/'), ctrl('u')]);
    feed(&mut app, typed_then("crit:beauty", &[code(KeyCode::Enter)]));
    assert!(
        matches!(&app.dialog(), Some(Dialog::Filter { error: Some(e), .. }) if e.contains("beauty"))
    );
    assert_eq!(seqs(&app), vec![7, 8]);
    feed(&mut app, vec![code(KeyCode::Esc), key('x')]);
    assert_eq!(app.visible().len(), 16);
    // A filter nothing matches keeps the moment.
    let m = app.moment();
    feed(&mut app, vec![key('/')]);
    feed(&mut app, typed_then("app:nothing", &[code(KeyCode::Enter)]));
    assert!(app.visible().is_empty());
    assert_eq!(app.moment(), m);
    assert!(render(&mut app, 80, 24).contains("No event matches the filter"));
    feed(&mut app, vec![key('j'), key('G'), code(KeyCode::Enter)]);
}

#[test]
fn a_tampered_working_copy_shows_the_first_broken_link() {
    let f = fixture();
    let c = rusqlite::Connection::open(&f.path).expect("sqlite");
    // As someone editing the file would: the append-only triggers first.
    c.execute_batch(
        "DROP TRIGGER events_append_only_update; DROP TRIGGER events_append_only_delete;
         UPDATE events SET body = replace(body, '\"value\":12', '\"value\":25') WHERE seq = 7;",
    )
    .expect("tamper");
    drop(c);
    let src = Source::open(&f.path).expect("open");
    assert_eq!(src.check.first_bad, Some(6));
    assert!(matches!(src.check.problem, Some(Break::Chain(_))));
    let mut app = app_on(src, Lang::En, 140, 40);
    let screen = render(&mut app, 140, 40);
    assert!(
        screen.contains("Chain broken at seq 7: hash does not match its content (event altered)"),
        "{screen}"
    );
    assert!(screen.contains("chain broken at seq 7"), "{screen}");
    let zh = render(
        &mut app_on(Source::open(&f.path).expect("open"), Lang::Zh, 140, 40),
        140,
        40,
    );
    assert!(zh.contains("记录链在第 7 条记录处断开"), "{zh}");
}

#[test]
fn a_signed_export_replays_from_its_payload() {
    let f = fixture();
    // The key that signed the fixture's events.
    let unlocked = test_key("E01");
    let out = f._dir.path().join("E01.json");
    let summary =
        panelist::export::export_bundle(&f.path, &unlocked, &out, true, &clock()).expect("export");
    assert_eq!(summary.events, 16);
    let wc = f.source();
    let src = Source::open(&out).expect("open the export");
    assert!(matches!(&src.kind, Kind::Export { partial: true, .. }));
    assert_eq!(src.events, wc.events);
    assert_eq!(src.check, Default::default(), "the chain holds");
    assert!(src.apps.iter().all(|a| a.title.is_empty()));
    let mut app = app_on(src, Lang::En, 140, 40);
    assert_eq!(app.sheet(), app_on(wc, Lang::En, 140, 40).sheet());
    let screen = render(&mut app, 140, 40);
    assert!(screen.contains("signature not checked here"), "{screen}");

    // An event edited in the file (signature aside).
    let text = std::fs::read_to_string(&out).expect("read");
    let edited = f._dir.path().join("edited.json");
    std::fs::write(
        &edited,
        edit_payload(&text, |p| p["history"][3]["value"] = serde_json::json!(25)),
    )
    .expect("write");
    // The export's events carry no hashes of their own (scores v3): the
    // chain computed from the edited bodies ends elsewhere than the
    // signed head says, so the file is named broken at its head.
    let src = Source::open(&edited).expect("open");
    assert_eq!(src.check.first_bad, None);
    assert_eq!(
        src.check.problem,
        Some(Break::Head {
            claimed: 16,
            actual: 16
        })
    );
    // A head that claims more events than the file holds.
    std::fs::write(
        &edited,
        edit_payload(&text, |p| p["head"]["size"] = serde_json::json!(17)),
    )
    .expect("write");
    let src = Source::open(&edited).expect("open");
    assert_eq!(src.check.first_bad, None);
    assert_eq!(
        src.check.problem,
        Some(Break::Head {
            claimed: 17,
            actual: 16
        })
    );
    // Not a scores file at all.
    std::fs::write(&edited, "{\"hello\": 1}").expect("write");
    let e = Source::open(&edited).expect_err("refused").to_string();
    assert!(
        e.contains("neither a working copy nor a scores file"),
        "{e}"
    );
}

#[test]
fn an_empty_history_opens_and_draws() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("template.bundle");
    template(&path);
    let src = Source::open(&path).expect("open");
    assert!(src.events.is_empty() && src.expert.is_none());
    assert_eq!(src.check, Default::default());
    let mut app = app_on(src, Lang::En, 80, 24);
    feed(
        &mut app,
        vec![
            key('g'),
            key('G'),
            key('j'),
            code(KeyCode::Enter),
            key('a'),
            code(KeyCode::Enter),
        ],
    );
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("before the first event"), "{screen}");
    assert!(screen.contains("No events"), "{screen}");
}

#[test]
fn the_command_reads_the_file_first_then_needs_a_terminal() {
    let s = common::cli::Scratch::new();
    let wc = s.path("wc.bundle");
    replayed(&wc);
    let r = s.run(&["replay", &wc.display().to_string()]);
    r.assert_error(&["the replay screen needs a terminal"]);
    let r = s.run(&["replay", &s.path("missing.json").display().to_string()]);
    r.assert_error(&["missing.json", "cannot read"]);
    let junk = s.path("junk.json");
    std::fs::write(&junk, "{\"payloadType\": 1}").expect("write");
    let r = s.run(&["replay", &junk.display().to_string()]);
    r.assert_error(&["junk.json", "neither a working copy nor a scores file"]);
}

#[test]
fn a_click_picks_an_event_of_the_timeline_and_a_row_of_the_sheet() {
    use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let f = fixture();
    let mut app = app_on(Source::open(&f.path).expect("open"), Lang::En, 140, 40);
    let text = render(&mut app, 140, 40);
    let click = |col, row| {
        Event::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: col,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    // The timeline's fourth event (seq 4).
    let y = text
        .lines()
        .position(|l| l.contains(" 4 2024-03-01"))
        .expect("event 4") as u16;
    feed(&mut app, vec![click(10, y)]);
    assert_eq!(app.src().events[app.visible()[app.cursor()]].seq, 4);
    assert_eq!(app.moment(), 4, "the sheet is at that moment");
    // A row of the sheet: the keyboard goes there.
    let text = render(&mut app, 140, 40);
    let lines: Vec<&str> = text.lines().collect();
    let y = lines
        .iter()
        .rposition(|l| l.contains("2023-T-003"))
        .expect("the sheet's row") as u16;
    feed(&mut app, vec![click(10, y)]);
    assert_eq!(app.focus(), Pane::Sheet);
    assert_eq!(app.src().apps[app.row()].id, "2023-T-003");
}

/// A signed file's text with its payload edited, not signed again.
fn edit_payload(text: &str, edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut env = panelist::crypto::envelope::Envelope::parse(text).expect("envelope");
    let mut v = env.payload_value().expect("payload");
    edit(&mut v);
    env.set_payload_value(&v).expect("jcs");
    env.to_text()
}
