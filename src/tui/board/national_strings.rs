//! The national view's words, in Chinese and English.

use crate::support::lang::Lang;

pub struct NationalStrings {
    /// The status words of the ranking's narrow column: selected, tie,
    /// not selected, ranked, unranked.
    pub short_status: [&'static str; 5],
    pub combined: &'static str,
    /// `{}` the ministry's id.
    pub verified: &'static str,
    pub signed_unverified: &'static str,
    pub unsigned: &'static str,
    /// `{}` panels, `{}` applications.
    pub panels: &'static str,
    /// `{}` position, `{}` count, `{}` code, `{}` name.
    pub direction_of: &'static str,
    /// `{}` on the list, `{}` ties, `{}` findings, `{}` not robust.
    pub summary: &'static str,
    pub ranking: &'static str,
    pub application: &'static str,
    pub col_rank: &'static str,
    pub col_panel: &'static str,
    pub col_id: &'static str,
    pub col_title: &'static str,
    pub col_score: &'static str,
    pub col_z: &'static str,
    pub col_pct: &'static str,
    pub col_status: &'static str,
    pub no_applications: &'static str,
    pub lead_unit: &'static str,
    pub authority: &'static str,
    pub panel: &'static str,
    pub scorers: &'static str,
    pub score: &'static str,
    pub z: &'static str,
    pub percentile: &'static str,
    pub ranks: &'static str,
    pub robust: &'static str,
    pub not_robust: &'static str,
    pub status: &'static str,
    pub findings: &'static str,
    pub panel_findings: &'static str,
    pub opinion: &'static str,
    pub none: &'static str,
    pub selected: &'static str,
    pub tie: &'static str,
    pub not_selected: &'static str,
    pub ranked: &'static str,
    pub unranked: &'static str,
    pub hint_direction: &'static str,
    pub help_title: &'static str,
    pub keys: [(&'static str, &'static str); 6],
}

const ZH: NationalStrings = NationalStrings {
    short_status: ["拟入选", "临界并列", "未入选", "已排名", "未排名"],
    combined: "全国合并结果",
    verified: "部里 {} 签署，已校验",
    signed_unverified: "{} 签署（未校验）",
    unsigned: "未签名草稿",
    panels: "{} 个评审组 · {} 个项目",
    direction_of: "方向 {}/{}：{} {}",
    summary: "拟入选 {} · 临界并列 {} · 跨组问题 {} · 不稳健 {}",
    ranking: "全国排名",
    application: "项目",
    col_rank: "名次",
    col_panel: "评审组",
    col_id: "编号",
    col_title: "项目名称",
    col_score: "得分",
    col_z: "z 分数",
    col_pct: "百分位",
    col_status: "状态",
    no_applications: "本方向没有项目",
    lead_unit: "牵头单位",
    authority: "推荐单位",
    panel: "评审组",
    scorers: "评分专家",
    score: "得分",
    z: "z 分数",
    percentile: "百分位",
    ranks: "全国名次（原始分 / z 分数 / 百分位）",
    robust: "名次稳健",
    not_robust: "名次不稳健",
    status: "状态",
    findings: "跨组问题",
    panel_findings: "本组资格审查问题",
    opinion: "专家组意见",
    none: "无",
    selected: "拟入选",
    tie: "临界并列",
    not_selected: "未入选",
    ranked: "已排名",
    unranked: "未排名",
    hint_direction: "方向",
    help_title: "按键",
    keys: [
        ("移动", "在排名中上下移动"),
        ("打开", "查看项目详情"),
        ("返回", "回到排名"),
        ("方向", "切换方向"),
        ("语言", "切换中文/English"),
        ("退出", "退出看板"),
    ],
};

const EN: NationalStrings = NationalStrings {
    short_status: ["listed", "TIE", "out", "ranked", "–"],
    combined: "Combined result",
    verified: "signed by {}, verified",
    signed_unverified: "signed by {} (not checked)",
    unsigned: "UNSIGNED DRAFT",
    panels: "{} panels · {} applications",
    direction_of: "direction {}/{}: {} {}",
    summary: "on the list {} · ties at the cut {} · findings {} · not robust {}",
    ranking: "National ranking",
    application: "Application",
    col_rank: "rank",
    col_panel: "panel",
    col_id: "id",
    col_title: "title",
    col_score: "score",
    col_z: "z",
    col_pct: "pct",
    col_status: "status",
    no_applications: "no applications in this direction",
    lead_unit: "Lead unit",
    authority: "Authority",
    panel: "Panel",
    scorers: "Scorers",
    score: "Score",
    z: "z-score",
    percentile: "Percentile",
    ranks: "National ranks (raw / z-score / percentile)",
    robust: "rank robust",
    not_robust: "rank NOT robust",
    status: "Status",
    findings: "Findings across panels",
    panel_findings: "The panel's eligibility findings",
    opinion: "The panel's opinion",
    none: "none",
    selected: "selected",
    tie: "tie at the cut",
    not_selected: "not selected",
    ranked: "ranked",
    unranked: "unranked",
    hint_direction: "direction",
    help_title: "Keys",
    keys: [
        ("move", "move in the ranking"),
        ("open", "an application's details"),
        ("back", "back to the ranking"),
        ("direction", "change direction"),
        ("language", "switch 中文/English"),
        ("quit", "leave the board"),
    ],
};

impl NationalStrings {
    pub fn of(lang: Lang) -> &'static NationalStrings {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// The status as the ranking's narrow column shows it.
    pub fn status_short(&self, s: crate::domain::national::Status) -> &'static str {
        use crate::domain::national::Status;
        let i = match s {
            Status::Selected => 0,
            Status::Tie => 1,
            Status::NotSelected => 2,
            Status::Ranked => 3,
            Status::Unranked => 4,
        };
        self.short_status[i]
    }

    pub fn status(&self, s: crate::domain::national::Status) -> &'static str {
        use crate::domain::national::Status;
        match s {
            Status::Selected => self.selected,
            Status::Tie => self.tie,
            Status::NotSelected => self.not_selected,
            Status::Ranked => self.ranked,
            Status::Unranked => self.unranked,
        }
    }
}
