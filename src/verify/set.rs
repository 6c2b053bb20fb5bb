//! The merged result's set: the signed JSON and the CSV and XLSX written
//! with it. Each people's file carries the SHA-256 of the signed file it
//! was written with (the CSV in its last row, the XLSX in its summary
//! sheet and its document properties), so a CSV or XLSX from another
//! merge beside a signed file — a merge stopped between its renames, or
//! a file copied from elsewhere — is told apart from its own.
//!
//! `panelist verify M.json` checks the `M.csv` and `M.xlsx` it finds
//! beside a merged result (docs/formats.md §8.8).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::support::fs::limits;

/// The label of the mark: the first cell of the CSV's last row and of the
/// XLSX summary sheet's row, in the language of the file.
pub const LABEL_EN: &str = "signed file SHA-256";
pub const LABEL_ZH: &str = "已签名文件 SHA-256";
/// The XLSX document's custom property holding the same hex.
pub const XLSX_PROPERTY: &str = "panelist signed file SHA-256";

/// The mark's label in the file's language.
pub fn label(zh: bool) -> &'static str {
    if zh { LABEL_ZH } else { LABEL_EN }
}

/// Hex SHA-256 of a signed file's bytes, as the mark writes it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::domain::history::hex(&Sha256::digest(bytes))
}

fn is_label(s: &str) -> bool {
    let s = s.trim();
    s == LABEL_EN || s == LABEL_ZH
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The mark of a CSV's bytes: its last row `LABEL,HEX,…`.
pub fn csv_mark(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    let last = text.trim_end_matches(['\r', '\n']).rsplit('\n').next()?;
    let mut cells = last.trim_end_matches('\r').split(',');
    let (l, h) = (cells.next()?, cells.next()?.trim());
    (is_label(l) && is_hex64(h)).then(|| h.to_ascii_lowercase())
}

/// The mark of an XLSX workbook: the cell right of the label in its first
/// (summary) sheet.
pub fn xlsx_mark(bytes: Vec<u8>) -> Result<Option<String>, String> {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| format!("not an XLSX workbook: {e}"))?;
    let Some(first) = wb.sheet_names().first().cloned() else {
        return Ok(None);
    };
    let range = wb
        .worksheet_range(&first)
        .map_err(|e| format!("sheet {first}: {e}"))?;
    for row in range.rows() {
        if let [l, h, ..] = row
            && is_label(&l.to_string())
        {
            let h = h.to_string();
            return Ok(is_hex64(h.trim()).then(|| h.trim().to_ascii_lowercase()));
        }
    }
    Ok(None)
}

/// What one people's file beside a signed file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It names this signed file.
    Belongs,
    /// It names another signed file (this hex).
    Other(String),
    /// It carries no mark (written by an older panelist, or edited).
    NoMark,
    /// It cannot be read (why).
    Unreadable(String),
}

/// One people's file found beside a signed file, and its verdict.
#[derive(Debug, Clone)]
pub struct Member {
    pub path: PathBuf,
    /// "CSV" or "XLSX".
    pub kind: &'static str,
    pub verdict: Verdict,
}

/// The CSV and XLSX with the stem of `signed` beside it (`M.csv`,
/// `M.xlsx` for `M.json`), and whether each belongs to `signed_bytes`.
pub fn check_beside(signed: &Path, signed_bytes: &[u8]) -> Vec<Member> {
    let want = sha256_hex(signed_bytes);
    let mut out = Vec::new();
    for (ext, kind) in [("csv", "CSV"), ("xlsx", "XLSX")] {
        let path = signed.with_extension(ext);
        if path == signed || !path.is_file() {
            continue;
        }
        let mark = match kind {
            "CSV" => crate::support::fs::read_kind(&path, &limits::PEOPLE_CSV)
                .map(|b| csv_mark(&b))
                .map_err(|e| format!("{e:#}")),
            _ => crate::support::fs::read_kind(&path, &limits::PEOPLE_XLSX)
                .map_err(|e| format!("{e:#}"))
                .and_then(xlsx_mark),
        };
        let verdict = match mark {
            Ok(Some(h)) if h == want => Verdict::Belongs,
            Ok(Some(h)) => Verdict::Other(h),
            Ok(None) => Verdict::NoMark,
            Err(m) => Verdict::Unreadable(m),
        };
        out.push(Member {
            path,
            kind,
            verdict,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_mark_is_the_last_row() {
        let h = "ab".repeat(32);
        let csv = format!("\u{feff}a,b,c\r\n1,2,3\r\n{LABEL_EN},{h},\r\n");
        assert_eq!(csv_mark(csv.as_bytes()), Some(h.clone()));
        let zh = format!("a,b\r\n{LABEL_ZH},{h}");
        assert_eq!(csv_mark(zh.as_bytes()), Some(h));
        assert_eq!(csv_mark(b"a,b\r\n1,2\r\n"), None);
    }
}
