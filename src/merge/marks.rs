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

/// The row of an application with no entries.
static EMPTY_ROW: Row = Row {
    entries: Vec::new(),
    scores: Vec::new(),
    text: String::new(),
};
use crate::domain::history::{jcs_str, push_int};
use crate::formats::merged::{ExpertMark, MergedPayload};

/// Every verified expert's marks, by application row (bundle order).
///
/// Kept row by row, each row's entries in expert id order with their
/// comments side by side: every writer (the payload, the CSV, the XLSX's
/// sheets) reads them an application at a time, and reading hundreds of
/// experts' columns at once for each application would fetch each entry
/// from a different place in memory, again for every writer.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    /// The experts' ids, in id order (what an entry's `expert` indexes).
    experts: Vec<String>,
    rows: Vec<Row>,
    /// Criteria per entry.
    n_crit: usize,
    /// The rubric's criteria in JCS order: rubric index and the key as
    /// written, `"key":`.
    keys: Vec<(usize, Vec<u8>)>,
    /// The rubric's criterion keys, in rubric order.
    names: Vec<String>,
}

/// One application's complete entries, in expert id order.
#[derive(Debug, Clone, Default)]
struct Row {
    entries: Vec<Stored>,
    /// Per entry and criterion (rubric order): the score.
    scores: Vec<i32>,
    /// The entries' comments one after another.
    text: String,
}

/// One complete entry of a row.
#[derive(Debug, Clone, Copy)]
struct Stored {
    /// Index into [`Marks::experts`].
    expert: u32,
    recommend: bool,
    total: i64,
    /// Where the entry's comment ends in its row's text (it starts where
    /// the previous entry's ends).
    end: usize,
}

/// One scorer's complete entry on an application.
#[derive(Debug, Clone, Copy)]
pub struct Mark<'a> {
    pub expert: &'a str,
    pub total: i64,
    pub recommend: bool,
    pub comment: &'a str,
    /// Scores in rubric order.
    scores: &'a [i32],
}

impl Mark<'_> {
    /// The score on the criterion of rubric index `crit`.
    pub fn score(&self, crit: usize) -> i64 {
        self.scores[crit] as i64
    }
}

impl Marks {
    /// The marks of `columns` (one per expert, each `rows` long) under
    /// `rubric`.
    pub fn new(columns: &[Column], rubric: &Rubric) -> Marks {
        let n_crit = rubric.criteria.len();
        let mut columns: Vec<&Column> = columns.iter().collect();
        columns.sort_by(|a, b| a.expert.cmp(&b.expert));
        let n_rows = columns.iter().map(|c| c.rows()).max().unwrap_or(0);
        // Sized first, so that no row grows (and is copied) as it fills.
        let mut sizes = vec![(0usize, 0usize); n_rows];
        for col in &columns {
            for (row, size) in sizes.iter_mut().enumerate().take(col.rows()) {
                if let Cell::Complete { .. } = col.cell(row) {
                    size.0 += 1;
                    size.1 += col.comment(row).len();
                }
            }
        }
        let mut rows: Vec<Row> = sizes
            .iter()
            .map(|&(n, text)| Row {
                entries: Vec::with_capacity(n),
                scores: Vec::with_capacity(n * n_crit),
                text: String::with_capacity(text),
            })
            .collect();
        let mut experts = Vec::with_capacity(columns.len());
        for (k, col) in columns.into_iter().enumerate() {
            for (row, r) in rows.iter_mut().enumerate().take(col.rows()) {
                if let Cell::Complete { total, recommend } = col.cell(row) {
                    r.text.push_str(col.comment(row));
                    r.scores
                        .extend((0..n_crit).map(|ci| col.score(row, ci) as i32));
                    r.entries.push(Stored {
                        expert: k as u32,
                        recommend,
                        total,
                        end: r.text.len(),
                    });
                }
            }
            experts.push(col.expert.clone());
        }
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
            experts,
            rows,
            n_crit,
            keys,
            names: rubric.criteria.iter().map(|c| c.key.clone()).collect(),
        }
    }

    /// The complete entries on the application of `row`, in expert id
    /// order.
    pub fn of(&self, row: usize) -> impl Iterator<Item = Mark<'_>> + '_ {
        let r = self.rows.get(row).unwrap_or(&EMPTY_ROW);
        let mut start = 0;
        r.entries.iter().enumerate().map(move |(i, e)| {
            // Every range is a comment's, as `new` pushed it.
            let comment = r.text.get(start..e.end).unwrap_or_default();
            start = e.end;
            Mark {
                expert: &self.experts[e.expert as usize],
                total: e.total,
                recommend: e.recommend,
                comment,
                scores: &r.scores[i * self.n_crit..(i + 1) * self.n_crit],
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
    fn rows_hold_each_complete_entry_in_expert_id_order() {
        let rubric = crate::domain::catalog::default_rubric().expect("rubric");
        // Experts given out of order; each leaves some rows empty or
        // recused, and writes a comment of its own on each row.
        let ids = ["E3", "E10", "E1", "E2"];
        let entry = |x: usize, row: usize| -> Option<Entry> {
            match (x + row) % 4 {
                0 => None,
                1 => Some(Entry {
                    recused: true,
                    ..Entry::default()
                }),
                _ => Some(Entry {
                    scores: rubric
                        .criteria
                        .iter()
                        .enumerate()
                        .map(|(ci, k)| (k.key.clone(), (x + row + ci) as i64 % k.max))
                        .collect(),
                    comment: format!("{}：第{row}行 é\u{301}", ids[x]),
                    recommend: Some(row.is_multiple_of(2)),
                    ..Entry::default()
                }),
            }
        };
        let rows = 7;
        let columns: Vec<Column> = ids
            .iter()
            .enumerate()
            .map(|(x, id)| {
                let mut col = Column::new(id.to_string(), rows, &rubric, 0);
                for row in 0..rows {
                    if let Some(e) = entry(x, row) {
                        col.set(row, "A", &e, &rubric);
                    }
                }
                col.finish()
            })
            .collect();
        let marks = Marks::new(&columns, &rubric);
        for row in 0..rows {
            let mut want: Vec<&Column> = columns
                .iter()
                .filter(|c| matches!(c.cell(row), Cell::Complete { .. }))
                .collect();
            want.sort_by(|a, b| a.expert.cmp(&b.expert));
            let got: Vec<Mark> = marks.of(row).collect();
            assert_eq!(got.len(), want.len(), "row {row}");
            for (m, c) in got.iter().zip(want) {
                assert_eq!(m.expert, c.expert);
                assert_eq!(m.comment, c.comment(row));
                let Cell::Complete { total, recommend } = c.cell(row) else {
                    unreachable!()
                };
                assert_eq!((m.total, m.recommend), (total, recommend));
                for ci in 0..rubric.criteria.len() {
                    assert_eq!(m.score(ci), c.score(row, ci), "row {row} {}", c.expert);
                }
            }
        }
        assert_eq!(marks.of(rows).count(), 0, "a row past the end has none");
    }

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
        let marks = Marks::new(&columns, &rubric);
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
