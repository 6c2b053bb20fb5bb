//! Ordered migrations, applied at open. `PRAGMA user_version` is the number
//! of migrations applied; a file with a higher number is refused.

use rusqlite::Connection;

/// "PNLS": marks an SQLite file as a panelist bundle.
pub const APPLICATION_ID: i32 = 0x504E_4C53;

const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;
    CREATE TABLE applications (
        id                  TEXT PRIMARY KEY,
        position            INTEGER NOT NULL,
        title               TEXT NOT NULL,
        direction           INTEGER NOT NULL,
        sector              TEXT NOT NULL,
        authority           TEXT NOT NULL,
        priority            INTEGER,
        province            TEXT NOT NULL,
        overview            TEXT NOT NULL,
        technology          TEXT NOT NULL,
        deployment          TEXT NOT NULL,
        replication         TEXT NOT NULL,
        previously_selected INTEGER NOT NULL,
        national_funding    INTEGER NOT NULL,
        built               INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE units (
        app         TEXT NOT NULL REFERENCES applications(id),
        position    INTEGER NOT NULL,
        name        TEXT NOT NULL,
        credit_code TEXT NOT NULL,
        sme         INTEGER NOT NULL,
        PRIMARY KEY (app, position)
    ) STRICT;
    CREATE TABLE roster (
        id         TEXT PRIMARY KEY,
        position   INTEGER NOT NULL,
        name       TEXT NOT NULL,
        org        TEXT NOT NULL,
        role       TEXT,
        alg        TEXT,
        public_key TEXT,
        key_id     TEXT,
        sm2_id     TEXT
    ) STRICT;
    CREATE TABLE events (
        seq  INTEGER PRIMARY KEY,
        body TEXT NOT NULL,
        prev TEXT NOT NULL,
        hash TEXT NOT NULL
    ) STRICT;
    CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'the scoring history is append-only'); END;
    CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the scoring history is append-only'); END;
    CREATE TABLE sheet (
        app           TEXT PRIMARY KEY REFERENCES applications(id),
        comment       TEXT NOT NULL,
        recommend     INTEGER,
        recused       INTEGER NOT NULL,
        recuse_reason TEXT NOT NULL,
        last_seq      INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE sheet_scores (
        app       TEXT NOT NULL REFERENCES sheet(app),
        criterion TEXT NOT NULL,
        value     INTEGER NOT NULL,
        PRIMARY KEY (app, criterion)
    ) STRICT;
    "#,
    // 2: every event carries its owner's signature over its hash; the
    // roster lists each expert's previous keys (JSON array).
    r#"
    ALTER TABLE events ADD COLUMN sig TEXT;
    ALTER TABLE roster ADD COLUMN previous_keys TEXT;
    "#,
    // 3: what a list shows of every application, in order, apart from the
    // rows' long texts: the screens open on it without reading them.
    r#"
    CREATE INDEX applications_list
        ON applications(position, id, title, direction, sector, authority, priority, province);
    "#,
];

pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Every application as a list shows it, in the columns of a full read:
/// read from the `applications_list` index alone, never the rows.
pub const BRIEF_APPLICATIONS: &str = "SELECT id, title, direction, sector, authority, priority, \
     province, '', '', '', '', 0, 0, 0 FROM applications ORDER BY position";

/// Applies the migrations after `from`, each in its own transaction.
pub fn migrate(conn: &Connection, from: i64) -> rusqlite::Result<()> {
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from.max(0) as usize) {
        let v = i as i64 + 1;
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE; {sql}; PRAGMA user_version={v}; COMMIT;"
        ))?;
    }
    Ok(())
}

/// One object of a schema: type, name, table, SQL text.
type Object = (String, String, String, Option<String>);

fn objects(conn: &Connection) -> rusqlite::Result<Vec<Object>> {
    let mut st = conn.prepare(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name, tbl_name",
    )?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    rows.collect()
}

/// The schema panelist makes at `version`, built once per process on an
/// in-memory database from the same migrations.
fn expected(version: i64) -> Vec<Object> {
    static CACHE: std::sync::Mutex<Vec<(i64, Vec<Object>)>> = std::sync::Mutex::new(Vec::new());
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, o)) = cache.iter().find(|(v, _)| *v == version) {
        return o.clone();
    }
    let made = Connection::open_in_memory()
        .and_then(|c| {
            for sql in MIGRATIONS.iter().take(version.max(0) as usize) {
                c.execute_batch(sql)?;
            }
            objects(&c)
        })
        .unwrap_or_default();
    cache.push((version, made.clone()));
    made
}

/// Checks that the file's schema is exactly the one panelist makes at
/// `version`: every object it did not make (a trigger, a view, an index,
/// a table) and every object changed or missing is named. With
/// `tolerate_triggers` (inspection only: a reader fires no trigger),
/// deviations in triggers alone are returned as findings instead.
pub fn check_exact(
    conn: &Connection,
    version: i64,
    tolerate_triggers: bool,
) -> Result<Vec<String>, String> {
    let found = objects(conn).map_err(|e| format!("cannot read the schema: {e}"))?;
    let want = expected(version);
    let name = |o: &Object| crate::domain::text::inert_line(&o.1);
    let mut tolerated = Vec::new();
    let mut judge = |kind: &str, msg: String| -> Result<(), String> {
        if tolerate_triggers && kind == "trigger" {
            tolerated.push(msg);
            Ok(())
        } else {
            Err(msg)
        }
    };
    for o in &found {
        match want.iter().find(|w| w.0 == o.0 && w.1 == o.1) {
            None => judge(
                &o.0,
                format!(
                    "the file has a {} '{}' that panelist did not make (the file was altered outside panelist)",
                    o.0,
                    name(o)
                ),
            )?,
            Some(w) if w != o => judge(
                &o.0,
                format!(
                    "the {} '{}' is not the one panelist made (the file was altered outside panelist)",
                    o.0,
                    name(o)
                ),
            )?,
            Some(_) => {}
        }
    }
    for w in want
        .iter()
        .filter(|w| !found.iter().any(|o| o.0 == w.0 && o.1 == w.1))
    {
        judge(
            &w.0,
            format!(
                "the {} '{}' is missing (the file was altered outside panelist)",
                w.0,
                name(w)
            ),
        )?;
    }
    Ok(tolerated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_brief_read_touches_the_list_index_alone() {
        let c = Connection::open_in_memory().expect("memory db");
        migrate(&c, 0).expect("migrate");
        let plan: Vec<String> = c
            .prepare(&format!("EXPLAIN QUERY PLAN {BRIEF_APPLICATIONS}"))
            .expect("plan")
            .query_map([], |r| r.get::<_, String>(3))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("plan rows");
        assert_eq!(
            plan,
            vec!["SCAN applications USING COVERING INDEX applications_list".to_string()]
        );
    }

    #[test]
    fn migrations_apply_in_order_on_memory_db() {
        let c = Connection::open_in_memory().expect("memory db");
        migrate(&c, 0).expect("migrate");
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(v, SCHEMA_VERSION);
        // Applying again from the current version is a no-op.
        migrate(&c, v).expect("idempotent");
        let n: i64 = c
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type='table'",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(n, 7);
    }
}
