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
use crate::domain::history::jcs_str;
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

    /// About the bytes [`Marks::write`] writes for `row` (exact unless
    /// a string needs escapes), to size the payload's buffer once.
    pub fn size(&self, row: usize) -> usize {
        let keys: usize = self.keys.iter().map(|(_, k)| k.len() + 8).sum();
        self.of(row)
            .map(|m| m.comment.len() + m.expert.len() + keys + 80)
            .sum()
    }
}

/// An integer as JCS writes it (verified scores and totals are far below
/// 2^53).
fn push_int(out: &mut Vec<u8>, v: i64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut m = v.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    if v < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[i..]);
}

/// The payload's canonical JSON with the marks written in: the payload's
/// own members by the typed JCS writer (its applications' `by_expert`
/// empty), each application's marks in place of its empty array. The
/// bytes go into `out` after what it holds.
pub fn write_payload(
    payload: &MergedPayload,
    marks: &Marks,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let shell = MergedPayload {
        applications: Vec::new(),
        ..payload.clone()
    };
    let head = jcs(&shell)?;
    drop(shell);
    let apps: Vec<Vec<u8>> = payload
        .applications
        .iter()
        .map(jcs)
        .collect::<Result<_, _>>()?;
    let size = head.len()
        + apps.iter().map(|a| a.len() + 1).sum::<usize>()
        + (0..apps.len()).map(|r| marks.size(r)).sum::<usize>();
    out.reserve(size);
    let (before, after) = split_at_empty(&head, b",\"applications\":[]")?;
    out.extend_from_slice(before);
    for (row, a) in apps.iter().enumerate() {
        if row > 0 {
            out.push(b',');
        }
        // An application's own `by_expert` comes second, after its
        // `authority` (a string, which cannot hold `,"`).
        let (x, y) = split_at_empty(a, b",\"by_expert\":[]")?;
        out.extend_from_slice(x);
        marks.write(row, out);
        out.extend_from_slice(y);
    }
    out.extend_from_slice(after);
    Ok(())
}

/// `bytes` split inside the first `,"name":[]` (after its `[`): written
/// JCS, `,"` never occurs inside a string (a quote there is escaped), so
/// the first is the member's.
fn split_at_empty<'a>(bytes: &'a [u8], member: &[u8]) -> Result<(&'a [u8], &'a [u8]), String> {
    let at = memchr::memmem::find(bytes, member)
        .ok_or_else(|| "the payload's writer left out an array of marks".to_string())?;
    let cut = at + member.len() - 1;
    Ok((&bytes[..cut], &bytes[cut..]))
}

fn jcs<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, String> {
    crate::crypto::jcs::to_vec(v).map_err(|e| e.to_string())
}
