//! The shared shape of every synced table and the queries they all need, written once: a table
//! module describes its columns ([`Record`]) and gets insert, get, update, soft delete, restore
//! and keyset-paged listing. Table-specific queries live in the table's own module.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;

use crate::error::StoreError;
use crate::store::Tx;
use crate::types::{Id, Timestamp};

/// The columns every synced row has, in table order, before the record's own columns.
const META_COLUMNS: &str = "id, created_at, updated_at, deleted_at, device_id";
const META_COUNT: usize = 5;

/// A table's row, minus the sync bookkeeping every row has.
pub trait Record: Sized {
    const TABLE: &'static str;
    /// The record's own columns, in the order of [`Record::values`] and [`Record::read`].
    const COLUMNS: &'static [&'static str];

    /// The column values, in [`Record::COLUMNS`] order.
    fn values(&self) -> Vec<Value>;

    /// Reads the record's columns, in [`Record::COLUMNS`] order.
    fn read(cols: &mut Columns<'_, '_>) -> rusqlite::Result<Self>;
}

/// Reads a row's columns one after the other.
#[derive(Debug)]
pub struct Columns<'r, 's> {
    row: &'r Row<'s>,
    next: usize,
}

impl Columns<'_, '_> {
    pub fn take<T: rusqlite::types::FromSql>(&mut self) -> rusqlite::Result<T> {
        let value = self.row.get(self.next);
        self.next += 1;
        value
    }

    /// A JSON column.
    pub fn json(&mut self) -> rusqlite::Result<serde_json::Value> {
        let index = self.next;
        let text: String = self.take()?;
        serde_json::from_str(&text).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(
                index,
                rusqlite::types::Type::Text,
                Box::new(e),
            )
        })
    }

    /// A 0/1 column.
    pub fn flag(&mut self) -> rusqlite::Result<bool> {
        Ok(self.take::<i64>()? != 0)
    }
}

/// JSON column value for [`Record::values`].
pub fn json_value(value: &serde_json::Value) -> Value {
    Value::Text(value.to_string())
}

/// Optional text/id/timestamp column value for [`Record::values`].
pub fn opt<T: ToString>(value: &Option<T>) -> Value {
    value
        .as_ref()
        .map_or(Value::Null, |v| Value::Text(v.to_string()))
}

pub fn text<T: ToString + ?Sized>(value: &T) -> Value {
    Value::Text(value.to_string())
}

/// The bookkeeping every synced row carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowMeta {
    pub id: Id,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
    /// The device that last changed the row; `None` when it was changed outside botdesk.
    pub device_id: Option<String>,
}

/// A row as stored: its bookkeeping and its record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stored<T> {
    #[serde(flatten)]
    pub meta: RowMeta,
    #[serde(flatten)]
    pub data: T,
}

impl<T> Stored<T> {
    pub fn id(&self) -> Id {
        self.meta.id
    }

    pub fn is_deleted(&self) -> bool {
        self.meta.deleted_at.is_some()
    }
}

fn select_sql<T: Record>() -> String {
    format!(
        "SELECT {META_COLUMNS}, {} FROM {}",
        T::COLUMNS.join(", "),
        T::TABLE
    )
}

fn read_stored<T: Record>(row: &Row<'_>) -> rusqlite::Result<Stored<T>> {
    let meta = RowMeta {
        id: row.get(0)?,
        created_at: row.get(1)?,
        updated_at: row.get(2)?,
        deleted_at: row.get(3)?,
        device_id: row.get(4)?,
    };
    let mut cols = Columns {
        row,
        next: META_COUNT,
    };
    Ok(Stored {
        meta,
        data: T::read(&mut cols)?,
    })
}

/// Maps a failure to read stored data to a typed error naming the table.
fn read_error<T: Record>(err: rusqlite::Error) -> StoreError {
    match &err {
        rusqlite::Error::FromSqlConversionFailure(index, _, cause) => StoreError::InvalidData {
            table: T::TABLE,
            column: column_name::<T>(*index),
            reason: cause.to_string(),
        },
        rusqlite::Error::InvalidColumnType(index, _, ty) => StoreError::InvalidData {
            table: T::TABLE,
            column: column_name::<T>(*index),
            reason: format!("unexpected {ty}"),
        },
        _ => StoreError::from(err),
    }
}

fn column_name<T: Record>(index: usize) -> String {
    let meta = ["id", "created_at", "updated_at", "deleted_at", "device_id"];
    meta.get(index)
        .copied()
        .or_else(|| T::COLUMNS.get(index.wrapping_sub(META_COUNT)).copied())
        .unwrap_or("?")
        .to_owned()
}

/// Inserts a new row with a fresh id.
pub fn insert<T: Record>(tx: &Tx<'_>, data: T) -> Result<Stored<T>, StoreError> {
    insert_with_id(tx, tx.new_id(), data)
}

/// Inserts a new row with a given id.
pub fn insert_with_id<T: Record>(tx: &Tx<'_>, id: Id, data: T) -> Result<Stored<T>, StoreError> {
    let placeholders = (1..=META_COUNT - 1 + T::COLUMNS.len())
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO {} (id, created_at, updated_at, device_id, {}) VALUES ({placeholders})",
        T::TABLE,
        T::COLUMNS.join(", ")
    );
    let now = tx.now();
    let mut values = vec![text(&id), text(&now), text(&now), text(tx.device_id())];
    values.extend(data.values());
    tx.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(values))?;
    Ok(Stored {
        meta: RowMeta {
            id,
            created_at: now,
            updated_at: now,
            deleted_at: None,
            device_id: Some(tx.device_id().to_owned()),
        },
        data,
    })
}

/// A row by id, live or deleted; `None` when there is no such row.
pub fn find<T: Record>(conn: &Connection, id: Id) -> Result<Option<Stored<T>>, StoreError> {
    let sql = format!("{} WHERE id = ?1", select_sql::<T>());
    conn.prepare_cached(&sql)?
        .query_row([id], read_stored::<T>)
        .optional()
        .map_err(read_error::<T>)
}

/// Rows matching `clause` (what follows `WHERE`, with its own ORDER BY), written by the table's
/// module with bound parameters.
pub fn select_where<T: Record>(
    conn: &Connection,
    clause: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Stored<T>>, StoreError> {
    let sql = format!("{} WHERE {clause}", select_sql::<T>());
    conn.prepare_cached(&sql)?
        .query_map(params, read_stored::<T>)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(read_error::<T>)
}

/// The first row matching `clause`, if any.
pub fn select_one_where<T: Record>(
    conn: &Connection,
    clause: &str,
    params: impl rusqlite::Params,
) -> Result<Option<Stored<T>>, StoreError> {
    let sql = format!("{} WHERE {clause} LIMIT 1", select_sql::<T>());
    conn.prepare_cached(&sql)?
        .query_row(params, read_stored::<T>)
        .optional()
        .map_err(read_error::<T>)
}

/// The first row of a full query written by a table module that is not a [`Record`].
pub fn select_one_where_raw<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    read: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Option<T>, StoreError> {
    Ok(conn
        .prepare_cached(sql)?
        .query_row(params, read)
        .optional()?)
}

/// A live row by id; `store.not_found` when it does not exist or was deleted.
pub fn get<T: Record>(conn: &Connection, id: Id) -> Result<Stored<T>, StoreError> {
    match find::<T>(conn, id)? {
        Some(row) if !row.is_deleted() => Ok(row),
        _ => Err(StoreError::NotFound {
            table: T::TABLE,
            id: id.to_string(),
        }),
    }
}

/// Replaces a live row's record.
pub fn update<T: Record>(tx: &Tx<'_>, id: Id, data: T) -> Result<Stored<T>, StoreError> {
    let assignments = T::COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ?{}", i + 4))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "UPDATE {} SET updated_at = ?2, device_id = ?3, {assignments} \
         WHERE id = ?1 AND deleted_at IS NULL",
        T::TABLE
    );
    let mut values = vec![text(&id), text(&tx.now()), text(tx.device_id())];
    values.extend(data.values());
    let changed = tx
        .prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(values))?;
    if changed == 0 {
        return Err(StoreError::NotFound {
            table: T::TABLE,
            id: id.to_string(),
        });
    }
    get::<T>(tx, id)
}

/// Marks a live row deleted (a tombstone that sync carries to other devices).
pub fn soft_delete<T: Record>(tx: &Tx<'_>, id: Id) -> Result<(), StoreError> {
    set_deleted::<T>(tx, id, Some(tx.now()))
}

/// Brings a deleted row back.
pub fn restore<T: Record>(tx: &Tx<'_>, id: Id) -> Result<(), StoreError> {
    set_deleted::<T>(tx, id, None)
}

fn set_deleted<T: Record>(
    tx: &Tx<'_>,
    id: Id,
    deleted_at: Option<Timestamp>,
) -> Result<(), StoreError> {
    let sql = format!(
        "UPDATE {} SET deleted_at = ?2, updated_at = ?3, device_id = ?4 \
         WHERE id = ?1 AND (deleted_at IS NULL) = (?2 IS NOT NULL)",
        T::TABLE
    );
    let changed = tx.prepare_cached(&sql)?.execute(rusqlite::params![
        id,
        deleted_at,
        tx.now(),
        tx.device_id()
    ])?;
    if changed == 0 {
        return Err(StoreError::NotFound {
            table: T::TABLE,
            id: id.to_string(),
        });
    }
    Ok(())
}

/// One page of a list, and where the next one starts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass back to get the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// Which page of a list to read: newest first.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    /// At most this many rows (clamped to 1..=500; 50 when 0).
    pub limit: u32,
    /// From [`Page::next_cursor`].
    pub cursor: Option<String>,
}

impl PageRequest {
    pub const MAX_LIMIT: u32 = 500;

    pub fn first(limit: u32) -> PageRequest {
        PageRequest {
            limit,
            cursor: None,
        }
    }

    pub fn effective_limit(&self) -> u32 {
        match self.limit {
            0 => 50,
            n => n.min(PageRequest::MAX_LIMIT),
        }
    }
}

/// Conditions on a list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// `column = value`; columns must be among the record's columns.
    pub equals: Vec<(&'static str, Value)>,
    /// Conditions written in SQL (compile-time constants only), each `?` taking the next of
    /// its values: for what `equals` cannot say (`id IN (SELECT …)`).
    pub conditions: Vec<(&'static str, Vec<Value>)>,
    pub include_deleted: bool,
}

impl Filter {
    pub fn live() -> Filter {
        Filter::default()
    }

    pub fn eq(mut self, column: &'static str, value: impl Into<Value>) -> Filter {
        self.equals.push((column, value.into()));
        self
    }

    pub fn condition(mut self, sql: &'static str, values: Vec<Value>) -> Filter {
        self.conditions.push((sql, values));
        self
    }
}

/// Every row the filter matches, newest first: [`list`] page after page, on one connection
/// (so, inside the caller's transaction, one snapshot).
pub fn list_all<T: Record>(
    conn: &Connection,
    filter: &Filter,
) -> Result<Vec<Stored<T>>, StoreError> {
    let mut out = Vec::new();
    let mut request = PageRequest::first(PageRequest::MAX_LIMIT);
    loop {
        let page = list::<T>(conn, filter, &request)?;
        out.extend(page.items);
        match page.next_cursor {
            Some(cursor) => request.cursor = Some(cursor),
            None => return Ok(out),
        }
    }
}

/// A page of rows, newest first (by `created_at`, then `id`).
pub fn list<T: Record>(
    conn: &Connection,
    filter: &Filter,
    page: &PageRequest,
) -> Result<Page<Stored<T>>, StoreError> {
    let mut conditions = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    if !filter.include_deleted {
        conditions.push("deleted_at IS NULL".to_owned());
    }
    for (column, value) in &filter.equals {
        // Column names are compile-time constants of the record; anything else is a bug.
        if !T::COLUMNS.contains(column) {
            return Err(StoreError::InvalidData {
                table: T::TABLE,
                column: (*column).to_owned(),
                reason: "not a column of this table".into(),
            });
        }
        values.push(value.clone());
        conditions.push(format!("{column} = ?{}", values.len()));
    }
    for (sql, condition_values) in &filter.conditions {
        // An unnumbered `?` takes the number after the largest used so far: pushing the values
        // in order keeps every placeholder on its own value.
        values.extend(condition_values.iter().cloned());
        conditions.push(format!("({sql})"));
    }
    if let Some(cursor) = &page.cursor {
        let (created_at, id) = decode_cursor(cursor)?;
        values.push(Value::Text(created_at.to_string()));
        values.push(Value::Text(id.to_string()));
        let (a, b) = (values.len() - 1, values.len());
        conditions.push(format!("(created_at, id) < (?{a}, ?{b})"));
    }
    let limit = page.effective_limit();
    let sql = format!(
        "{}{}{} ORDER BY created_at DESC, id DESC LIMIT {}",
        select_sql::<T>(),
        if conditions.is_empty() { "" } else { " WHERE " },
        conditions.join(" AND "),
        limit + 1
    );
    let mut rows = conn
        .prepare_cached(&sql)?
        .query_map(rusqlite::params_from_iter(values), read_stored::<T>)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(read_error::<T>)?;
    let next_cursor = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last()
            .map(|r| encode_cursor(r.meta.created_at, r.meta.id))
    } else {
        None
    };
    Ok(Page {
        items: rows,
        next_cursor,
    })
}

fn encode_cursor(created_at: Timestamp, id: Id) -> String {
    format!("{created_at}~{id}")
}

fn decode_cursor(cursor: &str) -> Result<(Timestamp, Id), StoreError> {
    let (at, id) = cursor.split_once('~').ok_or(StoreError::InvalidCursor)?;
    Ok((
        at.parse().map_err(|_| StoreError::InvalidCursor)?,
        id.parse().map_err(|_| StoreError::InvalidCursor)?,
    ))
}

/// Declares a text enum stored in a CHECK-constrained column: its variants, their text, and
/// the conversions to and from SQL and JSON. The texts are taken as plain tokens (`tt`), not as
/// `literal` fragments: a fragment reaches the derives wrapped in an invisible group, which
/// utoipa's derive does not look into (it published the variants' Rust names).
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
            ts_rs::TS, utoipa::ToSchema,
        )]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::UnknownVariant;
            fn from_str(s: &str) -> Result<$name, $crate::UnknownVariant> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::UnknownVariant {
                        kind: stringify!($name),
                        value: other.to_owned(),
                        allowed: &[$($text),+],
                    }),
                }
            }
        }

        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::from(self.as_str()))
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<$name> {
                value
                    .as_str()?
                    .parse()
                    .map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
            }
        }

        impl From<$name> for rusqlite::types::Value {
            fn from(v: $name) -> rusqlite::types::Value {
                rusqlite::types::Value::Text(v.as_str().to_owned())
            }
        }
    };
}

/// A text that is not one of an enum's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a valid {kind} (one of: {})", allowed.join(", "))]
pub struct UnknownVariant {
    pub kind: &'static str,
    pub value: String,
    pub allowed: &'static [&'static str],
}
