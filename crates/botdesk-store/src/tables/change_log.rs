//! `change_log`: read side of the sync outbox. Rows are appended only by the triggers of
//! `V3__change_log.sql`, in the same transaction as the change they describe.

use rusqlite::{Connection, Row};
use serde::Serialize;

use crate::error::StoreError;
use crate::types::Timestamp;

crate::text_enum! {
    pub enum ChangeOp { Insert = "insert", Update = "update", Delete = "delete" }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub seq: i64,
    pub table_name: String,
    pub row_id: String,
    pub op: ChangeOp,
    pub changed_at: Timestamp,
    pub device_id: Option<String>,
}

fn read(row: &Row<'_>) -> rusqlite::Result<Change> {
    Ok(Change {
        seq: row.get(0)?,
        table_name: row.get(1)?,
        row_id: row.get(2)?,
        op: row.get(3)?,
        changed_at: row.get(4)?,
        device_id: row.get(5)?,
    })
}

/// Changes after `seq`, oldest first, at most `limit`.
pub fn after(conn: &Connection, seq: i64, limit: u32) -> Result<Vec<Change>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT seq, table_name, row_id, op, changed_at, device_id FROM change_log \
             WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?
        .query_map(rusqlite::params![seq, limit], read)?
        .collect::<Result<Vec<_>, _>>()?)
}

/// How many changes there are after `seq`, per table.
pub fn pending_by_table(conn: &Connection, seq: i64) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT table_name, count(*) FROM change_log WHERE seq > ?1 \
             GROUP BY table_name ORDER BY table_name",
        )?
        .query_map([seq], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?)
}

/// The newest change's sequence, none while the log is empty: it moves whenever something that
/// syncs changed.
pub fn last_seq(conn: &Connection) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT max(seq) FROM change_log")?
        .query_row([], |r| r.get(0))?)
}
