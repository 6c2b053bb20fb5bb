//! The panel's summary (专家组评审汇总表): A4 landscape; per direction in
//! rank order every application's figures under the rule, recommendation
//! counts and flags; the method in words; a signature line for every
//! merged expert and the chair, and room for dissent.

use super::layout::{A4, DocMeta, Footer, Table, Writer};
use super::{PaperFont, SummaryInput, day, file_line, page_en, page_zh, trust_line};
use crate::domain::aggregate::RankRule;
use crate::formats::merged::{MergedApp, MergedPayload, Method};
use crate::support::lang::Lang;

const BODY: f32 = 9.0;
const SMALL: f32 = 7.5;

/// The panel's opinion (专家组意见) on an application, as the signed result
/// carries it (the chair's text, made inert), printed in full below the
/// application's row.
fn opinion(app: &MergedApp) -> Option<&str> {
    app.opinion.as_ref().map(|o| o.text.as_str())
}

fn rule_name(r: RankRule, lang: Lang) -> &'static str {
    match r {
        RankRule::Trimmed => lang.pick("截尾均值", "trimmed mean"),
        RankRule::Mean => lang.pick("均值", "mean"),
        RankRule::Median => lang.pick("中位数", "median"),
    }
}

pub(super) fn render(
    input: &SummaryInput,
    font: &mut PaperFont,
    lang: Lang,
) -> Result<(Vec<u8>, usize), String> {
    let p = &input.payload;
    let zh = lang.is_zh();
    let rule = p.method.rule;
    let mut w = Writer::new(font, (A4.1, A4.0));
    let title = lang.pick("专家组评审汇总表", "Panel summary");
    w.centred(title, 16.0);
    w.gap(4.0);
    let chair = p
        .chair
        .as_ref()
        .map(|c| format!("{}（{}）", c.name, c.id))
        .unwrap_or_default();
    let lines = if zh {
        vec![
            format!("申报批次：{}    评审组：{}", p.bundle.call, p.bundle.panel),
            format!(
                "组长：{chair}    汇总日期：{}（{}）    专家 {} 人，申报项目 {} 项，未采用文件 {} 份",
                day(&p.created),
                p.created,
                p.inputs.len(),
                p.applications.len(),
                p.left_out.len()
            ),
            format!(
                "文件：{}    SHA-256：{}",
                input.source.name, input.source.sha256
            ),
            trust_line(&input.trust, lang),
        ]
    } else {
        vec![
            format!("Call: {}    Panel: {}", p.bundle.call, p.bundle.panel),
            format!(
                "Chair: {chair}    Merged: {} ({})    {} experts, {} applications, {} files left out",
                day(&p.created),
                p.created,
                p.inputs.len(),
                p.applications.len(),
                p.left_out.len()
            ),
            format!(
                "File: {}    SHA-256: {}",
                input.source.name, input.source.sha256
            ),
            trust_line(&input.trust, lang),
        ]
    };
    for l in &lines {
        w.para(l, BODY, 0.0);
    }
    w.gap(4.0);
    let crit = &p.rubric.criteria;
    let body = w.body_width();
    let each = 176.0 / crit.len().max(1) as f32;
    let mut widths = vec![30.0, 64.0, 0.0, 118.0, 22.0, 48.0];
    widths.extend(crit.iter().map(|_| each));
    widths.extend([50.0, 104.0]);
    let used: f32 = widths.iter().sum();
    widths[2] = (body - used).max(80.0);
    let mut header = vec![
        lang.pick("排名", "Rank").to_string(),
        lang.pick("编号", "ID").to_string(),
        lang.pick("项目名称", "Title").to_string(),
        lang.pick("牵头单位", "Lead unit").to_string(),
        "n".to_string(),
        format!("{}\n{}", lang.pick("总分", "Total"), rule_name(rule, lang)),
    ];
    header.extend(
        crit.iter()
            .map(|c| lang.pick(&c.name_zh, &c.name_en).to_string()),
    );
    header.push(lang.pick("推荐\n是/否", "Recommend\nyes/no").to_string());
    header.push(lang.pick("标记", "Flags").to_string());
    let table = Table {
        widths,
        header,
        size: SMALL,
    };
    for code in p.direction_codes() {
        w.gap(4.0);
        w.keep(60.0);
        w.para(
            &match lang {
                Lang::Zh => format!("方向 {code}：{}", p.direction_name(code, lang, false)),
                Lang::En => format!("Direction {code}: {}", p.direction_name(code, lang, false)),
            },
            10.0,
            0.0,
        );
        w.begin_table(table.clone());
        for a in p.ranked(code) {
            w.row(&cells(a, p, lang));
            if let Some(o) = opinion(a) {
                let head = lang.pick("专家组意见：", "Panel's opinion: ");
                for (i, line) in o.split('\n').enumerate() {
                    let line = crate::domain::text::inert_line(line);
                    let text = if i == 0 {
                        format!("{head}{line}")
                    } else {
                        line
                    };
                    w.para(&text, SMALL, 8.0);
                }
                w.gap(2.0);
            }
        }
        w.end_table();
    }
    w.gap(8.0);
    w.para(lang.pick("评审方法", "Method"), 11.0, 0.0);
    for l in method_words(&p.method, p, lang) {
        w.para(&l, BODY, 8.0);
    }
    w.gap(8.0);
    w.keep(120.0);
    w.para(
        lang.pick(
            "专家组成员签字（本表与上述文件一致；持不同意见的成员在签字后写明理由）",
            "Signatures of the panel (this sheet is the file above; a member who disagrees signs and writes the reasons below)",
        ),
        11.0,
        0.0,
    );
    let date = lang.pick("日期：", "Date:");
    for i in &p.inputs {
        let label = match lang {
            Lang::Zh => format!("专家 {}（{}）签字：", i.name, i.expert),
            Lang::En => format!("Expert {} ({}):", i.name, i.expert),
        };
        w.sign_line(&label, date, 9.5);
    }
    let chair_label = match lang {
        Lang::Zh => format!("组长 {chair}签字："),
        Lang::En => format!("Chair {chair}:"),
    };
    w.sign_line(&chair_label, date, 9.5);
    w.gap(8.0);
    w.write_box(
        lang.pick(
            "不同意见（成员姓名及理由）：",
            "Dissent (member's name and reasons):",
        ),
        BODY,
        120.0,
    );
    let footer = Footer {
        who: match lang {
            Lang::Zh => format!("{title}    {}    组长：{chair}", p.bundle.panel),
            Lang::En => format!("{title}    {}    Chair: {chair}", p.bundle.panel),
        },
        file: file_line(&input.source, lang),
        qr: input.source.sha256.clone(),
        page: if zh { page_zh } else { page_en },
    };
    let meta = DocMeta {
        title: format!("{title} — {}", p.bundle.panel),
        created: p.created.clone(),
        doc_id: input.source.sha256.clone(),
        lang: if zh { "zh-CN" } else { "en" },
    };
    w.finish(&footer, &meta)
}

fn cells(a: &MergedApp, p: &MergedPayload, lang: Lang) -> Vec<String> {
    let rule = p.method.rule;
    let mut v = vec![
        a.rank.map_or("—".into(), |r| r.to_string()),
        a.id.clone(),
        a.title.clone(),
        a.lead_unit.clone(),
        a.total.as_ref().map_or(0, |t| t.n).to_string(),
        a.total
            .as_ref()
            .map_or("—".into(), |t| t.pick(rule).to_string()),
    ];
    for c in &p.rubric.criteria {
        v.push(
            a.criteria
                .get(&c.key)
                .map_or("—".into(), |f| f.pick(rule).to_string()),
        );
    }
    v.push(format!("{} / {}", a.recommend_yes, a.recommend_no));
    v.push(flags(a, lang));
    v
}

fn flags(a: &MergedApp, lang: Lang) -> String {
    let f = &a.flags;
    let mut v: Vec<String> = Vec::new();
    if f.all_recused {
        v.push(lang.pick("全部回避", "all recused").into());
    } else if f.below_quorum {
        v.push(lang.pick("不足法定人数", "below quorum").into());
    }
    if f.high_disagreement {
        v.push(lang.pick("分歧大", "high disagreement").into());
    }
    if !f.outliers.is_empty() {
        v.push(format!(
            "{}{}",
            lang.pick("离群：", "outliers: "),
            f.outliers.join(", ")
        ));
    }
    if f.rank_unstable {
        v.push(lang.pick("排名不稳", "rank unstable").into());
    }
    if !a.recused.is_empty() {
        v.push(format!(
            "{}{}",
            lang.pick("回避：", "recused: "),
            a.recused.join(", ")
        ));
    }
    if let Some(t) = &a.tie_break {
        v.push(format!("{}{t}", lang.pick("同分：", "tie: ")));
    }
    v.join("；")
}

/// The method, in words.
fn method_words(m: &Method, p: &MergedPayload, lang: Lang) -> Vec<String> {
    let rule = rule_name(m.rule, lang);
    let experts: Vec<String> = p.inputs.iter().map(|i| i.expert.clone()).collect();
    match lang {
        Lang::Zh => vec![
            format!(
                "1. 每位专家对每个项目按 {} 项指标打分，总分为各项得分×权重之和；回避的专家不计入该项目。本表汇总专家 {} 的签名评分文件。",
                p.rubric.criteria.len(),
                experts.join("、")
            ),
            format!(
                "2. 各方向内按总分的{rule}由高到低排名（并列名次同号，如 1、2、2、4）；截尾均值在评分人数不少于 {} 时去掉一个最高分和一个最低分，否则为均值。",
                m.trim_min_n
            ),
            format!("3. 同分时：{}。", m.tie_break),
            format!(
                "4. 标记：有效评分少于 {} 份为不足法定人数；最高与最低总分之差不小于总分量程的 {}% 为分歧大；与中位数相差不小于量程的 {}% 为离群；各规则下排名相差超过 {} 位为排名不稳。",
                m.quorum, m.disagreement_pct, m.outlier_pct, m.rank_shift
            ),
            format!(
                "5. 所有数值由整数评分精确计算，保留 {} 位小数，四舍五入（远离零）。{}",
                m.places,
                if m.allow_partial {
                    "部分导出的文件已采用（其未完成项目不计）。"
                } else {
                    ""
                }
            ),
        ],
        Lang::En => vec![
            format!(
                "1. Each expert scores each application on {} criteria; the total is the sum of score × weight; an expert who recused is not counted for that application. This sheet summarises the signed files of experts {}.",
                p.rubric.criteria.len(),
                experts.join(", ")
            ),
            format!(
                "2. Within each direction applications are ranked by the {rule} of their totals, highest first (equal figures share a rank: 1, 2, 2, 4); the trimmed mean drops one highest and one lowest total when at least {} experts scored, else it is the mean.",
                m.trim_min_n
            ),
            format!("3. Ties: {}.", m.tie_break),
            format!(
                "4. Flags: below quorum with fewer than {} complete scores; high disagreement when the highest and lowest totals differ by at least {}% of the total's range; an outlier is at least {}% of the range from the median; rank unstable when the ranks under the rules differ by more than {} places.",
                m.quorum, m.disagreement_pct, m.outlier_pct, m.rank_shift
            ),
            format!(
                "5. Every figure is computed exactly from the integer scores and given to {} places, rounded half away from zero.{}",
                m.places,
                if m.allow_partial {
                    " Partial exports were admitted (their unfinished applications do not count)."
                } else {
                    ""
                }
            ),
        ],
    }
}
