//! The chair's opinion log: one SQLite file holding the panel's opinions
//! (专家组意见) as a hash-chained, append-only history of events, each
//! signed by the chair's key when it is made (`domain::opinion` has the
//! chain). Every change is one transaction committed with
//! `synchronous=FULL` in rollback-journal mode, read back before the
//! commit: when [`OpinionLog::append`] returns, the change is on disk.
//!
//! Every open checks the whole log — the schema exactly as panelist makes
//! it, the chain, and each event's signature through the caller's key
//! check — so nothing enters the opinions that the chair's key did not
//! make.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, TransactionBehavior, params};

use super::{EventKey, Result, StoreError, pstr};
use crate::domain::history::{hex, unhex32};
use crate::domain::opinion::{self, OpinionEvent};
use crate::support::clock::Clock;
use crate::support::fs::TempPath;

/// "PNLO": marks an SQLite file as a panelist opinion log.
pub const OPINIONS_APPLICATION_ID: i32 = 0x504E_4C4F;
/// The log's format, in its `meta`.
pub const OPINIONS_FORMAT: &str = "panelist.opinions.v1";

const SCHEMA: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
CREATE TABLE events (
    seq  INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL,
    sig  TEXT NOT NULL
) STRICT;
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the opinion log is append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the opinion log is append-only'); END;
CREATE TRIGGER meta_fixed_update BEFORE UPDATE ON meta
BEGIN SELECT RAISE(ABORT, 'the opinion log''s facts are fixed'); END;
CREATE TRIGGER meta_fixed_delete BEFORE DELETE ON meta
BEGIN SELECT RAISE(ABORT, 'the opinion log''s facts are fixed'); END;
"#;

/// What a log is about: one panel's bundle, one chair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpinionMeta {
    pub bundle_id: String,
    /// Hex SHA-256 content digest of the bundle.
    pub bundle_digest: String,
    /// The chair's roster id.
    pub chair: String,
    /// The key id the log was started with.
    pub key_id: String,
}

/// An open opinion log, checked.
pub struct OpinionLog {
    conn: Connection,
    path: PathBuf,
    meta: OpinionMeta,
    events: Vec<OpinionEvent>,
    /// Each event's stored signature, in seq order.
    sigs: Vec<String>,
}

impl std::fmt::Debug for OpinionLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpinionLog")
            .field("path", &self.path)
            .field("meta", &self.meta)
            .field("events", &self.events.len())
            .finish()
    }
}

fn lang_zh() -> bool {
    crate::support::lang::current() == crate::support::lang::Lang::Zh
}

fn altered(path: &Path, msg: String) -> StoreError {
    StoreError::Altered {
        path: pstr(path),
        msg,
    }
}

fn sql(path: &Path, e: rusqlite::Error) -> StoreError {
    super::sql_err(path, e)
}

/// The schema objects of a log as SQLite records them, in name order.
fn schema_rows(conn: &Connection) -> rusqlite::Result<Vec<(String, String, Option<String>)>> {
    let mut st = conn.prepare(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
    )?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

impl OpinionLog {
    /// Starts a new, empty log at `path` (written whole beside it, then
    /// renamed into place). Refuses an existing file.
    pub fn create(path: &Path, meta: &OpinionMeta) -> Result<OpinionLog> {
        if std::fs::symlink_metadata(path).is_ok() {
            return Err(StoreError::Exists(pstr(path)));
        }
        let tmp = TempPath::beside(path);
        {
            let conn = Connection::open(tmp.path()).map_err(|e| sql(path, e))?;
            conn.execute_batch(&format!(
                "PRAGMA application_id={OPINIONS_APPLICATION_ID}; PRAGMA user_version=1; PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;"
            ))
            .map_err(|e| sql(path, e))?;
            conn.execute_batch(SCHEMA).map_err(|e| sql(path, e))?;
            for (k, v) in [
                ("format", OPINIONS_FORMAT),
                ("bundle_id", meta.bundle_id.as_str()),
                ("bundle_digest", meta.bundle_digest.as_str()),
                ("chair", meta.chair.as_str()),
                ("key_id", meta.key_id.as_str()),
            ] {
                conn.execute("INSERT INTO meta(key, value) VALUES(?1, ?2)", params![k, v])
                    .map_err(|e| sql(path, e))?;
            }
            conn.close().map_err(|(_, e)| sql(path, e))?;
        }
        tmp.commit(path).map_err(|e| StoreError::Io {
            path: pstr(path),
            msg: format!("{e:#}"),
        })?;
        OpinionLog::open(path, true, &|_, _| true, &|_| true)
    }

    /// Opens and checks the log at `path`: its schema, its chain (each
    /// application among `known`) and every event's signature (`owns`
    /// tells whether a signature over a hash is the chair's).
    pub fn open(
        path: &Path,
        write: bool,
        owns: &dyn Fn(&[u8; 32], &str) -> bool,
        known: &dyn Fn(&str) -> bool,
    ) -> Result<OpinionLog> {
        let p = pstr(path);
        let md = std::fs::metadata(path).map_err(|_| StoreError::NotFound(p.clone()))?;
        if !md.is_file() {
            return Err(StoreError::Io {
                path: p,
                msg: crate::tr!("不是普通文件", "not a regular file").into(),
            });
        }
        let flags = if write {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
        } else {
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
        };
        let conn = Connection::open_with_flags(path, flags).map_err(|e| sql(path, e))?;
        conn.execute_batch("PRAGMA trusted_schema=OFF;")
            .map_err(|e| sql(path, e))?;
        let not_log = || StoreError::Io {
            path: p.clone(),
            msg: crate::tr!(
                "不是 panelist 专家组意见记录（panelist board --opinions 写的文件）",
                "not a panelist opinion log (the file panelist board --opinions writes)"
            )
            .into(),
        };
        let app_id: i64 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|_| not_log())?;
        if app_id != OPINIONS_APPLICATION_ID as i64 {
            return Err(not_log());
        }
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| sql(path, e))?;
        if version < 1 {
            return Err(not_log());
        }
        if version > 1 {
            return Err(StoreError::TooNew {
                path: p,
                found: version,
                supported: 1,
            });
        }
        let want = {
            let m = Connection::open_in_memory().map_err(|e| sql(path, e))?;
            m.execute_batch(SCHEMA).map_err(|e| sql(path, e))?;
            schema_rows(&m).map_err(|e| sql(path, e))?
        };
        if schema_rows(&conn).map_err(|e| sql(path, e))? != want {
            return Err(altered(
                path,
                crate::tr!(
                    "结构不是 panelist 建立时的样子（表或触发器被改动过）",
                    "its schema is not the one panelist made (tables or triggers were changed)"
                )
                .into(),
            ));
        }
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| sql(path, e))?;
        if write {
            conn.execute_batch("PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;")
                .map_err(|e| sql(path, e))?;
        }
        let meta_map: BTreeMap<String, String> = {
            let mut st = conn
                .prepare("SELECT key, value FROM meta")
                .map_err(|e| sql(path, e))?;
            let rows = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(|e| sql(path, e))?;
            rows.collect::<rusqlite::Result<_>>()
                .map_err(|e| sql(path, e))?
        };
        let keys = ["bundle_digest", "bundle_id", "chair", "format", "key_id"];
        if meta_map.keys().map(String::as_str).ne(keys) {
            return Err(altered(
                path,
                crate::tr!(
                    "meta 表的项目不对",
                    "its meta table does not hold the expected facts"
                )
                .into(),
            ));
        }
        if meta_map["format"] != OPINIONS_FORMAT {
            return Err(not_log());
        }
        let meta = OpinionMeta {
            bundle_id: meta_map["bundle_id"].clone(),
            bundle_digest: meta_map["bundle_digest"].clone(),
            chair: meta_map["chair"].clone(),
            key_id: meta_map["key_id"].clone(),
        };
        let Some(digest) = unhex32(&meta.bundle_digest) else {
            return Err(altered(
                path,
                crate::tr!("评审包摘要格式不对", "malformed bundle digest").into(),
            ));
        };
        let (events, sigs) = read_events(&conn, path)?;
        opinion::check_chain(&digest, &meta.chair, &events, known)
            .map_err(|e| altered(path, e.message(lang_zh())))?;
        let log = OpinionLog {
            conn,
            path: path.to_path_buf(),
            meta,
            events,
            sigs,
        };
        log.check_signatures(owns)?;
        Ok(log)
    }

    /// Every event's stored signature must be the chair's (`owns` tells);
    /// the first that is not is named.
    pub fn check_signatures(&self, owns: &dyn Fn(&[u8; 32], &str) -> bool) -> Result<()> {
        let chair = &self.meta.chair;
        match self
            .events
            .iter()
            .zip(&self.sigs)
            .find(|(e, s)| !owns(&e.hash_bytes(), s))
        {
            None => Ok(()),
            Some((e, _)) => Err(altered(
                &self.path,
                crate::tr!(
                    format!(
                        "第 {} 条不是组长 {chair} 的密钥签署的（有人不用这把密钥写入过）",
                        e.seq
                    ),
                    format!(
                        "event {} was not signed by chair {chair}'s key (someone wrote to this log without it)",
                        e.seq
                    )
                ),
            )),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn meta(&self) -> &OpinionMeta {
        &self.meta
    }

    /// Every event, in seq order.
    pub fn events(&self) -> &[OpinionEvent] {
        &self.events
    }

    /// Each event's stored signature, in seq order.
    pub fn signatures(&self) -> &[String] {
        &self.sigs
    }

    /// The hash of the last event (genesis for an empty log).
    pub fn head(&self) -> [u8; 32] {
        match self.events.last() {
            Some(e) => e.hash_bytes(),
            None => opinion::genesis(
                &unhex32(&self.meta.bundle_digest).unwrap_or([0; 32]),
                &self.meta.chair,
            ),
        }
    }

    /// Each application's opinion as the log stands.
    pub fn finals(&self) -> BTreeMap<String, opinion::FinalOpinion> {
        opinion::finals(&self.events)
    }

    /// Records the opinion on `app` (the whole text; empty withdraws it),
    /// signed by the chair's key. Returns once the change is durable; a
    /// refused change leaves nothing behind. Refuses when the log changed
    /// under this process (another board writing to it).
    pub fn append(
        &mut self,
        app: &str,
        text: &str,
        clock: &Clock,
        key: &dyn EventKey,
    ) -> Result<OpinionEvent> {
        let path = self.path.clone();
        if let Some(n) = opinion::too_long(text) {
            return Err(StoreError::Io {
                path: pstr(&path),
                msg: opinion::ChainError {
                    seq: self.events.len() as u64 + 1,
                    problem: opinion::Problem::TooLong(n),
                }
                .message(lang_zh()),
            });
        }
        let mut time = clock.stamp();
        if let Some(last) = self.events.last()
            && time < last.time
        {
            // Never let the log's clock run backwards.
            time = last.time.clone();
        }
        let prev = self.head();
        let seq = self.events.len() as u64 + 1;
        let ev = opinion::make(seq, &prev, &time, &self.meta.chair, app, text);
        let sig = key
            .sign_event(&ev.hash_bytes())
            .map_err(|msg| StoreError::Sign {
                path: pstr(&path),
                msg,
            })?;
        let body = String::from_utf8(ev.body()).unwrap_or_default();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sql(&path, e))?;
        let (stored, head): (i64, Option<String>) = tx
            .query_row(
                "SELECT count(*), (SELECT hash FROM events ORDER BY seq DESC LIMIT 1) FROM events",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| sql(&path, e))?;
        if stored as u64 != seq - 1 || head != self.events.last().map(|e| e.hash.clone()) {
            return Err(altered(
                &path,
                crate::tr!(
                    "记录在打开后被另一个进程改动过；未记录——请重新打开",
                    "the log changed since it was opened (another process wrote to it); nothing was recorded — open it again"
                )
                .into(),
            ));
        }
        tx.execute(
            "INSERT INTO events(seq, body, prev, hash, sig) VALUES(?1, ?2, ?3, ?4, ?5)",
            params![seq as i64, body, ev.prev, ev.hash, sig],
        )
        .map_err(|e| sql(&path, e))?;
        let back: String = tx
            .query_row(
                "SELECT hash FROM events WHERE seq=?1 AND body=?2",
                params![seq as i64, body],
                |r| r.get(0),
            )
            .map_err(|e| sql(&path, e))?;
        if back != ev.hash {
            return Err(altered(
                &path,
                crate::tr!(
                    "文件没有保存所给的修改；未记录",
                    "the file did not keep the change it was given; nothing was recorded"
                )
                .into(),
            ));
        }
        tx.commit().map_err(|e| sql(&path, e))?;
        self.events.push(ev.clone());
        self.sigs.push(sig);
        Ok(ev)
    }
}

/// Every stored event, parsed from its canonical body, with its signature.
fn read_events(conn: &Connection, path: &Path) -> Result<(Vec<OpinionEvent>, Vec<String>)> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        app: String,
        chair: String,
        text: String,
        time: String,
        #[serde(rename = "type")]
        kind: String,
    }
    let mut st = conn
        .prepare("SELECT seq, body, prev, hash, sig FROM events ORDER BY seq")
        .map_err(|e| sql(path, e))?;
    let rows = st
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })
        .map_err(|e| sql(path, e))?;
    let (mut events, mut sigs) = (Vec::new(), Vec::new());
    for row in rows {
        let (seq, body, prev, hash, sig) = row.map_err(|e| sql(path, e))?;
        let bad = |what: &str| {
            altered(
                path,
                crate::tr!(
                    format!("专家组意见记录第 {seq} 条：{what}"),
                    format!("opinion log event {seq}: {what}")
                ),
            )
        };
        let b: Body = serde_json::from_str(&body).map_err(|_| bad("body"))?;
        if b.kind != opinion::KIND {
            return Err(bad("type"));
        }
        let e = OpinionEvent {
            seq: u64::try_from(seq).map_err(|_| bad("seq"))?,
            time: b.time,
            chair: b.chair,
            app: b.app,
            text: b.text,
            prev,
            hash,
        };
        // The stored body must be the canonical one, byte for byte.
        if e.body() != body.as_bytes() {
            return Err(bad("body"));
        }
        events.push(e);
        sigs.push(sig);
    }
    Ok((events, sigs))
}

/// The hex head of a log's events (for the merged result).
pub fn head_hex(log: &OpinionLog) -> String {
    hex(&log.head())
}
