//! Possible conflicts of interest (回避): whether an expert's organisation
//! resembles a unit of an application's consortium.
//!
//! Names are folded with [`normalize_name`], stripped of what many names
//! share (legal forms such as 有限公司, words such as 安全 or 技术, place
//! names, bracketed parts), and what is left — the distinctive core — is
//! compared: a shared run of at least two CJK characters (or three ASCII
//! letters or digits), or one core found almost contiguously in the other
//! by the fuzzy matcher. 华信安全研究院 and 华信安全技术研究院有限公司 both
//! come down to 华信. This only raises a question for the expert; it never
//! decides.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use super::Application;
use super::text::normalize_name;

/// Words that say what kind of body a unit is or what field it works in,
/// not which one it is (removed longest first, so that 股份有限公司 goes
/// before 有限公司).
const GENERIC: &[&str] = &[
    "理工",
    "工业",
    "师范",
    "交通",
    "财经",
    "医科",
    "农业",
    "电力",
    "能源",
    "空间",
    "职业",
    "检测",
    "计算机",
    "互联网",
    "物联网",
    "云计算",
    "人工智能",
    "大数据",
    "密码",
    "商用",
    "创新",
    "研究",
    "应用",
    "平台",
    "运营",
    "产业园",
    "联合",
    "联盟",
    "基地",
    "科学",
    "信创",
    "防护",
    "股份有限公司",
    "有限责任公司",
    "内蒙古自治区",
    "工程技术研究中心",
    "重点实验室",
    "研究中心",
    "有限公司",
    "分公司",
    "实验室",
    "研究院",
    "研究所",
    "设计院",
    "科学院",
    "黑龙江",
    "内蒙古",
    "自治区",
    "集团",
    "公司",
    "大学",
    "学院",
    "学校",
    "中心",
    "科技",
    "技术",
    "信息",
    "网络",
    "安全",
    "数据",
    "数字",
    "软件",
    "系统",
    "通信",
    "电子",
    "智能",
    "智慧",
    "发展",
    "股份",
    "工程",
    "协会",
    "产业",
    "服务",
    "国际",
    "控股",
    "中国",
    "国家",
    "测评",
    "认证",
    "咨询",
    "管理",
    "单位",
    "示例",
    "演示",
    "测试",
    "北京",
    "上海",
    "天津",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
    "深圳",
    "广州",
    "杭州",
    "南京",
    "武汉",
    "成都",
    "西安",
    "苏州",
    "合肥",
    "厦门",
    "青岛",
    "大连",
    "宁波",
    "省",
    "市",
    "co.,ltd.",
    "co.,ltd",
    "co.ltd",
    "ltd.",
    "ltd",
    "inc.",
    "inc",
    "corporation",
    "company",
    "group",
    "institute",
    "technology",
    "university",
];

fn generic_longest_first() -> &'static [&'static str] {
    static SORTED: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    SORTED.get_or_init(|| {
        let mut v = GENERIC.to_vec();
        v.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        v
    })
}

/// The distinctive core of a name.
pub fn core(name: &str) -> String {
    let n = normalize_name(name);
    // Drop bracketed parts: （北京） is a place, not a name.
    let mut s = String::with_capacity(n.len());
    let mut depth = 0u32;
    for c in n.chars() {
        match c {
            '(' | '[' | '（' | '【' => depth += 1,
            ')' | ']' | '）' | '】' => depth = depth.saturating_sub(1),
            _ if depth == 0 => s.push(c),
            _ => {}
        }
    }
    for g in generic_longest_first() {
        if s.contains(g) {
            s = s.replace(g, "");
        }
    }
    s.chars()
        .filter(|c| c.is_alphanumeric() || !c.is_ascii())
        .collect()
}

fn significant(run: &[char]) -> bool {
    let cjk = run.iter().filter(|c| !c.is_ascii()).count();
    let ascii = run.iter().filter(|c| c.is_ascii_alphanumeric()).count();
    cjk >= 2 || ascii >= 3
}

/// The longest run of characters both cores share.
fn longest_common_run(a: &[char], b: &[char]) -> Vec<char> {
    let mut best = (0usize, 0usize);
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = if ca == cb { prev[j] + 1 } else { 0 };
            if cur[j + 1] > best.0 {
                best = (cur[j + 1], i + 1);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    a[best.1 - best.0..best.1].to_vec()
}

/// What two names share that makes them look alike, if anything.
pub fn resemblance(org: &str, unit: &str) -> Option<String> {
    let (no, nu) = (normalize_name(org), normalize_name(unit));
    if no.is_empty() || nu.is_empty() {
        return None;
    }
    if no == nu || (no.chars().count() >= 4 && nu.contains(&no)) {
        return Some(org.trim().to_string());
    }
    let (co, cu) = (core(org), core(unit));
    let a: Vec<char> = co.chars().collect();
    let b: Vec<char> = cu.chars().collect();
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let run = longest_common_run(&a, &b);
    let shorter = a.len().min(b.len());
    if significant(&run) && run.len() * 2 >= shorter {
        return Some(run.into_iter().collect());
    }
    // The shorter core found in the longer one with at most one gap of a
    // character: 华信 in 华为信通 does not count, 华信安 in 华信云安 does.
    let (short, long) = if a.len() <= b.len() {
        (&co, &cu)
    } else {
        (&cu, &co)
    };
    let sc: Vec<char> = short.chars().collect();
    if significant(&sc) && sc.len() >= 3 {
        let m = SkimMatcherV2::default();
        if let Some((_, idx)) = m.fuzzy_indices(long, short)
            && let (Some(first), Some(last)) = (idx.first(), idx.last())
            && last - first < sc.len() + 1
        {
            return Some(short.clone());
        }
    }
    None
}

/// A unit of an application that resembles the expert's organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// 0 for the lead unit, then the joint units in order.
    pub unit_index: usize,
    pub unit: String,
    pub shared: String,
}

/// The first unit of `app` that resembles `org`.
pub fn find(org: &str, app: &Application) -> Option<Conflict> {
    app.units().enumerate().find_map(|(i, u)| {
        resemblance(org, &u.name).map(|shared| Conflict {
            unit_index: i,
            unit: u.name.clone(),
            shared,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_body_under_a_longer_name_resembles() {
        assert_eq!(
            resemblance("华信安全研究院", "华信安全技术研究院有限公司").as_deref(),
            Some("华信")
        );
        assert!(resemblance("启明星辰", "启明星辰信息技术集团股份有限公司").is_some());
        assert!(resemblance("奇安信科技集团", "奇安信科技集团股份有限公司").is_some());
        assert!(resemblance("北京大学", "北京大学").is_some());
        assert!(resemblance("启衡网络安全研究院", "启衡网络安全技术研究院有限公司").is_some());
        assert!(resemblance("华岳理工大学网络空间安全学院", "华岳理工大学").is_some());
        assert!(resemblance("Ａｃｍｅ Ｓｅｃｕｒｉｔｙ", "acme security co.,ltd").is_some());
    }

    #[test]
    fn generic_words_and_places_alone_do_not() {
        assert_eq!(resemblance("北京大学", "北京华信科技有限公司"), None);
        assert_eq!(resemblance("示例研究院1", "示例单位1科技有限公司"), None);
        assert_eq!(resemblance("测试研究院", "测试单位7有限公司"), None);
        assert_eq!(
            resemblance("中国信息安全测评中心", "上海数据安全技术有限公司"),
            None
        );
        assert_eq!(resemblance("华信安全研究院", "华为技术有限公司"), None);
        assert_eq!(
            resemblance("华岳理工大学网络空间安全学院", "岱宗理工大学"),
            None
        );
        assert_eq!(
            resemblance("江屿密码技术检测中心", "上海铭钥密码技术有限公司"),
            None
        );
        assert_eq!(
            resemblance("西岭工业大学信息安全研究院", "松嫩工业大学"),
            None
        );
        assert_eq!(resemblance("", "华为技术有限公司"), None);
    }

    #[test]
    fn a_joint_unit_is_found_with_its_position() {
        let mut a = crate::domain::Application {
            id: "A".into(),
            title: "t".into(),
            direction: Some(1),
            direction_written: None,
            lead_unit: crate::domain::Unit {
                name: "星河数安（北京）科技有限公司".into(),
                credit_code: String::new(),
                sme: false,
            },
            joint_units: vec![],
            sector: String::new(),
            authority: String::new(),
            priority: None,
            province: String::new(),
            sections: Default::default(),
            previously_selected: false,
            national_funding: false,
            built: true,
        };
        assert_eq!(find("华信安全研究院", &a), None);
        a.joint_units.push(crate::domain::Unit {
            name: "华信安全技术研究院有限公司".into(),
            credit_code: String::new(),
            sme: false,
        });
        let c = find("华信安全研究院", &a).expect("conflict");
        assert_eq!(c.unit_index, 1);
        assert_eq!(c.shared, "华信");
        assert!(find("星河数安研究院", &a).is_some());
    }
}
