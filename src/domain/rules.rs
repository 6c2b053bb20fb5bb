//! The eligibility screen (形式审查) run before experts score: the rules of
//! the call's notice, each finding naming the applications involved and the
//! rule's source.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::application::Application;
use super::catalog::Catalog;
use super::credit;
use super::text::{fold_title, inert_line, normalize_name};

/// Titles at least this similar (per mille) are the same project.
pub const SAME_TITLE: u32 = 850;
/// Titles of the same lead unit at least this similar are the same project.
pub const SAME_LEAD_TITLE: u32 = 650;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    Consortium,
    UnitLimit,
    Direction,
    PreviouslySelected,
    NationalFunding,
    NotBuilt,
    MultiRoute,
    AuthorityLimit,
    HighEndLimit,
    CreditCode,
}

impl Rule {
    pub fn key(self) -> &'static str {
        match self {
            Rule::Consortium => "consortium",
            Rule::UnitLimit => "unit-limit",
            Rule::Direction => "direction",
            Rule::PreviouslySelected => "previously-selected",
            Rule::NationalFunding => "national-funding",
            Rule::NotBuilt => "not-built",
            Rule::MultiRoute => "multi-route",
            Rule::AuthorityLimit => "authority-limit",
            Rule::HighEndLimit => "high-end-limit",
            Rule::CreditCode => "credit-code",
        }
    }

    /// Section of the notice the rule comes from, when the catalog does not
    /// say otherwise (2023 and 2022 number them alike).
    fn default_section(self) -> &'static str {
        match self {
            Rule::Consortium => "二（一）",
            Rule::UnitLimit | Rule::Direction => "二（三）",
            Rule::PreviouslySelected | Rule::NationalFunding | Rule::NotBuilt => "二（四）",
            Rule::MultiRoute => "二（四）",
            Rule::AuthorityLimit | Rule::HighEndLimit => "三（二）",
            Rule::CreditCode => "二（一）; GB 32100-2015",
        }
    }
}

/// One problem found by the screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: Rule,
    pub apps: Vec<String>,
    pub message_en: String,
    pub message_zh: String,
    pub source: String,
    /// Title similarity in per mille, for multi-route findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similarity: Option<u32>,
}

impl Finding {
    pub fn message(&self, zh: bool) -> &str {
        if zh {
            &self.message_zh
        } else {
            &self.message_en
        }
    }
}

struct Ctx<'a> {
    catalog: &'a Catalog,
    out: Vec<Finding>,
}

impl Ctx<'_> {
    fn push(&mut self, rule: Rule, apps: Vec<String>, en: String, zh: String, sim: Option<u32>) {
        let section = self
            .catalog
            .sources
            .get(rule.key())
            .map(String::as_str)
            .unwrap_or_else(|| rule.default_section());
        self.out.push(Finding {
            rule,
            apps,
            message_en: en,
            message_zh: zh,
            source: format!("{} {}", self.catalog.notice, section),
            similarity: sim,
        });
    }
}

/// Groups units by normalised name and by credit code: two spellings of one
/// unit with the same code, or one name with no code, are one unit.
struct UnitIndex {
    parent: Vec<usize>,
}

impl UnitIndex {
    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[ra.max(rb)] = ra.min(rb);
        }
    }
}

/// Runs every rule. Findings come in rule order, then by application id.
pub fn check(catalog: &Catalog, apps: &[Application]) -> Vec<Finding> {
    let mut cx = Ctx {
        catalog,
        out: Vec::new(),
    };
    let mut sorted: Vec<&Application> = apps.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));

    // 1. Consortium size.
    for a in &sorted {
        let n = 1 + a.joint_units.len();
        if n > 3 {
            cx.push(
                Rule::Consortium,
                vec![a.id.clone()],
                format!("consortium has {n} units (at most 1 lead + 2 joint units)"),
                format!("联合体共 {n} 家单位（牵头单位 1 家，联合单位不超过 2 家）"),
                None,
            );
        }
    }

    // 2. A unit leads or joins at most 2 applications.
    let mut units: Vec<(usize, String, String)> = Vec::new(); // (app index, name, code)
    for (i, a) in sorted.iter().enumerate() {
        for u in a.units() {
            units.push((i, u.name.clone(), u.credit_code.trim().to_uppercase()));
        }
    }
    let mut idx = UnitIndex {
        parent: (0..units.len()).collect(),
    };
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut by_code: HashMap<String, usize> = HashMap::new();
    for (k, (_, name, code)) in units.iter().enumerate() {
        let n = normalize_name(name);
        if !n.is_empty() {
            match by_name.get(&n) {
                Some(&j) => idx.union(j, k),
                None => {
                    by_name.insert(n, k);
                }
            }
        }
        if !code.is_empty() {
            match by_code.get(code) {
                Some(&j) => idx.union(j, k),
                None => {
                    by_code.insert(code.clone(), k);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, (BTreeSet<usize>, BTreeSet<String>)> = BTreeMap::new();
    for (k, (app, name, _)) in units.iter().enumerate() {
        let r = idx.find(k);
        let g = groups.entry(r).or_default();
        g.0.insert(*app);
        g.1.insert(name.clone());
    }
    for (_, (app_idx, names)) in groups {
        if app_idx.len() > 2 {
            let ids: Vec<String> = app_idx.iter().map(|&i| sorted[i].id.clone()).collect();
            let shown: Vec<String> = names
                .iter()
                .map(|n| format!("「{}」", inert_line(n)))
                .collect();
            let spelled = shown.join(" / ");
            let n = ids.len();
            cx.push(
                Rule::UnitLimit,
                ids,
                format!("unit {spelled} is in {n} applications (at most 2)"),
                format!("单位{spelled}牵头或参与 {n} 个项目（不超过 2 个）"),
                None,
            );
        }
    }

    // 3. Exactly one direction of the catalog.
    for a in &sorted {
        match (a.direction, &a.direction_written) {
            (Some(d), _) if catalog.direction(d).is_some() => {}
            (_, Some(w)) if !w.trim().is_empty() => {
                let w = inert_line(w);
                cx.push(
                    Rule::Direction,
                    vec![a.id.clone()],
                    format!("direction '{w}' is not in the {} catalog", catalog.call),
                    format!("试点方向“{w}”不在 {} 年方向目录中", catalog.call),
                    None,
                );
            }
            (Some(d), _) => cx.push(
                Rule::Direction,
                vec![a.id.clone()],
                format!("direction {d} is not in the {} catalog", catalog.call),
                format!("试点方向 {d} 不在 {} 年方向目录中", catalog.call),
                None,
            ),
            (None, _) => cx.push(
                Rule::Direction,
                vec![a.id.clone()],
                "no direction chosen (exactly one is required)".into(),
                "未选择试点方向（须且仅须选择 1 个）".into(),
                None,
            ),
        }
    }

    // 4. Previously selected, funded, or not built.
    for a in &sorted {
        if a.previously_selected {
            cx.push(
                Rule::PreviouslySelected,
                vec![a.id.clone()],
                "already selected in a national or joint departments' pilot".into(),
                "已入选国家级或联合开展部门有关试点示范项目".into(),
                None,
            );
        }
    }
    for a in &sorted {
        if a.national_funding {
            cx.push(
                Rule::NationalFunding,
                vec![a.id.clone()],
                "already received national special funds".into(),
                "已获得国家专项资金支持".into(),
                None,
            );
        }
    }
    for a in &sorted {
        if !a.built {
            cx.push(
                Rule::NotBuilt,
                vec![a.id.clone()],
                "not yet built or under construction".into(),
                "未建或在建项目".into(),
                None,
            );
        }
    }

    // 5. The same project through several routes.
    for (i, j, sim) in similar_pairs(&sorted) {
        let (a, b) = (sorted[i], sorted[j]);
        if normalize_name(&a.authority) == normalize_name(&b.authority) {
            continue;
        }
        let same_lead = same_unit(&a.lead_unit, &b.lead_unit);
        if sim >= SAME_TITLE || (same_lead && sim >= SAME_LEAD_TITLE) {
            let pct = format!("{}.{}%", sim / 10, sim % 10);
            let lead = if same_lead { ", same lead unit" } else { "" };
            let lead_zh = if same_lead {
                "，牵头单位相同"
            } else {
                ""
            };
            cx.push(
                Rule::MultiRoute,
                vec![a.id.clone(), b.id.clone()],
                format!(
                    "titles {pct} similar{lead}, submitted through {} and {}",
                    inert_line(&a.authority),
                    inert_line(&b.authority)
                ),
                format!(
                    "项目名称相似度 {pct}{lead_zh}，分别经{}和{}申报",
                    inert_line(&a.authority),
                    inert_line(&b.authority)
                ),
                Some(sim),
            );
        }
    }

    // 6 and 7. Per-authority limits.
    let mut by_auth: BTreeMap<String, Vec<&Application>> = BTreeMap::new();
    for a in &sorted {
        by_auth
            .entry(normalize_name(&a.authority))
            .or_default()
            .push(a);
    }
    let max = catalog.max_per_authority as usize;
    let max_he = catalog.max_high_end_per_authority as usize;
    for list in by_auth.values() {
        let mut list = list.clone();
        list.sort_by_key(|a| (a.priority.unwrap_or(u32::MAX), a.id.clone()));
        let auth = inert_line(&list[0].authority);
        if list.len() > max {
            let n = list.len();
            cx.push(
                Rule::AuthorityLimit,
                list.iter().map(|a| a.id.clone()).collect(),
                format!("{auth} recommends {n} applications (at most {max})"),
                format!("{auth}推荐 {n} 个项目（原则上不超过 {max} 个）"),
                None,
            );
        }
        if let Some(he) = catalog.high_end_direction {
            let hi: Vec<String> = list
                .iter()
                .filter(|a| a.direction == Some(he))
                .map(|a| a.id.clone())
                .collect();
            if hi.len() > max_he {
                let n = hi.len();
                let name = catalog
                    .direction(he)
                    .map(|d| d.name_zh.as_str())
                    .unwrap_or("");
                cx.push(
                    Rule::HighEndLimit,
                    hi,
                    format!("{auth} recommends {n} in direction {he} (at most {max_he})"),
                    format!("{auth}推荐{name}方向 {n} 个（不超过 {max_he} 个）"),
                    None,
                );
            }
        }
    }

    // 8. Credit codes.
    for a in &sorted {
        for u in a.units() {
            if let Err(e) = credit::validate(u.credit_code.trim()) {
                let name = inert_line(&u.name);
                let code = inert_line(&u.credit_code);
                cx.push(
                    Rule::CreditCode,
                    vec![a.id.clone()],
                    format!("unit 「{name}」 credit code '{code}' {e}"),
                    format!(
                        "单位「{name}」统一社会信用代码“{code}”无效：{}",
                        credit_error_zh(&e)
                    ),
                    None,
                );
            }
        }
    }

    cx.out
}

fn credit_error_zh(e: &credit::CreditError) -> String {
    match e {
        credit::CreditError::Length(n) => format!("长度 {n}，应为 18 位"),
        credit::CreditError::Character(i, c) => format!("第 {} 位字符 {c:?} 不允许", i + 1),
        credit::CreditError::Check { expected, found } => {
            format!("校验码为 {found}，应为 {expected}")
        }
    }
}

fn same_unit(a: &super::Unit, b: &super::Unit) -> bool {
    let (ca, cb) = (a.credit_code.trim(), b.credit_code.trim());
    (!ca.is_empty() && ca.eq_ignore_ascii_case(cb))
        || normalize_name(&a.name) == normalize_name(&b.name)
}

/// Pairs of titles at least [`SAME_LEAD_TITLE`] similar, with their
/// similarity: exactly the pairs `title_similarity` would give, found
/// without comparing every pair.
///
/// The filter is safe. A common subsequence uses each character at most as
/// often as it occurs in either title, so with `cnt_a(c)` the occurrences
/// of `c` in the folded title `a`:
///
/// ```text
/// LCS(a, b) ≤ M(a, b) = Σ_c min(cnt_a(c), cnt_b(c))
/// ```
///
/// and `similarity = ⌊2000·LCS / (|a| + |b|)⌋ ≥ T` needs
/// `2000·LCS ≥ T·(|a| + |b|)` (T is an integer), hence
/// `2000·M ≥ T·(|a| + |b|)`. A pair failing that cannot reach T and is
/// dropped; every other pair is measured. `M` is summed for all pairs at
/// once over an index of characters; pairs sharing no character have
/// `M = 0` and are never touched (two titles that both fold to nothing
/// are identical and measured).
fn similar_pairs(apps: &[&Application]) -> Vec<(usize, usize, u32)> {
    let titles: Vec<&str> = apps.iter().map(|a| a.title.as_str()).collect();
    similar_title_pairs(&titles)
}

/// The pairs `(i, j, similarity)`, `i < j`, of `titles` at least
/// [`SAME_LEAD_TITLE`] similar by `title_similarity`, in order; see
/// `similar_pairs` for why none is missed.
pub fn similar_title_pairs(titles: &[&str]) -> Vec<(usize, usize, u32)> {
    // Folded titles as dense character numbers, so that the inner loops
    // index arrays instead of hashing.
    let mut ids: HashMap<char, u32> = HashMap::new();
    let titles: Vec<Vec<u32>> = titles
        .iter()
        .map(|t| {
            fold_title(t)
                .into_iter()
                .map(|c| {
                    let n = ids.len() as u32;
                    *ids.entry(c).or_insert(n)
                })
                .collect()
        })
        .collect();
    let alphabet = ids.len();
    // character → (title, count in that title), titles in increasing order
    let mut index: Vec<Vec<(usize, u32)>> = vec![Vec::new(); alphabet];
    let mut counts: Vec<Vec<(u32, u32)>> = Vec::with_capacity(titles.len());
    for (i, t) in titles.iter().enumerate() {
        let mut c = t.clone();
        c.sort_unstable();
        let mut hist: Vec<(u32, u32)> = Vec::new();
        for ch in c {
            match hist.last_mut() {
                Some((last, n)) if *last == ch => *n += 1,
                _ => hist.push((ch, 1)),
            }
        }
        for &(ch, n) in &hist {
            index[ch as usize].push((i, n));
        }
        counts.push(hist);
    }
    let threshold = u64::from(SAME_LEAD_TITLE);
    let mut out = Vec::new();
    let mut shared = vec![0u64; titles.len()];
    let mut touched = Vec::new();
    let mut pattern = Pattern {
        slot: vec![u32::MAX; alphabet],
        rows: Vec::new(),
        words: 0,
        len: 0,
    };
    for i in 0..titles.len() {
        for &(ch, n) in &counts[i] {
            let list = &index[ch as usize];
            // the entries after title i
            let from = list.partition_point(|&(j, _)| j <= i);
            for &(j, m) in &list[from..] {
                if shared[j] == 0 {
                    touched.push(j);
                }
                shared[j] += u64::from(n.min(m));
            }
        }
        if touched.is_empty() {
            continue;
        }
        pattern.set(&titles[i]);
        for j in touched.drain(..) {
            let bound = std::mem::take(&mut shared[j]);
            let len = (titles[i].len() + titles[j].len()) as u64;
            if 2000 * bound < threshold * len {
                continue;
            }
            // the LCS a pair needs: 2000·L ≥ T·len
            let need = (threshold * len).div_ceil(2000) as usize;
            if let Some(lcs) = pattern.lcs_at_least(&titles[j], need) {
                let sim = ((2000 * lcs as u64) / len) as u32;
                if sim >= SAME_LEAD_TITLE {
                    out.push((i, j, sim));
                }
            }
        }
        pattern.clear(&titles[i]);
    }
    let empty: Vec<usize> = (0..titles.len())
        .filter(|&i| titles[i].is_empty())
        .collect();
    for (k, &i) in empty.iter().enumerate() {
        for &j in &empty[k + 1..] {
            out.push((i, j, 1000));
        }
    }
    out.sort();
    out
}

/// One title as the bit-parallel LCS's pattern (`text::lcs_len`, with the
/// match masks built once for all the pairs of this title).
struct Pattern {
    /// character number → its row of `rows`, `u32::MAX` if absent
    slot: Vec<u32>,
    rows: Vec<u64>,
    words: usize,
    len: usize,
}

impl Pattern {
    fn set(&mut self, a: &[u32]) {
        self.words = a.len().div_ceil(64).max(1);
        self.len = a.len();
        self.rows.clear();
        let mut next = 0u32;
        for (i, &c) in a.iter().enumerate() {
            let s = &mut self.slot[c as usize];
            if *s == u32::MAX {
                *s = next;
                next += 1;
                self.rows.resize(self.rows.len() + self.words, 0);
            }
            self.rows[*s as usize * self.words + i / 64] |= 1u64 << (i % 64);
        }
    }

    fn clear(&mut self, a: &[u32]) {
        for &c in a {
            self.slot[c as usize] = u32::MAX;
        }
    }

    /// The LCS of the pattern and `b`, or `None` once it is certain to
    /// stay below `need` (what is left of `b` cannot make up the gap).
    fn lcs_at_least(&self, b: &[u32], need: usize) -> Option<usize> {
        let w = self.words;
        let mut v = vec![u64::MAX; w];
        let tail = self.len % 64;
        let lcs = |v: &[u64]| {
            let mut ones: usize = v.iter().map(|x| x.count_ones() as usize).sum();
            if tail != 0 {
                ones -= (v[w - 1] >> tail).count_ones() as usize;
            }
            self.len - ones.min(self.len)
        };
        for (k, &c) in b.iter().enumerate() {
            let s = self.slot[c as usize];
            if s != u32::MAX {
                let m = &self.rows[s as usize * w..(s as usize + 1) * w];
                let mut carry = 0u64;
                for (vw, &mw) in v.iter_mut().zip(m) {
                    let u = *vw & mw;
                    let (s1, c1) = vw.overflowing_add(u);
                    let (s2, c2) = s1.overflowing_add(carry);
                    carry = u64::from(c1 || c2);
                    *vw = s2 | (*vw & !mw);
                }
            }
            if k % 32 == 31 && lcs(&v) + (b.len() - k - 1) < need {
                return None;
            }
        }
        Some(lcs(&v))
    }
}
