//! The store's errors: one enum, each variant with a stable machine code (`store.*`) that the
//! API boundary passes on unchanged. SQLite's own errors are classified here, once, so that a
//! CHECK or foreign-key violation reaches the caller as a typed error naming the column.

use std::path::PathBuf;

use rusqlite::ffi;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the data directory {path} cannot be created or opened: {reason}")]
    DataDir { path: PathBuf, reason: String },

    #[error(
        "{path} is read-only ({reason}): botdesk needs to write its store there; \
         choose another data directory with --data-dir or fix the permissions"
    )]
    ReadOnly { path: PathBuf, reason: String },

    #[error(
        "{path} is not a botdesk store: {reason}. It was left untouched; \
         move it away to start a new store"
    )]
    NotADatabase { path: PathBuf, reason: String },

    #[error(
        "the store {path} is damaged: {reason}. It was left untouched; \
         restore a backup or move it away to start a new store"
    )]
    Corrupt { path: PathBuf, reason: String },

    #[error(
        "the store was written by a newer botdesk (schema version {found}; this botdesk \
         knows up to {supported}). Update botdesk; the store was left untouched"
    )]
    SchemaTooNew { found: i64, supported: i64 },

    #[error("migrating the store failed: {reason}. The store was left as it was")]
    MigrationFailed { reason: String },

    #[error("{table} {id} not found")]
    NotFound { table: &'static str, id: String },

    #[error("{table}: another row already has this {field}")]
    Duplicate { table: String, field: String },

    #[error("a referenced row does not exist, or the row is still referenced: {detail}")]
    ForeignKey { detail: String },

    #[error("{table}.{field} has a value that is not allowed (constraint {constraint})")]
    CheckViolation {
        table: String,
        field: String,
        constraint: String,
    },

    #[error("{table}.{field} is required")]
    NotNull { table: String, field: String },

    #[error("the store is busy: another writer held it for too long")]
    Busy,

    #[error("the disk is full: the change was not saved")]
    DiskFull,

    #[error("backup failed: {reason}")]
    Backup { reason: String },

    #[error("{path} already exists: choose another file, botdesk does not overwrite backups")]
    BackupTargetExists { path: PathBuf },

    #[error("invalid page cursor")]
    InvalidCursor,

    #[error("stored data in {table}.{column} cannot be read: {reason}")]
    InvalidData {
        table: &'static str,
        column: String,
        reason: String,
    },

    #[error("i/o error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl StoreError {
    /// The stable machine code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::DataDir { .. } => "store.data_dir",
            StoreError::ReadOnly { .. } => "store.read_only",
            StoreError::NotADatabase { .. } => "store.not_a_database",
            StoreError::Corrupt { .. } => "store.corrupt",
            StoreError::SchemaTooNew { .. } => "store.schema_too_new",
            StoreError::MigrationFailed { .. } => "store.migration_failed",
            StoreError::NotFound { .. } => "store.not_found",
            StoreError::Duplicate { .. } => "store.duplicate",
            StoreError::ForeignKey { .. } => "store.foreign_key",
            StoreError::CheckViolation { .. } => "store.check_violation",
            StoreError::NotNull { .. } => "store.not_null",
            StoreError::Busy => "store.busy",
            StoreError::DiskFull => "store.disk_full",
            StoreError::Backup { .. } => "store.backup_failed",
            StoreError::BackupTargetExists { .. } => "store.backup_target_exists",
            StoreError::InvalidCursor => "store.invalid_cursor",
            StoreError::InvalidData { .. } => "store.invalid_data",
            StoreError::Io { .. } => "store.io",
            StoreError::Sqlite(_) => "store.internal",
        }
    }

    /// The column an error is about, when there is one (for the API's `field`).
    pub fn field(&self) -> Option<&str> {
        match self {
            StoreError::Duplicate { field, .. }
            | StoreError::CheckViolation { field, .. }
            | StoreError::NotNull { field, .. } => Some(field),
            _ => None,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> StoreError {
        let rusqlite::Error::SqliteFailure(failure, message) = &err else {
            return StoreError::Sqlite(err);
        };
        let message = message.as_deref().unwrap_or("");
        match failure.extended_code {
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => {
                return StoreError::ForeignKey {
                    detail: message.to_owned(),
                };
            }
            ffi::SQLITE_CONSTRAINT_CHECK => return check_violation(message),
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                return duplicate(message);
            }
            ffi::SQLITE_CONSTRAINT_NOTNULL => {
                let (table, field) =
                    table_column(message.trim_start_matches("NOT NULL constraint failed: "));
                return StoreError::NotNull { table, field };
            }
            _ => {}
        }
        match failure.code {
            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked => {
                StoreError::Busy
            }
            rusqlite::ErrorCode::DiskFull => StoreError::DiskFull,
            rusqlite::ErrorCode::ReadOnly => StoreError::ReadOnly {
                path: PathBuf::new(),
                reason: message.to_owned(),
            },
            rusqlite::ErrorCode::DatabaseCorrupt => StoreError::Corrupt {
                path: PathBuf::new(),
                reason: message.to_owned(),
            },
            rusqlite::ErrorCode::NotADatabase => StoreError::NotADatabase {
                path: PathBuf::new(),
                reason: message.to_owned(),
            },
            _ => StoreError::Sqlite(err),
        }
    }
}

/// Every table name, longest first, to split `ck_<table>_<column>` constraint names.
const TABLES: &[&str] = &[
    "webhook_deliveries",
    "message_templates",
    "template_versions",
    "delivery_tasks",
    "webhook_events",
    "product_media",
    "webhook_logs",
    "media_files",
    "order_items",
    "audit_logs",
    "change_log",
    "tx_context",
    "merchants",
    "products",
    "webhooks",
    "orders",
    "users",
];

/// "CHECK constraint failed: ck_products_price_minor" → products / price_minor.
fn check_violation(message: &str) -> StoreError {
    let constraint = message
        .trim_start_matches("CHECK constraint failed: ")
        .trim()
        .to_owned();
    let named = constraint.strip_prefix("ck_").and_then(|rest| {
        TABLES.iter().find_map(|table| {
            rest.strip_prefix(table)
                .and_then(|r| r.strip_prefix('_'))
                .map(|field| (table.to_string(), field.to_owned()))
        })
    });
    let (table, field) = named.unwrap_or_else(|| {
        // Unnamed constraints are on `id` (its length) in this schema.
        (
            String::new(),
            if constraint.contains("length(id)") {
                "id".into()
            } else {
                constraint.clone()
            },
        )
    });
    StoreError::CheckViolation {
        table,
        field,
        constraint,
    }
}

/// "UNIQUE constraint failed: products.sku" or "...: index 'ux_users_email'".
fn duplicate(message: &str) -> StoreError {
    let rest = message
        .trim_start_matches("UNIQUE constraint failed: ")
        .trim();
    if let Some(index) = rest
        .strip_prefix("index '")
        .and_then(|r| r.strip_suffix('\''))
    {
        // ux_<table>_<what>
        let named = index.strip_prefix("ux_").and_then(|rest| {
            TABLES.iter().find_map(|table| {
                rest.strip_prefix(table)
                    .and_then(|r| r.strip_prefix('_'))
                    .map(|field| (table.to_string(), field.to_owned()))
            })
        });
        let (table, field) = named.unwrap_or_else(|| (String::new(), index.to_owned()));
        return StoreError::Duplicate { table, field };
    }
    let columns: Vec<(String, String)> = rest.split(", ").map(table_column).collect();
    let table = columns.first().map(|(t, _)| t.clone()).unwrap_or_default();
    let field = columns
        .iter()
        .map(|(_, c)| c.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    StoreError::Duplicate { table, field }
}

fn table_column(qualified: &str) -> (String, String) {
    match qualified.trim().split_once('.') {
        Some((table, column)) => (table.to_owned(), column.to_owned()),
        None => (String::new(), qualified.trim().to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_check_constraints_name_their_column() {
        let StoreError::CheckViolation { table, field, .. } =
            check_violation("CHECK constraint failed: ck_message_templates_parameter_format")
        else {
            panic!("not a check violation")
        };
        assert_eq!(
            (table.as_str(), field.as_str()),
            ("message_templates", "parameter_format")
        );
    }

    #[test]
    fn unique_violations_name_their_columns() {
        let StoreError::Duplicate { table, field } = duplicate(
            "UNIQUE constraint failed: message_templates.name, message_templates.language",
        ) else {
            panic!("not a duplicate")
        };
        assert_eq!(table, "message_templates");
        assert_eq!(field, "name, language");
        let StoreError::Duplicate { table, field } =
            duplicate("UNIQUE constraint failed: index 'ux_users_email'")
        else {
            panic!("not a duplicate")
        };
        assert_eq!((table.as_str(), field.as_str()), ("users", "email"));
    }
}
