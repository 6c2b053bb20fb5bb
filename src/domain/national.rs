//! The national ranking of a call: every panel's applications ranked per
//! direction across panels, beside two per-panel normalisations (z-scores
//! and percentiles of the panels' figures), the proposed list a quota or a
//! threshold gives, and the ties at its cut. Pure and exact: figures are
//! the panels' published decimal strings read as integers of 10^-4, every
//! derived figure is computed in integers and rounded once (see the rule
//! texts, which the combined result publishes).

use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Decimal places of every figure (the merged result's too).
pub const PLACES: u32 = 4;
const SCALE: i128 = 10_000;

pub const NATIONAL_RANKING_RULE: &str = "Within each direction, the applications of every panel with a figure are ranked together by the basis, highest first, in competition ranking (1, 2, 2, 4). The raw basis is the panel's published statistic of the weighted totals under the declared rule. Equal values are ordered by the tie-break (when sme_tiebreak: a small or micro enterprise lead unit first; then the higher innovation statistic under the rule, an application without one last); those still equal share a rank.";

pub const NATIONAL_ZSCORE_RULE: &str = "zscore: per panel, over the panel's applications with a figure (s_1..s_n as integers of 10^-4, S = Σ s): d_i = n·s_i − S, D = Σ d_j²; z_i = d_i·sqrt((n − 1) / D), the sample z-score; 0 when n < 2 or D = 0. Published with 4 places: the magnitude sqrt(d_i²·(n − 1)·10^8 / D) rounded to the nearest integer, exactly halfway rounding up, with d_i's sign.";

pub const NATIONAL_PERCENTILE_RULE: &str = "percentile: per panel, over the panel's applications with a figure: 100 × (below + equal / 2) / n, where below counts the panel's figures lower than the application's and equal those equal to it (itself included); exact, published with 4 places rounded half away from zero.";

pub const NATIONAL_ROBUST_RULE: &str = "robust: the application's ranks under raw, zscore and percentile differ by at most rank_shift places.";

pub const NATIONAL_SELECTION_RULE: &str = "With a quota q for a direction: an application of rank r under the basis is selected when the applications of rank ≤ r number at most q; when those of rank < r number fewer than q but those of rank ≤ r more, the applications of rank r are a tie at the cut (status tie, never broken here). With a threshold t: selected when the basis value is at least t. Applications without a figure are unranked.";

/// Reads a published figure (`-12.3456`, exactly 4 places) as an integer
/// of 10^-4.
pub fn parse_fixed(s: &str) -> Option<i64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let (int, frac) = body.split_once('.')?;
    let ok = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !ok(int)
        || !ok(frac)
        || frac.len() != PLACES as usize
        || (int.len() > 1 && int.starts_with('0'))
    {
        return None;
    }
    let v: i64 = int.parse::<i64>().ok()?.checked_mul(10_000)? + frac.parse::<i64>().ok()?;
    if neg && v == 0 {
        return None;
    }
    Some(if neg { -v } else { v })
}

/// An integer of 10^-4 as a published figure.
pub fn fixed(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = i128::from(v).abs();
    format!("{sign}{}.{:0w$}", a / SCALE, a % SCALE, w = PLACES as usize)
}

/// Reads a threshold as the user writes it (`80`, `80.5`, `-0.25`): at
/// most 4 places.
pub fn parse_threshold(s: &str) -> Option<i64> {
    let t = s.trim();
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if frac.len() > PLACES as usize || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let padded = format!("{frac:0<4}");
    parse_fixed(&format!(
        "{}.{padded}",
        if int.is_empty() { "0" } else { int }
    ))
    .or_else(|| (int == "-0" && padded == "0000").then_some(0))
}

/// The value ranks are computed from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    Raw,
    Zscore,
    Percentile,
}

impl Basis {
    pub const ALL: [Basis; 3] = [Basis::Raw, Basis::Zscore, Basis::Percentile];

    pub fn key(self) -> &'static str {
        match self {
            Basis::Raw => "raw",
            Basis::Zscore => "zscore",
            Basis::Percentile => "percentile",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One application of one panel, as the ranking needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub panel: usize,
    pub direction: u32,
    /// The panel's statistic under the rule, in 10^-4; none when unscored.
    pub score: Option<i64>,
    /// The innovation criterion's statistic under the rule, in 10^-4.
    pub innovation: Option<i64>,
    pub sme: bool,
}

/// What gives the proposed list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Ranking only.
    None,
    /// Places per direction code.
    Quota(BTreeMap<u32, u32>),
    /// The basis value at least this (10^-4).
    Threshold(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    pub sme_tiebreak: bool,
    pub basis: Basis,
    pub rank_shift: u32,
    pub selection: Selection,
}

/// Where an application stands on the proposed list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Selected,
    /// Tied at the cut line: neither in nor out until someone decides.
    Tie,
    NotSelected,
    /// Ranked, no selection asked for.
    Ranked,
    /// No figure: not ranked.
    Unranked,
}

impl Status {
    pub fn key(self) -> &'static str {
        match self {
            Status::Selected => "selected",
            Status::Tie => "tie",
            Status::NotSelected => "not-selected",
            Status::Ranked => "ranked",
            Status::Unranked => "unranked",
        }
    }
}

/// A tie at a direction's cut line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tie {
    pub direction: u32,
    pub rank: u32,
    /// Places of the quota left for the tied applications.
    pub places_left: u32,
    /// Entry indices, in entry order.
    pub members: Vec<usize>,
}

/// The ranking's result, per entry (in entry order) and per tie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub z: Vec<Option<i64>>,
    pub percentile: Vec<Option<i64>>,
    /// Ranks under raw, zscore, percentile.
    pub ranks: Vec<Option<[u32; 3]>>,
    pub robust: Vec<bool>,
    pub status: Vec<Status>,
    pub ties: Vec<Tie>,
}

fn isqrt(n: u128) -> u128 {
    if n < 2 {
        return n;
    }
    let mut x = (n as f64).sqrt() as u128;
    while x * x > n {
        x -= 1;
    }
    while (x + 1) * (x + 1) <= n {
        x += 1;
    }
    x
}

/// The z-scores and percentiles of one panel's figures (`None` stays).
fn normalise(values: &[Option<i64>]) -> (Vec<Option<i64>>, Vec<Option<i64>>) {
    let xs: Vec<i128> = values.iter().flatten().map(|&v| i128::from(v)).collect();
    let n = xs.len() as i128;
    let s: i128 = xs.iter().sum();
    let dd: i128 = xs.iter().map(|&x| (n * x - s) * (n * x - s)).sum();
    let mut sorted = xs.clone();
    sorted.sort_unstable();
    let z = values
        .iter()
        .map(|v| {
            v.map(|x| {
                let d = n * i128::from(x) - s;
                if n < 2 || dd == 0 || d == 0 {
                    return 0;
                }
                let num = (d * d) as u128 * (n - 1) as u128 * (SCALE * SCALE) as u128;
                let den = dd as u128;
                let mut k = isqrt(num / den);
                while (2 * k + 1) * (2 * k + 1) * den <= 4 * num {
                    k += 1;
                }
                (k as i64) * d.signum() as i64
            })
        })
        .collect();
    let pct = values
        .iter()
        .map(|v| {
            v.map(|x| {
                let x = i128::from(x);
                let below = sorted.partition_point(|&y| y < x) as i128;
                let upto = sorted.partition_point(|&y| y <= x) as i128;
                // 100·(2·below + equal) / (2n), in 10^-4, half away from zero
                let num = 100 * (2 * below + (upto - below)) * SCALE;
                let den = 2 * n;
                let (q, r) = (num / den, num % den);
                (if 2 * r >= den { q + 1 } else { q }) as i64
            })
        })
        .collect();
    (z, pct)
}

/// Competition ranks of `idx` (entries of one direction) by `value`, then
/// the tie-break.
fn rank_by(
    idx: &[usize],
    entries: &[Entry],
    value: &dyn Fn(usize) -> i64,
    sme_tiebreak: bool,
) -> Vec<(usize, u32)> {
    let key = |i: usize| {
        let e = &entries[i];
        (value(i), sme_tiebreak && e.sme, e.innovation)
    };
    let cmp = |a: usize, b: usize| -> Ordering {
        let (va, sa, ia) = key(a);
        let (vb, sb, ib) = key(b);
        vb.cmp(&va).then(sb.cmp(&sa)).then(ib.cmp(&ia))
    };
    let mut order: Vec<usize> = idx.to_vec();
    order.sort_by(|&a, &b| cmp(a, b).then(a.cmp(&b)));
    let mut out = Vec::with_capacity(order.len());
    let mut rank = 0u32;
    for (k, &i) in order.iter().enumerate() {
        if k == 0 || cmp(order[k - 1], i) != Ordering::Equal {
            rank = k as u32 + 1;
        }
        out.push((i, rank));
    }
    out
}

/// Ranks every entry nationally, per direction, under each basis; flags
/// robustness; applies the selection.
pub fn rank(entries: &[Entry], p: &Params) -> Outcome {
    let n = entries.len();
    let mut z = vec![None; n];
    let mut percentile = vec![None; n];
    let mut by_panel: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        by_panel.entry(e.panel).or_default().push(i);
    }
    for idx in by_panel.values() {
        let vals: Vec<Option<i64>> = idx.iter().map(|&i| entries[i].score).collect();
        let (zs, ps) = normalise(&vals);
        for (k, &i) in idx.iter().enumerate() {
            z[i] = zs[k];
            percentile[i] = ps[k];
        }
    }
    let mut by_dir: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        if e.score.is_some() {
            by_dir.entry(e.direction).or_default().push(i);
        }
    }
    let mut ranks: Vec<Option<[u32; 3]>> = vec![None; n];
    for idx in by_dir.values() {
        for b in Basis::ALL {
            let value = |i: usize| -> i64 {
                match b {
                    Basis::Raw => entries[i].score,
                    Basis::Zscore => z[i],
                    Basis::Percentile => percentile[i],
                }
                .unwrap_or(i64::MIN)
            };
            for (i, r) in rank_by(idx, entries, &value, p.sme_tiebreak) {
                ranks[i].get_or_insert([0; 3])[b.index()] = r;
            }
        }
    }
    let robust = ranks
        .iter()
        .map(|r| {
            r.is_none_or(|r| {
                let (lo, hi) = (r.iter().min().copied(), r.iter().max().copied());
                hi.unwrap_or(0) - lo.unwrap_or(0) <= p.rank_shift
            })
        })
        .collect();
    let basis_value = |i: usize| match p.basis {
        Basis::Raw => entries[i].score,
        Basis::Zscore => z[i],
        Basis::Percentile => percentile[i],
    };
    let mut status: Vec<Status> = (0..n)
        .map(|i| {
            if ranks[i].is_none() {
                Status::Unranked
            } else {
                Status::Ranked
            }
        })
        .collect();
    let mut ties = Vec::new();
    match &p.selection {
        Selection::None => {}
        Selection::Threshold(t) => {
            for (i, s) in status.iter_mut().enumerate() {
                if *s == Status::Ranked {
                    *s = if basis_value(i).is_some_and(|v| v >= *t) {
                        Status::Selected
                    } else {
                        Status::NotSelected
                    };
                }
            }
        }
        Selection::Quota(q) => {
            for (&dir, idx) in &by_dir {
                let quota = q.get(&dir).copied().unwrap_or(0);
                let r = |i: usize| ranks[i].map_or(u32::MAX, |r| r[p.basis.index()]);
                let mut groups: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
                for &i in idx {
                    groups.entry(r(i)).or_default().push(i);
                }
                let mut before = 0u32;
                for (rank, members) in groups {
                    let size = members.len() as u32;
                    let st = if before + size <= quota {
                        Status::Selected
                    } else if before < quota {
                        ties.push(Tie {
                            direction: dir,
                            rank,
                            places_left: quota - before,
                            members: members.clone(),
                        });
                        Status::Tie
                    } else {
                        Status::NotSelected
                    };
                    for &i in &members {
                        status[i] = st;
                    }
                    before += size;
                }
            }
        }
    }
    Outcome {
        z,
        percentile,
        ranks,
        robust,
        status,
        ties,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(panel: usize, score: i64) -> Entry {
        Entry {
            panel,
            direction: 1,
            score: Some(score),
            innovation: None,
            sme: false,
        }
    }

    #[test]
    fn figures_read_and_written_exactly() {
        assert_eq!(parse_fixed("85.2500"), Some(852_500));
        assert_eq!(parse_fixed("-0.0001"), Some(-1));
        assert_eq!(parse_fixed("-0.0000"), None);
        assert_eq!(parse_fixed("85.25"), None);
        assert_eq!(parse_fixed("085.2500"), None);
        assert_eq!(fixed(-1), "-0.0001");
        assert_eq!(fixed(852_500), "85.2500");
        assert_eq!(parse_threshold("80"), Some(800_000));
        assert_eq!(parse_threshold("-0.25"), Some(-2_500));
        assert_eq!(parse_threshold("1.23456"), None);
    }

    #[test]
    fn zscores_and_percentiles_of_one_panel() {
        // 1, 2, 3: mean 2, sd 1 → z −1, 0, 1
        let (z, p) = normalise(&[Some(10_000), Some(20_000), Some(30_000), None]);
        assert_eq!(z, vec![Some(-10_000), Some(0), Some(10_000), None]);
        // below + equal/2 over 3: 0.5/3, 1.5/3, 2.5/3
        assert_eq!(p, vec![Some(166_667), Some(500_000), Some(833_333), None]);
    }

    #[test]
    fn a_tie_at_the_cut_is_reported_and_left_unbroken() {
        let entries = vec![e(0, 90_0000), e(0, 80_0000), e(1, 80_0000), e(1, 70_0000)];
        let p = Params {
            sme_tiebreak: true,
            basis: Basis::Raw,
            rank_shift: 3,
            selection: Selection::Quota(BTreeMap::from([(1, 2)])),
        };
        let o = rank(&entries, &p);
        assert_eq!(o.status[0], Status::Selected);
        assert_eq!(o.status[1], Status::Tie);
        assert_eq!(o.status[2], Status::Tie);
        assert_eq!(o.status[3], Status::NotSelected);
        assert_eq!(
            o.ties,
            vec![Tie {
                direction: 1,
                rank: 2,
                places_left: 1,
                members: vec![1, 2]
            }]
        );
    }
}
