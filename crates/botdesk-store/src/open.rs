//! Opening a store file safely: checks that run **before anything is written**, so that a
//! file that is not ours, is damaged, or was written by a newer botdesk is refused with a clear
//! error and left byte-for-byte as it was; and the migration run, all pending migrations in one
//! transaction, so that a failed migration leaves the file as it was too.

use std::fs;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use refinery::{Migration, Runner};
use rusqlite::{Connection, OpenFlags};

use crate::error::StoreError;

refinery::embed_migrations!("../../migrations");

/// The table refinery keeps its history in; its highest version is the schema version.
pub(crate) const HISTORY_TABLE: &str = "refinery_schema_history";

/// The migrations compiled into this botdesk.
pub(crate) fn embedded_migrations() -> Vec<Migration> {
    migrations::runner().get_migrations().clone()
}

/// The newest schema version this botdesk knows.
pub fn latest_schema_version() -> i64 {
    embedded_migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .max()
        .unwrap_or(0)
}

/// What a file on disk looks like before we touch it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Preflight {
    /// No file: a new store will be created.
    Missing,
    /// A file with a sound SQLite header.
    Sqlite,
}

/// Reads the header of an existing file and refuses what cannot be a healthy SQLite store.
pub(crate) fn preflight(db: &Path) -> Result<Preflight, StoreError> {
    let meta = match fs::metadata(db) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Preflight::Missing),
        Err(e) => return Err(StoreError::io(db, e)),
    };
    let not_ours = |reason: &str| StoreError::NotADatabase {
        path: db.to_path_buf(),
        reason: reason.to_owned(),
    };
    let damaged = |reason: String| StoreError::Corrupt {
        path: db.to_path_buf(),
        reason,
    };
    if !meta.is_file() {
        return Err(not_ours("it is not a regular file"));
    }
    let len = meta.len();
    if len == 0 {
        return Err(not_ours("the file is empty"));
    }
    let mut header = [0u8; 100];
    let mut file = fs::File::open(db).map_err(|e| match e.kind() {
        std::io::ErrorKind::PermissionDenied => StoreError::ReadOnly {
            path: db.to_path_buf(),
            reason: "the file cannot be read".into(),
        },
        _ => StoreError::io(db, e),
    })?;
    let read = read_up_to(&mut file, &mut header).map_err(|e| StoreError::io(db, e))?;
    if read < 16 || &header[..16] != b"SQLite format 3\0" {
        return Err(not_ours("it does not start with the SQLite file header"));
    }
    if read < 100 {
        return Err(damaged(format!("the file is truncated to {len} bytes")));
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536u64,
        n if n >= 512 && n.is_power_of_two() => u64::from(n),
        n => {
            return Err(damaged(format!(
                "the header declares an impossible page size ({n})"
            )));
        }
    };
    if len % page_size != 0 {
        return Err(damaged(format!(
            "the file is truncated: {len} bytes is not a whole number of {page_size}-byte pages"
        )));
    }
    let change_counter = u32::from_be_bytes([header[24], header[25], header[26], header[27]]);
    let page_count = u32::from_be_bytes([header[28], header[29], header[30], header[31]]);
    let valid_for = u32::from_be_bytes([header[92], header[93], header[94], header[95]]);
    // The in-header page count is only meaningful when `valid_for` matches the change counter,
    // and pages may still live in a write-ahead log that was not checkpointed yet.
    let wal_len = fs::metadata(wal_path(db)).map(|m| m.len()).unwrap_or(0);
    let declared = u64::from(page_count) * page_size;
    if valid_for == change_counter && wal_len == 0 && declared > len {
        return Err(damaged(format!(
            "the file is truncated: its header declares {page_count} pages \
             ({declared} bytes) but it holds {len} bytes"
        )));
    }
    Ok(Preflight::Sqlite)
}

fn read_up_to(file: &mut fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

pub(crate) fn wal_path(db: &Path) -> std::path::PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    name.into()
}

/// Fails unless `dir` accepts new files, with the store's read-only error.
pub(crate) fn ensure_writable_dir(dir: &Path) -> Result<(), StoreError> {
    if let Err(e) = fs::create_dir_all(dir) {
        return Err(match e.kind() {
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                StoreError::ReadOnly {
                    path: dir.to_path_buf(),
                    reason: e.to_string(),
                }
            }
            _ => StoreError::DataDir {
                path: dir.to_path_buf(),
                reason: e.to_string(),
            },
        });
    }
    tempfile::Builder::new()
        .prefix(".botdesk-write-check")
        .tempfile_in(dir)
        .map(drop)
        .map_err(|e| StoreError::ReadOnly {
            path: dir.to_path_buf(),
            reason: e.to_string(),
        })
}

/// Connection settings every connection gets. None of them writes to the file.
pub(crate) fn configure(conn: &Connection, busy_timeout: Duration) -> Result<(), StoreError> {
    conn.busy_timeout(busy_timeout)?;
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")?;
    Ok(())
}

/// Opens the writer connection on an existing or new file.
pub(crate) fn open_writer(db: &Path, exists: bool) -> Result<Connection, StoreError> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if !exists {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    Connection::open_with_flags(db, flags).map_err(|e| with_path(e.into(), db))
}

/// Fills in the path on errors that SQLite reports without one.
pub(crate) fn with_path(err: StoreError, db: &Path) -> StoreError {
    match err {
        StoreError::Corrupt { reason, .. } => StoreError::Corrupt {
            path: db.to_path_buf(),
            reason,
        },
        StoreError::NotADatabase { reason, .. } => StoreError::NotADatabase {
            path: db.to_path_buf(),
            reason,
        },
        StoreError::ReadOnly { reason, .. } => StoreError::ReadOnly {
            path: db.to_path_buf(),
            reason,
        },
        other => other,
    }
}

/// Reads what is in an existing file without writing: that SQLite can read its schema, that it
/// is a botdesk store, and which schema version it has. Returns the versions applied.
pub(crate) fn inspect(conn: &Connection, db: &Path, size: u64) -> Result<Vec<i64>, StoreError> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .and_then(|mut stmt| {
            stmt.query_map([], |row| row.get(0))?
                .collect::<Result<Vec<String>, _>>()
        })
        .map_err(|e| with_path(e.into(), db))?;
    // A small store is checked page by page; a large one is left to SQLite's own checks as it
    // is read, so that opening stays fast.
    if size <= QUICK_CHECK_MAX_BYTES {
        let verdict: String = conn
            .query_row("PRAGMA quick_check(1)", [], |row| row.get(0))
            .map_err(|e| with_path(e.into(), db))?;
        if verdict != "ok" {
            return Err(StoreError::Corrupt {
                path: db.to_path_buf(),
                reason: verdict,
            });
        }
    }
    if !tables.iter().any(|t| t == HISTORY_TABLE) {
        if tables.is_empty() {
            return Ok(Vec::new());
        }
        return Err(StoreError::NotADatabase {
            path: db.to_path_buf(),
            reason: "it holds another application's database".into(),
        });
    }
    let versions = conn
        .prepare(&format!(
            "SELECT version FROM {HISTORY_TABLE} ORDER BY version"
        ))
        .and_then(|mut stmt| {
            stmt.query_map([], |row| row.get::<_, i64>(0))?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|e| with_path(e.into(), db))?;
    let supported = latest_schema_version();
    if let Some(&found) = versions.iter().max()
        && found > supported
    {
        return Err(StoreError::SchemaTooNew { found, supported });
    }
    Ok(versions)
}

const QUICK_CHECK_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// Applies every pending migration in one transaction. Returns the schema version.
pub(crate) fn migrate(conn: &mut Connection, migrations: &[Migration]) -> Result<i64, StoreError> {
    let mut runner = Runner::new(migrations)
        .set_grouped(true)
        .set_abort_divergent(true)
        .set_abort_missing(true);
    runner.set_migration_table_name(HISTORY_TABLE);
    let report = runner.run(conn).map_err(|e| StoreError::MigrationFailed {
        reason: migration_failure(&e),
    })?;
    for m in report.applied_migrations() {
        tracing::info!(version = m.version(), name = m.name(), "applied migration");
    }
    schema_version(conn)
}

fn migration_failure(err: &refinery::Error) -> String {
    use std::error::Error as _;
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

pub(crate) fn schema_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        &format!("SELECT ifnull(max(version), 0) FROM {HISTORY_TABLE}"),
        [],
        |row| row.get(0),
    )?)
}
