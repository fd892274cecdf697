//! Sync with the bot's Supabase project (its Postgres, `supabase/migrations/`): the local
//! change log pushed in order, in batches, idempotently; rows pulled by the server's change
//! sequence, never by wall-clock time, and applied without being logged again; conflicts
//! decided by the hybrid logical clock rule that the server applies too (the later clock wins,
//! the device id breaks ties); rows the server refuses kept as sync errors for the owner.
//!
//! - [`tables`]: what syncs, column by column;
//! - [`convert`]: a row between SQLite and Postgres;
//! - [`local`]: the store's half (batches, answers, pulled rows);
//! - [`remote`]: the server's half (one connection, `push` and `pull`), over [`tls`];
//! - [`storage`]: the project's Storage bucket (S3 API), where media files go;
//! - [`files`]: which files wait for the bucket, and sending them (in parts, resumable);
//! - [`engine`]: one sync, both halves.

pub mod convert;
pub mod engine;
pub mod error;
pub mod files;
pub mod local;
pub mod remote;
pub mod storage;
pub mod tables;
pub mod tls;

pub use engine::{SyncReport, sync_once};
pub use error::SyncError;
pub use remote::RemoteConfig;
