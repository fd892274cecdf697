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
