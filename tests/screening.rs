//! The eligibility screen's text comparisons: titles and unit names are
//! NFKC-folded before they are compared (Kangxi radicals, compatibility
//! ideographs, full-width forms and invisible characters cannot make two
//! look different), the candidate filter never drops a pair that reaches a
//! threshold, the bit-parallel LCS is the textbook one, and the strict
//! time reader.

mod common;

use common::bundle::app;
use panelist::domain::catalog::shipped_catalog;
use panelist::domain::history::parse_time;
use panelist::domain::rules::{self, Rule, SAME_LEAD_TITLE, SAME_TITLE, similar_title_pairs};
use panelist::domain::text::{
    TITLE_COMPARE_CHARS, fold_title, inert_line, lcs_len, normalize_name, similarity_of,
    title_similarity, visible_chars,
};
use proptest::prelude::*;

/// The textbook quadratic LCS, the reference of the bit-parallel one.
fn lcs_reference(a: &[char], b: &[char]) -> usize {
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    for ca in a {
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = if ca == cb {
                prev[j] + 1
            } else {
                prev[j + 1].max(cur[j])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

fn multi_route(apps: &[panelist::domain::Application]) -> Vec<Vec<String>> {
    let catalog = shipped_catalog("2023").expect("catalog");
    rules::check(&catalog, apps)
        .into_iter()
        .filter(|f| f.rule == Rule::MultiRoute)
        .map(|f| f.apps)
        .collect()
}

#[test]
fn a_same_lead_pair_two_thirds_similar_is_flagged() {
    // 9 characters each, 6 in common in order: 2·6/18 = 66.6 %, which the
    // old bigram filter dropped (they share only two bigrams of eight).
    let (ta, tb) = ("甲乙丙丁戊己庚辛壬", "甲子乙丑丙丁寅戊己");
    assert_eq!(title_similarity(ta, tb), 666);
    let mut a = app(1, 1);
    let mut b = app(2, 1);
    a.title = ta.into();
    b.title = tb.into();
    b.lead_unit = a.lead_unit.clone();
    assert_eq!(
        multi_route(&[a.clone(), b.clone()]),
        vec![vec![a.id.clone(), b.id.clone()]]
    );
    // Another lead unit: 66.6 % is below the 85 % of different leads.
    b.lead_unit = app(3, 1).lead_unit;
    assert!(multi_route(&[a, b]).is_empty());
}

#[test]
fn kangxi_radicals_and_compatibility_ideographs_look_alike_and_are_flagged() {
    // ⼀ U+2F00 KANGXI RADICAL ONE, ⼈ U+2F08 (人), ⽅ U+2F45 (方); U+F90A
    // and U+F902 are compatibility ideographs of 金 and 車.
    let plain = "一人车联网安全方案金融車";
    let looks = "\u{2F00}\u{2F08}车联网安全\u{2F45}案\u{F90A}融\u{F902}";
    assert_ne!(plain, looks);
    assert_eq!(title_similarity(plain, looks), 1000);
    let mut a = app(1, 1);
    let mut b = app(2, 1);
    a.title = plain.into();
    b.title = looks.into();
    assert_eq!(multi_route(&[a.clone(), b.clone()]).len(), 1);
    // Invisible characters and full-width forms make no difference either.
    b.title = "一\u{2060}人车联网\u{00AD}安全方案\u{FE0F}金融車".into();
    assert_eq!(title_similarity(&a.title, &b.title), 1000);
    assert_eq!(multi_route(&[a, b]).len(), 1);
}

#[test]
fn unit_names_fold_the_same_way_for_the_unit_limit() {
    let name = "星河数安（北京）科技有限公司";
    let lookalikes = [
        "星河数安(北京)科技有限公司",
        "星河数安\u{2060}（北京）科技有限公司",
        "星河数安（北京）科技有限公司\u{200B}",
    ];
    for l in lookalikes {
        assert_eq!(normalize_name(name), normalize_name(l), "{}", inert_line(l));
    }
    assert_eq!(normalize_name("\u{2F24}成科技"), normalize_name("大成科技"));
    // Three applications whose lead units only look alike: unit-limit.
    let mut apps = vec![app(1, 1), app(2, 1), app(3, 1)];
    apps[0].lead_unit.name = "大成科技有限公司".into();
    apps[1].lead_unit.name = "\u{2F24}成科技有限公司".into();
    apps[2].lead_unit.name = "大成\u{2060}科技有限公司".into();
    // distinct credit codes, so only the names can join them
    let catalog = shipped_catalog("2023").expect("catalog");
    let flagged: Vec<_> = rules::check(&catalog, &apps)
        .into_iter()
        .filter(|f| f.rule == Rule::UnitLimit)
        .collect();
    assert_eq!(flagged.len(), 1, "{flagged:?}");
    assert_eq!(flagged[0].apps.len(), 3);
}

#[test]
fn a_long_title_is_compared_on_its_first_characters_only() {
    let long_a = format!("数据安全平台{}", "甲".repeat(200_000));
    let long_b = format!("数据安全平台{}", "乙".repeat(200_000));
    assert_eq!(fold_title(&long_a).len(), TITLE_COMPARE_CHARS);
    let sim = title_similarity(&long_a, &long_b);
    // 6 common of TITLE_COMPARE_CHARS each
    assert_eq!(sim, (2000 * 6 / (2 * TITLE_COMPARE_CHARS)) as u32);
}

#[test]
fn the_comment_minimum_counts_what_a_reader_sees() {
    assert_eq!(visible_chars(&" ".repeat(30)), 0);
    assert_eq!(visible_chars(&"\u{2060}".repeat(30)), 0);
    assert_eq!(visible_chars("\u{3000}评\u{00AD}审\u{200B}意见\t\n"), 4);
    assert_eq!(visible_chars("e\u{301}"), 2);
}

#[test]
fn times_are_read_exactly_as_the_format_writes_them() {
    assert_eq!(parse_time("1970-01-01T00:00:00.000Z"), Some(0));
    assert_eq!(
        parse_time("2024-03-01T09:00:00.000Z"),
        Some(1_709_283_600_000)
    );
    assert_eq!(
        parse_time("2024-02-29T23:59:59.999Z"),
        Some(1_709_251_199_999)
    );
    for bad in [
        "0",
        "",
        "2024-03-01T09:00:00Z",
        "2024-03-01T09:00:00.000+08:00",
        "2024-03-01T17:00:00.000+08",
        "2024-03-01t09:00:00.000z",
        "2024-03-01 09:00:00.000Z",
        "2024-03-01T09:00:00.00Z",
        "2024-03-01T09:00:00.0000Z",
        "2023-02-29T09:00:00.000Z",
        "2024-13-01T09:00:00.000Z",
        "2024-03-01T24:00:00.000Z",
        "2024-03-01T09:00:60.000Z",
        "0000-01-01T00:00:00.000Z",
        "２024-03-01T09:00:00.000Z",
        "+2024-03-01T09:00:00.000Z",
    ] {
        assert_eq!(parse_time(bad), None, "{bad}");
    }
}

fn near_titles() -> impl Strategy<Value = Vec<String>> {
    // A small alphabet so that random titles land near both thresholds;
    // some titles are edits of others.
    let alphabet = prop::sample::select(vec![
        '数', '据', '安', '全', '平', '台', 'a', 'B', '⼀', '一',
    ]);
    let title =
        prop::collection::vec(alphabet, 0..24).prop_map(|c| c.into_iter().collect::<String>());
    prop::collection::vec(title, 2..14)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_bit_parallel_lcs_is_the_textbook_one(
        a in prop::collection::vec(prop::sample::select(vec!['a', 'b', 'c', '安']), 0..200),
        b in prop::collection::vec(prop::sample::select(vec!['a', 'b', 'c', '安']), 0..200),
    ) {
        prop_assert_eq!(lcs_len(&a, &b), lcs_reference(&a, &b));
    }

    #[test]
    fn the_filter_never_drops_a_pair_that_reaches_a_threshold(titles in near_titles()) {
        let refs: Vec<&str> = titles.iter().map(String::as_str).collect();
        let got = similar_title_pairs(&refs);
        let mut want = Vec::new();
        for i in 0..titles.len() {
            for j in i + 1..titles.len() {
                let (a, b) = (fold_title(&titles[i]), fold_title(&titles[j]));
                let sim = if a.is_empty() && b.is_empty() {
                    1000
                } else {
                    (2000 * lcs_reference(&a, &b) / (a.len() + b.len())) as u32
                };
                prop_assert_eq!(sim, similarity_of(&a, &b));
                if sim >= SAME_LEAD_TITLE {
                    want.push((i, j, sim));
                }
            }
        }
        prop_assert_eq!(&got, &want);
        // Both thresholds: the pairs at or above 85 % are among them.
        let high = got.iter().filter(|p| p.2 >= SAME_TITLE).count();
        prop_assert_eq!(high, want.iter().filter(|p| p.2 >= SAME_TITLE).count());
    }
}
