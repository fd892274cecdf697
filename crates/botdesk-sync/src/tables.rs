//! What syncs: the tables, in the order a batch may need them (parents first), and for each
//! column what it is on both sides, so that a local row becomes the server's JSON and back.
//! A test holds this against the local schema and the server's (tests/it/sync_*.rs): a column
//! added on one side and not here fails it.

/// How a column crosses between SQLite and Postgres.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text, numbers, ids: the same value on both sides.
    Plain,
    /// SQLite 0/1, Postgres boolean.
    Bool,
    /// SQLite JSON text, Postgres jsonb.
    Json,
    /// SQLite RFC 3339 text with milliseconds and `Z`, Postgres timestamptz.
    Time,
    /// Kept on this device only (sealed secrets): never sent, never overwritten by a pull.
    LocalOnly,
}

#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    /// Every column of the local table but `id`, with its kind.
    pub columns: &'static [(&'static str, Kind)],
}

use Kind::*;

/// The bookkeeping columns every synced table has (after `id`).
macro_rules! table {
    ($name:literal, [$($col:literal: $kind:ident),* $(,)?]) => {
        Table {
            name: $name,
            columns: &[
                ("created_at", Time),
                ("updated_at", Time),
                ("deleted_at", Time),
                ("device_id", Plain),
                $(($col, $kind)),*
            ],
        }
    };
}

pub static TABLES: &[Table] = &[
    table!("users", ["email": Plain, "display_name": Plain, "role": Plain, "phone": Plain]),
    table!("merchants", [
        "name": Plain, "phone": Plain, "email": Plain, "status": Plain, "settings": Json,
    ]),
    table!("media_files", [
        "owner_id": Plain, "merchant_id": Plain, "sha256": Plain, "file_name": Plain,
        "mime_type": Plain, "declared_mime_type": Plain, "kind": Plain, "size_bytes": Plain,
        "width": Plain, "height": Plain, "status": Plain, "variants": Json,
        "failed_reason": Plain, "metadata_stripped": Bool, "had_location": Bool,
    ]),
    table!("message_templates", [
        "name": Plain, "kind": Plain, "category": Plain, "language": Plain, "status": Plain,
        "whatsapp_status": Plain, "parameter_format": Plain, "header_type": Plain,
        "header_text": Plain, "header_media_id": Plain, "body": Plain, "footer": Plain,
        "buttons": Json, "list_button": Plain, "list_sections": Json, "variables": Json,
        "version": Plain, "created_by": Plain,
    ]),
    table!("template_versions", [
        "template_id": Plain, "version": Plain, "snapshot": Json, "change_summary": Plain,
        "created_by": Plain, "actor": Plain,
    ]),
    table!("products", [
        "merchant_id": Plain, "sku": Plain, "name": Plain, "description": Plain,
        "price_minor": Plain, "currency": Plain, "stock": Plain, "status": Plain,
    ]),
    table!("product_media", [
        "product_id": Plain, "media_id": Plain, "position": Plain, "is_primary": Bool,
    ]),
    table!("orders", [
        "merchant_id": Plain, "order_number": Plain, "customer_phone": Plain,
        "customer_name": Plain, "status": Plain, "payment_status": Plain, "total_minor": Plain,
        "currency": Plain, "notes": Plain,
    ]),
    table!("order_items", [
        "order_id": Plain, "product_id": Plain, "name": Plain, "quantity": Plain,
        "unit_price_minor": Plain,
    ]),
    table!("delivery_tasks", [
        "order_id": Plain, "status": Plain, "assignee_name": Plain, "assignee_phone": Plain,
        "address": Plain, "scheduled_at": Time, "started_at": Time, "completed_at": Time,
        "notes": Plain,
    ]),
    table!("webhooks", [
        "merchant_id": Plain, "url": Plain, "description": Plain, "events": Json,
        "enabled": Bool, "disabled_reason": Plain, "secret_ciphertext": LocalOnly,
        "previous_secret_ciphertext": LocalOnly, "previous_secret_expires_at": Time,
        "custom_headers": Json, "timeout_ms": Plain, "failing_since": Time,
    ]),
];

pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

/// The columns naming the Supabase Auth user a row belongs to, which the server's policies
/// hold a change to (`owner_id = auth.uid()`). A row made on this device before it synced as
/// anyone has none: it is claimed for the user it syncs as (see [`crate::local::claim_ownerless`]).
pub static OWNER_COLUMNS: &[(&str, &str)] = &[("media_files", "owner_id")];

/// The columns whose values name stored files (by SHA-256): the file itself, or a JSON value
/// whose every `"sha256"` field names one (a media record's variants). Those files go to the
/// project's Storage bucket once the row has synced.
pub static FILE_COLUMNS: &[(&str, &[&str])] = &[("media_files", &["sha256", "variants"])];

/// The files a row (as pushed: the server's JSON) names, sorted, each once.
pub fn files_of(table: &str, row: &serde_json::Map<String, serde_json::Value>) -> Vec<String> {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    match v {
                        serde_json::Value::String(s) if k == "sha256" => out.push(s.clone()),
                        _ => walk(v, out),
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let Some((_, columns)) = FILE_COLUMNS.iter().find(|(t, _)| *t == table) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for column in *columns {
        match row.get(*column) {
            Some(serde_json::Value::String(s)) => out.push(s.clone()),
            Some(v) => walk(v, &mut out),
            None => {}
        }
    }
    out.retain(|s| is_content_hash(s));
    out.sort();
    out.dedup();
    out
}

/// 64 lowercase hex digits: a stored file's name.
pub fn is_content_hash(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_media_rows_files_are_its_original_and_every_variant_file() {
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        let c = "c".repeat(64);
        let row = serde_json::json!({
            "sha256": a,
            "file_name": "x.jpg",
            "variants": {
                "thumbnail": {"width": 200, "height": 200, "files": {
                    "jpeg": {"sha256": b, "bytes": 10},
                    "webp": {"sha256": c, "bytes": 8},
                }},
                "medium": {"files": {"jpeg": {"sha256": b}, "bad": {"sha256": "../../etc"}}},
            },
        });
        let row = row.as_object().unwrap();
        assert_eq!(files_of("media_files", row), vec![a, b, c]);
        assert!(files_of("merchants", row).is_empty());
    }
}
