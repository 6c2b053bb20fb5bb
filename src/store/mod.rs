//! The bundle file: one SQLite database holding a panel's applications, the
//! catalog and rubric they are scored against, the roster, and — in an
//! expert's working copy — the hash-chained scoring history and the
//! current score sheet. This is the only module that speaks SQL.
//!
//! Every change goes through [`Bundle::append_all`]: the events and the
//! sheet update are one transaction, committed with `synchronous=FULL` in
//! rollback-journal mode (`journal_mode=DELETE`), so a change that returned
//! is in the `.bundle` file itself — a copy taken at any moment holds it,
//! and nothing lives only in a `-wal` beside it.
//!
//! The file is not trusted as found. Every open checks that its schema is
//! exactly panelist's (a trigger, view, index or table it did not make is
//! refused by name) and that no `-wal`/`-shm` of another writer lies beside
//! it; [`Bundle::check_record`] (run by every writer open) checks the
//! applications against the bundle digest, the chain from genesis, and the
//! stored sheet against the replay of the history.

pub mod opinions;
mod schema;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};

use crate::domain::content::{self, Content};
use crate::domain::history::{self, ChainError, Change, Entry, Event, Refusal, Sheet};
use crate::domain::text::inert_line;
use crate::domain::{Application, Catalog, RosterEntry, Rubric, Sections, Unit};
use crate::support::clock::Clock;
use crate::support::fs::TempPath;

mod zh;

pub use schema::{APPLICATION_ID, SCHEMA_VERSION};

/// Everything that can go wrong with a bundle, each a one-line message.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}: no such file")]
    NotFound(String),
    #[error("{0}: not a panelist bundle ({1})")]
    NotBundle(String, String),
    #[error("{0}: damaged bundle: {1}")]
    Damaged(String, String),
    #[error(
        "{path}: made by a newer panelist (schema version {found}, this one reads up to {supported}); upgrade panelist"
    )]
    TooNew {
        path: String,
        found: i64,
        supported: i64,
    },
    #[error("{0}: already open in another panelist process (only one writer at a time)")]
    Locked(String),
    #[error(
        "{path}: this working copy belongs to expert {owner} ({owner_name}); you are {you} — ask the chair for a copy of your own"
    )]
    Owner {
        path: String,
        owner: String,
        owner_name: String,
        you: String,
    },
    #[error("{0}: no expert identity is set for this working copy")]
    NoOwner(String),
    #[error("{0}")]
    Refused(Refusal),
    #[error("{0}: already exists (use --force to replace it)")]
    Exists(String),
    #[error("{path}: refused: {msg}")]
    Altered { path: String, msg: String },
    #[error(
        "{path}: refused: a {kind} file lies beside it ({beside}); a panelist bundle keeps everything in the one file — move that file away (it is not part of this bundle)"
    )]
    Beside {
        path: String,
        kind: &'static str,
        beside: String,
    },
    #[error("{0}: open in another panelist process; close it there first, then replace it")]
    Busy(String),
    #[error(
        "{path}: refused: seq {seq} was not made with your key (someone wrote to this copy without it); nothing was recorded — hand the copy to the chair: `panelist audit` names every such event"
    )]
    Unsigned { path: String, seq: u64 },
    #[error("{path}: cannot sign the change: {msg}")]
    Sign { path: String, msg: String },
    #[error("{path}: {msg}")]
    Io { path: String, msg: String },
    #[error("{path}: database error: {err}")]
    Sql { path: String, err: rusqlite::Error },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// What a writer needs of the owner's key (the store knows no crypto):
/// sign a new event's hash, and tell whether a stored signature is the
/// owner's — by the current key or a previous key the roster lists.
pub trait EventKey {
    fn sign_event(&self, hash: &[u8; 32]) -> std::result::Result<String, String>;
    fn owns(&self, hash: &[u8; 32], sig: &str) -> bool;
}

/// The expert a working copy belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub id: String,
    pub name: String,
    pub org: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
}

/// The bundle's header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Meta {
    pub call: String,
    pub panel: String,
    pub bundle_id: String,
    pub created: String,
    /// Hex SHA-256 of the canonical content (see `domain::content`).
    pub digest: String,
    pub tool_version: String,
}

/// The last event of a log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub size: u64,
    pub hash: String,
}

/// An open bundle.
pub struct Bundle {
    conn: Connection,
    path: PathBuf,
    pub meta: Meta,
    pub catalog: Catalog,
    pub rubric: Rubric,
    app_ids: BTreeSet<String>,
    /// Held for the life of a writing session: one writer per working copy.
    _lock: Option<File>,
    /// The sheet and head as of the last commit (writers only).
    cache: Option<(Sheet, u64, [u8; 32], String)>,
    /// The head was made in this session with the key that signs the next
    /// change: its signature need not be checked again.
    head_signed_here: bool,
    /// A writer's content check, running on its own connection beside the
    /// first frame; joined before the first change.
    /// It hands back the applications it checked, texts and all.
    content_check: Option<std::thread::JoinHandle<Result<Vec<Application>>>>,
    content_ok: Option<std::result::Result<(), String>>,
    /// The applications the content check read and found as digested.
    checked_apps: Option<Vec<Application>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Read,
    Write,
    /// A writer whose content check runs beside the first frame (the
    /// screens); the first change waits for it.
    WriteDeferred,
    Inspect,
}

fn pstr(p: &Path) -> String {
    p.display().to_string()
}

impl Bundle {
    fn sql(&self, err: rusqlite::Error) -> StoreError {
        sql_err(&self.path, err)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens a bundle for reading only (info, check, verify, export).
    pub fn open_read(path: &Path) -> Result<Bundle> {
        Self::open(path, Mode::Read).map(|(b, _)| b)
    }

    /// Opens a bundle for scoring: takes the writer lock, applies any
    /// pending migrations and refuses a file whose record does not check
    /// (see [`Bundle::check_record`]).
    pub fn open_write(path: &Path) -> Result<Bundle> {
        Self::open(path, Mode::Write).map(|(b, _)| b)
    }

    /// Opens a bundle for scoring as [`Bundle::open_write`] does, except
    /// that the content check (applications against the digest, the
    /// costly part on a large bundle) is left for later: the screens start
    /// it on its own connection once their first frame is drawn
    /// ([`Bundle::start_content_check`]). No change is recorded before it
    /// passed: the first append waits for it (or runs it) and refuses on
    /// its failure.
    pub fn open_write_deferred(path: &Path) -> Result<Bundle> {
        Self::open(path, Mode::WriteDeferred).map(|(b, _)| b)
    }

    /// Opens a bundle to inspect what was done to it (audit, replay):
    /// read-only, and a schema whose only deviations are triggers (which a
    /// reader never fires) is opened, the deviations returned as findings.
    pub fn open_inspect(path: &Path) -> Result<(Bundle, Vec<String>)> {
        Self::open(path, Mode::Inspect)
    }

    fn open(path: &Path, mode: Mode) -> Result<(Bundle, Vec<String>)> {
        let write = matches!(mode, Mode::Write | Mode::WriteDeferred);
        let p = pstr(path);
        let header = sniff(path)?;
        refuse_beside(path)?;
        let lock = if write {
            let f = File::options()
                .read(true)
                .write(true)
                .open(path)
                .map_err(|e| StoreError::Io {
                    path: p.clone(),
                    msg: e.to_string(),
                })?;
            Some(lock_file(f, path, true)?.ok_or_else(|| StoreError::Locked(p.clone()))?)
        } else {
            None
        };
        if !write && std::fs::metadata(beside(path, "-journal")).is_ok_and(|m| m.len() > 0) {
            recover(path)?;
        }
        let conn = if write {
            Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
        } else if header.wal {
            // A file still marked for write-ahead logging (none beside it,
            // as checked above) is read as immutable: a plain read-only open
            // of such a file would create `-wal`/`-shm`, which read-only
            // media cannot hold.
            Connection::open_with_flags(
                immutable_uri(path),
                OpenFlags::SQLITE_OPEN_READ_ONLY
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX
                    | OpenFlags::SQLITE_OPEN_URI,
            )
        } else {
            Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
        }
        .map_err(|e| damaged(path, e))?;
        // Nothing the file brings may run code of its own: functions are
        // refused inside views and triggers.
        conn.execute_batch("PRAGMA trusted_schema=OFF;")
            .map_err(|e| damaged(path, e))?;
        let app_id: i64 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| damaged(path, e))?;
        if app_id != APPLICATION_ID as i64 {
            return Err(StoreError::NotBundle(
                p,
                "an SQLite database of another program".into(),
            ));
        }
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| damaged(path, e))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: p,
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        if version < 1 {
            return Err(StoreError::Damaged(p, format!("schema version {version}")));
        }
        // Before any query touches a table: the schema must be exactly the
        // one panelist made at this version.
        let schema_findings =
            schema::check_exact(&conn, version, mode == Mode::Inspect).map_err(|msg| {
                StoreError::Altered {
                    path: p.clone(),
                    msg,
                }
            })?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| damaged(path, e))?;
        conn.execute_batch("PRAGMA foreign_keys=ON;")
            .map_err(|e| damaged(path, e))?;
        if write {
            conn.execute_batch("PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;")
                .map_err(|e| damaged(path, e))?;
            schema::migrate(&conn, version).map_err(|e| damaged(path, e))?;
        } else if version < SCHEMA_VERSION {
            return Err(StoreError::Damaged(
                p,
                format!("schema version {version} needs an upgrade: open it for scoring once"),
            ));
        }
        let meta_map: BTreeMap<String, String> = {
            let mut st = conn
                .prepare("SELECT key, value FROM meta")
                .map_err(|e| damaged(path, e))?;
            let rows = st
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
                .map_err(|e| damaged(path, e))?;
            rows.collect::<std::result::Result<_, _>>()
                .map_err(|e| damaged(path, e))?
        };
        let get = |k: &str| {
            meta_map
                .get(k)
                .cloned()
                .ok_or_else(|| StoreError::Damaged(p.clone(), format!("meta '{k}' is missing")))
        };
        let catalog: Catalog = serde_json::from_str(&get("catalog")?)
            .map_err(|e| StoreError::Damaged(p.clone(), format!("catalog: {e}")))?;
        let rubric: Rubric = serde_json::from_str(&get("rubric")?)
            .map_err(|e| StoreError::Damaged(p.clone(), format!("rubric: {e}")))?;
        let meta = Meta {
            call: get("call")?,
            panel: get("panel")?,
            bundle_id: get("bundle_id")?,
            created: get("created")?,
            digest: get("digest")?,
            tool_version: get("tool_version")?,
        };
        let app_ids = {
            let mut st = conn
                .prepare("SELECT id FROM applications")
                .map_err(|e| damaged(path, e))?;
            let rows = st
                .query_map([], |r| r.get::<_, String>(0))
                .map_err(|e| damaged(path, e))?;
            rows.collect::<std::result::Result<_, _>>()
                .map_err(|e| damaged(path, e))?
        };
        let mut b = Bundle {
            conn,
            path: path.to_path_buf(),
            meta,
            catalog,
            rubric,
            app_ids,
            _lock: lock,
            cache: None,
            head_signed_here: false,
            content_check: None,
            content_ok: None,
            checked_apps: None,
        };
        if write {
            // A writer never builds on a file it has not checked: the
            // sheet it carries on from is the replay of the verified
            // history, never the stored one.
            let sheet = b.check_history()?;
            if mode != Mode::WriteDeferred {
                b.check_content()?;
                b.content_ok = Some(Ok(()));
            }
            let (size, hash, time) = b.head_raw()?;
            b.cache = Some((sheet, size, hash, time));
        }
        Ok((b, schema_findings))
    }

    /// Checks the record the file holds against itself: the applications,
    /// catalog and rubric against the bundle digest (the first differing
    /// application named), the chain from genesis, and the stored sheet
    /// against the replay of the history. Returns the replayed sheet.
    pub fn check_record(&self) -> Result<Sheet> {
        self.check_content()?;
        self.check_history()
    }

    /// The applications, catalog and rubric against the bundle digest (the
    /// first differing application named).
    pub fn check_content(&self) -> Result<()> {
        self.check_content_of(&self.applications()?)
    }

    /// [`Bundle::check_content`] of applications read from this bundle.
    fn check_content_of(&self, apps: &[Application]) -> Result<()> {
        let digest = history::hex(&content::digest(&self.catalog, &self.rubric, apps));
        if digest != self.meta.digest {
            return Err(StoreError::Altered {
                path: pstr(&self.path),
                msg: self.describe_content_change(apps)?,
            });
        }
        Ok(())
    }

    /// The chain from genesis, and the stored sheet against the replay of
    /// the history. Returns the replayed sheet.
    pub fn check_history(&self) -> Result<Sheet> {
        let altered = |msg: String| StoreError::Altered {
            path: pstr(&self.path),
            msg,
        };
        let events = self.history()?;
        match self.owner()? {
            Some(o) => {
                history::verify_chain(&self.digest_bytes()?, &o.id, &events)
                    .map_err(|e| altered(format!("the scoring history is broken: {e}")))?;
            }
            None if !events.is_empty() => {
                return Err(altered(
                    "the copy has scoring events but no expert owns it".into(),
                ));
            }
            None => {}
        }
        let ids = &self.app_ids;
        let replayed =
            history::replay(&self.rubric, |a| ids.contains(a), &events).map_err(|(seq, r)| {
                altered(format!(
                    "seq {seq}: the history holds a refused change: {r}"
                ))
            })?;
        let stored = self.sheet()?;
        if let Some(app) = first_sheet_difference(&stored, &replayed) {
            return Err(altered(format!(
                "the stored score sheet differs from the scoring history at application {}; the file was edited outside panelist",
                inert_line(&app)
            )));
        }
        Ok(replayed)
    }

    /// Waits for the content check a writer started at open (it runs
    /// beside the first frame of the screens); a change is never recorded
    /// before it passed.
    fn content_checked(&mut self) -> Result<()> {
        if self.content_ok.is_none() && self.content_check.is_none() {
            // Not started yet (a deferred open before its first frame):
            // check here, before the change.
            let r = self.check_content();
            self.content_ok = Some(r.as_ref().map(|_| ()).map_err(|e| e.to_string()));
        }
        if let Some(h) = self.content_check.take() {
            let r = h.join().unwrap_or_else(|_| {
                Err(StoreError::Damaged(
                    pstr(&self.path),
                    "the content check stopped".into(),
                ))
            });
            self.content_ok = Some(r.as_ref().map(|_| ()).map_err(|e| e.to_string()));
            self.checked_apps = r.ok();
        }
        match &self.content_ok {
            Some(Ok(())) | None => Ok(()),
            Some(Err(m)) => Err(StoreError::Altered {
                path: pstr(&self.path),
                msg: m
                    .split_once(": refused: ")
                    .map_or(m.as_str(), |(_, rest)| rest)
                    .to_string(),
            }),
        }
    }

    /// Starts the content check of a deferred open on its own connection
    /// (the screens call this once their first frame is drawn, so the check
    /// does not compete with it). Does nothing when it ran or runs.
    pub fn start_content_check(&mut self) {
        if self.content_ok.is_some() || self.content_check.is_some() {
            return;
        }
        let bg = self.path.clone();
        self.content_check = Some(std::thread::spawn(move || {
            let b = Bundle::open(&bg, Mode::Read)?.0;
            let apps = b.applications()?;
            b.check_content_of(&apps)?;
            Ok(apps)
        }));
    }

    /// Every application, texts and all, as the content check found them
    /// (waits for it; reads them here when it ran without keeping them).
    /// The screens open with [`Bundle::applications_brief`] and take these
    /// once the first frame is drawn. An altered content is refused (the
    /// check's error).
    pub fn checked_applications(&mut self) -> Result<Vec<Application>> {
        if self.content_ok.is_none() && self.content_check.is_none() {
            self.start_content_check();
        }
        self.content_checked()?;
        match self.checked_apps.take() {
            Some(apps) => Ok(apps),
            None => self.applications(),
        }
    }

    /// The result of the content check, once known: `None` while it runs
    /// or before it started (the screens show it when it fails).
    pub fn content_verdict(&mut self) -> Option<std::result::Result<(), String>> {
        if self.content_check.as_ref().is_some_and(|h| h.is_finished()) {
            let _ = self.content_checked();
        }
        self.content_ok.clone()
    }

    /// Names what changed in content whose digest no longer matches.
    fn describe_content_change(&self, apps: &[Application]) -> Result<String> {
        let recorded: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key='app_digests'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.sql(e))?;
        let recorded: BTreeMap<String, String> = recorded
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default();
        if !recorded.is_empty() {
            for a in apps {
                match recorded.get(&a.id) {
                    Some(h) if *h == application_digest(a) => {}
                    Some(_) => {
                        return Ok(format!(
                            "application {} differs from the one the bundle digest was made over",
                            inert_line(&a.id)
                        ));
                    }
                    None => {
                        return Ok(format!(
                            "application {} is not in the bundle digest (added after the bundle was made)",
                            inert_line(&a.id)
                        ));
                    }
                }
            }
            let have: BTreeSet<&str> = apps.iter().map(|a| a.id.as_str()).collect();
            if let Some(gone) = recorded.keys().find(|k| !have.contains(k.as_str())) {
                return Ok(format!(
                    "application {} was removed after the bundle was made",
                    inert_line(gone)
                ));
            }
            return Ok(
                "the catalog or rubric differs from the one the bundle digest was made over".into(),
            );
        }
        Ok("the applications, catalog or rubric differ from the bundle digest".into())
    }

    /// Builds a new bundle at `path` from content, atomically: nothing is
    /// left at `path` if anything fails.
    pub fn create(
        path: &Path,
        content: &Content,
        panel: &str,
        clock: &Clock,
        force: bool,
    ) -> Result<Meta> {
        let p = pstr(path);
        // Replacing a bundle takes its writer lock first and holds it until
        // the new file is in place: a process scoring in the old file is
        // never cut off mid-change.
        let _held = match std::fs::symlink_metadata(path) {
            Err(_) => None,
            Ok(_) if !force => return Err(StoreError::Exists(p)),
            Ok(md) if md.is_file() => {
                let f = File::options()
                    .read(true)
                    .write(true)
                    .open(path)
                    .map_err(|e| StoreError::Io {
                        path: p.clone(),
                        msg: e.to_string(),
                    })?;
                Some(lock_file(f, path, true)?.ok_or_else(|| StoreError::Busy(p.clone()))?)
            }
            Ok(_) => {
                return Err(StoreError::Io {
                    path: p,
                    msg: "not a regular file; refusing to replace it".into(),
                });
            }
        };
        let tmp = TempPath::beside(path);
        let digest = content::digest(&content.catalog, &content.rubric, &content.applications);
        let mut id = [0u8; 16];
        getrandom::fill(&mut id).map_err(|e| StoreError::Io {
            path: p.clone(),
            msg: e.to_string(),
        })?;
        let meta = Meta {
            call: content.catalog.call.clone(),
            panel: panel.to_string(),
            bundle_id: history::hex(&id),
            created: clock.stamp(),
            digest: history::hex(&digest),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
        };
        {
            let mut conn = Connection::open(tmp.path()).map_err(|e| sql_err(path, e))?;
            write_content(&mut conn, content, &meta).map_err(|e| sql_err(path, e))?;
            conn.close().map_err(|(_, e)| sql_err(path, e))?;
        }
        tmp.commit(path).map_err(|e| StoreError::Io {
            path: p,
            msg: format!("{e:#}"),
        })?;
        Ok(meta)
    }

    /// Every application, in bundle order.
    pub fn applications(&self) -> Result<Vec<Application>> {
        self.read_applications(true)
    }

    /// Every application without its sections (empty) and the flags
    /// stored after them (false): what a list shows, read in a fraction of
    /// the time, since a row's long texts are never read
    /// ([`Bundle::fill_texts`] reads one application's).
    pub fn applications_brief(&self) -> Result<Vec<Application>> {
        self.read_applications(false)
    }

    /// What [`Bundle::applications_brief`] leaves out of `a`: its sections
    /// and the flags stored after them.
    pub fn fill_texts(&self, a: &mut Application) -> Result<()> {
        let id = a.id.clone();
        self.conn
            .query_row(
                "SELECT overview, technology, deployment, replication, previously_selected, \
                 national_funding, built FROM applications WHERE id = ?1",
                [&id],
                |r| {
                    a.sections = Sections {
                        overview: r.get(0)?,
                        technology: r.get(1)?,
                        deployment: r.get(2)?,
                        replication: r.get(3)?,
                    };
                    a.previously_selected = r.get(4)?;
                    a.national_funding = r.get(5)?;
                    a.built = r.get(6)?;
                    Ok(())
                },
            )
            .map_err(|e| self.sql(e))
    }

    fn read_applications(&self, texts: bool) -> Result<Vec<Application>> {
        // Read in the table's own order (one pass, no index lookups), put
        // in each application's order here.
        let mut units: std::collections::HashMap<String, Vec<(i64, Unit)>> = Default::default();
        {
            let mut st = self
                .conn
                .prepare("SELECT app, position, name, credit_code, sme FROM units")
                .map_err(|e| self.sql(e))?;
            let rows = st
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        Unit {
                            name: r.get(2)?,
                            credit_code: r.get(3)?,
                            sme: r.get(4)?,
                        },
                    ))
                })
                .map_err(|e| self.sql(e))?;
            for row in rows {
                let (app, pos, u) = row.map_err(|e| self.sql(e))?;
                units.entry(app).or_default().push((pos, u));
            }
        }
        let mut units: std::collections::HashMap<String, Vec<Unit>> = units
            .into_iter()
            .map(|(app, mut us)| {
                us.sort_by_key(|(pos, _)| *pos);
                (app, us.into_iter().map(|(_, u)| u).collect())
            })
            .collect();
        let mut st = self
            .conn
            .prepare(
                if texts {
                    "SELECT id, title, direction, sector, authority, priority, province, overview, \
                     technology, deployment, replication, previously_selected, national_funding, built \
                     FROM applications ORDER BY position"
                } else {
                    schema::BRIEF_APPLICATIONS
                },
            )
            .map_err(|e| self.sql(e))?;
        let rows = st
            .query_map([], |r| {
                Ok(Application {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    direction: Some(r.get(2)?),
                    direction_written: None,
                    lead_unit: Unit {
                        name: String::new(),
                        credit_code: String::new(),
                        sme: false,
                    },
                    joint_units: Vec::new(),
                    sector: r.get(3)?,
                    authority: r.get(4)?,
                    priority: r.get(5)?,
                    province: r.get(6)?,
                    sections: Sections {
                        overview: r.get(7)?,
                        technology: r.get(8)?,
                        deployment: r.get(9)?,
                        replication: r.get(10)?,
                    },
                    previously_selected: r.get(11)?,
                    national_funding: r.get(12)?,
                    built: r.get(13)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let mut a = row.map_err(|e| self.sql(e))?;
            let mut us = units.remove(&a.id).unwrap_or_default().into_iter();
            match us.next() {
                Some(lead) => a.lead_unit = lead,
                None => {
                    return Err(StoreError::Damaged(
                        pstr(&self.path),
                        format!("application {} has no lead unit", a.id),
                    ));
                }
            }
            a.joint_units = us.collect();
            out.push(a);
        }
        Ok(out)
    }

    pub fn has_application(&self, id: &str) -> bool {
        self.app_ids.contains(id)
    }

    pub fn application_count(&self) -> usize {
        self.app_ids.len()
    }

    pub fn roster(&self) -> Result<Vec<RosterEntry>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id, name, org, role, alg, public_key, key_id, sm2_id, previous_keys FROM roster ORDER BY position",
            )
            .map_err(|e| self.sql(e))?;
        let rows = st
            .query_map([], |r| {
                Ok(RosterEntry {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    org: r.get(2)?,
                    role: r.get(3)?,
                    alg: r.get(4)?,
                    public_key: r.get(5)?,
                    key_id: r.get(6)?,
                    sm2_id: r.get(7)?,
                    previous_keys: r
                        .get::<_, Option<String>>(8)?
                        .and_then(|j| serde_json::from_str(&j).ok())
                        .unwrap_or_default(),
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.sql(e))
    }

    /// Recomputes the content digest from what the file holds now.
    pub fn recompute_digest(&self) -> Result<String> {
        let apps = self.applications()?;
        Ok(history::hex(&content::digest(
            &self.catalog,
            &self.rubric,
            &apps,
        )))
    }

    pub fn digest_bytes(&self) -> Result<[u8; 32]> {
        history::unhex32(&self.meta.digest).ok_or_else(|| {
            StoreError::Damaged(
                pstr(&self.path),
                "meta 'digest' is not 64 hex digits".into(),
            )
        })
    }

    /// The expert this working copy belongs to, if claimed.
    pub fn owner(&self) -> Result<Option<Identity>> {
        let v: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key='owner'", [], |r| r.get(0))
            .optional()
            .map_err(|e| self.sql(e))?;
        match v {
            None => Ok(None),
            Some(s) => serde_json::from_str(&s)
                .map(Some)
                .map_err(|e| StoreError::Damaged(pstr(&self.path), format!("owner: {e}"))),
        }
    }

    /// Records that the owner now signs with `key_id` (a lost key replaced
    /// by a new one; the caller has checked the old one is a previous key
    /// of the same expert).
    pub fn rebind_key(&mut self, key_id: &str) -> Result<()> {
        let Some(mut o) = self.owner()? else {
            return Err(StoreError::NoOwner(pstr(&self.path)));
        };
        o.key_id = Some(key_id.to_string());
        let json = serde_json::to_string(&o).unwrap_or_default();
        self.conn
            .execute("UPDATE meta SET value=?1 WHERE key='owner'", params![json])
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Makes this working copy `who`'s, or checks that it already is.
    pub fn claim(&mut self, who: &Identity) -> Result<()> {
        match self.owner()? {
            Some(o) if o.id == who.id => Ok(()),
            Some(o) => Err(StoreError::Owner {
                path: pstr(&self.path),
                owner: o.id,
                owner_name: o.name,
                you: who.id.clone(),
            }),
            None => {
                let json = serde_json::to_string(who).unwrap_or_default();
                self.conn
                    .execute(
                        "INSERT INTO meta(key, value) VALUES('owner', ?1)",
                        params![json],
                    )
                    .map_err(|e| self.sql(e))?;
                if let Some(c) = self.cache.as_mut() {
                    let d = history::unhex32(&self.meta.digest).unwrap_or([0; 32]);
                    if c.1 == 0 {
                        c.2 = history::genesis(&d, &who.id);
                    }
                }
                Ok(())
            }
        }
    }

    /// Appends one change for the owner, its event signed by the owner's
    /// key. Returns once the transaction is durable; a refused change
    /// leaves nothing behind.
    pub fn append(&mut self, change: Change, clock: &Clock, key: &dyn EventKey) -> Result<Event> {
        let mut evs = self.append_all(vec![change], clock, key)?;
        evs.pop().ok_or_else(|| StoreError::Io {
            path: pstr(&self.path),
            msg: "no change recorded".into(),
        })
    }

    /// Appends several changes for the owner as one transaction, each
    /// event signed by the owner's key over its hash: all of them are
    /// durable when this returns, or none is recorded (a refused change, a
    /// full disk, read-only media, a kill). Refuses, recording nothing,
    /// when the head of the history is not signed by that key: the key
    /// never signs over events somebody else put there.
    pub fn append_all(
        &mut self,
        changes: Vec<Change>,
        clock: &Clock,
        key: &dyn EventKey,
    ) -> Result<Vec<Event>> {
        self.append_with(changes, clock, key)
    }

    /// Each event's stored signature, in seq order (`None`: unsigned).
    pub fn event_signatures(&self) -> Result<Vec<(u64, Option<String>)>> {
        let mut st = self
            .conn
            .prepare("SELECT seq, sig FROM events ORDER BY seq")
            .map_err(|e| self.sql(e))?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))
            .map_err(|e| self.sql(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.sql(e))
    }

    fn append_with(
        &mut self,
        changes: Vec<Change>,
        clock: &Clock,
        key: &dyn EventKey,
    ) -> Result<Vec<Event>> {
        self.content_checked()?;
        let owner = self
            .owner()?
            .ok_or_else(|| StoreError::NoOwner(pstr(&self.path)))?;
        let Some((sheet, size, prev, last_time)) = self.cache.as_ref() else {
            return Err(StoreError::Io {
                path: pstr(&self.path),
                msg: "opened read-only; cannot record a change".into(),
            });
        };
        let ids = &self.app_ids;
        let mut next = sheet.clone();
        let mut time = clock.stamp();
        if time < *last_time {
            // Never let the log's clock run backwards.
            time = last_time.clone();
        }
        let mut prev = if *size == 0 {
            history::genesis(&self.digest_bytes()?, &owner.id)
        } else {
            *prev
        };
        let mut seq = *size;
        if seq > 0 && !self.head_signed_here {
            let head_sig: Option<String> = self
                .conn
                .query_row(
                    "SELECT sig FROM events WHERE seq=?1",
                    params![seq as i64],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|e| self.sql(e))?
                .flatten();
            if !head_sig.is_some_and(|s| key.owns(&prev, &s)) {
                return Err(StoreError::Unsigned {
                    path: pstr(&self.path),
                    seq,
                });
            }
        }
        let mut events = Vec::with_capacity(changes.len());
        for change in changes {
            next.check(&self.rubric, |a| ids.contains(a), &change)
                .map_err(StoreError::Refused)?;
            seq += 1;
            let ev = history::make_event(seq, &prev, &time, &owner.id, change);
            next.apply(seq, &ev.change);
            prev = history::unhex32(&ev.hash).unwrap_or([0; 32]);
            events.push(ev);
        }
        let touched: BTreeSet<&str> = events.iter().map(|e| e.change.app()).collect();
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sql_err(&path, e))?;
        for ev in &events {
            let body = String::from_utf8(history::canonical_body(&ev.time, &ev.expert, &ev.change))
                .unwrap_or_default();
            let sig = key
                .sign_event(&history::unhex32(&ev.hash).unwrap_or([0; 32]))
                .map_err(|msg| StoreError::Sign {
                    path: pstr(&path),
                    msg,
                })?;
            tx.execute(
                "INSERT INTO events(seq, body, prev, hash, sig) VALUES(?1, ?2, ?3, ?4, ?5)",
                params![ev.seq as i64, body, ev.prev, ev.hash, sig],
            )
            .map_err(|e| sql_err(&path, e))?;
        }
        for app in &touched {
            let entry = next.entries.get(*app).cloned().unwrap_or_default();
            write_entry(&tx, app, &entry).map_err(|e| sql_err(&path, e))?;
        }
        // Read back before committing: the transaction holds exactly the
        // events made here, whatever the file brought with it.
        let (stored, head): (i64, Option<String>) = tx
            .query_row(
                "SELECT count(*), (SELECT hash FROM events ORDER BY seq DESC LIMIT 1) FROM events",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| sql_err(&path, e))?;
        let want = events.last().map(|e| e.hash.clone());
        if stored as u64 != seq || (want.is_some() && head != want) {
            return Err(StoreError::Altered {
                path: pstr(&path),
                msg: "the file did not keep the change it was given; nothing was recorded".into(),
            });
        }
        tx.commit().map_err(|e| sql_err(&path, e))?;
        let time = events.last().map(|e| e.time.clone()).unwrap_or(time);
        self.cache = Some((next, seq, prev, time));
        self.head_signed_here = true;
        Ok(events)
    }

    /// The current sheet as stored (not replayed).
    pub fn sheet(&self) -> Result<Sheet> {
        let mut sheet = Sheet::default();
        {
            let mut st = self
                .conn
                .prepare(
                    "SELECT app, comment, recommend, recused, recuse_reason, last_seq FROM sheet",
                )
                .map_err(|e| self.sql(e))?;
            let rows = st
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        Entry {
                            scores: BTreeMap::new(),
                            comment: r.get(1)?,
                            recommend: r.get(2)?,
                            recused: r.get(3)?,
                            recuse_reason: r.get(4)?,
                            last_seq: r.get::<_, i64>(5)? as u64,
                        },
                    ))
                })
                .map_err(|e| self.sql(e))?;
            for row in rows {
                let (app, e) = row.map_err(|e| self.sql(e))?;
                sheet.entries.insert(app, e);
            }
        }
        let mut st = self
            .conn
            .prepare("SELECT app, criterion, value FROM sheet_scores")
            .map_err(|e| self.sql(e))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .map_err(|e| self.sql(e))?;
        for row in rows {
            let (app, c, v) = row.map_err(|e| self.sql(e))?;
            sheet.entries.entry(app).or_default().scores.insert(c, v);
        }
        Ok(sheet)
    }

    /// The sheet as of the last commit of this session (writers), else as
    /// stored.
    pub fn current(&self) -> Result<Sheet> {
        match &self.cache {
            Some(c) => Ok(c.0.clone()),
            None => self.sheet(),
        }
    }

    fn head_raw(&self) -> Result<(u64, [u8; 32], String)> {
        let row: Option<(i64, String, String)> = self
            .conn
            .query_row(
                "SELECT seq, hash, body FROM events ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        match row {
            None => Ok((0, [0; 32], String::new())),
            Some((seq, hash, body)) => {
                let time = serde_json::from_str::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v.get("time").and_then(|t| t.as_str()).map(str::to_string))
                    .unwrap_or_default();
                let h = history::unhex32(&hash).ok_or_else(|| {
                    StoreError::Damaged(pstr(&self.path), format!("seq {seq}: hash is not hex"))
                })?;
                Ok((seq as u64, h, time))
            }
        }
    }

    /// The log's size and head hash (genesis when empty and claimed).
    pub fn head(&self) -> Result<Head> {
        let (size, hash, _) = self.head_raw()?;
        if size == 0 {
            let g = match self.owner()? {
                Some(o) => history::genesis(&self.digest_bytes()?, &o.id),
                None => [0; 32],
            };
            return Ok(Head {
                size: 0,
                hash: history::hex(&g),
            });
        }
        Ok(Head {
            size,
            hash: history::hex(&hash),
        })
    }

    /// The full history in order. A row whose body does not parse is
    /// reported with its seq.
    pub fn history(&self) -> Result<Vec<Event>> {
        let mut st = self
            .conn
            .prepare("SELECT seq, body, prev, hash FROM events ORDER BY seq")
            .map_err(|e| self.sql(e))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, body, prev, hash) = row.map_err(|e| self.sql(e))?;
            let ev = parse_body(seq as u64, &body, prev, hash)
                .map_err(|m| StoreError::Damaged(pstr(&self.path), m))?;
            out.push(ev);
        }
        Ok(out)
    }

    /// Recomputes the chain from genesis; the first bad seq is named.
    pub fn verify_chain(&self) -> Result<std::result::Result<Head, ChainError>> {
        let events = self.history()?;
        self.verify_chain_of(&events)
    }

    /// [`Bundle::verify_chain`] over `events`, this copy's history as
    /// [`Bundle::history`] read it (so a caller that needs the events too
    /// reads them once).
    pub fn verify_chain_of(
        &self,
        events: &[Event],
    ) -> Result<std::result::Result<Head, ChainError>> {
        let owner = self.owner()?;
        let Some(owner) = owner else {
            return Ok(if events.is_empty() {
                Ok(Head {
                    size: 0,
                    hash: history::hex(&[0; 32]),
                })
            } else {
                Err(ChainError::Expert {
                    seq: 1,
                    found: events[0].expert.clone(),
                })
            });
        };
        Ok(
            history::verify_chain(&self.digest_bytes()?, &owner.id, events).map(|h| Head {
                size: events.len() as u64,
                hash: history::hex(&h),
            }),
        )
    }

    /// SQLite's own integrity check ("ok" when sound).
    pub fn integrity_check(&self) -> Result<String> {
        let rows: Vec<String> = {
            let mut st = self
                .conn
                .prepare("PRAGMA integrity_check")
                .map_err(|e| self.sql(e))?;
            let r = st
                .query_map([], |r| r.get::<_, String>(0))
                .map_err(|e| self.sql(e))?;
            r.collect::<std::result::Result<_, _>>()
                .map_err(|e| self.sql(e))?
        };
        Ok(rows.join("; "))
    }
}

/// Parses a stored event body back into an event.
pub fn parse_body(
    seq: u64,
    body: &str,
    prev: String,
    hash: String,
) -> std::result::Result<Event, String> {
    if let Some((time, expert, change)) = parse_canonical_body(body) {
        return Ok(Event {
            seq,
            time,
            expert,
            change,
            prev,
            hash,
        });
    }
    #[derive(Deserialize)]
    struct Body {
        time: String,
        expert: String,
        #[serde(flatten)]
        change: Change,
    }
    let b: Body = serde_json::from_str(body).map_err(|e| format!("seq {seq}: event body: {e}"))?;
    Ok(Event {
        seq,
        time: b.time,
        expert: b.expert,
        change: b.change,
        prev,
        hash,
    })
}

/// The fast reading of a stored body: its fields read flat (no buffered
/// tagged enum), accepted only when the body is byte for byte the
/// canonical body of what was read — what panelist stores — so it gives
/// exactly what the general reading gives. Anything else is `None` and
/// goes the general way.
fn parse_canonical_body(body: &str) -> Option<(String, String, Change)> {
    #[derive(Deserialize)]
    struct Flat {
        app: String,
        criterion: Option<String>,
        expert: String,
        reason: Option<String>,
        text: Option<String>,
        time: String,
        #[serde(rename = "type")]
        kind: String,
        value: Option<serde_json::Value>,
    }
    let f: Flat = serde_json::from_str(body).ok()?;
    let app = f.app;
    let change = match f.kind.as_str() {
        "score" => Change::Score {
            app,
            criterion: f.criterion?,
            value: match f.value {
                None => None,
                Some(v) => Some(v.as_i64()?),
            },
        },
        "comment" => Change::Comment { app, text: f.text? },
        "recommend" => Change::Recommend {
            app,
            value: match f.value {
                None => None,
                Some(v) => Some(v.as_bool()?),
            },
        },
        "recuse" => Change::Recuse {
            app,
            reason: f.reason?,
        },
        "unrecuse" => Change::Unrecuse {
            app,
            reason: f.reason?,
        },
        _ => return None,
    };
    if history::canonical_body(&f.time, &f.expert, &change) != body.as_bytes() {
        return None;
    }
    Some((f.time, f.expert, change))
}

fn write_entry(tx: &rusqlite::Transaction<'_>, app: &str, e: &Entry) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO sheet(app, comment, recommend, recused, recuse_reason, last_seq) \
         VALUES(?1, ?2, ?3, ?4, ?5, ?6) \
         ON CONFLICT(app) DO UPDATE SET comment=excluded.comment, recommend=excluded.recommend, \
         recused=excluded.recused, recuse_reason=excluded.recuse_reason, last_seq=excluded.last_seq",
        params![app, e.comment, e.recommend, e.recused, e.recuse_reason, e.last_seq as i64],
    )?;
    tx.execute("DELETE FROM sheet_scores WHERE app=?1", params![app])?;
    for (c, v) in &e.scores {
        tx.execute(
            "INSERT INTO sheet_scores(app, criterion, value) VALUES(?1, ?2, ?3)",
            params![app, c, v],
        )?;
    }
    Ok(())
}

fn write_content(conn: &mut Connection, content: &Content, meta: &Meta) -> rusqlite::Result<()> {
    conn.execute_batch(&format!("PRAGMA application_id={APPLICATION_ID};"))?;
    schema::migrate(conn, 0)?;
    let tx = conn.transaction()?;
    {
        let mut m = tx.prepare("INSERT INTO meta(key, value) VALUES(?1, ?2)")?;
        let catalog = serde_json::to_string(&content.catalog).unwrap_or_default();
        let rubric = serde_json::to_string(&content.rubric).unwrap_or_default();
        let app_digests = serde_json::to_string(
            &content
                .applications
                .iter()
                .map(|a| (a.id.as_str(), application_digest(a)))
                .collect::<BTreeMap<_, _>>(),
        )
        .unwrap_or_default();
        for (k, v) in [
            ("call", meta.call.as_str()),
            ("panel", &meta.panel),
            ("bundle_id", &meta.bundle_id),
            ("created", &meta.created),
            ("digest", &meta.digest),
            ("tool_version", &meta.tool_version),
            ("catalog", &catalog),
            ("rubric", &rubric),
            ("app_digests", &app_digests),
        ] {
            m.execute(params![k, v])?;
        }
        let mut a = tx.prepare(
            "INSERT INTO applications(id, position, title, direction, sector, authority, priority, \
             province, overview, technology, deployment, replication, previously_selected, \
             national_funding, built) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)",
        )?;
        let mut u = tx.prepare(
            "INSERT INTO units(app, position, name, credit_code, sme) VALUES(?1, ?2, ?3, ?4, ?5)",
        )?;
        for (i, app) in content.applications.iter().enumerate() {
            a.execute(params![
                app.id,
                i as i64,
                app.title,
                app.direction.unwrap_or(0),
                app.sector,
                app.authority,
                app.priority,
                app.province,
                app.sections.overview,
                app.sections.technology,
                app.sections.deployment,
                app.sections.replication,
                app.previously_selected,
                app.national_funding,
                app.built
            ])?;
            for (k, unit) in app.units().enumerate() {
                u.execute(params![
                    app.id,
                    k as i64,
                    unit.name,
                    unit.credit_code,
                    unit.sme
                ])?;
            }
        }
        let mut r = tx.prepare(
            "INSERT INTO roster(id, position, name, org, role, alg, public_key, key_id, sm2_id, \
             previous_keys) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
        )?;
        for (i, e) in content.roster.iter().enumerate() {
            r.execute(params![
                e.id,
                i as i64,
                e.name,
                e.org,
                e.role,
                e.alg,
                e.public_key,
                e.key_id,
                e.sm2_id,
                (!e.previous_keys.is_empty())
                    .then(|| serde_json::to_string(&e.previous_keys).unwrap_or_default())
            ])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Looks at the first bytes so that a file of another kind gets a plain
/// message rather than SQLite's.
fn sniff(path: &Path) -> Result<Header> {
    let p = pstr(path);
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(StoreError::NotFound(p)),
        Err(e) => {
            return Err(StoreError::Io {
                path: p,
                msg: e.to_string(),
            });
        }
    };
    let md = f.metadata().map_err(|e| StoreError::Io {
        path: p.clone(),
        msg: e.to_string(),
    })?;
    if md.is_dir() {
        return Err(StoreError::Io {
            path: p,
            msg: "is a directory, not a bundle file".into(),
        });
    }
    let mut head = [0u8; 100];
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => {
                return Err(StoreError::Io {
                    path: p,
                    msg: e.to_string(),
                });
            }
        }
    }
    if n == 0 {
        return Err(StoreError::NotBundle(p, "the file is empty".into()));
    }
    if n < 16 || &head[..16] != b"SQLite format 3\0" {
        return Err(StoreError::NotBundle(p, "not an SQLite database".into()));
    }
    if n < 100 {
        return Err(StoreError::Damaged(
            p,
            "truncated: shorter than the SQLite header".into(),
        ));
    }
    // The header records the database size in pages; a shorter file was cut.
    let page_size = match u16::from_be_bytes([head[16], head[17]]) {
        1 => 65536u64,
        s => s as u64,
    };
    let pages = u32::from_be_bytes([head[28], head[29], head[30], head[31]]) as u64;
    let valid_for = u32::from_be_bytes([head[92], head[93], head[94], head[95]]);
    let change = u32::from_be_bytes([head[24], head[25], head[26], head[27]]);
    // With a write-ahead log beside it, a checkpoint may have been cut
    // short: SQLite completes it from the log, so the size is not final.
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal_pending = std::fs::metadata(PathBuf::from(wal)).is_ok_and(|m| m.len() > 0);
    // Likewise a change cut short in rollback-journal mode: the file may be
    // mid-write, and its journal puts it back.
    let journal_pending = std::fs::metadata(beside(path, "-journal")).is_ok_and(|m| m.len() > 0);
    if !wal_pending
        && !journal_pending
        && pages > 0
        && valid_for == change
        && md.len() < pages * page_size
    {
        return Err(StoreError::Damaged(
            p,
            format!(
                "truncated: {} bytes, the header says {}",
                md.len(),
                pages * page_size
            ),
        ));
    }
    Ok(Header {
        wal: head[18] == 2 || head[19] == 2,
    })
}

/// What the first page says about the file.
struct Header {
    /// Marked for write-ahead logging (a file made before bundles kept
    /// everything in the one file, or by another program).
    wal: bool,
}

fn beside(path: &Path, ext: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(ext);
    PathBuf::from(p)
}

/// A `-wal` or `-shm` beside a bundle is never panelist's own (bundles are
/// kept in rollback-journal mode): opening would mix another file's pages
/// into this one.
fn refuse_beside(path: &Path) -> Result<()> {
    for (ext, kind) in [("-wal", "write-ahead log"), ("-shm", "shared-memory")] {
        let b = beside(path, ext);
        if std::fs::symlink_metadata(&b).is_ok() {
            return Err(StoreError::Beside {
                path: pstr(path),
                kind,
                beside: pstr(&b),
            });
        }
    }
    Ok(())
}

/// Takes the exclusive writer lock on `f`. A lock held a moment longer than
/// its session — a process that closed the copy while another was being
/// spawned keeps the descriptor until that one starts — is waited out
/// briefly when `wait`; `None` when a writer is really there.
fn lock_file(f: File, path: &Path, wait: bool) -> Result<Option<File>> {
    let mut tries = 0;
    loop {
        match f.try_lock() {
            Ok(()) => return Ok(Some(f)),
            Err(std::fs::TryLockError::WouldBlock) if wait && tries < 25 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(StoreError::Io {
                    path: pstr(path),
                    msg: format!("cannot lock: {e}"),
                });
            }
        }
    }
}

/// A change interrupted by a kill or a power cut leaves its rollback
/// journal beside the file; a reader cannot roll it back, so a short
/// read-write open does it first (SQLite rolls a hot journal back on the
/// first read, and leaves a journal of a live writer alone).
fn recover(path: &Path) -> Result<()> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|_| StoreError::Damaged(
        pstr(path),
        "a change was interrupted and its journal must be rolled back: open the bundle once where it can be written".into(),
    ))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(|e| damaged(path, e))?;
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| damaged(path, e))?;
    Ok(())
}

/// An SQLite URI opening `path` read-only and immutable.
fn immutable_uri(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    for b in abs.as_os_str().as_encoded_bytes() {
        match *b {
            b'%' | b'?' | b'#' => uri.push_str(&format!("%{b:02X}")),
            c if c < 0x80 => uri.push(c as char),
            c => uri.push_str(&format!("%{c:02X}")),
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    uri
}

/// Hex SHA-256 of one application's canonical JSON, recorded at creation
/// so that a changed application can be named.
fn application_digest(a: &Application) -> String {
    use sha2::{Digest, Sha256};
    let bytes = serde_json_canonicalizer::to_vec(a).unwrap_or_default();
    history::hex(&Sha256::digest(bytes))
}

/// The first application whose stored sheet line differs from the replay.
fn first_sheet_difference(stored: &Sheet, replayed: &Sheet) -> Option<String> {
    let apps: BTreeSet<&String> = stored
        .entries
        .keys()
        .chain(replayed.entries.keys())
        .collect();
    apps.into_iter()
        .find(|a| stored.entries.get(*a) != replayed.entries.get(*a))
        .cloned()
}

fn damaged(path: &Path, e: rusqlite::Error) -> StoreError {
    let msg = match &e {
        rusqlite::Error::SqliteFailure(f, m) => match f.code {
            rusqlite::ErrorCode::NotADatabase => "not a database or encrypted".to_string(),
            rusqlite::ErrorCode::DatabaseCorrupt => "the database image is malformed".to_string(),
            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked => {
                return StoreError::Locked(pstr(path));
            }
            _ => m.clone().unwrap_or_else(|| e.to_string()),
        },
        _ => e.to_string(),
    };
    StoreError::Damaged(pstr(path), msg)
}

fn sql_err(path: &Path, e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase
            ) =>
        {
            damaged(path, e)
        }
        _ => StoreError::Sql {
            path: pstr(path),
            err: e,
        },
    }
}

/// Makes the working copy at `b` expert `id`'s: with the owner's details
/// when it has an owner (the store then refuses anyone else clearly), else
/// with the roster entry of `id` (refused, naming the roster's ids, when
/// there is none).
pub fn claim_as(b: &mut Bundle, id: &str) -> anyhow::Result<()> {
    let who = match b.owner()? {
        Some(o) => Identity {
            id: id.to_string(),
            ..o
        },
        None => {
            let roster = b.roster()?;
            let e = roster.iter().find(|e| e.id == id).ok_or_else(|| {
                let ids: Vec<&str> = roster.iter().map(|e| e.id.as_str()).collect();
                anyhow::anyhow!(
                    "{}: expert '{}' is not on the panel roster ({})",
                    b.path().display(),
                    crate::domain::text::inert_line(id),
                    if ids.is_empty() {
                        "the roster is empty".to_string()
                    } else {
                        ids.join(", ")
                    }
                )
            })?;
            Identity {
                id: e.id.clone(),
                name: e.name.clone(),
                org: e.org.clone(),
                key_id: e.key_id.clone(),
            }
        }
    };
    b.claim(&who)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The general reading of a body, as `parse_body` falls back to.
    fn general(body: &str) -> Option<(String, String, Change)> {
        #[derive(Deserialize)]
        struct Body {
            time: String,
            expert: String,
            #[serde(flatten)]
            change: Change,
        }
        let b: Body = serde_json::from_str(body).ok()?;
        Some((b.time, b.expert, b.change))
    }

    #[test]
    fn the_fast_body_reading_agrees_with_the_general_one_or_steps_aside() {
        let app = "G-BJ-000001".to_string();
        let changes = [
            Change::Score {
                app: app.clone(),
                criterion: "innovation".into(),
                value: Some(18),
            },
            Change::Score {
                app: app.clone(),
                criterion: "innovation".into(),
                value: None,
            },
            Change::Comment {
                app: app.clone(),
                text: "有\"引号\"与\n换行\u{1}".into(),
            },
            Change::Recommend {
                app: app.clone(),
                value: Some(false),
            },
            Change::Recommend {
                app: app.clone(),
                value: None,
            },
            Change::Recuse {
                app: app.clone(),
                reason: "同单位".into(),
            },
            Change::Unrecuse {
                app: app.clone(),
                reason: "误报".into(),
            },
        ];
        for c in changes {
            let body = history::canonical_body("2024-03-01T09:00:00.000Z", "E01", &c);
            let body = String::from_utf8(body).expect("utf-8");
            let fast = parse_canonical_body(&body).expect("canonical bodies read fast");
            assert_eq!(Some(fast), general(&body), "{body}");
        }
        // Not canonical (spacing, order, an extra or a missing field, a
        // value of the wrong type): the fast reading declines.
        for body in [
            r#"{"app": "A","criterion":"c","expert":"E01","time":"2024-03-01T09:00:00.000Z","type":"score","value":1}"#,
            r#"{"criterion":"c","app":"A","expert":"E01","time":"2024-03-01T09:00:00.000Z","type":"score","value":1}"#,
            r#"{"app":"A","criterion":"c","expert":"E01","time":"2024-03-01T09:00:00.000Z","type":"score","value":1,"x":2}"#,
            r#"{"app":"A","criterion":"c","expert":"E01","time":"2024-03-01T09:00:00.000Z","type":"score"}"#,
            r#"{"app":"A","expert":"E01","time":"2024-03-01T09:00:00.000Z","type":"recommend","value":1}"#,
            r#"{"app":"A","expert":"E01","time":"2024-03-01T09:00:00.000Z","type":"vote"}"#,
        ] {
            assert_eq!(parse_canonical_body(body), None, "{body}");
        }
    }
}
