//! `app_settings`: the owner's settings, one JSON value per key. Which keys exist and what
//! they may hold is decided by the core; this module only stores them.

use rusqlite::{Connection, OptionalExtension};

use crate::error::StoreError;
use crate::store::Tx;

/// The stored value of `key`, if it was ever set.
pub fn get(conn: &Connection, key: &str) -> Result<Option<serde_json::Value>, StoreError> {
    let text: Option<String> = conn
        .prepare_cached("SELECT value FROM app_settings WHERE key = ?1")?
        .query_row([key], |row| row.get(0))
        .optional()?;
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| StoreError::InvalidData {
            table: "app_settings",
            column: key.to_owned(),
            reason: e.to_string(),
        })
    })
    .transpose()
}

/// Sets `key` to `value`.
pub fn set(tx: &Tx<'_>, key: &str, value: &serde_json::Value) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO app_settings (key, value, updated_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )?
    .execute(rusqlite::params![key, value.to_string(), tx.now()])?;
    Ok(())
}

/// Forgets `key` (it reads as never set).
pub fn remove(tx: &Tx<'_>, key: &str) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM app_settings WHERE key = ?1")?
        .execute([key])?;
    Ok(())
}
