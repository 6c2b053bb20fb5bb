//! Application tables: a CSV file or the first sheet of an XLSX workbook,
//! read into rows of text, then into applications with every problem of
//! the file collected (row, application id, column), so one run names them
//! all.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;

use super::columns::{self, Col, Field};
use super::{FileErrors, Parsed, ReadAs, check_fields, parse_bool};
use crate::domain::text::inert_line;
use crate::domain::{Application, Catalog, Sections, Unit};
use crate::tr;

/// At most this many problems are listed; the rest are counted.
const MAX_LISTED: usize = 200;

/// A table as read: its header row and data rows, each with the row
/// number a spreadsheet shows (the first row is 1).
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Every row must have as many cells as the header (CSV; a sheet's
    /// rows are as wide as its widest).
    pub exact_width: bool,
    pub header_row: usize,
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Reads CSV text: every record a row (a quoted line break stays in its
/// cell, so row numbers count records, as a spreadsheet shows them).
pub fn from_csv(path: &Path, text: &str) -> Result<Table, FileErrors> {
    let p = path.display();
    let mut rd = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut all: Vec<(usize, Vec<String>)> = Vec::new();
    for (i, rec) in rd.records().enumerate() {
        let row = i + 1;
        let rec = rec.map_err(|e| {
            FileErrors::one(tr!(
                format!("{p}：第 {row} 行：无法按 CSV 读取（{}）", csv_why(&e)),
                format!("{p}: row {row}: not readable as CSV ({})", csv_why(&e))
            ))
        })?;
        all.push((row, rec.iter().map(str::to_string).collect()));
    }
    let mut t = split_header(all);
    t.exact_width = true;
    Ok(t)
}

fn csv_why(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => tr!("文本不是 UTF-8", "the text is not UTF-8").into(),
        _ => tr!("格式错误", "malformed").into(),
    }
}

/// Reads the first sheet of an XLSX workbook: numbers that are whole are
/// written without a decimal point (a credit code or priority typed as a
/// number), booleans as 是/否.
pub fn from_xlsx(path: &Path, bytes: Vec<u8>) -> Result<(Table, String), FileErrors> {
    use calamine::{Data, Reader, Xlsx};
    let p = path.display();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| {
        FileErrors::one(tr!(
            format!("{p}：不是 XLSX 工作簿（{e}）"),
            format!("{p}: not an XLSX workbook ({e})")
        ))
    })?;
    let Some(sheet) = wb.sheet_names().first().cloned() else {
        return Err(FileErrors::one(tr!(
            format!("{p}：工作簿中没有工作表"),
            format!("{p}: the workbook has no sheet")
        )));
    };
    let range = wb.worksheet_range(&sheet).map_err(|e| {
        FileErrors::one(tr!(
            format!("{p}：工作表“{}”无法读取（{e}）", inert_line(&sheet)),
            format!("{p}: sheet '{}' cannot be read ({e})", inert_line(&sheet))
        ))
    })?;
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut all = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let mut cells: Vec<String> = vec![String::new(); c0 as usize];
        for c in row {
            cells.push(match c {
                Data::Empty => String::new(),
                Data::String(s) => s.clone(),
                Data::Int(n) => n.to_string(),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                Data::Float(f) => f.to_string(),
                Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
                Data::DateTime(d) => d.to_string(),
                Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                Data::Error(e) => format!("#{e:?}"),
            });
        }
        all.push((r0 as usize + i + 1, cells));
    }
    Ok((split_header(all), sheet))
}

/// The header row is the first with at least two cells filled (a title
/// row above it, 某省推荐项目汇总表 across merged cells, is skipped);
/// blank rows are dropped.
fn split_header(all: Vec<(usize, Vec<String>)>) -> Table {
    let filled = |r: &[String]| r.iter().filter(|c| !c.trim().is_empty()).count();
    let mut it = all.into_iter().skip_while(|(_, r)| filled(r) < 2);
    let Some((header_row, headers)) = it.next() else {
        return Table::default();
    };
    Table {
        exact_width: false,
        header_row,
        headers: headers.iter().map(|h| h.trim().to_string()).collect(),
        rows: it.filter(|(_, r)| filled(r) > 0).collect(),
    }
}

/// Where each field and joint unit is in the table, or every header
/// problem.
struct Layout {
    fields: BTreeMap<Field, usize>,
    joints: BTreeMap<usize, [Option<usize>; 3]>,
    joint_names: Option<usize>,
    joint_codes: Option<usize>,
}

fn layout(path: &Path, t: &Table, errs: &mut Vec<String>) -> Option<Layout> {
    let p = path.display();
    let mut l = Layout {
        fields: BTreeMap::new(),
        joints: BTreeMap::new(),
        joint_names: None,
        joint_codes: None,
    };
    let mut recovered: Vec<Field> = Vec::new();
    let mut joined = false;
    let hr = t.header_row;
    // One unknown column where exactly one required column is missing is
    // most likely that column renamed: it is suggested for it.
    let unknown: Vec<&String> = t
        .headers
        .iter()
        .filter(|h| !h.is_empty() && columns::classify(h).is_none())
        .collect();
    let present: Vec<Field> = t
        .headers
        .iter()
        .filter_map(|h| match columns::classify(h) {
            Some(Col::Field(f)) => Some(f),
            _ => None,
        })
        .collect();
    let absent: Vec<Field> = columns::REQUIRED
        .iter()
        .copied()
        .filter(|f| !present.contains(f))
        .collect();
    let renamed =
        (unknown.len() == 1 && absent.len() == 1 && columns::joined_names(unknown[0]).is_none())
            .then(|| absent[0]);
    for (i, h) in t.headers.iter().enumerate() {
        let shown = inert_line(h);
        let letter = column_letter(i);
        let twice = |what: &str, first: usize| {
            tr!(
                format!(
                    "{p}：第 {hr} 行（表头）：第 {letter} 列“{shown}”与第 {} 列“{}”都是 {what}，请删去一列",
                    column_letter(first),
                    inert_line(&t.headers[first])
                ),
                format!(
                    "{p}: row {hr} (header): column {letter} '{shown}' and column {} '{}' both give {what}; remove one",
                    column_letter(first),
                    inert_line(&t.headers[first])
                )
            )
        };
        if h.is_empty() {
            // An empty header over an empty column is Excel's slack.
            if t.rows
                .iter()
                .any(|(_, r)| r.get(i).is_some_and(|c| !c.trim().is_empty()))
            {
                errs.push(tr!(
                    format!("{p}：第 {hr} 行（表头）：第 {letter} 列没有列名，但有数据"),
                    format!("{p}: row {hr} (header): column {letter} has data but no name")
                ));
            }
            continue;
        }
        match columns::classify(h) {
            Some(Col::Field(f)) => {
                if let Some(&first) = l.fields.get(&f) {
                    errs.push(twice(columns::key(f), first));
                } else {
                    l.fields.insert(f, i);
                }
            }
            Some(Col::JointName(k)) | Some(Col::JointCode(k)) | Some(Col::JointSme(k)) => {
                let slot = match columns::classify(h) {
                    Some(Col::JointName(_)) => 0,
                    Some(Col::JointCode(_)) => 1,
                    _ => 2,
                };
                let e = l.joints.entry(k).or_default();
                if let Some(first) = e[slot] {
                    errs.push(twice(&format!("joint{k}"), first));
                } else {
                    e[slot] = Some(i);
                }
            }
            Some(Col::JointNames) => l.joint_names = Some(i),
            Some(Col::JointCodes) => l.joint_codes = Some(i),
            Some(Col::Ignored) => {}
            None => {
                let fw = columns::full_width(h);
                let fw_text: Vec<String> = fw
                    .iter()
                    .map(|c| format!("'{c}' (U+{:04X})", *c as u32))
                    .collect();
                let msg = if let Some(names) = columns::joined_names(h) {
                    // Every row is then wider than the header: its rows
                    // would only repeat this.
                    joined = true;
                    recovered.extend(names.iter().filter_map(|n| match columns::classify(n) {
                        Some(Col::Field(f)) => Some(f),
                        _ => None,
                    }));
                    tr!(
                        format!(
                            "{p}：第 {hr} 行（表头）：第 {letter} 列“{shown}”是用全角标点 {} 连在一起的几个列名（{}）；列之间请用半角逗号 ','",
                            fw_text.join("、"),
                            names.join("、")
                        ),
                        format!(
                            "{p}: row {hr} (header): column {letter} '{shown}' is several column names ({}) joined by the full-width {}; separate columns with an ASCII ','",
                            names.join(", "),
                            fw_text.join(", ")
                        )
                    )
                } else {
                    let near = columns::suggest(h).or_else(|| {
                        renamed.map(|f| {
                            recovered.push(f);
                            columns::key(f).to_string()
                        })
                    });
                    if let Some(Col::Field(f)) = near.as_deref().and_then(columns::classify)
                        && absent.contains(&f)
                    {
                        recovered.push(f);
                    }
                    let mut m = tr!(
                        format!("{p}：第 {hr} 行（表头）：未知列“{shown}”（第 {letter} 列）"),
                        format!(
                            "{p}: row {hr} (header): unknown column '{shown}' (column {letter})"
                        )
                    );
                    if !fw.is_empty() {
                        m += &tr!(
                            format!("，其中有全角标点 {}", fw_text.join("、")),
                            format!(", it holds the full-width {}", fw_text.join(", "))
                        );
                    }
                    m += &match near {
                        Some(n) => tr!(
                            format!("；是不是“{n}”？"),
                            format!("; did you mean '{n}'?")
                        ),
                        None => tr!(
                            "；panelist 不读这一列，请删去或改成已知列名（见 docs/formats.md）".to_string(),
                            "; panelist does not read it: remove it or rename it to a known column (docs/formats.md)".to_string()
                        ),
                    };
                    m
                };
                errs.push(msg);
            }
        }
    }
    let missing: Vec<&str> = columns::REQUIRED
        .iter()
        .filter(|f| !l.fields.contains_key(f) && !recovered.contains(f))
        .map(|f| columns::key(*f))
        .collect();
    if !missing.is_empty() {
        errs.push(tr!(
            format!("{p}：缺少列（missing columns）：{}", missing.join(", ")),
            format!("{p}: missing columns: {}", missing.join(", "))
        ));
    }
    for (k, slots) in &l.joints {
        if slots[0].is_none() {
            errs.push(tr!(
                format!("{p}：第 {hr} 行（表头）：有联合单位 {k} 的信用代码或中小企业列，却没有 joint{k}_name（联合单位{k}）列"),
                format!("{p}: row {hr} (header): joint unit {k} has a credit code or SME column but no joint{k}_name column")
            ));
        }
    }
    // Rows are checked too unless a required column is missing (then
    // every row would only repeat it).
    (absent.is_empty() && !joined).then_some(l)
}

/// A spreadsheet's column letter: 0 is A, 26 is AA.
pub fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push((b'A' + (i % 26) as u8) as char);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.iter().rev().collect()
}

/// The applications of a table. With `strict` (building a bundle), a
/// direction the catalog does not know is an error among the others;
/// without, it is kept for the eligibility screen to report.
pub fn applications(
    path: &Path,
    t: &Table,
    catalog: &Catalog,
    strict: bool,
) -> Result<Parsed, FileErrors> {
    let p = path.display();
    let mut errs: Vec<String> = Vec::new();
    if t.headers.is_empty() {
        return Err(FileErrors::one(tr!(
            format!("{p}：没有表头行"),
            format!("{p}: no header row")
        )));
    }
    let Some(l) = layout(path, t, &mut errs) else {
        return Err(FileErrors::new(errs));
    };
    let width = t.headers.len();
    let mut out: Vec<Application> = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (row, cells) in &t.rows {
        let cell = |i: usize| cells.get(i).map_or("", String::as_str);
        let get = |f: Field| l.fields.get(&f).map_or("", |&i| cell(i));
        let id = get(Field::Id).trim().to_string();
        let who = if id.is_empty() {
            tr!("无编号".to_string(), "no id".to_string())
        } else {
            inert_line(&id)
        };
        let at = |col: Option<usize>| match col {
            Some(i) => tr!(
                format!(
                    "{p}：第 {row} 行（{who}）：“{}”列：",
                    inert_line(&t.headers[i])
                ),
                format!(
                    "{p}: row {row} ({who}): column '{}': ",
                    inert_line(&t.headers[i])
                )
            ),
            None => tr!(
                format!("{p}：第 {row} 行（{who}）："),
                format!("{p}: row {row} ({who}): ")
            ),
        };
        let mut bad = |col: Option<usize>, m: String| errs.push(format!("{}{m}", at(col)));
        let extra = if t.exact_width {
            cells.len() != width
        } else {
            cells.iter().skip(width).any(|c| !c.trim().is_empty())
        };
        if extra {
            bad(
                None,
                tr!(
                    format!("有 {} 个单元格，但表头只有 {width} 列", cells.len()),
                    format!("has {} fields but the header has {width}", cells.len())
                ),
            );
            continue;
        }
        let col = |f: Field| l.fields.get(&f).copied();
        let flag = |f: Field, default: bool, bad: &mut dyn FnMut(Option<usize>, String)| {
            let v = get(f);
            if v.trim().is_empty() && col(f).is_none() {
                return default;
            }
            parse_bool(v).unwrap_or_else(|| {
                bad(
                    col(f),
                    tr!(
                        format!("应填 是/否，而不是“{}”", inert_line(v)),
                        format!("must be 是/否 (yes/no), not '{}'", inert_line(v))
                    ),
                );
                default
            })
        };
        let lead_sme = flag(Field::LeadSme, false, &mut bad);
        let previously_selected = flag(Field::PreviouslySelected, false, &mut bad);
        let national_funding = flag(Field::NationalFunding, false, &mut bad);
        let built = flag(Field::Built, true, &mut bad);
        let pr = get(Field::Priority).trim();
        let priority = if pr.is_empty() {
            None
        } else {
            match pr.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    bad(
                        col(Field::Priority),
                        tr!(
                            format!("推荐顺序应为整数，而不是“{}”", inert_line(pr)),
                            format!(
                                "column 'priority' must be a whole number, not '{}'",
                                inert_line(pr)
                            )
                        ),
                    );
                    None
                }
            }
        };
        let mut joint_units = Vec::new();
        for (k, slots) in &l.joints {
            let Some(ni) = slots[0] else { continue };
            let name = cell(ni).trim().to_string();
            if name.is_empty() {
                continue;
            }
            let sme_s = slots[2].map_or("", cell);
            let sme = parse_bool(sme_s).unwrap_or_else(|| {
                bad(
                    slots[2],
                    tr!(
                        format!(
                            "联合单位 {k} 是否中小企业应填 是/否，而不是“{}”",
                            inert_line(sme_s)
                        ),
                        format!(
                            "joint unit {k}'s SME flag must be 是/否, not '{}'",
                            inert_line(sme_s)
                        )
                    ),
                );
                false
            });
            joint_units.push(Unit {
                name,
                credit_code: slots[1].map_or("", cell).trim().to_string(),
                sme,
            });
        }
        if let Some(ni) = l.joint_names {
            let split = |s: &str| -> Vec<String> {
                s.split(['、', '；', ';', '\n', '\r'])
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(str::to_string)
                    .collect()
            };
            let names = split(cell(ni));
            let codes = l.joint_codes.map(|ci| split(cell(ci))).unwrap_or_default();
            if !codes.is_empty() && codes.len() != names.len() {
                bad(
                    l.joint_codes,
                    tr!(
                        format!(
                            "有 {} 个信用代码，但联合单位有 {} 个",
                            codes.len(),
                            names.len()
                        ),
                        format!(
                            "{} credit codes for {} joint units",
                            codes.len(),
                            names.len()
                        )
                    ),
                );
            }
            for (j, name) in names.into_iter().enumerate() {
                joint_units.push(Unit {
                    name,
                    credit_code: codes.get(j).cloned().unwrap_or_default(),
                    sme: false,
                });
            }
        }
        let written = get(Field::Direction).trim().to_string();
        let direction = if written.is_empty() {
            if strict {
                bad(
                    col(Field::Direction),
                    tr!("没有填写试点方向".to_string(), "no direction".to_string()),
                );
            }
            None
        } else {
            match super::resolve_direction(catalog, &written) {
                Ok(c) => Some(c),
                Err(m) => {
                    if strict {
                        bad(col(Field::Direction), m);
                    }
                    None
                }
            }
        };
        let app = Application {
            id: id.clone(),
            title: get(Field::Title).trim().to_string(),
            direction,
            direction_written: (!written.is_empty()).then_some(written),
            lead_unit: Unit {
                name: get(Field::LeadName).trim().to_string(),
                credit_code: get(Field::LeadCreditCode).trim().to_string(),
                sme: lead_sme,
            },
            joint_units,
            sector: get(Field::Sector).trim().to_string(),
            authority: get(Field::Authority).trim().to_string(),
            priority,
            province: get(Field::Province).trim().to_string(),
            sections: Sections {
                overview: get(Field::Overview).to_string(),
                technology: get(Field::Technology).to_string(),
                deployment: get(Field::Deployment).to_string(),
                replication: get(Field::Replication).to_string(),
            },
            previously_selected,
            national_funding,
            built,
        };
        if let Err((field, m)) = check_fields(&app) {
            bad(field.and_then(col), m);
        }
        if !id.is_empty() {
            if let Some(first) = seen.get(&id) {
                bad(
                    col(Field::Id),
                    tr!(
                        format!("项目编号与第 {first} 行重复"),
                        format!("application id '{who}' appears twice (also row {first})")
                    ),
                );
            } else {
                seen.insert(id, *row);
            }
        }
        out.push(app);
    }
    if !errs.is_empty() {
        return Err(FileErrors::new(errs));
    }
    Ok(Parsed {
        call: None,
        panel: None,
        applications: out,
        roster: Vec::new(),
        read_as: ReadAs::Json,
    })
}

impl FileErrors {
    /// Problems of a file, at most [`MAX_LISTED`] listed and the rest
    /// counted on one more line.
    pub fn new(mut lines: Vec<String>) -> FileErrors {
        if lines.len() > MAX_LISTED {
            let more = lines.len() - MAX_LISTED;
            lines.truncate(MAX_LISTED);
            lines.push(tr!(
                format!("……另有 {more} 处问题未列出"),
                format!("… and {more} more problems")
            ));
        }
        FileErrors(lines)
    }

    pub fn one(line: String) -> FileErrors {
        FileErrors(vec![line])
    }
}

#[cfg(test)]
mod tests {
    use super::column_letter;

    #[test]
    fn column_letters_are_excels() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}
