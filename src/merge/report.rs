//! The merged result for people: CSV (UTF-8 with BOM, opens in Excel and
//! WPS with Chinese intact) and XLSX (a sheet per direction in rank order,
//! a chart of totals on each, and a summary sheet). Built from an
//! [`Aggregate`]; figures are the same decimal strings as in the JSON.
//!
//! Text is never a formula: a CSV cell of text starting with `=`, `+`,
//! `-`, `@`, a tab or a carriage return gets a leading `'` (Excel and WPS
//! evaluate such cells even when quoted), and the XLSX writes text only
//! as string cells. Figures stay numbers. Written by a merge, each file
//! carries the SHA-256 of the signed file it belongs to ([`People`],
//! `verify::set`).

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use rust_xlsxwriter::{Chart, Format, Workbook, Worksheet};

use crate::domain::aggregate::{Aggregate, AppResult};
use crate::domain::text::{inert_cow, inert_line};
use crate::domain::{Application, Catalog, Rubric};
use crate::formats::merged::{MergedApp, MergedPayload};
use crate::support::lang::Lang;

use super::marks::Marks;

/// One row of the people's tables.
struct Row<'a> {
    r: &'a AppResult,
    app: Option<&'a Application>,
    /// The application in the signed payload (comments, findings), when
    /// the files are built for one, and its index there.
    m: Option<(usize, &'a MergedApp)>,
    excluded: bool,
}

/// The signed payload people's files are built for, and where its marks
/// are: in its applications, or kept compact beside it.
#[derive(Clone, Copy)]
struct Published<'a> {
    payload: &'a MergedPayload,
    marks: Option<&'a Marks>,
}

impl Published<'_> {
    /// Each scorer's expert, recommendation and comment on the
    /// application at index `i` of the payload, in expert id order.
    fn each_mark(&self, i: usize, m: &MergedApp, f: &mut dyn FnMut(&str, bool, &str)) {
        match self.marks {
            Some(marks) => {
                for x in marks.of(i) {
                    f(x.expert, x.recommend, x.comment);
                }
            }
            None => {
                for x in &m.by_expert {
                    f(&x.expert, x.recommend, &x.comment);
                }
            }
        }
    }
}

/// An application's eligibility findings, one line (bundle text, inert).
fn findings_text(m: &MergedApp, lang: Lang) -> String {
    m.findings
        .iter()
        .map(|f| {
            format!(
                "{}: {}",
                inert_line(&f.rule),
                inert_line(lang.pick(&f.detail_zh, &f.detail_en))
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A recommendation in words.
fn rec_word(yes: bool, lang: Lang) -> &'static str {
    if yes {
        lang.pick("推荐", "yes")
    } else {
        lang.pick("不推荐", "no")
    }
}

/// Every scorer's recommendation and comment, one line (experts' text,
/// inert).
fn comments_text(src: &Published, i: usize, m: &MergedApp, lang: Lang) -> String {
    let mut out = String::new();
    src.each_mark(i, m, &mut |expert, recommend, comment| {
        if !out.is_empty() {
            out.push_str(" | ");
        }
        out.push_str(&inert_cow(expert, false));
        out.push_str(" (");
        out.push_str(rec_word(recommend, lang));
        out.push_str("): ");
        out.push_str(&inert_cow(comment.trim(), false));
    });
    out
}

fn flags_text(r: &AppResult, lang: Lang) -> String {
    let mut f = Vec::new();
    let l = |zh: &'static str, en: &'static str| lang.pick(zh, en).to_string();
    if r.flags.all_recused {
        f.push(l("全部回避", "all recused"));
    } else if r.flags.below_quorum {
        f.push(l("人数不足", "below quorum"));
    }
    if r.flags.high_disagreement {
        f.push(l("分歧大", "high disagreement"));
    }
    if !r.flags.outliers.is_empty() {
        f.push(format!(
            "{}: {}",
            l("偏离专家", "far from panel"),
            r.flags.outliers.join(" ")
        ));
    }
    if r.flags.rank_unstable {
        f.push(l("排名不稳", "rank unstable"));
    }
    f.join("; ")
}

fn headers(rubric: &Rubric, lang: Lang) -> Vec<String> {
    let l = |zh: &'static str, en: &'static str| lang.pick(zh, en).to_string();
    let mut h = vec![
        l("方向", "direction"),
        l("排名", "rank"),
        l("申报编号", "id"),
        l("项目名称", "title"),
        l("牵头单位", "lead unit"),
        l("中小微", "SME"),
        l("推荐单位", "authority"),
        l("评分人数", "n"),
        l("回避人数", "recused"),
        l("总分(排名口径)", "total (rule)"),
        l("总分均值", "total mean"),
        l("总分中位数", "total median"),
        l("总分截尾均值", "total trimmed"),
        l("总分标准差", "total std"),
        l("总分最低", "total min"),
        l("总分最高", "total max"),
    ];
    for c in &rubric.criteria {
        h.push(format!(
            "{}({})",
            lang.pick(&c.name_zh, &c.name_en),
            l("排名口径", "rule")
        ));
    }
    h.extend([
        l("推荐", "recommend"),
        l("不推荐", "not recommend"),
        l("标记", "flags"),
        l("并列处理", "tie-break"),
        l("均值排名", "rank mean"),
        l("截尾排名", "rank trimmed"),
        l("中位数排名", "rank median"),
        l("标准化排名", "rank z-score"),
        l("资格审查", "eligibility findings"),
        l("排除出排名", "left out of ranking"),
        l("评审意见", "comments"),
        l("专家组意见", "panel opinion"),
    ]);
    h
}

/// A cell: text, or a figure kept as its exact decimal string.
enum Cell {
    Text(String),
    Num(String),
    Int(i64),
    Empty,
}

fn row_cells(
    row: &Row,
    src: Option<&Published>,
    agg: &Aggregate,
    rubric: &Rubric,
    lang: Lang,
) -> Vec<Cell> {
    let r = row.r;
    let a = row.app;
    let rule = agg.params.rule;
    let t = r.total.as_ref();
    let text = |s: Option<String>| s.map(Cell::Text).unwrap_or(Cell::Empty);
    let mut v = vec![
        Cell::Int(r.direction as i64),
        r.rank.map(|x| Cell::Int(x as i64)).unwrap_or(Cell::Empty),
        Cell::Text(inert_line(&r.id)),
        text(a.map(|a| inert_line(&a.title))),
        text(a.map(|a| inert_line(&a.lead_unit.name))),
        text(
            a.filter(|a| a.lead_unit.sme)
                .map(|_| lang.pick("是", "yes").to_string()),
        ),
        text(a.map(|a| inert_line(&a.authority))),
        Cell::Int(r.scorers.len() as i64),
        Cell::Int(r.recused.len() as i64),
    ];
    match t {
        Some(t) => {
            let pick = match rule {
                crate::domain::aggregate::RankRule::Trimmed => &t.trimmed,
                crate::domain::aggregate::RankRule::Mean => &t.mean,
                crate::domain::aggregate::RankRule::Median => &t.median,
            };
            v.extend([
                Cell::Num(pick.clone()),
                Cell::Num(t.mean.clone()),
                Cell::Num(t.median.clone()),
                Cell::Num(t.trimmed.clone()),
                Cell::Num(t.std.clone()),
                Cell::Int(t.min),
                Cell::Int(t.max),
            ]);
        }
        None => v.extend((0..7).map(|_| Cell::Empty)),
    }
    for c in &rubric.criteria {
        v.push(match r.criteria.get(&c.key) {
            Some(s) => Cell::Num(match rule {
                crate::domain::aggregate::RankRule::Trimmed => s.trimmed.clone(),
                crate::domain::aggregate::RankRule::Mean => s.mean.clone(),
                crate::domain::aggregate::RankRule::Median => s.median.clone(),
            }),
            None => Cell::Empty,
        });
    }
    v.push(Cell::Int(r.recommend_yes as i64));
    v.push(Cell::Int(r.recommend_no as i64));
    v.push(Cell::Text(flags_text(r, lang)));
    v.push(text(r.tie_break.clone()));
    for k in ["mean", "trimmed", "median", "zscore"] {
        v.push(
            r.ranks
                .get(k)
                .map(|x| Cell::Int(*x as i64))
                .unwrap_or(Cell::Empty),
        );
    }
    let m = row.m.map(|x| x.1);
    v.push(text(
        m.map(|m| findings_text(m, lang)).filter(|s| !s.is_empty()),
    ));
    v.push(text(
        row.excluded.then(|| lang.pick("是", "yes").to_string()),
    ));
    v.push(text(
        row.m
            .zip(src)
            .map(|((i, m), src)| comments_text(src, i, m, lang))
            .filter(|s| !s.is_empty()),
    ));
    v.push(text(
        m.and_then(|m| m.opinion.as_ref())
            .map(|o| crate::domain::text::inert(o.text.trim(), true)),
    ));
    v
}

/// Applications grouped by direction, each group in rank order (unranked last).
fn ordered<'a>(
    agg: &'a Aggregate,
    apps: &'a [Application],
    payload: Option<&'a MergedPayload>,
) -> BTreeMap<u32, Vec<Row<'a>>> {
    let by_id: BTreeMap<&str, &Application> = apps.iter().map(|a| (a.id.as_str(), a)).collect();
    let merged: BTreeMap<&str, (usize, &MergedApp)> = payload
        .map(|p| {
            p.applications
                .iter()
                .enumerate()
                .map(|(i, a)| (a.id.as_str(), (i, a)))
                .collect()
        })
        .unwrap_or_default();
    let mut out: BTreeMap<u32, Vec<Row>> = BTreeMap::new();
    for r in &agg.applications {
        out.entry(r.direction).or_default().push(Row {
            r,
            app: by_id.get(r.id.as_str()).copied(),
            m: merged.get(r.id.as_str()).copied(),
            excluded: payload.is_some_and(|p| p.excluded.iter().any(|x| x.id == r.id)),
        });
    }
    for rows in out.values_mut() {
        rows.sort_by(|a, b| {
            a.r.rank
                .unwrap_or(u32::MAX)
                .cmp(&b.r.rank.unwrap_or(u32::MAX))
                .then(a.r.id.cmp(&b.r.id))
        });
    }
    out
}

/// Whether a spreadsheet would read text starting this way as a formula.
fn formula_like(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A text cell a spreadsheet shows as the text itself: a formula-like
/// start is defused with a leading `'`.
pub fn defuse(s: &str) -> std::borrow::Cow<'_, str> {
    if formula_like(s) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

fn csv_field(s: &str) -> String {
    let mut out = String::new();
    push_csv_field(&mut out, s);
    out
}

/// Appends `s` as one CSV field: defused, quoted when it must be.
fn push_csv_field(out: &mut String, s: &str) {
    let s = defuse(s);
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        for (i, part) in s.split('"').enumerate() {
            if i > 0 {
                out.push_str("\"\"");
            }
            out.push_str(part);
        }
        out.push('"');
    } else {
        out.push_str(&s);
    }
}

/// The SHA-256 of the signed file a set of people's files belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedMark {
    pub sha256: String,
}

impl SignedMark {
    /// The mark of the signed file's bytes, as written.
    pub fn of(signed: &[u8]) -> SignedMark {
        SignedMark {
            sha256: crate::verify::set::sha256_hex(signed),
        }
    }
}

/// The people's files of one merged result, built for the signed file
/// they belong to.
///
/// The signed file's SHA-256 is known only once it is written; each
/// file is built while it is, and asks for the mark (`mark`) only at the
/// end: the CSV's last row, the XLSX's summary cell and properties.
/// Without a mark (the signed file could not be written) there is no
/// file.
#[derive(Clone, Copy)]
pub struct People<'a> {
    pub agg: &'a Aggregate,
    pub apps: &'a [Application],
    pub catalog: &'a Catalog,
    pub rubric: &'a Rubric,
    pub lang: Lang,
    /// The signed payload: comments, findings, missing experts.
    pub payload: &'a MergedPayload,
    /// The payload's marks when kept compact ([`super::Merged::marks`]).
    pub marks: Option<&'a Marks>,
}

impl People<'_> {
    /// Writes the CSV, its last row the signed file's SHA-256.
    pub fn write_csv(
        &self,
        w: &mut dyn std::io::Write,
        mark: impl FnOnce() -> Option<SignedMark>,
    ) -> Result<()> {
        let width = csv_with(
            w,
            self.agg,
            self.apps,
            self.rubric,
            self.lang,
            Some(self.published()),
        )?;
        let m = mark().context("the signed file was not written")?;
        // A last row as wide as the others, so that CSV readers which
        // insist on one width read it too.
        let mut row = vec![
            crate::verify::set::label(self.lang.is_zh()).to_string(),
            m.sha256,
        ];
        row.resize(width.max(2), String::new());
        w.write_all(row.join(",").as_bytes())?;
        w.write_all(b"\r\n")?;
        Ok(())
    }

    fn published(&self) -> Published<'_> {
        Published {
            payload: self.payload,
            marks: self.marks,
        }
    }

    /// Writes the XLSX, the signed file's SHA-256 in its summary sheet and
    /// its document properties.
    pub fn write_xlsx(
        &self,
        w: &mut (dyn std::io::Write + Send),
        mark: impl FnOnce() -> Option<SignedMark>,
    ) -> Result<()> {
        let lang = self.lang;
        let (mut wb, row) = xlsx_with(
            self.agg,
            self.apps,
            self.catalog,
            self.rubric,
            lang,
            Some(self.published()),
        )?;
        let row = row.context("no summary row for the signed file")?;
        let m = mark().context("the signed file was not written")?;
        let props = rust_xlsxwriter::DocProperties::new()
            .set_custom_property(crate::verify::set::XLSX_PROPERTY, m.sha256.as_str());
        wb.set_properties(&props);
        let bold = Format::new().set_bold();
        let ws = wb.worksheet_from_index(0)?;
        ws.write_string_with_format(row, 0, crate::verify::set::label(lang.is_zh()), &bold)?;
        ws.write_string(row, 1, &m.sha256)?;
        let mut stages = crate::merge::stages::Stages::new();
        let saved = wb.save_to_writer(w).context("building the XLSX workbook");
        stages.mark("xlsx save");
        saved
    }
}

/// The CSV bytes: BOM, header, one row per application (no mark: see
/// [`People::write_csv`]).
pub fn csv_bytes(agg: &Aggregate, apps: &[Application], rubric: &Rubric, lang: Lang) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to memory does not fail.
    let _ = csv_with(&mut out, agg, apps, rubric, lang, None);
    out
}

/// Writes the CSV without a mark, row by row; returns its width in
/// fields.
fn csv_with(
    w: &mut dyn std::io::Write,
    agg: &Aggregate,
    apps: &[Application],
    rubric: &Rubric,
    lang: Lang,
    src: Option<Published>,
) -> std::io::Result<usize> {
    let payload = src.map(|s| s.payload);
    let mut out = String::new();
    out.push('\u{feff}');
    let h: Vec<String> = headers(rubric, lang).iter().map(|s| csv_field(s)).collect();
    let width = h.len();
    out.push_str(&h.join(","));
    out.push_str("\r\n");
    for rows in ordered(agg, apps, payload).values() {
        for row in rows {
            w.write_all(out.as_bytes())?;
            out.clear();
            let cells = row_cells(row, src.as_ref(), agg, rubric, lang);
            for (i, c) in cells.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                match c {
                    Cell::Text(s) => push_csv_field(&mut out, &s),
                    Cell::Num(s) => out.push_str(&s),
                    Cell::Int(i) => {
                        use std::fmt::Write as _;
                        let _ = write!(out, "{i}");
                    }
                    Cell::Empty => {}
                }
            }
            out.push_str("\r\n");
        }
    }
    w.write_all(out.as_bytes())?;
    Ok(width)
}

fn sheet_name(code: u32, catalog: &Catalog, lang: Lang) -> String {
    let short = catalog
        .direction(code)
        .map(|d| lang.pick(&d.short_zh, &d.short_en).to_string())
        .unwrap_or_default();
    let cleaned: String = short
        .chars()
        .filter(|c| !"[]:*?/\\'".contains(*c))
        .take(20)
        .collect();
    format!("{code:02} {cleaned}")
}

/// A bold header row at `row`.
fn header_row(ws: &mut Worksheet, row: u32, titles: &[String], bold: &Format) -> Result<()> {
    for (c, h) in titles.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, h, bold)?;
    }
    Ok(())
}

/// Excel's most characters in a cell, in UTF-16 code units.
const CELL_MAX: usize = 32_767;

/// Text for one cell: text longer than a cell holds is cut at a
/// character and says so (the CSV and the signed file keep all of it).
fn cell_text(mut s: String, lang: Lang) -> String {
    // No character takes more UTF-16 units than UTF-8 bytes.
    if s.len() <= CELL_MAX {
        return s;
    }
    if s.encode_utf16().count() <= CELL_MAX {
        return s;
    }
    let note = cut_note(lang);
    let room = CELL_MAX - note.encode_utf16().count();
    let (mut used, mut end) = (0, 0);
    for (i, ch) in s.char_indices() {
        if used + ch.len_utf16() > room {
            break;
        }
        used += ch.len_utf16();
        end = i + ch.len_utf8();
    }
    s.truncate(end);
    s.push_str(note);
    s
}

/// What ends a text cut at the cell limit.
fn cut_note(lang: Lang) -> &'static str {
    lang.pick(
        "……〔超出单元格上限，全文见 CSV 与签名文件〕",
        "… [cut at the cell limit; the whole text is in the CSV and the signed file]",
    )
}

/// Writes a text cell, cut to what a cell holds ([`cell_text`]).
pub(crate) fn put(
    ws: &mut Worksheet,
    lang: Lang,
    row: u32,
    col: u16,
    s: impl Into<String>,
) -> std::result::Result<(), rust_xlsxwriter::XlsxError> {
    ws.write_string(row, col, cell_text(s.into(), lang))?;
    Ok(())
}

fn write_row(
    ws: &mut Worksheet,
    lang: Lang,
    row: u32,
    cells: Vec<Cell>,
    num: &Format,
) -> Result<()> {
    for (col, c) in cells.into_iter().enumerate() {
        let col = col as u16;
        match c {
            Cell::Text(s) => {
                put(ws, lang, row, col, s)?;
            }
            Cell::Num(s) => {
                let v: f64 = s.parse().unwrap_or(0.0);
                ws.write_number_with_format(row, col, v, num)?;
            }
            Cell::Int(i) => {
                ws.write_number(row, col, i as f64)?;
            }
            Cell::Empty => {}
        }
    }
    Ok(())
}

/// The summary's last parts from `row` on: the roster experts missing and
/// the applications left out of the ranking.
fn summary_people(
    ws: &mut Worksheet,
    mut r: u32,
    p: &MergedPayload,
    lang: Lang,
    bold: &Format,
) -> Result<()> {
    let l = |zh: &'static str, en: &'static str| lang.pick(zh, en).to_string();
    r += 1;
    ws.write_string_with_format(r, 0, l("缺席的名单专家", "Roster experts missing"), bold)?;
    r += 1;
    if p.missing.is_empty() {
        put(ws, lang, r, 0, l("无", "none"))?;
        r += 1;
    } else {
        header_row(
            ws,
            r,
            &[
                l("专家", "expert"),
                l("姓名", "name"),
                l("原因", "reason"),
                l("说明", "detail"),
            ],
            bold,
        )?;
        r += 1;
        for m in &p.missing {
            let why = match m.reason.as_str() {
                "no-key" => l("名单未给出其密钥", "the roster gives no key"),
                "left-out" => l("给出的文件均未采用", "every file given was left out"),
                _ => l("未给出其文件", "no file was given"),
            };
            put(ws, lang, r, 0, inert_line(&m.expert))?;
            put(ws, lang, r, 1, inert_line(&m.name))?;
            put(ws, lang, r, 2, why)?;
            put(ws, lang, r, 3, inert_line(&m.detail))?;
            r += 1;
        }
    }
    r += 1;
    ws.write_string_with_format(
        r,
        0,
        l(
            "排除出排名的项目（资格审查）",
            "Left out of the ranking (eligibility)",
        ),
        bold,
    )?;
    r += 1;
    if p.excluded.is_empty() {
        put(ws, lang, r, 0, l("无", "none"))?;
    }
    for x in &p.excluded {
        put(ws, lang, r, 0, inert_line(&x.id))?;
        put(ws, lang, r, 1, x.rules.join(", "))?;
        r += 1;
    }
    Ok(())
}

/// A sheet of every scorer's comment: application, title (on the
/// application's first row), expert, recommendation, comment (the
/// experts' text, as string cells, never formulas; control characters
/// made visible, line breaks kept).
fn comments_sheet(ws: &mut Worksheet, src: &Published, lang: Lang, bold: &Format) -> Result<()> {
    let p = src.payload;
    let l = |zh: &'static str, en: &'static str| lang.pick(zh, en).to_string();
    ws.set_name(l("评审意见", "Comments"))?;
    header_row(
        ws,
        0,
        &[
            l("申报编号", "application"),
            l("项目名称", "title"),
            l("专家", "expert"),
            l("推荐", "recommendation"),
            l("评审意见", "comment"),
        ],
        bold,
    )?;
    // The cells' text is made ready (inert, cut to what a cell holds) on
    // a thread of its own, a batch of rows at a time, while this one
    // writes the rows: a large panel's sheet has a row per comment.
    let (batches, ready) = std::sync::mpsc::sync_channel::<Vec<[String; 5]>>(4);
    std::thread::scope(|sc| -> Result<()> {
        sc.spawn(move || {
            let cell = |s: std::borrow::Cow<str>| cell_text(s.into_owned(), lang);
            for (i, a) in p.applications.iter().enumerate() {
                // Once per application, not once per comment. The title
                // heads the application's rows, on the first; the id is on
                // every row (for filters and lookups).
                let id = cell(inert_cow(&a.id, false));
                let mut title = Some(cell(inert_cow(&a.title, false)));
                let mut batch = Vec::new();
                src.each_mark(i, a, &mut |expert, recommend, comment| {
                    batch.push([
                        id.clone(),
                        title.take().unwrap_or_default(),
                        cell(inert_cow(expert, false)),
                        rec_word(recommend, lang).to_string(),
                        cell(inert_cow(comment.trim(), true)),
                    ]);
                });
                // The writer stopped (it failed): nothing more to make.
                if batches.send(batch).is_err() {
                    return;
                }
            }
        });
        let mut r = 1u32;
        for batch in ready {
            for row in batch {
                for (c, text) in row.into_iter().enumerate() {
                    ws.write_string(r, c as u16, text)?;
                }
                r += 1;
            }
        }
        Ok(())
    })?;
    ws.set_freeze_panes(1, 1)?;
    ws.set_column_width(1, 36)?;
    ws.set_column_width(4, 80)?;
    Ok(())
}

/// A sheet of the panel's opinions (专家组意见): application, title,
/// direction, rank, the opinion in full (line breaks kept, control
/// characters made visible), when it was last changed.
fn opinions_sheet(ws: &mut Worksheet, p: &MergedPayload, lang: Lang, bold: &Format) -> Result<()> {
    let l = |zh: &'static str, en: &'static str| lang.pick(zh, en).to_string();
    ws.set_name(l("专家组意见", "Panel opinions"))?;
    header_row(
        ws,
        0,
        &[
            l("申报编号", "application"),
            l("项目名称", "title"),
            l("方向", "direction"),
            l("排名", "rank"),
            l("专家组意见", "panel opinion"),
            l("最后修改（UTC）", "last changed (UTC)"),
        ],
        bold,
    )?;
    let mut r = 1u32;
    for a in &p.applications {
        let Some(o) = &a.opinion else { continue };
        put(ws, lang, r, 0, inert_line(&a.id))?;
        put(ws, lang, r, 1, inert_line(&a.title))?;
        ws.write_number(r, 2, a.direction as f64)?;
        if let Some(rank) = a.rank {
            ws.write_number(r, 3, rank as f64)?;
        }
        put(
            ws,
            lang,
            r,
            4,
            crate::domain::text::inert(o.text.trim(), true),
        )?;
        put(ws, lang, r, 5, &o.time)?;
        r += 1;
    }
    ws.set_freeze_panes(1, 1)?;
    ws.set_column_width(1, 36)?;
    ws.set_column_width(4, 80)?;
    Ok(())
}

/// The XLSX bytes (no mark: see [`People::xlsx_bytes`]).
pub fn xlsx_bytes(
    agg: &Aggregate,
    apps: &[Application],
    catalog: &Catalog,
    rubric: &Rubric,
    lang: Lang,
) -> Result<Vec<u8>> {
    let (mut wb, _) = xlsx_with(agg, apps, catalog, rubric, lang, None)?;
    wb.save_to_buffer().context("building the XLSX workbook")
}

/// The workbook, not yet saved, and the summary row left empty for the
/// signed file's mark (none when the book is built for no signed
/// payload).
fn xlsx_with(
    agg: &Aggregate,
    apps: &[Application],
    catalog: &Catalog,
    rubric: &Rubric,
    lang: Lang,
    src: Option<Published>,
) -> Result<(Workbook, Option<u32>)> {
    let payload = src.map(|s| s.payload);
    let mut wb = Workbook::new();
    // Deflate's fastest level: a 300-expert panel's sheets are tens of
    // megabytes of XML, and level 6 took most of the save for a file only
    // somewhat smaller.
    wb.set_zip_compression_level(1);
    let bold = Format::new().set_bold();
    let num = Format::new().set_num_format("0.0000");
    let l = |zh: &'static str, en: &'static str| lang.pick(zh, en).to_string();
    let groups = ordered(agg, apps, payload);
    let mut mark_row = None;
    // Summary first.
    {
        let ws = wb.add_worksheet();
        ws.set_name(l("汇总", "Summary"))?;
        let mut r = 0u32;
        ws.write_string_with_format(r, 0, l("排名口径", "ranking rule"), &bold)?;
        ws.write_string(r, 1, agg.params.rule.key())?;
        r += 1;
        ws.write_string_with_format(r, 0, l("并列处理", "tie-break"), &bold)?;
        ws.write_string(r, 1, crate::domain::aggregate::tie_break_rule(&agg.params))?;
        r += 1;
        ws.write_string_with_format(r, 0, l("舍入规则", "rounding"), &bold)?;
        ws.write_string(r, 1, crate::domain::aggregate::ROUNDING_RULE)?;
        r += 1;
        if src.is_some() {
            // Filled once the signed file is written.
            mark_row = Some(r);
            r += 1;
        }
        r += 1;
        header_row(
            ws,
            r,
            &[
                l("方向", "direction"),
                l("项目数", "applications"),
                l("已评分", "scored"),
                l("有标记", "flagged"),
            ],
            &bold,
        )?;
        r += 1;
        for (code, rows) in &groups {
            let name = catalog
                .direction(*code)
                .map(|d| lang.pick(&d.name_zh, &d.name_en).to_string());
            ws.write_string(r, 0, format!("{code} {}", name.unwrap_or_default()))?;
            ws.write_number(r, 1, rows.len() as f64)?;
            ws.write_number(
                r,
                2,
                rows.iter().filter(|x| x.r.total.is_some()).count() as f64,
            )?;
            ws.write_number(
                r,
                3,
                rows.iter()
                    .filter(|x| !flags_text(x.r, lang).is_empty())
                    .count() as f64,
            )?;
            r += 1;
        }
        r += 1;
        header_row(
            ws,
            r,
            &[
                l("专家", "expert"),
                l("评分数", "scored"),
                l("回避数", "recused"),
                l("平均给分", "mean given"),
                l("宽严度", "leniency"),
            ],
            &bold,
        )?;
        r += 1;
        for e in &agg.experts {
            ws.write_string(r, 0, &e.expert)?;
            ws.write_number(r, 1, e.scored as f64)?;
            ws.write_number(r, 2, e.recused as f64)?;
            if let Some(m) = &e.mean_given {
                ws.write_number_with_format(r, 3, m.parse().unwrap_or(0.0), &num)?;
            }
            if let Some(m) = &e.leniency {
                ws.write_number_with_format(r, 4, m.parse().unwrap_or(0.0), &num)?;
            }
            r += 1;
        }
        r += 1;
        header_row(
            ws,
            r,
            &[
                l("方向", "direction"),
                l("评审维度", "criterion"),
                l("Krippendorff α（区间）", "Krippendorff's alpha (interval)"),
                l("可配对分值数", "pairable values"),
            ],
            &bold,
        )?;
        r += 1;
        for a in &agg.agreement {
            ws.write_number(r, 0, a.direction as f64)?;
            ws.write_string(r, 1, &a.criterion)?;
            if let Some(x) = &a.alpha {
                ws.write_number_with_format(r, 2, x.parse().unwrap_or(0.0), &num)?;
            }
            ws.write_number(r, 3, a.pairable_values as f64)?;
            r += 1;
        }
        if let Some(p) = payload {
            summary_people(ws, r, p, lang, &bold)?;
        }
        ws.set_column_width(0, 28)?;
    }
    let mut stages = crate::merge::stages::Stages::new();
    // Every comment, on a sheet of its own filled on its own thread while
    // the direction sheets are (both write rows to their own temporary
    // file; the formats they use are the summary's, already registered).
    let comments = src
        .map(|src| {
            wb.new_worksheet_with_constant_memory()
                .context("a temporary file for the XLSX")
                .map(|ws| (ws, src))
        })
        .transpose()?;
    let comments = std::thread::scope(|sc| -> Result<Option<Worksheet>> {
        let filling = comments.map(|(mut ws, src)| {
            let bold = &bold;
            sc.spawn(move || {
                let mut stages = crate::merge::stages::Stages::new();
                let filled = comments_sheet(&mut ws, &src, lang, bold).map(|()| ws);
                stages.mark("xlsx comments");
                filled
            })
        });
        let sheets = (|| -> Result<()> {
            let mut stages = crate::merge::stages::Stages::new();
            let head = headers(rubric, lang);
            for (code, rows) in &groups {
                let name = sheet_name(*code, catalog, lang);
                let ws = wb
                    .add_worksheet_with_constant_memory()
                    .context("a temporary file for the XLSX")?;
                ws.set_name(&name)?;
                header_row(ws, 0, &head, &bold)?;
                for (i, row) in rows.iter().enumerate() {
                    write_row(
                        ws,
                        lang,
                        i as u32 + 1,
                        row_cells(row, src.as_ref(), agg, rubric, lang),
                        &num,
                    )?;
                }
                ws.set_freeze_panes(1, 3)?;
                ws.set_column_width(3, 40)?;
                ws.set_column_width(4, 28)?;
                ws.set_column_width(6, 20)?;
                if !rows.is_empty() {
                    let last = rows.len() as u32;
                    let mut chart = Chart::new_bar();
                    chart
                        .title()
                        .set_name(lang.pick("总分（排名口径）", "Total (ranking rule)"));
                    chart
                        .add_series()
                        .set_categories((name.as_str(), 1, 2, last, 2))
                        .set_values((name.as_str(), 1, 9, last, 9))
                        .set_name(lang.pick("总分", "total"));
                    ws.insert_chart(last + 3, 2, &chart)?;
                }
            }
            stages.mark("xlsx directions");
            Ok(())
        })();
        let comments = filling
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .transpose();
        sheets?;
        comments
    })?;
    stages.mark("xlsx sheets");
    if let Some(ws) = comments {
        wb.push_worksheet(ws);
    }
    if let Some(p) = payload.filter(|p| p.opinions.is_some()) {
        opinions_sheet(wb.add_worksheet(), p, lang, &bold)?;
    }
    Ok((wb, mark_row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_longer_than_a_cell_is_cut_at_a_character_and_says_so() {
        let units = |s: &str| s.encode_utf16().count();
        for (unit, lang) in [("a", Lang::En), ("评", Lang::Zh), ("\u{1F600}", Lang::Zh)] {
            for n in [CELL_MAX - 1, CELL_MAX, CELL_MAX + 1, 3 * CELL_MAX] {
                let s = unit.repeat(n / units(unit));
                let cut = cell_text(s.clone(), lang);
                assert!(units(&cut) <= CELL_MAX, "{unit} × {n}: {}", units(&cut));
                if units(&s) <= CELL_MAX {
                    assert_eq!(cut, s);
                } else {
                    let kept = cut.strip_suffix(cut_note(lang)).expect("the note");
                    assert!(s.starts_with(kept));
                    assert!(units(&cut) > CELL_MAX - 2, "{unit} × {n}: {}", units(&cut));
                }
            }
        }
    }

    #[test]
    fn formula_like_text_is_defused_and_plain_text_kept() {
        for s in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(defuse(s), format!("'{s}"), "{s:?}");
        }
        for s in ["项目", "1-2", "a=b", "", " =1"] {
            assert_eq!(defuse(s), s, "{s:?}");
        }
        assert_eq!(csv_field("=1,2"), "\"'=1,2\"");
    }
}
