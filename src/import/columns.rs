//! The columns of an application table (CSV or XLSX): today's English
//! keys and the Chinese headers the provinces' 推荐项目汇总表 use, matched
//! after folding (NFKC, white space removed, ASCII lower-cased, a trailing
//! `*` of a required column dropped). A header that matches nothing is
//! refused with the nearest known name; full-width punctuation in it is
//! named.

use unicode_normalization::UnicodeNormalization;

/// One field of an application a column fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Id,
    Title,
    Direction,
    LeadName,
    LeadCreditCode,
    LeadSme,
    Sector,
    Authority,
    Priority,
    Province,
    Overview,
    Technology,
    Deployment,
    Replication,
    PreviouslySelected,
    NationalFunding,
    Built,
}

/// The fields in the order of the sample file, each with its English key
/// and the Chinese headers that mean it (the first is the one messages
/// use).
pub const FIELDS: &[(Field, &str, &[&str])] = &[
    (Field::Id, "id", &["项目编号", "申报编号", "编号", "项目id"]),
    (Field::Title, "title", &["项目名称", "名称"]),
    (
        Field::Direction,
        "direction",
        &["试点方向", "申报方向", "方向", "所属方向"],
    ),
    (
        Field::LeadName,
        "lead_name",
        &["牵头单位", "牵头单位名称", "申报单位", "申报单位名称"],
    ),
    (
        Field::LeadCreditCode,
        "lead_credit_code",
        &[
            "统一社会信用代码",
            "牵头单位统一社会信用代码",
            "牵头单位信用代码",
            "申报单位统一社会信用代码",
        ],
    ),
    (
        Field::LeadSme,
        "lead_sme",
        &["是否中小企业", "牵头单位是否中小企业", "中小企业"],
    ),
    (
        Field::Sector,
        "sector",
        &["所属行业", "行业", "行业领域", "应用行业"],
    ),
    (Field::Authority, "authority", &["推荐单位", "推荐部门"]),
    (
        Field::Priority,
        "priority",
        &["推荐顺序", "推荐排序", "排序"],
    ),
    (
        Field::Province,
        "province",
        &["省份", "所在省份", "地区", "省市"],
    ),
    (
        Field::Overview,
        "overview",
        &["项目概述", "项目简介", "概述"],
    ),
    (
        Field::Technology,
        "technology",
        &["技术方案", "关键技术", "技术"],
    ),
    (
        Field::Deployment,
        "deployment",
        &["应用部署", "部署应用情况", "应用情况"],
    ),
    (
        Field::Replication,
        "replication",
        &["推广价值", "推广应用", "推广前景"],
    ),
    (
        Field::PreviouslySelected,
        "previously_selected",
        &["是否曾入选", "曾入选试点示范", "是否曾入选试点示范"],
    ),
    (
        Field::NationalFunding,
        "national_funding",
        &["是否获国家资金支持", "获国家资金支持", "国家资金支持"],
    ),
    (Field::Built, "built", &["是否建成", "已建成", "是否已建成"]),
];

/// The fields a table must have; the rest default (empty text, 否, no
/// priority; `built` 是, as in JSON).
pub const REQUIRED: &[Field] = &[
    Field::Id,
    Field::Title,
    Field::Direction,
    Field::LeadName,
    Field::LeadCreditCode,
];

/// What one column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Field(Field),
    /// The k-th joint unit's name, credit code, SME flag (k from 1).
    JointName(usize),
    JointCode(usize),
    JointSme(usize),
    /// All joint units in one cell (separated by 、；; or a line break),
    /// and their credit codes in the same order.
    JointNames,
    JointCodes,
    /// A column of the 汇总表 panelist does not need (序号, the row number).
    Ignored,
}

/// The English key of `f`.
pub fn key(f: Field) -> &'static str {
    FIELDS
        .iter()
        .find(|(x, _, _)| *x == f)
        .map_or("?", |(_, k, _)| k)
}

/// Folds a header for matching: NFKC (full-width forms become ASCII),
/// white space removed, ASCII lower-cased, trailing `*` dropped.
pub fn fold(h: &str) -> String {
    let s: String = h
        .nfkc()
        .filter(|c| !c.is_whitespace() && !crate::domain::text::is_dangerous(*c))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    s.trim_end_matches('*').to_string()
}

/// What the header `h` names, if anything.
pub fn classify(h: &str) -> Option<Col> {
    let f = fold(h);
    if f.is_empty() {
        return None;
    }
    if f == "序号" || f == "no." || f == "no" || f == "seq" {
        return Some(Col::Ignored);
    }
    for (field, k, zh) in FIELDS {
        if f == *k || zh.iter().any(|z| fold(z) == f) {
            return Some(Col::Field(*field));
        }
    }
    match f.as_str() {
        "联合单位" | "联合单位名称" | "joint_units" => return Some(Col::JointNames),
        "联合单位统一社会信用代码" | "联合单位信用代码" | "joint_credit_codes" =>
        {
            return Some(Col::JointCodes);
        }
        _ => {}
    }
    // joint1_name / joint1_credit_code / joint1_sme; 联合单位1, 联合单位1统一社会信用代码,
    // 联合单位1是否中小企业.
    if let Some(rest) = f.strip_prefix("joint") {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(k) = digits.parse::<usize>()
            && (1..=64).contains(&k)
        {
            return match &rest[digits.len()..] {
                "_name" => Some(Col::JointName(k)),
                "_credit_code" => Some(Col::JointCode(k)),
                "_sme" => Some(Col::JointSme(k)),
                _ => None,
            };
        }
    }
    if let Some(rest) = f.strip_prefix("联合单位") {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(k) = digits.parse::<usize>()
            && (1..=64).contains(&k)
        {
            return match &rest[digits.len()..] {
                "" | "名称" => Some(Col::JointName(k)),
                "统一社会信用代码" | "信用代码" => Some(Col::JointCode(k)),
                "是否中小企业" | "中小企业" => Some(Col::JointSme(k)),
                _ => None,
            };
        }
    }
    None
}

/// Every name a header may have, for suggestions.
fn known_names() -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for (_, k, zh) in FIELDS {
        v.push((*k).to_string());
        v.extend(zh.iter().map(|z| (*z).to_string()));
    }
    for n in 1..=4 {
        v.push(format!("joint{n}_name"));
        v.push(format!("joint{n}_credit_code"));
        v.push(format!("joint{n}_sme"));
        v.push(format!("联合单位{n}"));
        v.push(format!("联合单位{n}统一社会信用代码"));
        v.push(format!("联合单位{n}是否中小企业"));
    }
    v.extend(
        ["联合单位", "联合单位统一社会信用代码", "序号"]
            .iter()
            .map(|s| (*s).to_string()),
    );
    v
}

/// The known header nearest to `h`, when one is near enough to be a
/// likely slip (a misspelling, a digit moved, a word changed).
pub fn suggest(h: &str) -> Option<String> {
    let f = fold(h);
    let n = f.chars().count();
    if n == 0 {
        return None;
    }
    let mut best: Option<(usize, String)> = None;
    for k in known_names() {
        let d = strsim::osa_distance(&f, &fold(&k));
        if best.as_ref().is_none_or(|(bd, _)| d < *bd) {
            best = Some((d, k));
        }
    }
    // Near enough: at most a third of the characters differ (at least 1,
    // at most 4).
    let limit = (n / 3).clamp(1, 4);
    best.filter(|(d, _)| *d <= limit).map(|(_, k)| k)
}

/// The full-width punctuation in a header, as `'，' (U+FF0C)` text.
pub fn full_width(h: &str) -> Vec<char> {
    let mut v: Vec<char> = h
        .chars()
        .filter(|&c| {
            ('\u{FF01}'..='\u{FF0F}').contains(&c)
                || ('\u{FF1A}'..='\u{FF20}').contains(&c)
                || ('\u{FF3B}'..='\u{FF40}').contains(&c)
                || ('\u{FF5B}'..='\u{FF65}').contains(&c)
                || ('\u{3000}'..='\u{3003}').contains(&c)
                || ('\u{3008}'..='\u{3011}').contains(&c)
        })
        .collect();
    v.dedup();
    v
}

/// Whether `h` is known columns joined by a full-width comma, semicolon
/// or ideographic comma (a separator typed in a Chinese input mode): the
/// names it holds.
pub fn joined_names(h: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = h
        .split(['，', '；', '、', '\u{3000}'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    (parts.len() > 1 && parts.iter().all(|p| classify(p).is_some()))
        .then(|| parts.iter().map(|p| (*p).to_string()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_and_chinese_headers_name_the_same_fields() {
        assert_eq!(classify("title"), Some(Col::Field(Field::Title)));
        assert_eq!(classify(" 项目名称* "), Some(Col::Field(Field::Title)));
        assert_eq!(classify("申报方向"), Some(Col::Field(Field::Direction)));
        assert_eq!(classify("试点方向"), Some(Col::Field(Field::Direction)));
        assert_eq!(
            classify("统一社会信用代码"),
            Some(Col::Field(Field::LeadCreditCode))
        );
        assert_eq!(classify("ｔｉｔｌｅ"), Some(Col::Field(Field::Title)));
        assert_eq!(classify("joint3_name"), Some(Col::JointName(3)));
        assert_eq!(
            classify("联合单位2统一社会信用代码"),
            Some(Col::JointCode(2))
        );
        assert_eq!(classify("联合单位"), Some(Col::JointNames));
        assert_eq!(classify("序号"), Some(Col::Ignored));
        assert_eq!(classify("joint_3_name"), None);
        assert_eq!(classify("备注"), None);
    }

    #[test]
    fn a_slip_gets_the_nearest_name_and_nonsense_none() {
        assert_eq!(suggest("joint_3_name").as_deref(), Some("joint3_name"));
        assert_eq!(suggest("titel").as_deref(), Some("title"));
        assert_eq!(suggest("项目名").as_deref(), Some("项目名称"));
        assert_eq!(suggest("备注"), None);
    }

    #[test]
    fn full_width_separators_are_found() {
        assert_eq!(full_width("lead_name，lead_credit_code"), vec!['，']);
        assert_eq!(
            joined_names("lead_name，lead_credit_code"),
            Some(vec!["lead_name".into(), "lead_credit_code".into()])
        );
        assert_eq!(joined_names("备注，说明"), None);
    }
}
