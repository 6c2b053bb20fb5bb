//! A chair's whole job, end to end: the provinces' 汇总表 as an XLSX with
//! Chinese headers → bundle → the experts' signed files with their
//! comments (one roster expert hands in nothing, one application has a bad
//! credit code) → merge → a signed result whose payload, CSV and XLSX
//! carry the comments, the eligibility findings and the missing expert,
//! verified by `panelist verify` and by the independent Python verifier;
//! `--require-all` refuses the merge, `--exclude-ineligible` leaves the
//! ineligible application out of the ranking.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use calamine::{Data, Reader, Xlsx};
use common::cli::{Run, Scratch};
use common::panel::{CRITERIA, Expert, Fixture, GOOD_COMMENT, PASS, make_key, read_env};
use panelist::crypto::Alg;
use panelist::crypto::envelope::{Envelope, MERGED_TYPE};
use panelist::domain::RosterEntry;
use panelist::domain::history::Change;
use panelist::store::{Bundle, Identity};
use panelist::support::clock::Clock;
use rust_xlsxwriter::Workbook;
use serde_json::Value;

const HEADERS: &[&str] = &[
    "序号",
    "项目编号",
    "项目名称",
    "申报方向",
    "牵头单位",
    "统一社会信用代码",
    "推荐单位",
    "推荐顺序",
    "省份",
];

/// The application whose lead unit's credit code has a wrong check
/// character (its last one changed).
const BAD_CODE: &str = "BJ-004";
/// E02's comment on BJ-001 starts like a spreadsheet formula.
const FORMULA_COMMENT: &str = "=HYPERLINK(\"http://example.invalid\",\"点此\") 平台已在三家省级单位稳定运行两年，检测能力成熟。";

/// Credit code `n` of the test generator (valid), or with its check
/// character changed (invalid).
fn code(n: u32, valid: bool) -> String {
    let c = common::bundle::credit(n);
    if valid {
        return c;
    }
    let last = c.chars().last().unwrap();
    let other = if last == '0' { '1' } else { '0' };
    format!("{}{other}", &c[..c.len() - 1])
}

fn rows() -> Vec<Vec<String>> {
    let codes = [code(1, true), code(2, true), code(3, true), code(4, false)];
    let mut out: Vec<Vec<String>> = raw_rows()
        .iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect();
    for (r, c) in out.iter_mut().zip(codes) {
        r[5] = c;
    }
    out
}

fn raw_rows() -> Vec<[&'static str; 9]> {
    vec![
        [
            "1",
            "BJ-001",
            "面向工业物联网的终端准入与异常检测平台",
            "物联网",
            "北京甲安科技有限公司",
            "91110108MA01XK3D7T",
            "北京市通信管理局",
            "1",
            "北京",
        ],
        [
            "2",
            "BJ-002",
            "商用密码应用安全性评估服务平台",
            "物联网",
            "北京丁密科技有限公司",
            "91110114MA1GT0W684",
            "北京市通信管理局",
            "2",
            "北京",
        ],
        [
            "3",
            "BJ-003",
            "车载终端远程升级安全防护系统",
            "物联网",
            "北京戊驰科技有限公司",
            "91310120MA1JB7N51L",
            "北京市通信管理局",
            "3",
            "北京",
        ],
        [
            "4",
            "BJ-004",
            "工业控制网络流量审计与威胁狩猎系统",
            "物联网",
            "北京己控信息技术有限公司",
            "91110105MA00TQ8L2Y",
            "北京市通信管理局",
            "4",
            "北京",
        ],
    ]
}

fn write_xlsx(path: &Path) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("汇总表").unwrap();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows().iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, v).unwrap();
        }
    }
    wb.save(path).unwrap();
}

/// Expert `e`'s changes: every application scored, with a comment.
fn changes(e: usize, ids: &[String]) -> Vec<Change> {
    let mut out = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        for (k, c) in CRITERIA.iter().enumerate() {
            out.push(Change::Score {
                app: id.clone(),
                criterion: c.to_string(),
                value: Some(12 + ((i * 3 + e * 2 + k) % 11) as i64),
            });
        }
        let text = if e == 1 && id == "BJ-001" {
            FORMULA_COMMENT.to_string()
        } else {
            format!("{GOOD_COMMENT}（专家{}对{}）", e + 1, id)
        };
        out.push(Change::Comment {
            app: id.clone(),
            text,
        });
        out.push(Change::Recommend {
            app: id.clone(),
            value: Some(i % 2 == 0),
        });
    }
    out
}

fn build() -> Fixture {
    let s = Scratch::for_fixture("chair_job");
    let pass = s.path("pass.txt");
    std::fs::write(&pass, format!("{PASS}\n")).unwrap();
    let x = s.path("汇总表.xlsx");
    write_xlsx(&x);
    let bundle = s.path("panel.bundle");
    let r = s.run(&[
        "bundle",
        "new",
        x.to_str().unwrap(),
        "-o",
        bundle.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "bundle new: {}\n{}", r.stdout, r.stderr);
    let ids: Vec<String> = Bundle::open_read(&bundle)
        .unwrap()
        .applications()
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(ids, ["BJ-001", "BJ-002", "BJ-003", "BJ-004"]);

    // E01 and E02 hand in their files; E03 is on the roster with a key but
    // hands in nothing.
    let mut roster: Vec<RosterEntry> = Vec::new();
    for (e, id) in ["E01", "E02", "E03"].iter().enumerate() {
        let key = make_key(id, Alg::Ed25519);
        roster.push(key.file.roster_entry());
        if *id == "E03" {
            continue;
        }
        let copy = s.path(&format!("{id}.bundle"));
        std::fs::copy(&bundle, &copy).unwrap();
        let mut b = Bundle::open_write(&copy).unwrap();
        b.claim(&Identity {
            id: id.to_string(),
            name: key.file.name.clone(),
            org: key.file.org.clone(),
            key_id: Some(key.file.key_id.clone()),
        })
        .unwrap();
        drop(b);
        let clock = Clock::stepping("2024-03-01T09:00:00Z", 250).unwrap();
        let x = Expert { key, copy, clock };
        x.append(changes(e, &ids));
        x.export(&s.path(&format!("{id}.json")), false);
    }
    let fx = Fixture {
        s,
        pass,
        bundle,
        roster: PathBuf::new(),
        expert_key: make_key("E09", Alg::Ed25519).key,
    };
    let r = fx.run(&[
        "key",
        "new",
        "--id",
        "C01",
        "--name",
        "组长",
        "--org",
        "评审组",
        "--alg",
        "ed25519",
    ]);
    assert_eq!(r.code, 0, "key new: {}", r.stderr);
    let r = fx.run(&["key", "show", "--id", "C01", "--roster-entry"]);
    assert_eq!(r.code, 0, "key show: {}", r.stderr);
    let mut chair: RosterEntry = serde_json::from_str(&r.stdout).unwrap();
    chair.role = Some("chair".into());
    roster.push(chair);
    let roster_path = fx.path("roster.json");
    std::fs::write(&roster_path, serde_json::to_string_pretty(&roster).unwrap()).unwrap();
    Fixture {
        roster: roster_path,
        ..fx
    }
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(build)
}

fn payload(path: &Path) -> Value {
    read_env(path).payload_value().unwrap()
}

fn app<'a>(p: &'a Value, id: &str) -> &'a Value {
    p["applications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap()
}

fn verify(fx: &Fixture, merged: &Path, with_bundle: bool) -> Run {
    let (m, r, b) = (
        merged.display().to_string(),
        fx.roster.display().to_string(),
        fx.bundle.display().to_string(),
    );
    let mut args = vec!["verify", m.as_str(), "--roster", r.as_str()];
    if with_bundle {
        args.extend(["--bundle", b.as_str()]);
    }
    fx.run(&args)
}

/// The independent Python verifier on `merged` with the experts' files.
fn python(fx: &Fixture, merged: &Path) -> Run {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/verify_merged.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(merged)
        .arg("--roster")
        .arg(&fx.roster)
        .arg(fx.path("E01.json"))
        .arg(fx.path("E02.json"))
        .output()
        .expect("python3");
    Run::from(out)
}

fn merged_with(name: &str, extra: &[&str]) -> PathBuf {
    let fx = fixture();
    let csv = fx.path(&format!("{name}.csv")).display().to_string();
    let xlsx = fx.path(&format!("{name}.xlsx")).display().to_string();
    let mut args = vec![
        "--key",
        "C01",
        "--csv",
        csv.as_str(),
        "--xlsx",
        xlsx.as_str(),
    ];
    args.extend(extra);
    fx.merge_into(&["E01.json", "E02.json"], &format!("{name}.json"), &args)
}

fn merged() -> &'static Path {
    static M: OnceLock<PathBuf> = OnceLock::new();
    M.get_or_init(|| merged_with("merged", &[]))
}

#[test]
fn the_signed_result_carries_comments_findings_and_the_missing_expert() {
    let fx = fixture();
    let path = merged();
    let p = payload(path);
    assert_eq!(p["format"], "panelist.merged.v4");
    assert_eq!(read_env(path).payload_type, MERGED_TYPE);
    // Every scorer's comment and recommendation, as the export stated it.
    let a1 = app(&p, "BJ-001");
    let marks = a1["by_expert"].as_array().unwrap();
    assert_eq!(marks.len(), 2);
    assert_eq!(marks[0]["expert"], "E01");
    assert_eq!(
        marks[0]["comment"],
        format!("{GOOD_COMMENT}（专家1对BJ-001）")
    );
    assert_eq!(marks[0]["recommend"], true);
    assert_eq!(marks[1]["comment"], FORMULA_COMMENT);
    // The bad credit code is found, on that application only.
    let flagged: Vec<&str> = p["applications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| !a["findings"].as_array().unwrap().is_empty())
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(flagged, [BAD_CODE]);
    let f = &app(&p, BAD_CODE)["findings"][0];
    assert_eq!(f["rule"], "credit-code");
    assert!(f["detail_en"].as_str().unwrap().contains(&code(4, false)));
    assert!(!f["detail_zh"].as_str().unwrap().is_empty());
    // Flagged, but still ranked without --exclude-ineligible.
    assert!(app(&p, BAD_CODE)["rank"].is_u64());
    assert_eq!(p["excluded"], serde_json::json!([]));
    assert_eq!(p["method"]["exclude_ineligible"], false);
    // E03 was expected: no file given.
    let missing = p["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert_eq!(missing[0]["expert"], "E03");
    assert_eq!(missing[0]["reason"], "no-file");

    let v = verify(fx, path, true);
    assert_eq!(v.code, 0, "{}\n{}", v.stdout, v.stderr);
    let py = python(fx, path);
    assert_eq!(py.code, 0, "{}\n{}", py.stdout, py.stderr);
    assert!(py.stdout.starts_with("OK  "), "{}", py.stdout);
}

#[test]
fn the_csv_and_the_xlsx_carry_comments_findings_and_the_missing_expert() {
    let fx = fixture();
    merged();
    let csv = std::fs::read_to_string(fx.path("merged.csv")).unwrap();
    let row = |id: &str| {
        csv.lines()
            .find(|l| l.contains(id))
            .unwrap_or_else(|| panic!("no row {id}"))
            .to_string()
    };
    let header = csv.lines().next().unwrap();
    assert!(header.contains("eligibility findings"), "{header}");
    assert!(header.contains("comments"), "{header}");
    assert!(row(BAD_CODE).contains("credit-code: "), "{}", row(BAD_CODE));
    assert!(!row("BJ-002").contains("credit-code"));
    let r1 = row("BJ-001");
    assert!(r1.contains(&format!("E01 (yes): {GOOD_COMMENT}")), "{r1}");
    assert!(r1.contains("E02 (yes): =HYPERLINK"), "{r1}");
    // Formula-safe: no cell of the file starts like a formula.
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    for rec in rd.records() {
        for cell in rec.unwrap().iter() {
            assert!(!cell.starts_with(['=', '+', '@']), "{cell:?}");
        }
    }

    let mut wb: Xlsx<_> = calamine::open_workbook(fx.path("merged.xlsx")).unwrap();
    let sheet = wb.worksheet_range("Comments").expect("a comments sheet");
    let rows: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    assert_eq!(
        rows[0],
        [
            Data::String("application".into()),
            Data::String("title".into()),
            Data::String("expert".into()),
            Data::String("recommendation".into()),
            Data::String("comment".into()),
        ]
    );
    assert_eq!(rows.len(), 1 + 4 * 2);
    // The title heads each application's rows: on its first row, empty on
    // the others; the id is on every row.
    let mut seen = std::collections::BTreeSet::new();
    for r in &rows[1..] {
        let Data::String(id) = &r[0] else {
            panic!("no id: {r:?}")
        };
        if seen.insert(id.clone()) {
            assert!(
                matches!(&r[1], Data::String(t) if !t.is_empty()),
                "{id}'s first row has the title: {r:?}"
            );
        } else {
            assert_eq!(r[1], Data::Empty, "{id}: only the first row has the title");
        }
    }
    assert_eq!(seen.len(), 4, "four applications, two comments each");
    let e02 = rows
        .iter()
        .find(|r| r[0] == Data::String("BJ-001".into()) && r[2] == Data::String("E02".into()))
        .expect("E02 on BJ-001");
    // Text as a string cell, never a formula.
    assert_eq!(e02[4], Data::String(FORMULA_COMMENT.into()));
    assert_eq!(e02[3], Data::String("yes".into()));
    let formulas = wb.worksheet_formula("Comments").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    let summary = wb.worksheet_range("Summary").unwrap();
    let cells: Vec<String> = summary
        .used_cells()
        .map(|(_, _, c)| c.to_string())
        .collect();
    let at = cells
        .iter()
        .position(|c| c == "Roster experts missing")
        .expect("missing experts in the summary");
    assert_eq!(cells[at + 5], "E03", "{cells:?}");
    assert!(cells.iter().any(|c| c == "no file was given"));
    // The direction sheet flags the finding.
    let dir = wb
        .sheet_names()
        .into_iter()
        .find(|n| n.starts_with("08"))
        .unwrap();
    let d = wb.worksheet_range(&dir).unwrap();
    let bad = d
        .rows()
        .find(|r| r.iter().any(|c| c == &Data::String(BAD_CODE.into())))
        .unwrap();
    assert!(
        bad.iter()
            .any(|c| c.to_string().starts_with("credit-code: "))
    );
}

#[test]
fn require_all_refuses_and_writes_nothing() {
    let fx = fixture();
    let out = fx.path("all.json");
    let r = fx.merge_named(
        &["E01.json", "E02.json"],
        "all.json",
        &["--key", "C01", "--require-all"],
    );
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("--require-all") && r.stderr.contains("E03"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("MISS E03"), "{}", r.stdout);
    assert!(!out.exists());
    // In Chinese too.
    let out = fx.path("all.json").display().to_string();
    let (b, ro) = (
        fx.bundle.display().to_string(),
        fx.roster.display().to_string(),
    );
    let (e1, e2) = (
        fx.path("E01.json").display().to_string(),
        fx.path("E02.json").display().to_string(),
    );
    let zh = fx.run(&[
        "--lang",
        "zh",
        "merge",
        &e1,
        &e2,
        "--bundle",
        &b,
        "--roster",
        &ro,
        "-o",
        &out,
        "--require-all",
    ]);
    assert_eq!(zh.code, 2);
    assert!(zh.stderr.contains("未写出任何文件"), "{}", zh.stderr);
}

#[test]
fn exclude_ineligible_leaves_the_application_out_of_the_ranking() {
    let fx = fixture();
    let path = merged_with("excl", &["--exclude-ineligible"]);
    let p = payload(&path);
    assert_eq!(p["method"]["exclude_ineligible"], true);
    assert_eq!(
        p["excluded"],
        serde_json::json!([{"id": BAD_CODE, "rules": ["credit-code"]}])
    );
    let bad = app(&p, BAD_CODE);
    assert!(bad["rank"].is_null());
    assert_eq!(bad["ranks"], serde_json::json!({}));
    assert_eq!(bad["total"]["n"], 2, "its figures are kept");
    let mut ranks: Vec<u64> = ["BJ-001", "BJ-002", "BJ-003"]
        .iter()
        .map(|id| app(&p, id)["rank"].as_u64().unwrap())
        .collect();
    ranks.sort_unstable();
    assert_eq!(ranks.last(), Some(&3), "three ranked: {ranks:?}");
    let v = verify(fx, &path, true);
    assert_eq!(v.code, 0, "{}\n{}", v.stdout, v.stderr);
    let py = python(fx, &path);
    assert_eq!(py.code, 0, "{}\n{}", py.stdout, py.stderr);
    let csv = std::fs::read_to_string(fx.path("excl.csv")).unwrap();
    let row = csv.lines().find(|l| l.contains(BAD_CODE)).unwrap();
    assert!(row.contains(",yes,"), "{row}");
}

/// Writes `env` with `edit` applied to its payload, signed again by the chair.
fn resigned(name: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let fx = fixture();
    let env = read_env(merged());
    let mut payload = env.payload_value().unwrap();
    edit(&mut payload);
    let signed = Envelope::sign(MERGED_TYPE, payload, &fx.chair_key("C01")).unwrap();
    let path = fx.path(name);
    std::fs::write(&path, signed.to_text()).unwrap();
    path
}

#[test]
fn verifiers_refuse_a_result_that_hides_the_missing_expert_or_a_finding() {
    let fx = fixture();
    let hidden = resigned("hidden.json", |p| p["missing"] = serde_json::json!([]));
    let v = verify(fx, &hidden, false);
    assert_eq!(v.code, 1, "{}\n{}", v.stdout, v.stderr);
    assert!(v.stdout.contains("E03"), "{}", v.stdout);
    let py = python(fx, &hidden);
    assert_eq!(py.code, 1, "{}", py.stdout);
    assert!(py.stdout.contains("missing"), "{}", py.stdout);

    // A finding dropped: the bundle's screen, run again, disagrees.
    let dropped = resigned("dropped.json", |p| {
        for a in p["applications"].as_array_mut().unwrap() {
            a["findings"] = serde_json::json!([]);
        }
    });
    let v = verify(fx, &dropped, true);
    assert_eq!(v.code, 1, "{}\n{}", v.stdout, v.stderr);
    assert!(v.stdout.contains(BAD_CODE), "{}", v.stdout);

    // Excluded without the method saying so.
    let excl = resigned("excl-forged.json", |p| {
        p["excluded"] = serde_json::json!([{"id": BAD_CODE, "rules": ["credit-code"]}]);
    });
    let v = verify(fx, &excl, false);
    assert_eq!(v.code, 1, "{}\n{}", v.stdout, v.stderr);
    let py = python(fx, &excl);
    assert_eq!(py.code, 1, "{}", py.stdout);
    assert!(py.stdout.contains("excluded"), "{}", py.stdout);
}

/// The board, in a real terminal, writing the panel's opinions on two
/// applications into `log` (an untouched draft is not saved; each save is
/// on disk before the board says so). Returns the two ids, in the order
/// written.
fn write_opinions_on_the_board(fx: &Fixture, log: &Path) -> Vec<String> {
    let _one = common::tmux::serial();
    let t = common::tmux::Tmux::new(&fx.s.dir.path().join("home"), "opinions");
    let (m, r, l) = (
        merged().display().to_string(),
        fx.roster.display().to_string(),
        log.display().to_string(),
    );
    t.start_env(
        &[
            "board",
            &m,
            "--roster",
            &r,
            "--opinions",
            &l,
            "--key",
            "C01",
        ],
        Some("en"),
        &[format!("PANELIST_PASSPHRASE_FILE={}", fx.pass.display())],
    );
    t.wait_for("opinions 0/4");
    let current = |s: &str| -> String {
        let row = s.lines().find(|l| l.contains('▶')).expect("a selected row");
        ["BJ-001", "BJ-002", "BJ-003", "BJ-004"]
            .into_iter()
            .find(|id| row.contains(id))
            .expect("an id on the selected row")
            .to_string()
    };
    let first = current(&t.screen());
    // A draft built from the experts' comments; Esc leaves it unsaved.
    t.keys(&["c"]);
    t.wait_for("draft built from the experts' comments");
    t.wait_for("The experts' comments:");
    t.keys(&["Escape"]);
    t.wait_for("draft unchanged, not saved");
    assert!(!log.exists(), "an untouched draft wrote the log");
    // Edited and saved with Ctrl-S: the log holds it before "saved".
    t.keys(&["c"]);
    t.wait_for("draft built from the experts' comments");
    t.keys(&["Enter"]);
    t.text("专家组同意推荐。");
    t.keys(&["C-s"]);
    t.wait_for("✓ saved the panel's opinion on");
    assert!(log.exists());
    t.keys(&["Escape"]);
    t.wait_for("opinions 1/4");
    // The next application, written from nothing.
    t.keys(&["j"]);
    let second = t.wait("the cursor on the next row", |s| current(s) != first);
    let second = current(&second);
    t.keys(&["c"]);
    t.wait_for("draft built from the experts' comments");
    t.keys(&["C-Home"]);
    t.text("第二项：不予推荐。");
    t.keys(&["Escape"]);
    t.wait_for("opinions 2/4");
    t.keys(&["q"]);
    t.wait_exit();
    vec![first, second]
}

#[test]
fn the_panel_opinion_goes_from_the_board_into_the_signed_result() {
    let fx = fixture();
    let log = fx.path("opinions.log");
    let written = write_opinions_on_the_board(fx, &log);
    let (l, csv, xlsx) = (
        log.display().to_string(),
        fx.path("op.csv").display().to_string(),
        fx.path("op.xlsx").display().to_string(),
    );
    let path = fx.merge_into(
        &["E01.json", "E02.json"],
        "op.json",
        &[
            "--key",
            "C01",
            "--opinions",
            &l,
            "--csv",
            &csv,
            "--xlsx",
            &xlsx,
        ],
    );
    let p = payload(&path);
    assert_eq!(p["opinions"]["chair"], "C01");
    assert_eq!(p["opinions"]["events"], 2);
    let o1 = &app(&p, &written[0])["opinion"];
    let text1 = o1["text"].as_str().unwrap();
    assert!(text1.starts_with("Panel opinion:"), "{text1}");
    assert!(
        text1.contains(&format!("{GOOD_COMMENT}（专家1对")),
        "{text1}"
    );
    assert!(text1.ends_with("专家组同意推荐。"), "{text1}");
    assert_eq!(o1["seq"], 1);
    let o2 = &app(&p, &written[1])["opinion"];
    assert!(
        o2["text"]
            .as_str()
            .unwrap()
            .starts_with("第二项：不予推荐。Panel opinion:\n"),
        "{o2}"
    );
    assert_eq!(o2["seq"], 2);
    let others = p["applications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["opinion"].is_null())
        .count();
    assert_eq!(others, 2);

    // Both verifiers accept it; the Python one recomputes the log.
    let v = verify(fx, &path, true);
    assert_eq!(v.code, 0, "{}\n{}", v.stdout, v.stderr);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/verify_merged.py");
    let py = |merged: &Path, log: &Path| {
        Run::from(
            Command::new("python3")
                .arg(&script)
                .arg(merged)
                .arg("--roster")
                .arg(&fx.roster)
                .arg("--opinions")
                .arg(log)
                .output()
                .unwrap(),
        )
    };
    let ok = py(&path, &log);
    assert_eq!(ok.code, 0, "{}\n{}", ok.stdout, ok.stderr);
    assert!(
        ok.stdout
            .contains("opinions match the chair's log (2 events)"),
        "{}",
        ok.stdout
    );

    // People's files: a CSV column and an XLSX sheet.
    let csv = std::fs::read_to_string(fx.path("op.csv")).unwrap();
    assert!(csv.lines().next().unwrap().ends_with("panel opinion"));
    // The opinion keeps its line breaks inside one quoted cell.
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let rec = rd
        .records()
        .map(|r| r.unwrap())
        .find(|r| r.get(2) == Some(written[0].as_str()))
        .unwrap();
    assert_eq!(rec.iter().next_back(), Some(text1));
    let mut wb: Xlsx<_> = calamine::open_workbook(fx.path("op.xlsx")).unwrap();
    let sheet = wb
        .worksheet_range("Panel opinions")
        .expect("an opinions sheet");
    let rows: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0][4], Data::String("panel opinion".into()));
    let r1 = rows
        .iter()
        .find(|r| r[0] == Data::String(written[0].clone()))
        .unwrap();
    assert_eq!(r1[4], Data::String(text1.to_string()));

    // The printed summary carries the opinions in full (pdftotext).
    let pdf = fx.path("op-summary.pdf");
    let r = fx.run(&[
        "paper",
        "summary",
        path.to_str().unwrap(),
        "-o",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let out = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed by this test");
    let printed: String = String::from_utf8(out.stdout)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(printed.contains("专家组意见：Panelopinion:"), "{printed}");
    assert!(printed.contains("专家组同意推荐。"), "{printed}");
    assert!(printed.contains("第二项：不予推荐。"), "{printed}");

    // A result whose opinion is not the log's: the Python verifier, given
    // the log, names it; without the log it is only well-formed.
    let forged = resigned("op-forged.json", |q| {
        *q = p.clone();
        let a = q["applications"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|a| a["id"] == written[0].as_str())
            .unwrap();
        a["opinion"]["text"] = "专家组一致推荐。".into();
    });
    let bad = py(&forged, &log);
    assert_eq!(bad.code, 1, "{}", bad.stdout);
    assert!(
        bad.stdout.contains("is not the log's final opinion"),
        "{}",
        bad.stdout
    );
    let with_log = |merged: &Path| {
        let (m, r, l) = (
            merged.display().to_string(),
            fx.roster.display().to_string(),
            log.display().to_string(),
        );
        fx.run(&["verify", &m, "--roster", &r, "--opinions", &l])
    };
    let good = with_log(&path);
    assert_eq!(good.code, 0, "{}\n{}", good.stdout, good.stderr);
    let bad = with_log(&forged);
    assert_eq!(bad.code, 1, "{}\n{}", bad.stdout, bad.stderr);
    assert!(
        bad.stdout
            .contains("opinion is not the log's final opinion"),
        "{}",
        bad.stdout
    );
    // An opinion pointing past the log's end: both verifiers refuse.
    let past = resigned("op-past.json", |q| {
        *q = p.clone();
        let a = q["applications"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|a| a["id"] == written[1].as_str())
            .unwrap();
        a["opinion"]["seq"] = 9.into();
    });
    let v = verify(fx, &past, false);
    assert_eq!(v.code, 1, "{}\n{}", v.stdout, v.stderr);
    assert!(v.stdout.contains("opinion"), "{}", v.stdout);
    let py2 = python(fx, &past);
    assert_eq!(py2.code, 1, "{}", py2.stdout);
}

/// A copy of the opinion log `from` at `to`, changed through SQLite with
/// the append-only triggers lifted for the change and put back exactly.
fn altered_log(from: &Path, to: &Path, change: &str) {
    std::fs::copy(from, to).unwrap();
    let c = rusqlite::Connection::open(to).unwrap();
    let triggers: Vec<String> = c
        .prepare("SELECT sql FROM sqlite_master WHERE type='trigger' AND tbl_name='events'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    c.execute_batch(
        "DROP TRIGGER events_append_only_update; DROP TRIGGER events_append_only_delete;",
    )
    .unwrap();
    c.execute_batch(change).unwrap();
    for t in triggers {
        c.execute_batch(&t).unwrap();
    }
}

#[test]
fn a_log_altered_or_written_without_the_chairs_key_is_refused() {
    use panelist::domain::opinion;
    let fx = fixture();
    // A log of the chair's own, written through the library.
    let log = fx.path("lib-opinions.log");
    let bundle = Bundle::open_read(&fx.bundle).unwrap();
    let chair_key = fx.chair_key("C01");
    let meta = panelist::store::opinions::OpinionMeta {
        bundle_id: bundle.meta.bundle_id.clone(),
        bundle_digest: bundle.meta.digest.clone(),
        chair: "C01".into(),
        key_id: chair_key.verify_key().key_id(),
    };
    let mut l = panelist::store::opinions::OpinionLog::create(&log, &meta).unwrap();
    let owner = panelist::keyring::owner::OwnerKey::new(&chair_key, Vec::new());
    let clock = Clock::stepping("2024-03-02T09:00:00Z", 1000).unwrap();
    l.append("BJ-001", "专家组同意推荐。", &clock, &owner)
        .unwrap();
    l.append("BJ-002", "不予推荐。", &clock, &owner).unwrap();
    drop(l);
    let merge_with = |log: &Path, out: &str| {
        let l = log.display().to_string();
        fx.merge_named(
            &["E01.json", "E02.json"],
            out,
            &["--key", "C01", "--opinions", &l],
        )
    };
    let good = merge_with(&log, "lib-op.json");
    assert_eq!(good.code, 0, "{}\n{}", good.stdout, good.stderr);

    // Each tampering: the merge stops with one line, writes nothing.
    let refused = |log: &Path, out: &str, why: &str| {
        let r = merge_with(log, out);
        assert_eq!(r.code, 2, "{why}: {}\n{}", r.stdout, r.stderr);
        assert!(!fx.path(out).exists(), "{why}: an output was written");
        assert_eq!(r.stderr.trim().lines().count(), 1, "{why}: {}", r.stderr);
        r.stderr
    };
    let edited = fx.path("edited.log");
    altered_log(
        &log,
        &edited,
        "UPDATE events SET body = replace(body, '不予推荐', '同意推荐') WHERE seq = 2;",
    );
    let e = refused(&edited, "edited.json", "edited text");
    assert!(e.contains("opinion log event 2"), "{e}");
    let cut = fx.path("cut.log");
    altered_log(&log, &cut, "DELETE FROM events WHERE seq = 1;");
    assert!(refused(&cut, "cut.json", "first event cut").contains("event 2"));
    // A new event with a sound chain, signed by an expert's key.
    let forged = fx.path("forged.log");
    std::fs::copy(&log, &forged).unwrap();
    {
        let c = rusqlite::Connection::open(&forged).unwrap();
        let (prev, body_prev): (String, String) = c
            .query_row("SELECT hash, body FROM events WHERE seq = 2", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert!(!body_prev.is_empty());
        let prev = panelist::domain::history::unhex32(&prev).unwrap();
        let ev = opinion::make(
            3,
            &prev,
            "2024-03-02T10:00:00.000Z",
            "C01",
            "BJ-003",
            "推荐。",
        );
        let sig = panelist::crypto::event::sign(&fx.expert_key, &ev.hash_bytes()).unwrap();
        c.execute(
            "INSERT INTO events(seq, body, prev, hash, sig) VALUES(3, ?1, ?2, ?3, ?4)",
            rusqlite::params![String::from_utf8(ev.body()).unwrap(), ev.prev, ev.hash, sig],
        )
        .unwrap();
    }
    let e = refused(&forged, "forged.json", "event signed by another key");
    assert!(e.contains("event 3 was not signed by chair C01"), "{e}");
    // A trigger dropped for good: the schema is not panelist's.
    let open = fx.path("open.log");
    std::fs::copy(&log, &open).unwrap();
    rusqlite::Connection::open(&open)
        .unwrap()
        .execute_batch("DROP TRIGGER events_append_only_update;")
        .unwrap();
    assert!(refused(&open, "open.json", "trigger dropped").contains("schema"));
    // Not an opinion log at all: the bundle itself.
    let e = refused(&fx.bundle, "bundle.json", "a bundle as the log");
    assert!(e.contains("not a panelist opinion log"), "{e}");
    assert!(!e.contains("not a panelist bundle"), "{e}");
    // The board writes opinions only with the chair's key.
    let (m, l) = (merged().display().to_string(), log.display().to_string());
    let r = fx.run(&["board", &m, "--opinions", &l]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--key"), "{}", r.stderr);
}
