//! The audit for people: grouped text for the terminal, and a Markdown
//! report an auditor can attach to the file.

use std::fmt::Write as _;

use super::{Audit, Severity};
use crate::domain::text::inert_line;
use crate::support::lang::Lang;

fn kind_title(kind: &str, lang: Lang) -> String {
    let (zh, en) = match kind {
        "chain" => ("哈希链", "hash chain"),
        "signature" => ("签名", "signature"),
        "sheet" => ("当前评分表", "current sheet"),
        "replay" => ("重放", "replay"),
        "bundle" => ("评审包摘要", "bundle digest"),
        "truncated" => ("记录被截断", "history truncated"),
        "rewritten" => ("记录被改写", "history rewritten"),
        "fork" => ("导出文件分叉", "exports fork"),
        "after export" => ("导出后的事件", "events after export"),
        "time" => ("时间", "time"),
        "merged" => ("汇总结果", "merged result"),
        "database" => ("数据库", "database"),
        "format" => ("文件格式", "file format"),
        "unreadable" => ("无法读取", "unreadable"),
        _ => ("校验", "verification"),
    };
    lang.pick(zh, en).to_string()
}

/// Grouped by kind of finding, problems first.
pub fn text(a: &Audit, lang: Lang) -> String {
    let mut o = String::new();
    let mut last: Option<(Severity, &str)> = None;
    for f in &a.findings {
        if last != Some((f.severity, f.kind)) {
            let sev = match f.severity {
                Severity::Problem => lang.pick("问题", "PROBLEM"),
                Severity::Notice => lang.pick("提示", "notice"),
            };
            let _ = writeln!(o, "{sev}: {}", kind_title(f.kind, lang));
            last = Some((f.severity, f.kind));
        }
        let seq = f.seq.map(|s| format!(" seq {s}")).unwrap_or_default();
        let _ = writeln!(
            o,
            "  {}{seq}: {}",
            inert_line(&f.file),
            inert_line(&f.message)
        );
    }
    let problems = a.problems();
    let _ = writeln!(
        o,
        "{}",
        match lang {
            Lang::Zh => format!(
                "审计 {} 个文件：{} 个问题，{} 条提示",
                a.files.len(),
                problems,
                a.findings.len() - problems
            ),
            Lang::En => format!(
                "audited {} file(s): {} problem(s), {} notice(s)",
                a.files.len(),
                problems,
                a.findings.len() - problems
            ),
        }
    );
    o
}

/// A value from a file as one Markdown table cell that renders as the
/// text itself: inert first, then HTML's `&`, `<`, `>` as entities and
/// every other ASCII character Markdown gives a meaning (emphasis, links,
/// images, code, headings, lists, tables, autolinks) escaped with a
/// backslash, so a file name carrying markup shows as its characters.
fn md_cell(s: &str) -> String {
    let mut o = String::new();
    for c in inert_line(s).chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.'
            | '!' | '|' | '~' | '^' | ':' | '"' | '\'' | '=' | '$' | '%' | '@' => {
                o.push('\\');
                o.push(c);
            }
            c => o.push(c),
        }
    }
    o
}

/// A Markdown report: what was audited, the verdict, every finding.
pub fn markdown(a: &Audit, lang: Lang, generated: &str) -> String {
    let l = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let mut o = String::new();
    let _ = writeln!(o, "# {}\n", l("评分记录审计报告", "Scoring audit report"));
    let _ = writeln!(o, "{}: {generated}  ", l("生成时间", "Generated"));
    let _ = writeln!(
        o,
        "{}: panelist {}\n",
        l("工具", "Tool"),
        env!("CARGO_PKG_VERSION")
    );
    let verdict = if a.problems() == 0 {
        l(
            "结论：未发现问题。所有哈希链、签名与重放均一致。",
            "Verdict: no problems found. Every hash chain, signature and replay agrees.",
        )
    } else {
        l(
            "结论：发现问题，详见下文。",
            "Verdict: problems found; see below.",
        )
    };
    let _ = writeln!(o, "**{verdict}**\n");
    let _ = writeln!(o, "## {}\n", l("审计的文件", "Files audited"));
    let _ = writeln!(
        o,
        "| {} | {} | {} | {} | {} | SHA-256 |\n|---|---|---|---|---|---|",
        l("文件", "file"),
        l("类型", "kind"),
        l("专家", "expert"),
        l("事件数", "events"),
        l("链头", "head")
    );
    for f in &a.files {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | `{}` |",
            md_cell(&f.file),
            f.kind,
            f.expert.as_deref().map(md_cell).unwrap_or_default(),
            f.events.map(|n| n.to_string()).unwrap_or_default(),
            f.head
                .as_deref()
                .map(|h| md_cell(&h.chars().take(16).collect::<String>()))
                .unwrap_or_default(),
            f.sha256
        );
    }
    let _ = writeln!(o, "\n## {}\n", l("发现", "Findings"));
    if a.findings.is_empty() {
        let _ = writeln!(o, "{}", l("无。", "None."));
    } else {
        let _ = writeln!(
            o,
            "| {} | {} | {} | seq | {} |\n|---|---|---|---|---|",
            l("级别", "severity"),
            l("类别", "kind"),
            l("文件", "file"),
            l("说明", "detail")
        );
        for f in &a.findings {
            let sev = match f.severity {
                Severity::Problem => l("问题", "problem"),
                Severity::Notice => l("提示", "notice"),
            };
            let _ = writeln!(
                o,
                "| {sev} | {} | {} | {} | {} |",
                kind_title(f.kind, lang),
                md_cell(&f.file),
                f.seq.map(|s| s.to_string()).unwrap_or_default(),
                md_cell(&f.message)
            );
        }
    }
    let _ = writeln!(
        o,
        "\n## {}\n\n{}",
        l("方法", "Method"),
        l(
            "每条哈希链自创世块重新计算（SHA-256，见 docs/formats.md）；每个签名用名册中的公钥验证；导出文件与工作副本按已签名的链长与链头比对；历史重放结果与导出及当前评分表逐项比对；评审包摘要在所有文件间比对。",
            "Every hash chain is recomputed from genesis (SHA-256, see docs/formats.md); every signature is verified with the roster's key; exports are compared with working copies at the signed size and head; the replay of each history is compared with the export and the stored sheet item by item; bundle digests are compared across all files."
        )
    );
    o
}
