//! The local half of a sync, on the store: the next batch to push (from the change log, kept
//! in `sync_outbox` until its answer is applied, so that a batch cut off is sent again as it
//! was), the server's answer applied, and pulled rows applied by the clock rule.

use std::collections::HashMap;

use botdesk_store::rusqlite::OptionalExtension;
use botdesk_store::tables::store_meta;
use botdesk_store::{Actor, Hlc, Origin, Store, Tx};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::convert;
use crate::error::SyncError;
use crate::tables;

/// The store_meta key of the last server sequence pulled.
const CURSOR_KEY: &str = "sync_cursor";

/// A batch of changes for `botdesk_sync.push`.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub id: String,
    /// The last change_log entry it covers.
    pub up_to_seq: i64,
    /// `[{"table", "id", "hlc", "row"}]`, parents before children.
    pub changes: Value,
}

impl Batch {
    pub fn len(&self) -> usize {
        self.changes.as_array().map_or(0, Vec::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What the server made of one change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResult {
    pub id: String,
    pub table: Option<String>,
    pub result: String,
    #[serde(default)]
    pub hlc: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// One row from `botdesk_sync.pull`.
#[derive(Debug, Clone, PartialEq)]
pub struct PullRow {
    pub seq: i64,
    pub table: String,
    pub id: String,
    pub hlc: String,
    pub row: Map<String, Value>,
}

/// The batch to push next: the one in flight, when there is one, else a new one of the oldest
/// `max_entries` change-log entries (one change per row: its latest state, under the clock of
/// its latest change). `None` when nothing is waiting.
pub fn next_batch(store: &Store, max_entries: usize) -> Result<Option<Batch>, SyncError> {
    store.with_untracked_tx(|tx| {
        if let Some(batch) = in_flight(tx)? {
            return Ok(Some(batch));
        }
        let entries = {
            let mut stmt = tx.prepare_cached(
                "SELECT seq, table_name, row_id, changed_at, hlc FROM change_log \
                 ORDER BY seq LIMIT ?1",
            )?;
            let rows = stmt.query_map([max_entries as i64], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        let Some(up_to_seq) = entries.last().map(|e| e.0) else {
            return Ok(None);
        };
        // One change per row, carrying the row's latest clock; parents' tables before their
        // children's (the server checks foreign keys row by row), and within a table in the
        // order rows first changed.
        let mut order: Vec<(String, String)> = Vec::new();
        let mut latest: HashMap<(String, String), (String, Option<String>)> = HashMap::new();
        for (_, table, row_id, changed_at, hlc) in entries {
            let key = (table, row_id);
            if !latest.contains_key(&key) {
                order.push(key.clone());
            }
            latest.insert(key, (changed_at, hlc));
        }
        let rank = |table: &str| tables::TABLES.iter().position(|t| t.name == table);
        order.sort_by_key(|(table, _)| rank(table));
        let mut changes = Vec::with_capacity(order.len());
        for key in order {
            let Some(spec) = tables::table(&key.0) else {
                continue;
            };
            let (changed_at, hlc) = latest.remove(&key).unwrap_or_default();
            // A change made outside botdesk (the sqlite3 shell) has no clock: it gets one now.
            let hlc = match hlc.and_then(|h| h.parse::<Hlc>().ok()) {
                Some(h) => h,
                None => tx.next_hlc()?,
            };
            let row = match convert::local_row(tx, spec, &key.1)? {
                Some(row) => row,
                // Purged here: the server keeps a tombstone.
                None => {
                    let mut m = Map::new();
                    m.insert("deleted_at".into(), Value::from(changed_at.clone()));
                    m.insert("updated_at".into(), Value::from(changed_at));
                    m
                }
            };
            changes.push(json!({"table": key.0, "id": key.1, "hlc": hlc.to_string(), "row": row}));
        }
        let batch = Batch {
            id: uuid::Uuid::new_v4().to_string(),
            up_to_seq,
            changes: Value::Array(changes),
        };
        tx.execute(
            "INSERT INTO sync_outbox (batch_id, created_at, up_to_seq, payload) VALUES (?1, ?2, ?3, ?4)",
            botdesk_store::rusqlite::params![
                batch.id,
                tx.now(),
                batch.up_to_seq,
                batch.changes.to_string()
            ],
        )?;
        Ok(Some(batch))
    })
}

fn in_flight(tx: &Tx<'_>) -> Result<Option<Batch>, SyncError> {
    let row = tx
        .query_row(
            "SELECT batch_id, up_to_seq, payload FROM sync_outbox ORDER BY created_at LIMIT 1",
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                ))
            },
        )
        .optional()?;
    match row {
        None => Ok(None),
        Some((id, up_to_seq, payload)) => Ok(Some(Batch {
            id,
            up_to_seq,
            changes: serde_json::from_str(&payload)
                .map_err(|e| SyncError::BadRow(format!("the batch in flight is damaged: {e}")))?,
        })),
    }
}

/// What applying a push answer or a pull did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Applied {
    /// Changes the server took (push), or rows written here (pull).
    pub applied: usize,
    /// Push: changes the server already had newer. Pull: rows whose local change is newer.
    pub superseded: usize,
    /// Rows refused (by the server on push, by this store on pull), kept as sync errors.
    pub refused: usize,
}

fn record_error(
    tx: &Tx<'_>,
    table: &str,
    row_id: &str,
    hlc: Option<&str>,
    code: &str,
    reason: &str,
) -> Result<(), SyncError> {
    tx.execute(
        "INSERT INTO sync_errors (id, created_at, updated_at, table_name, row_id, hlc, code, reason) \
         VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7) \
         ON CONFLICT (table_name, row_id) DO UPDATE SET updated_at = excluded.updated_at, \
         hlc = excluded.hlc, code = excluded.code, reason = excluded.reason, \
         attempts = sync_errors.attempts + 1",
        botdesk_store::rusqlite::params![
            uuid::Uuid::new_v4().to_string(),
            tx.now(),
            table,
            row_id,
            hlc,
            code,
            reason
        ],
    )?;
    Ok(())
}

/// Applies the server's answer to `batch`: refused rows become sync errors (the owner decides
/// what to do with them), the rest clear theirs; the batch's change-log entries and the batch
/// itself go.
pub fn apply_push_results(
    store: &Store,
    batch: &Batch,
    results: &[PushResult],
) -> Result<Applied, SyncError> {
    let clocks: HashMap<&str, &str> = batch
        .changes
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| Some((c["id"].as_str()?, c["hlc"].as_str()?)))
        .collect();
    let rows: HashMap<(&str, &str), &Map<String, Value>> = batch
        .changes
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| {
            Some((
                (c["table"].as_str()?, c["id"].as_str()?),
                c["row"].as_object()?,
            ))
        })
        .collect();
    store.with_untracked_tx(|tx| {
        let mut out = Applied::default();
        for r in results {
            let table = r.table.as_deref().unwrap_or("");
            match r.result.as_str() {
                "refused" => {
                    out.refused += 1;
                    record_error(
                        tx,
                        table,
                        &r.id,
                        clocks.get(r.id.as_str()).copied(),
                        r.code.as_deref().unwrap_or("unknown"),
                        r.reason.as_deref().unwrap_or("refused by the server"),
                    )?;
                }
                result => {
                    if result == "superseded" {
                        out.superseded += 1;
                        if let Some(h) = r.hlc.as_deref().and_then(|h| h.parse::<Hlc>().ok()) {
                            tx.observe_hlc(&h)?;
                        }
                    } else {
                        out.applied += 1;
                        // The row is on the server: the files it names follow it to Storage.
                        if let Some(row) = rows.get(&(table, r.id.as_str()))
                            && row.get("deleted_at").is_none_or(Value::is_null)
                        {
                            crate::files::want_uploaded(tx, &tables::files_of(table, row))?;
                        }
                    }
                    tx.execute(
                        "DELETE FROM sync_errors WHERE table_name = ?1 AND row_id = ?2",
                        [table, r.id.as_str()],
                    )?;
                }
            }
        }
        tx.execute("DELETE FROM change_log WHERE seq <= ?1", [batch.up_to_seq])?;
        tx.execute("DELETE FROM sync_outbox WHERE batch_id = ?1", [&batch.id])?;
        Ok(out)
    })
}

/// Gives the rows that belong to nobody (made here before sync knew whom it acts for) to
/// `user_id`, the Supabase Auth user this device syncs as, once that user's row is here (it
/// arrives with the first pull): as a change of this device, audited and pushed, so both sides
/// agree. Without it the server's policies would refuse them. Returns how many were claimed.
pub fn claim_ownerless(store: &Store, actor: &Actor, user_id: &str) -> Result<usize, SyncError> {
    let known: bool = store.read(|c| {
        c.query_row(
            "SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1)",
            [user_id],
            |r| r.get(0),
        )
        .map_err(botdesk_store::StoreError::from)
    })?;
    if !known {
        return Ok(0);
    }
    let waiting: i64 = store.read(|c| {
        let mut n = 0;
        for (table, column) in tables::OWNER_COLUMNS {
            n += c
                .query_row(
                    &format!(
                        "SELECT count(*) FROM \"{table}\" WHERE \"{column}\" IS NULL AND deleted_at IS NULL"
                    ),
                    [],
                    |r| r.get::<_, i64>(0),
                )
                .map_err(botdesk_store::StoreError::from)?;
        }
        Ok::<_, botdesk_store::StoreError>(n)
    })?;
    if waiting == 0 {
        return Ok(0);
    }
    store.with_tx(actor, |tx| {
        let now = tx.now().to_string();
        let mut claimed = 0;
        for (table, column) in tables::OWNER_COLUMNS {
            claimed += tx.execute(
                &format!(
                    "UPDATE \"{table}\" SET \"{column}\" = ?1, updated_at = ?2 \
                     WHERE \"{column}\" IS NULL AND deleted_at IS NULL"
                ),
                [user_id, now.as_str()],
            )?;
        }
        Ok(claimed)
    })
}

/// The last server sequence this store pulled.
pub fn cursor(store: &Store) -> Result<i64, SyncError> {
    Ok(store
        .read(|c| store_meta::get(c, CURSOR_KEY))?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// Applies pulled rows, in their order, and moves the cursor to `cursor`, in one transaction
/// that logs nothing (they are the server's, not changes to send back). A row is written
/// unless this store has a change of it not yet pushed with a later clock (that change will
/// win on the server too), or it has an unresolved sync error (the owner decides). A local
/// change that loses to a pulled row is dropped from the change log.
pub fn apply_pulled(
    store: &Store,
    actor: &Actor,
    rows: &[PullRow],
    cursor: i64,
) -> Result<Applied, SyncError> {
    store.with_tx_from(actor, Origin::Sync, |tx| {
        // A child may arrive before the parent it needs (the parent changed later): checked
        // at commit, when the whole page is in.
        tx.execute_batch("PRAGMA defer_foreign_keys = ON")?;
        let mut out = Applied::default();
        for row in rows {
            let Some(spec) = tables::table(&row.table) else {
                continue;
            };
            let held: bool = tx
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM sync_errors WHERE table_name = ?1 AND row_id = ?2)",
                    [&row.table, &row.id],
                    |r| r.get(0),
                )?;
            if held {
                out.superseded += 1;
                continue;
            }
            let pending: Option<Option<String>> = tx
                .query_row(
                    "SELECT max(hlc), count(*) FROM change_log WHERE table_name = ?1 AND row_id = ?2",
                    [&row.table, &row.id],
                    |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, i64>(1)?)),
                )
                .map(|(h, n)| (n > 0).then_some(h))?;
            let local_wins = match &pending {
                None => false,
                // A change without a clock (made outside botdesk) is newer than anything seen.
                Some(None) => true,
                Some(Some(h)) => h.as_str() >= row.hlc.as_str(),
            };
            if let Ok(h) = row.hlc.parse::<Hlc>() {
                tx.observe_hlc(&h)?;
            }
            if local_wins {
                out.superseded += 1;
                continue;
            }
            // This device's own change, back from the server unchanged: already here.
            if pending.is_none()
                && row.row.get("device_id").and_then(Value::as_str) == Some(tx.device_id())
                && same_update(tx, spec.name, &row.id, &row.row)?
            {
                continue;
            }
            let values = convert::pulled_values(spec, &row.row)?;
            tx.execute_batch("SAVEPOINT pulled_row")?;
            match convert::upsert(tx, spec, &row.id, &values) {
                Ok(()) => {
                    tx.execute_batch("RELEASE pulled_row")?;
                    if pending.is_some() {
                        tx.execute(
                            "DELETE FROM change_log WHERE table_name = ?1 AND row_id = ?2",
                            [&row.table, &row.id],
                        )?;
                    }
                    out.applied += 1;
                }
                Err(e) => {
                    tx.execute_batch("ROLLBACK TO pulled_row; RELEASE pulled_row")?;
                    out.refused += 1;
                    record_error(
                        tx,
                        &row.table,
                        &row.id,
                        Some(&row.hlc),
                        "sync.apply_failed",
                        &format!("the server's row could not be written here: {e}"),
                    )?;
                }
            }
        }
        out.refused += drop_orphans(tx)?;
        store_meta::set(tx, CURSOR_KEY, &cursor.to_string())?;
        Ok(out)
    })
}

/// Whether the local row was last updated at the time the server's row says.
fn same_update(
    tx: &Tx<'_>,
    table: &str,
    id: &str,
    row: &Map<String, Value>,
) -> Result<bool, SyncError> {
    let Some(theirs) = row
        .get("updated_at")
        .and_then(Value::as_str)
        .and_then(|t| t.parse::<botdesk_store::Timestamp>().ok())
    else {
        return Ok(false);
    };
    let ours: Option<String> = tx
        .prepare_cached(&format!("SELECT updated_at FROM \"{table}\" WHERE id = ?1"))?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(ours.is_some_and(|o| o == theirs.to_string()))
}

/// Rows whose parent is not here (the server's policies hide it from this user, or it has not
/// arrived): removed, and kept as sync errors, so the rest of the page commits.
fn drop_orphans(tx: &Tx<'_>) -> Result<usize, SyncError> {
    let mut dropped = 0;
    // Removing a row may orphan its own children: a few rounds.
    for _ in 0..5 {
        let orphans: Vec<(String, i64, String)> = {
            let mut stmt = tx.prepare("PRAGMA foreign_key_check")?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        if orphans.is_empty() {
            break;
        }
        for (table, rowid, parent) in orphans {
            if tables::table(&table).is_none() {
                continue;
            }
            let id: Option<String> = tx
                .query_row(
                    &format!("SELECT id FROM \"{table}\" WHERE rowid = ?1"),
                    [rowid],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(id) = id else { continue };
            tx.execute(
                &format!("DELETE FROM \"{table}\" WHERE rowid = ?1"),
                [rowid],
            )?;
            record_error(
                tx,
                &table,
                &id,
                None,
                "sync.missing_parent",
                &format!("it refers to a {parent} row this device does not have"),
            )?;
            dropped += 1;
        }
    }
    Ok(dropped)
}

/// A row the server refused (or this store could not take), as the owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorRow {
    pub id: String,
    pub table: String,
    pub row_id: String,
    pub code: String,
    pub reason: String,
    pub attempts: i64,
    pub first_at: String,
    pub last_at: String,
}

pub fn errors(store: &Store) -> Result<Vec<ErrorRow>, SyncError> {
    Ok(store.read(|c| {
        let mut s = c.prepare(
            "SELECT id, table_name, row_id, code, reason, attempts, created_at, updated_at \
             FROM sync_errors ORDER BY updated_at DESC, id",
        )?;
        let rows = s.query_map([], |r| {
            Ok(ErrorRow {
                id: r.get(0)?,
                table: r.get(1)?,
                row_id: r.get(2)?,
                code: r.get(3)?,
                reason: r.get(4)?,
                attempts: r.get(5)?,
                first_at: r.get(6)?,
                last_at: r.get(7)?,
            })
        })?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(botdesk_store::StoreError::from)
    })?)
}

pub fn error(store: &Store, id: &str) -> Result<Option<ErrorRow>, SyncError> {
    Ok(errors(store)?.into_iter().find(|e| e.id == id))
}

/// Changes waiting to be pushed: what the owner did (one save is one change, however many rows
/// it wrote), not log entries.
pub fn pending_changes(store: &Store) -> Result<i64, SyncError> {
    Ok(store.read(|c| {
        c.query_row(
            "SELECT count(DISTINCT coalesce(hlc, 'seq:' || seq)) FROM change_log",
            [],
            |r| r.get(0),
        )
        .map_err(botdesk_store::StoreError::from)
    })?)
}

/// Rows waiting to be pushed, by table.
pub fn pending_by_table(store: &Store) -> Result<Vec<(String, i64)>, SyncError> {
    Ok(store.read(|c| {
        let mut s = c.prepare(
            "SELECT table_name, count(DISTINCT row_id) FROM change_log GROUP BY table_name \
             ORDER BY table_name",
        )?;
        let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(botdesk_store::StoreError::from)
    })?)
}

/// Sends the refused row again on the next sync (the owner fixed what the server objected
/// to): it is logged as a new change, under a new clock.
pub fn retry_error(store: &Store, actor: &Actor, error: &ErrorRow) -> Result<(), SyncError> {
    store.with_tx(actor, |tx| {
        tx.execute(
            "INSERT INTO change_log (table_name, row_id, op, changed_at, device_id, hlc) \
             SELECT ?1, ?2, 'update', now, device_id, hlc FROM tx_context WHERE id = 1",
            [&error.table, &error.row_id],
        )?;
        tx.execute("DELETE FROM sync_errors WHERE id = ?1", [&error.id])?;
        Ok::<_, SyncError>(())
    })
}

/// Keeps this device's version without sending it: the error goes; the row is sent with its
/// next change.
pub fn keep_local(store: &Store, error: &ErrorRow) -> Result<(), SyncError> {
    store.with_untracked_tx(|tx| {
        tx.execute("DELETE FROM sync_errors WHERE id = ?1", [&error.id])?;
        Ok::<_, SyncError>(())
    })
}

/// Takes the server's version of the row (`server`; `None` when the server has none this user
/// may see: the local row goes), dropping this device's change.
pub fn take_server(
    store: &Store,
    actor: &Actor,
    error: &ErrorRow,
    server: Option<&PullRow>,
) -> Result<(), SyncError> {
    let spec = tables::table(&error.table)
        .ok_or_else(|| SyncError::BadRow(format!("{} does not sync", error.table)))?;
    store.with_tx_from(actor, Origin::Sync, |tx| {
        match server {
            Some(row) => {
                let values = convert::pulled_values(spec, &row.row)?;
                convert::upsert(tx, spec, &row.id, &values)?;
                if let Ok(h) = row.hlc.parse::<Hlc>() {
                    tx.observe_hlc(&h)?;
                }
            }
            None => {
                tx.execute(
                    &format!("DELETE FROM \"{}\" WHERE id = ?1", spec.name),
                    [&error.row_id],
                )?;
            }
        }
        tx.execute(
            "DELETE FROM change_log WHERE table_name = ?1 AND row_id = ?2",
            [&error.table, &error.row_id],
        )?;
        tx.execute("DELETE FROM sync_errors WHERE id = ?1", [&error.id])?;
        Ok(())
    })
}
