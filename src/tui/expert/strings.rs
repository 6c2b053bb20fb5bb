//! The expert screens' strings about scoring on purpose: pending values,
//! what a draft lacks, the claim's confirmation, the export's target and
//! the comment editor's keys. One const per language, as in
//! `kit::strings`; `{}` marks where `fill` puts its arguments, in order.

use crate::support::lang::Lang;

pub struct ScoringStrings {
    /// A typed value left unsaved by Esc; `{}` the value, `{}` the criterion.
    pub pending_discarded: &'static str,
    /// Under the criteria while a value is typed; `{}` the value.
    pub pending_hint: &'static str,
    /// A value refused whole: value, criterion, min, max, step.
    pub refused_scale: &'static str,
    /// A change that was saved, where it happened.
    pub flash_saved: &'static str,
    /// What a draft lacks; `{}` the list.
    pub lacks: &'static str,
    /// `{}` the comment's length, `{}` the minimum.
    pub lacks_comment: &'static str,
    pub lacks_recommend: &'static str,
    /// Between the names of the missing criteria.
    pub list_sep: &'static str,
    // Quitting with a typed value.
    pub quit_title: &'static str,
    /// `{}` the criterion, `{}` the value.
    pub quit_body: &'static str,
    pub quit_hint: &'static str,
    // The claim's confirmation.
    pub claim_title: &'static str,
    /// Id, name, organisation.
    pub claim_who: &'static str,
    /// `{}` the key id.
    pub claim_key: &'static str,
    pub claim_no_key: &'static str,
    pub claim_final: &'static str,
    pub claim_hint: &'static str,
    // The export's target.
    pub export_checking: &'static str,
    /// `{}` the full path.
    pub export_replace: &'static str,
    pub export_replace_hint: &'static str,
    /// `{}` the folder.
    pub export_no_folder: &'static str,
    /// `{}` the path.
    pub export_is_folder: &'static str,
    /// The file appeared after the check; `{}` the path.
    pub export_appeared: &'static str,
    // The comment editor.
    pub ctx_comment: &'static str,
    /// Every key of the comment editor, for `?` and the README.
    pub comment_keys: &'static [(&'static str, &'static str)],
    /// Characters of a paste the editor did not take; `{}` how many.
    pub comment_refused: &'static str,
}

impl ScoringStrings {
    pub fn of(lang: Lang) -> &'static ScoringStrings {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

pub const ZH: ScoringStrings = ScoringStrings {
    pending_discarded: "输入的 {}（{}）未保存，已放弃",
    pending_hint: "{} 尚未保存：Enter 保存 · Esc 放弃",
    refused_scale: "{} 不在{}的评分范围 {}–{}（步长 {}）内，未保存",
    flash_saved: "✓已保存",
    lacks: "尚缺：{}",
    lacks_comment: "评审意见 {}/{} 字",
    lacks_recommend: "推荐意见",
    list_sep: "、",
    quit_title: "退出",
    quit_body: "为{}输入的 {} 尚未保存。",
    quit_hint: "y 不保存并退出 · n 或 Esc 继续输入",
    claim_title: "确认身份",
    claim_who: "以 {} {}（{}）的身份认领此评审包",
    claim_key: "签名密钥 {}",
    claim_no_key: "尚无签名密钥（认领后可创建）",
    claim_final: "认领后不能更改。",
    claim_hint: "Enter 确认认领 · Esc 返回",
    export_checking: "正在检查输出文件…",
    export_replace: "{} 已存在。是否替换？",
    export_replace_hint: "Enter 替换 · Esc 另选文件",
    export_no_folder: "文件夹 {} 不存在",
    export_is_folder: "{} 是文件夹，不是文件",
    export_appeared: "{} 在确认后被创建，未替换：请重新选择",
    ctx_comment: "评审意见编辑器",
    comment_keys: &[
        ("Esc", "保存并关闭"),
        ("Ctrl-S", "保存（不关闭）"),
        ("Enter, Ctrl-J", "换行"),
        ("Backspace, Del", "删除前一个、后一个字符"),
        ("Ctrl-W", "删除前一个词"),
        ("←/→, ↑/↓", "移动光标"),
        ("Ctrl-←/→", "按词移动"),
        ("Home, End", "行首、行尾"),
        ("Ctrl-Home, Ctrl-End", "全文开头、结尾"),
        ("Ctrl-Z, Ctrl-Y", "撤销、重做"),
        ("粘贴", "保留换行；制表符变为空格，其他控制字符略去并提示"),
    ],
    comment_refused: "已略去 {} 个控制字符",
};

pub const EN: ScoringStrings = ScoringStrings {
    pending_discarded: "the typed {} ({}) was not saved: discarded",
    pending_hint: "{} not saved yet: Enter saves · Esc discards",
    refused_scale: "{} is outside the scale of {}, {}–{} in steps of {}: nothing saved",
    flash_saved: "✓saved",
    lacks: "missing: {}",
    lacks_comment: "comment {}/{} chars",
    lacks_recommend: "recommendation",
    list_sep: ", ",
    quit_title: "Quit",
    quit_body: "{}: the typed {} is not saved.",
    quit_hint: "y quit without it · n or Esc keep typing",
    claim_title: "Confirm who you are",
    claim_who: "Claim this working copy as {} {} ({})",
    claim_key: "signing with key {}",
    claim_no_key: "no signing key yet (you can make one next)",
    claim_final: "This cannot be changed later.",
    claim_hint: "Enter claim · Esc back",
    export_checking: "checking the file…",
    export_replace: "{} already exists. Replace it?",
    export_replace_hint: "Enter replace · Esc choose another file",
    export_no_folder: "the folder {} does not exist",
    export_is_folder: "{} is a folder, not a file",
    export_appeared: "{} was created after the check and was not replaced: choose again",
    ctx_comment: "Comment editor",
    comment_keys: &[
        ("Esc", "save and close"),
        ("Ctrl-S", "save (stay open)"),
        ("Enter, Ctrl-J", "new line"),
        ("Backspace, Del", "delete the character before, after"),
        ("Ctrl-W", "delete the word before"),
        ("←/→, ↑/↓", "move the cursor"),
        ("Ctrl-←/→", "move by word"),
        ("Home, End", "start, end of the line"),
        ("Ctrl-Home, Ctrl-End", "start, end of the text"),
        ("Ctrl-Z, Ctrl-Y", "undo, redo"),
        (
            "paste",
            "keeps line breaks; a tab becomes a space, other control characters are left out with a notice",
        ),
    ],
    comment_refused: "{} control character(s) left out",
};
