//! The files chairs receive: the provinces' 推荐项目汇总表 as XLSX or CSV
//! with Chinese headers, read by `panelist bundle new`; unknown columns
//! refused with the nearest name, every problem of a file in one run (row,
//! application id, column), directions by code, name or short name,
//! full-width punctuation named, the encoding named.

mod common;

use common::cli::Scratch;
use rust_xlsxwriter::Workbook;

/// The 汇总表's header row as a province writes it.
const ZH_HEADERS: &[&str] = &[
    "序号",
    "项目编号",
    "项目名称",
    "申报方向",
    "牵头单位",
    "统一社会信用代码",
    "联合单位",
    "联合单位统一社会信用代码",
    "推荐单位",
    "推荐顺序",
    "省份",
];

fn zh_rows() -> Vec<Vec<String>> {
    let r = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        r(&[
            "1",
            "BJ-001",
            "面向工业物联网的终端准入与异常检测平台",
            "物联网",
            "北京甲安科技有限公司",
            "91110108MA01XK3D7T",
            "北京乙联网络有限公司、北京丙数据有限公司",
            "91110105MA00TQ8L2X、91310115MA1H9R2C4C",
            "北京市通信管理局",
            "1",
            "北京",
        ]),
        r(&[
            "2",
            "BJ-002",
            "商用密码应用安全性评估服务平台",
            "6",
            "北京丁密科技有限公司",
            "91110114MA1GT0W684",
            "",
            "",
            "北京市通信管理局",
            "2",
            "北京",
        ]),
        r(&[
            "3",
            "BJ-003",
            "车载终端远程升级安全防护系统",
            "车联网安全",
            "北京戊驰科技有限公司",
            "91310120MA1JB7N51L",
            "",
            "",
            "北京市通信管理局",
            "3",
            "北京",
        ]),
    ]
}

/// Writes a workbook: a title row over merged cells, then `headers` and
/// `rows` (numbers written as numbers where they look like one).
fn xlsx(path: &std::path::Path, headers: &[&str], rows: &[Vec<String>]) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("汇总表").unwrap();
    ws.merge_range(
        0,
        0,
        0,
        (headers.len() - 1) as u16,
        "2023年网络安全技术应用试点示范推荐项目汇总表",
        &rust_xlsxwriter::Format::new(),
    )
    .unwrap();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (rr, cc) = (r as u32 + 2, c as u16);
            match v.parse::<f64>() {
                Ok(n) if v.len() < 6 => ws.write_number(rr, cc, n).unwrap(),
                _ => ws.write_string(rr, cc, v).unwrap(),
            };
        }
    }
    wb.save(path).unwrap();
}

fn csv_text(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(headers).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

fn info_json(s: &Scratch, bundle: &str) -> serde_json::Value {
    let r = s.run(&["bundle", "info", bundle, "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

#[test]
fn an_xlsx_summary_sheet_with_chinese_headers_becomes_a_bundle() {
    let s = Scratch::new();
    let x = s.path("汇总表.xlsx");
    xlsx(&x, ZH_HEADERS, &zh_rows());
    let out = s.path("p.bundle");
    let r = s.run(&[
        "bundle",
        "new",
        x.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("3 applications"), "{}", r.stdout);
    assert!(r.stdout.contains("XLSX, sheet '汇总表'"), "{}", r.stdout);
    // The same table as CSV in GB18030 gives the same content (digest).
    let text = csv_text(ZH_HEADERS, &zh_rows());
    let (gb, _, bad) = encoding_rs::GB18030.encode(&text);
    assert!(!bad);
    std::fs::write(s.path("汇总表.csv"), &gb).unwrap();
    let out2 = s.path("q.bundle");
    let r2 = s.run(&[
        "bundle",
        "new",
        s.path("汇总表.csv").to_str().unwrap(),
        "-o",
        out2.to_str().unwrap(),
    ]);
    assert_eq!(r2.code, 0, "{}", r2.stderr);
    assert!(r2.stdout.contains("CSV, GB18030"), "{}", r2.stdout);
    let (a, b) = (
        info_json(&s, out.to_str().unwrap()),
        info_json(&s, out2.to_str().unwrap()),
    );
    assert_eq!(a["digest"], b["digest"]);
    // Directions by short name (物联网), code (6) and full name.
    let per: Vec<(u64, u64)> = a["per_direction"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_u64().unwrap(), d["count"].as_u64().unwrap()))
        .filter(|(_, n)| *n > 0)
        .collect();
    assert_eq!(per, vec![(6, 1), (7, 1), (8, 1)]);
    // The joint units of one cell, with their codes in order: the
    // eligibility screen sees both.
    let check = s.run(&["bundle", "check", out.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    assert_eq!(v["applications"], 3);
    let zh = s.run(&[
        "--lang",
        "zh",
        "bundle",
        "new",
        x.to_str().unwrap(),
        "-o",
        s.path("z.bundle").to_str().unwrap(),
    ]);
    assert_eq!(zh.code, 0, "{}", zh.stderr);
    assert!(zh.stdout.contains("3 个申报项目"), "{}", zh.stdout);
    assert!(zh.stdout.contains("XLSX，工作表“汇总表”"), "{}", zh.stdout);
}

#[test]
fn a_misspelt_column_is_refused_with_the_nearest_name_and_nothing_is_written() {
    let s = Scratch::new();
    let mut headers: Vec<&str> = ZH_HEADERS.to_vec();
    headers.push("joint_3_name");
    headers.push("备注");
    let rows: Vec<Vec<String>> = zh_rows()
        .into_iter()
        .map(|mut r| {
            r.push("第四家联合单位".into());
            r.push("说明".into());
            r
        })
        .collect();
    let x = s.path("bad.xlsx");
    xlsx(&x, &headers, &rows);
    let out = s.path("b.bundle");
    let r = s.run(&[
        "bundle",
        "new",
        x.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", r.stderr);
    assert!(lines[0].starts_with("panelist: error: "), "{}", lines[0]);
    assert!(
        lines[0].contains("unknown column 'joint_3_name' (column L); did you mean 'joint3_name'?"),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains("unknown column '备注'"), "{}", lines[1]);
    assert!(r.stdout.is_empty());
    assert!(!out.exists());
    // The CSV reader refuses them too (it used to drop them silently).
    std::fs::write(s.path("bad.csv"), csv_text(&headers, &rows)).unwrap();
    let r = s.run(&["bundle", "check", s.path("bad.csv").to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("did you mean 'joint3_name'?"),
        "{}",
        r.stderr
    );
    let zh = s.run(&[
        "--lang",
        "zh",
        "bundle",
        "new",
        x.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(
        zh.stderr.contains("panelist：错误：") && zh.stderr.contains("是不是“joint3_name”？"),
        "{}",
        zh.stderr
    );
}

#[test]
fn every_problem_of_a_file_comes_in_one_run_with_row_id_and_column() {
    let s = Scratch::new();
    let mut rows = zh_rows();
    rows[0][3] = "联网".into(); // 车联网 or 物联网
    rows[1][9] = "二".into(); // not a number
    rows[2][1] = "BJ-001".into(); // a second BJ-001
    rows[2][3] = "区块链".into(); // no such direction
    let x = s.path("many.xlsx");
    xlsx(&x, ZH_HEADERS, &rows);
    let r = s.run(&[
        "bundle",
        "new",
        x.to_str().unwrap(),
        "-o",
        s.path("m.bundle").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 4, "{}", r.stderr);
    // Rows as the sheet numbers them: title row 1, header row 2, data from 3.
    assert!(
        lines[0].contains("row 3 (BJ-001): column '申报方向': direction '联网' is ambiguous")
            && lines[0].contains("7 Connected-vehicle security")
            && lines[0].contains("8 IoT security"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("row 4 (BJ-002): column '推荐顺序'") && lines[1].contains("'二'"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("row 5 (BJ-001): column '申报方向': unknown direction '区块链'")
            && lines[2].contains("13 "),
        "the valid list is shown: {}",
        lines[2]
    );
    assert!(
        lines[3].contains("row 5 (BJ-001): column '项目编号'") && lines[3].contains("row 3"),
        "{}",
        lines[3]
    );
    assert!(!s.path("m.bundle").exists());
}

#[test]
fn full_width_punctuation_in_a_header_is_named() {
    let s = Scratch::new();
    let text =
        "id,title,direction,lead_name，lead_credit_code\nA-1,标题,1,甲公司,91110108MA01XK3D7T\n";
    std::fs::write(s.path("fw.csv"), text).unwrap();
    let r = s.run(&[
        "bundle",
        "new",
        s.path("fw.csv").to_str().unwrap(),
        "-o",
        s.path("fw.bundle").to_str().unwrap(),
    ]);
    r.assert_error(&[
        "fw.csv",
        "column D 'lead_name，lead_credit_code'",
        "full-width '，' (U+FF0C)",
        "ASCII ','",
    ]);
    // A header in full-width letters is the header it looks like.
    let text =
        "ｉｄ,title,direction,lead_name,lead_credit_code\nA-1,标题,1,甲公司,91110108MA01XK3D7T\n";
    std::fs::write(s.path("fw2.csv"), text).unwrap();
    let r = s.run(&[
        "bundle",
        "new",
        s.path("fw2.csv").to_str().unwrap(),
        "-o",
        s.path("fw2.bundle").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("CSV, UTF-8)"), "{}", r.stdout);
}

#[test]
fn json_directions_take_short_names_and_all_unknown_ones_come_at_once() {
    let s = Scratch::new();
    let app = |id: &str, dir: &str| {
        serde_json::json!({"id": id, "title": "标题", "direction": dir,
            "lead_unit": {"name": "甲公司", "credit_code": "91110108MA01XK3D7T", "sme": false}})
    };
    let v = serde_json::json!([app("A-1", "物联网"), app("A-2", "xx"), app("A-3", "yy")]);
    std::fs::write(s.path("a.json"), v.to_string()).unwrap();
    let r = s.run(&[
        "bundle",
        "new",
        s.path("a.json").to_str().unwrap(),
        "-o",
        s.path("a.bundle").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", r.stderr);
    assert!(lines[0].contains("application A-2: unknown direction 'xx'"));
    assert!(lines[1].contains("application A-3: unknown direction 'yy'"));
}

#[test]
fn an_old_excel_file_is_refused_with_how_to_save_it() {
    let s = Scratch::new();
    std::fs::write(s.path("old.xls"), b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1").unwrap();
    s.run(&[
        "bundle",
        "new",
        s.path("old.xls").to_str().unwrap(),
        "-o",
        s.path("o.bundle").to_str().unwrap(),
    ])
    .assert_error(&["old.xls", "save the sheet as an .xlsx workbook"]);
    // A file named .xlsx that is not one.
    std::fs::write(s.path("fake.xlsx"), "id,title\n").unwrap();
    s.run(&[
        "bundle",
        "new",
        s.path("fake.xlsx").to_str().unwrap(),
        "-o",
        s.path("o.bundle").to_str().unwrap(),
    ])
    .assert_error(&["fake.xlsx", "not an XLSX workbook"]);
    assert!(!s.path("o.bundle").exists());
}
