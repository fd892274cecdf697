//! A row between the two sides: the local row as the JSON `push` sends, and a pulled row's
//! JSON as the values a local upsert writes. Only the columns of [`crate::tables`] cross;
//! server-side columns (the clock, the sequence, `merchants.owner_id`) stay there and sealed
//! secrets stay here.

use botdesk_store::Timestamp;
use botdesk_store::rusqlite::types::{Value as Sql, ValueRef};
use botdesk_store::rusqlite::{Connection, OptionalExtension};
use serde_json::{Map, Value};

use crate::error::SyncError;
use crate::tables::{Kind, Table};

fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}

/// The local row as the server takes it, or `None` when it no longer exists (purged).
pub fn local_row(
    conn: &Connection,
    table: &Table,
    id: &str,
) -> Result<Option<Map<String, Value>>, SyncError> {
    let names: Vec<String> = table.columns.iter().map(|(c, _)| quoted(c)).collect();
    let sql = format!(
        "SELECT {} FROM {} WHERE id = ?1",
        names.join(", "),
        quoted(table.name)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let row = stmt
        .query_row([id], |r| {
            let mut out = Map::new();
            for (i, (name, kind)) in table.columns.iter().enumerate() {
                let v = r.get_ref(i)?;
                let json = match (kind, v) {
                    (Kind::LocalOnly, _) => continue,
                    (_, ValueRef::Null) => Value::Null,
                    (Kind::Bool, ValueRef::Integer(n)) => Value::Bool(n != 0),
                    (Kind::Json, ValueRef::Text(t)) => {
                        serde_json::from_slice(t).unwrap_or(Value::Null)
                    }
                    (_, ValueRef::Integer(n)) => Value::from(n),
                    (_, ValueRef::Real(x)) => Value::from(x),
                    (_, ValueRef::Text(t)) => Value::from(String::from_utf8_lossy(t).into_owned()),
                    (_, ValueRef::Blob(_)) => continue,
                };
                out.insert((*name).to_owned(), json);
            }
            Ok(out)
        })
        .optional()?;
    Ok(row)
}

/// A Postgres timestamptz as JSON (`2026-12-04T03:00:00.123456+00:00`) as the local text form.
fn local_time(text: &str) -> Result<String, SyncError> {
    text.parse::<Timestamp>()
        .map(|t| t.to_string())
        .map_err(|_| SyncError::BadRow(format!("{text:?} is not a time")))
}

/// The local values of a pulled row: `(column, value)` for every column of the table the
/// server sent (local-only ones are left as they are).
pub fn pulled_values(
    table: &Table,
    row: &Map<String, Value>,
) -> Result<Vec<(&'static str, Sql)>, SyncError> {
    let mut out = Vec::with_capacity(table.columns.len());
    for (name, kind) in table.columns {
        let Some(v) = row.get(*name) else { continue };
        let value = match (kind, v) {
            (Kind::LocalOnly, _) => continue,
            (_, Value::Null) => Sql::Null,
            (Kind::Bool, Value::Bool(b)) => Sql::Integer(i64::from(*b)),
            (Kind::Json, v) => Sql::Text(v.to_string()),
            (Kind::Time, Value::String(s)) => Sql::Text(local_time(s)?),
            (_, Value::Bool(b)) => Sql::Integer(i64::from(*b)),
            (_, Value::Number(n)) => match n.as_i64() {
                Some(i) => Sql::Integer(i),
                None => Sql::Real(n.as_f64().unwrap_or(0.0)),
            },
            (_, Value::String(s)) => Sql::Text(s.clone()),
            (_, other) => Sql::Text(other.to_string()),
        };
        out.push((*name, value));
    }
    Ok(out)
}

/// Writes a pulled row: inserted, or its sent columns updated (local-only ones kept).
pub fn upsert(
    conn: &Connection,
    table: &Table,
    id: &str,
    values: &[(&'static str, Sql)],
) -> Result<(), SyncError> {
    let mut cols = vec![quoted("id")];
    let mut params: Vec<Sql> = vec![Sql::Text(id.to_owned())];
    let mut sets = Vec::new();
    for (name, value) in values {
        cols.push(quoted(name));
        params.push(value.clone());
        sets.push(format!("{0} = excluded.{0}", quoted(name)));
    }
    let marks: Vec<String> = (1..=params.len()).map(|i| format!("?{i}")).collect();
    let sql = if sets.is_empty() {
        format!(
            "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT (id) DO NOTHING",
            quoted(table.name),
            cols.join(", "),
            marks.join(", ")
        )
    } else {
        format!(
            "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT (id) DO UPDATE SET {}",
            quoted(table.name),
            cols.join(", "),
            marks.join(", "),
            sets.join(", ")
        )
    };
    conn.prepare_cached(&sql)?
        .execute(botdesk_store::rusqlite::params_from_iter(params))?;
    Ok(())
}
