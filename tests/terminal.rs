//! Terminal injection: application text, comments, names, file names and
//! signed files carrying escape sequences (CSI, OSC), C1 controls, bidi
//! overrides and invisible characters reach the terminal only as inert
//! placeholders. Every command that prints untrusted text is run on such
//! data, and nothing it writes to stdout or stderr — text or `--json` —
//! may carry ESC, another C0 control but tab and newline, a C1 control
//! (U+0080–U+009F), a bidi control or an invisible character.

mod common;

use common::bundle::clock;
use common::cli::{Scratch, assert_inert, first_dangerous};
use common::panel::Panel;
use serde_json::{Value, json};

/// Every kind of character that could drive a terminal: CSI colour and
/// clear-screen, an OSC title with BEL, the 8-bit CSI (U+009B) and NEL,
/// a right-to-left override and isolate, zero-width and BOM, CR, BS, DEL,
/// a line separator.
const HOSTILE: &str = "评审\u{1b}[31m红\u{1b}]0;owned\u{7}\u{1b}[2J\u{9b}31m\u{85}\u{202e}txt.exe\u{2066}\u{200b}\r\u{8}\u{7f}\u{feff}\u{2028}尾";

/// An application id may not hold controls, spaces or invisible characters
/// (bidi overrides, zero-width characters: `ids_refuse_invisible_characters`),
/// but it may hold an unassigned code point and a pile of combining marks:
/// they must be shown inert (and the marks capped) too.
const HOSTILE_ID: &str = "2023-\u{0378}LIVE-e\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}001";

/// What ids held before they refused invisible characters.
const INVISIBLE_ID: &str = "2023-\u{202e}LIVE-\u{200b}001";

#[test]
fn ids_refuse_invisible_characters() {
    let s = Scratch::new();
    for id in [INVISIBLE_ID, "2023-LIVE\u{2060}-001", "2023-\u{ad}LIVE-001"] {
        let mut doc = hostile_apps();
        doc["applications"][0]["id"] = json!(id);
        let apps = s.path("apps.json");
        std::fs::write(&apps, serde_json::to_string(&doc).expect("json")).expect("write");
        let out = s.path("out.bundle");
        s.run(&[
            "bundle",
            "new",
            &apps.display().to_string(),
            "-o",
            &out.display().to_string(),
        ])
        .assert_error(&["apps.json", "invisible characters"]);
        assert!(!out.exists());
    }
}

fn hostile_apps() -> Value {
    let sample: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/sample/applications.json"
        ))
        .expect("sample"),
    )
    .expect("json");
    let mut doc = sample.clone();
    doc["panel"] = json!(format!("组{HOSTILE}"));
    let apps = doc["applications"].as_array_mut().expect("apps");
    for (i, a) in apps.iter_mut().enumerate() {
        a["title"] = json!(format!("标题{i}{HOSTILE}"));
        // The same hostile authority and lead unit everywhere, so the
        // authority-limit and unit-limit findings quote them.
        a["authority"] = json!(format!("管理局{HOSTILE}"));
        a["lead_unit"]["name"] = json!(format!("单位{HOSTILE}"));
        a["lead_unit"]["credit_code"] = json!(format!("9111{HOSTILE}"));
        a["sector"] = json!(HOSTILE);
        for s in ["overview", "technology", "deployment", "replication"] {
            a["sections"][s] = json!(format!("{s}{HOSTILE}"));
        }
    }
    apps[0]["id"] = json!(HOSTILE_ID);
    // Six more copies under other ids, past the authority limit of five.
    let extra: Vec<Value> = (0..6)
        .map(|i| {
            let mut a = apps[1].clone();
            a["id"] = json!(format!("2023-COPY-{i:03}"));
            a
        })
        .collect();
    apps.extend(extra);
    doc["roster"] = json!([{"id": "E01", "name": HOSTILE, "org": HOSTILE}]);
    doc
}

fn run_all(p: &Panel, args: &[&[&str]]) -> Vec<(String, common::cli::Run)> {
    args.iter()
        .map(|a| (a.join(" "), p.run(a)))
        .collect::<Vec<_>>()
}

#[test]
fn no_command_lets_a_control_character_through() {
    // The expert's own name and organisation are hostile too.
    let p = Panel::without_key(1);
    let r = p.run(&[
        "key", "new", "--id", "E01", "--name", HOSTILE, "--org", HOSTILE,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut runs = vec![("key new".to_string(), r)];

    let apps = p.s.path("apps.json");
    std::fs::write(&apps, serde_json::to_string(&hostile_apps()).expect("json")).expect("w");
    let apps_s = apps.display().to_string();
    // File names are untrusted as well: experts name the files they hand in.
    let dir = p.s.path("in");
    std::fs::create_dir_all(&dir).expect("dir");
    let bundle = dir.join(format!("wc{HOSTILE}.bundle"));
    let b = bundle.display().to_string();
    let out = dir.join(format!("E01{HOSTILE}.json"));
    let o = out.display().to_string();
    let missing = dir.join(format!("nothing{HOSTILE}.bundle"));
    let m = missing.display().to_string();

    runs.extend(run_all(
        &p,
        &[
            &["bundle", "check", &apps_s],
            &["bundle", "check", &apps_s, "--json"],
            &["--lang", "zh", "bundle", "check", &apps_s],
            &["bundle", "new", &apps_s, "-o", &b, "--panel", HOSTILE],
            &["bundle", "check", &b],
            &["bundle", "check", &b, "--json"],
            &["bundle", "info", &b],
            &["bundle", "info", &b, "--json"],
            &["--lang", "zh", "bundle", "info", &b],
            &["key", "show"],
            &["key", "show", "--roster-entry"],
        ],
    ));
    let ids: Vec<String> = hostile_apps()["applications"]
        .as_array()
        .expect("apps")
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_string())
        .collect();
    let comment = format!("{HOSTILE}{}", "意见".repeat(20));
    runs.extend(run_all(
        &p,
        &[
            &[
                "score",
                &b,
                &ids[0],
                "--innovation",
                "20",
                "--advancement",
                "20",
                "--practicality",
                "20",
                "--replicability",
                "20",
                "--comment",
                &comment,
                "--recommend",
                "yes",
            ],
            &["recuse", &b, &ids[1], "--reason", HOSTILE],
            // Refusals quote what was given.
            &["score", &b, HOSTILE, "--innovation", "3"],
            &["score", &b, &ids[2], "--set", &format!("{HOSTILE}=3")],
            &[
                "score",
                &b,
                &ids[2],
                "--set",
                &format!("innovation={HOSTILE}"),
            ],
            &["recuse", &b, &ids[0], "--reason", "x", "--undo"],
            &["bundle", "history", &b],
            &["bundle", "history", &b, "--json"],
            &["bundle", "info", &m],
            // Incomplete: refused with the list of open applications.
            &["export", &b, "-o", &o],
            &["export", &b, "-o", &o, "--allow-incomplete"],
        ],
    ));
    assert!(out.exists(), "the partial export was written");

    // The chair's side: a roster with hostile names, the file under its
    // hostile name, a spoiled copy, and a hostile file that is not there.
    let mut entry = p.roster_entry();
    entry.name = HOSTILE.into();
    entry.org = HOSTILE.into();
    let roster = p.write_roster("roster.json", &[entry]);
    let roster_s = roster.display().to_string();
    let spoiled = dir.join(format!("spoiled{HOSTILE}.json"));
    let text = std::fs::read_to_string(&out).expect("export");
    std::fs::write(
        &spoiled,
        common::panel::tamper_raw(
            &text,
            "\"format\":\"panelist.scores.v3\"",
            &format!("\"format\":{}", json!(HOSTILE)),
        ),
    )
    .expect("w");
    let sp = spoiled.display().to_string();
    runs.extend(run_all(
        &p,
        &[
            &["verify", &o, "--roster", &roster_s],
            &["verify", &o, "--roster", &roster_s, "--bundle", &b],
            &["verify", &sp, &m, "--roster", &roster_s],
            &["verify", &o, "--roster", &m],
        ],
    ));

    let mut seen_ok = false;
    for (what, r) in &runs {
        assert!(!r.stderr.contains("panicked"), "{what:?}: {}", r.stderr);
        assert_inert(&format!("{what:?}"), r);
        seen_ok |= r.stdout.contains("OK  ");
    }
    assert!(seen_ok, "the good file verified");
    // The placeholders show what was there.
    let info = &runs
        .iter()
        .find(|(w, _)| w.starts_with("bundle info") && !w.contains("json"))
        .expect("info")
        .1;
    assert!(info.stdout.contains("␛[31m红"), "{}", info.stdout);
    assert!(info.stdout.contains("<U+202E>"), "{}", info.stdout);
    // The hostile comment and reason were recorded and shown inert.
    let history = &runs
        .iter()
        .find(|(w, _)| w.starts_with("bundle history") && !w.contains("json"))
        .expect("history")
        .1;
    assert!(
        history.stdout.contains("chain ok: 7 events"),
        "{}",
        history.stdout
    );
    assert!(
        history.stdout.contains("\\u001b]0;owned\\u0007"),
        "{}",
        history.stdout
    );
}

/// The expert screens (ratatui's TestBackend): a working copy whose every
/// text is hostile — titles, units, sections, authority, panel, the
/// expert's name, the comment, the recusal reason, an id with a bidi
/// override — drawn in every screen and dialog, both languages, three
/// sizes (one so narrow that placeholders are cut); no cell of the buffer
/// may hold a control, bidi or invisible character.
#[test]
fn the_expert_screens_draw_hostile_text_inert() {
    use common::fixture::{code, feed, key, settings, typed};
    use crossterm::event::KeyCode;
    use panelist::domain::history::Change;
    use panelist::store::{Bundle, Identity};
    use panelist::support::lang::Lang;
    use panelist::tui::action::Action;
    use panelist::tui::expert::{App, Session};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    let s = Scratch::new();
    let apps = s.path("apps.json");
    let doc = hostile_apps();
    std::fs::write(&apps, serde_json::to_string(&doc).expect("json")).expect("w");
    let path = s.path("wc.bundle");
    let (a, p) = (apps.display().to_string(), path.display().to_string());
    let r = s.run(&["bundle", "new", &a, "-o", &p, "--panel", HOSTILE]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ids: Vec<String> = doc["applications"]
        .as_array()
        .expect("apps")
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_string())
        .collect();
    {
        let mut b = Bundle::open_write(&path).expect("open");
        b.claim(&Identity {
            id: "E01".into(),
            name: HOSTILE.into(),
            org: HOSTILE.into(),
            key_id: None,
        })
        .expect("claim");
        let c = clock();
        for change in [
            Change::Score {
                app: ids[0].clone(),
                criterion: "innovation".into(),
                value: Some(20),
            },
            Change::Comment {
                app: ids[0].clone(),
                text: format!("{HOSTILE}\n第二行{HOSTILE}"),
            },
            Change::Recuse {
                app: ids[1].clone(),
                reason: HOSTILE.into(),
            },
        ] {
            b.append(change, &c, &common::bundle::signer())
                .expect("append");
        }
    }
    // An unclaimed copy shows the identity picker with the roster's names.
    let template = s.path("template.bundle");
    let t = template.display().to_string();
    let r = s.run(&["bundle", "new", &a, "-o", &t]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let tour: Vec<(&str, Vec<crossterm::event::Event>)> = vec![
        ("start", vec![]),
        ("detail", vec![code(KeyCode::Enter)]),
        ("detail scrolled", vec![key('j'); 12]),
        ("scoring", vec![code(KeyCode::Tab)]),
        ("comment editor", vec![key('c')]),
        ("comment typed", typed(HOSTILE)),
        ("back", vec![code(KeyCode::Esc), code(KeyCode::Esc)]),
        ("recusal dialog", vec![key('r')]),
        ("recusal typed", typed(HOSTILE)),
        ("closed", vec![code(KeyCode::Esc), code(KeyCode::Esc)]),
        ("search", vec![key('/')]),
        ("search typed", typed(HOSTILE)),
        (
            "search cleared",
            vec![code(KeyCode::Esc), code(KeyCode::Esc)],
        ),
        ("directions", vec![key('d')]),
        ("closed", vec![code(KeyCode::Esc)]),
        ("scope", vec![key('o')]),
        ("closed", vec![code(KeyCode::Esc)]),
        ("help", vec![key('?')]),
        ("closed", vec![code(KeyCode::Esc)]),
        ("export", vec![key('e')]),
        ("closed", vec![code(KeyCode::Esc)]),
        ("bottom", vec![key('G'), code(KeyCode::Enter)]),
    ];
    let mut drawn = 0;
    let mut pictures = 0;
    for (bundle, claimed) in [(&path, true), (&template, false)] {
        for lang in [Lang::Zh, Lang::En] {
            for (w, h) in [(140u16, 40u16), (80, 24), (40, 12)] {
                let b = Bundle::open_read(bundle).expect("open");
                let mut app = App::new(Session::load(&b).expect("load"), settings(lang));
                app.update(Action::Resize {
                    width: w,
                    height: h,
                });
                let steps: Vec<(String, Vec<crossterm::event::Event>)> = if claimed {
                    ids.iter()
                        .take(3)
                        .flat_map(|id| {
                            assert!(app.select_id(id), "{id:?} listed");
                            tour.iter()
                                .map(move |(n, e)| (format!("{id:?} {n}"), e.clone()))
                                .collect::<Vec<_>>()
                        })
                        .collect()
                } else {
                    vec![
                        ("identity picker".into(), vec![]),
                        ("typed".into(), typed(HOSTILE)),
                    ]
                };
                for (what, events) in steps {
                    let _ = feed(&mut app, events);
                    let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
                    term.draw(|f| panelist::tui::expert::view::draw(f, &mut app))
                        .expect("draw");
                    let buf = term.backend().buffer();
                    for y in 0..h {
                        for x in 0..w {
                            let sym = buf[(x, y)].symbol();
                            if let Some(c) = first_dangerous(sym)
                                .or_else(|| sym.chars().find(|c| c.is_control()).map(|c| c as u32))
                            {
                                panic!(
                                    "{what} ({lang:?} {w}x{h}, claimed {claimed}): U+{c:04X} at column {x}, row {y}"
                                );
                            }
                            pictures += usize::from(sym.contains('␛'));
                        }
                    }
                    drawn += 1;
                }
            }
        }
    }
    assert!(drawn >= 400, "{drawn} screens drawn");
    assert!(pictures > 0, "ESC is shown as its picture");
}
