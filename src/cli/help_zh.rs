//! `--help` in Chinese: the clap definition with every command's about
//! and every argument's help replaced at run time from [`ZH`], and clap's
//! own headings (用法, 命令, 参数, 选项) and help/version flags in
//! Chinese. Keys: `"bundle new"` for a command's about, `"bundle new:output"`
//! for an argument (its clap id). A test requires a key for every visible
//! command and argument, so a new option cannot ship with English help
//! only.

use clap::{Arg, ArgAction, Command};

/// Whether `args` (the raw command line) ask for Chinese, as `--lang`
/// will once parsed; else the environment's language.
pub fn wants_zh(args: &[std::ffi::OsString]) -> bool {
    let mut it = args.iter().map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if a == "--lang" {
            return it.next().is_some_and(|v| v == "zh");
        }
        if let Some(v) = a.strip_prefix("--lang=") {
            return v == "zh";
        }
    }
    crate::support::lang::Lang::from_env() == Some(crate::support::lang::Lang::Zh)
}

/// The command line with Chinese help.
pub fn localize(cmd: Command) -> Command {
    let cmd = cmd
        .disable_version_flag(true)
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本")
                .help_heading("选项"),
        )
        .disable_help_subcommand(true);
    walk(cmd, "")
}

const TEMPLATE: &str = "{before-help}{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

fn walk(mut cmd: Command, path: &str) -> Command {
    if let Some(t) = lookup(path) {
        cmd = cmd.about(t).long_about(None::<&str>);
    }
    if path.is_empty() {
        cmd = cmd.after_help(
            "PANELIST_HOME 已设置时，文件都在其下（测试、U 盘）。\n退出码：0 全部正常，1 有发现的问题，2 出错。",
        );
    }
    cmd = cmd
        .help_template(TEMPLATE)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示帮助")
                .help_heading("选项"),
        );
    let ids: Vec<(String, bool)> = cmd
        .get_arguments()
        .filter(|a| a.get_id() != "help" && a.get_id() != "version")
        .map(|a| (a.get_id().to_string(), a.is_positional()))
        .collect();
    for (order, (id, positional)) in ids.into_iter().enumerate() {
        let key = format!("{path}:{id}");
        let text = lookup(&key);
        cmd = cmd.mut_arg(id.as_str(), |a| {
            // clap's "[possible values: …]" and "[default: …]" in Chinese.
            let values: Vec<String> = a
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
                .map(|v| v.get_name().to_string())
                .collect();
            let default: Vec<String> = a
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().into_owned())
                .collect();
            let mut extra = String::new();
            if !values.is_empty() && a.get_action().takes_values() {
                extra += &format!("［可选：{}］", values.join("、"));
            }
            if !default.is_empty() && a.get_action().takes_values() {
                extra += &format!("［默认：{}］", default.join("、"));
            }
            let takes = a.get_action().takes_values();
            let a = a
                .help_heading(if positional { "参数" } else { "选项" })
                .display_order(order)
                .hide_possible_values(takes)
                .hide_default_value(takes);
            match text {
                Some(t) => a.help(format!("{t}{extra}")).long_help(None::<&str>),
                None => a,
            }
        });
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for n in names {
        let sub = if path.is_empty() {
            n.clone()
        } else {
            format!("{path} {n}")
        };
        cmd = cmd.mut_subcommand(n.as_str(), |s| walk(s, &sub));
    }
    cmd
}

/// The Chinese text of `key`.
pub fn lookup(key: &str) -> Option<&'static str> {
    ZH.iter().find(|(k, _)| *k == key).map(|(_, t)| *t)
}

/// Every visible command and argument, by key (for the test that none is
/// left in English).
pub fn keys(cmd: &Command) -> Vec<String> {
    let mut out = Vec::new();
    collect(cmd, "", &mut out);
    out
}

fn collect(cmd: &Command, path: &str, out: &mut Vec<String>) {
    if !path.is_empty() {
        out.push(path.to_string());
    }
    for a in cmd.get_arguments() {
        if !a.is_hide_set() && a.get_id() != "help" && a.get_id() != "version" {
            if a.is_global_set() && !path.is_empty() {
                continue;
            }
            out.push(format!("{path}:{}", a.get_id()));
        }
    }
    for s in cmd.get_subcommands() {
        if s.is_hide_set() || s.get_name() == "help" {
            continue;
        }
        let sub = if path.is_empty() {
            s.get_name().to_string()
        } else {
            format!("{path} {}", s.get_name())
        };
        collect(s, &sub, out);
    }
}

const ZH: &[(&str, &str)] = &[
    ("", "网络安全技术应用试点示范专家评审终端工作站"),
    (
        ":lang",
        "消息和界面的语言（默认取 PANELIST_LANG 或系统区域设置）",
    ),
    // demo, open
    (
        "demo",
        "以专家 E01 身份打开内置演示评审组（工作副本在两次运行之间保留）",
    ),
    ("demo:fresh", "从内置演示包重新开始"),
    (
        "open",
        "在评审界面中打开工作副本（阅读、回避、评分、填写意见）",
    ),
    ("open:bundle", "评审包：某位专家的工作副本"),
    (
        "open:expert",
        "名单中你的专家编号（工作副本尚未归属于你时）",
    ),
    // bundle
    ("bundle", "建立、检查和查看评审包"),
    ("bundle new", "由 JSON、CSV 或 XLSX 申报项目文件建立评审包"),
    (
        "bundle new:input",
        "申报项目：.json、.xlsx（第一个工作表）或 .csv（UTF-8，可带 BOM，或 GB18030/GBK）；列名可用英文键或汇总表的中文表头",
    ),
    ("bundle new:output", "要写出的评审包文件"),
    (
        "bundle new:call",
        "使用哪一年征集的内置指南：2023（默认）、2022 或 2020",
    ),
    (
        "bundle new:catalog",
        "自定义方向指南（TOML 或 JSON），代替内置指南",
    ),
    (
        "bundle new:rubric",
        "自定义评分细则（TOML 或 JSON），代替默认细则",
    ),
    ("bundle new:panel", "评审组名称"),
    ("bundle new:roster", "评审专家名单（名单条目的 JSON 数组）"),
    ("bundle new:encoding", "CSV 文件的编码"),
    ("bundle new:force", "输出文件已存在时替换它"),
    (
        "bundle check",
        "按征集的资格条件筛查申报项目（有问题时退出码为 1）",
    ),
    (
        "bundle check:input",
        "评审包，或 JSON/CSV/XLSX 申报项目文件",
    ),
    ("bundle check:json", "以 JSON 输出问题"),
    (
        "bundle check:call",
        "JSON/CSV/XLSX 文件：使用哪一年的指南（默认取文件所写，否则 2023）",
    ),
    ("bundle check:catalog", "JSON/CSV/XLSX 文件：自定义指南"),
    ("bundle check:encoding", "CSV 文件的编码"),
    (
        "bundle info",
        "显示评审包的征集、评审组、内容摘要、各方向项目数和名单",
    ),
    ("bundle info:bundle", "评审包"),
    ("bundle info:json", "以 JSON 输出"),
    ("bundle history", "列出工作副本的评分记录并校验其哈希链"),
    ("bundle history:bundle", "工作副本"),
    ("bundle history:json", "以 JSON 输出"),
    // key
    ("key", "建立或查看你的签名密钥"),
    (
        "key new",
        "建立你的签名密钥（以口令封存在数据目录中）；组长加 --chair",
    ),
    ("key new:id", "编号（专家或组长）"),
    ("key new:name", "姓名"),
    ("key new:org", "单位"),
    (
        "key new:alg",
        "ed25519（默认）或 sm2（SM2 与 SM3，GM/T 0003）",
    ),
    (
        "key new:sm2_id",
        "SM2 区分标识（默认 1234567812345678，GM/T 0009-2012）",
    ),
    (
        "key new:passphrase_file",
        "从此文件读取口令，而不在终端输入",
    ),
    ("key new:force", "替换此编号已有的密钥"),
    (
        "key new:chair",
        "这是评审组组长的密钥：其名单条目带有组长角色",
    ),
    ("key show", "显示密钥的公开身份"),
    ("key show:id", "编号（默认：唯一的那把密钥）"),
    ("key show:roster_entry", "只输出交给组长的名单条目（JSON）"),
    ("key show:chair", "这是组长的密钥：名单条目带有组长角色"),
    (
        "key adopt",
        "密钥丢失后：采用组长名单为你列出的旧密钥，使新密钥能在原工作副本中继续评分",
    ),
    ("key adopt:roster", "组长的名单，列有你的新密钥和旧密钥"),
    ("key adopt:id", "专家编号（默认：唯一的那把密钥）"),
    // roster
    (
        "roster",
        "组长的专家名单：由评审包建立，加入每个人的密钥，指定组长，列出，检查",
    ),
    (
        "roster init",
        "由评审包中的名单（编号、姓名、单位）建立名单文件",
    ),
    ("roster init:bundle", "取其名单的评审包"),
    ("roster init:output", "要写出的名单文件"),
    ("roster init:force", "输出文件已存在时替换它"),
    (
        "roster add",
        "由专家交来的文件（<编号>.roster-entry.json）加入其名单条目，或为其条目登记密钥",
    ),
    ("roster add:roster", "名单文件（未给 -o 时就地修改）"),
    (
        "roster add:entry",
        "专家交来的条目文件（panelist key show --roster-entry 的输出，或评审界面写出的 <编号>.roster-entry.json）",
    ),
    (
        "roster add:replace",
        "替换名单中此编号的另一把密钥（密钥丢失；原密钥留作旧密钥）",
    ),
    (
        "roster add:output",
        "把修改后的名单写到这里，而不修改 ROSTER",
    ),
    ("roster chair", "指定评审组组长：组长角色从原组长处移来"),
    ("roster chair:roster", "名单文件（未给 -o 时就地修改）"),
    ("roster chair:id", "组长的编号"),
    (
        "roster chair:output",
        "把修改后的名单写到这里，而不修改 ROSTER",
    ),
    ("roster list", "列出名单：编号、角色、姓名、密钥"),
    ("roster list:roster", "名单文件，或评审包"),
    ("roster list:json", "以 JSON 输出"),
    (
        "roster check",
        "汇总前检查名单：密钥有效、编号不重复、组长恰好一位、每人都有密钥（0 可用，1 有问题）",
    ),
    ("roster check:roster", "名单文件，或评审包"),
    ("roster check:json", "以 JSON 输出"),
    // score, recuse
    ("score", "用你的密钥登录，在工作副本中为一个项目评分"),
    ("score:bundle", "你的工作副本"),
    ("score:app", "项目编号"),
    ("score:innovation", "创新性"),
    ("score:advancement", "先进性"),
    ("score:practicality", "实用性"),
    ("score:replicability", "可推广性"),
    ("score:set", "评分细则中的任一评分项：KEY=N（可重复）"),
    ("score:comment", "评审意见；替换之前的意见"),
    ("score:recommend", "是否推荐该项目"),
    ("score:key", "使用哪把密钥的编号（默认：唯一的那把）"),
    (
        "score:passphrase_file",
        "从此文件读取口令，而不在终端输入（也可用 PANELIST_PASSPHRASE_FILE）",
    ),
    ("recuse", "声明（或用 --undo 撤回）利益冲突回避"),
    ("recuse:bundle", "你的工作副本"),
    ("recuse:app", "项目编号"),
    ("recuse:reason", "理由（利益冲突；除 --undo 外必填）"),
    ("recuse:undo", "撤回先前的回避"),
    ("recuse:key", "使用哪把密钥的编号（默认：唯一的那把）"),
    (
        "recuse:passphrase_file",
        "从此文件读取口令，而不在终端输入（也可用 PANELIST_PASSPHRASE_FILE）",
    ),
    // export, verify, audit
    ("export", "写出交给组长的签名评分文件"),
    ("export:bundle", "你的工作副本"),
    ("export:output", "要写出的签名文件（JSON）"),
    (
        "export:allow_incomplete",
        "即使有项目既未评完也未回避也导出（文件标记为未评完）",
    ),
    ("export:key", "使用哪把密钥的编号（默认：唯一的那把）"),
    (
        "export:passphrase_file",
        "从此文件读取口令，而不在终端输入（也可用 PANELIST_PASSPHRASE_FILE）",
    ),
    (
        "show",
        "打印签名文件解码后的内容（供人阅读；不校验签名，校验用 panelist verify）",
    ),
    ("show:file", "签名文件（专家的导出文件，或汇总结果）"),
    ("paper", "打印件：个人评分表、专家组评审汇总表（PDF）"),
    ("paper sheet", "由签名导出文件生成专家的个人评分表（PDF）"),
    ("paper sheet:file", "专家的签名导出文件"),
    (
        "paper sheet:roster",
        "先按此名单校验文件（名单 JSON 数组，或评审包）",
    ),
    (
        "paper sheet:bundle",
        "评审包（或工作副本）：提供项目名称，并核对导出文件评的是它",
    ),
    ("paper sheet:output", "要写出的 PDF 文件"),
    (
        "paper sheet:font",
        "使用此中文字体文件（.ttf、.otf、.ttc），而不用已安装的字体",
    ),
    ("paper summary", "由汇总结果生成专家组评审汇总表（PDF）"),
    ("paper summary:file", "签名的汇总结果"),
    (
        "paper summary:roster",
        "先按此名单校验文件（名单 JSON 数组，或评审包）",
    ),
    ("paper summary:output", "要写出的 PDF 文件"),
    (
        "paper summary:font",
        "使用此中文字体文件（.ttf、.otf、.ttc），而不用已安装的字体",
    ),
    ("verify", "按名单校验签名文件（0 全部通过，1 有未通过的）"),
    ("verify:files", "签名文件（专家的导出文件，或汇总结果）"),
    (
        "verify:roster",
        "带公钥的评审名单：名单条目的 JSON 数组，或名单带有公钥的评审包",
    ),
    (
        "verify:bundle",
        "同时检查每个文件评的是这个评审包（摘要、编号、细则、项目）",
    ),
    (
        "verify:opinions",
        "汇总结果注明的组长专家组意见记录：校验其哈希链和签名，并核对最终意见与结果一致",
    ),
    (
        "audit",
        "对照名单和彼此检查工作副本、导出文件和汇总结果（0 无问题，1 有问题）",
    ),
    (
        "audit:files",
        "工作副本（.bundle）、签名导出文件和汇总结果，可任意混合",
    ),
    (
        "audit:roster",
        "评审名单（JSON 数组），或名单带有公钥的评审包",
    ),
    ("audit:bundle", "评审组的评审包，用来核对每个摘要"),
    ("audit:json", "以 JSON 在标准输出给出发现的问题"),
    ("audit:report", "同时把 Markdown 报告写到此文件"),
    // combine
    (
        "combine",
        "合并一次申报各评审组签名的汇总结果：校验、跨组检查规则、全国排名、拟入选名单、签名（部里）",
    ),
    (
        "combine:exports",
        "各评审组专家的签名评分文件（文件或其 *.json 所在文件夹）：由它们重算每个评审组的全部数值，不一致即停止",
    ),
    (
        "combine:inputs",
        "各组长签名的汇总结果，或存放它们的文件夹（其中的 *.json）",
    ),
    (
        "combine:roster",
        "部里的名单：各组长的条目（角色 chair）和部里的签署人（角色 ministry），带公钥",
    ),
    ("combine:output", "要写出的合并结果（签名 JSON）"),
    ("combine:csv", "同时写出全国排名 CSV（UTF-8 带 BOM）"),
    ("combine:notice_csv", "同时写出公示名单 CSV"),
    (
        "combine:xlsx",
        "同时写出排名、公示名单和跨组问题的 XLSX 工作簿",
    ),
    (
        "combine:key",
        "部里的密钥：密钥目录中的编号或密钥文件；不给则结果为未签名草稿",
    ),
    (
        "combine:passphrase_file",
        "从此文件读取密钥口令（也可用 PANELIST_PASSPHRASE_FILE）",
    ),
    (
        "combine:call",
        "各汇总结果须属的申报年份（默认取第一个结果的）",
    ),
    (
        "combine:prefer",
        "同一评审组有两个版本的汇总结果时，保留此文件（可重复）",
    ),
    ("combine:rule", "全国排名所依据的各组总分统计量"),
    (
        "combine:basis",
        "拟入选名单依据的数值：各组原始分，或各组内的 z 分数、百分位",
    ),
    ("combine:select", "每个方向拟入选的项目数"),
    (
        "combine:quota",
        "各方向名额：TOML 文件，每行“方向代码 = 名额”",
    ),
    ("combine:threshold", "依据数值不低于此数的项目拟入选"),
    (
        "combine:rank_shift",
        "项目在原始分、z 分数、百分位下的全国名次相差超过此数时标记为不稳健",
    ),
    (
        "combine:no_sme_tiebreak",
        "同等条件下不优先推荐中小微企业的项目",
    ),
    // merge, board, replay
    (
        "merge",
        "汇总专家的签名评分文件：校验、汇总、排序、签名（组长）",
    ),
    (
        "merge:inputs",
        "专家的签名评分文件，或存放它们的文件夹（其中的 *.json）",
    ),
    ("merge:bundle", "评审组的评审包（专家所评的申报项目）"),
    ("merge:roster", "带公钥的评审名单（JSON 数组，或评审包）"),
    ("merge:output", "要写出的汇总结果（签名 JSON）"),
    (
        "merge:csv",
        "同时写出 CSV 结果（UTF-8 带 BOM，供 Excel 和 WPS 使用）",
    ),
    ("merge:xlsx", "同时写出 XLSX 工作簿"),
    (
        "merge:key",
        "组长的密钥：密钥目录中的编号或密钥文件；不给则结果为未签名草稿",
    ),
    (
        "merge:passphrase_file",
        "从此文件读取密钥口令（也可用 PANELIST_PASSPHRASE_FILE）",
    ),
    ("merge:rule", "用于排序的统计量"),
    (
        "merge:trim_min_n",
        "评分人数达到此数（≥ 3）起去掉一个最高分和一个最低分",
    ),
    ("merge:quorum", "评分人数少于此数时标记为不足法定人数"),
    (
        "merge:disagreement_pct",
        "总分极差达到总分值的此百分比时标记为分歧大",
    ),
    (
        "merge:outlier_pct",
        "某专家总分偏离评审组中位数达到总分值的此百分比时标记",
    ),
    ("merge:rank_shift", "不同规则下名次相差超过此数时标记"),
    (
        "merge:z_min_scores",
        "z 分数排名要求方向内每位专家至少有这么多评分",
    ),
    (
        "merge:no_sme_tiebreak",
        "同分时不优先中小微企业（2020 年征集的规则）；同分只看创新性",
    ),
    (
        "merge:skip_invalid",
        "排除未通过校验的文件（列出），而不是停止",
    ),
    (
        "merge:allow_partial",
        "也汇总未评完的导出文件（只计其已完成的评分）",
    ),
    (
        "merge:require_all",
        "名单中有密钥的专家必须都有文件参与汇总，否则停止（退出码 2，不写出任何文件）",
    ),
    (
        "merge:exclude_ineligible",
        "有资格审查问题（bundle check）的项目不参与排名；结果中列出这些项目",
    ),
    (
        "merge:opinions",
        "组长在看板上写下的专家组意见记录（panelist board --opinions）：结果中带上各项目最终的专家组意见",
    ),
    (
        "board",
        "组长看板：汇总结果的排名、分数分布、标记和专家统计",
    ),
    (
        "board:file",
        "汇总结果（签名的，或未签名草稿），或部里的合并结果",
    ),
    ("board:roster", "先按此名单校验文件（JSON 数组，或评审包）"),
    (
        "board:opinions",
        "把专家组意见写入此意见记录（首次保存时建立）；需要组长的 --key",
    ),
    (
        "board:key",
        "组长的密钥（每条专家组意见都由它签名）：密钥目录中的编号，或密钥文件",
    ),
    (
        "board:passphrase_file",
        "从此文件读取密钥口令（也可用 PANELIST_PASSPHRASE_FILE）",
    ),
    (
        "replay",
        "逐条回放工作副本或导出文件的评分记录：每条记录、链状态、任一时刻的评分表",
    ),
    ("replay:file", "工作副本（.bundle）或签名评分文件（.json）"),
    (
        "completions",
        "输出 shell 补全脚本（bash、zsh、fish、elvish、powershell）",
    ),
    ("completions:shell", "要补全的 shell"),
];

/// A command-line mistake clap found, told in Chinese on one line (help
/// and version requests are printed as clap does). Exits 2.
pub fn exit_with(e: clap::Error) -> ! {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let ctx = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let msg = match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
        ErrorKind::MissingRequiredArgument => {
            format!("缺少必需的参数：{}", ctx(ContextKind::InvalidArg))
        }
        ErrorKind::MissingSubcommand => "缺少命令".to_string(),
        ErrorKind::UnknownArgument => {
            let mut m = format!("未知参数“{}”", ctx(ContextKind::InvalidArg));
            let s = ctx(ContextKind::SuggestedArg);
            if !s.is_empty() {
                m += &format!("；是不是“{s}”？");
            }
            m
        }
        ErrorKind::InvalidSubcommand => {
            let mut m = format!("未知命令“{}”", ctx(ContextKind::InvalidSubcommand));
            let s = ctx(ContextKind::SuggestedSubcommand);
            if !s.is_empty() {
                m += &format!("；是不是“{s}”？");
            }
            m
        }
        ErrorKind::InvalidValue => {
            let mut m = format!(
                "参数 {} 的值“{}”无效",
                ctx(ContextKind::InvalidArg),
                ctx(ContextKind::InvalidValue)
            );
            let v = ctx(ContextKind::ValidValue);
            if !v.is_empty() {
                m += &format!("；可选：{v}");
            }
            m
        }
        ErrorKind::ValueValidation => format!(
            "参数 {} 的值“{}”无效",
            ctx(ContextKind::InvalidArg),
            ctx(ContextKind::InvalidValue)
        ),
        ErrorKind::ArgumentConflict => format!(
            "参数 {} 不能与 {} 同时使用",
            ctx(ContextKind::InvalidArg),
            ctx(ContextKind::PriorArg)
        ),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            format!("参数 {} 的值个数不对", ctx(ContextKind::InvalidArg))
        }
        ErrorKind::NoEquals => format!("参数 {} 须写成 --参数=值", ctx(ContextKind::InvalidArg)),
        _ => "命令行有误".to_string(),
    };
    let msg = crate::domain::text::inert_line(&msg.replace(['\n', '\r'], " "));
    eprintln!("panelist：错误：{msg}（用 --help 查看用法）");
    std::process::exit(i32::from(crate::exit::ERROR))
}
