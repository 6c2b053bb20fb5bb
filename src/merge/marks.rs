//! The experts' published marks (`by_expert` of every application), kept
//! in the verified experts' compact columns until they are written: the
//! merged payload's canonical JSON gets them written straight in, the
//! people's files read them from the columns, and only callers that want
//! the payload as values get [`ExpertMark`]s built.
//!
//! The bytes are those the typed JCS writer gives an [`ExpertMark`]:
//! members in JCS order (`comment`, `expert`, `recommend`, `scores`,
//! `total`), the scores' members in the JCS order of the rubric's keys,
//! strings escaped by the same function.

use std::collections::BTreeMap;

use crate::domain::Rubric;
use crate::domain::aggregate::{Cell, Column};
use crate::domain::history::{jcs_str, push_int};
use crate::formats::merged::{ExpertMark, MergedPayload};

/// Every verified expert's marks, by application row (bundle order).
#[derive(Debug, Clone, Default)]
pub struct Marks {
    columns: Vec<Column>,
    /// Column indices in expert id order: the order of `by_expert`.
    by_id: Vec<usize>,
    /// The rubric's criteria in JCS order: rubric index and the key as
    /// written, `"key":`.
    keys: Vec<(usize, Vec<u8>)>,
    /// The rubric's criterion keys, in rubric order.
    names: Vec<String>,
}

/// One scorer's complete entry on an application.
#[derive(Debug, Clone, Copy)]
pub struct Mark<'a> {
    pub expert: &'a str,
    pub total: i64,
    pub recommend: bool,
    pub comment: &'a str,
    col: &'a Column,
    row: usize,
}

impl Mark<'_> {
    /// The score on the criterion of rubric index `crit`.
    pub fn score(&self, crit: usize) -> i64 {
        self.col.score(self.row, crit)
    }
}

impl Marks {
    /// The marks of `columns` (one per expert) under `rubric`.
    pub fn new(columns: Vec<Column>, rubric: &Rubric) -> Marks {
        let mut by_id: Vec<usize> = (0..columns.len()).collect();
        by_id.sort_by(|&a, &b| columns[a].expert.cmp(&columns[b].expert));
        let mut keys: Vec<(usize, Vec<u8>)> = rubric
            .criteria
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut k = Vec::with_capacity(c.key.len() + 3);
                jcs_str(&mut k, &c.key);
                k.push(b':');
                (i, k)
            })
            .collect();
        // JCS orders members by the UTF-16 code units of their names.
        keys.sort_by(|a, b| {
            let (x, y) = (&rubric.criteria[a.0].key, &rubric.criteria[b.0].key);
            x.encode_utf16().cmp(y.encode_utf16())
        });
        Marks {
            columns,
            by_id,
            keys,
            names: rubric.criteria.iter().map(|c| c.key.clone()).collect(),
        }
    }

    /// The complete entries on the application of `row`, in expert id
    /// order.
    pub fn of(&self, row: usize) -> impl Iterator<Item = Mark<'_>> + '_ {
        self.by_id.iter().filter_map(move |&si| {
            let col = &self.columns[si];
            match col.cell(row) {
                Cell::Complete { total, recommend } => Some(Mark {
                    expert: &col.expert,
                    total,
                    recommend,
                    comment: col.comment(row),
                    col,
                    row,
                }),
                _ => None,
            }
        })
    }

    /// The marks of `row` as the payload's values.
    pub fn expert_marks(&self, row: usize) -> Vec<ExpertMark> {
        self.of(row)
            .map(|m| ExpertMark {
                expert: m.expert.to_string(),
                scores: self
                    .names
                    .iter()
                    .enumerate()
                    .map(|(ci, k)| (k.clone(), m.score(ci)))
                    .collect::<BTreeMap<String, i64>>(),
                total: m.total,
                recommend: m.recommend,
                comment: m.comment.to_string(),
            })
            .collect()
    }

    /// Fills every application's `by_expert` of `payload` (in bundle
    /// order, as the columns' rows).
    pub fn fill(&self, payload: &mut MergedPayload) {
        for (row, a) in payload.applications.iter_mut().enumerate() {
            a.by_expert = self.expert_marks(row);
        }
    }

    /// Writes the members of `row`'s `by_expert` array (no brackets).
    pub fn write(&self, row: usize, out: &mut Vec<u8>) {
        for (i, m) in self.of(row).enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"comment\":");
            jcs_str(out, m.comment);
            out.extend_from_slice(b",\"expert\":");
            jcs_str(out, m.expert);
            out.extend_from_slice(if m.recommend {
                b",\"recommend\":true,\"scores\":{"
            } else {
                b",\"recommend\":false,\"scores\":{"
            });
            for (j, (ci, key)) in self.keys.iter().enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(key);
                push_int(out, m.score(*ci));
            }
            out.extend_from_slice(b"},\"total\":");
            push_int(out, m.total);
            out.push(b'}');
        }
    }

    /// The bytes [`Marks::write`] writes for `row`, to size the payload's
    /// buffer once (a buffer of a hundred megabytes that grows is copied).
    pub fn size(&self, row: usize) -> usize {
        let keys: usize = self.keys.iter().map(|(_, k)| k.len()).sum::<usize>() + self.keys.len();
        let mut n = 0;
        for (i, m) in self.of(row).enumerate() {
            // {"comment":…,"expert":…,"recommend":…,"scores":{…},"total":…}
            n += usize::from(i > 0) + 11 + jcs_len(m.comment) + 10 + jcs_len(m.expert);
            n += if m.recommend { 28 } else { 29 };
            n += keys.saturating_sub(1) + 10 + int_len(m.total) + 1;
            n += self
                .keys
                .iter()
                .map(|(ci, _)| int_len(m.score(*ci)))
                .sum::<usize>();
        }
        n
    }
}

/// The length of a string as `jcs_str` writes it.
fn jcs_len(s: &str) -> usize {
    s.bytes()
        .map(|b| match b {
            b'"' | b'\\' | 0x08 | b'\t' | b'\n' | 0x0C | b'\r' => 2,
            0x00..=0x1F => 6,
            _ => 1,
        })
        .sum::<usize>()
        + 2
}

/// The length of an integer as [`push_int`] writes it.
fn int_len(v: i64) -> usize {
    let mut m = v.unsigned_abs();
    let mut n = usize::from(v < 0) + 1;
    while m >= 10 {
        m /= 10;
        n += 1;
    }
    n
}

/// The payload's canonical JSON with the marks written in: the payload
/// by the typed JCS writer, its applications' `by_expert` empty (a few
/// megabytes), then each empty array filled with its application's marks.
/// The bytes go into `out` after what it holds.
pub fn write_payload(
    payload: &MergedPayload,
    marks: &Marks,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let pieces = Pieces::of(payload, marks)?;
    out.reserve(pieces.size());
    pieces.each(&mut |piece| out.extend_from_slice(piece))
}

/// A merged payload's canonical bytes as pieces: the payload's own JCS
/// bytes without marks, and each application's marks written into its
/// empty `by_expert` array as they are given out — so the bytes can be
/// signed and written without being held whole.
pub struct Pieces<'a> {
    bare: Vec<u8>,
    rows: usize,
    marks: &'a Marks,
}

impl<'a> Pieces<'a> {
    pub fn of(payload: &MergedPayload, marks: &'a Marks) -> Result<Pieces<'a>, String> {
        if payload.applications.iter().any(|a| !a.by_expert.is_empty()) {
            return Err("the payload's applications already carry marks".into());
        }
        Ok(Pieces {
            bare: crate::crypto::jcs::to_vec(payload).map_err(|e| e.to_string())?,
            rows: payload.applications.len(),
            marks,
        })
    }

    /// The payload's length in bytes.
    pub fn size(&self) -> usize {
        self.bare.len() + (0..self.rows).map(|r| self.marks.size(r)).sum::<usize>()
    }

    /// Gives the payload's bytes, in order, to `sink`.
    pub fn each(&self, sink: &mut dyn FnMut(&[u8])) -> Result<(), String> {
        // Only applications have a `by_expert` member, and `,"` never occurs
        // inside a string written JCS (a quote there is escaped): the arrays
        // found are the applications', in order.
        const EMPTY: &[u8] = b",\"by_expert\":[]";
        let mut rest = &self.bare[..];
        let mut row_bytes = Vec::new();
        for row in 0..self.rows {
            let at = memchr::memmem::find(rest, EMPTY)
                .ok_or_else(|| "the payload's writer left out an array of marks".to_string())?;
            let cut = at + EMPTY.len() - 1;
            sink(&rest[..cut]);
            row_bytes.clear();
            self.marks.write(row, &mut row_bytes);
            sink(&row_bytes);
            rest = &rest[cut..];
        }
        if memchr::memmem::find(rest, EMPTY).is_some() {
            return Err("the payload has more arrays of marks than applications".into());
        }
        sink(rest);
        Ok(())
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::history::Entry;

    #[test]
    fn size_is_what_write_writes() {
        let rubric = crate::domain::catalog::default_rubric().expect("rubric");
        let comments = [
            "评审意见".repeat(20),
            "quote \" back\\ tab\t nl\n bell\u{7} nul\u{0} 终".repeat(10),
        ];
        let columns: Vec<Column> = (0..3)
            .map(|x| {
                let mut col = Column::new(format!("E{x}"), 2, &rubric, 0);
                for (row, c) in comments.iter().enumerate() {
                    let e = Entry {
                        scores: rubric
                            .criteria
                            .iter()
                            .map(|k| (k.key.clone(), k.max - x))
                            .collect(),
                        comment: c.clone(),
                        recommend: Some(x % 2 == 0),
                        ..Entry::default()
                    };
                    col.set(row, "A", &e, &rubric);
                }
                col.finish()
            })
            .collect();
        let marks = Marks::new(columns, &rubric);
        for row in 0..2 {
            assert_eq!(marks.of(row).count(), 3, "every entry complete");
            let mut out = Vec::new();
            marks.write(row, &mut out);
            assert_eq!(out.len(), marks.size(row), "row {row}");
            // The same bytes as the typed writer gives the marks.
            let typed = crate::crypto::jcs::to_vec(&marks.expert_marks(row)).expect("jcs");
            assert_eq!(&typed[1..typed.len() - 1], &out[..]);
        }
    }
}
