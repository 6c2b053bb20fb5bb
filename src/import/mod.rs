//! Reading application files (JSON and CSV), rosters, and custom catalogs
//! and rubrics. Every error is one line naming the file and the place.
//!
//! CSV comes as Excel and WPS save it in China: UTF-8 with or without a
//! byte-order mark, or GB18030/GBK. The encoding is detected (a BOM, else
//! valid UTF-8, else GB18030) unless given.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Result, anyhow, bail};
use serde::Deserialize;

use crate::domain::application::validate_roster;
use crate::domain::{Application, Catalog, RosterEntry, Rubric, Sections, Unit};
use crate::support::fs::io_msg;

/// Input encodings for CSV files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Auto,
    Utf8,
    Gb18030,
}

/// What an application file holds.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The call the file says it belongs to, if it says.
    pub call: Option<String>,
    pub panel: Option<String>,
    pub applications: Vec<Application>,
    pub roster: Vec<RosterEntry>,
}

const MAX_FIELD_CHARS: usize = 200_000;

use crate::support::fs::{Limit, limits};

fn read(path: &Path, limit: &Limit) -> Result<Vec<u8>> {
    crate::support::fs::read_kind(path, limit)
}

/// Reads an application file; the format follows the extension (`.csv` is
/// CSV, anything else JSON). Directions are resolved against `catalog`;
/// unresolved ones are kept for the eligibility screen to report.
pub fn read_applications(path: &Path, catalog: &Catalog, enc: Encoding) -> Result<Parsed> {
    let bytes = read(path, &limits::APPLICATIONS)?;
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    parse_applications(path, &bytes, is_csv, catalog, enc)
}

/// Parses application bytes already in memory; `path` names them in errors.
pub fn parse_applications(
    path: &Path,
    bytes: &[u8],
    is_csv: bool,
    catalog: &Catalog,
    enc: Encoding,
) -> Result<Parsed> {
    if is_csv {
        let text = decode(path, bytes, enc)?;
        parse_csv(path, &text, catalog)
    } else {
        let text = std::str::from_utf8(strip_bom(bytes))
            .map_err(|e| anyhow!("{}: not UTF-8 (byte {})", path.display(), e.valid_up_to()))?;
        parse_json(path, text, catalog)
    }
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)
}

/// Decodes CSV bytes to text.
pub fn decode(path: &Path, bytes: &[u8], enc: Encoding) -> Result<String> {
    let p = path.display();
    let utf8 = |b: &[u8]| {
        std::str::from_utf8(b).map(str::to_string).map_err(|e| {
            anyhow!(
                "{p}: not valid UTF-8 at byte {} (try --encoding gb18030)",
                e.valid_up_to()
            )
        })
    };
    let gb = |b: &[u8]| {
        let (s, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(b);
        if had_errors {
            Err(anyhow!(
                "{p}: neither UTF-8 nor GB18030 text (bad byte sequence)"
            ))
        } else {
            Ok(s.into_owned())
        }
    };
    match enc {
        Encoding::Utf8 => utf8(strip_bom(bytes)),
        Encoding::Gb18030 => gb(bytes),
        Encoding::Auto => {
            if bytes.starts_with(b"\xEF\xBB\xBF") {
                utf8(strip_bom(bytes))
            } else if std::str::from_utf8(bytes).is_ok() {
                utf8(bytes)
            } else {
                gb(bytes)
            }
        }
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
        _ => bail!("{p}: expected an object with \"applications\" or an array of applications"),
    };
    let (call, panel, apps, roster) = match top {
        JsonTop::File(f) => (f.call, f.panel, f.applications, f.roster),
        JsonTop::List(l) => (None, None, l, Vec::new()),
    };
    let mut out = Vec::with_capacity(apps.len());
    for (i, a) in apps.into_iter().enumerate() {
        let written = match &a.direction {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            Some(other) => bail!(
                "{p}: application #{} ({}): direction must be a code or a name, not {other}",
                i + 1,
                a.id
            ),
        };
        let app = Application {
            direction: written.as_deref().and_then(|w| catalog.resolve(w)),
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
        check_fields(&app).map_err(|m| anyhow!("{p}: application #{} ({}): {m}", i + 1, app.id))?;
        out.push(app);
    }
    unique_ids(path, &out)?;
    if !roster.is_empty() {
        validate_roster(&roster).map_err(|m| anyhow!("{p}: roster {m}"))?;
    }
    Ok(Parsed {
        call,
        panel,
        applications: out,
        roster,
    })
}

fn check_fields(a: &Application) -> std::result::Result<(), String> {
    if a.id.trim().is_empty() {
        return Err("empty id".into());
    }
    if a.id.chars().count() > 64 || a.id.chars().any(crate::domain::text::unfit_for_id) {
        return Err(
            "id must be at most 64 characters with no spaces, control or invisible characters"
                .into(),
        );
    }
    if a.title.trim().is_empty() {
        return Err("empty title".into());
    }
    if a.lead_unit.name.trim().is_empty() {
        return Err("lead unit has no name".into());
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
            return Err("a field contains a NUL character".into());
        }
        if f.chars().count() > MAX_FIELD_CHARS {
            return Err(format!(
                "a field is longer than {MAX_FIELD_CHARS} characters"
            ));
        }
    }
    Ok(())
}

fn unique_ids(path: &Path, apps: &[Application]) -> Result<()> {
    let mut seen = BTreeSet::new();
    for a in apps {
        if !seen.insert(a.id.as_str()) {
            bail!(
                "{}: application id '{}' appears twice",
                path.display(),
                a.id
            );
        }
    }
    Ok(())
}

/// The CSV columns, in the order the sample file uses.
pub const CSV_REQUIRED: &[&str] = &[
    "id",
    "title",
    "direction",
    "lead_name",
    "lead_credit_code",
    "lead_sme",
    "sector",
    "authority",
    "priority",
    "province",
    "overview",
    "technology",
    "deployment",
    "replication",
    "previously_selected",
    "national_funding",
    "built",
];

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "是" | "true" | "yes" | "y" | "1" | "√" => Some(true),
        "否" | "false" | "no" | "n" | "0" | "" | "×" => Some(false),
        _ => None,
    }
}

fn parse_csv(path: &Path, text: &str, catalog: &Catalog) -> Result<Parsed> {
    let p = path.display();
    if text.contains('\0') {
        let line = text[..text.find('\0').unwrap_or(0)].matches('\n').count() + 1;
        bail!("{p}: line {line}: NUL character in the file");
    }
    let mut rd = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rd
        .headers()
        .map_err(|e| anyhow!("{p}: header row: {e}"))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let col: BTreeMap<&str, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), i))
        .collect();
    let missing: Vec<&str> = CSV_REQUIRED
        .iter()
        .copied()
        .filter(|c| !col.contains_key(c))
        .collect();
    if !missing.is_empty() {
        bail!("{p}: missing columns: {}", missing.join(", "));
    }
    // Joint units: joint1_name, joint1_credit_code, joint1_sme, joint2_…
    let mut joints = Vec::new();
    for k in 1.. {
        let name = format!("joint{k}_name");
        match col.get(name.as_str()) {
            Some(&ni) => joints.push((
                ni,
                col.get(format!("joint{k}_credit_code").as_str()).copied(),
                col.get(format!("joint{k}_sme").as_str()).copied(),
            )),
            None => break,
        }
    }
    let mut out = Vec::new();
    for (n, rec) in rd.records().enumerate() {
        let row = n + 2;
        let rec = rec.map_err(|e| anyhow!("{p}: row {row}: {e}"))?;
        let get = |c: &str| rec.get(col[c]).unwrap_or("").to_string();
        let flag = |c: &str| {
            parse_bool(&get(c)).ok_or_else(|| {
                anyhow!(
                    "{p}: row {row}: column '{c}' must be 是/否 (yes/no), not '{}'",
                    get(c)
                )
            })
        };
        let mut joint_units = Vec::new();
        for (ni, ci, si) in &joints {
            let name = rec.get(*ni).unwrap_or("").trim().to_string();
            if name.is_empty() {
                continue;
            }
            let sme_s = si.and_then(|i| rec.get(i)).unwrap_or("");
            joint_units.push(Unit {
                name,
                credit_code: ci.and_then(|i| rec.get(i)).unwrap_or("").trim().to_string(),
                sme: parse_bool(sme_s).ok_or_else(|| {
                    anyhow!("{p}: row {row}: joint unit SME flag must be 是/否, not '{sme_s}'")
                })?,
            });
        }
        let pr = get("priority");
        let priority = if pr.trim().is_empty() {
            None
        } else {
            Some(pr.trim().parse::<u32>().map_err(|_| {
                anyhow!("{p}: row {row}: column 'priority' must be a whole number, not '{pr}'")
            })?)
        };
        let written = get("direction").trim().to_string();
        let app = Application {
            id: get("id").trim().to_string(),
            title: get("title").trim().to_string(),
            direction: if written.is_empty() {
                None
            } else {
                catalog.resolve(&written)
            },
            direction_written: if written.is_empty() {
                None
            } else {
                Some(written)
            },
            lead_unit: Unit {
                name: get("lead_name").trim().to_string(),
                credit_code: get("lead_credit_code").trim().to_string(),
                sme: flag("lead_sme")?,
            },
            joint_units,
            sector: get("sector").trim().to_string(),
            authority: get("authority").trim().to_string(),
            priority,
            province: get("province").trim().to_string(),
            sections: Sections {
                overview: get("overview"),
                technology: get("technology"),
                deployment: get("deployment"),
                replication: get("replication"),
            },
            previously_selected: flag("previously_selected")?,
            national_funding: flag("national_funding")?,
            built: flag("built")?,
        };
        check_fields(&app).map_err(|m| anyhow!("{p}: row {row} ({}): {m}", app.id))?;
        out.push(app);
    }
    unique_ids(path, &out)?;
    Ok(Parsed {
        call: None,
        panel: None,
        applications: out,
        roster: Vec::new(),
    })
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
    if input
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
    {
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
pub fn new_bundle(
    req: &NewBundle<'_>,
    clock: &crate::support::clock::Clock,
) -> Result<(usize, crate::store::Meta)> {
    use crate::domain::catalog::default_rubric;
    use crate::domain::content::Content;
    use crate::domain::text::inert_line;
    let input = req.source.input;
    let catalog = choose_catalog(
        req.source.call,
        req.source.catalog,
        declared_call(input).as_deref(),
    )?;
    let rubric = match req.rubric {
        Some(p) => read_rubric(p)?,
        None => default_rubric().map_err(anyhow::Error::msg)?,
    };
    let parsed = read_applications(input, &catalog, req.source.encoding)?;
    if let Some(c) = &parsed.call
        && c != &catalog.call
    {
        bail!(
            "{}: the file is for the {c} call but the catalog is {}'s",
            input.display(),
            catalog.call
        );
    }
    for a in &parsed.applications {
        if a.direction.is_none() {
            let what = a.direction_written.as_deref().map(inert_line);
            match what {
                Some(w) => bail!(
                    "{}: application {}: unknown direction '{w}' (not in the {} catalog)",
                    input.display(),
                    inert_line(&a.id),
                    catalog.call
                ),
                None => bail!(
                    "{}: application {}: no direction",
                    input.display(),
                    inert_line(&a.id)
                ),
            }
        }
    }
    if parsed.applications.is_empty() {
        bail!("{}: no applications", input.display());
    }
    let roster = match req.roster {
        Some(p) => read_roster(p)?,
        None => parsed.roster.clone(),
    };
    let panel = req
        .panel
        .map(str::to_string)
        .or(parsed.panel.clone())
        .unwrap_or_else(|| format!("{} panel", catalog.call));
    let n = parsed.applications.len();
    let content = Content {
        catalog,
        rubric,
        applications: parsed.applications,
        roster,
    };
    let meta = crate::store::Bundle::create(req.output, &content, &panel, clock, req.force)?;
    Ok((n, meta))
}
