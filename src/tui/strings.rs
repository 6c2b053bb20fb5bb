//! Every user-facing string of the expert screens, one const per language.
//! Widgets never spell out text of their own: they take it from here, so a
//! translation is one struct literal and a missing one is a compile error.
//!
//! `{}` marks where [`fill`] puts its arguments, in order.

use super::action::Cmd;
use crate::domain::history::Status;
use crate::lang::Lang;

/// The strings of one language.
pub struct Strings {
    // Header.
    pub expert: &'static str,
    pub no_expert: &'static str,
    pub complete: &'static str,
    pub recused: &'static str,
    pub todo: &'static str,
    pub saved: &'static str,
    pub saving: &'static str,
    pub not_saved: &'static str,
    pub history_size: &'static str,

    // Statuses.
    pub status_todo: &'static str,
    pub status_draft: &'static str,
    pub status_complete: &'static str,
    pub status_recused: &'static str,

    // List.
    pub applications: &'static str,
    pub all: &'static str,
    pub all_directions: &'static str,
    pub direction: &'static str,
    pub status: &'static str,
    pub col_id: &'static str,
    pub col_dir: &'static str,
    pub col_title: &'static str,
    pub col_lead: &'static str,
    pub col_total: &'static str,
    pub search_prompt: &'static str,
    pub no_match: &'static str,

    // Detail.
    pub detail: &'static str,
    pub nothing_selected: &'static str,
    pub f_id: &'static str,
    pub f_direction: &'static str,
    pub f_lead: &'static str,
    pub f_joint: &'static str,
    pub f_credit: &'static str,
    pub f_sme: &'static str,
    pub f_sector: &'static str,
    pub f_authority: &'static str,
    pub f_priority: &'static str,
    pub f_province: &'static str,
    pub f_previously_selected: &'static str,
    pub f_national_funding: &'static str,
    pub f_built: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub none: &'static str,
    pub sec_overview: &'static str,
    pub sec_technology: &'static str,
    pub sec_deployment: &'static str,
    pub sec_replication: &'static str,
    pub empty_section: &'static str,
    pub conflict_banner: &'static str,
    pub scope_hint: &'static str,

    // Scoring.
    pub scoring: &'static str,
    pub total: &'static str,
    pub unscored: &'static str,
    pub recommend: &'static str,
    pub recommend_yes: &'static str,
    pub recommend_no: &'static str,
    pub recommend_none: &'static str,
    pub comment: &'static str,
    pub comment_count: &'static str,
    pub comment_empty: &'static str,
    pub recused_banner: &'static str,
    pub recused_locked: &'static str,
    pub out_of_scale: &'static str,
    pub typing: &'static str,

    // Dialogs.
    pub help_title: &'static str,
    pub ctx_global: &'static str,
    pub ctx_list: &'static str,
    pub ctx_detail: &'static str,
    pub ctx_scoring: &'static str,
    pub ctx_dialogs: &'static str,
    pub help_dialog_keys: &'static [(&'static str, &'static str)],
    pub help_digits: &'static str,
    pub dir_title: &'static str,
    pub dir_hint: &'static str,
    pub scope_title: &'static str,
    pub category: &'static str,
    pub comment_title: &'static str,
    pub comment_hint: &'static str,
    pub comment_min: &'static str,
    pub recuse_title: &'static str,
    pub recuse_prompt: &'static str,
    pub recuse_hint: &'static str,
    pub recuse_confirm: &'static str,
    pub recuse_confirm_hint: &'static str,
    pub unrecuse_title: &'static str,
    pub unrecuse_prompt: &'static str,
    pub unrecuse_confirm: &'static str,
    pub reason: &'static str,
    pub reason_needed: &'static str,
    pub conflict_title: &'static str,
    pub conflict_body: &'static str,
    pub conflict_your_org: &'static str,
    pub conflict_unit: &'static str,
    pub conflict_lead: &'static str,
    pub conflict_joint: &'static str,
    pub conflict_hint: &'static str,
    pub conflict_cleared: &'static str,
    pub export_placeholder: &'static str,

    // Identity.
    pub identity_title: &'static str,
    pub identity_intro: &'static str,
    pub identity_manual: &'static str,
    pub identity_hint: &'static str,
    pub identity_form_title: &'static str,
    pub identity_id: &'static str,
    pub identity_name: &'static str,
    pub identity_org: &'static str,
    pub identity_form_hint: &'static str,
    pub identity_bad_id: &'static str,
    pub identity_no_name: &'static str,
    pub roster_empty: &'static str,

    // Too small.
    pub too_small: &'static str,

    // Footer labels, short.
    pub hint_move: &'static str,
    pub hint_scroll: &'static str,
    pub hint_step: &'static str,
    pub hint_digits: &'static str,
    pub hint_close: &'static str,
    pub hint_search_done: &'static str,
    pub hint_search_cancel: &'static str,

    /// One line per command, for `?` and the footer.
    pub cmds: &'static [(Cmd, &'static str, &'static str)],
}

impl Strings {
    pub fn of(lang: Lang) -> &'static Strings {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    pub fn status(&self, s: Status) -> &'static str {
        match s {
            Status::Todo => self.status_todo,
            Status::Draft => self.status_draft,
            Status::Complete => self.status_complete,
            Status::Recused => self.status_recused,
        }
    }

    /// The long description of a command (help screen).
    pub fn cmd_help(&self, c: Cmd) -> &'static str {
        self.cmds
            .iter()
            .find(|(k, _, _)| *k == c)
            .map(|(_, _, long)| *long)
            .unwrap_or("")
    }

    /// The short label of a command (footer).
    pub fn cmd_short(&self, c: Cmd) -> &'static str {
        self.cmds
            .iter()
            .find(|(k, _, _)| *k == c)
            .map(|(_, short, _)| *short)
            .unwrap_or("")
    }

    pub fn section(&self, key: &str) -> &'static str {
        match key {
            "overview" => self.sec_overview,
            "technology" => self.sec_technology,
            "deployment" => self.sec_deployment,
            _ => self.sec_replication,
        }
    }

    pub fn yes_no(&self, b: bool) -> &'static str {
        if b { self.yes } else { self.no }
    }
}

/// Puts `args` into the `{}` of `template`, in order.
pub fn fill(template: &str, args: &[&dyn std::fmt::Display]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut args = args.iter();
    let mut rest = template;
    while let Some(i) = rest.find("{}") {
        out.push_str(&rest[..i]);
        if let Some(a) = args.next() {
            out.push_str(&a.to_string());
        }
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}

pub const ZH: Strings = Strings {
    expert: "评审专家",
    no_expert: "未指定",
    complete: "已完成",
    recused: "已回避",
    todo: "待评",
    saved: "已保存",
    saving: "保存中…",
    not_saved: "未保存",
    history_size: "记录",

    status_todo: "待评",
    status_draft: "草稿",
    status_complete: "已完成",
    status_recused: "已回避",

    applications: "申报项目",
    all: "全部",
    all_directions: "全部方向",
    direction: "方向",
    status: "状态",
    col_id: "编号",
    col_dir: "方向",
    col_title: "项目名称",
    col_lead: "牵头单位",
    col_total: "总分",
    search_prompt: "搜索",
    no_match: "没有符合条件的项目",

    detail: "申报书",
    nothing_selected: "未选择项目",
    f_id: "申报编号",
    f_direction: "试点方向",
    f_lead: "牵头单位",
    f_joint: "联合单位",
    f_credit: "信用代码",
    f_sme: "中小微企业",
    f_sector: "行业领域",
    f_authority: "推荐单位",
    f_priority: "推荐顺序",
    f_province: "省份",
    f_previously_selected: "已入选国家试点",
    f_national_funding: "已获国家专项资金",
    f_built: "已建成运行",
    yes: "是",
    no: "否",
    none: "无",
    sec_overview: "项目概述",
    sec_technology: "技术方案",
    sec_deployment: "部署应用情况",
    sec_replication: "推广价值",
    empty_section: "（未填写）",
    conflict_banner: "可能的利益冲突：您的单位“{}”与“{}”相似",
    scope_hint: "方向说明",

    scoring: "评分",
    total: "总分",
    unscored: "未评",
    recommend: "推荐",
    recommend_yes: "推荐",
    recommend_no: "不推荐",
    recommend_none: "未定",
    comment: "评审意见",
    comment_count: "{}/{}字",
    comment_empty: "（尚未填写）",
    recused_banner: "已回避：{}",
    recused_locked: "该项目已回避，评分已锁定；按 {} 撤销回避",
    out_of_scale: "{} 超出评分范围（{}–{}，步长 {}）",
    typing: "输入中",

    help_title: "按键说明",
    ctx_global: "全局",
    ctx_list: "项目列表",
    ctx_detail: "申报书",
    ctx_scoring: "评分",
    ctx_dialogs: "对话框",
    help_dialog_keys: &[
        ("Esc", "关闭对话框、返回"),
        ("Enter", "确认"),
        ("y", "确认（回避确认框）"),
        ("Ctrl-S", "保存评审意见（编辑器内）"),
        ("Ctrl-C", "保存并退出（任何时候）"),
        ("0–9", "方向选择框中按编号选择"),
    ],
    help_digits: "评分：直接输入数字",
    dir_title: "按方向筛选",
    dir_hint: "输入编号或 ↑↓ 选择，Enter 确认，Esc 取消",
    scope_title: "方向说明",
    category: "类别",
    comment_title: "评审意见",
    comment_hint: "Esc 保存并关闭 · Ctrl-S 保存",
    comment_min: "至少 {} 字",
    recuse_title: "回避",
    recuse_prompt: "请填写回避原因：",
    recuse_hint: "Enter 下一步 · Esc 取消",
    recuse_confirm: "确认回避该项目？回避后评分将被锁定。",
    recuse_confirm_hint: "y 确认 · Esc 取消",
    unrecuse_title: "撤销回避",
    unrecuse_prompt: "撤销原因（可选）：",
    unrecuse_confirm: "确认撤销回避？原回避记录保留在评分记录中。",
    reason: "原因",
    reason_needed: "回避需要填写原因",
    conflict_title: "可能的利益冲突",
    conflict_body: "您所在单位与该项目的申报单位名称相似，请确认是否需要回避。",
    conflict_your_org: "您的单位",
    conflict_unit: "申报单位",
    conflict_lead: "牵头",
    conflict_joint: "联合",
    conflict_hint: "r 回避 · c 无利益冲突，继续评审 · Esc 稍后决定",
    conflict_cleared: "已确认无利益冲突（本次会话）",
    export_placeholder: "导出：请使用命令 `panelist export`",

    identity_title: "选择身份",
    identity_intro: "该评审包尚未指定评审专家。请在名单中选择您本人，或手动输入。",
    identity_manual: "手动输入…",
    identity_hint: "↑↓ 选择 · Enter 确认 · q 退出",
    identity_form_title: "手动输入身份",
    identity_id: "专家编号",
    identity_name: "姓名",
    identity_org: "所在单位",
    identity_form_hint: "Tab 下一项 · Enter 确认 · Esc 返回",
    identity_bad_id: "专家编号须为 1–32 个字母、数字、- 或 _",
    identity_no_name: "请填写姓名",
    roster_empty: "（名单为空）",

    too_small: "终端窗口太小：至少需要 {}×{}，当前 {}×{}。请放大窗口。",

    hint_move: "移动",
    hint_scroll: "滚动",
    hint_step: "加减",
    hint_digits: "输入分数",
    hint_close: "关闭",
    hint_search_done: "完成",
    hint_search_cancel: "清除",

    cmds: &[
        (Cmd::Quit, "退出", "退出（所有修改均已保存）"),
        (Cmd::Help, "帮助", "显示全部按键"),
        (Cmd::Lang, "English", "切换语言（中文/English）"),
        (Cmd::Export, "导出", "导出（暂用命令行 panelist export）"),
        (Cmd::FocusNext, "切换", "下一个窗格"),
        (Cmd::FocusPrev, "切换", "上一个窗格"),
        (Cmd::Back, "返回", "返回列表"),
        (Cmd::Search, "搜索", "模糊搜索编号、名称、单位"),
        (Cmd::Direction, "方向", "按方向筛选"),
        (Cmd::NextDirection, "下一方向", "筛选下一个方向"),
        (Cmd::PrevDirection, "上一方向", "筛选上一个方向"),
        (Cmd::StatusFilter, "状态", "按状态筛选（循环）"),
        (Cmd::ClearFilters, "清除筛选", "清除搜索和筛选"),
        (Cmd::Recuse, "回避", "回避 / 撤销回避"),
        (Cmd::Scope, "方向说明", "显示该方向的说明"),
        (Cmd::Up, "上", "上移"),
        (Cmd::Down, "下", "下移"),
        (Cmd::PageUp, "上翻", "上翻一页"),
        (Cmd::PageDown, "下翻", "下翻一页"),
        (Cmd::Top, "顶部", "到顶部"),
        (Cmd::Bottom, "底部", "到底部"),
        (Cmd::Open, "打开", "打开申报书"),
        (Cmd::Inc, "加分", "加一档"),
        (Cmd::Dec, "减分", "减一档"),
        (Cmd::IncLarge, "大步加", "加五档"),
        (Cmd::DecLarge, "大步减", "减五档"),
        (Cmd::Clear, "清除", "清除该项分数"),
        (Cmd::Commit, "确认", "确认输入的分数"),
        (Cmd::Comment, "意见", "编辑评审意见"),
        (Cmd::Recommend, "推荐", "推荐（再按取消）"),
        (Cmd::NotRecommend, "不推荐", "不推荐（再按取消）"),
    ],
};

pub const EN: Strings = Strings {
    expert: "expert",
    no_expert: "none",
    complete: "complete",
    recused: "recused",
    todo: "to do",
    saved: "saved",
    saving: "saving…",
    not_saved: "NOT saved",
    history_size: "events",

    status_todo: "to do",
    status_draft: "draft",
    status_complete: "complete",
    status_recused: "recused",

    applications: "Applications",
    all: "all",
    all_directions: "All directions",
    direction: "direction",
    status: "status",
    col_id: "id",
    col_dir: "direction",
    col_title: "title",
    col_lead: "lead unit",
    col_total: "total",
    search_prompt: "search",
    no_match: "No application matches",

    detail: "Application",
    nothing_selected: "No application selected",
    f_id: "id",
    f_direction: "direction",
    f_lead: "lead unit",
    f_joint: "joint unit",
    f_credit: "credit code",
    f_sme: "SME",
    f_sector: "sector",
    f_authority: "recommended by",
    f_priority: "priority",
    f_province: "province",
    f_previously_selected: "already selected",
    f_national_funding: "national funds",
    f_built: "built and running",
    yes: "yes",
    no: "no",
    none: "none",
    sec_overview: "Overview",
    sec_technology: "Technology",
    sec_deployment: "Deployment",
    sec_replication: "Replication",
    empty_section: "(empty)",
    conflict_banner: "Possible conflict of interest: your organisation “{}” resembles “{}”",
    scope_hint: "scope",

    scoring: "Scoring",
    total: "total",
    unscored: "unscored",
    recommend: "recommend",
    recommend_yes: "recommend",
    recommend_no: "do not recommend",
    recommend_none: "undecided",
    comment: "Comment",
    comment_count: "{}/{} chars",
    comment_empty: "(none yet)",
    recused_banner: "Recused: {}",
    recused_locked: "Recused: scoring is locked; press {} to withdraw the recusal",
    out_of_scale: "{} is outside the scale ({}–{} in steps of {})",
    typing: "typing",

    help_title: "Keys",
    ctx_global: "Everywhere",
    ctx_list: "Application list",
    ctx_detail: "Application text",
    ctx_scoring: "Scoring",
    ctx_dialogs: "Dialogs",
    help_dialog_keys: &[
        ("Esc", "close the dialog, go back"),
        ("Enter", "confirm"),
        ("y", "confirm (recusal)"),
        ("Ctrl-S", "save the comment (editor)"),
        ("Ctrl-C", "save and quit (anywhere)"),
        ("0–9", "pick a direction by its code"),
    ],
    help_digits: "scoring: type the value's digits",
    dir_title: "Filter by direction",
    dir_hint: "type a code or ↑↓, Enter to pick, Esc to cancel",
    scope_title: "Direction scope",
    category: "category",
    comment_title: "Review comment",
    comment_hint: "Esc save and close · Ctrl-S save",
    comment_min: "at least {} chars",
    recuse_title: "Recuse",
    recuse_prompt: "Reason for the recusal:",
    recuse_hint: "Enter next · Esc cancel",
    recuse_confirm: "Recuse from this application? Its scoring will be locked.",
    recuse_confirm_hint: "y confirm · Esc cancel",
    unrecuse_title: "Withdraw recusal",
    unrecuse_prompt: "Reason for withdrawing (optional):",
    unrecuse_confirm: "Withdraw the recusal? The recusal stays in the history.",
    reason: "reason",
    reason_needed: "A recusal needs a reason",
    conflict_title: "Possible conflict of interest",
    conflict_body: "Your organisation's name resembles a unit of this application. Decide whether to recuse.",
    conflict_your_org: "your organisation",
    conflict_unit: "applicant unit",
    conflict_lead: "lead",
    conflict_joint: "joint",
    conflict_hint: "r recuse · c no conflict, go on · Esc decide later",
    conflict_cleared: "No conflict declared (this session)",
    export_placeholder: "export: use `panelist export`",

    identity_title: "Who are you?",
    identity_intro: "This bundle has no expert yet. Pick yourself from the panel roster, or enter your details.",
    identity_manual: "Enter manually…",
    identity_hint: "↑↓ pick · Enter confirm · q quit",
    identity_form_title: "Your identity",
    identity_id: "expert id",
    identity_name: "name",
    identity_org: "organisation",
    identity_form_hint: "Tab next field · Enter confirm · Esc back",
    identity_bad_id: "The expert id must be 1–32 letters, digits, '-' or '_'",
    identity_no_name: "Please enter your name",
    roster_empty: "(the roster is empty)",

    too_small: "Terminal too small: need at least {}×{}, have {}×{}. Please enlarge the window.",

    hint_move: "move",
    hint_scroll: "scroll",
    hint_step: "step",
    hint_digits: "type a score",
    hint_close: "close",
    hint_search_done: "done",
    hint_search_cancel: "clear",

    cmds: &[
        (Cmd::Quit, "quit", "quit (everything is already saved)"),
        (Cmd::Help, "help", "show every key"),
        (Cmd::Lang, "中文", "switch language (中文/English)"),
        (Cmd::Export, "export", "export (for now: panelist export)"),
        (Cmd::FocusNext, "pane", "next pane"),
        (Cmd::FocusPrev, "pane", "previous pane"),
        (Cmd::Back, "back", "back to the list"),
        (Cmd::Search, "search", "fuzzy search over id, title, units"),
        (Cmd::Direction, "direction", "filter by direction"),
        (Cmd::NextDirection, "next dir", "filter the next direction"),
        (
            Cmd::PrevDirection,
            "prev dir",
            "filter the previous direction",
        ),
        (Cmd::StatusFilter, "status", "filter by status (cycles)"),
        (Cmd::ClearFilters, "clear", "clear search and filters"),
        (Cmd::Recuse, "recuse", "recuse / withdraw a recusal"),
        (Cmd::Scope, "scope", "show the direction's scope"),
        (Cmd::Up, "up", "move up"),
        (Cmd::Down, "down", "move down"),
        (Cmd::PageUp, "page up", "one page up"),
        (Cmd::PageDown, "page down", "one page down"),
        (Cmd::Top, "top", "to the top"),
        (Cmd::Bottom, "bottom", "to the bottom"),
        (Cmd::Open, "open", "open the application"),
        (Cmd::Inc, "+", "one step up"),
        (Cmd::Dec, "-", "one step down"),
        (Cmd::IncLarge, "++", "five steps up"),
        (Cmd::DecLarge, "--", "five steps down"),
        (Cmd::Clear, "clear", "clear this criterion"),
        (Cmd::Commit, "set", "set the typed value"),
        (Cmd::Comment, "comment", "edit the review comment"),
        (Cmd::Recommend, "recommend", "recommend (again: undecided)"),
        (
            Cmd::NotRecommend,
            "not rec.",
            "do not recommend (again: undecided)",
        ),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_is_described_in_both_languages() {
        for s in [&ZH, &EN] {
            for c in Cmd::ALL {
                assert!(!s.cmd_short(*c).is_empty(), "{c:?}");
                assert!(!s.cmd_help(*c).is_empty(), "{c:?}");
            }
            assert_eq!(s.cmds.len(), Cmd::ALL.len());
        }
    }

    #[test]
    fn fill_puts_arguments_in_order() {
        assert_eq!(fill("{}/{} chars", &[&3, &30]), "3/30 chars");
        assert_eq!(fill("no args {}", &[]), "no args ");
        assert_eq!(
            fill(ZH.too_small, &[&64, &18, &40, &10])
                .matches("×")
                .count(),
            2
        );
    }
}
