//! Fuzzy search over the applications (SkimMatcherV2). Each application's
//! haystack — id, title and every unit name, folded with `normalize_name` —
//! is built once when the bundle opens.
//!
//! A keystroke must stay well under a frame on 100,000 applications, and
//! the skim scorer costs about a microsecond per haystack. So: which
//! applications match is decided by a plain in-order character scan (a
//! fuzzy match is exactly a subsequence), split over the cores; a keystroke
//! that extends the query only rescans the previous matches; and the
//! matches are scored and ranked best first once there are at most
//! [`RANK_LIMIT`] of them — with more, a one- or two-character query that
//! matches most of the panel, they stay in bundle order until the next
//! keystroke narrows them.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use crate::domain::Application;
use crate::domain::text::normalize_name;

/// Separates fields in a haystack.
const SEP: char = '\u{1F}';

/// Most matches that are scored and ranked on one keystroke.
pub const RANK_LIMIT: usize = 5_000;

pub struct Index {
    haystacks: Vec<String>,
    matcher: SkimMatcherV2,
    /// The last folded query and its matches (bundle order).
    last: Option<(String, Vec<usize>)>,
    ranked: bool,
}

/// Folds a query the way haystacks are folded.
pub fn fold_query(q: &str) -> String {
    normalize_name(q)
}

/// Whether the characters of `q` appear in `hay` in order.
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

impl Index {
    pub fn new(apps: &[Application]) -> Index {
        let haystacks = apps
            .iter()
            .map(|a| {
                let mut h = normalize_name(&a.id);
                h.push(SEP);
                h.push_str(&normalize_name(&a.title));
                for u in a.units() {
                    h.push(SEP);
                    h.push_str(&normalize_name(&u.name));
                }
                h
            })
            .collect();
        Index {
            haystacks,
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

    fn matches(&self, candidates: &[usize], q: &[char]) -> Vec<usize> {
        let scan = |c: &[usize]| -> Vec<usize> {
            c.iter()
                .copied()
                .filter(|&i| is_subsequence(&self.haystacks[i], q))
                .collect()
        };
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(4);
        if candidates.len() < 20_000 || threads < 2 {
            return scan(candidates);
        }
        let chunk = candidates.len().div_ceil(threads);
        std::thread::scope(|sc| {
            let parts: Vec<_> = candidates
                .chunks(chunk)
                .map(|c| sc.spawn(move || scan(c)))
                .collect();
            parts
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        })
    }

    /// The applications matching `query`: best first (ties in bundle
    /// order) when there are at most [`RANK_LIMIT`], else in bundle order;
    /// all of them, in order, for an empty query.
    pub fn rank(&mut self, query: &str) -> Vec<usize> {
        let q = fold_query(query);
        if q.is_empty() {
            self.last = None;
            self.ranked = true;
            return (0..self.haystacks.len()).collect();
        }
        let qc: Vec<char> = q.chars().collect();
        let found = match &self.last {
            Some((prev, hits)) if q.starts_with(prev.as_str()) => self.matches(hits, &qc),
            _ => {
                let all: Vec<usize> = (0..self.haystacks.len()).collect();
                self.matches(&all, &qc)
            }
        };
        self.ranked = found.len() <= RANK_LIMIT;
        let out = if self.ranked {
            let mut scored: Vec<(usize, i64)> = found
                .iter()
                .map(|&i| {
                    (
                        i,
                        self.matcher
                            .fuzzy_match(&self.haystacks[i], &q)
                            .unwrap_or(0),
                    )
                })
                .collect();
            scored.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            scored.into_iter().map(|(i, _)| i).collect()
        } else {
            found.clone()
        };
        self.last = Some((q, found));
        out
    }

    /// Char indices of `query` matched in a displayed field, for
    /// highlighting (only for the rows on screen).
    pub fn indices(&self, field: &str, query: &str) -> Vec<usize> {
        let q: String = query.chars().filter(|c| !c.is_whitespace()).collect();
        if q.is_empty() {
            return Vec::new();
        }
        self.matcher
            .fuzzy_indices(field, &q)
            .map(|(_, i)| i)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let mut ix = Index::new(&apps);
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
        // Full-width and spaces fold.
        assert_eq!(ix.rank("Ｂ－００３"), ix.rank("b-003"));
    }

    #[test]
    fn many_matches_stay_in_bundle_order_and_narrow() {
        let apps: Vec<Application> = (0..RANK_LIMIT + 10)
            .map(|i| app(&format!("A-{i:05}"), "数据安全平台", "某科技有限公司", &[]))
            .collect();
        let mut ix = Index::new(&apps);
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
    fn subsequence_is_what_fuzzy_matching_accepts() {
        let q: Vec<char> = "华研".chars().collect();
        assert!(is_subsequence("华信安全技术研究院", &q));
        assert!(!is_subsequence("研究院华信", &q));
        assert!(is_subsequence("abc", &[]));
    }

    #[test]
    fn indices_mark_the_matched_characters() {
        let apps = vec![app("A-1", "t", "u", &[])];
        let ix = Index::new(&apps);
        assert_eq!(
            ix.indices("华信安全技术研究院", "华信研究"),
            vec![0, 1, 6, 7]
        );
        assert!(ix.indices("abc", "").is_empty());
    }
}
