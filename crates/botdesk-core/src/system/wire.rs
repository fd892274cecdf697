//! The system area's wire types: health, versions and paths, the audit trail, the owner's
//! settings, API keys, and the shells' own status reports.

pub use botdesk_store::tables::audit_logs::AuditAction;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::{IntoParams, ToSchema};

/// `GET /api/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct HealthDto {
    pub status: HealthStatus,
    pub version: String,
    pub schema_version: i64,
}

/// Where things are and which versions run: the Settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct SystemInfoDto {
    pub version: String,
    pub schema_version: i64,
    pub data_dir: String,
    pub db_path: String,
    /// The folder of the log files.
    pub log_dir: String,
    /// Today's log file (one file a day, JSON lines).
    pub log_file: String,
    pub device_id: String,
    pub shell: ShellKind,
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

// Activity (the audit trail) -------------------------------------------------------------------

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Serialize, TS, ToSchema)]
pub struct AuditEntryDto {
    /// Position in the trail; later entries have higher numbers.
    pub seq: i64,
    pub id: String,
    pub table_name: String,
    pub record_id: String,
    pub action: AuditAction,
    /// `{"column": {"old": …, "new": …}}` for each changed column.
    #[ts(type = "Record<string, { old: unknown; new: unknown }>")]
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    pub actor: String,
    pub device_id: Option<String>,
    pub created_at: String,
}

/// A page of the audit trail, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, TS, ToSchema)]
pub struct AuditPageDto {
    pub items: Vec<AuditEntryDto>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// What the audit trail can be filtered by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct AuditFacetsDto {
    pub tables: Vec<String>,
    pub actors: Vec<String>,
}

/// `GET /api/audit` query.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS, ToSchema, IntoParams,
)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only changes of this table.
    #[ts(optional)]
    pub table: Option<String>,
    /// Only changes by this actor.
    #[ts(optional)]
    pub actor: Option<String>,
    /// Only changes of this record.
    #[ts(optional)]
    pub record_id: Option<String>,
    /// Entries per page, 1 to 500 (default 50).
    #[ts(optional)]
    pub limit: Option<u32>,
    /// From the previous page's `next_cursor`.
    #[ts(optional)]
    pub cursor: Option<String>,
}

// Settings --------------------------------------------------------------------------------------

/// The owner's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct SettingsDto {
    /// Whether the desktop app also serves the HTTP API on 127.0.0.1 (for the bot on the same
    /// machine). Off by default.
    pub desktop_http_api_enabled: bool,
    /// The port of that API.
    pub desktop_http_api_port: u16,
}

/// A change to some settings; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsUpdate {
    #[ts(optional)]
    pub desktop_http_api_enabled: Option<bool>,
    /// 1024 to 65535.
    #[ts(optional)]
    pub desktop_http_api_port: Option<u16>,
}

// API keys --------------------------------------------------------------------------------------

/// An API key as listed: never the key itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct ApiKeyDto {
    pub id: String,
    pub name: String,
    /// The public part of the key, which names it.
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// A key just created: the only time the key itself is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct CreatedApiKeyDto {
    pub key: ApiKeyDto,
    /// `bdk_<prefix>_<secret>`: send as `Authorization: Bearer <token>`. Not stored anywhere.
    pub token: String,
}

/// The HTTP server's live connections (`GET /api/system/connections`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct ConnectionStatsDto {
    /// Event streams (`/api/events`) open now.
    pub event_streams: i64,
    /// Event streams closed because the client stopped reading.
    pub event_streams_dropped: i64,
    /// Events a slow client missed (it was told, and kept its connection).
    pub events_missed: i64,
}

/// Whether the desktop app is serving the HTTP API right now (the Settings page shows it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct HttpApiStatusDto {
    pub running: bool,
    /// Where it answers, when running.
    pub url: Option<String>,
    /// Why it is not running although it is switched on.
    pub error: Option<String>,
}

/// Whether botdesk is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    /// The store is open and migrated.
    Ok,
}

/// Which program botdesk runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ShellKind {
    /// The desktop app.
    Desktop,
    /// `botdesk serve`.
    Server,
    /// A `botdesk` command.
    Cli,
}
