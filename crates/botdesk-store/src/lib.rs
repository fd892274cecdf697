//! botdesk's local store: `DATA_DIR/botdesk.db`, SQLite in WAL mode, migrated by refinery from
//! the SQL files in the repository's `migrations/` folder.
//!
//! It owns the schema, the audit trail and the sync change log (both written by triggers, so no
//! change escapes them), transactions ([`Store::with_tx`]), consistent backups, and one typed
//! query module per table ([`tables`]). It knows nothing of HTTP, the UI or any capability's
//! rules.
//!
//! **Who acts.** Every write names an [`Actor`]; [`Store::with_tx`] writes it, with the
//! transaction's time and this device's id, to the one-row `tx_context` table that the triggers
//! read, and clears it before commit. A change made outside botdesk (the `sqlite3` shell) is
//! still recorded, as actor `sql:unknown` at wall-clock time.

mod error;
pub mod hlc;
mod open;
pub mod record;
mod store;
pub mod tables;
mod types;

pub use error::StoreError;
pub use hlc::Hlc;
pub use open::latest_schema_version;
pub use record::{
    Filter, Page, PageRequest, Record, RowMeta, Stored, UnknownVariant, find, get, insert,
    insert_with_id, list, list_all, restore, soft_delete, update,
};
pub use store::{
    BackupReport, DB_FILE, Origin, Store, StoreOptions, Tx, backup_file, schema_version_of,
};
pub use types::{Actor, Clock, Id, ManualClock, SystemClock, Timestamp};

pub use rusqlite;
