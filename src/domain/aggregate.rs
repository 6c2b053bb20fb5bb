//! Aggregation of a panel's scores: per application, per criterion and for
//! the weighted total — n, mean, median, min, max, standard deviation and
//! the trimmed mean — plus flags, rankings per direction and panel
//! statistics. Pure: the chair's merge feeds it verified sheets.
//!
//! Arithmetic is exact. Every statistic is a rational number of integer
//! scores; it is published as a decimal string with [`PLACES`] places,
//! rounded half away from zero from the exact value. The standard deviation
//! (sample, n − 1) is the square root of an exact rational, rounded to the
//! nearest unit in the last place (a root exactly halfway rounds up) with
//! exact integer arithmetic. Another program can reproduce every figure to
//! the last digit. Only the z-score robustness rank uses floating point
//! (IEEE 754 double, see [`ZSCORE_RULE`]).
//!
//! Only complete entries count: every criterion scored, the comment long
//! enough and a recommendation given. Drafts of a partial export are left
//! out; recused experts are counted apart and never scored.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use num_bigint::BigInt;
use num_rational::BigRational;
use serde::{Deserialize, Serialize};

use super::catalog::Rubric;
use super::history::Entry;

/// Decimal places of published figures.
pub const PLACES: u32 = 4;
const SCALE: i128 = 10_000;

/// An exact rational number with a positive denominator.
#[derive(Debug, Clone, Copy)]
pub struct Q {
    pub num: i128,
    pub den: i128,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a.max(1)
}

impl Q {
    pub fn new(num: i128, den: i128) -> Q {
        let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
        let g = gcd(num, den);
        Q {
            num: num / g,
            den: den / g,
        }
    }
    pub fn int(v: i64) -> Q {
        Q {
            num: v as i128,
            den: 1,
        }
    }
    pub fn minus(self, o: Q) -> Q {
        Q::new(self.num * o.den - o.num * self.den, self.den * o.den)
    }
    /// Rounded half away from zero to `PLACES` decimals, as a string.
    pub fn fixed(self) -> String {
        let scaled = self.num * SCALE;
        let q = scaled / self.den;
        let r = scaled % self.den;
        let q = if 2 * r.abs() >= self.den {
            q + scaled.signum()
        } else {
            q
        };
        fmt_scaled(q)
    }
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

impl PartialEq for Q {
    fn eq(&self, o: &Q) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Q {}
impl PartialOrd for Q {
    fn partial_cmp(&self, o: &Q) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Q {
    fn cmp(&self, o: &Q) -> Ordering {
        (self.num * o.den).cmp(&(o.num * self.den))
    }
}

/// `r` rounded half away from zero to `PLACES` decimals, as a string (as
/// [`Q::fixed`]): for sums of many fractions, whose common denominator
/// outgrows any fixed width (the agreement of a panel of hundreds, the
/// leniency of an expert of a large one).
fn fixed_big(r: &BigRational) -> String {
    use num_bigint::Sign;
    let scaled = r.numer() * BigInt::from(SCALE);
    let den = r.denom();
    // Truncated toward zero, the remainder of the sign of `scaled`.
    let (mut q, rem) = (&scaled / den, &scaled % den);
    if rem.magnitude() * 2u32 >= *den.magnitude() {
        q += match scaled.sign() {
            Sign::Minus => -1,
            _ => 1,
        };
    }
    let digits = format!(
        "{:0>w$}",
        q.magnitude().to_string(),
        w = PLACES as usize + 1
    );
    let (int, frac) = digits.split_at(digits.len() - PLACES as usize);
    let sign = if q.sign() == Sign::Minus { "-" } else { "" };
    format!("{sign}{int}.{frac}")
}

/// The exact rational `num / den` (`den` not zero).
fn big(num: i128, den: i128) -> BigRational {
    BigRational::new(BigInt::from(num), BigInt::from(den))
}

fn fmt_scaled(q: i128) -> String {
    let sign = if q < 0 { "-" } else { "" };
    let a = q.abs();
    format!("{sign}{}.{:0w$}", a / SCALE, a % SCALE, w = PLACES as usize)
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

/// sqrt(q) rounded to the nearest 10^-PLACES, as a scaled integer.
fn sqrt_scaled(q: Q) -> i128 {
    if q.num <= 0 {
        return 0;
    }
    // m = nearest integer to sqrt(num * SCALE² / den).
    let t = (q.num as u128) * (SCALE as u128) * (SCALE as u128);
    let den = q.den as u128;
    let mut m = isqrt(t / den);
    // Round half up: m+1 when sqrt(t/den) ≥ m + 1/2, i.e. (2m+1)² den ≤ 4t.
    while (2 * m + 1) * (2 * m + 1) * den <= 4 * t {
        m += 1;
    }
    m as i128
}

/// Descriptive statistics of a set of integer values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub n: u32,
    pub mean: String,
    pub median: String,
    pub min: i64,
    pub max: i64,
    /// Sample standard deviation (n − 1); "0.0000" when n < 2.
    pub std: String,
    /// Mean without one highest and one lowest value when n ≥ the
    /// threshold, else the mean.
    pub trimmed: String,
    pub trimmed_applied: bool,
    #[serde(skip)]
    pub q_mean: Q,
    #[serde(skip)]
    pub q_median: Q,
    #[serde(skip)]
    pub q_trimmed: Q,
}

pub fn stats(values: &[i64], trim_min_n: usize) -> Option<Stats> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let n = v.len() as i128;
    let sum: i128 = v.iter().map(|&x| x as i128).sum();
    let mean = Q::new(sum, n);
    let median = if v.len() % 2 == 1 {
        Q::int(v[v.len() / 2])
    } else {
        Q::new(v[v.len() / 2 - 1] as i128 + v[v.len() / 2] as i128, 2)
    };
    let std = if v.len() < 2 {
        0
    } else {
        let sq: i128 = v.iter().map(|&x| (x as i128) * (x as i128)).sum();
        sqrt_scaled(Q::new(n * sq - sum * sum, n * (n - 1)))
    };
    let trimmed_applied = v.len() >= trim_min_n.max(3);
    let trimmed = if trimmed_applied {
        let inner = &v[1..v.len() - 1];
        Q::new(inner.iter().map(|&x| x as i128).sum(), inner.len() as i128)
    } else {
        mean
    };
    Some(Stats {
        n: v.len() as u32,
        mean: mean.fixed(),
        median: median.fixed(),
        min: v[0],
        max: v[v.len() - 1],
        std: fmt_scaled(std),
        trimmed: trimmed.fixed(),
        trimmed_applied,
        q_mean: mean,
        q_median: median,
        q_trimmed: trimmed,
    })
}

/// Which statistic ranks applications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RankRule {
    Trimmed,
    Mean,
    Median,
}

impl RankRule {
    pub fn pick(self, s: &Stats) -> Q {
        match self {
            RankRule::Trimmed => s.q_trimmed,
            RankRule::Mean => s.q_mean,
            RankRule::Median => s.q_median,
        }
    }
    pub fn key(self) -> &'static str {
        match self {
            RankRule::Trimmed => "trimmed",
            RankRule::Mean => "mean",
            RankRule::Median => "median",
        }
    }
}

/// The knobs of an aggregation; all are published with the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Params {
    pub rule: RankRule,
    /// Trim one highest and one lowest from this many scorers on.
    pub trim_min_n: u32,
    /// Fewer scorers than this is below quorum.
    pub quorum: u32,
    /// High disagreement: range of totals ≥ this percent of the total scale.
    pub disagreement_pct: u32,
    /// An expert's total this percent of the scale or more from the panel
    /// median on an application is far from the panel.
    pub outlier_pct: u32,
    /// Robustness flag: ranks under the rules differ by more than this.
    pub rank_shift: u32,
    /// The z-score rank of a direction needs every expert who scored there
    /// to have at least this many scored applications in the whole merge
    /// (their mean and standard deviation are taken over all of them).
    pub z_min_scores: u32,
    /// Prefer small and micro enterprises at equal merit (2020 call).
    pub sme_tiebreak: bool,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            rule: RankRule::Trimmed,
            trim_min_n: 5,
            quorum: 3,
            disagreement_pct: 30,
            outlier_pct: 25,
            rank_shift: 3,
            z_min_scores: 10,
            sme_tiebreak: true,
        }
    }
}

/// How figures are rounded, as published with every merged result.
pub const ROUNDING_RULE: &str = "Every figure is computed exactly as a fraction of integer scores and published as a decimal string with 4 places, rounded half away from zero. std is the sample standard deviation sqrt(Σ(x − mean)² / (n − 1)) (0 when n < 2): the square root of the exact variance rounded to the nearest 0.0001, exactly halfway rounding up. mean = Σx / n; median = the middle value, or the mean of the two middle values; trimmed = the mean without one lowest and one highest value when n ≥ trim_min_n, else the mean.";

/// How applications are ranked within a direction.
pub const RANKING_RULE: &str = "Within each direction, applications with at least one complete score are ranked by the chosen rule's statistic of the weighted totals, highest first, in competition ranking (1, 2, 2, 4). Applications with equal statistics are ordered by the declared tie-break; those still equal share a rank.";

/// How robustness ranks are computed with z-scores.
pub const ZSCORE_RULE: &str = "zscore rank: each expert's totals are normalised by that expert's mean and sample standard deviation over every application they scored (z = (t − mean) / sd, 0 when sd = 0); an application's z-total is the mean of its scorers' z; computed in IEEE 754 double precision in this order and rounded to 1e-9 before ranking. Given only in a direction where every expert who scored there has at least z_min_scores scores. rank_unstable: the ranks under mean, trimmed, median and zscore differ by more than rank_shift places.";

/// How the flags are set.
pub const FLAGS_RULE: &str = "below_quorum: fewer than quorum complete scores. high_disagreement: (max − min) × 100 ≥ disagreement_pct × (maximum total − minimum total of the rubric). all_recused: every expert of the merge recused. outliers: experts whose total t satisfies |t − median| × 100 ≥ outlier_pct × (maximum total − minimum total).";

/// The inter-rater agreement formula.
pub const AGREEMENT_RULE: &str = "Krippendorff's alpha, interval metric, per direction and criterion: units are the direction's applications, values the complete scores of the criterion; units with fewer than 2 values are left out; n = Σ m_u. D_o = (1/n) Σ_u 1/(m_u − 1) Σ_{i≠j in u} (v_i − v_j)²; D_e = 1/(n(n − 1)) Σ_{i≠j over all n values} (v_i − v_j)²; alpha = 1 − D_o / D_e, exact, rounded as every figure; null when n < 2 or D_e = 0.";

/// The declared tie-break, for the payload and the people's files.
pub fn tie_break_rule(p: &Params) -> String {
    if p.sme_tiebreak {
        "lead unit a small or micro enterprise first (同等条件下优先推荐中小微企业的项目, 2020 call), then the higher innovation (创新性) score under the rule".into()
    } else {
        "the higher innovation (创新性) score under the rule".into()
    }
}

/// One expert's verified sheet.
#[derive(Debug, Clone, Default)]
pub struct ExpertSheet {
    pub expert: String,
    pub entries: BTreeMap<String, Entry>,
}

/// What aggregation needs to know of an application.
#[derive(Debug, Clone)]
pub struct AppInfo {
    pub id: String,
    pub direction: u32,
    pub lead_sme: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flags {
    pub below_quorum: bool,
    pub high_disagreement: bool,
    pub all_recused: bool,
    /// Experts whose total is far from the panel's median here.
    pub outliers: Vec<String>,
    /// Ranks under the rules differ by more than the set number of places.
    pub rank_unstable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppResult {
    pub id: String,
    pub direction: u32,
    pub scorers: Vec<String>,
    pub recused: Vec<String>,
    /// Statistics per criterion key.
    pub criteria: BTreeMap<String, Stats>,
    /// Statistics of the weighted totals.
    pub total: Option<Stats>,
    pub recommend_yes: u32,
    pub recommend_no: u32,
    pub flags: Flags,
    /// Rank within the direction under the chosen rule (ties share a rank).
    pub rank: Option<u32>,
    /// Whether the rank needed the declared tie-break.
    pub tie_break: Option<String>,
    /// Rank under each rule, for robustness ("mean", "trimmed", "median", "zscore").
    pub ranks: BTreeMap<String, u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpertStats {
    pub expert: String,
    pub scored: u32,
    pub recused: u32,
    /// Mean weighted total given.
    pub mean_given: Option<String>,
    /// Mean of (own total − application's mean total) over the applications
    /// scored: positive is lenient, negative severe.
    pub leniency: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agreement {
    pub direction: u32,
    pub criterion: String,
    /// Krippendorff's alpha (interval metric) or None without enough data.
    pub alpha: Option<String>,
    pub pairable_values: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Aggregate {
    pub params: Params,
    pub applications: Vec<AppResult>,
    pub experts: Vec<ExpertStats>,
    pub agreement: Vec<Agreement>,
}

/// Problems that stop an aggregation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AggregateError {
    /// A recused expert's sheet still carries scores for the application.
    RecusedWithScores {
        expert: String,
        app: String,
    },
    UnknownApp {
        expert: String,
        app: String,
    },
}

impl std::fmt::Display for AggregateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AggregateError::RecusedWithScores { expert, app } => {
                write!(
                    f,
                    "expert {expert} recused from {app} but has scores for it"
                )
            }
            AggregateError::UnknownApp { expert, app } => {
                write!(
                    f,
                    "expert {expert} scored {app}, which is not in the bundle"
                )
            }
        }
    }
}

/// The criterion the tie-break compares: `innovation`, else the first.
fn innovation_key(rubric: &Rubric) -> String {
    rubric
        .criteria
        .iter()
        .find(|c| c.key == "innovation")
        .or(rubric.criteria.first())
        .map(|c| c.key.clone())
        .unwrap_or_default()
}

/// An expert's entry on one application as aggregation counts it: drafts
/// and missing entries count as none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cell {
    #[default]
    None,
    Recused,
    /// A complete entry: its weighted total and recommendation.
    Complete {
        total: i64,
        recommend: bool,
    },
}

/// One expert's verified sheet, compact: a cell per application of the
/// merge (by its row, the application's index in bundle order), and for
/// complete entries the scores by criterion index and the comment. Drafts
/// keep nothing (they never count), nor do recusals beyond the fact.
///
/// A panel of 300 experts × 1,000 applications holds 300,000 entries:
/// kept this way they are a few megabytes and the comments' text, where a
/// map of owned ids to entries with a map of scores each took hundreds.
#[derive(Debug, Clone, Default)]
pub struct Column {
    pub expert: String,
    cells: Vec<Cell>,
    n_crit: usize,
    /// Per row and criterion (rubric order): a complete entry's score.
    scores: Vec<i32>,
    /// Per row: a complete entry's comment, (start, length) in `text`.
    comments: Vec<(u32, u32)>,
    text: String,
    /// Entries aggregation refuses: the row (none for an application the
    /// merge does not know) and why.
    problems: Vec<(Option<usize>, AggregateError)>,
}

impl Column {
    /// An empty column of `rows` applications; `text` bytes of comments
    /// are reserved.
    pub fn new(expert: String, rows: usize, rubric: &Rubric, text: usize) -> Column {
        let n_crit = rubric.criteria.len();
        Column {
            expert,
            cells: vec![Cell::None; rows],
            n_crit,
            scores: vec![0; rows * n_crit],
            comments: vec![(0, 0); rows],
            text: String::with_capacity(text),
            problems: Vec::new(),
        }
    }

    /// The entry for the application at `row` (a later one for the same
    /// row replaces it).
    pub fn set(&mut self, row: usize, app: &str, e: &Entry, rubric: &Rubric) {
        if e.recused {
            if !e.scores.is_empty() {
                self.problems.push((
                    Some(row),
                    AggregateError::RecusedWithScores {
                        expert: self.expert.clone(),
                        app: app.to_string(),
                    },
                ));
            }
            self.cells[row] = Cell::Recused;
            return;
        }
        let total = if e.is_complete(rubric) {
            e.total(rubric)
        } else {
            None
        };
        let (Some(total), Some(recommend)) = (total, e.recommend) else {
            self.cells[row] = Cell::None;
            return;
        };
        self.cells[row] = Cell::Complete { total, recommend };
        for (ci, c) in rubric.criteria.iter().enumerate() {
            // Verified scores lie within the rubric's bounds (±10⁶).
            let v = e.scores.get(&c.key).copied().unwrap_or_default();
            self.scores[row * self.n_crit + ci] = i32::try_from(v).unwrap_or_default();
        }
        let start = self.text.len() as u32;
        self.text.push_str(&e.comment);
        self.comments[row] = (start, e.comment.len() as u32);
    }

    /// An entry for an application the merge does not know.
    pub fn unknown(&mut self, app: &str) {
        self.problems.push((
            None,
            AggregateError::UnknownApp {
                expert: self.expert.clone(),
                app: app.to_string(),
            },
        ));
    }

    /// Gives back the comments' unused room.
    pub fn finish(mut self) -> Column {
        self.text.shrink_to_fit();
        self.problems.shrink_to_fit();
        self
    }

    /// Every sheet's column, a cell per application of `ids` in that
    /// order.
    pub fn of_sheets<'a>(
        sheets: &[ExpertSheet],
        ids: impl ExactSizeIterator<Item = &'a str>,
        rubric: &Rubric,
    ) -> Vec<Column> {
        let rows = ids.len();
        let index: std::collections::HashMap<&str, usize> =
            ids.enumerate().map(|(i, id)| (id, i)).collect();
        sheets
            .iter()
            .map(|s| Column::of_sheet(s, rows, &|id| index.get(id).copied(), rubric))
            .collect()
    }

    /// The column of a sheet, its applications found by `row`.
    pub fn of_sheet(
        sheet: &ExpertSheet,
        rows: usize,
        row: &dyn Fn(&str) -> Option<usize>,
        rubric: &Rubric,
    ) -> Column {
        let text = sheet.entries.values().map(|e| e.comment.len()).sum();
        let mut col = Column::new(sheet.expert.clone(), rows, rubric, text);
        for (app, e) in &sheet.entries {
            match row(app) {
                Some(r) => col.set(r, app, e, rubric),
                None => col.unknown(app),
            }
        }
        col.finish()
    }

    pub fn rows(&self) -> usize {
        self.cells.len()
    }

    pub fn cell(&self, row: usize) -> Cell {
        self.cells[row]
    }

    /// The total of a complete entry.
    pub fn complete(&self, row: usize) -> Option<i64> {
        match self.cells[row] {
            Cell::Complete { total, .. } => Some(total),
            _ => None,
        }
    }

    /// A complete entry's score on the criterion of index `crit`.
    pub fn score(&self, row: usize, crit: usize) -> i64 {
        self.scores[row * self.n_crit + crit] as i64
    }

    /// A complete entry's comment (empty otherwise).
    pub fn comment(&self, row: usize) -> &str {
        let (s, n) = self.comments[row];
        self.text
            .get(s as usize..(s + n) as usize)
            .unwrap_or_default()
    }

    /// The first entry aggregation refuses among the rows `keep` admits
    /// (in application id order, as a sheet lists them).
    fn problem(&self, keep: &dyn Fn(usize) -> bool) -> Option<&AggregateError> {
        let app = |e: &AggregateError| match e {
            AggregateError::RecusedWithScores { app, .. }
            | AggregateError::UnknownApp { app, .. } => app.clone(),
        };
        self.problems
            .iter()
            .filter(|(r, _)| r.is_none_or(keep))
            .map(|(_, e)| e)
            .min_by_key(|e| app(e))
    }
}

/// Aggregates complete entries; drafts are ignored.
pub fn aggregate(
    rubric: &Rubric,
    apps: &[AppInfo],
    sheets: &[ExpertSheet],
    params: &Params,
) -> Result<Aggregate, AggregateError> {
    let columns = Column::of_sheets(sheets, apps.iter().map(|a| a.id.as_str()), rubric);
    let rows: Vec<usize> = (0..apps.len()).collect();
    aggregate_columns(rubric, apps, &rows, &columns, params)
}

/// Aggregates the complete entries of `columns` on the applications
/// `apps`, whose rows in the columns are `rows` (one each); drafts are
/// ignored. Experts' statistics and the agreement are of these
/// applications only.
pub fn aggregate_columns(
    rubric: &Rubric,
    apps: &[AppInfo],
    rows: &[usize],
    columns: &[Column],
    params: &Params,
) -> Result<Aggregate, AggregateError> {
    let mut included = vec![false; columns.first().map_or(0, Column::rows)];
    for &r in rows {
        if let Some(x) = included.get_mut(r) {
            *x = true;
        }
    }
    let keep = |r: usize| included.get(r).copied().unwrap_or(false);
    for c in columns {
        if let Some(p) = c.problem(&keep) {
            return Err(p.clone());
        }
    }
    let scale = (rubric.max_total() - rubric.min_total()).max(1) as i128;
    // The columns in expert id order: outliers are listed, and z-scores
    // summed, in that order.
    let mut by_id: Vec<usize> = (0..columns.len()).collect();
    by_id.sort_by(|&a, &b| columns[a].expert.cmp(&columns[b].expert));
    let mut results = Vec::with_capacity(apps.len());
    for (a, &row) in apps.iter().zip(rows) {
        let mut scorers = Vec::new();
        let mut recused = Vec::new();
        let mut per_crit: Vec<Vec<i64>> = vec![Vec::new(); rubric.criteria.len()];
        let mut tots = Vec::new();
        let (mut yes, mut no) = (0, 0);
        for col in columns {
            let (t, rec) = match col.cell(row) {
                Cell::None => continue,
                Cell::Recused => {
                    recused.push(col.expert.clone());
                    continue;
                }
                Cell::Complete { total, recommend } => (total, recommend),
            };
            scorers.push(col.expert.clone());
            for (ci, v) in per_crit.iter_mut().enumerate() {
                v.push(col.score(row, ci));
            }
            tots.push(t);
            if rec {
                yes += 1;
            } else {
                no += 1;
            }
        }
        let trim = params.trim_min_n as usize;
        let criteria: BTreeMap<String, Stats> = per_crit
            .iter()
            .enumerate()
            .filter_map(|(ci, v)| stats(v, trim).map(|s| (rubric.criteria[ci].key.clone(), s)))
            .collect();
        let total = stats(&tots, trim);
        let mut outliers = Vec::new();
        let mut high = false;
        if let Some(ts) = &total {
            high = ((ts.max - ts.min) as i128) * 100 >= params.disagreement_pct as i128 * scale;
            for &si in &by_id {
                let Some(t) = columns[si].complete(row) else {
                    continue;
                };
                let d = Q::int(t).minus(ts.q_median);
                // |d| * 100 >= pct * scale
                if d.num.abs() * 100 >= params.outlier_pct as i128 * scale * d.den {
                    outliers.push(columns[si].expert.clone());
                }
            }
        }
        results.push(AppResult {
            id: a.id.clone(),
            direction: a.direction,
            flags: Flags {
                below_quorum: (scorers.len() as u32) < params.quorum,
                high_disagreement: high,
                all_recused: !columns.is_empty() && recused.len() == columns.len(),
                outliers,
                rank_unstable: false,
            },
            scorers,
            recused,
            criteria,
            total,
            recommend_yes: yes,
            recommend_no: no,
            rank: None,
            tie_break: None,
            ranks: BTreeMap::new(),
        });
    }
    let panel = Panel {
        rows,
        columns,
        by_id: &by_id,
    };
    rank_all(rubric, apps, &mut results, params, &panel);
    let experts = expert_stats(&panel, &results);
    let agreement = agreement(rubric, apps, &panel);
    Ok(Aggregate {
        params: params.clone(),
        applications: results,
        experts,
        agreement,
    })
}

/// The entries an aggregation reads: application `i`'s are at row
/// `rows[i]` of every column.
struct Panel<'a> {
    rows: &'a [usize],
    columns: &'a [Column],
    /// Column indices in expert id order.
    by_id: &'a [usize],
}

impl Panel<'_> {
    /// The complete total of column `si` on application `i`.
    fn total(&self, i: usize, si: usize) -> Option<i64> {
        self.columns[si].complete(self.rows[i])
    }
}

/// Competition ranking ("1, 2, 2, 4") of `ids` by `key`, higher first.
fn competition_rank<K: Ord + Clone>(items: &[(usize, K)]) -> BTreeMap<usize, u32> {
    let mut v = items.to_vec();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out = BTreeMap::new();
    let mut rank = 0u32;
    for (i, (idx, k)) in v.iter().enumerate() {
        if i == 0 || v[i - 1].1 != *k {
            rank = i as u32 + 1;
        }
        out.insert(*idx, rank);
    }
    out
}

fn rank_all(
    rubric: &Rubric,
    apps: &[AppInfo],
    results: &mut [AppResult],
    p: &Params,
    panel: &Panel,
) {
    let dirs: BTreeSet<u32> = apps.iter().map(|a| a.direction).collect();
    let tie_crit = innovation_key(rubric);
    let z_norm = expert_norms(panel);
    for d in dirs {
        let idx: Vec<usize> = (0..results.len())
            .filter(|&i| results[i].direction == d && results[i].total.is_some())
            .collect();
        if idx.is_empty() {
            continue;
        }
        // The chosen rule, with the declared tie-break.
        let mut keyed: Vec<(usize, (Q, bool, Q))> = Vec::new();
        for &i in &idx {
            let ts = results[i]
                .total
                .as_ref()
                .map(|s| p.rule.pick(s))
                .unwrap_or(Q::int(0));
            let sme = p.sme_tiebreak && apps[i].lead_sme;
            let inn = results[i]
                .criteria
                .get(&tie_crit)
                .map(|s| p.rule.pick(s))
                .unwrap_or(Q::int(0));
            keyed.push((i, (ts, sme, inn)));
        }
        let final_rank = competition_rank(&keyed);
        for &(i, key) in &keyed {
            let v = key.0;
            let mut tied: Vec<&str> = keyed
                .iter()
                .filter(|(j, k)| *j != i && k.0 == v)
                .map(|(j, _)| results[*j].id.as_str())
                .collect();
            tied.sort_unstable();
            if !tied.is_empty() {
                let still: Vec<&str> = keyed
                    .iter()
                    .filter(|(j, k)| *j != i && *k == key)
                    .map(|(j, _)| results[*j].id.as_str())
                    .collect();
                let outcome = if still.is_empty() {
                    "broken by the tie-break".to_string()
                } else {
                    let mut still = still;
                    still.sort_unstable();
                    format!("still tied with {}, rank shared", still.join(", "))
                };
                let note = format!(
                    "tied on {} with {}; {outcome}",
                    p.rule.key(),
                    tied.join(", "),
                );
                results[i].tie_break = Some(note);
            }
            results[i].rank = final_rank.get(&i).copied();
        }
        // Robustness: ranks under every rule.
        for rule in [RankRule::Mean, RankRule::Trimmed, RankRule::Median] {
            let k: Vec<(usize, Q)> = idx
                .iter()
                .map(|&i| {
                    (
                        i,
                        results[i]
                            .total
                            .as_ref()
                            .map(|s| rule.pick(s))
                            .unwrap_or(Q::int(0)),
                    )
                })
                .collect();
            for (i, r) in competition_rank(&k) {
                results[i].ranks.insert(rule.key().to_string(), r);
            }
        }
        // z-scores when every expert scoring in this direction has enough scores.
        let here: Vec<usize> = (0..panel.columns.len())
            .filter(|&si| idx.iter().any(|&i| panel.total(i, si).is_some()))
            .collect();
        let enough = !here.is_empty()
            && here
                .iter()
                .all(|&si| z_norm[si].is_some_and(|n| n.count >= p.z_min_scores));
        if enough {
            let k: Vec<(usize, i64)> = idx
                .iter()
                .map(|&i| {
                    let z = z_total(panel, i, &z_norm);
                    // Rounded to 1e-9 so that float noise cannot split ties.
                    (i, (z * 1e9).round() as i64)
                })
                .collect();
            for (i, r) in competition_rank(&k) {
                results[i].ranks.insert("zscore".to_string(), r);
            }
        }
        for &i in &idx {
            let rs: Vec<u32> = results[i].ranks.values().copied().collect();
            if let (Some(lo), Some(hi)) = (rs.iter().min(), rs.iter().max()) {
                results[i].flags.rank_unstable = hi - lo > p.rank_shift;
            }
        }
    }
}

/// One expert's normalisation for z-scores.
#[derive(Debug, Clone, Copy)]
struct Norm {
    count: u32,
    mean: f64,
    sd: f64,
}

/// Each column's mean and sample standard deviation over all its
/// complete totals (none without any): exact rationals, converted to
/// double once.
fn expert_norms(panel: &Panel) -> Vec<Option<Norm>> {
    (0..panel.columns.len())
        .map(|si| {
            let (mut n, mut s, mut sq) = (0i128, 0i128, 0i128);
            for i in 0..panel.rows.len() {
                if let Some(t) = panel.total(i, si) {
                    let t = t as i128;
                    n += 1;
                    s += t;
                    sq += t * t;
                }
            }
            if n == 0 {
                return None;
            }
            let mean = Q::new(s, n).to_f64();
            let var = if n < 2 {
                0.0
            } else {
                Q::new(n * sq - s * s, n * (n - 1)).to_f64()
            };
            Some(Norm {
                count: n as u32,
                mean,
                sd: var.sqrt(),
            })
        })
        .collect()
}

/// The mean z-score of application `i`'s totals, experts in id order.
fn z_total(panel: &Panel, i: usize, norms: &[Option<Norm>]) -> f64 {
    let mut sum = 0.0;
    let mut n = 0.0;
    for &si in panel.by_id {
        let Some(t) = panel.total(i, si) else {
            continue;
        };
        let Some(nm) = norms[si] else {
            continue;
        };
        sum += if nm.sd > 0.0 {
            (t as f64 - nm.mean) / nm.sd
        } else {
            0.0
        };
        n += 1.0;
    }
    if n > 0.0 { sum / n } else { 0.0 }
}

fn expert_stats(panel: &Panel, results: &[AppResult]) -> Vec<ExpertStats> {
    let mean_of: Vec<Option<Q>> = results
        .iter()
        .map(|r| r.total.as_ref().map(|s| s.q_mean))
        .collect();
    panel
        .columns
        .iter()
        .enumerate()
        .map(|(si, col)| {
            let recused = panel
                .rows
                .iter()
                .filter(|&&r| col.cell(r) == Cell::Recused)
                .count() as u32;
            let (mut n, mut sum) = (0i128, 0i128);
            // Σ (t − mean_a) / n, exact: Σ t − Σ mean_a, the means summed
            // per denominator first (a panel's means share a few: their
            // counts of scorers), then those sums joined.
            let mut by_den: Vec<(i128, i128)> = Vec::new();
            for (i, mean) in mean_of.iter().enumerate().take(panel.rows.len()) {
                let (Some(t), Some(m)) = (panel.total(i, si), *mean) else {
                    continue;
                };
                n += 1;
                sum += t as i128;
                match by_den.iter_mut().find(|(d, _)| *d == m.den) {
                    Some((_, num)) => *num += m.num,
                    None => by_den.push((m.den, m.num)),
                }
            }
            let (mean_given, leniency) = if n == 0 {
                (None, None)
            } else {
                let mut acc = big(sum, 1);
                for (den, num) in by_den {
                    acc -= big(num, den);
                }
                (
                    Some(Q::new(sum, n).fixed()),
                    Some(fixed_big(&(acc / BigInt::from(n)))),
                )
            };
            ExpertStats {
                expert: col.expert.clone(),
                scored: n as u32,
                recused,
                mean_given,
                leniency,
            }
        })
        .collect()
}

/// Krippendorff's alpha, interval metric, per direction and criterion:
/// α = 1 − D_o / D_e with
/// D_o = (1/n) Σ_u 1/(m_u − 1) Σ_{i≠j in u} (v_i − v_j)² and
/// D_e = 1/(n(n − 1)) Σ_{i≠j over all pairable values} (v_i − v_j)²,
/// where units are applications, m_u the number of values in unit u
/// (units with m_u < 2 are left out) and n = Σ m_u. Exact rationals.
fn agreement(rubric: &Rubric, apps: &[AppInfo], panel: &Panel) -> Vec<Agreement> {
    let dirs: BTreeSet<u32> = apps.iter().map(|a| a.direction).collect();
    let mut out = Vec::new();
    for d in dirs {
        for (ci, c) in rubric.criteria.iter().enumerate() {
            let mut units: Vec<Vec<i64>> = Vec::new();
            for (ai, _) in apps.iter().enumerate().filter(|(_, a)| a.direction == d) {
                let row = panel.rows[ai];
                let vals: Vec<i64> = panel
                    .columns
                    .iter()
                    .filter(|col| col.complete(row).is_some())
                    .map(|col| col.score(row, ci))
                    .collect();
                if vals.len() >= 2 {
                    units.push(vals);
                }
            }
            let n: i128 = units.iter().map(|u| u.len() as i128).sum();
            let alpha = if n < 2 {
                None
            } else {
                // D_o = Σ_u S_u/(m_u − 1) / n and D_e = S/(n(n − 1)), so
                // 1 − D_o/D_e = 1 − (n − 1) Σ_u S_u/(m_u − 1) / S, exact:
                // the sum's denominator is the least common multiple of the
                // units' m_u − 1 (of hundreds of experts, far past 128 bits).
                // Units of one size are summed first.
                let mut by_size: BTreeMap<i128, i128> = BTreeMap::new();
                for u in &units {
                    *by_size.entry(u.len() as i128 - 1).or_default() += pair_sq(u);
                }
                let sum: BigRational = by_size.into_iter().map(|(m, s)| big(s, m)).sum();
                let all: Vec<i64> = units.iter().flatten().copied().collect();
                let s = pair_sq(&all);
                if s == 0 {
                    None
                } else {
                    let ratio = sum * BigInt::from(n - 1) / BigInt::from(s);
                    Some(fixed_big(&(big(1, 1) - ratio)))
                }
            };
            out.push(Agreement {
                direction: d,
                criterion: c.key.clone(),
                alpha,
                pairable_values: n as u32,
            });
        }
    }
    out
}

/// Σ over ordered pairs i≠j of (v_i − v_j)² = 2(n Σv² − (Σv)²).
fn pair_sq(v: &[i64]) -> i128 {
    let n = v.len() as i128;
    let s: i128 = v.iter().map(|&x| x as i128).sum();
    let sq: i128 = v.iter().map(|&x| (x as i128) * (x as i128)).sum();
    2 * (n * sq - s * s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_panel_s_agreement_and_leniency_are_exact() {
        // Application i is scored by the first i + 2 of 150 experts: units
        // of every size from 2 to 149, whose sum's denominator is the least
        // common multiple of 1..=148 (past 2^127), and experts whose
        // applications' means have as many denominators.
        let rubric = crate::domain::catalog::default_rubric().expect("rubric");
        let n_apps = 148;
        let apps: Vec<AppInfo> = (0..n_apps)
            .map(|i| AppInfo {
                id: format!("A{i:03}"),
                direction: 1,
                lead_sme: false,
            })
            .collect();
        let score = |x: usize, i: usize, ci: usize, max: i64| {
            ((x * 7 + i * 13 + ci * 5 + (x * i) % 11) as i64) % (max + 1)
        };
        let sheets: Vec<ExpertSheet> = (0..150)
            .map(|x| ExpertSheet {
                expert: format!("E{x:03}"),
                entries: apps
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| x < i + 2)
                    .map(|(i, a)| {
                        let scores = rubric
                            .criteria
                            .iter()
                            .enumerate()
                            .map(|(ci, c)| (c.key.clone(), score(x, i, ci, c.max)))
                            .collect();
                        let e = Entry {
                            scores,
                            recommend: Some(true),
                            comment: "评审意见".repeat(rubric.min_comment_chars as usize),
                            ..Entry::default()
                        };
                        (a.id.clone(), e)
                    })
                    .collect(),
            })
            .collect();
        let agg = aggregate(&rubric, &apps, &sheets, &Params::default()).expect("aggregate");
        // The same sums in floating point: within 1e-9 of the exact
        // figure, so the four decimals agree (none lands that near a half).
        let near = |got: &str, want: f64, what: &str| {
            let got: f64 = got.parse().expect("a decimal");
            assert!(
                (got - want).abs() <= 0.5e-4 + 1e-9,
                "{what}: {got} vs {want}"
            );
        };
        for (ci, c) in rubric.criteria.iter().enumerate() {
            let units: Vec<Vec<f64>> = (0..n_apps)
                .map(|i| (0..i + 2).map(|x| score(x, i, ci, c.max) as f64).collect())
                .collect();
            let pairs = |v: &[f64]| -> f64 {
                v.iter()
                    .map(|a| v.iter().map(|b| (a - b) * (a - b)).sum::<f64>())
                    .sum()
            };
            let n: f64 = units.iter().map(|u| u.len() as f64).sum();
            let d_o: f64 = units
                .iter()
                .map(|u| pairs(u) / (u.len() as f64 - 1.0))
                .sum::<f64>()
                / n;
            let all: Vec<f64> = units.concat();
            let d_e = pairs(&all) / (n * (n - 1.0));
            let a = agg
                .agreement
                .iter()
                .find(|a| a.criterion == c.key)
                .expect("agreement");
            near(a.alpha.as_deref().expect("alpha"), 1.0 - d_o / d_e, &c.key);
        }
        let total = |x: usize, i: usize| -> f64 {
            rubric
                .criteria
                .iter()
                .enumerate()
                .map(|(ci, c)| (score(x, i, ci, c.max) * c.weight) as f64)
                .sum()
        };
        let means: Vec<f64> = (0..n_apps)
            .map(|i| (0..i + 2).map(|x| total(x, i)).sum::<f64>() / (i + 2) as f64)
            .collect();
        for e in &agg.experts {
            let x: usize = e.expert[1..].parse().expect("id");
            let mine: Vec<usize> = (0..n_apps).filter(|i| x < i + 2).collect();
            if mine.is_empty() {
                assert_eq!(e.leniency, None, "{} scored nothing", e.expert);
                continue;
            }
            let len = mine.iter().map(|&i| total(x, i) - means[i]).sum::<f64>() / mine.len() as f64;
            near(e.leniency.as_deref().expect("leniency"), len, &e.expert);
        }
    }

    #[test]
    fn exact_and_big_rounding_agree() {
        for num in -30_001i128..=30_001 {
            for den in [1i128, 2, 3, 7, 20_000, 40_000, 99_991] {
                assert_eq!(
                    fixed_big(&big(num, den)),
                    Q::new(num, den).fixed(),
                    "{num}/{den}"
                );
            }
        }
    }

    #[test]
    fn fixed_rounds_half_away_from_zero() {
        assert_eq!(Q::new(1, 3).fixed(), "0.3333");
        assert_eq!(Q::new(2, 3).fixed(), "0.6667");
        assert_eq!(Q::new(1, 20000).fixed(), "0.0001");
        assert_eq!(Q::new(-1, 20000).fixed(), "-0.0001");
        assert_eq!(Q::new(170, 2).fixed(), "85.0000");
    }

    #[test]
    fn stats_of_five() {
        let s = stats(&[10, 20, 20, 22, 25], 5).expect("values");
        assert_eq!(s.n, 5);
        assert_eq!(s.mean, "19.4000");
        assert_eq!(s.median, "20.0000");
        assert_eq!((s.min, s.max), (10, 25));
        // (20+20+22)/3
        assert_eq!(s.trimmed, "20.6667");
        assert!(s.trimmed_applied);
        // sample sd of 10,20,20,22,25: var = 127.2 / 4 = 31.8 → sd = 5.639148...
        assert_eq!(s.std, "5.6391");
        let two = stats(&[10, 11], 5).expect("values");
        assert_eq!(two.median, "10.5000");
        assert_eq!(two.trimmed, two.mean);
        assert!(!two.trimmed_applied);
    }

    #[test]
    fn sqrt_rounds_to_nearest() {
        assert_eq!(sqrt_scaled(Q::int(2)), 14142);
        assert_eq!(sqrt_scaled(Q::int(4)), 20000);
        assert_eq!(sqrt_scaled(Q::new(1, 4)), 5000);
    }

    #[test]
    fn ranks_share_ties() {
        let r = competition_rank(&[(0, 5), (1, 7), (2, 5), (3, 1)]);
        assert_eq!(r[&1], 1);
        assert_eq!(r[&0], 2);
        assert_eq!(r[&2], 2);
        assert_eq!(r[&3], 4);
    }
}
