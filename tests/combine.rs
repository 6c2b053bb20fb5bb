//! `panelist combine`, the ministry's combine, on a generated call
//! (`panelist dev call`): four panels of four experts and twelve
//! applications, each its own bundle of two directions and its own chair,
//! with every planted problem across panels (the same application in two
//! panels, one title through two authorities, a unit in three
//! applications, an authority over 5 and over 2 in the 高精尖 direction, a
//! tie at the cut) found and named; bad panel results refused in one line;
//! the signed result verified and its tampering caught; the CSV and XLSX
//! read back.

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use calamine::{Data, Reader, Xlsx};
use common::cli::{Run, Scratch};
use common::panel::read_env;
use panelist::crypto::envelope::{COMBINED_TYPE, Envelope, MERGED_TYPE};
use serde_json::Value;

struct Call {
    s: Scratch,
}

impl Call {
    fn path(&self, name: &str) -> PathBuf {
        self.s.path(&format!("call/{name}"))
    }
    fn p(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }
    fn run(&self, args: &[&str]) -> Run {
        self.s.run(args)
    }
    /// `combine` of `inputs` into `out` with the ministry's key and `extra`.
    fn combine(&self, inputs: &[&str], out: &str, extra: &[&str]) -> Run {
        let files: Vec<String> = inputs.iter().map(|f| self.p(f)).collect();
        let (roster, out, key, pass) = (
            self.p("roster.json"),
            self.p(out),
            self.p("ministry.key"),
            self.p("ministry.pass"),
        );
        let mut args = vec!["combine", "--roster", &roster, "-o", &out];
        args.extend(["--key", &key, "--passphrase-file", &pass]);
        args.extend(files.iter().map(String::as_str));
        args.extend(extra);
        self.run(&args)
    }
}

fn call() -> &'static Call {
    static CALL: OnceLock<Call> = OnceLock::new();
    CALL.get_or_init(|| {
        let s = Scratch::for_fixture("combine");
        let out = s.path("call").display().to_string();
        let r = s.run(&[
            "dev",
            "call",
            "--panels",
            "4",
            "--experts",
            "4",
            "--apps",
            "12",
            "-o",
            &out,
        ]);
        assert_eq!(r.code, 0, "dev call: {}", r.stderr);
        Call { s }
    })
}

/// The combined result with the planted quota, its files, run once.
fn combined() -> &'static (Run, Value) {
    static DONE: OnceLock<(Run, Value)> = OnceLock::new();
    DONE.get_or_init(|| {
        let c = call();
        let quota = c.p("quota.toml");
        let (csv, notice, xlsx) = (c.p("rank.csv"), c.p("notice.csv"), c.p("call.xlsx"));
        let r = c.combine(
            &["merged"],
            "combined.json",
            &[
                "--quota",
                &quota,
                "--csv",
                &csv,
                "--notice-csv",
                &notice,
                "--xlsx",
                &xlsx,
            ],
        );
        assert_eq!(r.code, 0, "combine: {}\n{}", r.stdout, r.stderr);
        let env = read_env(&c.path("combined.json"));
        assert_eq!(env.payload_type, COMBINED_TYPE);
        let v = env.payload_value().expect("payload");
        (r, v)
    })
}

fn apps_of(f: &Value) -> Vec<String> {
    let mut v: Vec<String> = f["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .map(|a| format!("{}@{}", a["id"].as_str().unwrap(), a["panel"]))
        .collect();
    v.sort();
    v
}

fn finding<'a>(p: &'a Value, rule: &str, app: &str) -> &'a Value {
    p["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == rule && f["apps"].as_array().unwrap().iter().any(|a| a["id"] == app))
        .unwrap_or_else(|| panic!("no {rule} finding on {app}: {:#}", p["findings"]))
}

#[test]
fn every_planted_problem_across_panels_is_found_and_named() {
    let (r, p) = combined();
    // Panel indices: p01 is 0, p02 is 1, p03 is 2.
    let same = finding(p, "same-application", "P01-0000");
    assert_eq!(apps_of(same), ["P01-0000@0", "P01-0000@1"]);
    assert_eq!(same["panels"], serde_json::json!([0, 1]));
    assert!(same["detail_en"].as_str().unwrap().contains("第2评审组"));
    let route = finding(p, "multi-route", "P01-0001");
    assert_eq!(apps_of(route), ["P01-0001@0", "P03-0001@2"]);
    let unit = finding(p, "unit-limit", "P01-0002");
    assert_eq!(apps_of(unit), ["P01-0002@0", "P02-0002@1", "P03-0002@2"]);
    assert!(
        unit["detail_zh"]
            .as_str()
            .unwrap()
            .contains("全国示范网络安全科技有限公司")
    );
    let auth = finding(p, "authority-limit", "P01-0003");
    assert_eq!(
        apps_of(auth),
        [
            "P01-0003@0",
            "P01-0004@0",
            "P02-0003@1",
            "P02-0004@1",
            "P03-0003@2",
            "P03-0004@2"
        ]
    );
    let high = finding(p, "high-end-limit", "P01-0005");
    assert_eq!(apps_of(high), ["P01-0005@0", "P02-0005@1", "P03-0005@2"]);
    assert!(
        high["source"].as_str().unwrap().contains("三（二）"),
        "{high}"
    );
    // Each is printed, by its rule's name, with the panels.
    for rule in [
        "same-application",
        "multi-route",
        "unit-limit",
        "authority-limit",
        "high-end-limit",
    ] {
        assert!(
            r.stdout
                .lines()
                .any(|l| l.starts_with(&format!("FIND {rule} "))),
            "{rule}: {}",
            r.stdout
        );
    }
    // The entries point at their findings.
    let e = p["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "P02-0002")
        .unwrap();
    let n = e["findings"][0].as_u64().unwrap() as usize;
    assert_eq!(p["findings"][n]["rule"], "unit-limit");
}

#[test]
fn a_tie_at_the_cut_is_reported_and_neither_application_listed() {
    let (r, p) = combined();
    let ties = p["ties"].as_array().unwrap();
    assert_eq!(ties.len(), 1, "{ties:?}");
    let t = &ties[0];
    assert_eq!(
        (t["rank"].as_u64(), t["places_left"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(apps_of(t), ["P01-0007@0", "P02-0006@1"]);
    let list: Vec<&str> = p["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert!(!list.contains(&"P01-0007") && !list.contains(&"P02-0006"));
    for e in p["entries"].as_array().unwrap() {
        let tied = e["id"] == "P01-0007" || e["id"] == "P02-0006";
        assert_eq!(e["status"] == "tie", tied, "{e}");
        if e["status"] == "selected" {
            assert!(list.contains(&e["id"].as_str().unwrap()));
        }
    }
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("TIE ") && l.contains("P01-0007") && l.contains("P02-0006")),
        "{}",
        r.stdout
    );
    // The quota (3 a direction, 1 in the tied one) is kept to.
    let dir = t["direction"].as_u64().unwrap();
    let mut per: std::collections::BTreeMap<u64, usize> = Default::default();
    for a in p["list"].as_array().unwrap() {
        let e = p["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == a["id"] && e["panel"] == a["panel"])
            .unwrap();
        *per.entry(e["direction"].as_u64().unwrap()).or_default() += 1;
    }
    assert_eq!(per.get(&dir), None, "{per:?}");
    assert!(per.values().all(|&n| n <= 3), "{per:?}");
}

#[test]
fn ranks_under_each_basis_and_the_robustness_flag() {
    let (_, p) = combined();
    let shift = p["method"]["rank_shift"].as_u64().unwrap();
    for e in p["entries"].as_array().unwrap() {
        if e["score"].is_null() {
            assert!(e["ranks"].as_object().unwrap().is_empty());
            continue;
        }
        let r: Vec<u64> = ["raw", "zscore", "percentile"]
            .iter()
            .map(|b| e["ranks"][b].as_u64().expect("rank"))
            .collect();
        let spread = r.iter().max().unwrap() - r.iter().min().unwrap();
        assert_eq!(e["robust"].as_bool(), Some(spread <= shift), "{e}");
        assert!(e["z"].is_string() && e["percentile"].is_string());
    }
}

#[test]
fn the_signed_result_verifies_and_a_changed_figure_is_caught() {
    let c = call();
    combined();
    let roster = c.p("roster.json");
    let r = c.run(&["verify", &c.p("combined.json"), "--roster", &roster]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("combined result by M01"), "{}", r.stdout);
    // Re-signed by the ministry with one rank changed: the recomputation
    // refuses it.
    let env = read_env(&c.path("combined.json"));
    let mut v = env.payload_value().unwrap();
    let ranks = &mut v["entries"][3]["ranks"]["raw"];
    *ranks = Value::from(ranks.as_u64().unwrap_or(1) + 1);
    let key = panelist::dev::call::key_of(1, "M01").unwrap();
    let bad = Envelope::sign(COMBINED_TYPE, v, &key).unwrap();
    let out = c.path("combined-bad.json");
    std::fs::write(&out, bad.to_text()).unwrap();
    let r = c.run(&["verify", &out.display().to_string(), "--roster", &roster]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("differs from the recomputation"),
        "{}",
        r.stdout
    );
}

#[test]
fn forged_and_draft_panel_results_are_refused_in_one_line() {
    let c = call();
    for (file, says) in [
        ("forged/p01-changed.json", "does not verify"),
        (
            "forged/p01-stranger.json",
            "no chair's key in the ministry's roster",
        ),
        ("forged/p01-draft.json", "a draft"),
    ] {
        let r = c.combine(
            &["merged/p02.json", file],
            "refused-forged_and_draft_panel_results_are_refused_in_one_line.json",
            &[],
        );
        r.assert_error(&[file.rsplit('/').next().unwrap(), says]);
        assert!(
            !c.path("refused-forged_and_draft_panel_results_are_refused_in_one_line.json")
                .exists(),
            "{file}: written"
        );
    }
    // A file that is not a merged result at all.
    let r = c.combine(
        &["merged/p02.json", "panels/p01/exports/E001.json"],
        "refused-forged_and_draft_panel_results_are_refused_in_one_line.json",
        &[],
    );
    r.assert_error(&["E001.json", "not a panel's merged result"]);
}

#[test]
fn one_file_twice_two_versions_and_another_call_are_refused() {
    let c = call();
    let r = c.combine(
        &["merged", "merged/p02.json"],
        "refused-one_file_twice_two_versions_and_another_call_are_refused.json",
        &[],
    );
    r.assert_error(&["p02.json", "given twice"]);
    let r = c.combine(
        &["merged", "forged/p01-v2.json"],
        "refused-one_file_twice_two_versions_and_another_call_are_refused.json",
        &[],
    );
    r.assert_error(&["p01.json", "p01-v2.json", "two versions", "--prefer"]);
    assert!(
        !c.path("refused-one_file_twice_two_versions_and_another_call_are_refused.json")
            .exists()
    );
    // --prefer keeps the one named and records the other as set aside.
    let v2 = c.p("forged/p01-v2.json");
    let r = c.combine(
        &["merged", "forged/p01-v2.json"],
        "preferred.json",
        &["--prefer", &v2],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let p = read_env(&c.path("preferred.json")).payload_value().unwrap();
    assert_eq!(p["set_aside"][0]["file"], "p01.json");
    assert_eq!(p["set_aside"][0]["reason"], "not-preferred");
    assert!(
        p["panels"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["file"] == "p01-v2.json")
    );
    assert!(r.stdout.contains("SKIP p01.json"), "{}", r.stdout);
    // A result of another call: panel 2's, its call changed and signed
    // again by its chair.
    let env = read_env(&c.path("merged/p02.json"));
    let mut v = env.payload_value().unwrap();
    v["bundle"]["call"] = Value::from("2022");
    let chair = panelist::dev::call::key_of(1, "C02").unwrap();
    let other = Envelope::sign(MERGED_TYPE, v, &chair).unwrap();
    std::fs::write(c.path("other-call.json"), other.to_text()).unwrap();
    let r = c.combine(
        &["merged/p01.json", "other-call.json"],
        "refused-one_file_twice_two_versions_and_another_call_are_refused.json",
        &[],
    );
    r.assert_error(&["other-call.json", "call 2022", "call 2023"]);
    let r = c.combine(
        &["merged/p01.json"],
        "refused-one_file_twice_two_versions_and_another_call_are_refused.json",
        &["--call", "2022"],
    );
    r.assert_error(&["p01.json", "call 2023"]);
}

#[test]
fn a_refusal_in_chinese() {
    let c = call();
    let r = c.combine(
        &["merged/p02.json", "forged/p01-draft.json"],
        "refused-a_refusal_in_chinese.json",
        &["--lang", "zh"],
    );
    r.assert_error(&["p01-draft.json：", "草稿"]);
    let r = c.combine(
        &["merged", "forged/p01-v2.json"],
        "refused-a_refusal_in_chinese.json",
        &["--lang", "zh"],
    );
    r.assert_error(&["两个版本", "--prefer"]);
}

#[test]
fn csv_and_xlsx_read_back() {
    let c = call();
    let (_, p) = combined();
    let entries = p["entries"].as_array().unwrap();
    // The ranking CSV: BOM, header, one row per entry, the mark.
    let text = std::fs::read_to_string(c.path("rank.csv")).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("BOM");
    let mut rd = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let head = rd.headers().unwrap().clone();
    assert_eq!(&head[2], "National rank");
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), entries.len() + 1);
    for row in &rows[..entries.len()] {
        let e = entries
            .iter()
            .find(|e| {
                e["id"] == row[4]
                    && p["panels"][e["panel"].as_u64().unwrap() as usize]["bundle"]["panel"]
                        == row[3]
            })
            .expect("row's entry");
        assert_eq!(&row[9], e["score"].as_str().unwrap_or(""));
        assert_eq!(&row[10], e["z"].as_str().unwrap_or(""));
        assert_eq!(&row[12], e["percentile"].as_str().unwrap_or(""));
        let rank = e["ranks"]["raw"].as_u64().map(|r| r.to_string());
        assert_eq!(&row[2], rank.as_deref().unwrap_or(""));
    }
    // The notice CSV: the list, numbered, then the note.
    let text = std::fs::read_to_string(c.path("notice.csv")).unwrap();
    let mut rd = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(
        rd.headers().unwrap().iter().collect::<Vec<_>>(),
        ["No.", "Project", "Applicant", "Direction"]
    );
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    let list = p["list"].as_array().unwrap();
    assert_eq!(rows.len(), list.len() + 1);
    for (i, (row, a)) in rows.iter().zip(list).enumerate() {
        let e = entries
            .iter()
            .find(|e| e["id"] == a["id"] && e["panel"] == a["panel"])
            .unwrap();
        assert_eq!(&row[0], (i + 1).to_string());
        assert_eq!(&row[1], e["title"].as_str().unwrap());
        assert_eq!(&row[2], e["lead_unit"].as_str().unwrap());
    }
    assert_eq!(&rows[list.len()][0], "Note: listed in no order of rank");

    // The XLSX in Chinese: the 公示 sheet's columns and note.
    let quota = c.p("quota.toml");
    let zh = c.p("call-zh.xlsx");
    let r = c.combine(
        &["merged"],
        "combined-zh.json",
        &["--quota", &quota, "--xlsx", &zh, "--lang", "zh"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut wb: Xlsx<_> = calamine::open_workbook(c.path("call-zh.xlsx")).unwrap();
    assert_eq!(wb.sheet_names(), ["全国排名", "公示名单", "跨组问题"]);
    let notice = wb.worksheet_range("公示名单").unwrap();
    let cell = |r: u32, col: u32| match notice.get_value((r, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => f.to_string(),
        other => format!("{other:?}"),
    };
    assert_eq!(
        (0..4).map(|c| cell(0, c)).collect::<Vec<_>>(),
        ["序号", "项目名称", "申报单位", "方向"]
    );
    let n = list.len() as u32;
    assert_eq!(cell(1, 0), "1");
    assert_eq!(cell(n + 1, 0), "注：排名不分先后");
    let first = p.get("list").unwrap()[0].clone();
    let e = entries
        .iter()
        .find(|e| e["id"] == first["id"] && e["panel"] == first["panel"])
        .unwrap();
    assert_eq!(cell(1, 1), e["title"].as_str().unwrap());
    let ranking = wb.worksheet_range("全国排名").unwrap();
    assert_eq!(ranking.height(), entries.len() + 1);
    let findings = wb.worksheet_range("跨组问题").unwrap();
    let rules: Vec<String> = (1..=p["findings"].as_array().unwrap().len() as u32)
        .map(|r| match findings.get_value((r, 0)) {
            Some(Data::String(s)) => s.clone(),
            other => format!("{other:?}"),
        })
        .collect();
    assert!(rules.contains(&"unit-limit".to_string()), "{rules:?}");
}

#[test]
fn select_and_threshold_give_the_list() {
    let c = call();
    let r = c.combine(&["merged"], "select.json", &["--select", "2"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let p = read_env(&c.path("select.json")).payload_value().unwrap();
    assert_eq!(p["method"]["selection"], "quota");
    assert!(
        p["method"]["quota"]
            .as_object()
            .unwrap()
            .values()
            .all(|v| v == 2)
    );
    let r = c.combine(
        &["merged"],
        "threshold.json",
        &["--threshold", "90", "--basis", "percentile"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let p = read_env(&c.path("threshold.json")).payload_value().unwrap();
    for e in p["entries"].as_array().unwrap() {
        let pct: Option<f64> = e["percentile"].as_str().map(|s| s.parse().unwrap());
        assert_eq!(
            e["status"] == "selected",
            pct.is_some_and(|x| x >= 90.0),
            "{e}"
        );
    }
    let r = c.combine(
        &["merged"],
        "refused-select_and_threshold_give_the_list.json",
        &["--threshold", "8x"],
    );
    r.assert_error(&["--threshold", "8x"]);
    std::fs::write(c.path("short-quota.toml"), "1 = 2\n").unwrap();
    let q = c.p("short-quota.toml");
    let r = c.combine(
        &["merged"],
        "refused-select_and_threshold_give_the_list.json",
        &["--quota", &q],
    );
    r.assert_error(&["no quota given for direction"]);
}

#[test]
fn the_panels_opinion_travels_into_the_national_result_and_its_ranking() {
    let c = call();
    let (_, p) = combined();
    let entries = p["entries"].as_array().unwrap();
    let with: Vec<&Value> = entries.iter().filter(|e| !e["opinion"].is_null()).collect();
    assert_eq!(with.len(), 1, "one panel opinion was written");
    let e = with[0];
    assert_eq!(e["panel"], 0);
    assert_eq!(e["opinion"], panelist::dev::call::OPINION);
    // The panel's merged result carries it, from its chair's log.
    let m = read_env(&c.path("merged/p01.json"))
        .payload_value()
        .unwrap();
    assert_eq!(m["opinions"]["events"], 1);
    assert_eq!(
        m["applications"][0]["opinion"]["text"],
        panelist::dev::call::OPINION
    );
    // The ranking CSV's last column: the opinion, line breaks kept.
    let text = std::fs::read_to_string(c.path("rank.csv")).unwrap();
    let mut rd =
        csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(
        rd.headers().unwrap().iter().next_back(),
        Some("Panel opinion")
    );
    let row = rd
        .records()
        .map(|r| r.unwrap())
        .find(|r| r.get(4) == e["id"].as_str() && r.iter().next_back() != Some(""))
        .expect("the row with the opinion");
    assert_eq!(row.iter().next_back(), Some(panelist::dev::call::OPINION));
    // Changed in the combined result, re-signed: the independent verifier
    // with the panels' files names the copied field.
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/verify_combined.py");
    let env = read_env(&c.path("combined.json"));
    let mut v = env.payload_value().unwrap();
    for x in v["entries"].as_array_mut().unwrap() {
        if !x["opinion"].is_null() {
            x["opinion"] = "专家组意见：不予推荐。".into();
        }
    }
    let key = panelist::dev::call::key_of(1, "M01").unwrap();
    let forged = Envelope::sign(COMBINED_TYPE, v, &key).unwrap();
    let path = c.path("opinion-forged.json");
    std::fs::write(&path, forged.to_text()).unwrap();
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(&path)
        .arg("--roster")
        .arg(c.path("roster.json"))
        .arg("--merged")
        .args(
            ["p01.json", "p02.json", "p03.json", "p04.json"]
                .map(|f| c.path(&format!("merged/{f}"))),
        )
        .output()
        .unwrap();
    let r = Run::from(out);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("opinion"), "{}", r.stdout);
}

#[test]
fn with_the_experts_files_every_panel_is_recomputed_and_a_missing_one_stops_it() {
    let c = call();
    let folders: Vec<String> = (1..=4)
        .map(|k| c.p(&format!("panels/p{k:02}/exports")))
        .collect();
    let mut extra: Vec<&str> = vec!["--exports"];
    extra.extend(folders.iter().map(String::as_str));
    let r = c.combine(&["merged"], "recomputed.json", &extra);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let lines: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("RECO "))
        .collect();
    assert_eq!(lines.len(), 4, "{}", r.stdout);
    assert!(lines[0].contains("every figure recomputed from 4 experts' files"));
    // Panel 4's experts' files left out: the combine stops, writes nothing.
    let r = c.combine(&["merged"], "unrecomputed.json", &extra[..4]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("p04.json: does not recompute"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("expert E001"), "{}", r.stderr);
    assert!(!c.path("unrecomputed.json").exists());
}
