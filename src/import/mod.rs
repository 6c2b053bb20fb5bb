//! Reading application files (JSON and CSV), rosters, and custom catalogs
//! and rubrics. Every error is one line naming the file and the place.
//!
//! CSV comes as Excel and WPS save it in China: UTF-8 with or without a
//! byte-order mark, or GB18030/GBK. The encoding is detected (a BOM, else
//! valid UTF-8, else GB18030) unless given.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Result, anyhow, bail};
use serde::Deserialize;

use crate::domain::application::validate_roster_in;

/// The roster's shape checked, its message in the run's language.
fn validate_roster(r: &[crate::domain::RosterEntry]) -> std::result::Result<(), String> {
    validate_roster_in(r, crate::support::lang::current().is_zh())
}
use crate::domain::{Application, Catalog, RosterEntry, Rubric, Sections, Unit};
use crate::support::fs::io_msg;

pub mod columns;
pub mod table;

use crate::tr;

/// Input encodings for CSV files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Auto,
    Utf8,
    Gb18030,
}

/// How an application file was read (the success line names it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadAs {
    Json,
    /// CSV in this encoding (`utf8_bom`: with a byte-order mark).
    Csv {
        gb18030: bool,
        bom: bool,
    },
    /// The first sheet of an XLSX workbook, by name.
    Xlsx {
        sheet: String,
    },
}

impl ReadAs {
    /// "CSV, UTF-8 with BOM", "XLSX, sheet 汇总表", … in `lang`.
    pub fn describe(&self, lang: crate::support::lang::Lang) -> String {
        use crate::support::lang::Lang;
        match (self, lang) {
            (ReadAs::Json, _) => "JSON, UTF-8".into(),
            (ReadAs::Csv { gb18030: true, .. }, _) => "CSV, GB18030".into(),
            (ReadAs::Csv { bom: true, .. }, Lang::Zh) => "CSV, UTF-8（带 BOM）".into(),
            (ReadAs::Csv { bom: true, .. }, Lang::En) => "CSV, UTF-8 with BOM".into(),
            (ReadAs::Csv { .. }, _) => "CSV, UTF-8".into(),
            (ReadAs::Xlsx { sheet }, Lang::Zh) => {
                format!("XLSX，工作表“{}”", crate::domain::text::inert_line(sheet))
            }
            (ReadAs::Xlsx { sheet }, Lang::En) => {
                format!("XLSX, sheet '{}'", crate::domain::text::inert_line(sheet))
            }
        }
    }
}

/// Every problem of one input file, one line each (row, application id,
/// column), so one run names them all. `main` prints each line as its own
/// error line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileErrors(pub Vec<String>);

impl std::fmt::Display for FileErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("\n"))
    }
}

impl std::error::Error for FileErrors {}

/// What an application file holds.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The call the file says it belongs to, if it says.
    pub call: Option<String>,
    pub panel: Option<String>,
    pub applications: Vec<Application>,
    pub roster: Vec<RosterEntry>,
    pub read_as: ReadAs,
}

const MAX_FIELD_CHARS: usize = 200_000;

use crate::support::fs::{Limit, limits};

fn read(path: &Path, limit: &Limit) -> Result<Vec<u8>> {
    crate::support::fs::read_kind(path, limit)
}

/// The kind of an application file, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Json,
    Csv,
    Xlsx,
    /// Excel 97–2003 (.xls) or WPS (.et): refused with how to save it.
    OldSheet,
}

impl Kind {
    pub fn of(path: &Path) -> Kind {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("csv") => Kind::Csv,
            Some("xlsx" | "xlsm") => Kind::Xlsx,
            Some("xls" | "et") => Kind::OldSheet,
            _ => Kind::Json,
        }
    }
}

/// Reads an application file; the format follows the extension (`.csv` is
/// CSV, `.xlsx` a workbook's first sheet, anything else JSON). Directions
/// are resolved against `catalog`; unresolved ones are kept for the
/// eligibility screen to report.
pub fn read_applications(path: &Path, catalog: &Catalog, enc: Encoding) -> Result<Parsed> {
    let bytes = read(path, &limits::APPLICATIONS)?;
    parse_kind(path, bytes, Kind::of(path), catalog, enc, false)
}

/// Parses application bytes already in memory; `path` names them in errors.
pub fn parse_applications(
    path: &Path,
    bytes: &[u8],
    is_csv: bool,
    catalog: &Catalog,
    enc: Encoding,
) -> Result<Parsed> {
    let kind = if is_csv { Kind::Csv } else { Kind::Json };
    parse_kind(path, bytes.to_vec(), kind, catalog, enc, false)
}

fn parse_kind(
    path: &Path,
    bytes: Vec<u8>,
    kind: Kind,
    catalog: &Catalog,
    enc: Encoding,
    strict: bool,
) -> Result<Parsed> {
    match kind {
        Kind::Csv => {
            let (text, read_as) = decode_named(path, &bytes, enc)?;
            if text.contains('\0') {
                let line = text[..text.find('\0').unwrap_or(0)].matches('\n').count() + 1;
                bail!(tr!(
                    format!("{}：第 {line} 行：文件中有 NUL 字符", path.display()),
                    format!("{}: line {line}: NUL character in the file", path.display())
                ));
            }
            let t = table::from_csv(path, &text)?;
            let mut parsed = table::applications(path, &t, catalog, strict)?;
            parsed.read_as = read_as;
            Ok(parsed)
        }
        Kind::Xlsx => {
            let (t, sheet) = table::from_xlsx(path, bytes)?;
            let mut parsed = table::applications(path, &t, catalog, strict)?;
            parsed.read_as = ReadAs::Xlsx { sheet };
            Ok(parsed)
        }
        Kind::OldSheet => bail!(tr!(
            format!(
                "{}：panelist 读 .xlsx 和 .csv；请在 Excel 或 WPS 中“另存为” .xlsx 工作簿后再试",
                path.display()
            ),
            format!(
                "{}: panelist reads .xlsx and .csv; save the sheet as an .xlsx workbook in Excel or WPS (Save As) and try again",
                path.display()
            )
        )),
        Kind::Json => {
            let text = std::str::from_utf8(strip_bom(&bytes)).map_err(|e| {
                anyhow!(tr!(
                    format!(
                        "{}：不是 UTF-8 文本（第 {} 字节）",
                        path.display(),
                        e.valid_up_to()
                    ),
                    format!("{}: not UTF-8 (byte {})", path.display(), e.valid_up_to())
                ))
            })?;
            parse_json(path, text, catalog)
        }
    }
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)
}

/// Decodes CSV bytes to text.
pub fn decode(path: &Path, bytes: &[u8], enc: Encoding) -> Result<String> {
    decode_named(path, bytes, enc).map(|(t, _)| t)
}

/// Decodes CSV bytes to text, and says which encoding it was.
pub fn decode_named(path: &Path, bytes: &[u8], enc: Encoding) -> Result<(String, ReadAs)> {
    let p = path.display();
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    let utf8 = |b: &[u8]| {
        std::str::from_utf8(b)
            .map(|s| {
                (
                    s.to_string(),
                    ReadAs::Csv {
                        gb18030: false,
                        bom,
                    },
                )
            })
            .map_err(|e| {
                anyhow!(tr!(
                    format!(
                        "{p}：第 {} 字节起不是有效的 UTF-8（可试 --encoding gb18030）",
                        e.valid_up_to()
                    ),
                    format!(
                        "{p}: not valid UTF-8 at byte {} (try --encoding gb18030)",
                        e.valid_up_to()
                    )
                ))
            })
    };
    let gb = |b: &[u8]| {
        let (s, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(b);
        if had_errors {
            Err(anyhow!(tr!(
                format!("{p}：既不是 UTF-8 也不是 GB18030 文本（有无效字节序列）"),
                format!("{p}: neither UTF-8 nor GB18030 text (bad byte sequence)")
            )))
        } else {
            Ok((
                s.into_owned(),
                ReadAs::Csv {
                    gb18030: true,
                    bom: false,
                },
            ))
        }
    };
    match enc {
        Encoding::Utf8 => utf8(strip_bom(bytes)),
        Encoding::Gb18030 => gb(bytes),
        Encoding::Auto => {
            if bom {
                utf8(strip_bom(bytes))
            } else if std::str::from_utf8(bytes).is_ok() {
                utf8(bytes)
            } else {
                gb(bytes)
            }
        }
    }
}

/// The catalog's direction written `w`: its code, its exact name (zh or
/// en, as [`Catalog::resolve`] matches), its short name (物联网), a code
/// and name together (`8 物联网安全`), or a part of one name only
/// (`汽车` is not one; `联网` is two). Otherwise a message listing the
/// candidates, or the whole catalog.
pub fn resolve_direction(catalog: &Catalog, w: &str) -> std::result::Result<u32, String> {
    use crate::domain::text::normalize_name;
    let t = w.trim();
    if let Some(c) = catalog.resolve(t) {
        return Ok(c);
    }
    let folded = normalize_name(t);
    if let Some(d) = catalog
        .directions
        .iter()
        .find(|d| normalize_name(&d.short_zh) == folded || d.short_en.eq_ignore_ascii_case(t))
    {
        return Ok(d.code);
    }
    // "8 物联网安全", "8.物联网安全", "8、物联网安全"
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    if !digits.is_empty() {
        let rest = t[digits.len()..].trim_start_matches([' ', '.', '、', '．', '-', ':', '：']);
        if let (Ok(n), Some(by_name)) = (digits.parse::<u32>(), catalog.resolve(rest))
            && n == by_name
        {
            return Ok(n);
        }
    }
    let lower = t.to_lowercase();
    let part: Vec<&crate::domain::catalog::Direction> = if folded.is_empty() {
        Vec::new()
    } else {
        catalog
            .directions
            .iter()
            .filter(|d| {
                normalize_name(&d.name_zh).contains(&folded)
                    || (lower.len() >= 3 && d.name_en.to_lowercase().contains(&lower))
            })
            .collect()
    };
    let list = |ds: &[&crate::domain::catalog::Direction]| {
        ds.iter()
            .map(|d| {
                tr!(
                    format!("{} {}", d.code, d.name_zh),
                    format!("{} {}", d.code, d.name_en)
                )
            })
            .collect::<Vec<_>>()
            .join(tr!("；", "; "))
    };
    let shown = crate::domain::text::inert_line(t);
    match part.len() {
        1 => Ok(part[0].code),
        0 => {
            let all: Vec<&_> = catalog.directions.iter().collect();
            Err(tr!(
                format!(
                    "未知的试点方向“{shown}”（不在 {} 年指南中）；可填代码、全称或简称：{}",
                    catalog.call,
                    list(&all)
                ),
                format!(
                    "unknown direction '{shown}' (not in the {} catalog); give a code, a name or a short name: {}",
                    catalog.call,
                    list(&all)
                )
            ))
        }
        _ => Err(tr!(
            format!("试点方向“{shown}”不明确，可能是：{}", list(&part)),
            format!(
                "direction '{shown}' is ambiguous, it could be: {}",
                list(&part)
            )
        )),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonFile {
    #[serde(default)]
    call: Option<String>,
    #[serde(default)]
    panel: Option<String>,
    applications: Vec<JsonApp>,
    #[serde(default)]
    roster: Vec<RosterEntry>,
}

enum JsonTop {
    File(JsonFile),
    List(Vec<JsonApp>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonApp {
    id: String,
    title: String,
    #[serde(default)]
    direction: Option<serde_json::Value>,
    lead_unit: Unit,
    #[serde(default)]
    joint_units: Vec<Unit>,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    authority: String,
    #[serde(default)]
    priority: Option<u32>,
    #[serde(default)]
    province: String,
    #[serde(default)]
    sections: Sections,
    #[serde(default)]
    previously_selected: bool,
    #[serde(default)]
    national_funding: bool,
    #[serde(default = "yes")]
    built: bool,
}

fn yes() -> bool {
    true
}

/// Parses JSON application text; `path` only names it in errors.
pub fn parse_json_text(path: &Path, text: &str, catalog: &Catalog) -> Result<Parsed> {
    parse_json(path, text, catalog)
}

fn parse_json(path: &Path, text: &str, catalog: &Catalog) -> Result<Parsed> {
    let p = path.display();
    let strict = |t: &str| crate::support::jsonio::check(t).map_err(|e| anyhow!("{p}: {e}"));
    strict(text)?;
    let top = match text.trim_start().chars().next() {
        Some('{') => JsonTop::File(
            crate::support::jsonio::from_str_path(text).map_err(|e| anyhow!("{p}: {e}"))?,
        ),
        Some('[') => JsonTop::List(
            crate::support::jsonio::from_str_path(text).map_err(|e| anyhow!("{p}: {e}"))?,
        ),
        _ => bail!(tr!(
            format!("{p}：应为含 \"applications\" 的对象或项目数组"),
            format!("{p}: expected an object with \"applications\" or an array of applications")
        )),
    };
    let (call, panel, apps, roster) = match top {
        JsonTop::File(f) => (f.call, f.panel, f.applications, f.roster),
        JsonTop::List(l) => (None, None, l, Vec::new()),
    };
    let mut out = Vec::with_capacity(apps.len());
    let mut errs = Vec::new();
    for (i, a) in apps.into_iter().enumerate() {
        let n = i + 1;
        let id = crate::domain::text::inert_line(&a.id);
        let written = match &a.direction {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            Some(other) => {
                errs.push(tr!(
                    format!("{p}：第 {n} 个项目（{id}）：direction 应为方向代码或名称，而不是 {other}"),
                    format!("{p}: application #{n} ({id}): direction must be a code or a name, not {other}")
                ));
                continue;
            }
        };
        let app = Application {
            direction: written
                .as_deref()
                .and_then(|w| resolve_direction(catalog, w).ok()),
            direction_written: written,
            id: a.id,
            title: a.title,
            lead_unit: a.lead_unit,
            joint_units: a.joint_units,
            sector: a.sector,
            authority: a.authority,
            priority: a.priority,
            province: a.province,
            sections: a.sections,
            previously_selected: a.previously_selected,
            national_funding: a.national_funding,
            built: a.built,
        };
        if let Err((_, m)) = check_fields(&app) {
            errs.push(tr!(
                format!("{p}：第 {n} 个项目（{id}）：{m}"),
                format!("{p}: application #{n} ({id}): {m}")
            ));
        }
        out.push(app);
    }
    let mut seen = BTreeSet::new();
    for a in &out {
        if !seen.insert(a.id.as_str()) {
            errs.push(tr!(
                format!(
                    "{p}：项目编号“{}”出现了两次",
                    crate::domain::text::inert_line(&a.id)
                ),
                format!(
                    "{p}: application id '{}' appears twice",
                    crate::domain::text::inert_line(&a.id)
                )
            ));
        }
    }
    if !errs.is_empty() {
        return Err(FileErrors::new(errs).into());
    }
    if !roster.is_empty() {
        validate_roster(&roster).map_err(|m| {
            anyhow!(tr!(
                format!("{p}：专家名单 {m}"),
                format!("{p}: roster {m}")
            ))
        })?;
    }
    Ok(Parsed {
        call,
        panel,
        applications: out,
        roster,
        read_as: ReadAs::Json,
    })
}

/// The field checks every application passes, whatever file it came
/// from: the field at fault (when one is) and the message.
pub(crate) fn check_fields(
    a: &Application,
) -> std::result::Result<(), (Option<columns::Field>, String)> {
    use columns::Field;
    if a.id.trim().is_empty() {
        return Err((Some(Field::Id), tr!("项目编号为空", "empty id").into()));
    }
    if a.id.chars().count() > 64 || a.id.chars().any(crate::domain::text::unfit_for_id) {
        return Err((
            Some(Field::Id),
            tr!(
                "项目编号至多 64 个字符，且不能含空格、控制字符或不可见字符",
                "id must be at most 64 characters with no spaces, control or invisible characters"
            )
            .into(),
        ));
    }
    if a.title.trim().is_empty() {
        return Err((
            Some(Field::Title),
            tr!("项目名称为空", "empty title").into(),
        ));
    }
    if a.lead_unit.name.trim().is_empty() {
        return Err((
            Some(Field::LeadName),
            tr!("牵头单位没有名称", "lead unit has no name").into(),
        ));
    }
    let fields = [
        &a.title,
        &a.sector,
        &a.authority,
        &a.province,
        &a.lead_unit.name,
    ]
    .into_iter()
    .map(String::as_str)
    .chain(a.sections.iter().into_iter().map(|(_, t)| t))
    .chain(a.joint_units.iter().map(|u| u.name.as_str()));
    for f in fields {
        if f.contains('\0') {
            return Err((
                None,
                tr!("有字段含 NUL 字符", "a field contains a NUL character").into(),
            ));
        }
        if f.chars().count() > MAX_FIELD_CHARS {
            return Err((
                None,
                tr!(
                    format!("有字段超过 {MAX_FIELD_CHARS} 个字符"),
                    format!("a field is longer than {MAX_FIELD_CHARS} characters")
                ),
            ));
        }
    }
    Ok(())
}

/// The CSV columns every table must have (English keys).
pub const CSV_REQUIRED: &[&str] = &["id", "title", "direction", "lead_name", "lead_credit_code"];

pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "是" | "true" | "yes" | "y" | "1" | "√" => Some(true),
        "否" | "false" | "no" | "n" | "0" | "" | "×" => Some(false),
        _ => None,
    }
}

/// Reads a roster: a JSON array of entries, or a bundle whose roster it is.
pub fn read_roster(path: &Path) -> Result<Vec<RosterEntry>> {
    // One open: a FIFO gives its bytes once. Only a regular file can be a
    // bundle, and a bundle is read by the store.
    let f = std::fs::File::open(path)
        .map_err(|e| anyhow!("{}: cannot read: {}", path.display(), io_msg(&e)))?;
    if f.metadata().is_ok_and(|m| m.is_file()) && is_bundle_file(path) {
        let b = crate::store::Bundle::open_read(path)?;
        return Ok(b.roster()?);
    }
    let bytes = crate::support::fs::read_open(f, path, &limits::ROSTER)?;
    parse_roster(path, &bytes)
}

/// Parses roster JSON bytes; `path` names them in errors.
pub fn parse_roster(path: &Path, bytes: &[u8]) -> Result<Vec<RosterEntry>> {
    let p = path.display();
    let text = std::str::from_utf8(strip_bom(bytes))
        .map_err(|e| anyhow!("{p}: not UTF-8 (byte {})", e.valid_up_to()))?;
    if !text.trim_start().starts_with('[') {
        bail!("{p}: a roster is a JSON array of entries");
    }
    let roster: Vec<RosterEntry> =
        crate::support::jsonio::from_str_closed(text).map_err(|e| anyhow!("{p}: {e}"))?;
    validate_roster(&roster).map_err(|m| anyhow!("{p}: {m}"))?;
    Ok(roster)
}

/// Reads a custom catalog (TOML or JSON by extension).
pub fn read_catalog(path: &Path) -> Result<Catalog> {
    let c: Catalog = read_data(path)?;
    c.validate()
        .map_err(|m| anyhow!("{}: {m}", path.display()))?;
    Ok(c)
}

/// Reads a custom rubric (TOML or JSON by extension).
pub fn read_rubric(path: &Path) -> Result<Rubric> {
    let r: Rubric = read_data(path)?;
    r.validate()
        .map_err(|m| anyhow!("{}: {m}", path.display()))?;
    Ok(r)
}

fn read_data<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let bytes = read(path, &limits::CATALOG)?;
    let p = path.display();
    let text = std::str::from_utf8(strip_bom(&bytes))
        .map_err(|e| anyhow!("{p}: not UTF-8 (byte {})", e.valid_up_to()))?;
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        crate::support::jsonio::from_str_strict(text).map_err(|e| anyhow!("{p}: {e}"))
    } else {
        toml::from_str(text).map_err(|e| {
            let msg = e.message().to_string();
            match e.span() {
                Some(s) => {
                    let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                    anyhow!("{p}: line {line}: {msg}")
                }
                None => anyhow!("{p}: {msg}"),
            }
        })
    }
}

/// The catalog for an application file: a custom `catalog` file, else the
/// shipped catalog of `call`, else of the call the file declares
/// (`file_call`), else 2023's.
pub fn choose_catalog(
    call: Option<&str>,
    catalog: Option<&Path>,
    file_call: Option<&str>,
) -> Result<Catalog> {
    use crate::domain::catalog::shipped_catalog;
    match (catalog, call) {
        (Some(p), _) => read_catalog(p),
        (None, Some(c)) => shipped_catalog(c).map_err(|m| anyhow!("--call: {m}")),
        (None, None) => shipped_catalog(file_call.unwrap_or("2023")).map_err(anyhow::Error::msg),
    }
}

/// The call a JSON file declares, read before its directions are resolved.
pub fn declared_call(input: &Path) -> Option<String> {
    if Kind::of(input) != Kind::Json {
        return None;
    }
    // Only a regular file is peeked at: a FIFO gives its bytes once, to
    // the reading that counts.
    if !std::fs::metadata(input).is_ok_and(|m| m.is_file()) {
        return None;
    }
    let bytes = read(input, &limits::APPLICATIONS).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let v: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).ok()?;
    v.get("call").and_then(|c| c.as_str()).map(str::to_string)
}

/// Whether `path` starts as an SQLite database (a bundle) does.
pub fn is_bundle_file(path: &Path) -> bool {
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    std::fs::File::open(path)
        .and_then(|mut f| {
            let mut h = [0u8; 16];
            std::io::Read::read_exact(&mut f, &mut h).map(|_| h)
        })
        .map(|h| &h == b"SQLite format 3\0")
        .unwrap_or(false)
}

/// Where the applications to screen come from, and how to read a file of
/// them.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// A bundle, or a JSON/CSV file of applications.
    pub input: &'a Path,
    /// For a file: a shipped call's catalog.
    pub call: Option<&'a str>,
    /// For a file: a custom catalog.
    pub catalog: Option<&'a Path>,
    /// For a CSV file: its encoding.
    pub encoding: Encoding,
}

/// The catalog and applications of a bundle, or of a JSON/CSV file read
/// with the catalog [`choose_catalog`] picks.
pub fn load_applications(src: &Source<'_>) -> Result<(Catalog, Vec<Application>)> {
    if is_bundle_file(src.input) {
        let b = crate::store::Bundle::open_read(src.input)?;
        let apps = b.applications()?;
        return Ok((b.catalog.clone(), apps));
    }
    let catalog = choose_catalog(src.call, src.catalog, declared_call(src.input).as_deref())?;
    let parsed = read_applications(src.input, &catalog, src.encoding)?;
    Ok((catalog, parsed.applications))
}

/// What a new bundle is built from.
#[derive(Debug, Clone, Copy)]
pub struct NewBundle<'a> {
    /// The applications: a JSON or CSV file, with its catalog choice.
    pub source: Source<'a>,
    /// The bundle file to write.
    pub output: &'a Path,
    /// A custom rubric instead of the default.
    pub rubric: Option<&'a Path>,
    /// The panel's name (default: the file's, else "CALL panel").
    pub panel: Option<&'a str>,
    /// The roster (default: the file's).
    pub roster: Option<&'a Path>,
    /// Replace `output` if it exists.
    pub force: bool,
}

/// Builds a bundle from an application file: every application must have a
/// direction of the catalog, and the file's call must be the catalog's.
/// Returns the number of applications and the new bundle's metadata.
pub fn new_bundle(req: &NewBundle<'_>, clock: &crate::support::clock::Clock) -> Result<Built> {
    use crate::domain::catalog::default_rubric;
    use crate::domain::content::Content;
    use crate::domain::text::inert_line;
    let input = req.source.input;
    let p = input.display();
    let catalog = choose_catalog(
        req.source.call,
        req.source.catalog,
        declared_call(input).as_deref(),
    )?;
    let rubric = match req.rubric {
        Some(p) => read_rubric(p)?,
        None => default_rubric().map_err(anyhow::Error::msg)?,
    };
    let bytes = read(input, &limits::APPLICATIONS)?;
    let parsed = parse_kind(
        input,
        bytes,
        Kind::of(input),
        &catalog,
        req.source.encoding,
        true,
    )?;
    if let Some(c) = &parsed.call
        && c != &catalog.call
    {
        bail!(tr!(
            format!("{p}：文件属于 {c} 年征集，但指南是 {} 年的", catalog.call),
            format!(
                "{p}: the file is for the {c} call but the catalog is {}'s",
                catalog.call
            )
        ));
    }
    // JSON keeps unresolved directions; every one is named here at once.
    let mut errs = Vec::new();
    for a in &parsed.applications {
        if a.direction.is_none() {
            let id = inert_line(&a.id);
            match a.direction_written.as_deref() {
                Some(w) => {
                    let m = resolve_direction(&catalog, w).err().unwrap_or_default();
                    errs.push(tr!(
                        format!("{p}：项目 {id}：{m}"),
                        format!("{p}: application {id}: {m}")
                    ));
                }
                None => errs.push(tr!(
                    format!("{p}：项目 {id}：没有填写试点方向"),
                    format!("{p}: application {id}: no direction")
                )),
            }
        }
    }
    if !errs.is_empty() {
        return Err(FileErrors::new(errs).into());
    }
    if parsed.applications.is_empty() {
        bail!(tr!(
            format!("{p}：没有申报项目（no applications）"),
            format!("{p}: no applications")
        ));
    }
    let roster = match req.roster {
        Some(p) => read_roster(p)?,
        None => parsed.roster.clone(),
    };
    let panel = req
        .panel
        .map(str::to_string)
        .or(parsed.panel.clone())
        .unwrap_or_else(|| {
            tr!(
                format!("{} 年评审组", catalog.call),
                format!("{} panel", catalog.call)
            )
        });
    let count = parsed.applications.len();
    let content = Content {
        catalog,
        rubric,
        applications: parsed.applications,
        roster,
    };
    let meta = crate::store::Bundle::create(req.output, &content, &panel, clock, req.force)?;
    Ok(Built {
        count,
        meta,
        read_as: parsed.read_as,
    })
}

/// A bundle just built: how many applications, its metadata, and how its
/// file was read.
#[derive(Debug, Clone)]
pub struct Built {
    pub count: usize,
    pub meta: crate::store::Meta,
    pub read_as: ReadAs,
}
