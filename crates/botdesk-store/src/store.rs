//! `Store`: the handle on `DATA_DIR/botdesk.db`. One writer connection behind a mutex (SQLite
//! allows one writer at a time; serialising in-process avoids busy retries) and a pool of
//! read-only connections that, in WAL mode, never block the writer nor wait for it.
//!
//! Every write goes through [`Store::with_tx`], which records who acts and when in `tx_context`
//! for the audit and change-log triggers, and commits or rolls back as one unit.

use std::fmt;
use std::fs;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use refinery::Migration;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::StoreError;
use crate::hlc::Hlc;
use crate::open;
use crate::types::{Actor, Clock, Id, SystemClock, Timestamp};

/// A read connection on loan from the pool.
struct PooledReader<'s> {
    store: &'s Store,
    conn: Option<Connection>,
}

impl PooledReader<'_> {
    fn conn(&self) -> &Connection {
        // Present from creation until drop.
        self.conn
            .as_ref()
            .unwrap_or_else(|| unreachable!("a pooled reader always holds its connection"))
    }
}

impl Drop for PooledReader<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.store.return_reader(conn);
        }
    }
}

/// The read connections: those idle, and how many exist in all.
#[derive(Default)]
struct Readers {
    idle: Vec<Connection>,
    open: usize,
}

/// The store file's name inside the data dir.
pub const DB_FILE: &str = "botdesk.db";

/// How a store is opened.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub clock: Arc<dyn Clock>,
    /// How long a write waits for another process's write to finish before `store.busy`.
    pub busy_timeout: Duration,
    /// The most read connections open at once; a read waits for a free one rather than opening
    /// another (a new connection parses the whole schema, triggers included, on first use).
    pub max_readers: usize,
}

impl Default for StoreOptions {
    fn default() -> StoreOptions {
        StoreOptions {
            clock: Arc::new(SystemClock),
            busy_timeout: Duration::from_secs(5),
            max_readers: 8,
        }
    }
}

/// Where a change comes from, which decides whether it enters the sync change log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Made on this device: logged for sync.
    Local,
    /// Applied from the server by sync: not logged again.
    Sync,
}

impl Origin {
    fn as_str(self) -> &'static str {
        match self {
            Origin::Local => "local",
            Origin::Sync => "sync",
        }
    }
}

/// The local store.
pub struct Store {
    path: PathBuf,
    readers: Mutex<Readers>,
    reader_free: Condvar,
    /// A connection used only to ask `PRAGMA data_version`, which changes whenever any
    /// connection (of this process or another) commits: what caches above the store key on.
    watch: Mutex<Connection>,
    options: StoreOptions,
    device_id: String,
    schema_version: i64,
    /// Declared last so that it closes last (fields drop in order): the last connection to close
    /// checkpoints the write-ahead log into the file and removes it, which only a connection that
    /// may write can do. A closed store is then one self-contained file.
    writer: Mutex<Connection>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("device_id", &self.device_id)
            .field("schema_version", &self.schema_version)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the store in `data_dir`, migrating it to this botdesk's schema.
    pub fn open(data_dir: &Path, options: StoreOptions) -> Result<Store, StoreError> {
        Store::open_with_migrations(data_dir, options, &open::embedded_migrations())
    }

    pub(crate) fn open_with_migrations(
        data_dir: &Path,
        options: StoreOptions,
        migrations: &[Migration],
    ) -> Result<Store, StoreError> {
        open::ensure_writable_dir(data_dir)?;
        let path = data_dir.join(DB_FILE);
        let exists = open::preflight(&path)? == open::Preflight::Sqlite;
        if exists {
            // Opening for write changes nothing, but tells a read-only file apart early.
            fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .map_err(|e| StoreError::ReadOnly {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
        }
        let mut conn = open::open_writer(&path, exists)?;
        open::configure(&conn, options.busy_timeout)?;
        if exists {
            let size = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            open::inspect(&conn, &path, size)?;
        }
        let schema_version =
            open::migrate(&mut conn, migrations).map_err(|e| open::with_path(e, &path))?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(|e| open::with_path(e.into(), &path))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(%mode, "the store could not switch to WAL mode");
        }
        // Keep the write-ahead log from growing without bound between checkpoints.
        conn.execute_batch("PRAGMA journal_size_limit = 67108864;")?;
        let device_id = crate::tables::store_meta::get(&conn, "device_id")?.ok_or_else(|| {
            StoreError::InvalidData {
                table: "store_meta",
                column: "device_id".into(),
                reason: "this store has no device id".into(),
            }
        })?;
        let watch = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open::with_path(e.into(), &path))?;
        open::configure(&watch, options.busy_timeout)?;
        tracing::info!(path = %path.display(), schema_version, %device_id, "store open");
        Ok(Store {
            path,
            writer: Mutex::new(conn),
            readers: Mutex::new(Readers::default()),
            reader_free: Condvar::new(),
            watch: Mutex::new(watch),
            options,
            device_id,
            schema_version,
        })
    }

    /// A number that changes whenever anything is committed to the store, by this process or
    /// another (the CLI, the sqlite3 shell). Costs about a microsecond: caches of what is in the
    /// store check it to know they are still exact.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        let conn = self.watch.lock().unwrap_or_else(|p| p.into_inner());
        Ok(conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |row| row.get(0))?)
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This store's device id, carried by every change it makes.
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// The schema version the store is at (the highest migration applied).
    pub fn schema_version(&self) -> i64 {
        self.schema_version
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.options.clock
    }

    pub fn now(&self) -> Timestamp {
        self.options.clock.now()
    }

    /// Runs `f` in one write transaction on behalf of `actor`: everything `f` changes, and the
    /// audit and change-log rows the triggers add, commit together or not at all.
    pub fn with_tx<T, E>(
        &self,
        actor: &Actor,
        f: impl FnOnce(&Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        self.with_tx_from(actor, Origin::Local, f)
    }

    /// [`Store::with_tx`] for changes of a given origin (sync applies with [`Origin::Sync`]).
    pub fn with_tx_from<T, E>(
        &self,
        actor: &Actor,
        origin: Origin,
        f: impl FnOnce(&Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.writer();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let now = self.now();
        // A local change gets the next clock value, read and stored inside this transaction
        // so that writers in other processes (the CLI) take turns on the same clock.
        let hlc = match origin {
            Origin::Local => Some(next_hlc(&tx, now, &self.device_id)?),
            Origin::Sync => None,
        };
        tx.execute(
            "UPDATE tx_context SET actor = ?1, device_id = ?2, now = ?3, origin = ?4, hlc = ?5 \
             WHERE id = 1",
            rusqlite::params![
                actor.to_string(),
                self.device_id,
                now,
                origin.as_str(),
                hlc.as_ref().map(Hlc::to_string)
            ],
        )
        .map_err(StoreError::from)?;
        let scope = Tx {
            tx,
            now,
            device_id: &self.device_id,
        };
        let out = f(&scope)?;
        // Cleared before commit, so that a writer outside botdesk is never recorded as us.
        scope
            .tx
            .execute(
                "UPDATE tx_context SET actor = NULL, device_id = NULL, now = NULL, origin = 'local', \
                 hlc = NULL WHERE id = 1",
                [],
            )
            .map_err(StoreError::from)?;
        scope.tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// Runs `f` in one write transaction that names no actor: for tables that no audit or
    /// change-log trigger reads (the job queue's bookkeeping, written thousands of times a
    /// second). A write to an audited table in it is recorded as `sql:unknown`.
    pub fn with_untracked_tx<T, E>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.writer();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let scope = Tx {
            tx,
            now: self.now(),
            device_id: &self.device_id,
        };
        let out = f(&scope)?;
        scope.tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// Runs `f` on a read connection, inside one read transaction: every query in `f` sees the
    /// same snapshot, and a concurrent write neither blocks it nor is blocked by it.
    pub fn read<T, E>(&self, f: impl FnOnce(&Connection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let reader = self.reader()?;
        let conn = reader.conn();
        conn.execute_batch("BEGIN").map_err(StoreError::from)?;
        let out = f(conn);
        // A read transaction has nothing to commit; ending it releases the snapshot.
        conn.execute_batch("ROLLBACK").map_err(StoreError::from)?;
        out
    }

    /// A read connection from the pool, given back when dropped (a panic included).
    fn reader(&self) -> Result<PooledReader<'_>, StoreError> {
        Ok(PooledReader {
            store: self,
            conn: Some(self.take_reader()?),
        })
    }

    fn writer(&self) -> MutexGuard<'_, Connection> {
        // A panic inside a transaction unwinds through `Transaction`'s drop, which rolls back:
        // the connection is sound even though the mutex is poisoned.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn take_reader(&self) -> Result<Connection, StoreError> {
        let mut pool = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(conn) = pool.idle.pop() {
                return Ok(conn);
            }
            if pool.open < self.options.max_readers.max(1) {
                pool.open += 1;
                break;
            }
            pool = self
                .reader_free
                .wait(pool)
                .unwrap_or_else(|p| p.into_inner());
        }
        drop(pool);
        let opened = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open::with_path(e.into(), &self.path))
        .and_then(|conn| open::configure(&conn, self.options.busy_timeout).map(|()| conn));
        if opened.is_err() {
            self.forget_reader();
        }
        opened
    }

    fn return_reader(&self, conn: Connection) {
        if !conn.is_autocommit() {
            // Left inside a transaction by a failure: not reusable.
            drop(conn);
            self.forget_reader();
            return;
        }
        self.readers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .idle
            .push(conn);
        self.reader_free.notify_one();
    }

    fn forget_reader(&self) {
        let mut pool = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        pool.open = pool.open.saturating_sub(1);
        self.reader_free.notify_one();
    }

    /// Writes a consistent copy of the store to `dest` while the store stays in use.
    pub fn backup_to(&self, dest: &Path) -> Result<BackupReport, StoreError> {
        let reader = self.reader()?;
        backup_from(reader.conn(), dest)
    }
}

/// Writes a consistent copy of the store file `db` to `dest` without opening it for writing
/// and without migrating it: usable while another process (the app) has the store open.
pub fn backup_file(db: &Path, dest: &Path) -> Result<BackupReport, StoreError> {
    if open::preflight(db)? == open::Preflight::Missing {
        return Err(StoreError::NotFound {
            table: "store",
            id: db.display().to_string(),
        });
    }
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| open::with_path(e.into(), db))?;
    open::configure(&conn, Duration::from_secs(5))?;
    backup_from(&conn, dest)
}

/// The schema version of the store file `db` (0 when there is none), read without writing.
pub fn schema_version_of(db: &Path) -> Result<i64, StoreError> {
    if open::preflight(db)? == open::Preflight::Missing {
        return Ok(0);
    }
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| open::with_path(e.into(), db))?;
    open::configure(&conn, Duration::from_secs(5))?;
    let size = fs::metadata(db).map(|m| m.len()).unwrap_or(0);
    let versions = open::inspect(&conn, db, size)?;
    Ok(versions.into_iter().max().unwrap_or(0))
}

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    pub path: PathBuf,
    pub bytes: u64,
    pub schema_version: i64,
}

fn backup_from(conn: &Connection, dest: &Path) -> Result<BackupReport, StoreError> {
    if dest.exists() {
        return Err(StoreError::BackupTargetExists {
            path: dest.to_path_buf(),
        });
    }
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let failed = |reason: String| StoreError::Backup { reason };
    // VACUUM INTO reads one snapshot (a single read transaction), so the copy is consistent
    // even while the app commits; it goes to a temporary file that is renamed into place only
    // once it has passed an integrity check.
    let partial = tempfile::Builder::new()
        .prefix(".botdesk-backup")
        .tempfile_in(&dir)
        .map_err(|e| failed(format!("cannot write in {}: {e}", dir.display())))?
        .into_temp_path();
    // VACUUM INTO refuses an existing file, even an empty one.
    fs::remove_file(&partial).map_err(|e| failed(e.to_string()))?;
    let partial_str = partial
        .to_str()
        .ok_or_else(|| failed("the backup path is not valid UTF-8".into()))?;
    conn.execute("VACUUM INTO ?1", [partial_str])
        .map_err(|e| failed(StoreError::from(e).to_string()))?;
    let copy = Connection::open_with_flags(&partial, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| failed(e.to_string()))?;
    let verdict: String = copy
        .query_row("PRAGMA integrity_check(1)", [], |row| row.get(0))
        .map_err(|e| failed(e.to_string()))?;
    if verdict != "ok" {
        return Err(failed(format!(
            "the copy failed its integrity check: {verdict}"
        )));
    }
    let schema_version = open::schema_version(&copy).map_err(|e| failed(e.to_string()))?;
    drop(copy);
    fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .map_err(|e| failed(e.to_string()))?;
    // `persist_noclobber` is an atomic link-then-unlink: a file that appeared at `dest` in the
    // meantime is never overwritten.
    partial
        .persist_noclobber(dest)
        .map_err(|e| match e.error.kind() {
            std::io::ErrorKind::AlreadyExists => StoreError::BackupTargetExists {
                path: dest.to_path_buf(),
            },
            _ => failed(e.error.to_string()),
        })?;
    if let Ok(d) = fs::File::open(&dir) {
        // Makes the new directory entry durable; not all platforms allow syncing a directory.
        let _ = d.sync_all();
    }
    let bytes = fs::metadata(dest)
        .map(|m| m.len())
        .map_err(|e| StoreError::io(dest, e))?;
    Ok(BackupReport {
        path: dest.to_path_buf(),
        bytes,
        schema_version,
    })
}

/// A write transaction in progress: the connection, and the time and device every row written
/// in it carries.
pub struct Tx<'c> {
    tx: rusqlite::Transaction<'c>,
    now: Timestamp,
    device_id: &'c str,
}

impl fmt::Debug for Tx<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tx")
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

impl Tx<'_> {
    /// The transaction's time: every row it writes is stamped with it.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    pub fn device_id(&self) -> &str {
        self.device_id
    }

    /// A new row id, time-ordered.
    pub fn new_id(&self) -> Id {
        Id::new_at(self.now)
    }
}

/// The store_meta key of the latest clock value issued or seen.
const HLC_KEY: &str = "hlc";

fn stored_hlc(conn: &Connection) -> Result<Option<Hlc>, StoreError> {
    let text = crate::tables::store_meta::get(conn, HLC_KEY)?;
    // A damaged value is forgotten rather than fatal: the wall clock takes over.
    Ok(text.and_then(|t| t.parse().ok()))
}

fn put_hlc(conn: &Connection, hlc: &Hlc) -> Result<(), StoreError> {
    crate::tables::store_meta::set(conn, HLC_KEY, &hlc.to_string())
}

fn next_hlc(conn: &Connection, now: Timestamp, device: &str) -> Result<Hlc, StoreError> {
    let last = stored_hlc(conn)?;
    let next = Hlc::next(last.as_ref(), now.unix_millis().max(0) as u64, device);
    put_hlc(conn, &next)?;
    Ok(next)
}

impl Tx<'_> {
    /// The next clock value of this store, for a change logged without one (written by
    /// something other than botdesk).
    pub fn next_hlc(&self) -> Result<Hlc, StoreError> {
        next_hlc(&self.tx, self.now, self.device_id)
    }

    /// Takes in a clock value seen elsewhere (a row pulled by sync): every later local change
    /// gets a later value, so an edit made after seeing a change always wins over it.
    pub fn observe_hlc(&self, seen: &Hlc) -> Result<(), StoreError> {
        let last = stored_hlc(&self.tx)?;
        let latest = match last {
            Some(l) => Hlc::max(l, seen.clone()),
            None => seen.clone(),
        };
        put_hlc(&self.tx, &latest)
    }
}

impl Deref for Tx<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.tx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_migration_leaves_the_store_exactly_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
        store
            .with_tx(&Actor::System("test".into()), |tx| -> Result<(), StoreError> {
                tx.execute("INSERT INTO merchants (id, name) VALUES ('0197b1e0-0000-7000-8000-00000000000a', 'Shop')", [])?;
                Ok(())
            })
            .unwrap();
        let version = store.schema_version();
        drop(store);
        let db = dir.path().join(DB_FILE);
        let before = fs::read(&db).unwrap();

        // A new migration that changes data and the schema, then fails half-way.
        let mut migrations = open::embedded_migrations();
        migrations.push(
            Migration::unapplied(
                &format!("V{}__breaks_half_way", version + 1),
                "CREATE TABLE half_done (x INTEGER);
                 UPDATE merchants SET name = 'Changed';
                 INSERT INTO merchants (id, name) VALUES ('bad', 'violates the id check');",
            )
            .unwrap(),
        );
        let err = Store::open_with_migrations(dir.path(), StoreOptions::default(), &migrations)
            .unwrap_err();
        assert_eq!(err.code(), "store.migration_failed", "{err}");
        assert!(err.to_string().contains("left as it was"), "{err}");
        assert!(
            fs::read(&db).unwrap() == before,
            "the file is byte-for-byte unchanged"
        );

        let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
        assert_eq!(store.schema_version(), version);
        let name: String = store
            .read(|c| {
                Ok::<_, StoreError>(c.query_row("SELECT name FROM merchants", [], |r| r.get(0))?)
            })
            .unwrap();
        assert_eq!(name, "Shop");
    }
}
