//! The expert's score sheet (个人评分表): A4 portrait, one row per
//! application with its comment in full below it, recusals with their
//! reasons, the signature and date line at the end.

use super::layout::{A4, DocMeta, Footer, Table, Writer};
use super::{PaperFont, SheetInput, day, file_line, page_en, page_zh, trust_line};
use crate::formats::CriterionRef;
use crate::formats::scores::AppResult;
use crate::support::lang::Lang;

const BODY: f32 = 9.0;
const SMALL: f32 = 8.5;

fn scale(c: &CriterionRef, lang: Lang) -> String {
    let name = lang.pick(&c.name_zh, &c.name_en);
    if c.weight == 1 {
        format!("{name}\n{}–{}", c.min, c.max)
    } else {
        format!("{name}\n{}–{} ×{}", c.min, c.max, c.weight)
    }
}

pub(super) fn render(
    input: &SheetInput,
    font: &mut PaperFont,
    lang: Lang,
) -> Result<(Vec<u8>, usize), String> {
    let p = &input.payload;
    let zh = lang.is_zh();
    let crit = &p.rubric.criteria;
    let mut w = Writer::new(font, A4);
    let title = lang.pick("个人评分表", "Expert score sheet");
    w.centred(title, 16.0);
    w.gap(4.0);
    let total_min: i64 = crit.iter().map(|c| c.min * c.weight).sum();
    let total_max: i64 = crit.iter().map(|c| c.max * c.weight).sum();
    let count = |s: &str| p.applications.iter().filter(|a| a.status == s).count();
    let lines = if zh {
        vec![
            format!("申报批次：{}", p.bundle.call),
            format!("评审组：{}", p.bundle.panel),
            format!(
                "专家：{}（{}）    单位：{}    密钥：{}",
                p.expert.name,
                p.expert.id,
                p.expert.org,
                crate::crypto::short_id(&p.expert.key_id)
            ),
            format!(
                "日期：{}    导出时间：{}{}",
                day(&p.created),
                p.created,
                if p.partial {
                    "    （部分导出：尚有未完成的项目）"
                } else {
                    ""
                }
            ),
            format!(
                "评分：{} 项已评，{} 项回避，{} 项未完成，{} 项未评；总分为各项得分×权重之和（{}–{}）",
                count("complete"),
                count("recused"),
                count("draft"),
                count("todo"),
                total_min,
                total_max
            ),
            format!("文件：{}", input.source.name),
            format!("SHA-256：{}", input.source.sha256),
            trust_line(&input.trust, lang),
        ]
    } else {
        vec![
            format!("Call: {}", p.bundle.call),
            format!("Panel: {}", p.bundle.panel),
            format!(
                "Expert: {} ({})    Organisation: {}    Key: {}",
                p.expert.name,
                p.expert.id,
                p.expert.org,
                crate::crypto::short_id(&p.expert.key_id)
            ),
            format!(
                "Date: {}    Exported: {}{}",
                day(&p.created),
                p.created,
                if p.partial {
                    "    (partial export: some applications unfinished)"
                } else {
                    ""
                }
            ),
            format!(
                "Scores: {} scored, {} recused, {} unfinished, {} to do; the total is the sum of score × weight ({}–{})",
                count("complete"),
                count("recused"),
                count("draft"),
                count("todo"),
                total_min,
                total_max
            ),
            format!("File: {}", input.source.name),
            format!("SHA-256: {}", input.source.sha256),
            trust_line(&input.trust, lang),
        ]
    };
    for l in &lines {
        w.para(l, BODY, 0.0);
    }
    w.gap(6.0);
    let body = w.body_width();
    let fixed = 62.0 + 4.0 * 46.0 + 52.0 + 48.0;
    let mut widths = vec![62.0, body - fixed];
    widths.extend(crit.iter().map(|_| 46.0));
    widths.extend([52.0, 48.0]);
    let mut header = vec![
        lang.pick("编号", "ID").to_string(),
        lang.pick("项目名称", "Title").to_string(),
    ];
    header.extend(crit.iter().map(|c| scale(c, lang)));
    header.push(format!(
        "{}\n{total_min}–{total_max}",
        lang.pick("总分", "Total")
    ));
    header.push(lang.pick("推荐", "Recom-\nmend").to_string());
    // A rubric of other than four criteria still gets one column each.
    if crit.len() != 4 {
        let each = 184.0 / crit.len().max(1) as f32;
        for c in widths.iter_mut().skip(2).take(crit.len()) {
            *c = each;
        }
    }
    let table = Table {
        widths,
        header,
        size: SMALL,
    };
    w.begin_table(table);
    for a in &p.applications {
        w.row(&cells(a, input, lang));
        note(&mut w, a, lang);
    }
    w.end_table();
    w.gap(10.0);
    w.para(
        lang.pick(
            "本人确认以上评分与评审意见与所签名文件一致，并已如实申报回避事项。",
            "I confirm that the scores and comments above are those of the signed file and that I declared every conflict of interest.",
        ),
        BODY,
        0.0,
    );
    w.gap(6.0);
    w.sign_line(
        lang.pick("专家签字：", "Expert's signature:"),
        lang.pick("日期：", "Date:"),
        10.0,
    );
    let footer = Footer {
        who: match lang {
            Lang::Zh => format!(
                "{}    专家：{}（{}）    {}",
                title, p.expert.name, p.expert.id, p.bundle.panel
            ),
            Lang::En => format!(
                "{}    Expert: {} ({})    {}",
                title, p.expert.name, p.expert.id, p.bundle.panel
            ),
        },
        file: file_line(&input.source, lang),
        qr: input.source.sha256.clone(),
        page: if zh { page_zh } else { page_en },
    };
    let meta = DocMeta {
        title: format!("{title} — {} ({})", p.expert.name, p.expert.id),
        created: p.created.clone(),
        doc_id: input.source.sha256.clone(),
        lang: if zh { "zh-CN" } else { "en" },
    };
    w.finish(&footer, &meta)
}

/// The row of one application.
fn cells(a: &AppResult, input: &SheetInput, lang: Lang) -> Vec<String> {
    let p = &input.payload;
    let title = input.titles.get(&a.id).cloned().unwrap_or_default();
    let mut v = vec![a.id.clone(), title];
    let recused = a.status == "recused";
    for c in &p.rubric.criteria {
        v.push(if recused {
            lang.pick("回避", "recused").to_string()
        } else {
            a.scores.get(&c.key).map_or("—".to_string(), i64::to_string)
        });
    }
    v.push(match (a.total, a.status.as_str()) {
        (Some(t), _) => t.to_string(),
        (None, "draft") => lang.pick("未完成", "unfinished").to_string(),
        (None, "todo") => lang.pick("未评", "to do").to_string(),
        _ => "—".to_string(),
    });
    v.push(match a.recommend {
        Some(true) => lang.pick("推荐", "yes").to_string(),
        Some(false) => lang.pick("不推荐", "no").to_string(),
        None => "—".to_string(),
    });
    v
}

/// The comment (or the recusal's reason) below an application's row, in
/// full.
fn note(w: &mut Writer, a: &AppResult, lang: Lang) {
    let text = match &a.recuse_reason {
        Some(r) => format!("{}{r}", lang.pick("回避理由：", "Reason for recusal: ")),
        None if a.comment.is_empty() => return,
        None => format!("{}{}", lang.pick("评审意见：", "Comment: "), a.comment),
    };
    w.gap(2.0);
    w.para(&text, SMALL, 8.0);
    w.gap(3.0);
}
