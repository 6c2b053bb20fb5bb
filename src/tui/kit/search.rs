//! Search over the applications. A query is words separated by white
//! space; an application matches when every word matches it, each in any
//! field:
//!
//! - fuzzily (its characters in order) in the application's short fields:
//!   id, title, every unit name and its direction's names;
//! - or, for a word of two or more characters, as it is written (a
//!   substring) in the application's own text — its four sections. A
//!   one-character word is not looked up there: in a long text it would
//!   match nearly everything.
//!
//! Everything is folded with `normalize_name` (full-width forms, case),
//! once, when the index is built. A keystroke must stay well under a frame
//! on 100,000 applications:
//!
//! - the short fields are matched by a plain in-order character scan (a
//!   fuzzy match is exactly a subsequence), split over the cores;
//! - the sections are found through a table of every two-character pair
//!   they contain (which applications hold it); a word of three or more
//!   characters is then confirmed with a SIMD substring search, only in the
//!   applications that hold all of its pairs;
//! - a keystroke that extends the query only rescans the previous matches;
//! - the matches are scored (skim) and ranked best first once there are at
//!   most [`RANK_LIMIT`] of them — with more (a one- or two-character query
//!   that matches most of the panel) they stay in bundle order until the
//!   next keystroke narrows them.
//!
//! The index is built on its own thread when a bundle opens ([`Search`]),
//! so the first frame does not wait for it; the first search does.

use std::collections::HashMap;
use std::sync::Arc;
use std::thread::JoinHandle;

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use memchr::memmem;

use crate::domain::text::normalize_name;
use crate::domain::{Application, Catalog};

/// Separates fields in a haystack and sections in a text (a control
/// character: folding removes it from every query).
const SEP: char = '\u{1F}';

/// Most matches that are scored and ranked on one keystroke.
pub const RANK_LIMIT: usize = 5_000;

/// Fewest candidates worth splitting over the cores.
const PARALLEL_FROM: usize = 20_000;

type Pairs = HashMap<u64, Vec<(u32, u32)>, foldhash::fast::FixedState>;

/// One word of a query, folded.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    text: String,
    chars: Vec<char>,
    /// Also looked up in the sections (two characters or more).
    sections: bool,
}

/// The words of a query: split at white space, each folded; empty ones
/// (nothing but invisible characters) dropped.
fn words(query: &str) -> Vec<Word> {
    query
        .split_whitespace()
        .map(normalize_name)
        .filter(|w| !w.is_empty())
        .map(|text| {
            let chars: Vec<char> = text.chars().collect();
            Word {
                sections: chars.len() >= 2,
                chars,
                text,
            }
        })
        .collect()
}

/// Whether every match of `new` is a match of `old`, so a search for `new`
/// need only look among `old`'s matches: each old word is extended by the
/// new word in its place, looked up in the same fields.
fn narrows(old: &[Word], new: &[Word]) -> bool {
    new.len() >= old.len()
        && old
            .iter()
            .zip(new)
            .all(|(o, n)| n.text.starts_with(o.text.as_str()) && n.sections == o.sections)
}

/// Whether the characters of `q` appear in `hay` in order.
#[cfg(test)]
fn is_subsequence(hay: &str, q: &[char]) -> bool {
    let mut rest = hay;
    for &c in q {
        match rest.find(c) {
            Some(p) => rest = &rest[p + c.len_utf8()..],
            None => return false,
        }
    }
    true
}

/// One SIMD finder per character of a word, made once per keystroke.
struct Chars(Vec<memmem::Finder<'static>>);

impl Chars {
    fn new(w: &[char]) -> Chars {
        Chars(
            w.iter()
                .map(|c| {
                    let mut b = [0u8; 4];
                    memmem::Finder::new(c.encode_utf8(&mut b).as_bytes()).into_owned()
                })
                .collect(),
        )
    }

    /// Whether the characters appear in `hay` in order.
    fn in_order(&self, hay: &str) -> bool {
        let mut rest = hay.as_bytes();
        for f in &self.0 {
            match f.find(rest) {
                Some(p) => rest = &rest[p + f.needle().len()..],
                None => return false,
            }
        }
        true
    }
}

fn pair_key(a: char, b: char) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// The elements of `a` whose key is also one of `b`'s, in order (both
/// sorted by key, keys unique). A linear merge when the lengths are close,
/// binary searches into the longer one when they are far apart.
fn intersect_by<A: Copy, B>(
    a: &[A],
    ka: impl Fn(&A) -> u32,
    b: &[B],
    kb: impl Fn(&B) -> u32,
) -> Vec<A> {
    const FAR: usize = 16;
    let mut out = Vec::with_capacity(a.len().min(b.len()));
    if b.len() > a.len() * FAR {
        let mut rest = b;
        for x in a {
            let k = ka(x);
            let p = rest.partition_point(|y| kb(y) < k);
            rest = &rest[p..];
            match rest.first() {
                Some(y) if kb(y) == k => out.push(*x),
                Some(_) => {}
                None => break,
            }
        }
    } else if a.len() > b.len() * FAR {
        let mut rest = a;
        for y in b {
            let k = kb(y);
            let p = rest.partition_point(|x| ka(x) < k);
            rest = &rest[p..];
            match rest.first() {
                Some(x) if ka(x) == k => out.push(*x),
                Some(_) => {}
                None => break,
            }
        }
    } else {
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            let (x, y) = (ka(&a[i]), kb(&b[j]));
            if x < y {
                i += 1;
            } else if x > y {
                j += 1;
            } else {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// The elements of either sorted list, sorted, once each.
fn union(a: &[usize], b: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// `keep` applied to every candidate, over the cores when there are many;
/// the result in candidate order.
fn par_filter(candidates: &[usize], keep: impl Fn(usize) -> bool + Sync) -> Vec<usize> {
    crate::support::par::map_runs(candidates, PARALLEL_FROM, |c| {
        c.iter().copied().filter(|&i| keep(i)).collect()
    })
}

/// The folded names each direction is searched by (its names in both
/// languages, `SEP` between them), in catalog order, and each code's place.
fn direction_names(catalog: &Catalog) -> (Vec<String>, HashMap<u32, u8>) {
    let names = catalog
        .directions
        .iter()
        .map(|d| {
            [&d.name_zh, &d.short_zh, &d.name_en, &d.short_en]
                .map(|n| normalize_name(n))
                .join(&SEP.to_string())
        })
        .collect();
    let place = catalog
        .directions
        .iter()
        .enumerate()
        .map(|(i, d)| (d.code, i.min(usize::from(u8::MAX - 1)) as u8))
        .collect();
    (names, place)
}

/// An application with no direction of the catalog.
const NO_DIRECTION: u8 = u8::MAX;

pub struct Index {
    /// Per application: its short fields, folded, `SEP` between them.
    haystacks: Vec<String>,
    /// Per application: its direction's place in `direction_names`.
    directions: Vec<u8>,
    /// Per direction of the catalog: the names it is searched by.
    direction_names: Vec<String>,
    /// Every application's sections, folded, one after another.
    texts: String,
    /// Where each application's sections start in `texts` (one more entry
    /// than applications: the end).
    starts: Vec<usize>,
    /// Every two-character pair of the sections: the applications holding
    /// it, ascending, each with where in its text the pair first occurs.
    pairs: Pairs,
    matcher: SkimMatcherV2,
    /// The last query's words and its matches (bundle order).
    last: Option<(Vec<Word>, Vec<usize>)>,
    ranked: bool,
}

/// The index of a run of applications, the first numbered `first`.
struct Part {
    haystacks: Vec<String>,
    directions: Vec<u8>,
    texts: String,
    starts: Vec<usize>,
    pairs: HashMap<u64, Vec<(u32, u32)>, foldhash::fast::FixedState>,
}

fn index_part(apps: &[Application], first: usize, dirs: &HashMap<u32, u8>) -> Part {
    let mut p = Part {
        haystacks: Vec::with_capacity(apps.len()),
        directions: Vec::with_capacity(apps.len()),
        texts: String::new(),
        starts: Vec::with_capacity(apps.len()),
        pairs: Default::default(),
    };
    for (k, a) in apps.iter().enumerate() {
        let mut h = normalize_name(&a.id);
        h.push(SEP);
        h.push_str(&normalize_name(&a.title));
        for u in a.units() {
            h.push(SEP);
            h.push_str(&normalize_name(&u.name));
        }
        p.haystacks.push(h);
        p.directions.push(
            a.direction
                .and_then(|c| dirs.get(&c).copied())
                .unwrap_or(NO_DIRECTION),
        );

        let start = p.texts.len();
        p.starts.push(start);
        let s = &a.sections;
        for part in [&s.overview, &s.technology, &s.deployment, &s.replication] {
            p.texts.push_str(&normalize_name(part));
            p.texts.push(SEP);
        }
        let app = (first + k) as u32;
        let mut chars = p.texts[start..].char_indices();
        if let Some((mut at, mut prev)) = chars.next() {
            for (next, c) in chars {
                if prev != SEP && c != SEP {
                    let list = p.pairs.entry(pair_key(prev, c)).or_default();
                    // Applications come in order: a repeat is the last,
                    // and the first entry is the first occurrence.
                    if list.last().map(|e| e.0) != Some(app) {
                        list.push((app, at as u32));
                    }
                }
                (at, prev) = (next, c);
            }
        }
    }
    p
}

impl Index {
    /// The index of `apps`, built over every core.
    pub fn new(apps: &[Application], catalog: &Catalog) -> Index {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(4);
        Index::build(apps, catalog, threads)
    }

    /// The index of `apps`, built on `threads` threads.
    pub fn build(apps: &[Application], catalog: &Catalog, threads: usize) -> Index {
        let (direction_names, dirs) = direction_names(catalog);
        let parts: Vec<Part> = if apps.len() < 2_000 || threads < 2 {
            vec![index_part(apps, 0, &dirs)]
        } else {
            let chunk = apps.len().div_ceil(threads);
            let dirs = &dirs;
            std::thread::scope(|sc| {
                let jobs: Vec<_> = apps
                    .chunks(chunk)
                    .enumerate()
                    .map(|(n, c)| sc.spawn(move || index_part(c, n * chunk, dirs)))
                    .collect();
                jobs.into_iter()
                    .zip(apps.chunks(chunk).enumerate())
                    .map(|(j, (n, c))| j.join().unwrap_or_else(|_| index_part(c, n * chunk, dirs)))
                    .collect()
            })
        };
        let mut parts = parts.into_iter();
        let mut whole = parts.next().unwrap_or_else(|| index_part(&[], 0, &dirs));
        for p in parts {
            let base = whole.texts.len();
            whole.haystacks.extend(p.haystacks);
            whole.directions.extend(p.directions);
            whole.texts.push_str(&p.texts);
            whole.starts.extend(p.starts.into_iter().map(|s| s + base));
            // Later parts hold later applications: their lists follow.
            for (k, l) in p.pairs {
                whole.pairs.entry(k).or_default().extend(l);
            }
        }
        whole.starts.push(whole.texts.len());
        Index {
            haystacks: whole.haystacks,
            directions: whole.directions,
            direction_names,
            texts: whole.texts,
            starts: whole.starts,
            pairs: whole.pairs,
            matcher: SkimMatcherV2::default().ignore_case(),
            last: None,
            ranked: true,
        }
    }

    pub fn len(&self) -> usize {
        self.haystacks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.haystacks.is_empty()
    }

    /// Whether the last `rank` ordered its matches by score (false when
    /// there were more than [`RANK_LIMIT`]: bundle order).
    pub fn ranked(&self) -> bool {
        self.ranked
    }

    fn text(&self, i: usize) -> &str {
        &self.texts[self.starts[i]..self.starts[i + 1]]
    }

    /// The candidates (`None`: every application) whose sections hold
    /// `w` as written.
    fn in_sections(&self, w: &Word, candidates: Option<&[usize]>) -> Vec<usize> {
        let mut lists: Vec<&Vec<(u32, u32)>> = Vec::with_capacity(w.chars.len());
        for p in w.chars.windows(2) {
            match self.pairs.get(&pair_key(p[0], p[1])) {
                Some(l) => lists.push(l),
                None => return Vec::new(),
            }
        }
        // The word starts with its first pair: its first occurrence in a
        // text is at or after that pair's.
        let Some(&lead) = lists.first() else {
            return Vec::new();
        };
        lists.sort_by_key(|l| l.len());
        let first = |e: &(u32, u32)| e.0;
        let mut held: Vec<(u32, u32)> = lists[0].clone();
        for l in &lists[1..] {
            held = intersect_by(&held, first, l, first);
            if held.is_empty() {
                return Vec::new();
            }
        }
        if let Some(c) = candidates {
            held = intersect_by(&held, first, c, |&i| i as u32);
        }
        if w.chars.len() <= 2 {
            // One pair: holding it is containing the word.
            return held.into_iter().map(|e| e.0 as usize).collect();
        }
        // Where the lead pair first occurs in each.
        let held = intersect_by(lead, first, &held, first);
        let needle = w.text.as_bytes();
        let finder = memmem::Finder::new(needle);
        let at: Vec<usize> = (0..held.len()).collect();
        par_filter(&at, |k| {
            let (i, from) = (held[k].0 as usize, held[k].1 as usize);
            let text = self.text(i).as_bytes();
            let rest = &text[from.min(text.len())..];
            // Most often the pair's first occurrence is the word's.
            rest.starts_with(needle) || finder.find(rest).is_some()
        })
        .into_iter()
        .map(|k| held[k].0 as usize)
        .collect()
    }

    /// The candidates (`None`: every application) that match every word.
    fn matches(&self, words: &[Word], candidates: Option<&[usize]>) -> Vec<usize> {
        let all: Vec<usize>;
        let mut current: &[usize] = match candidates {
            Some(c) => c,
            None => {
                all = (0..self.haystacks.len()).collect();
                &all
            }
        };
        let mut out: Vec<usize>;
        let mut whole = candidates.is_none();
        let mut kept = Vec::new();
        for w in words {
            let chars = Chars::new(&w.chars);
            // The direction names are few: match each once.
            let by_direction: Vec<bool> = self
                .direction_names
                .iter()
                .map(|n| chars.in_order(n))
                .collect();
            let short = par_filter(current, |i| {
                by_direction
                    .get(usize::from(self.directions[i]))
                    .copied()
                    .unwrap_or(false)
                    || chars.in_order(&self.haystacks[i])
            });
            out = if w.sections {
                let long = self.in_sections(w, if whole { None } else { Some(current) });
                union(&short, &long)
            } else {
                short
            };
            kept = out;
            current = &kept;
            whole = false;
            if current.is_empty() {
                break;
            }
        }
        kept
    }

    /// The applications matching `query`: best first (ties in bundle
    /// order) when there are at most [`RANK_LIMIT`], else in bundle order;
    /// all of them, in order, for an empty query.
    pub fn rank(&mut self, query: &str) -> Vec<usize> {
        let ws = words(query);
        if ws.is_empty() {
            self.last = None;
            self.ranked = true;
            return (0..self.haystacks.len()).collect();
        }
        let found = match &self.last {
            Some((prev, hits)) if narrows(prev, &ws) => self.matches(&ws, Some(hits)),
            _ => self.matches(&ws, None),
        };
        self.ranked = found.len() <= RANK_LIMIT;
        let out = if self.ranked {
            let mut scored: Vec<(usize, i64)> = found
                .iter()
                .map(|&i| {
                    let score = ws
                        .iter()
                        .map(|w| {
                            self.matcher
                                .fuzzy_match(&self.haystacks[i], &w.text)
                                .unwrap_or(0)
                        })
                        .sum();
                    (i, score)
                })
                .collect();
            scored.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            scored.into_iter().map(|(i, _)| i).collect()
        } else {
            found.clone()
        };
        self.last = Some((ws, found));
        out
    }
}

/// Char indices of the words of `query` matched in a displayed field, for
/// highlighting (only for the rows on screen).
pub fn indices(matcher: &SkimMatcherV2, field: &str, query: &str) -> Vec<usize> {
    let mut out: Vec<usize> = query
        .split_whitespace()
        .filter_map(|w| matcher.fuzzy_indices(field, w))
        .flat_map(|(_, i)| i)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The search of an open bundle: its index, built on a thread of its own
/// once the first frame is drawn ([`Search::start`]), waited for by the
/// first search (or built then, when it was never started).
pub struct Search {
    apps: Arc<[Application]>,
    catalog: Catalog,
    ready: Option<Index>,
    building: Option<JoinHandle<Index>>,
    matcher: SkimMatcherV2,
}

impl Search {
    /// The search of `apps`; nothing is built yet.
    pub fn new(apps: Arc<[Application]>, catalog: &Catalog) -> Search {
        Search {
            apps,
            catalog: catalog.clone(),
            ready: None,
            building: None,
            matcher: SkimMatcherV2::default().ignore_case(),
        }
    }

    /// Starts building the index on its own thread (once), on one core:
    /// the other stays with the screen.
    pub fn start(&mut self) {
        if self.ready.is_some() || self.building.is_some() {
            return;
        }
        let (a, c) = (self.apps.clone(), self.catalog.clone());
        self.building = std::thread::Builder::new()
            .name("search-index".into())
            .spawn(move || Index::build(&a, &c, 1))
            .ok();
    }

    /// The index (waits for it; builds it here if it was not started, or
    /// its thread could not start or did not finish).
    pub fn index(&mut self) -> &mut Index {
        if let Some(job) = self.building.take() {
            self.ready = job.join().ok();
        }
        let (apps, catalog) = (&self.apps, &self.catalog);
        self.ready.get_or_insert_with(|| Index::new(apps, catalog))
    }

    /// See [`Index::rank`]; an empty query needs no index.
    pub fn rank(&mut self, query: &str) -> Vec<usize> {
        if words(query).is_empty() {
            if let Some(ix) = self.ready.as_mut() {
                return ix.rank(query);
            }
            return (0..self.apps.len()).collect();
        }
        self.index().rank(query)
    }

    /// Char indices of `query` matched in a displayed field.
    pub fn indices(&self, field: &str, query: &str) -> Vec<usize> {
        indices(&self.matcher, field, query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::shipped_catalog;

    fn app(id: &str, title: &str, lead: &str, joint: &[&str]) -> Application {
        let unit = |n: &str| crate::domain::Unit {
            name: n.into(),
            credit_code: String::new(),
            sme: false,
        };
        Application {
            id: id.into(),
            title: title.into(),
            direction: Some(1),
            direction_written: None,
            lead_unit: unit(lead),
            joint_units: joint.iter().map(|n| unit(n)).collect(),
            sector: String::new(),
            authority: String::new(),
            priority: None,
            province: String::new(),
            sections: Default::default(),
            previously_selected: false,
            national_funding: false,
            built: true,
        }
    }

    fn catalog() -> Catalog {
        shipped_catalog("2023").expect("catalog")
    }

    #[test]
    fn finds_by_id_title_and_any_unit_best_first() {
        let apps = vec![
            app("A-001", "数据安全治理平台", "星河数安科技有限公司", &[]),
            app(
                "A-002",
                "车联网安全监测",
                "华信安全技术研究院有限公司",
                &["星河数安"],
            ),
            app("B-003", "工控安全", "北辰工业有限公司", &[]),
        ];
        let mut ix = Index::new(&apps, &catalog());
        assert_eq!(ix.rank(""), vec![0, 1, 2]);
        assert_eq!(ix.rank("b-003"), vec![2]);
        assert_eq!(ix.rank("华信")[0], 1);
        let r = ix.rank("星河数安");
        assert_eq!(r.len(), 2, "lead of 0 and joint of 1");
        assert_eq!(ix.rank("数据安全治理"), vec![0]);
        // Extending the query narrows; a new query starts over.
        assert_eq!(ix.rank("数据安全治理平"), vec![0]);
        assert_eq!(ix.rank("工控"), vec![2]);
        assert!(ix.rank("不存在的名字").is_empty());
        // Full-width forms fold.
        assert_eq!(ix.rank("Ｂ－００３"), ix.rank("b-003"));
    }

    #[test]
    fn every_word_must_match_in_any_field() {
        let apps = vec![
            app("A-1", "物联网终端安全", "武汉星河科技有限公司", &[]),
            app("A-2", "物联网终端安全", "北京星河科技有限公司", &[]),
            app("A-3", "数据安全", "武汉北辰有限公司", &[]),
        ];
        let mut ix = Index::new(&apps, &catalog());
        // Words in different fields, in either order.
        assert_eq!(ix.rank("武汉 物联"), vec![0]);
        assert_eq!(ix.rank("物联 武汉"), vec![0]);
        assert_eq!(ix.rank("武汉"), {
            let mut v = ix.rank("武汉");
            v.sort();
            v
        });
        assert_eq!(ix.rank("武汉").len(), 2);
        // Typing on: a new word narrows what the first found.
        assert_eq!(ix.rank("武汉 "), ix.rank("武汉"));
        assert_eq!(ix.rank("武汉 数"), vec![2]);
        assert_eq!(ix.rank("武汉 数据"), vec![2]);
        assert!(ix.rank("武汉 数据 星河").is_empty());
        // Full-width space separates words too.
        assert_eq!(ix.rank("武汉\u{3000}物联"), vec![0]);
    }

    #[test]
    fn direction_names_are_searched() {
        let c = catalog();
        let d = &c.directions[7];
        let mut apps = vec![
            app("A-1", "某平台", "某公司", &[]),
            app("A-2", "另一平台", "另一公司", &[]),
        ];
        apps[0].direction = Some(d.code);
        apps[1].direction = Some(c.directions[0].code);
        let mut ix = Index::new(&apps, &c);
        assert_eq!(ix.rank(&d.name_zh), vec![0], "{}", d.name_zh);
        assert_eq!(ix.rank(&d.short_zh), vec![0], "{}", d.short_zh);
        assert_eq!(ix.rank(&d.name_en)[0], 0, "{}", d.name_en);
        let other = &c.directions[0].name_zh;
        assert_eq!(ix.rank(other), vec![1], "{other}");
    }

    #[test]
    fn sections_are_searched_as_written() {
        let mut apps = vec![
            app("A-1", "甲", "甲公司", &[]),
            app("A-2", "乙", "乙公司", &[]),
            app("A-3", "丙", "丙公司", &[]),
        ];
        apps[0].sections.technology = "采用零信任架构实现动态访问控制".into();
        apps[1].sections.overview = "零散的信息，任意组合".into();
        apps[1].sections.deployment = "在金融行业部署".into();
        apps[2].sections.replication = "可复制推广到能源".into();
        let mut ix = Index::new(&apps, &catalog());
        // A substring of the text, not its characters scattered.
        assert_eq!(ix.rank("零信任"), vec![0]);
        assert_eq!(ix.rank("零信任架构"), vec![0]);
        // Two characters: found by the pair table alone.
        assert_eq!(ix.rank("金融"), vec![1]);
        assert_eq!(ix.rank("能源"), vec![2]);
        // A word spanning two sections is not in the text.
        let mut b = vec![app("B-1", "丁", "丁公司", &[])];
        b[0].sections.overview = "末尾是零".into();
        b[0].sections.technology = "信任开头".into();
        let mut ixb = Index::new(&b, &catalog());
        assert!(ixb.rank("零信任").is_empty());
        // A section word and a unit word together.
        assert_eq!(ix.rank("金融 乙公"), vec![1]);
        assert!(ix.rank("金融 甲公").is_empty());
        // One character is not looked up in the text.
        assert!(ix.rank("融").is_empty());
        // ...but typing on to two is (the narrowing must not hide it).
        assert_eq!(ix.rank("金"), Vec::<usize>::new());
        assert_eq!(ix.rank("金融"), vec![1]);
        // Case and full-width forms fold in the text too.
        apps[0].sections.overview = "支持ＳＭ２算法".into();
        let mut ix2 = Index::new(&apps, &catalog());
        assert_eq!(ix2.rank("sm2"), vec![0]);
    }

    #[test]
    fn narrowing_gives_what_a_fresh_search_gives() {
        // Every prefix of every query, typed on or searched afresh.
        let mut apps: Vec<Application> = (0..60)
            .map(|i| {
                app(
                    &format!("A-{i:03}"),
                    ["数据安全平台", "物联网终端", "零信任网关"][i % 3],
                    ["武汉星河科技", "北京华信研究院", "深圳北辰"][i % 5 % 3],
                    &[],
                )
            })
            .collect();
        for (i, a) in apps.iter_mut().enumerate() {
            a.sections.overview =
                ["部署于金融行业", "覆盖能源电力", "面向政务云"][i % 7 % 3].into();
        }
        let c = catalog();
        for q in [
            "武汉 物联",
            "数据 金融行业",
            "a-01 能源",
            "华信 零信任 政务云",
        ] {
            let chars: Vec<char> = q.chars().collect();
            let mut typed = Index::new(&apps, &c);
            for k in 1..=chars.len() {
                let prefix: String = chars[..k].iter().collect();
                let got = typed.rank(&prefix);
                let fresh = Index::new(&apps, &c).rank(&prefix);
                assert_eq!(got, fresh, "{prefix:?}");
            }
        }
    }

    /// An application's fields as the plain definition reads them.
    struct Plain {
        hay: String,
        dir: String,
        texts: Vec<String>,
    }

    fn plain(a: &Application, c: &Catalog) -> Plain {
        let mut short = vec![a.id.clone(), a.title.clone()];
        short.extend(a.units().map(|u| u.name.clone()));
        let dir = a.direction.and_then(|k| c.direction(k)).map(|d| {
            [&d.name_zh, &d.short_zh, &d.name_en, &d.short_en]
                .map(|s| normalize_name(s))
                .join("|")
        });
        let s = &a.sections;
        Plain {
            dir: dir.unwrap_or_default(),
            hay: short
                .iter()
                .map(|s| normalize_name(s))
                .collect::<Vec<_>>()
                .join("|"),
            texts: [&s.overview, &s.technology, &s.deployment, &s.replication]
                .iter()
                .map(|t| normalize_name(t))
                .collect(),
        }
    }

    /// What a match is, written plainly: every word in order in the short
    /// fields, or in the direction's names, or (two characters or more)
    /// in one section as written.
    fn plainly(p: &Plain, query: &str) -> bool {
        query
            .split_whitespace()
            .map(normalize_name)
            .filter(|w| !w.is_empty())
            .all(|w| {
                let chars: Vec<char> = w.chars().collect();
                is_subsequence(&p.hay, &chars)
                    || is_subsequence(&p.dir, &chars)
                    || (chars.len() >= 2 && p.texts.iter().any(|t| t.contains(w.as_str())))
            })
    }

    #[test]
    fn a_large_index_built_in_parts_matches_the_plain_definition() {
        let c = catalog();
        let words = [
            "数据",
            "安全",
            "零信任",
            "物联网",
            "金融",
            "能源",
            "态势感知",
            "密码",
        ];
        let apps: Vec<Application> = (0..2_600usize)
            .map(|i| {
                let mut a = app(
                    &format!("A-{i:04}"),
                    &format!("{}{}平台", words[i % 8], words[i / 8 % 8]),
                    &format!(
                        "{}{}科技有限公司",
                        ["武汉", "北京", "深圳"][i % 3],
                        words[i / 3 % 8]
                    ),
                    &[],
                );
                a.direction = Some(c.directions[i % c.directions.len()].code);
                a.sections.overview = format!("{}与{}的结合", words[i / 5 % 8], words[i / 7 % 8]);
                a.sections.replication = format!("推广到{}行业", words[i / 11 % 8]);
                a
            })
            .collect();
        let mut ix = Index::new(&apps, &c);
        let plains: Vec<Plain> = apps.iter().map(|a| plain(a, &c)).collect();
        for q in [
            "武汉 物联",
            "零信任",
            "信任的",
            "态势 金融",
            "结合",
            "a-01 密码",
            "推广到能源",
            "数据与安全",
            "北京 零信任 能源",
            "xyz",
            "物联网安全",
        ] {
            let chars: Vec<char> = q.chars().collect();
            for k in 1..=chars.len() {
                let prefix: String = chars[..k].iter().collect();
                let mut got = ix.rank(&prefix);
                got.sort_unstable();
                let want: Vec<usize> = (0..apps.len())
                    .filter(|&i| plainly(&plains[i], &prefix))
                    .collect();
                assert_eq!(got, want, "{prefix:?}");
            }
        }
    }

    #[test]
    fn many_matches_stay_in_bundle_order_and_narrow() {
        let apps: Vec<Application> = (0..RANK_LIMIT + 10)
            .map(|i| app(&format!("A-{i:05}"), "数据安全平台", "某科技有限公司", &[]))
            .collect();
        let mut ix = Index::new(&apps, &catalog());
        let all = ix.rank("a");
        assert!(!ix.ranked());
        assert_eq!(all.len(), RANK_LIMIT + 10);
        assert!(all.windows(2).all(|w| w[0] < w[1]), "bundle order");
        let narrowed = ix.rank("a-00007");
        assert!(ix.ranked());
        assert_eq!(narrowed.first(), Some(&7));
        assert!(narrowed.len() < 50, "{}", narrowed.len());
    }

    #[test]
    fn the_background_index_answers_as_a_built_one() {
        let apps: Arc<[Application]> = vec![
            app("A-1", "物联网终端安全", "武汉星河科技有限公司", &[]),
            app("A-2", "数据安全", "北京北辰有限公司", &[]),
        ]
        .into();
        let c = catalog();
        // Never started: the first search builds it.
        assert_eq!(Search::new(apps.clone(), &c).rank("数据"), vec![1]);
        let mut s = Search::new(apps.clone(), &c);
        assert_eq!(s.rank(""), vec![0, 1]);
        s.start();
        assert_eq!(s.rank("武汉 物联"), vec![0]);
        assert_eq!(s.rank("北辰"), Index::new(&apps, &c).rank("北辰"));
    }

    #[test]
    fn subsequence_is_what_fuzzy_matching_accepts() {
        let q: Vec<char> = "华研".chars().collect();
        assert!(is_subsequence("华信安全技术研究院", &q));
        assert!(!is_subsequence("研究院华信", &q));
        assert!(is_subsequence("abc", &[]));
    }

    #[test]
    fn sorted_list_helpers() {
        let id = |x: &u32| *x;
        let near: Vec<u32> = intersect_by(&[1, 3, 5, 7], id, &[2, 3, 4, 7, 9], id);
        assert_eq!(near, vec![3, 7]);
        let long: Vec<u32> = (0..1000).map(|i| i * 3).collect();
        assert_eq!(
            intersect_by(&[3, 4, 2997, 5000], id, &long, id),
            vec![3, 2997]
        );
        assert_eq!(
            intersect_by(&long, id, &[3, 4, 2997, 5000], id),
            vec![3, 2997]
        );
        assert!(intersect_by(&[], id, &[1], id).is_empty());
        assert_eq!(union(&[1, 4, 6], &[2, 4, 7]), vec![1, 2, 4, 6, 7]);
    }

    #[test]
    fn indices_mark_the_matched_characters_of_every_word() {
        let m = SkimMatcherV2::default().ignore_case();
        assert_eq!(
            indices(&m, "华信安全技术研究院", "华信研究"),
            vec![0, 1, 6, 7]
        );
        assert_eq!(
            indices(&m, "华信安全技术研究院", "研究 华信"),
            vec![0, 1, 6, 7]
        );
        assert!(indices(&m, "abc", "").is_empty());
    }
}
