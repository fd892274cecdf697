//! `api_keys`: the keys that guard the HTTP API. Only a key's prefix (its public name) and the
//! SHA-256 of the whole key are stored; the key itself is shown once, by the core, at creation.

use rusqlite::{Connection, Row};
use serde::Serialize;

use crate::error::StoreError;
use crate::record::select_one_where_raw;
use crate::store::Tx;
use crate::types::{Id, Timestamp};

/// A stored key, without anything secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiKey {
    pub id: Id,
    pub created_at: Timestamp,
    pub name: String,
    pub prefix: String,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

const COLUMNS: &str = "id, created_at, name, prefix, last_used_at, revoked_at";

fn read(row: &Row<'_>) -> rusqlite::Result<ApiKey> {
    Ok(ApiKey {
        id: row.get(0)?,
        created_at: row.get(1)?,
        name: row.get(2)?,
        prefix: row.get(3)?,
        last_used_at: row.get(4)?,
        revoked_at: row.get(5)?,
    })
}

pub fn insert(
    tx: &Tx<'_>,
    name: &str,
    prefix: &str,
    secret_hash: &str,
) -> Result<ApiKey, StoreError> {
    let id = tx.new_id();
    tx.prepare_cached(
        "INSERT INTO api_keys (id, created_at, name, prefix, secret_hash) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(rusqlite::params![id, tx.now(), name, prefix, secret_hash])?;
    Ok(ApiKey {
        id,
        created_at: tx.now(),
        name: name.to_owned(),
        prefix: prefix.to_owned(),
        last_used_at: None,
        revoked_at: None,
    })
}

/// Every key, newest first, revoked ones included.
pub fn list(conn: &Connection) -> Result<Vec<ApiKey>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM api_keys ORDER BY created_at DESC, id DESC"
        ))?
        .query_map([], read)?
        .collect::<Result<Vec<_>, _>>()?)
}

/// Whether any key is active: then every API request must present one.
pub fn any_active(conn: &Connection) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM api_keys WHERE revoked_at IS NULL)")?
        .query_row([], |row| row.get(0))?)
}

/// The active key with this prefix, and its stored hash.
pub fn find_active_by_prefix(
    conn: &Connection,
    prefix: &str,
) -> Result<Option<(ApiKey, String)>, StoreError> {
    select_one_where_raw(
        conn,
        &format!(
            "SELECT {COLUMNS}, secret_hash FROM api_keys WHERE prefix = ?1 AND revoked_at IS NULL"
        ),
        [prefix],
        |row| Ok((read(row)?, row.get(6)?)),
    )
}

/// Every active key with its stored hash (for a cache of them).
pub fn active_with_hashes(conn: &Connection) -> Result<Vec<(ApiKey, String)>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS}, secret_hash FROM api_keys WHERE revoked_at IS NULL"
        ))?
        .query_map([], |row| Ok((read(row)?, row.get(6)?)))?
        .collect::<Result<Vec<_>, _>>()?)
}

/// The key whose id or prefix is `reference`.
pub fn find(conn: &Connection, reference: &str) -> Result<Option<ApiKey>, StoreError> {
    select_one_where_raw(
        conn,
        &format!("SELECT {COLUMNS} FROM api_keys WHERE id = ?1 OR prefix = ?1"),
        [reference],
        read,
    )
}

/// Revokes a key; returns false when it was already revoked.
pub fn revoke(tx: &Tx<'_>, id: Id) -> Result<bool, StoreError> {
    let changed = tx.execute(
        "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        rusqlite::params![id, tx.now()],
    )?;
    Ok(changed == 1)
}

/// Records that a key was used, at most once a minute (not audited).
pub fn touch(tx: &Tx<'_>, id: Id) -> Result<(), StoreError> {
    let cutoff = tx.now().plus(time::Duration::minutes(-1));
    tx.prepare_cached(
        "UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at < ?3)",
    )?
    .execute(rusqlite::params![id, tx.now(), cutoff])?;
    Ok(())
}
