//! `webhook_logs`: one row per delivery attempt. Local and append-only (pruned by retention,
//! never synced), so it has no sync bookkeeping and is not a [`crate::Record`].

use rusqlite::{Connection, Row};
use serde::{Deserialize, Serialize};

use crate::error::StoreError;
use crate::store::Tx;
use crate::types::{Id, Timestamp};

crate::text_enum! {
    pub enum DeliveryOutcome { Success = "success", Failure = "failure" }
}

/// An attempt to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewWebhookLog {
    pub webhook_id: Id,
    pub event_id: String,
    pub event_type: String,
    pub attempt: i64,
    pub request_url: String,
    /// Request headers with secrets already redacted.
    pub request_headers: serde_json::Value,
    pub request_body: String,
    pub outcome: DeliveryOutcome,
    pub response_status: Option<i64>,
    pub response_body_excerpt: Option<String>,
    pub latency_ms: Option<i64>,
    pub error: Option<String>,
    /// The delivery (`webhook_deliveries`) the attempt belongs to.
    #[serde(default)]
    pub delivery_id: Option<Id>,
}

/// A recorded attempt.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WebhookLog {
    pub id: Id,
    pub created_at: Timestamp,
    #[serde(flatten)]
    pub attempt: NewWebhookLog,
}

const COLUMNS: &str = "id, created_at, webhook_id, event_id, event_type, attempt, request_url, \
     request_headers, request_body, outcome, response_status, response_body_excerpt, latency_ms, error, \
     delivery_id";

pub fn insert(tx: &Tx<'_>, log: NewWebhookLog) -> Result<WebhookLog, StoreError> {
    let id = tx.new_id();
    let created_at = tx.now();
    tx.prepare_cached(&format!(
        "INSERT INTO webhook_logs ({COLUMNS}) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
    ))?
    .execute(rusqlite::params![
        id,
        created_at,
        log.webhook_id,
        log.event_id,
        log.event_type,
        log.attempt,
        log.request_url,
        log.request_headers.to_string(),
        log.request_body,
        log.outcome,
        log.response_status,
        log.response_body_excerpt,
        log.latency_ms,
        log.error,
        log.delivery_id,
    ])?;
    Ok(WebhookLog {
        id,
        created_at,
        attempt: log,
    })
}

fn read(row: &Row<'_>) -> rusqlite::Result<WebhookLog> {
    let headers: String = row.get(7)?;
    Ok(WebhookLog {
        id: row.get(0)?,
        created_at: row.get(1)?,
        attempt: NewWebhookLog {
            webhook_id: row.get(2)?,
            event_id: row.get(3)?,
            event_type: row.get(4)?,
            attempt: row.get(5)?,
            request_url: row.get(6)?,
            request_headers: serde_json::from_str(&headers).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    7,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?,
            request_body: row.get(8)?,
            outcome: row.get(9)?,
            response_status: row.get(10)?,
            response_body_excerpt: row.get(11)?,
            latency_ms: row.get(12)?,
            error: row.get(13)?,
            delivery_id: row.get(14)?,
        },
    })
}

/// An endpoint's attempts, newest first, at most `limit`, before `before` when given.
pub fn for_webhook(
    conn: &Connection,
    webhook_id: Id,
    before: Option<Timestamp>,
    limit: u32,
) -> Result<Vec<WebhookLog>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM webhook_logs WHERE webhook_id = ?1 \
             AND (?2 IS NULL OR created_at < ?2) ORDER BY created_at DESC, id DESC LIMIT ?3"
        ))?
        .query_map(rusqlite::params![webhook_id, before, limit], read)?
        .collect::<Result<Vec<_>, _>>()?)
}

/// A delivery's attempts, oldest first.
pub fn for_delivery(conn: &Connection, delivery_id: Id) -> Result<Vec<WebhookLog>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM webhook_logs WHERE delivery_id = ?1 ORDER BY attempt, created_at"
        ))?
        .query_map([delivery_id], read)?
        .collect::<Result<Vec<_>, _>>()?)
}

/// Removes attempts older than `cutoff`; returns how many.
pub fn prune_before(tx: &Tx<'_>, cutoff: Timestamp) -> Result<usize, StoreError> {
    Ok(tx.execute("DELETE FROM webhook_logs WHERE created_at < ?1", [cutoff])?)
}
