//! `store_meta`: the store's own facts, one text value per key (this device's id, the clock's
//! last value, sync's cursor and status). Local machinery: neither audited nor synced, so it
//! is written on any connection, inside whatever transaction the caller holds.

use rusqlite::{Connection, OptionalExtension};

use crate::error::StoreError;

/// The value of `key`, if it was ever set.
pub fn get(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT value FROM store_meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

/// Sets `key` to `value`.
pub fn set(conn: &Connection, key: &str, value: &str) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO store_meta (key, value) VALUES (?1, ?2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key, value])?;
    Ok(())
}
