//! The combined result for people: the national ranking per direction
//! (CSV, UTF-8 with BOM, and a sheet of the XLSX), the public-notice list
//! (公示: 序号, 项目名称, 申报单位, 方向, listed in no order of rank) and the
//! rules broken across panels. Untrusted text is defused as in the merged
//! result's files.

use anyhow::Result;
use rust_xlsxwriter::{Format, Workbook};

use crate::domain::national::{Basis, Status};
use crate::domain::text::inert_line;
use crate::formats::combined::{CombinedEntry, CombinedPayload};
use crate::merge::report::put;
use crate::merge::report::{SignedMark, defuse};
use crate::support::lang::Lang;

/// The people's files of one combined result.
#[derive(Clone, Copy)]
pub struct People<'a> {
    pub payload: &'a CombinedPayload,
    pub lang: Lang,
    pub signed: &'a SignedMark,
}

enum Cell {
    Text(String),
    Num(String),
    Int(u32),
    Empty,
}

fn csv_field(s: &str) -> String {
    let s = defuse(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The status word of an entry.
pub fn status_word(s: Status, lang: Lang) -> &'static str {
    match s {
        Status::Selected => lang.pick("拟入选", "selected"),
        Status::Tie => lang.pick("临界并列（待定）", "tie at the cut (undecided)"),
        Status::NotSelected => lang.pick("未入选", "not selected"),
        Status::Ranked => lang.pick("已排名", "ranked"),
        Status::Unranked => lang.pick("未排名", "unranked"),
    }
}

/// The note every public-notice list carries.
pub fn notice_note(lang: Lang) -> &'static str {
    lang.pick("注：排名不分先后", "Note: listed in no order of rank")
}

impl People<'_> {
    fn ranking_headers(&self) -> Vec<String> {
        let l = |zh: &str, en: &str| self.lang.pick(zh, en).to_string();
        let rule = self.payload.method.rule.key();
        vec![
            l("方向代码", "Direction code"),
            l("方向", "Direction"),
            l("全国名次", "National rank"),
            l("评审组", "Panel"),
            l("项目编号", "Application"),
            l("项目名称", "Title"),
            l("牵头单位", "Lead unit"),
            l("推荐单位", "Recommending authority"),
            l("评分专家数", "Scorers"),
            format!("{}（{rule}）", l("得分", "Score")),
            l("z 分数", "z-score"),
            l("z 分数名次", "Rank by z-score"),
            l("百分位", "Percentile"),
            l("百分位名次", "Rank by percentile"),
            l("名次稳健", "Robust"),
            l("状态", "Status"),
            l("跨组问题", "Findings across panels"),
            l("专家组意见", "Panel opinion"),
        ]
    }

    /// Every direction's entries in national rank order under the basis.
    fn ordered(&self) -> Vec<&CombinedEntry> {
        let p = self.payload;
        p.directions
            .iter()
            .flat_map(|d| p.ranked(d.code, p.method.basis))
            .collect()
    }

    fn ranking_cells(&self, e: &CombinedEntry) -> Vec<Cell> {
        let p = self.payload;
        let lang = self.lang;
        let rank = |b: Basis| e.ranks.get(b.key()).map_or(Cell::Empty, |r| Cell::Int(*r));
        let num = |v: &Option<String>| v.clone().map_or(Cell::Empty, Cell::Num);
        let rules: Vec<&str> = e
            .findings
            .iter()
            .filter_map(|&i| p.findings.get(i as usize))
            .map(|f| f.rule.as_str())
            .collect();
        vec![
            Cell::Int(e.direction),
            Cell::Text(p.direction_name(e.direction, lang, false)),
            rank(Basis::Raw),
            Cell::Text(inert_line(p.panel_name(e.panel))),
            Cell::Text(inert_line(&e.id)),
            Cell::Text(inert_line(&e.title)),
            Cell::Text(inert_line(&e.lead_unit)),
            Cell::Text(inert_line(&e.authority)),
            Cell::Int(e.scorers),
            num(&e.score),
            num(&e.z),
            rank(Basis::Zscore),
            num(&e.percentile),
            rank(Basis::Percentile),
            Cell::Text(
                if e.robust {
                    lang.pick("是", "yes")
                } else {
                    lang.pick("否", "no")
                }
                .into(),
            ),
            Cell::Text(status_word(e.status, lang).into()),
            Cell::Text(rules.join(lang.pick("、", ", "))),
            e.opinion.as_ref().map_or(Cell::Empty, |o| {
                Cell::Text(crate::domain::text::inert(o.trim(), true))
            }),
        ]
    }

    /// The proposed list's rows: 序号, 项目名称, 申报单位, 方向.
    fn notice_rows(&self) -> Vec<[String; 4]> {
        let p = self.payload;
        p.list
            .iter()
            .filter_map(|a| p.entry(a))
            .enumerate()
            .map(|(n, e)| {
                [
                    (n + 1).to_string(),
                    inert_line(&e.title),
                    inert_line(&e.lead_unit),
                    p.direction_name(e.direction, self.lang, false),
                ]
            })
            .collect()
    }

    fn notice_headers(&self) -> [String; 4] {
        let l = |zh: &str, en: &str| self.lang.pick(zh, en).to_string();
        [
            l("序号", "No."),
            l("项目名称", "Project"),
            l("申报单位", "Applicant"),
            l("方向", "Direction"),
        ]
    }

    /// The national ranking as CSV, its last row the signed file's mark.
    pub fn ranking_csv(&self) -> Vec<u8> {
        let mut out = String::from("\u{feff}");
        let h = self.ranking_headers();
        let width = h.len();
        out.push_str(&h.iter().map(|s| csv_field(s)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
        for e in self.ordered() {
            let cells: Vec<String> = self
                .ranking_cells(e)
                .into_iter()
                .map(|c| match c {
                    Cell::Text(s) => csv_field(&s),
                    Cell::Num(s) => s,
                    Cell::Int(i) => i.to_string(),
                    Cell::Empty => String::new(),
                })
                .collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
        let mut row = vec![
            crate::verify::set::label(self.lang.is_zh()).to_string(),
            self.signed.sha256.clone(),
        ];
        row.resize(width, String::new());
        out.push_str(&row.join(","));
        out.push_str("\r\n");
        out.into_bytes()
    }

    /// The public-notice list as CSV: header, rows, the note.
    pub fn notice_csv(&self) -> Vec<u8> {
        let mut out = String::from("\u{feff}");
        let line = |cells: &[String]| {
            cells
                .iter()
                .map(|s| csv_field(s))
                .collect::<Vec<_>>()
                .join(",")
                + "\r\n"
        };
        out.push_str(&line(&self.notice_headers()));
        for r in self.notice_rows() {
            out.push_str(&line(&r));
        }
        out.push_str(&line(&[
            notice_note(self.lang).to_string(),
            String::new(),
            String::new(),
            String::new(),
        ]));
        out.into_bytes()
    }

    /// The workbook: national ranking, public-notice list, findings and
    /// ties; the signed file's mark in its properties.
    pub fn xlsx(&self) -> Result<Vec<u8>> {
        let p = self.payload;
        let lang = self.lang;
        let l = |zh: &'static str, en: &'static str| lang.pick(zh, en).to_string();
        let mut wb = Workbook::new();
        let props = rust_xlsxwriter::DocProperties::new().set_custom_property(
            crate::verify::set::XLSX_PROPERTY,
            self.signed.sha256.as_str(),
        );
        wb.set_properties(&props);
        let bold = Format::new().set_bold();
        let num = Format::new().set_num_format("0.0000");
        {
            let ws = wb.add_worksheet();
            ws.set_name(l("全国排名", "National ranking"))?;
            for (c, h) in self.ranking_headers().iter().enumerate() {
                ws.write_string_with_format(0, c as u16, h, &bold)?;
            }
            for (r, e) in self.ordered().into_iter().enumerate() {
                let row = r as u32 + 1;
                for (c, cell) in self.ranking_cells(e).into_iter().enumerate() {
                    let c = c as u16;
                    match cell {
                        Cell::Text(s) => {
                            put(ws, lang, row, c, s)?;
                        }
                        Cell::Num(s) => {
                            ws.write_number_with_format(row, c, s.parse().unwrap_or(0.0), &num)?;
                        }
                        Cell::Int(i) => {
                            ws.write_number(row, c, f64::from(i))?;
                        }
                        Cell::Empty => {}
                    }
                }
            }
        }
        {
            let ws = wb.add_worksheet();
            ws.set_name(l("公示名单", "Public notice"))?;
            for (c, h) in self.notice_headers().iter().enumerate() {
                ws.write_string_with_format(0, c as u16, h, &bold)?;
            }
            let rows = self.notice_rows();
            for (r, cells) in rows.iter().enumerate() {
                let row = r as u32 + 1;
                ws.write_number(row, 0, (r + 1) as f64)?;
                for (c, s) in cells.iter().enumerate().skip(1) {
                    put(ws, lang, row, c as u16, s)?;
                }
            }
            put(ws, lang, rows.len() as u32 + 1, 0, notice_note(lang))?;
        }
        {
            let ws = wb.add_worksheet();
            ws.set_name(l("跨组问题", "Findings"))?;
            let heads = [
                l("规则", "Rule"),
                l("评审组", "Panels"),
                l("项目", "Applications"),
                l("说明", "Detail"),
                l("依据", "Source"),
            ];
            for (c, h) in heads.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, h, &bold)?;
            }
            let mut r = 1u32;
            for f in &p.findings {
                let panels: Vec<String> = f
                    .panels
                    .iter()
                    .map(|&i| inert_line(p.panel_name(i)))
                    .collect();
                let apps: Vec<String> = f.apps.iter().map(|a| inert_line(&a.id)).collect();
                put(ws, lang, r, 0, &f.rule)?;
                put(ws, lang, r, 1, panels.join(lang.pick("、", ", ")))?;
                put(ws, lang, r, 2, apps.join(lang.pick("、", ", ")))?;
                put(
                    ws,
                    lang,
                    r,
                    3,
                    inert_line(lang.pick(&f.detail_zh, &f.detail_en)),
                )?;
                put(ws, lang, r, 4, inert_line(&f.source))?;
                r += 1;
            }
            r += 1;
            ws.write_string_with_format(r, 0, l("临界并列", "Ties at the cut"), &bold)?;
            r += 1;
            for t in &p.ties {
                let apps: Vec<String> = t.apps.iter().map(|a| inert_line(&a.id)).collect();
                put(ws, lang, r, 0, p.direction_name(t.direction, lang, false))?;
                ws.write_number(r, 1, f64::from(t.rank))?;
                ws.write_number(r, 2, f64::from(t.places_left))?;
                put(ws, lang, r, 3, apps.join(lang.pick("、", ", ")))?;
                r += 1;
            }
        }
        Ok(wb.save_to_buffer()?)
    }
}
