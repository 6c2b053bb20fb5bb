//! `cargo bench`: the workloads of BENCHMARKS.md, timed on this machine.
//! A plain harness (no criterion): each workload prints its figures and
//! the target; `cargo bench -- NAME` runs the workloads whose name
//! contains NAME. Results also go to target/bench-results.json.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use panelist::dev::generate;
use panelist::domain::catalog::{default_rubric, shipped_catalog};
use panelist::domain::content::Content;
use panelist::domain::history::{self, Change};
use panelist::store::{Bundle, Identity};
use panelist::support::clock::Clock;

struct Report {
    rows: Vec<serde_json::Value>,
}

impl Report {
    fn add(&mut self, name: &str, figure: &str, value: f64, unit: &str, target: &str) {
        println!("{name:<44} {figure:<18} {value:>12.3} {unit:<6} target {target}");
        self.rows.push(serde_json::json!({
            "workload": name, "figure": figure, "value": value, "unit": unit, "target": target,
        }));
    }
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn bundle_with(dir: &Path, n: usize) -> std::path::PathBuf {
    let catalog = shipped_catalog("2023").expect("catalog");
    let apps = generate::applications(&catalog, n, 1);
    let content = Content {
        catalog,
        rubric: default_rubric().expect("rubric"),
        applications: apps,
        roster: vec![],
    };
    let p = dir.join(format!("b{n}.bundle"));
    let clock = Clock::stepping("2024-03-01T09:00:00Z", 1000).expect("clock");
    Bundle::create(&p, &content, "bench", &clock, true).expect("create");
    p
}

/// The eligibility screen (`bundle check`'s rules) on 1 000 applications
/// whose titles are at the import field limit (200 000 characters of
/// varied CJK text), ten of them near-duplicates of others.
fn screen_long_titles(r: &mut Report) {
    let catalog = shipped_catalog("2023").expect("catalog");
    let mut apps = generate::applications(&catalog, 1000, 1);
    let alphabet: Vec<char> = "网络安全数据平台系统监测防护检测态势感知工业互联网车联网金融能源医疗教育云计算密码身份认证漏洞威胁情报应急响应零信任供应链隐私计算"
        .chars()
        .collect();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for a in apps.iter_mut() {
        let mut t: Vec<char> = a.title.chars().collect();
        while t.len() < 200_000 {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            t.push(alphabet[(seed >> 33) as usize % alphabet.len()]);
        }
        a.title = t.into_iter().take(200_000).collect();
    }
    for k in 0..10 {
        let twin = apps[k].title.clone();
        apps[500 + k].title = twin;
    }
    let start = Instant::now();
    let findings = panelist::domain::rules::check(&catalog, &apps);
    let took = start.elapsed();
    let pairs = findings
        .iter()
        .filter(|f| f.rule == panelist::domain::rules::Rule::MultiRoute)
        .count();
    println!("  ({pairs} multi-route pairs flagged among the 10 twins)");
    r.add(
        "screen 1000 apps, 200k-char titles",
        "wall",
        took.as_secs_f64() * 1000.0,
        "ms",
        "< 2000 ms",
    );
}

/// One durable, signed score change through the history store, against a
/// bare SQLite insert of the same bytes with the same durability (rollback
/// journal, `synchronous=FULL`: the change is in the one file when it
/// returns).
fn score_change(r: &mut Report, dir: &Path) {
    const N: usize = 1000;
    let p = bundle_with(dir, 200);
    let clock = Clock::System;
    let mut b = Bundle::open_write(&p).expect("open");
    b.claim(&Identity {
        id: "E01".into(),
        name: "基准".into(),
        org: "基准".into(),
        key_id: None,
    })
    .expect("claim");
    let apps: Vec<String> = b
        .applications()
        .expect("apps")
        .into_iter()
        .map(|a| a.id)
        .collect();
    // Every event is signed when it is made, as an expert's are.
    let sk = panelist::crypto::sign::SecretKey::generate(panelist::crypto::Alg::Ed25519, None)
        .expect("key");
    let signer = panelist::keyring::owner::OwnerKey::new(&sk, Vec::new());
    let mut ours = Vec::with_capacity(N);
    for i in 0..N {
        let c = Change::Score {
            app: apps[i % apps.len()].clone(),
            criterion: "innovation".into(),
            value: Some((i % 26) as i64),
        };
        let t = Instant::now();
        b.append(c, &clock, &signer).expect("append");
        ours.push(t.elapsed());
    }
    drop(b);
    let bare_path = dir.join("bare.sqlite");
    let _ = std::fs::remove_file(&bare_path);
    let conn = rusqlite::Connection::open(&bare_path).expect("bare");
    conn.execute_batch(
        "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL; \
         CREATE TABLE events(seq INTEGER PRIMARY KEY, body TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);",
    )
    .expect("schema");
    let body = "{\"app\":\"G-BJ-000001\",\"criterion\":\"innovation\",\"expert\":\"E01\",\"time\":\"2024-03-01T09:00:00.000Z\",\"type\":\"score\",\"value\":18}";
    let h = "0".repeat(64);
    let mut bare = Vec::with_capacity(N);
    for i in 0..N {
        let t = Instant::now();
        conn.execute(
            "INSERT INTO events VALUES(?1, ?2, ?3, ?4)",
            rusqlite::params![i as i64 + 1, body, h, h],
        )
        .expect("insert");
        bare.push(t.elapsed());
    }
    ours.sort();
    bare.sort();
    let name = "score change, durable (1000 appends)";
    r.add(name, "p50 ms", pct(&ours, 0.5), "ms", "≤ 1.5× bare");
    r.add(name, "p99 ms", pct(&ours, 0.99), "ms", "≤ 1.5× bare");
    r.add(
        name,
        "bare insert p50 ms",
        pct(&bare, 0.5),
        "ms",
        "reference",
    );
    r.add(
        name,
        "bare insert p99 ms",
        pct(&bare, 0.99),
        "ms",
        "reference",
    );
    r.add(
        name,
        "ratio p50",
        pct(&ours, 0.5) / pct(&bare, 0.5),
        "×",
        "≤ 1.5",
    );
}

/// Recompute and replay a history of one million events.
fn replay_million(r: &mut Report, dir: &Path) {
    const N: u64 = 1_000_000;
    let rubric = default_rubric().expect("rubric");
    let digest = [3u8; 32];
    let mut prev = history::genesis(&digest, "E01");
    let mut events = Vec::with_capacity(N as usize);
    for i in 0..N {
        let c = Change::Score {
            app: format!("G-{:06}", i % 1000),
            criterion: rubric.criteria[(i % 4) as usize].key.clone(),
            value: Some((i % 26) as i64),
        };
        let e = history::make_event(i + 1, &prev, "2024-03-01T09:00:00.000Z", "E01", c);
        prev = history::unhex32(&e.hash).expect("hex");
        events.push(e);
    }
    let t = Instant::now();
    let head = history::verify_chain(&digest, "E01", &events).expect("verifies");
    let verify = t.elapsed();
    let t = Instant::now();
    let sheet = history::replay(&rubric, |_| true, &events).expect("replays");
    let replay = t.elapsed();
    assert_eq!(
        history::hex(&head),
        events.last().map(|e| e.hash.clone()).unwrap_or_default()
    );
    assert_eq!(sheet.entries.len(), 1000);
    // The bytes the chain hashes, for the sha256sum comparison.
    let mut hashed: u64 = 0;
    let mut f =
        std::io::BufWriter::new(std::fs::File::create(dir.join("chain-bytes.bin")).expect("file"));
    for e in &events {
        let body = history::canonical_body(&e.time, &e.expert, &e.change);
        hashed += (history::EVENT_TAG.len() + 8 + 32 + body.len()) as u64;
        std::io::Write::write_all(&mut f, &body).expect("write");
    }
    drop(f);
    let name = "audit/replay 1,000,000 events (in memory)";
    r.add(
        name,
        "verify chain s",
        verify.as_secs_f64(),
        "s",
        "≤ 1 s (with replay)",
    );
    r.add(
        name,
        "replay s",
        replay.as_secs_f64(),
        "s",
        "≤ 1 s (with verify)",
    );
    r.add(
        name,
        "total s",
        (verify + replay).as_secs_f64(),
        "s",
        "≤ 1 s",
    );
    r.add(name, "bytes hashed MB", hashed as f64 / 1e6, "MB", "");
}

/// Fuzzy filtering of 100,000 applications as the expert types: every
/// keystroke of each query re-ranks (the TUI's search index), and the full
/// keystroke (App update + redraw on a 140×40 TestBackend).
fn fuzzy_filter(r: &mut Report, dir: &Path) {
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    use panelist::tui::action::Action;
    use panelist::tui::expert::{App, Session};
    use panelist::tui::search::Index;
    const N: usize = 100_000;
    let catalog = shipped_catalog("2023").expect("catalog");
    let apps = generate::applications(&catalog, N, 11);
    // The same lines for fzf in bench/compare.sh.
    let lines: Vec<String> = apps
        .iter()
        .map(|a| {
            let mut l = format!("{} {}", a.id, a.title);
            for u in a.units() {
                l.push(' ');
                l.push_str(&u.name);
            }
            l
        })
        .collect();
    let _ = std::fs::write(dir.join("haystack.txt"), lines.join("\n"));
    let t = Instant::now();
    let mut index = Index::new(&apps, &catalog);
    let build = t.elapsed();
    let queries = [
        "数据",
        "安全平台",
        "金融交易零信任",
        "soc",
        "g-bj-0",
        "星河网络",
        "xyzzyq",
        "华信",
        "武汉 物联",
        "星河 密码算法",
        "机器学习模型",
    ];
    let mut per_key = Vec::new();
    for q in queries {
        let chars: Vec<char> = q.chars().collect();
        index.rank("");
        for k in 1..=chars.len().min(8) {
            let prefix: String = chars[..k].iter().collect();
            let t = Instant::now();
            let hits = index.rank(&prefix);
            per_key.push(t.elapsed());
            if std::env::var_os("BENCH_VERBOSE").is_some() {
                eprintln!(
                    "{prefix:?} {} hits {:.2} ms",
                    hits.len(),
                    t.elapsed().as_secs_f64() * 1e3
                );
            }
            std::hint::black_box(hits.len());
        }
    }
    per_key.sort();
    let name = "fuzzy filter, 100k applications, per keystroke";
    r.add(
        name,
        "index build ms",
        build.as_secs_f64() * 1000.0,
        "ms",
        "once at open",
    );
    r.add(name, "p50 ms", pct(&per_key, 0.5), "ms", "≤ 16 ms");
    r.add(name, "p99 ms", pct(&per_key, 0.99), "ms", "≤ 16 ms");
    r.add(
        name,
        "max ms",
        per_key.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        "ms",
        "≤ 16 ms",
    );
    // The whole keystroke in the real App, with a redraw.
    let content = Content {
        catalog: catalog.clone(),
        rubric: default_rubric().expect("rubric"),
        applications: apps,
        roster: vec![],
    };
    let session = Session {
        meta: panelist::store::Meta {
            call: "2023".into(),
            panel: "bench".into(),
            bundle_id: "0".into(),
            created: String::new(),
            digest: String::new(),
            tool_version: String::new(),
        },
        catalog: content.catalog,
        rubric: content.rubric,
        apps: content.applications.into(),
        roster: vec![],
        owner: Some(Identity {
            id: "E01".into(),
            name: "基准".into(),
            org: "基准".into(),
            key_id: None,
        }),
        sheet: Default::default(),
        history_size: 0,
        path: dir.join("filter.bundle"),
        keys: vec![],
        texts: true,
    };
    let mut app = App::new(session, panelist::tui::config::Settings::default());
    app.update(Action::Resize {
        width: 140,
        height: 40,
    });
    let mut term =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(140, 40)).expect("terminal");
    let key = |c: char| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    let esc = Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    // The index is built once at open (timed above); the first search
    // waits for it, so one untimed search goes first.
    app.start_search_index();
    app.on_event(key('/'));
    app.on_event(key('x'));
    app.on_event(esc.clone());
    let mut full = Vec::new();
    for q in queries {
        app.on_event(key('/'));
        for c in q.chars().take(8) {
            let t = Instant::now();
            app.on_event(key(c));
            term.draw(|f| panelist::tui::expert::view::draw(f, &mut app))
                .expect("draw");
            full.push(t.elapsed());
        }
        app.on_event(esc.clone());
        app.on_event(key('x'));
    }
    full.sort();
    r.add(
        name,
        "keystroke+redraw p50 ms",
        pct(&full, 0.5),
        "ms",
        "≤ 16 ms",
    );
    r.add(
        name,
        "keystroke+redraw p99 ms",
        pct(&full, 0.99),
        "ms",
        "≤ 16 ms",
    );
}

/// Opening a 10,000-application working copy to the first rendered frame.
fn open_to_first_frame(r: &mut Report, dir: &Path) {
    use panelist::tui::action::Action;
    use panelist::tui::expert::{App, Session};
    let p = bundle_with(dir, 10_000);
    {
        let mut b = Bundle::open_write(&p).expect("open");
        b.claim(&Identity {
            id: "E01".into(),
            name: "基准".into(),
            org: "基准".into(),
            key_id: None,
        })
        .expect("claim");
    }
    let mut runs = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        // As the screens open a copy: every check but the content digest
        // before the frame, the digest after it (no change before it).
        let mut b = Bundle::open_write_deferred(&p).expect("open");
        let t_open = t.elapsed();
        // As the screens load it: the list, and the first application's
        // texts.
        let session = Session::load_brief(&b).expect("load");
        let t_load = t.elapsed();
        let mut app = App::new(session, panelist::tui::config::Settings::default());
        let t_app = t.elapsed();
        app.update(Action::Resize {
            width: 140,
            height: 40,
        });
        let mut term =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(140, 40)).expect("terminal");
        term.draw(|f| panelist::tui::expert::view::draw(f, &mut app))
            .expect("draw");
        runs.push(t.elapsed());
        if std::env::var_os("BENCH_VERBOSE").is_some() {
            let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
            eprintln!(
                "open {:.1} load {:.1} app {:.1} frame {:.1} ms",
                ms(t_open),
                ms(t_load - t_open),
                ms(t_app - t_load),
                ms(t.elapsed() - t_app)
            );
        }
        // As the screens do once the first frame is drawn: the content
        // check starts, and hands the texts over (for the search index).
        b.start_content_check();
        app.on_texts(b.checked_applications().expect("texts"));
        // Each run starts alone: this open's search index is built first
        // (a search waits for it).
        {
            use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
            let key = |c: KeyCode| Event::Key(KeyEvent::new(c, KeyModifiers::NONE));
            app.on_event(key(KeyCode::Char('/')));
            app.on_event(key(KeyCode::Char('x')));
            app.on_event(key(KeyCode::Esc));
        }
        // Each run starts alone: this open's content check finishes first.
        while b.content_verdict().is_none() {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        drop(b);
    }
    runs.sort();
    let name = "open 10k-application bundle to first frame";
    r.add(name, "median ms", pct(&runs, 0.5), "ms", "≤ 100 ms");
    r.add(name, "max ms", pct(&runs, 1.0), "ms", "≤ 100 ms");
    let size = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
    r.add(name, "bundle MB", size as f64 / 1e6, "MB", "");
}

/// The chair's merge of 300 experts × 1,000 applications: verify every
/// signed file, aggregate, write JSON, CSV and XLSX — the real binary, its
/// peak memory read from /proc while it runs.
fn merge_panel(r: &mut Report, dir: &Path) {
    let panel = dir.join("panel300");
    let clock = Clock::stepping("2024-03-01T09:00:00Z", 1000).expect("clock");
    let t = Instant::now();
    panelist::dev::generate_panel(&panel, 300, 1000, 7, 2, &clock).expect("generate");
    let gen_s = t.elapsed().as_secs_f64();
    let input_bytes: u64 = std::fs::read_dir(panel.join("exports"))
        .expect("exports")
        .filter_map(|e| e.ok())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    let exports: Vec<std::path::PathBuf> = sorted_files(&panel.join("exports"));
    // The median wall of three runs (as the figures it is held to were
    // taken), and the highest peak.
    let runs: Vec<(f64, u64)> = (0..3)
        .map(|_| {
            run_timed(
                &[
                    "merge".as_ref(),
                    "--bundle".as_ref(),
                    panel.join("panel.bundle").as_os_str(),
                    "--roster".as_ref(),
                    panel.join("roster.json").as_os_str(),
                    panel.join("exports").as_os_str(),
                    "-o".as_ref(),
                    panel.join("merged.json").as_os_str(),
                    "--csv".as_ref(),
                    panel.join("merged.csv").as_os_str(),
                    "--xlsx".as_ref(),
                    panel.join("merged.xlsx").as_os_str(),
                ],
                "merge",
            )
        })
        .collect();
    let mut walls: Vec<f64> = runs.iter().map(|r| r.0).collect();
    walls.sort_by(f64::total_cmp);
    let wall = walls[1];
    let peak_kb = runs.iter().map(|r| r.1).max().unwrap_or(0);
    let name = "merge 300 experts × 1,000 applications";
    r.add(name, "generate s", gen_s, "s", "setup");
    r.add(name, "input MB", input_bytes as f64 / 1e6, "MB", "");
    r.add(name, "wall s", wall, "s", "≤ 2 s");
    r.add(name, "wall s, fastest of 3", walls[0], "s", "");
    r.add(name, "wall s, slowest of 3", walls[2], "s", "");
    r.add(
        name,
        "peak RSS MB",
        peak_kb as f64 / 1e3,
        "MB",
        "≤ 0.5× input",
    );
    r.add(
        name,
        "peak / input",
        peak_kb as f64 * 1e3 / input_bytes as f64,
        "×",
        "≤ 0.5",
    );
    let merged = std::fs::metadata(panel.join("merged.json"))
        .map(|m| m.len())
        .unwrap_or(0);
    r.add(name, "merged.json MB", merged as f64 / 1e6, "MB", "");

    // `panelist verify` of the same 300 files, end to end, and one file
    // verified in process (one core) beside it.
    let mut args: Vec<&std::ffi::OsStr> = vec!["verify".as_ref()];
    args.extend(exports.iter().map(|p| p.as_os_str()));
    let roster = panel.join("roster.json");
    args.extend(["--roster".as_ref(), roster.as_os_str()]);
    let (wall, peak_kb) = run_timed(&args, "verify");
    let name = "verify 300 files (300 × 1,000 panel)";
    r.add(name, "wall s", wall, "s", "≤ 1.5 s");
    r.add(name, "peak RSS MB", peak_kb as f64 / 1e3, "MB", "");
    let entries = panelist::verify::read_checked_roster(&roster).expect("roster");
    let ctx = panelist::verify::Context {
        roster: &entries,
        bundle: None,
    };
    let text = std::fs::read_to_string(&exports[0]).expect("export");
    let t = Instant::now();
    let env = panelist::verify::parse_envelope(&text).expect("envelope");
    let parse_env = t.elapsed();
    let t = Instant::now();
    panelist::verify::verify_envelope(&env, &ctx).expect("verifies");
    let rest = t.elapsed();
    r.add(
        name,
        "in-process ms/file",
        (parse_env + rest).as_secs_f64() * 1e3,
        "ms",
        "1 core",
    );
    r.add(
        name,
        "of which envelope ms",
        parse_env.as_secs_f64() * 1e3,
        "ms",
        "",
    );
}

/// The panel's summary of a 1,000-application merged result printed as
/// PDF (the real binary: read, typeset, subset the CJK font, write).
fn paper_summary(r: &mut Report, dir: &Path) {
    let panel = dir.join("paper15");
    let clock = Clock::stepping("2024-03-01T09:00:00Z", 1000).expect("clock");
    panelist::dev::generate_panel(&panel, 15, 1000, 11, 2, &clock).expect("generate");
    let merged = panel.join("merged.json");
    run_timed(
        &[
            "merge".as_ref(),
            "--bundle".as_ref(),
            panel.join("panel.bundle").as_os_str(),
            "--roster".as_ref(),
            panel.join("roster.json").as_os_str(),
            panel.join("exports").as_os_str(),
            "-o".as_ref(),
            merged.as_os_str(),
        ],
        "merge",
    );
    let pdf = panel.join("summary.pdf");
    let (wall, peak_kb) = run_timed(
        &[
            "paper".as_ref(),
            "summary".as_ref(),
            merged.as_os_str(),
            "-o".as_ref(),
            pdf.as_os_str(),
        ],
        "paper summary",
    );
    let name = "paper summary, 1,000 applications";
    r.add(name, "wall s", wall, "s", "");
    r.add(name, "peak RSS MB", peak_kb as f64 / 1e3, "MB", "");
    let size = std::fs::metadata(&pdf).map(|m| m.len()).unwrap_or(0);
    r.add(name, "PDF MB", size as f64 / 1e6, "MB", "");
}

/// The files of a folder, sorted.
fn sorted_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    v.sort();
    v
}

/// Runs the panelist binary with `args` as a user would (output to
/// /dev/null), returning its wall time in seconds and its peak resident
/// memory (VmHWM, kB) sampled every 5 ms.
fn run_timed(args: &[&std::ffi::OsStr], what: &str) -> (f64, u64) {
    let (wall, peak, _) = run_staged(args, what, None);
    (wall, peak)
}

/// [`run_timed`], and with a `log`, `BENCH_VERBOSE` set and its stderr
/// there: the seconds of each stage the command names (`stage NAME S s
/// ...`).
fn run_staged(
    args: &[&std::ffi::OsStr],
    what: &str,
    log: Option<&Path>,
) -> (f64, u64, BTreeMap<String, f64>) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_panelist"));
    cmd.args(args).stdout(std::process::Stdio::null());
    match log {
        Some(l) => {
            cmd.env("BENCH_VERBOSE", "1")
                .stderr(std::fs::File::create(l).expect("log"));
        }
        None => {
            cmd.stderr(std::process::Stdio::null());
        }
    }
    let t = Instant::now();
    let mut child = cmd.spawn().expect(what);
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0u64;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_path) {
            for line in text.lines() {
                if let Some(v) = line.strip_prefix("VmHWM:") {
                    let kb: u64 = v.trim().trim_end_matches("kB").trim().parse().unwrap_or(0);
                    peak_kb = peak_kb.max(kb);
                }
            }
        }
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let wall = t.elapsed().as_secs_f64();
    // verify and audit exit 1 on findings; only an error (2) or a signal fails.
    assert!(
        status.code().is_some_and(|c| c < 2),
        "{what} failed: {status}"
    );
    let mut stages = BTreeMap::new();
    if let Some(l) = log {
        for line in std::fs::read_to_string(l).unwrap_or_default().lines() {
            let mut w = line.split_whitespace();
            if let (Some("stage"), Some(name), Some(secs)) = (w.next(), w.next(), w.next())
                && let Ok(secs) = secs.parse::<f64>()
            {
                *stages.entry(name.to_string()).or_insert(0.0) += secs;
            }
        }
    }
    (wall, peak_kb, stages)
}

/// The 30 × 1,000 panel: `panelist verify` end to end, and the plain
/// Python verifier of bench/plain_verify.py on the same files (run by
/// bench/compare.sh, which prints the ratio).
fn verify_panel30(r: &mut Report, dir: &Path) {
    let panel = dir.join("panel30");
    let clock = Clock::stepping("2024-03-01T09:00:00Z", 1000).expect("clock");
    panelist::dev::generate_panel(&panel, 30, 1000, 11, 2, &clock).expect("generate");
    let exports = sorted_files(&panel.join("exports"));
    let roster = panel.join("roster.json");
    let mut args: Vec<&std::ffi::OsStr> = vec!["verify".as_ref()];
    args.extend(exports.iter().map(|p| p.as_os_str()));
    args.extend(["--roster".as_ref(), roster.as_os_str()]);
    let (wall, _) = run_timed(&args, "verify");
    r.add(
        "verify 30 files (30 × 1,000 panel)",
        "wall s",
        wall,
        "s",
        "≥ 20× plain Python",
    );
}

/// `panelist audit` of one working copy holding 1,000,000 signed events,
/// end to end (read once, chain, replay, sheet, every event's signature).
fn audit_million(r: &mut Report, dir: &Path) {
    const N: usize = 1_000_000;
    let p = bundle_with(dir, 1000);
    let clock = Clock::stepping("2024-03-01T09:00:00Z", 1).expect("clock");
    let sk = panelist::crypto::sign::SecretKey::generate(panelist::crypto::Alg::Ed25519, None)
        .expect("key");
    let mut b = Bundle::open_write(&p).expect("open");
    b.claim(&Identity {
        id: "E01".into(),
        name: "基准".into(),
        org: "基准".into(),
        key_id: Some(sk.verify_key().key_id()),
    })
    .expect("claim");
    let apps: Vec<String> = b
        .applications()
        .expect("apps")
        .into_iter()
        .map(|a| a.id)
        .collect();
    let crit: Vec<String> = b.rubric.criteria.iter().map(|c| c.key.clone()).collect();
    let signer = panelist::keyring::owner::OwnerKey::new(&sk, Vec::new());
    let t = Instant::now();
    let batch = 20_000;
    for start in (0..N).step_by(batch) {
        let changes = (start..start + batch)
            .map(|i| Change::Score {
                app: apps[i % apps.len()].clone(),
                criterion: crit[(i / apps.len()) % crit.len()].clone(),
                value: Some(((i * 7) % 21) as i64),
            })
            .collect();
        b.append_all(changes, &clock, &signer).expect("append");
    }
    drop(b);
    let setup = t.elapsed().as_secs_f64();
    let roster = dir.join("audit-roster.json");
    let entry = serde_json::json!([{
        "id": "E01", "name": "基准", "org": "基准", "alg": "ed25519",
        "public_key": history::hex(sk.verify_key().public_key()),
        "key_id": sk.verify_key().key_id(),
    }]);
    std::fs::write(&roster, entry.to_string()).expect("roster");
    let (wall, peak_kb, stages) = run_staged(
        &[
            "audit".as_ref(),
            p.as_os_str(),
            "--roster".as_ref(),
            roster.as_os_str(),
        ],
        "audit",
        Some(&dir.join("audit-stages.log")),
    );
    let stage = |n: &str| stages.get(n).copied().unwrap_or(f64::NAN);
    let name = "audit working copy of 1,000,000 events";
    r.add(name, "setup s", setup, "s", "setup");
    r.add(name, "wall s", wall, "s", "report");
    r.add(
        name,
        "open+checks+read s",
        stage("open+checks") + stage("read"),
        "s",
        "report",
    );
    r.add(
        name,
        "chain+replay s",
        stage("chain") + stage("replay"),
        "s",
        "≤ 1 s",
    );
    r.add(name, "signatures s", stage("signatures"), "s", "own figure");
    r.add(name, "peak RSS MB", peak_kb as f64 / 1e3, "MB", "");
    r.add(
        name,
        "bundle MB",
        std::fs::metadata(&p).map_or(0.0, |m| m.len() as f64 / 1e6),
        "MB",
        "",
    );
}

/// A working copy's audit checks one signature per event: 1,000,000 event
/// signatures (Ed25519) checked as `audit` does (in parallel over the
/// cores), beside the algorithm's own single-core verify rate.
fn event_signatures(r: &mut Report) {
    use panelist::crypto::event::{self, EventSig};
    use panelist::crypto::sign::SecretKey;
    const N: usize = 1_000_000;
    let key = SecretKey::generate(panelist::crypto::Alg::Ed25519, None).expect("key");
    let hashes: Vec<[u8; 32]> = (0..N as u64)
        .map(|i| {
            let mut h = [0u8; 32];
            h[..8].copy_from_slice(&i.to_be_bytes());
            h[8..16].copy_from_slice(&i.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_le_bytes());
            h
        })
        .collect();
    // Signing them takes a while; split it over the cores like the check.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = N.div_ceil(threads);
    let sigs: Vec<String> = std::thread::scope(|sc| {
        let parts: Vec<_> = hashes
            .chunks(chunk)
            .map(|c| {
                let key = &key;
                sc.spawn(move || {
                    c.iter()
                        .map(|h| event::sign(key, h).expect("sign"))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().expect("join"))
            .collect()
    });
    let pairs: Vec<([u8; 32], Option<&str>)> = hashes
        .iter()
        .zip(&sigs)
        .map(|(h, s)| (*h, Some(s.as_str())))
        .collect();
    let accepted = [key.verify_key().clone()];
    let t = Instant::now();
    let v = event::check_all(&accepted, &pairs);
    let all = t.elapsed();
    assert!(v.iter().all(|x| *x == EventSig::Current));
    // The algorithm's own rate on one core, on the first 20,000.
    let t = Instant::now();
    for (h, s) in pairs.iter().take(20_000) {
        assert!(event::verify(key.verify_key(), h, s.unwrap_or_default()));
    }
    let one = t.elapsed().as_secs_f64() / 20_000.0;
    let name = "event signatures, 1M events (audit)";
    r.add(name, "wall s", all.as_secs_f64(), "s", "report");
    r.add(
        name,
        "per event µs",
        all.as_secs_f64() * 1e6 / N as f64,
        "µs",
        "report",
    );
    r.add(
        name,
        "one-core verify µs",
        one * 1e6,
        "µs",
        "algorithm rate",
    );
    r.add(
        name,
        "speed-up vs one core",
        one * N as f64 / all.as_secs_f64(),
        "×",
        "≈ cores",
    );
}

/// The ministry's combine of a whole year's call: 50 panels of 6 experts
/// and 40 applications (2,000 applications, 300 experts), each merged and
/// signed by its chair, with the planted problems of `panelist dev call`
/// (an application in two panels, a title through two authorities, a unit
/// and two authorities over the national limits, a tie at the cut) and a
/// forged panel result, which the combine refuses.
fn combine_call(r: &mut Report, dir: &Path) {
    let call = dir.join("call50");
    let clock = Clock::stepping("2024-03-01T09:00:00Z", 1000).expect("clock");
    let t = Instant::now();
    panelist::dev::call::generate_call(&call, 50, 6, 40, 3, &clock).expect("generate");
    let gen_s = t.elapsed().as_secs_f64();
    let p = |n: &str| call.join(n);
    let (merged, roster, out) = (p("merged"), p("roster.json"), p("combined.json"));
    let (key, pass, quota) = (p("ministry.key"), p("ministry.pass"), p("quota.toml"));
    let (csv, notice, xlsx) = (p("national.csv"), p("notice.csv"), p("national.xlsx"));
    let args: Vec<&std::ffi::OsStr> = vec![
        "combine".as_ref(),
        merged.as_os_str(),
        "--roster".as_ref(),
        roster.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--key".as_ref(),
        key.as_os_str(),
        "--passphrase-file".as_ref(),
        pass.as_os_str(),
        "--quota".as_ref(),
        quota.as_os_str(),
        "--csv".as_ref(),
        csv.as_os_str(),
        "--notice-csv".as_ref(),
        notice.as_os_str(),
        "--xlsx".as_ref(),
        xlsx.as_os_str(),
    ];
    let (wall, peak_kb) = run_timed(&args, "combine");
    let name = "combine 50 panels, 2,000 applications";
    r.add(name, "generate s", gen_s, "s", "setup");
    r.add(name, "wall s", wall, "s", "≤ 1 s");
    r.add(name, "peak RSS MB", peak_kb as f64 / 1e3, "MB", "");
    let text = std::fs::read_to_string(&out).expect("combined");
    let env = panelist::crypto::envelope::Envelope::parse(&text).expect("envelope");
    let v = env.payload_value().expect("payload");
    let count = |k: &str| v[k].as_array().map_or(0, Vec::len) as f64;
    let rules: std::collections::BTreeSet<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    for want in [
        "same-application",
        "multi-route",
        "unit-limit",
        "authority-limit",
        "high-end-limit",
    ] {
        assert!(rules.contains(want), "the planted {want} was not found");
    }
    assert!(count("ties") >= 1.0, "the planted tie was not found");
    r.add(
        name,
        "findings",
        count("findings"),
        "",
        "every planted rule",
    );
    r.add(name, "ties at the cut", count("ties"), "", "≥ 1");
    r.add(name, "on the list", count("list"), "", "");
    // The same call with a panel result changed after signing: refused.
    let forged = p("forged/p01-changed.json");
    let merged_files = sorted_files(&merged);
    let t = Instant::now();
    let st = std::process::Command::new(env!("CARGO_BIN_EXE_panelist"))
        .arg("combine")
        .args(merged_files.iter().skip(1))
        .arg(&forged)
        .arg("--roster")
        .arg(&roster)
        .arg("-o")
        .arg(p("refused.json"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("combine");
    assert_eq!(st.code(), Some(2), "a forged panel result is refused");
    r.add(
        name,
        "forged: refused s",
        t.elapsed().as_secs_f64(),
        "s",
        "exit 2",
    );
}

fn main() {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let want = |n: &str| filter.is_empty() || filter.iter().any(|f| n.contains(f.as_str()));
    // PANELIST_BENCH_DIR keeps the generated files for bench/compare.sh.
    let tmp = tempfile::tempdir().expect("temp dir");
    let keep = std::env::var_os("PANELIST_BENCH_DIR").map(std::path::PathBuf::from);
    if let Some(k) = &keep {
        std::fs::create_dir_all(k).expect("bench dir");
    }
    let dir_path = keep.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    let mut r = Report { rows: Vec::new() };
    println!(
        "{:<44} {:<18} {:>12} {:<6} target",
        "workload", "figure", "value", "unit"
    );
    if want("score") {
        score_change(&mut r, &dir_path);
    }
    if want("filter") {
        fuzzy_filter(&mut r, &dir_path);
    }
    if want("open") {
        open_to_first_frame(&mut r, &dir_path);
    }
    if want("merge") {
        merge_panel(&mut r, &dir_path);
    }
    if want("verify") {
        verify_panel30(&mut r, &dir_path);
    }
    if want("combine") {
        combine_call(&mut r, &dir_path);
    }
    if want("audit") {
        audit_million(&mut r, &dir_path);
    }
    if want("replay") {
        replay_million(&mut r, &dir_path);
    }
    if want("screen") {
        screen_long_titles(&mut r);
    }
    if want("paper") {
        paper_summary(&mut r, &dir_path);
    }
    if want("sigs") {
        event_signatures(&mut r);
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-results.json");
    let _ = std::fs::write(
        &out,
        serde_json::to_string_pretty(&r.rows).unwrap_or_default(),
    );
}
