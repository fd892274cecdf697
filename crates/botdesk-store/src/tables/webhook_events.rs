//! `webhook_events`: the event history (every event the dispatcher was handed). Local and
//! append-only, pruned by retention; not a [`crate::Record`].

use rusqlite::{Connection, Row};
use serde::Serialize;

use crate::error::StoreError;
use crate::store::Tx;
use crate::types::{Id, Timestamp};

crate::text_enum! {
    pub enum EventSource { Api = "api", Bot = "bot", App = "app", Test = "test" }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WebhookEvent {
    pub id: Id,
    pub created_at: Timestamp,
    pub event_type: String,
    pub merchant_id: Option<String>,
    pub source: EventSource,
    pub payload: serde_json::Value,
    pub deliveries: i64,
}

const COLUMNS: &str = "id, created_at, event_type, merchant_id, source, payload, deliveries";

pub fn insert(
    tx: &Tx<'_>,
    event_type: &str,
    merchant_id: Option<&str>,
    source: EventSource,
    payload: &serde_json::Value,
) -> Result<WebhookEvent, StoreError> {
    let event = WebhookEvent {
        id: tx.new_id(),
        created_at: tx.now(),
        event_type: event_type.to_owned(),
        merchant_id: merchant_id.map(str::to_owned),
        source,
        payload: payload.clone(),
        deliveries: 0,
    };
    tx.prepare_cached(&format!(
        "INSERT INTO webhook_events ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)"
    ))?
    .execute(rusqlite::params![
        event.id,
        event.created_at,
        event.event_type,
        event.merchant_id,
        event.source,
        event.payload.to_string(),
    ])?;
    Ok(event)
}

pub fn set_deliveries(tx: &Tx<'_>, id: Id, deliveries: i64) -> Result<(), StoreError> {
    tx.prepare_cached("UPDATE webhook_events SET deliveries = ?2 WHERE id = ?1")?
        .execute(rusqlite::params![id, deliveries])?;
    Ok(())
}

fn read(row: &Row<'_>) -> rusqlite::Result<WebhookEvent> {
    let payload: String = row.get(5)?;
    Ok(WebhookEvent {
        id: row.get(0)?,
        created_at: row.get(1)?,
        event_type: row.get(2)?,
        merchant_id: row.get(3)?,
        source: row.get(4)?,
        payload: serde_json::from_str(&payload).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, Box::new(e))
        })?,
        deliveries: row.get(6)?,
    })
}

pub fn get(conn: &Connection, id: Id) -> Result<Option<WebhookEvent>, StoreError> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM webhook_events WHERE id = ?1"
        ))?
        .query_row([id], read)
        .optional()?)
}

/// The newest events, at most `limit`, of one type when given (`getRecentEvents`).
pub fn recent(
    conn: &Connection,
    limit: u32,
    event_type: Option<&str>,
) -> Result<Vec<WebhookEvent>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM webhook_events WHERE (?2 IS NULL OR event_type = ?2) \
             ORDER BY created_at DESC, id DESC LIMIT ?1"
        ))?
        .query_map(rusqlite::params![limit, event_type], read)?
        .collect::<Result<Vec<_>, _>>()?)
}

/// How many events the history holds, and when the newest arrived.
pub fn summary(conn: &Connection) -> Result<(i64, Option<Timestamp>), StoreError> {
    Ok(conn.query_row(
        "SELECT count(*), max(created_at) FROM webhook_events",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// Removes events older than `cutoff` whose deliveries are all finished; returns how many.
pub fn prune_before(tx: &Tx<'_>, cutoff: Timestamp) -> Result<usize, StoreError> {
    Ok(tx.execute(
        "DELETE FROM webhook_events WHERE created_at < ?1 AND NOT EXISTS (\
             SELECT 1 FROM webhook_deliveries d WHERE d.event_id = webhook_events.id \
             AND d.status IN ('pending', 'retrying'))",
        [cutoff],
    )?)
}
