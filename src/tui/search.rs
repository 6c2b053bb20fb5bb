//! Fuzzy search over the applications (SkimMatcherV2). Each application's
//! haystack — id, title and every unit name, folded with `normalize_name` —
//! is built once when the bundle opens; a keystroke that extends the query
//! only re-ranks the previous hits, since a fuzzy match of a longer pattern
//! implies one of its prefix.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use crate::domain::Application;
use crate::domain::text::normalize_name;

/// Separates fields in a haystack.
const SEP: char = '\u{1F}';

pub struct Index {
    haystacks: Vec<String>,
    matcher: SkimMatcherV2,
    last: Option<(String, Vec<(usize, i64)>)>,
}

/// Folds a query the way haystacks are folded.
pub fn fold_query(q: &str) -> String {
    normalize_name(q)
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
        }
    }

    pub fn len(&self) -> usize {
        self.haystacks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.haystacks.is_empty()
    }

    /// The applications matching `query`, best first (ties in bundle
    /// order); all of them, in order, for an empty query.
    pub fn rank(&mut self, query: &str) -> Vec<usize> {
        let q = fold_query(query);
        if q.is_empty() {
            self.last = None;
            return (0..self.haystacks.len()).collect();
        }
        let candidates: Vec<usize> = match &self.last {
            Some((prev, hits)) if q.starts_with(prev.as_str()) => {
                let mut v: Vec<usize> = hits.iter().map(|(i, _)| *i).collect();
                v.sort_unstable();
                v
            }
            _ => (0..self.haystacks.len()).collect(),
        };
        let mut hits: Vec<(usize, i64)> = candidates
            .into_iter()
            .filter_map(|i| {
                self.matcher
                    .fuzzy_match(&self.haystacks[i], &q)
                    .map(|s| (i, s))
            })
            .collect();
        hits.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let out = hits.iter().map(|(i, _)| *i).collect();
        self.last = Some((q, hits));
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
