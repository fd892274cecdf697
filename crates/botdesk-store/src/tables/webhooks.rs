//! `webhooks`: merchants' endpoints. Signing secrets are stored only as ciphertext (the
//! webhooks capability encrypts them) and are never serialised or printed from here.

use std::fmt;

use rusqlite::Connection;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use crate::error::StoreError;
use crate::record::{Columns, Record, Stored, json_value, opt, select_where, text};
use crate::types::{Id, Timestamp};

/// Encrypted bytes of a secret. Debug shows only that it is there.
#[derive(Clone, PartialEq, Eq)]
pub struct Ciphertext(pub Vec<u8>);

impl fmt::Debug for Ciphertext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ciphertext([redacted; {} bytes])", self.0.len())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    pub merchant_id: Id,
    pub url: String,
    pub description: String,
    /// Subscribed event types, or `["*"]` for all.
    pub events: serde_json::Value,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    #[serde(skip)]
    pub secret_ciphertext: Option<Ciphertext>,
    #[serde(skip)]
    pub previous_secret_ciphertext: Option<Ciphertext>,
    pub previous_secret_expires_at: Option<Timestamp>,
    /// Extra request headers, `{"name": "value"}`.
    pub custom_headers: serde_json::Value,
    pub timeout_ms: i64,
    /// When the current run of failures began.
    pub failing_since: Option<Timestamp>,
}

fn blob(value: &Option<Ciphertext>) -> Value {
    value
        .as_ref()
        .map_or(Value::Null, |c| Value::Blob(c.0.clone()))
}

impl Record for Webhook {
    const TABLE: &'static str = "webhooks";
    const COLUMNS: &'static [&'static str] = &[
        "merchant_id",
        "url",
        "description",
        "events",
        "enabled",
        "disabled_reason",
        "secret_ciphertext",
        "previous_secret_ciphertext",
        "previous_secret_expires_at",
        "custom_headers",
        "timeout_ms",
        "failing_since",
    ];

    fn values(&self) -> Vec<Value> {
        vec![
            text(&self.merchant_id),
            text(&self.url),
            text(&self.description),
            json_value(&self.events),
            Value::Integer(i64::from(self.enabled)),
            opt(&self.disabled_reason),
            blob(&self.secret_ciphertext),
            blob(&self.previous_secret_ciphertext),
            opt(&self.previous_secret_expires_at),
            json_value(&self.custom_headers),
            Value::Integer(self.timeout_ms),
            opt(&self.failing_since),
        ]
    }

    fn read(cols: &mut Columns<'_, '_>) -> rusqlite::Result<Webhook> {
        Ok(Webhook {
            merchant_id: cols.take()?,
            url: cols.take()?,
            description: cols.take()?,
            events: cols.json()?,
            enabled: cols.flag()?,
            disabled_reason: cols.take()?,
            secret_ciphertext: cols.take::<Option<Vec<u8>>>()?.map(Ciphertext),
            previous_secret_ciphertext: cols.take::<Option<Vec<u8>>>()?.map(Ciphertext),
            previous_secret_expires_at: cols.take()?,
            custom_headers: cols.json()?,
            timeout_ms: cols.take()?,
            failing_since: cols.take()?,
        })
    }
}

/// A merchant's endpoints, oldest first.
pub fn for_merchant(
    conn: &Connection,
    merchant_id: Id,
) -> Result<Vec<Stored<Webhook>>, StoreError> {
    select_where(
        conn,
        "merchant_id = ?1 AND deleted_at IS NULL ORDER BY created_at, id",
        [merchant_id],
    )
}
