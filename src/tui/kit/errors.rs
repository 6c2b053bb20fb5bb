//! Errors as the screens show them, in the screen's language.
//!
//! The layers below the screens make their errors in English (the command
//! line's one-line contract). On a screen an error is one line made of the
//! error's chain: each context is looked up in [`PHRASES`] (holes `{}` take
//! the paths and names as they are), and an operating system error is said
//! by its kind ([`io_kind`]) instead of the system's English and its error
//! number (`No such file or directory (os error 2)`).

use std::io::ErrorKind;

use crate::support::lang::Lang;

/// English phrasings of the layers below (holes `{}`) and their Chinese.
const PHRASES: &[(&str, &str)] = &[
    ("cannot create a file in {}", "无法在 {} 中创建文件"),
    ("cannot create {}", "无法创建 {}"),
    ("cannot write {}", "无法写入 {}"),
    ("cannot sync {}", "无法把 {} 写到磁盘上"),
    ("cannot read {}", "无法读取 {}"),
    ("{}: cannot read: {}", "{}：无法读取：{}"),
    ("{}: is a folder, not a file", "{}：是文件夹，不是文件"),
    (
        "{}: names a folder, not a file to write",
        "{}：这是文件夹，请给出要写入的文件名",
    ),
    ("{}: {} is not a folder", "{}：{} 不是文件夹"),
    (
        "{}: no folder {} to write into (make it first)",
        "{}：没有可写入的文件夹 {}（请先建好）",
    ),
    (
        "{}: is {}, not a regular file; name a new file to write",
        "{}：是{}，不是普通文件；请给出新的文件名",
    ),
    (
        "{}: is also an input of this command; name another file to write",
        "{}：也是这次的输入文件；请换一个文件名",
    ),
    (
        "{}: larger than {}, the limit for {}",
        "{}：大于 {}（{} 的上限）",
    ),
    (
        "{}: not UTF-8 (byte {})",
        "{}：不是 UTF-8 文本（第 {} 字节）",
    ),
    (
        "{}: no expert has claimed this working copy yet (score or recuse an application first)",
        "{}：还没有专家认领这份评审副本（请先评分或回避一个项目）",
    ),
    (
        "{}: this working copy belongs to expert {} ({}); the key is {}'s",
        "{}：这份评审副本属于专家 {}（{}），密钥却是 {} 的",
    ),
    (
        "{}: the scoring history does not verify: {}",
        "{}：评分记录校验不通过：{}",
    ),
    ("the two passphrases differ", "两次输入的口令不一致"),
    (
        "{}: no key for expert {} (make one with: panelist key new --id {} ...)",
        "{}：没有专家 {} 的密钥（用 panelist key new --id {} ... 新建）",
    ),
    (
        "{}: no key yet (make one with: panelist key new --id ID --name NAME --org ORG)",
        "{}：还没有密钥（用 panelist key new --id 编号 --name 姓名 --org 单位 新建）",
    ),
    (
        "{}: refused: event(s) {} were not made with your key (nobody with it signed them); do not score in this copy — hand it to the chair: `panelist audit` names every such event",
        "{}：已拒绝：第 {} 条记录不是用您的密钥签署的（持有该密钥者从未签署它们）；请不要在这份副本中评分，把它交给评审组长：`panelist audit` 会列出每一条这样的记录",
    ),
    (
        "{}: refused: event(s) {} were not made with your key {}; nothing was exported — hand the copy to the chair: `panelist audit` names every such event",
        "{}：已拒绝：第 {} 条记录不是用您的密钥 {} 签署的；没有导出任何内容。请把副本交给评审组长：`panelist audit` 会列出每一条这样的记录",
    ),
    (
        "{}: this working copy was claimed with key {}, not with key {} of {}; if you lost key {} and made this one, ask the chair to list {} as a previous key of {} in the roster, then run `panelist key adopt --roster ROSTER` and try again",
        "{}：这份评审副本是用密钥 {} 认领的，而不是密钥 {}（{}）；如果您丢失了密钥 {} 并新建了这把，请评审组长在名册中把 {} 列为 {} 以前的密钥，然后运行 `panelist key adopt --roster ROSTER` 再试",
    ),
    (
        "{}: this working copy was claimed with key {}, not with key {} of {}",
        "{}：这份评审副本是用密钥 {} 认领的，而不是密钥 {}（{}）",
    ),
];

/// The language was switched but `config.toml` could not keep it.
pub fn lang_not_remembered(error: &anyhow::Error, lang: Lang) -> String {
    let why = error_text(error, lang);
    match lang {
        Lang::Zh => format!("已切换语言，但下次启动不会记住：{why}"),
        Lang::En => format!("language switched, but not remembered for the next start: {why}"),
    }
}

/// What an operating system error of kind `k` means, in `lang`.
pub fn io_kind(k: ErrorKind, lang: Lang) -> &'static str {
    let (zh, en) = match k {
        ErrorKind::NotFound => ("没有这个文件或文件夹", "no such file or folder"),
        ErrorKind::PermissionDenied => ("没有权限", "permission denied"),
        ErrorKind::AlreadyExists => ("已经存在", "already exists"),
        ErrorKind::IsADirectory => ("是文件夹", "is a folder"),
        ErrorKind::NotADirectory => ("不是文件夹", "not a folder"),
        ErrorKind::DirectoryNotEmpty => ("文件夹不是空的", "the folder is not empty"),
        ErrorKind::StorageFull => ("磁盘已满", "the disk is full"),
        ErrorKind::QuotaExceeded => ("超出磁盘配额", "the disk quota is used up"),
        ErrorKind::FileTooLarge => ("文件太大", "the file is too large"),
        ErrorKind::ReadOnlyFilesystem => ("磁盘是只读的", "the disk is read-only"),
        ErrorKind::CrossesDevices => ("不能跨磁盘移动", "cannot move across disks"),
        ErrorKind::ResourceBusy => ("正被占用", "busy"),
        ErrorKind::Interrupted => ("被中断", "interrupted"),
        ErrorKind::TimedOut => ("超时", "timed out"),
        ErrorKind::UnexpectedEof => ("文件提前结束", "the file ends too early"),
        ErrorKind::InvalidData => ("内容无效", "invalid content"),
        ErrorKind::InvalidInput => ("参数无效", "invalid argument"),
        ErrorKind::WriteZero => ("写不进去", "nothing could be written"),
        ErrorKind::OutOfMemory => ("内存不足", "out of memory"),
        ErrorKind::Unsupported => ("不支持", "not supported"),
        _ => ("输入输出错误", "input/output error"),
    };
    lang.pick(zh, en)
}

/// `error` as one line in `lang`: its chain, outermost first, each part
/// said in `lang` where it is known (see the module's note).
pub fn error_text(error: &anyhow::Error, lang: Lang) -> String {
    let parts: Vec<String> = error
        .chain()
        .map(|e| match e.downcast_ref::<std::io::Error>() {
            Some(io) if io.get_ref().is_none() => io_kind(io.kind(), lang).to_string(),
            _ => phrase(&e.to_string(), lang),
        })
        .collect();
    let sep = lang.pick("：", ": ");
    crate::domain::text::inert_line(&parts.join(sep))
}

/// A message of the layers below in `lang` (as it is when unknown).
pub fn phrase(message: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return message.to_string();
    }
    for (en, zh) in PHRASES {
        if let Some(holes) = holes(en, message) {
            let mut out = String::new();
            let mut rest = *zh;
            for h in holes {
                let Some(at) = rest.find("{}") else { break };
                out.push_str(&rest[..at]);
                out.push_str(&phrase(h, lang));
                rest = &rest[at + 2..];
            }
            out.push_str(rest);
            return out;
        }
    }
    message.to_string()
}

/// The text in each hole of `template` when `message` has its shape.
fn holes<'a>(template: &str, message: &'a str) -> Option<Vec<&'a str>> {
    let pieces: Vec<&str> = template.split("{}").collect();
    let first = pieces[0];
    let mut rest = message.strip_prefix(first)?;
    let mut out = Vec::new();
    for (k, piece) in pieces.iter().enumerate().skip(1) {
        let last = k + 1 == pieces.len();
        let at = if last {
            if !rest.ends_with(piece) {
                return None;
            }
            rest.len() - piece.len()
        } else if piece.is_empty() {
            return None;
        } else {
            rest.find(piece)?
        };
        out.push(&rest[..at]);
        rest = &rest[at + piece.len()..];
    }
    if pieces.len() == 1 && !rest.is_empty() {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_such_dir() -> anyhow::Error {
        let io = std::io::Error::from(ErrorKind::NotFound);
        anyhow::Error::new(io).context("cannot create a file in /media/usb/out")
    }

    #[test]
    fn an_io_error_is_said_by_its_kind_in_either_language() {
        let e = no_such_dir();
        assert_eq!(
            error_text(&e, Lang::Zh),
            "无法在 /media/usb/out 中创建文件：没有这个文件或文件夹"
        );
        assert_eq!(
            error_text(&e, Lang::En),
            "cannot create a file in /media/usb/out: no such file or folder"
        );
        let os = std::io::Error::from_raw_os_error(2);
        let e = anyhow::Error::new(os).context("cannot write /x/y.json");
        assert!(!error_text(&e, Lang::En).contains("os error"));
    }

    #[test]
    fn phrases_fill_their_holes_and_unknown_ones_stay() {
        assert_eq!(
            phrase(
                "/a/b.json: no folder /a to write into (make it first)",
                Lang::Zh
            ),
            "/a/b.json：没有可写入的文件夹 /a（请先建好）"
        );
        assert_eq!(phrase("something else", Lang::Zh), "something else");
        assert_eq!(phrase("cannot read", Lang::Zh), "cannot read");
        assert_eq!(holes("{}: x {} y", "p: x q y"), Some(vec!["p", "q"]));
        assert_eq!(holes("{}: x {} y", "p: x q z"), None);
    }
}
