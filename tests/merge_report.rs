//! The people's files of a merged result: CSV round-trips with Chinese text
//! intact, and the XLSX opens with a sheet per direction in rank order.

mod common;

use std::collections::BTreeMap;

use calamine::{Reader, Xlsx};
use common::bundle::content;
use panelist::dev::generate::Rng;
use panelist::domain::aggregate::{self, AppInfo, ExpertSheet, Params};
use panelist::domain::history::Entry;
use panelist::merge::report;
use panelist::support::lang::Lang;

fn panel() -> (panelist::domain::content::Content, aggregate::Aggregate) {
    let mut c = content(26);
    c.applications[0].title = "含逗号,和\"引号\"的项目名称".into();
    let infos: Vec<AppInfo> = c
        .applications
        .iter()
        .map(|a| AppInfo {
            id: a.id.clone(),
            direction: a.direction.unwrap_or(0),
            lead_sme: a.lead_unit.sme,
        })
        .collect();
    let mut rng = Rng::new(5);
    let sheets: Vec<ExpertSheet> = (1..=7)
        .map(|e| {
            let mut entries = BTreeMap::new();
            for a in &c.applications {
                let mut en = Entry::default();
                for k in ["innovation", "advancement", "practicality", "replicability"] {
                    en.scores.insert(k.to_string(), 10 + rng.below(16) as i64);
                }
                en.recommend = Some(rng.chance(60));
                en.comment = "评审意见".repeat(10);
                entries.insert(a.id.clone(), en);
            }
            ExpertSheet {
                expert: format!("E0{e}"),
                entries,
            }
        })
        .collect();
    let agg =
        aggregate::aggregate(&c.rubric, &infos, &sheets, &Params::default()).expect("aggregate");
    (c, agg)
}

#[test]
fn csv_round_trips_with_chinese_intact() {
    let (c, agg) = panel();
    let bytes = report::csv_bytes(&agg, &c.applications, &c.rubric, Lang::Zh);
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM for Excel and WPS");
    let mut rd = csv::Reader::from_reader(&bytes[3..]);
    let headers = rd.headers().expect("headers").clone();
    assert_eq!(&headers[2], "申报编号");
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 26);
    let first = rows.iter().find(|r| &r[2] == "T-00001").expect("T-00001");
    assert_eq!(&first[3], "含逗号,和\"引号\"的项目名称");
    assert_eq!(&first[4], "测试单位1有限公司");
    // Figures are the aggregate's exact decimal strings.
    let r = agg.applications.iter().find(|r| r.id == "T-00001").unwrap();
    assert_eq!(&first[10], r.total.as_ref().unwrap().mean.as_str());
}

#[test]
fn xlsx_has_a_sheet_per_direction_in_rank_order() {
    let (c, agg) = panel();
    let bytes =
        report::xlsx_bytes(&agg, &c.applications, &c.catalog, &c.rubric, Lang::Zh).expect("xlsx");
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("opens");
    let names = wb.sheet_names();
    assert_eq!(names[0], "汇总");
    assert_eq!(names.len(), 1 + 13, "{names:?}");
    let sheet = names[1].clone();
    let range = wb.worksheet_range(&sheet).expect("sheet");
    let rows: Vec<_> = range.rows().collect();
    assert_eq!(rows[0][2].to_string(), "申报编号");
    let ranks: Vec<f64> = rows[1..]
        .iter()
        .map(|r| r[1].to_string().parse::<f64>().unwrap_or(f64::MAX))
        .collect();
    assert!(
        ranks.windows(2).all(|w| w[0] <= w[1]),
        "rank order: {ranks:?}"
    );
    assert_eq!(rows.len() - 1, 2, "26 applications over 13 directions");
}

#[test]
fn xlsx_text_longer_than_a_cell_holds_is_cut_and_says_so() {
    // A spreadsheet cell holds 32,767 UTF-16 units; the files' texts are
    // not bounded by that (a title from a province's sheet, a panel's
    // comments joined on one row).
    let (mut c, agg) = panel();
    c.applications[0].title = "超长名称".repeat(10_000);
    let bytes = report::xlsx_bytes(&agg, &c.applications, &c.catalog, &c.rubric, Lang::Zh)
        .expect("an XLSX in spite of the long text");
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("opens");
    let mut found = false;
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).expect("sheet");
        for row in range.rows() {
            if row.get(2).map(|c| c.to_string()) == Some("T-00001".into()) {
                let title = row[3].to_string();
                assert!(title.encode_utf16().count() <= 32_767);
                assert!(title.starts_with("超长名称超长名称"), "{}", &title[..40]);
                assert!(
                    title.ends_with("全文见 CSV 与签名文件〕"),
                    "the cut is said"
                );
                found = true;
            }
        }
    }
    assert!(found, "T-00001 is on a direction sheet");
    // The CSV keeps the whole text.
    let csv = report::csv_bytes(&agg, &c.applications, &c.rubric, Lang::Zh);
    assert!(
        String::from_utf8(csv)
            .expect("utf-8")
            .contains(&"超长名称".repeat(10_000))
    );
}
