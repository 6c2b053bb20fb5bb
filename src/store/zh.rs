//! The store's errors in Chinese (the English ones are the enum's
//! `Display`): the command line shows these under `--lang zh`. Details
//! the store passes through (an SQLite message, a damaged field's name)
//! stay as they are.

use super::StoreError;

impl StoreError {
    /// The message in Chinese.
    pub fn zh(&self) -> String {
        use StoreError::*;
        match self {
            NotFound(p) => format!("{p}：没有这个文件"),
            NotBundle(p, why) => format!("{p}：不是 panelist 评审包（{why}）"),
            Damaged(p, why) => format!("{p}：评审包已损坏：{why}"),
            TooNew {
                path,
                found,
                supported,
            } => format!(
                "{path}：由较新的 panelist 建立（结构版本 {found}，本版最多读到 {supported}）；请升级 panelist"
            ),
            Locked(p) => format!("{p}：已在另一个 panelist 进程中打开（同一时间只能有一个写入者）"),
            Owner {
                path,
                owner,
                owner_name,
                you,
            } => format!(
                "{path}：这份工作副本属于专家 {owner}（{owner_name}），你是 {you}——请向组长要一份你自己的"
            ),
            NoOwner(p) => format!("{p}：这份工作副本尚未设定评审专家"),
            Refused(r) => r.zh(),
            Exists(p) => format!("{p}：已存在（要替换请加 --force）"),
            Altered { path, msg } => format!("{path}：拒绝打开：{msg}"),
            Beside { path, kind, beside } => format!(
                "{path}：拒绝打开：旁边有一个 {kind} 文件（{beside}）；panelist 评审包的全部内容都在这一个文件里——请把那个文件移走（它不属于本评审包）"
            ),
            Busy(p) => format!("{p}：正在另一个 panelist 进程中打开；请先在那里关闭，再替换"),
            Unsigned { path, seq } => format!(
                "{path}：拒绝：第 {seq} 条记录不是用你的密钥做的（有人未经密钥写入了这份副本）；未记录任何内容——请把副本交给组长：`panelist audit` 会列出每一条这样的记录"
            ),
            Sign { path, msg } => format!("{path}：无法为改动签名：{msg}"),
            Io { path, msg } => format!("{path}：{msg}"),
            Sql { path, err } => format!("{path}：数据库错误：{err}"),
        }
    }
}
