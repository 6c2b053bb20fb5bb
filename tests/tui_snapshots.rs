//! Snapshots of every screen and dialog of the expert screens, in zh and
//! en, at 80×24 and 140×40, drawn on ratatui's TestBackend from a fixed
//! panel (tests/common/fixture.rs) and a stepping clock.

mod common;

use common::fixture::*;
use common::screen;
use crossterm::event::{Event, KeyCode};
use panelist::support::lang::Lang;
use panelist::tui::ScreenBasics;
use panelist::tui::expert::App;
use panelist::tui::expert::view as ui;

const SIZES: [(u16, u16); 2] = [(80, 24), (140, 40)];
const LANGS: [Lang; 2] = [Lang::Zh, Lang::En];

fn render(app: &mut App, w: u16, h: u16) -> String {
    screen::text(w, h, |f| ui::draw(f, app))
}

use screen::lang_name;

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
            let screen = render(&mut app, w, h);
            let snap_name = format!("{name}_{}_{w}x{h}", lang_name(lang));
            // Nothing volatile should reach the screen; scrub the bundle id
            // and the temp path in case something ever does.
            let screen = screen
                .replace(&app.session().meta.bundle_id, "[bundle-id]")
                .replace(&path.display().to_string(), "[tmp]");
            one_language(&snap_name, &screen, &app);
            insta::assert_snapshot!(snap_name, screen);
        }
    }
}

/// A zh screen says everything in Chinese and an en one in English, but
/// for what the bundle itself says (see `common::lang_check`).
fn one_language(name: &str, screen: &str, app: &App) {
    let s = app.session();
    let data = [
        serde_json::to_value(&s.apps[..]).expect("apps"),
        serde_json::to_value(&s.roster).expect("roster"),
        serde_json::to_value(&s.catalog).expect("catalog"),
        serde_json::to_value(&s.rubric).expect("rubric"),
        serde_json::to_value(&s.meta).expect("meta"),
        serde_json::to_value(&s.owner).expect("owner"),
        serde_json::to_value(&s.sheet).expect("sheet"),
    ];
    let bundle = common::lang_check::bundle_text(&data, app.lang());
    // What the states type in (a search, a comment, a reason, a name).
    let typed = [
        "[tmp]",
        "星河",
        "技术路线清晰，",
        "Deployment is real.",
        "与牵头单位有合作关系",
        "赵敏",
        "-终稿.json",
    ];
    common::lang_check::assert_one_language(name, screen, app.lang(), &bundle, &typed);
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
    // A value typed and not saved yet: pending, with the keys that save
    // or discard it.
    snap(&path, "scoring_pending", |a| {
        at(
            a,
            "2023-T-001",
            vec![code(KeyCode::Enter), code(KeyCode::Tab), key('1')],
        )
    });
    // 30 on a 0–25 scale: refused whole, the scale named.
    snap(&path, "scoring_refused", |a| {
        at(
            a,
            "2023-T-001",
            vec![code(KeyCode::Enter), code(KeyCode::Tab), key('3'), key('0')],
        )
    });
    // A draft opens on its first unscored criterion and says what it lacks.
    snap(&path, "scoring_draft", |a| {
        at(
            a,
            "2023-T-003",
            vec![code(KeyCode::Enter), code(KeyCode::Tab)],
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
    snap(&path, "quit_pending", |a| {
        at(
            a,
            "2023-T-001",
            vec![code(KeyCode::Enter), code(KeyCode::Tab), key('1'), key('q')],
        )
    });
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
    snap_export(&path, "identity_picker_key", e01_key, |_| {});
    // The pick confirmed, naming the expert and the key.
    snap(&path, "identity_confirm", |_| {
        vec![key('j'), code(KeyCode::Enter)]
    });
    snap_export(&path, "identity_confirm_key", e01_key, |a| {
        feed(a, [code(KeyCode::Enter)]);
    });
    snap(&path, "identity_form_bad_id", |_| {
        let mut e = vec![key('j'), key('j'), key('j'), code(KeyCode::Enter)];
        e.extend(typed("E 9"));
        e.extend([code(KeyCode::Tab), code(KeyCode::Tab), code(KeyCode::Enter)]);
        e
    });
}

/// Like [`snap`] with E01's key (or `keys`) listed, the working copy at a
/// fixed place and a fixed bundle id, for the export dialog; `f` drives
/// the app itself and may run into effects (the export it asks for is not
/// run).
fn snap_export(
    path: &std::path::Path,
    name: &str,
    keys: fn() -> Vec<panelist::keyring::KeyListing>,
    f: impl Fn(&mut App),
) {
    for lang in LANGS {
        for (w, h) in SIZES {
            let mut app = app_with_keys(path, lang, w, h, keys());
            app.session_mut().path = "/home/expert/panel/wc.bundle".into();
            app.session_mut().meta.bundle_id = "0a1b2c3d4e5f60718293a4b5c6d7e8f9".into();
            f(&mut app);
            let screen = render(&mut app, w, h);
            let snap_name = format!("{name}_{}_{w}x{h}", lang_name(lang));
            one_language(&snap_name, &screen, &app);
            insta::assert_snapshot!(snap_name, screen);
        }
    }
}

fn e01_key() -> Vec<panelist::keyring::KeyListing> {
    vec![key_listing("E01")]
}

fn no_key() -> Vec<panelist::keyring::KeyListing> {
    Vec::new()
}

#[test]
fn export_dialog() {
    use panelist::export::ExportSummary;
    use panelist::formats::scores::Counts;
    use panelist::tui::expert::{ExportFailure, ExportTarget};
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("wc.bundle");
    scored(&path);
    let go = |app: &mut App, events: Vec<Event>| {
        feed(app, events);
    };
    snap_export(&path, "export_review", e01_key, |a| go(a, vec![key('e')]));
    snap_export(&path, "export_review_refused", e01_key, |a| {
        go(a, vec![key('e'), code(KeyCode::Enter)])
    });
    snap_export(&path, "export_review_partial", e01_key, |a| {
        go(a, vec![key('e'), key('p')])
    });
    snap_export(&path, "export_no_key", no_key, |a| {
        go(a, vec![key('e'), key('p'), code(KeyCode::Enter)])
    });
    snap_export(&path, "export_other_key", e01_key, |a| {
        if let Some(o) = a.session_mut().owner.as_mut() {
            o.key_id = Some("9".repeat(64));
        }
        go(a, vec![key('e')])
    });
    snap_export(&path, "export_path", e01_key, |a| {
        let mut e = vec![key('e'), key('p'), code(KeyCode::Enter)];
        e.extend((0..5).map(|_| code(KeyCode::Backspace)));
        e.extend(typed("-终稿.json"));
        go(a, e)
    });
    let out = "/home/expert/panel/E01-0a1b2c3d.json";
    // Review, file (the loop finds nothing there), passphrase.
    let to_pass = |a: &mut App| {
        go(
            a,
            vec![
                key('e'),
                key('p'),
                code(KeyCode::Enter),
                code(KeyCode::Enter),
            ],
        );
        a.on_export_target(ExportTarget::Free(out.into()));
        go(a, typed("correct horse"));
    };
    snap_export(&path, "export_replace", e01_key, |a| {
        go(
            a,
            vec![
                key('e'),
                key('p'),
                code(KeyCode::Enter),
                code(KeyCode::Enter),
            ],
        );
        a.on_export_target(ExportTarget::Exists(out.into()));
    });
    snap_export(&path, "export_passphrase", e01_key, to_pass);
    snap_export(&path, "export_running", e01_key, |a| {
        to_pass(a);
        go(a, vec![code(KeyCode::Enter)])
    });
    snap_export(&path, "export_wrong_passphrase", e01_key, |a| {
        to_pass(a);
        go(a, vec![code(KeyCode::Enter)]);
        a.on_exported(Err(ExportFailure::WrongPassphrase(
            "/home/expert/.local/share/panelist/keys/E01.key".into(),
        )));
    });
    snap_export(&path, "export_done", e01_key, |a| {
        to_pass(a);
        go(a, vec![code(KeyCode::Enter)]);
        a.on_exported(Ok(ExportSummary {
            path: "/home/expert/panel/E01-0a1b2c3d.json".into(),
            expert: "E01".into(),
            expert_name: "王志远".into(),
            key_id: KEY_ID.into(),
            counts: Counts {
                complete: 1,
                recused: 1,
                draft: 1,
                todo: 15,
            },
            events: 9,
            partial: true,
        }));
    });
}

#[test]
fn too_small_and_resize() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("wc.bundle");
    scored(&path);
    for lang in LANGS {
        let mut app = app_for(&path, lang, 50, 12);
        let screen = render(&mut app, 50, 12);
        insta::assert_snapshot!(format!("too_small_{}_50x12", lang_name(lang)), screen);
        // Any resize redraws cleanly at the new size.
        for (w, h) in [(80, 24), (140, 40), (60, 16), (200, 60)] {
            app.update(panelist::tui::action::Action::Resize {
                width: w,
                height: h,
            });
            let s = render(&mut app, w, h);
            assert_eq!(s.lines().count(), h as usize);
        }
    }
}

#[test]
fn key_dialogs() {
    use panelist::tui::expert::{KeyMade, UnlockFailure};
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("wc.bundle");
    scored(&path);
    let go = |app: &mut App, events: Vec<Event>| {
        // As the screens open: the key not yet unlocked.
        *app.signing_mut() = panelist::tui::expert::Signing::Locked;
        app.ask_for_key();
        assert!(app.dialog().is_some(), "a key dialog opens");
        feed(app, events);
    };
    // The owner has a key: its passphrase is asked once.
    snap_export(&path, "unlock", e01_key, |a| go(a, typed("correct")));
    snap_export(&path, "unlock_wrong", e01_key, |a| {
        let mut e = typed("wrong passphrase");
        e.push(code(KeyCode::Enter));
        go(a, e);
        a.on_unlocked(Err(UnlockFailure::WrongPassphrase(
            "/home/expert/.local/share/panelist/keys/E01.key".into(),
        )));
    });
    snap_export(&path, "unlock_refused", e01_key, |a| {
        let mut e = typed("correct horse");
        e.push(code(KeyCode::Enter));
        go(a, e);
        // As the screens' effects say it: in the screen's language.
        let refused = "/home/expert/panel/wc.bundle: refused: event(s) 1–3 were not made with \
                       your key (nobody with it signed them); do not score in this copy — hand \
                       it to the chair: `panelist audit` names every such event";
        let lang = a.lang();
        a.on_unlocked(Err(UnlockFailure::Refused(
            panelist::tui::kit::errors::phrase(refused, lang),
        )));
    });
    // No key: it is made here.
    snap_export(&path, "newkey", no_key, |a| go(a, typed("long enough")));
    snap_export(&path, "newkey_short", no_key, |a| {
        let mut e = typed("short");
        e.push(code(KeyCode::Enter));
        go(a, e)
    });
    snap_export(&path, "newkey_again", no_key, |a| {
        let mut e = typed("long enough");
        e.push(code(KeyCode::Enter));
        e.extend(typed("long"));
        go(a, e)
    });
    snap_export(&path, "newkey_done", no_key, |a| {
        let mut e = typed("long enough");
        e.push(code(KeyCode::Enter));
        e.extend(typed("long enough"));
        e.push(code(KeyCode::Enter));
        go(a, e);
        let listing = key_listing("E01");
        a.on_key_made(Ok(KeyMade {
            listing,
            roster_json: "{\n  \"id\": \"E01\",\n  \"name\": \"王志远\",\n  \"org\": \"华信安全研究院\",\n  \"alg\": \"ed25519\",\n  \"public_key\": \"9f3c…\",\n  \"key_id\": \"5f1c0a9e7b3d2468ace013579bdf2468ace013579bdf02468ace13579bdf0246\"\n}".into(),
            roster_file: Ok("/home/expert/panel/E01.roster-entry.json".into()),
        }));
        a.on_unlocked(Ok(None));
    });
}

#[test]
fn the_one_language_check_catches_words_left_in_the_other_language() {
    use common::lang_check::{bundle_text, foreign};
    let rubric = serde_json::json!({
        "name_zh": "创新性", "name_en": "Innovation", "title": "Cloud-native 云原生"
    });
    let zh = bundle_text(std::slice::from_ref(&rubric), Lang::Zh);
    let en = bundle_text(std::slice::from_ref(&rubric), Lang::En);
    // The criterion label as it was, in both languages.
    assert!(!foreign("│  创新性 Innovation      [22]/25", Lang::Zh, &zh, &[]).is_empty());
    assert!(!foreign("│  Innovation 创新性      [22]/25", Lang::En, &en, &[]).is_empty());
    // An I/O error in the system's English on a zh screen.
    let io = "无法导出：cannot create a file in /x: No such file or directory (os error 2)";
    let f = foreign(io, Lang::Zh, &zh, &[]);
    assert!(f.iter().any(|w| w.starts_with("\"cannot\"")), "{f:?}");
    // What the bundle says, key names, paths and ids pass.
    let ok = "│▶ 创新性 [22]/25  Cloud-nat… Enter 确认 · Esc 取消  /tmp/out/E01.json 5f1c0a9e";
    assert_eq!(foreign(ok, Lang::Zh, &zh, &[]), Vec::<String>::new());
    assert_eq!(
        foreign(
            "│▶ Innovation [22]/25 云原生 Enter confirm",
            Lang::En,
            &en,
            &[]
        ),
        Vec::<String>::new()
    );
}
