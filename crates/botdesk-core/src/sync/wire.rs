//! The sync area's wire types: the connection, the status, refused rows, tests.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

// Sync ------------------------------------------------------------------------------------------

/// Where sync goes, as the owner sees it: never the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct SyncConnectionDto {
    pub configured: bool,
    /// `host:port/database` of the connection string, and its user.
    pub server: Option<String>,
    pub database_user: Option<String>,
    /// The Supabase Auth user botdesk syncs as (the policies judge its changes).
    pub user_id: Option<String>,
    /// Whether sync runs by itself (on a timer and after changes).
    pub enabled: bool,
    /// The Storage bucket media files go to (none: files stay on their device).
    pub storage: Option<SyncStorageDto>,
}

/// The project's Storage bucket, as the owner sees it: never the secret key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct SyncStorageDto {
    /// The S3 endpoint (`https://<ref>.supabase.co/storage/v1/s3`).
    pub endpoint: String,
    pub region: String,
    pub bucket: String,
    pub access_key_id: String,
}

/// The Storage part of `PUT /api/sync/connection`: what changes; absent fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncStorageUpdate {
    /// The project URL (`https://<ref>.supabase.co`) or its S3 endpoint (Storage → Settings).
    /// An empty string stops sending files to Storage.
    #[serde(default)]
    #[ts(optional)]
    pub url: Option<String>,
    /// The project's region (Storage → Settings → S3 connection), e.g. `eu-central-1`.
    #[serde(default)]
    #[ts(optional)]
    pub region: Option<String>,
    /// The bucket media files go to (create it first, private).
    #[serde(default)]
    #[ts(optional)]
    pub bucket: Option<String>,
    /// An S3 access key (Storage → Settings → S3 access keys).
    #[serde(default)]
    #[ts(optional)]
    pub access_key_id: Option<String>,
    /// Its secret, shown once when the key is made; kept encrypted, never shown again.
    #[serde(default)]
    #[ts(optional)]
    pub secret_access_key: Option<String>,
}

/// `PUT /api/sync/connection`: what changes; absent fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncConnectionUpdate {
    /// The project's Postgres connection string (Project Settings → Database), with its
    /// password. An empty string removes the connection.
    #[serde(default)]
    #[ts(optional)]
    pub connection_string: Option<String>,
    /// The Supabase Auth user id to sync as; an empty string syncs as the connection's role.
    #[serde(default)]
    #[ts(optional)]
    pub user_id: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub enabled: Option<bool>,
    /// Where media files go (Supabase Storage's S3 API).
    #[serde(default)]
    #[ts(optional)]
    pub storage: Option<SyncStorageUpdate>,
}

/// Changes waiting to be pushed, for one table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct PendingTableDto {
    pub table: String,
    #[ts(type = "number")]
    pub rows: i64,
}

/// A failure of the last sync, by its stable code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct SyncFailureDto {
    pub code: String,
    pub message: String,
}

/// Where sync stands (`GET /api/sync`, the indicator, the Sync page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct SyncStatusDto {
    pub state: SyncState,
    pub configured: bool,
    pub enabled: bool,
    /// Changes made here and not yet pushed (a save that wrote several rows is one).
    #[ts(type = "number")]
    pub pending_changes: i64,
    pub pending_by_table: Vec<PendingTableDto>,
    /// Rows the server refused, waiting for the owner.
    #[ts(type = "number")]
    pub errors: i64,
    pub last_sync_at: Option<String>,
    pub last_attempt_at: Option<String>,
    /// Since when the server has not answered.
    pub offline_since: Option<String>,
    /// When sync tries again by itself (while the server is unreachable).
    pub next_attempt_at: Option<String>,
    pub last_failure: Option<SyncFailureDto>,
    /// Media files on their way to Storage.
    pub files: SyncFilesDto,
}

/// Media files on their way to the project's Storage bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct SyncFilesDto {
    /// Whether a bucket is set up (without one, files stay on the device that added them).
    pub storage_configured: bool,
    /// Files waiting to be sent, their size, and how much of it the bucket holds already.
    #[ts(type = "number")]
    pub pending: i64,
    #[ts(type = "number")]
    pub pending_bytes: i64,
    #[ts(type = "number")]
    pub sent_bytes: i64,
    /// Files the bucket holds.
    #[ts(type = "number")]
    pub uploaded: i64,
    /// Waiting files whose last try failed, and the newest reason.
    #[ts(type = "number")]
    pub failing: i64,
    pub last_error: Option<String>,
    /// The file being sent now.
    pub current: Option<SyncFileProgressDto>,
}

/// The file being sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct SyncFileProgressDto {
    pub sha256: String,
    #[ts(type = "number")]
    pub sent: i64,
    #[ts(type = "number")]
    pub total: i64,
}

/// A row the server refused, with what can be done about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct SyncErrorDto {
    pub id: String,
    pub table: String,
    pub row_id: String,
    /// The server's SQLSTATE (`42501`: a row-level security policy) or botdesk's code.
    pub code: String,
    pub reason: String,
    #[ts(type = "number")]
    pub attempts: i64,
    pub first_at: String,
    pub last_at: String,
}

/// What a connection test found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct SyncTestDto {
    pub ok: bool,
    pub failure: Option<SyncFailureDto>,
    #[ts(type = "number")]
    pub took_ms: i64,
    /// The Storage bucket's test, when one is set up (or given).
    pub storage: Option<SyncStorageTestDto>,
}

/// What the Storage test found (the bucket is there and the keys open it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct SyncStorageTestDto {
    pub ok: bool,
    pub failure: Option<SyncFailureDto>,
    #[ts(type = "number")]
    pub took_ms: i64,
}

/// The one state the sync indicator shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// No connection is set up: nothing syncs.
    NotConfigured,
    /// Everything here is on the server, and the server's here.
    Synced,
    /// Changes or files wait for the next sync.
    Pending,
    /// A sync is under way.
    Syncing,
    /// The server does not answer; sync tries again by itself.
    Offline,
    /// The last sync failed, or rows or files were refused: the owner is needed.
    Error,
}

impl SyncState {
    /// As the API writes it (`not_configured`, `synced` …).
    pub fn as_str(self) -> &'static str {
        match self {
            SyncState::NotConfigured => "not_configured",
            SyncState::Synced => "synced",
            SyncState::Pending => "pending",
            SyncState::Syncing => "syncing",
            SyncState::Offline => "offline",
            SyncState::Error => "error",
        }
    }
}

impl std::fmt::Display for SyncState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_reads_the_same_in_json_and_in_text() {
        for state in [
            SyncState::NotConfigured,
            SyncState::Synced,
            SyncState::Pending,
            SyncState::Syncing,
            SyncState::Offline,
            SyncState::Error,
        ] {
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
        }
    }
}
