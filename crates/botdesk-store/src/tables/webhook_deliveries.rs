//! `webhook_deliveries`: one event to one endpoint, its body as signed and its state across
//! attempts. Local machinery (not audited, not synced); not a [`crate::Record`].

use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;

use crate::error::StoreError;
use crate::store::Tx;
use crate::types::{Id, Timestamp};

crate::text_enum! {
    pub enum DeliveryStatus {
        Pending = "pending",
        Retrying = "retrying",
        Succeeded = "succeeded",
        Failed = "failed",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WebhookDelivery {
    pub id: Id,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub webhook_id: Id,
    pub event_id: Id,
    pub event_type: String,
    pub body: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub next_attempt_at: Option<Timestamp>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub job_id: Option<i64>,
    pub delivered_at: Option<Timestamp>,
    /// How long the last attempt waited for its answer.
    pub last_latency_ms: Option<i64>,
}

const COLUMNS: &str = "id, created_at, updated_at, webhook_id, event_id, event_type, body, status, \
     attempts, next_attempt_at, last_status, last_error, job_id, delivered_at, last_latency_ms";

pub fn insert(
    tx: &Tx<'_>,
    webhook_id: Id,
    event_id: Id,
    event_type: &str,
    body: &str,
) -> Result<Id, StoreError> {
    let id = tx.new_id();
    let now = tx.now();
    tx.prepare_cached(
        "INSERT INTO webhook_deliveries (id, created_at, updated_at, webhook_id, event_id, \
         event_type, body, status, next_attempt_at) VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, 'pending', ?2)",
    )?
    .execute(rusqlite::params![id, now, webhook_id, event_id, event_type, body])?;
    Ok(id)
}

pub fn set_job(tx: &Tx<'_>, id: Id, job_id: i64) -> Result<(), StoreError> {
    tx.prepare_cached("UPDATE webhook_deliveries SET job_id = ?2 WHERE id = ?1")?
        .execute(rusqlite::params![id, job_id])?;
    Ok(())
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptResult {
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub next_attempt_at: Option<Timestamp>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    /// `None` when no request was made (the endpoint was gone or disabled).
    pub latency_ms: Option<i64>,
}

pub fn record_attempt(tx: &Tx<'_>, id: Id, result: &AttemptResult) -> Result<(), StoreError> {
    let now = tx.now();
    let delivered = (result.status == DeliveryStatus::Succeeded).then_some(now);
    tx.prepare_cached(
        "UPDATE webhook_deliveries SET status = ?2, attempts = ?3, next_attempt_at = ?4, \
         last_status = ?5, last_error = ?6, delivered_at = coalesce(?7, delivered_at), \
         updated_at = ?8, last_latency_ms = coalesce(?9, last_latency_ms) WHERE id = ?1",
    )?
    .execute(rusqlite::params![
        id,
        result.status,
        result.attempts,
        result.next_attempt_at,
        result.last_status,
        result.last_error,
        delivered,
        now,
        result.latency_ms
    ])?;
    Ok(())
}

/// Puts a finished delivery back to pending for a replay (its attempt count continues).
pub fn reopen(tx: &Tx<'_>, id: Id) -> Result<(), StoreError> {
    let now = tx.now();
    tx.prepare_cached(
        "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?2, updated_at = ?2 \
         WHERE id = ?1",
    )?
    .execute(rusqlite::params![id, now])?;
    Ok(())
}

fn read(row: &Row<'_>) -> rusqlite::Result<WebhookDelivery> {
    Ok(WebhookDelivery {
        id: row.get(0)?,
        created_at: row.get(1)?,
        updated_at: row.get(2)?,
        webhook_id: row.get(3)?,
        event_id: row.get(4)?,
        event_type: row.get(5)?,
        body: row.get(6)?,
        status: row.get(7)?,
        attempts: row.get(8)?,
        next_attempt_at: row.get(9)?,
        last_status: row.get(10)?,
        last_error: row.get(11)?,
        job_id: row.get(12)?,
        delivered_at: row.get(13)?,
        last_latency_ms: row.get(14)?,
    })
}

pub fn get(conn: &Connection, id: Id) -> Result<Option<WebhookDelivery>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM webhook_deliveries WHERE id = ?1"
        ))?
        .query_row([id], read)
        .optional()?)
}

/// An endpoint's deliveries, newest first, optionally of one status, before a cursor
/// (`created_at`, `id`) when given.
pub fn for_webhook(
    conn: &Connection,
    webhook_id: Id,
    status: Option<DeliveryStatus>,
    before: Option<(Timestamp, Id)>,
    limit: u32,
) -> Result<Vec<WebhookDelivery>, StoreError> {
    let (before_at, before_id) = before.map_or((None, None), |(at, id)| (Some(at), Some(id)));
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM webhook_deliveries WHERE webhook_id = ?1 \
             AND (?2 IS NULL OR status = ?2) \
             AND (?3 IS NULL OR (created_at, id) < (?3, ?4)) \
             ORDER BY created_at DESC, id DESC LIMIT ?5"
        ))?
        .query_map(
            rusqlite::params![webhook_id, status, before_at, before_id, limit],
            read,
        )?
        .collect::<Result<Vec<_>, _>>()?)
}

/// The ids of an endpoint's failed deliveries created at or after `since`, oldest first.
pub fn failed_since(
    conn: &Connection,
    webhook_id: Id,
    since: Timestamp,
    limit: u32,
) -> Result<Vec<Id>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM webhook_deliveries WHERE webhook_id = ?1 AND status = 'failed' \
             AND created_at >= ?2 ORDER BY created_at, id LIMIT ?3",
        )?
        .query_map(rusqlite::params![webhook_id, since, limit], |r| r.get(0))?
        .collect::<Result<Vec<_>, _>>()?)
}

/// Per endpoint: deliveries in each status and the last attempt's HTTP status.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Health {
    pub succeeded: i64,
    pub failed: i64,
    pub pending: i64,
    pub last_status: Option<i64>,
    pub last_attempt_at: Option<Timestamp>,
}

pub fn health(conn: &Connection, webhook_id: Id) -> Result<Health, StoreError> {
    let mut health = Health::default();
    let mut counts = conn.prepare_cached(
        "SELECT status, count(*) FROM webhook_deliveries WHERE webhook_id = ?1 GROUP BY status",
    )?;
    let rows = counts.query_map([webhook_id], |r| {
        Ok((r.get::<_, DeliveryStatus>(0)?, r.get::<_, i64>(1)?))
    })?;
    for row in rows {
        let (status, n) = row?;
        match status {
            DeliveryStatus::Succeeded => health.succeeded = n,
            DeliveryStatus::Failed => health.failed = n,
            DeliveryStatus::Pending | DeliveryStatus::Retrying => health.pending += n,
        }
    }
    if let Some((status, at)) = conn
        .prepare_cached(
            "SELECT response_status, created_at FROM webhook_logs WHERE webhook_id = ?1 \
             ORDER BY created_at DESC LIMIT 1",
        )?
        .query_row([webhook_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
    {
        health.last_status = status;
        health.last_attempt_at = Some(at);
    }
    Ok(health)
}
