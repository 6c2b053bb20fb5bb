//! Snapshots of every screen and dialog of the expert screens, in zh and
//! en, at 80×24 and 140×40, drawn on ratatui's TestBackend from a fixed
//! panel (tests/common/tui.rs) and a stepping clock.

#[path = "common/tui.rs"]
mod fixture;

use crossterm::event::{Event, KeyCode};
use fixture::*;
use panelist::lang::Lang;
use panelist::tui::app::App;
use panelist::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SIZES: [(u16, u16); 2] = [(80, 24), (140, 40)];
const LANGS: [Lang; 2] = [Lang::Zh, Lang::En];

/// The screen as text, one line per row. A wide character takes its two
/// cells; anything drawn into the second half of one (a cut glyph) fails.
fn render(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| ui::draw(f, app)).expect("draw");
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..h {
        let mut skip = 0usize;
        for x in 0..w {
            let sym = buf[(x, y)].symbol();
            if skip > 0 {
                assert_eq!(sym, " ", "row {y} col {x}: drawn over a wide character");
                skip -= 1;
                continue;
            }
            out.push_str(sym);
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
        }
        out.push('\n');
    }
    out
}

fn lang_name(l: Lang) -> &'static str {
    match l {
        Lang::Zh => "zh",
        Lang::En => "en",
    }
}

/// Draws `state` (a key sequence from the start screen) in both languages
/// at both sizes and snapshots each.
fn snap(path: &std::path::Path, name: &str, setup: impl Fn(&mut App) -> Vec<Event>) {
    for lang in LANGS {
        for (w, h) in SIZES {
            let mut app = app_for(path, lang, w, h);
            let events = setup(&mut app);
            let effects = feed(&mut app, events);
            assert!(
                effects.is_empty(),
                "{name}: a snapshot state must not write: {effects:?}"
            );
            let screen = render(&app, w, h);
            let snap_name = format!("{name}_{}_{w}x{h}", lang_name(lang));
            // Nothing volatile should reach the screen; scrub the bundle id
            // and the temp path in case something ever does.
            let screen = screen
                .replace(&app.session.meta.bundle_id, "[bundle-id]")
                .replace(&path.display().to_string(), "[tmp]");
            insta::assert_snapshot!(snap_name, screen);
        }
    }
}

/// The cursor on `id`, then `then`.
fn at(app: &mut App, id: &str, then: Vec<Event>) -> Vec<Event> {
    assert!(app.select_id(id), "{id} is listed");
    then
}

#[test]
fn main_screens() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("wc.bundle");
    scored(&path);
    snap(&path, "list", |_| vec![]);
    snap(&path, "list_filtered", |_| {
        let mut e = vec![key('d')];
        e.extend(typed("13"));
        e.push(key('s'));
        e
    });
    snap(&path, "list_direction_7", |_| {
        let mut e = vec![key('d')];
        e.extend(typed("7"));
        e
    });
    snap(&path, "search", |_| {
        let mut e = vec![key('/')];
        e.extend(typed("星河"));
        e
    });
    snap(&path, "search_done", |_| {
        let mut e = vec![key('/')];
        e.extend(typed("2023t01"));
        e.push(code(KeyCode::Enter));
        e
    });
    snap(&path, "detail", |a| {
        at(a, "2023-T-001", vec![code(KeyCode::Enter)])
    });
    snap(&path, "detail_scrolled", |a| {
        at(
            a,
            "2023-T-001",
            vec![
                code(KeyCode::Enter),
                code(KeyCode::PageDown),
                key('j'),
                key('j'),
            ],
        )
    });
    snap(&path, "scoring_complete", |a| {
        at(
            a,
            "2023-T-002",
            vec![code(KeyCode::Enter), code(KeyCode::Tab), key('j')],
        )
    });
    snap(&path, "scoring_draft_typing", |a| {
        at(
            a,
            "2023-T-003",
            vec![
                code(KeyCode::Enter),
                code(KeyCode::Tab),
                key('j'),
                key('j'),
                key('2'),
            ],
        )
    });
    snap(&path, "recused", |a| {
        at(
            a,
            "2023-T-004",
            vec![code(KeyCode::Enter), code(KeyCode::Tab)],
        )
    });
    snap(&path, "conflict_banner", |a| {
        at(a, "2023-T-006", vec![code(KeyCode::Enter), key('c')])
    });
    snap(&path, "untrusted_text", |a| {
        at(a, "2023-T-017", vec![code(KeyCode::Enter)])
    });
    snap(&path, "export_placeholder", |_| vec![key('e')]);
}

#[test]
fn dialogs() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("wc.bundle");
    scored(&path);
    snap(&path, "help", |_| vec![key('?')]);
    snap(&path, "help_scrolled", |_| {
        vec![key('?'), code(KeyCode::PageDown), code(KeyCode::PageDown)]
    });
    snap(&path, "direction_dialog", |_| {
        vec![key('d'), key('j'), key('j')]
    });
    snap(&path, "scope", |a| at(a, "2023-T-009", vec![key('o')]));
    snap(&path, "comment_editor", |a| {
        let mut e = vec![code(KeyCode::Enter), code(KeyCode::Tab), key('c')];
        e.extend(typed("技术路线清晰，"));
        e.push(code(KeyCode::Enter));
        e.extend(typed("Deployment is real."));
        at(a, "2023-T-001", e)
    });
    snap(&path, "recuse_reason", |a| {
        let mut e = vec![key('r')];
        e.extend(typed("与牵头单位有合作关系"));
        at(a, "2023-T-007", e)
    });
    snap(&path, "recuse_reason_missing", |a| {
        at(a, "2023-T-007", vec![key('r'), code(KeyCode::Enter)])
    });
    snap(&path, "recuse_confirm", |a| {
        let mut e = vec![key('r')];
        e.extend(typed("与牵头单位有合作关系"));
        e.push(code(KeyCode::Enter));
        at(a, "2023-T-007", e)
    });
    snap(&path, "unrecuse", |a| at(a, "2023-T-004", vec![key('r')]));
    snap(&path, "conflict_dialog", |a| {
        at(a, "2023-T-005", vec![code(KeyCode::Enter)])
    });
}

#[test]
fn identity_screens() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("template.bundle");
    template(&path);
    snap(&path, "identity_picker", |_| vec![key('j')]);
    snap(&path, "identity_form", |_| {
        let mut e = vec![key('j'), key('j'), key('j'), code(KeyCode::Enter)];
        e.extend(typed("E09"));
        e.push(code(KeyCode::Tab));
        e.extend(typed("赵敏"));
        e
    });
    snap(&path, "identity_form_bad_id", |_| {
        let mut e = vec![key('j'), key('j'), key('j'), code(KeyCode::Enter)];
        e.extend(typed("E 9"));
        e.extend([code(KeyCode::Tab), code(KeyCode::Tab), code(KeyCode::Enter)]);
        e
    });
}

#[test]
fn too_small_and_resize() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("wc.bundle");
    scored(&path);
    for lang in LANGS {
        let mut app = app_for(&path, lang, 50, 12);
        let screen = render(&app, 50, 12);
        insta::assert_snapshot!(format!("too_small_{}_50x12", lang_name(lang)), screen);
        // Any resize redraws cleanly at the new size.
        for (w, h) in [(80, 24), (140, 40), (60, 16), (200, 60)] {
            app.update(panelist::tui::action::Action::Resize {
                width: w,
                height: h,
            });
            let s = render(&app, w, h);
            assert_eq!(s.lines().count(), h as usize);
        }
    }
}
