//! The board's national view of a combined result (`panelist board
//! COMBINED.json`): drawn on ratatui's TestBackend from a generated call's
//! combined result in both languages at 80×24 and 140×40, one language on
//! every screen; the tie at the cut and the findings across panels shown;
//! the keys move, change direction, open an application and go back; a
//! combined result that does not verify against the roster is refused.

mod common;

use std::sync::OnceLock;

use common::call::Call;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use panelist::support::lang::Lang;
use panelist::tui::action::Action;
use panelist::tui::board::Trust;
use panelist::tui::board::national::{self, Focus, National};
use panelist::tui::config::Settings;

fn call() -> &'static Call {
    static CALL: OnceLock<Call> = OnceLock::new();
    CALL.get_or_init(|| Call::combined("combine_board"))
}

fn view(lang: Lang, w: u16, h: u16) -> National {
    let c = call();
    let (payload, trust) =
        national::load(&c.path("combined.json"), Some(&c.path("roster.json"))).expect("load");
    assert_eq!(trust, Trust::Verified("M01".into()));
    let mut v = National::new(
        payload,
        trust,
        Settings {
            lang,
            ..Settings::default()
        },
    );
    v.update(Action::Resize {
        width: w,
        height: h,
    });
    v
}

fn render(v: &mut National, w: u16, h: u16) -> String {
    common::screen::text(w, h, |f| national::draw(f, v))
}

fn key(c: KeyCode) -> Event {
    Event::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn one_language(name: &str, v: &National, screen: &str, lang: Lang) {
    let data = [serde_json::to_value(v.payload()).expect("payload")];
    let own = common::lang_check::bundle_text(&data, lang);
    common::lang_check::assert_one_language(name, screen, lang, &own, &["raw", "zscore"]);
}

/// Moves to the direction of the tie at the cut.
fn to_tie(v: &mut National) {
    let tie_dir = v.payload().ties[0].direction;
    for _ in 0..v.payload().directions.len() {
        if v.direction() == Some(tie_dir) {
            return;
        }
        v.on_event(key(KeyCode::Char(']')));
    }
    panic!("no direction {tie_dir} on the board");
}

#[test]
fn the_national_view_in_both_languages_and_sizes() {
    for lang in [Lang::Zh, Lang::En] {
        for (w, h) in [(80u16, 24u16), (140, 40)] {
            let mut v = view(lang, w, h);
            to_tie(&mut v);
            let screen = render(&mut v, w, h);
            let name = format!("national {lang:?} {w}x{h}");
            one_language(&name, &v, &screen, lang);
            let (head, tie, verified) = match lang {
                Lang::Zh => ("全国合并结果", "临界并列", "已校验"),
                Lang::En => ("Combined result", "TIE", "verified"),
            };
            assert!(screen.contains(head), "{name}\n{screen}");
            assert!(screen.contains(verified), "{name}\n{screen}");
            assert!(screen.contains("P01-0007"), "{name}\n{screen}");
            assert!(screen.contains(tie), "{name}\n{screen}");
        }
    }
}

#[test]
fn an_application_with_a_finding_across_panels_opens_with_it() {
    let mut v = view(Lang::En, 140, 40);
    // P01-0002's lead unit is in three panels' applications.
    let target = v
        .payload()
        .entries
        .iter()
        .find(|e| e.id == "P01-0002")
        .expect("entry")
        .direction;
    while v.direction() != Some(target) {
        v.on_event(key(KeyCode::Char(']')));
    }
    while v.current().map(|e| e.id.as_str()) != Some("P01-0002") {
        let before = v.current().map(|e| e.id.clone());
        v.on_event(key(KeyCode::Down));
        assert_ne!(v.current().map(|e| e.id.clone()), before, "not in the list");
    }
    v.on_event(key(KeyCode::Enter));
    assert_eq!(v.focus(), Focus::Detail);
    let screen = render(&mut v, 140, 40);
    assert!(screen.contains("unit-limit"), "{screen}");
    assert!(screen.contains("全国示范网络安全科技有限公司"), "{screen}");
    v.on_event(key(KeyCode::Esc));
    assert_eq!(v.focus(), Focus::List);
    v.on_event(key(KeyCode::Char('q')));
    assert!(v.quit());
}

#[test]
fn a_combined_result_that_does_not_verify_is_refused_and_a_merged_one_is_not_combined() {
    let c = call();
    // Checked against a panel's roster, where no one is the ministry.
    let e = national::load(
        &c.path("combined.json"),
        Some(&c.path("panels/p01/roster.json")),
    )
    .expect_err("refused");
    assert!(e.to_string().contains("does not verify"), "{e}");
    let text = std::fs::read_to_string(c.path("merged/p01.json")).unwrap();
    assert!(!national::is_combined(&text));
    let text = std::fs::read_to_string(c.path("combined.json")).unwrap();
    assert!(national::is_combined(&text));
    // Without a terminal, the board says so in one line.
    let r =
        c.s.run(&["board", &c.path("combined.json").display().to_string()]);
    r.assert_error(&["the board needs a terminal"]);
}
