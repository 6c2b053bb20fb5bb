//! Deterministic generator of realistic panels for tests and benchmarks:
//! N applications with Chinese titles, units and long texts across every
//! direction of a catalog. Same seed, same output.

use crate::domain::{Application, Catalog, Sections, Unit};

/// SplitMix64: tiny, portable and stable across versions, which a
/// benchmark's data must be (a library RNG may change its stream).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x05EE_D0F7_A9E1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent as usize
    }
}

const PROVINCES: &[(&str, &str)] = &[
    ("北京", "BJ"),
    ("上海", "SH"),
    ("天津", "TJ"),
    ("重庆", "CQ"),
    ("河北", "HE"),
    ("山西", "SX"),
    ("辽宁", "LN"),
    ("吉林", "JL"),
    ("黑龙江", "HL"),
    ("江苏", "JS"),
    ("浙江", "ZJ"),
    ("安徽", "AH"),
    ("福建", "FJ"),
    ("江西", "JX"),
    ("山东", "SD"),
    ("河南", "HA"),
    ("湖北", "HB"),
    ("湖南", "HN"),
    ("广东", "GD"),
    ("广西", "GX"),
    ("海南", "HI"),
    ("四川", "SC"),
    ("贵州", "GZ"),
    ("云南", "YN"),
    ("陕西", "SN"),
    ("甘肃", "GS"),
    ("宁夏", "NX"),
    ("新疆", "XJ"),
];
const SECTORS: &[&str] = &[
    "公共通信和信息服务",
    "人力资源社会保障",
    "水利",
    "卫生健康",
    "应急管理",
    "广播电视",
    "金融",
    "交通运输",
    "邮政",
    "能源",
];
const FIELDS: &[&str] = &[
    "金融交易",
    "电力调度",
    "智慧水务",
    "城市轨道交通",
    "医疗影像",
    "社保经办",
    "应急指挥",
    "广电传输",
    "邮政物流",
    "港口航运",
    "工业园区",
    "政务外网",
    "油气管网",
    "民航运行",
    "医保结算",
    "气象服务",
];
const TOPICS: &[&str] = &[
    "数据安全治理",
    "零信任访问控制",
    "威胁情报共享",
    "资产测绘与暴露面管理",
    "态势感知",
    "漏洞闭环管理",
    "密码应用改造",
    "终端检测与响应",
    "日志审计分析",
    "供应链安全检测",
    "模型安全评测",
    "数据分类分级",
    "身份认证与访问管理",
    "攻击溯源取证",
    "安全运营托管",
    "云原生工作负载防护",
    "车云通信安全",
    "物联终端准入",
];
const KINDS: &[&str] = &["平台", "系统", "解决方案", "服务体系", "防护体系", "中台"];
const PREFIX: &[&str] = &["面向", "基于", "支撑", "服务"];
const NAME_A: &[&str] = &[
    "星河", "华信", "天穹", "云岭", "安澜", "鼎盾", "启明", "海纳", "长风", "磐石", "北辰", "青松",
    "睿安", "中科", "御信", "凌云", "智盾", "恒安", "数安", "京信",
];
const NAME_B: &[&str] = &[
    "网络", "信息", "数据", "智能", "安全", "数字", "密码", "通信",
];
const NAME_C: &[&str] = &[
    "科技有限公司",
    "技术股份有限公司",
    "信息技术有限公司",
    "研究院",
    "安全技术有限公司",
    "软件有限公司",
];
const AUTHORITY_KIND: &[&str] = &["通信管理局", "工业和信息化厅", "委网信办"];
const SENTENCES: &[&str] = &[
    "项目自{y}年起在{f}场景上线运行，覆盖{n}个节点",
    "平台日均处理安全日志约{n}万条，告警准确率提升{p}%",
    "采用国产密码算法实现身份鉴别与数据加密，完成商用密码应用安全性评估",
    "构建统一资产台账，发现并处置高危暴露面{n}处",
    "与{n}家行业单位建立联防联控机制，平均响应时间缩短{p}%",
    "核心引擎具备自主知识产权，已获发明专利{k}项、软件著作权{n}项",
    "方案可按租户模式快速复制，部署周期由数月缩短至{k}周",
    "通过等级保护三级测评，连续{k}年未发生重大网络安全事件",
    "在{f}领域形成标准化交付包，已向{k}个省份推广",
    "利用机器学习模型识别异常行为，误报率下降{p}%",
];

fn sentence(r: &mut Rng) -> String {
    let s = *r.pick(SENTENCES);
    s.replace("{y}", &(2019 + r.below(5)).to_string())
        .replace("{f}", r.pick::<&str>(FIELDS))
        .replace("{n}", &(10 + r.below(4990)).to_string())
        .replace("{p}", &(5 + r.below(60)).to_string())
        .replace("{k}", &(2 + r.below(20)).to_string())
}

fn paragraph(r: &mut Rng, sentences: usize) -> String {
    let mut out = String::new();
    for i in 0..sentences {
        out.push_str(&sentence(r));
        out.push(if i + 1 == sentences { '。' } else { '，' });
    }
    out
}

/// A valid unified social credit code derived from `n`.
pub fn credit_code(n: u64) -> String {
    const CH: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut body = String::from("91");
    body.push_str(&format!("{:06}", 110000 + (n % 890000)));
    let mut m = n;
    for _ in 0..9 {
        body.push(CH[(m % 31) as usize] as char);
        m /= 31;
    }
    let c = crate::domain::credit::check_char(&body).unwrap_or('0');
    body.push(c);
    body
}

/// `n` applications spread over every direction of `catalog`. Unit names
/// are unique per application index, so the eligibility screen stays
/// clean apart from chance title similarity.
pub fn applications(catalog: &Catalog, n: usize, seed: u64) -> Vec<Application> {
    let mut r = Rng::new(seed);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (prov, abbr) = *r.pick(PROVINCES);
        let d = &catalog.directions[i % catalog.directions.len()];
        let unit = |r: &mut Rng, k: usize| Unit {
            name: format!(
                "{}{}{}{}",
                r.pick(NAME_A),
                r.pick(NAME_B),
                i * 3 + k,
                r.pick(NAME_C)
            ),
            credit_code: credit_code((i * 3 + k) as u64 * 7919 + seed),
            sme: r.chance(40),
        };
        let lead = unit(&mut r, 0);
        let joints = (0..r.below(3)).map(|k| unit(&mut r, k + 1)).collect();
        let title = format!(
            "{}{}的{}{}（{}）",
            r.pick(PREFIX),
            r.pick(FIELDS),
            r.pick(TOPICS),
            r.pick(KINDS),
            d.short_zh
        );
        out.push(Application {
            id: format!("G-{abbr}-{i:06}"),
            title,
            direction: Some(d.code),
            direction_written: None,
            lead_unit: lead,
            joint_units: joints,
            sector: r.pick(SECTORS).to_string(),
            authority: format!("{prov}{}（第{}批）", r.pick(AUTHORITY_KIND), i / 4 + 1),
            priority: Some((i % 4) as u32 + 1),
            province: prov.to_string(),
            sections: Sections {
                overview: paragraph(&mut r, 4),
                technology: paragraph(&mut r, 6),
                deployment: paragraph(&mut r, 5),
                replication: paragraph(&mut r, 3),
            },
            previously_selected: false,
            national_funding: false,
            built: true,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_data_and_codes_valid() {
        let c = crate::domain::catalog::shipped_catalog("2023").expect("catalog");
        let a = applications(&c, 50, 7);
        let b = applications(&c, 50, 7);
        assert_eq!(a, b);
        assert_ne!(a, applications(&c, 50, 8));
        for app in &a {
            for u in app.units() {
                assert_eq!(
                    crate::domain::credit::validate(&u.credit_code),
                    Ok(()),
                    "{}",
                    u.credit_code
                );
            }
        }
        let dirs: std::collections::BTreeSet<_> = a.iter().filter_map(|x| x.direction).collect();
        assert_eq!(dirs.len(), c.directions.len());
    }
}
