//! `audit_logs`: read side of the audit trail. Rows are written only by the triggers of
//! `V2__audit_trail.sql`; nothing in botdesk inserts, changes or deletes them.

use rusqlite::types::Value;
use rusqlite::{Connection, Row};
use serde::Serialize;

use crate::error::StoreError;
use crate::record::Page;
use crate::types::Timestamp;

crate::text_enum! {
    pub enum AuditAction {
        Insert = "insert", Update = "update", Delete = "delete", Restore = "restore", Purge = "purge"
    }
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub id: String,
    pub table_name: String,
    pub record_id: String,
    pub action: AuditAction,
    /// `{"column": {"old": …, "new": …}}`.
    pub changes: serde_json::Value,
    pub actor: String,
    pub device_id: Option<String>,
    pub created_at: Timestamp,
}

/// Which entries to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub table_name: Option<String>,
    pub actor: Option<String>,
    pub record_id: Option<String>,
}

fn read(row: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    let changes: String = row.get(5)?;
    Ok(AuditEntry {
        seq: row.get(0)?,
        id: row.get(1)?,
        table_name: row.get(2)?,
        record_id: row.get(3)?,
        action: row.get(4)?,
        changes: serde_json::from_str(&changes).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, Box::new(e))
        })?,
        actor: row.get(6)?,
        device_id: row.get(7)?,
        created_at: row.get(8)?,
    })
}

/// A page of the trail, newest first. The cursor is the `seq` to continue below.
pub fn list(
    conn: &Connection,
    filter: &AuditFilter,
    limit: u32,
    cursor: Option<&str>,
) -> Result<Page<AuditEntry>, StoreError> {
    let before: Option<i64> = cursor
        .map(|c| c.parse().map_err(|_| StoreError::InvalidCursor))
        .transpose()?;
    let limit = limit.clamp(1, crate::record::PageRequest::MAX_LIMIT);
    let params: [Value; 5] = [
        filter.table_name.clone().map_or(Value::Null, Value::Text),
        filter.actor.clone().map_or(Value::Null, Value::Text),
        filter.record_id.clone().map_or(Value::Null, Value::Text),
        before.map_or(Value::Null, Value::Integer),
        Value::Integer(i64::from(limit) + 1),
    ];
    let mut items = conn
        .prepare_cached(
            "SELECT seq, id, table_name, record_id, action, changes, actor, device_id, created_at \
             FROM audit_logs \
             WHERE (?1 IS NULL OR table_name = ?1) AND (?2 IS NULL OR actor = ?2) \
               AND (?3 IS NULL OR record_id = ?3) AND (?4 IS NULL OR seq < ?4) \
             ORDER BY seq DESC LIMIT ?5",
        )?
        .query_map(rusqlite::params_from_iter(params), read)?
        .collect::<Result<Vec<_>, _>>()?;
    let next_cursor = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|e| e.seq.to_string())
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// The distinct actors and tables in the trail, for the UI's filters.
pub fn facets(conn: &Connection) -> Result<(Vec<String>, Vec<String>), StoreError> {
    let distinct = |column: &str| -> Result<Vec<String>, StoreError> {
        Ok(conn
            .prepare_cached(&format!(
                "SELECT DISTINCT {column} FROM audit_logs ORDER BY 1"
            ))?
            .query_map([], |row| row.get(0))?
            .collect::<Result<Vec<_>, _>>()?)
    };
    Ok((distinct("table_name")?, distinct("actor")?))
}

/// The newest entry's position in the trail (0 for an empty trail).
pub fn last_seq(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached("SELECT ifnull(max(seq), 0) FROM audit_logs")?
        .query_row([], |r| r.get(0))?)
}
