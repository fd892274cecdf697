//! The types clients see: what the operations take and return, shared by both shells.

use serde::Serialize;

/// `GET /api/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HealthDto {
    /// `ok` once the store is open and migrated.
    pub status: String,
    pub version: String,
    pub schema_version: i64,
}

/// Where things are and which versions run: the Settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SystemInfoDto {
    pub version: String,
    pub schema_version: i64,
    pub data_dir: String,
    pub db_path: String,
    pub log_dir: String,
    pub device_id: String,
}

/// What `botdesk migrate` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrateReportDto {
    pub db_path: String,
    /// The schema version before, 0 for a new store.
    pub from_version: i64,
    pub schema_version: i64,
}

/// What `botdesk backup` wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupReportDto {
    pub path: String,
    pub bytes: u64,
    pub schema_version: i64,
}
