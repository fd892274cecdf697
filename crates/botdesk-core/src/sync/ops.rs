//! Sync with the bot's Supabase project, as the app runs it: the connection (sealed at rest,
//! never shown whole), the `sync` job on the queue, the scheduler that queues it (on a timer,
//! shortly after local changes, at once when asked, and backing off while the server does not
//! answer), the status the indicator shows, and what the owner does about refused rows.

use std::sync::Arc;
use std::time::Duration;

use botdesk_queue::{Job, JobContext, JobError, JobOptions, QueueName, Registry, jobs};
use botdesk_store::rusqlite::OptionalExtension;
use botdesk_store::tables::app_settings;
use botdesk_store::{Actor, Store, Timestamp};
use botdesk_sync::files::{self, FileProgress};
use botdesk_sync::local::{self, ErrorRow};
use botdesk_sync::storage::{self, Storage, StorageConfig};
use botdesk_sync::{RemoteConfig, SyncError};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::ctx::Ctx;
use crate::dto::{
    Event, PendingTableDto, SyncConnectionDto, SyncConnectionUpdate, SyncErrorDto, SyncFailureDto,
    SyncFileProgressDto, SyncFilesDto, SyncStatusDto, SyncStorageDto, SyncStorageTestDto,
    SyncStorageUpdate, SyncTestDto,
};
use crate::error::CoreError;
use crate::events::EventBus;
use crate::secrets::SecretBox;

/// The setting holding the sealed connection.
const CONNECTION_KEY: &str = "sync.connection";
const SEAL_PURPOSE: &str = "sync/connection";
/// The store_meta key of the last sync's outcome (read by every process, the CLI included).
const STATUS_KEY: &str = "sync.status";

/// How often sync runs by itself while nothing changes.
pub const TIMER: Duration = Duration::from_secs(60);
/// How long after a local change sync waits for more (typing, a burst of edits).
pub const DEBOUNCE: Duration = Duration::from_secs(2);
/// Backoff while the server does not answer: 5 s doubling up to 5 minutes.
const BACKOFF_BASE: Duration = Duration::from_secs(5);
const BACKOFF_CAP: Duration = Duration::from_secs(300);
/// How often the scheduler looks at the change log.
const TICK: Duration = Duration::from_millis(500);

/// The connection as stored (sealed).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Connection {
    connection_string: String,
    user_id: Option<String>,
    enabled: bool,
    /// Where media files go; stored before Storage was part of sync, it is absent.
    #[serde(default)]
    storage: Option<StorageConfig>,
}

// Secrets stay out of logs and panics.
impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("server", &describe(&self.connection_string).0)
            .field("user_id", &self.user_id)
            .field("enabled", &self.enabled)
            .field("storage", &self.storage.as_ref().map(|s| &s.bucket))
            .finish_non_exhaustive()
    }
}

/// The bucket media files go to when the owner names none.
pub const DEFAULT_BUCKET: &str = "botdesk-media";

/// The last outcome, kept in store_meta.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Outcome {
    last_sync_at: Option<String>,
    last_attempt_at: Option<String>,
    offline_since: Option<String>,
    next_attempt_at: Option<String>,
    failures: u32,
    last_failure: Option<SyncFailureDto>,
}

fn load_connection(
    ctx_secrets: &SecretBox,
    store: &Store,
) -> Result<Option<Connection>, CoreError> {
    use base64::Engine as _;
    let Some(stored) = store.read(|c| app_settings::get(c, CONNECTION_KEY))? else {
        return Ok(None);
    };
    let Some(text) = stored.as_str() else {
        return Ok(None);
    };
    let sealed = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| CoreError::Internal(format!("the stored sync connection is damaged: {e}")))?;
    let plain = ctx_secrets.open_sealed(SEAL_PURPOSE, &sealed)?;
    serde_json::from_slice(&plain)
        .map(Some)
        .map_err(|e| CoreError::Internal(format!("the stored sync connection is damaged: {e}")))
}

fn remote_config(connection: &Connection, store: &Store) -> RemoteConfig {
    RemoteConfig {
        connection_string: connection.connection_string.clone(),
        user_id: connection.user_id.clone(),
        device_id: store.device_id().to_owned(),
    }
}

/// `host:port/db` and the user of a connection string, for showing: never the password.
fn describe(connection_string: &str) -> (Option<String>, Option<String>) {
    match botdesk_sync::remote::summarize(connection_string) {
        Ok(s) => (Some(s.server), s.user),
        Err(_) => (None, None),
    }
}

fn connection_dto(connection: Option<&Connection>) -> SyncConnectionDto {
    match connection {
        None => SyncConnectionDto {
            configured: false,
            server: None,
            database_user: None,
            user_id: None,
            enabled: false,
            storage: None,
        },
        Some(c) => {
            let (server, database_user) = describe(&c.connection_string);
            SyncConnectionDto {
                configured: true,
                server,
                database_user,
                user_id: c.user_id.clone(),
                enabled: c.enabled,
                storage: c.storage.as_ref().map(|s| SyncStorageDto {
                    endpoint: s.endpoint.clone(),
                    region: s.region.clone(),
                    bucket: s.bucket.clone(),
                    access_key_id: s.access_key_id.clone(),
                }),
            }
        }
    }
}

pub fn connection(ctx: &Ctx) -> Result<SyncConnectionDto, CoreError> {
    Ok(connection_dto(
        load_connection(ctx.secrets(), ctx.store())?.as_ref(),
    ))
}

fn check_connection_string(text: &str) -> Result<String, CoreError> {
    botdesk_sync::remote::summarize(text).map_err(|e| {
        CoreError::invalid_field(
            "sync.invalid_connection_string",
            "connection_string",
            format!(
                "{e}; copy it from the project's Database settings, e.g. \
                 postgresql://postgres.<ref>:<password>@<host>:5432/postgres"
            ),
        )
    })?;
    Ok(text.trim().to_owned())
}

fn check_user_id(text: &str) -> Result<Option<String>, CoreError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<botdesk_store::Id>()
        .map(|u| Some(u.to_string()))
        .map_err(|_| {
            CoreError::invalid_field(
                "sync.invalid_user_id",
                "user_id",
                format!("{text:?} is not a Supabase Auth user id (a UUID)"),
            )
        })
}

/// The region in a Supabase pooler host (`aws-0-eu-central-1.pooler.supabase.com`), the
/// project's, which its Storage signs with too.
fn region_of_pooler(connection_string: &str) -> Option<String> {
    let (server, _) = describe(connection_string);
    let host = server?.split(':').next()?.to_owned();
    let rest = host.strip_suffix(".pooler.supabase.com")?;
    let (_, region) = rest.split_once('-')?.1.split_once('-')?;
    (!region.is_empty()).then(|| region.to_owned())
}

/// The Storage settings after `update` (absent fields keep `current`'s), checked.
fn merge_storage(
    current: Option<&StorageConfig>,
    update: Option<&SyncStorageUpdate>,
    connection_string: &str,
) -> Result<Option<StorageConfig>, CoreError> {
    let Some(update) = update else {
        return Ok(current.cloned());
    };
    if update.url.as_deref().is_some_and(|u| u.trim().is_empty()) {
        return Ok(None);
    }
    let field = |b: storage::BadSetting| {
        CoreError::invalid_field(b.code, format!("storage.{}", b.field), b.message)
    };
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let endpoint = match given(&update.url) {
        Some(url) => storage::endpoint_for(&url).map_err(field)?,
        None => match current {
            Some(c) => c.endpoint.clone(),
            None => {
                return Err(CoreError::invalid_field(
                    "sync.invalid_storage_url",
                    "storage.url",
                    "give the project URL (https://<ref>.supabase.co) to send media files to Storage",
                ));
            }
        },
    };
    let settings = StorageConfig {
        endpoint,
        region: given(&update.region)
            .or_else(|| current.map(|c| c.region.clone()))
            .or_else(|| region_of_pooler(connection_string))
            .unwrap_or_default(),
        bucket: given(&update.bucket)
            .or_else(|| current.map(|c| c.bucket.clone()))
            .unwrap_or_else(|| DEFAULT_BUCKET.to_owned()),
        access_key_id: given(&update.access_key_id)
            .or_else(|| current.map(|c| c.access_key_id.clone()))
            .unwrap_or_default(),
        secret_access_key: given(&update.secret_access_key)
            .or_else(|| current.map(|c| c.secret_access_key.clone()))
            .unwrap_or_default(),
    };
    settings.validate().map_err(field)?;
    Ok(Some(settings))
}

/// Saves the connection (checked first; sealed with this data dir's key).
pub fn set_connection(
    ctx: &Ctx,
    actor: &Actor,
    update: SyncConnectionUpdate,
) -> Result<SyncConnectionDto, CoreError> {
    use base64::Engine as _;
    let current = load_connection(ctx.secrets(), ctx.store())?;
    let removing = update
        .connection_string
        .as_deref()
        .is_some_and(|s| s.trim().is_empty());
    let next = if removing {
        None
    } else {
        let connection_string = match update.connection_string.as_deref() {
            Some(s) => check_connection_string(s)?,
            None => match &current {
                Some(c) => c.connection_string.clone(),
                None => {
                    return Err(CoreError::invalid_field(
                        "sync.invalid_connection_string",
                        "connection_string",
                        "give the project's database connection string first",
                    ));
                }
            },
        };
        let user_id = match update.user_id.as_deref() {
            Some(u) => check_user_id(u)?,
            None => current.as_ref().and_then(|c| c.user_id.clone()),
        };
        let storage = merge_storage(
            current.as_ref().and_then(|c| c.storage.as_ref()),
            update.storage.as_ref(),
            &connection_string,
        )?;
        Some(Connection {
            connection_string,
            user_id,
            enabled: update
                .enabled
                .unwrap_or(current.as_ref().is_none_or(|c| c.enabled)),
            storage,
        })
    };
    let sealed = match &next {
        Some(c) => {
            let plain = serde_json::to_vec(c)
                .map_err(|e| CoreError::Internal(format!("sealing the connection: {e}")))?;
            Some(
                base64::engine::general_purpose::STANDARD
                    .encode(ctx.secrets().seal(SEAL_PURPOSE, &plain)?),
            )
        }
        None => None,
    };
    ctx.store().with_tx(actor, |tx| -> Result<(), CoreError> {
        match &sealed {
            Some(s) => app_settings::set(tx, CONNECTION_KEY, &serde_json::Value::from(s.clone()))?,
            None => {
                tx.execute("DELETE FROM app_settings WHERE key = ?1", [CONNECTION_KEY])
                    .map_err(botdesk_store::StoreError::from)?;
            }
        }
        Ok(())
    })?;
    // A new connection starts with a clean slate: no backoff from the old one.
    write_outcome(ctx.store(), &Outcome::default())?;
    if let Some(scheduler) = ctx.sync_scheduler() {
        scheduler.kick();
    }
    publish_status(ctx);
    Ok(connection_dto(next.as_ref()))
}

/// Tries the connection (the saved one, or `candidate`), without syncing.
pub async fn test_connection(
    ctx: &Ctx,
    candidate: Option<SyncConnectionUpdate>,
) -> Result<SyncTestDto, CoreError> {
    let saved = {
        let ctx = ctx.clone();
        ctx.blocking(|ctx| load_connection(ctx.secrets(), ctx.store()))
            .await?
    };
    let candidate = candidate.unwrap_or_default();
    let config = match candidate.connection_string.as_deref() {
        Some(s) if !s.trim().is_empty() => RemoteConfig {
            connection_string: check_connection_string(s)?,
            user_id: saved.as_ref().and_then(|c| c.user_id.clone()),
            device_id: ctx.store().device_id().to_owned(),
        },
        _ => match &saved {
            Some(c) => remote_config(c, ctx.store()),
            None => return Err(SyncError::NotConfigured.into()),
        },
    };
    let storage = merge_storage(
        saved.as_ref().and_then(|c| c.storage.as_ref()),
        candidate.storage.as_ref(),
        &config.connection_string,
    )?;
    let failure = |e: &SyncError| SyncFailureDto {
        code: e.code().to_owned(),
        message: e.to_string(),
    };
    let database = async {
        let started = std::time::Instant::now();
        let outcome = async {
            let mut remote = botdesk_sync::remote::Remote::connect(&config).await?;
            remote.check().await
        }
        .await;
        (outcome, started.elapsed())
    };
    let bucket = async {
        let settings = storage.as_ref()?;
        let started = std::time::Instant::now();
        let outcome = match Storage::new(settings) {
            Ok(s) => s.check().await,
            Err(e) => Err(e),
        };
        Some(SyncStorageTestDto {
            ok: outcome.is_ok(),
            failure: outcome.err().map(|e| failure(&e)),
            took_ms: started.elapsed().as_millis() as i64,
        })
    };
    let ((outcome, took), storage) = tokio::join!(database, bucket);
    Ok(SyncTestDto {
        ok: outcome.is_ok(),
        failure: outcome.err().map(|e| failure(&e)),
        took_ms: took.as_millis() as i64,
        storage,
    })
}

// Files from Storage ------------------------------------------------------------------------------

/// The fetches under way, one per file: a second request for the same file waits for the first
/// instead of fetching it again.
#[derive(Debug, Default)]
pub struct Downloads(
    std::sync::Mutex<std::collections::HashMap<String, std::sync::Weak<tokio::sync::Mutex<()>>>>,
);

impl Downloads {
    fn lock_for(&self, sha256: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.retain(|_, w| w.strong_count() > 0);
        if let Some(lock) = map.get(sha256).and_then(std::sync::Weak::upgrade) {
            return lock;
        }
        let lock = Arc::new(tokio::sync::Mutex::new(()));
        map.insert(sha256.to_owned(), Arc::downgrade(&lock));
        lock
    }
}

/// Where the file named `sha256` is on this device, fetching it from the project's Storage
/// bucket first when it is not here (a photo added on another device). A fetch cut off goes on
/// from where it stopped the next time; what arrives is kept only if its SHA-256 is its name.
pub async fn fetch_file(ctx: &Ctx, sha256: &str) -> Result<std::path::PathBuf, CoreError> {
    let path = ctx.blobs().path(sha256)?;
    if path.exists() {
        return Ok(path);
    }
    let connection = {
        let ctx = ctx.clone();
        ctx.blocking(|ctx| load_connection(ctx.secrets(), ctx.store()))
            .await?
    };
    let Some(settings) = connection.and_then(|c| c.storage) else {
        return Err(CoreError::NotFound {
            code: "media.file_not_on_this_device",
            message: "this file is not on this device (it was added on another one, or removed \
                      from the data folder); set up Supabase Storage on the Sync page to fetch it"
                .into(),
        });
    };
    let lock = ctx.downloads().lock_for(sha256);
    let _turn = lock.lock().await;
    if path.exists() {
        return Ok(path);
    }
    let storage = Storage::new(&settings)?;
    let partial = ctx.blobs().incoming_path(sha256)?;
    let started = std::time::Instant::now();
    let bytes = storage
        .download(&storage::object_key(sha256), &partial)
        .await?;
    let blobs = Arc::clone(ctx.blobs());
    let sha = sha256.to_owned();
    let adopted = tokio::task::spawn_blocking(move || blobs.adopt(&partial, &sha))
        .await
        .map_err(|e| CoreError::Internal(format!("a file task failed: {e}")))??;
    if adopted.is_none() {
        return Err(SyncError::FileDamaged(format!(
            "what Storage gave for {sha256} has another SHA-256; it was not kept"
        ))
        .into());
    }
    tracing::info!(
        sha256,
        bytes,
        took_ms = started.elapsed().as_millis() as u64,
        "fetched a file from Storage"
    );
    Ok(path)
}

// Status ----------------------------------------------------------------------------------------

fn read_outcome(store: &Store) -> Result<Outcome, CoreError> {
    let text: Option<String> = store.read(|c| {
        c.query_row(
            "SELECT value FROM store_meta WHERE key = ?1",
            [STATUS_KEY],
            |r| r.get(0),
        )
        .optional()
        .map_err(botdesk_store::StoreError::from)
    })?;
    Ok(text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

fn write_outcome(store: &Store, outcome: &Outcome) -> Result<(), CoreError> {
    let text = serde_json::to_string(outcome)
        .map_err(|e| CoreError::Internal(format!("the sync status: {e}")))?;
    store.with_untracked_tx(|tx| {
        tx.execute(
            "INSERT INTO store_meta (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [STATUS_KEY, &text],
        )
        .map_err(botdesk_store::StoreError::from)?;
        Ok::<_, CoreError>(())
    })
}

fn status_of(store: &Store, secrets: &SecretBox, live: &Live) -> Result<SyncStatusDto, CoreError> {
    let syncing = live.syncing;
    let connection = load_connection(secrets, store)?;
    let outcome = read_outcome(store)?;
    let storage_configured = connection.as_ref().is_some_and(|c| c.storage.is_some());
    let f = files::summary(store)?;
    let pending_by_table: Vec<PendingTableDto> = local::pending_by_table(store)?
        .into_iter()
        .map(|(table, rows)| PendingTableDto { table, rows })
        .collect();
    let pending_changes = local::pending_changes(store)?;
    let errors = local::errors(store)?.len() as i64;
    let state = match &connection {
        None => "not_configured",
        Some(_) if syncing => "syncing",
        Some(_) if outcome.offline_since.is_some() => "offline",
        Some(_) if outcome.last_failure.is_some() || errors > 0 => "error",
        Some(_) if storage_configured && f.failing > 0 => "error",
        Some(_) if pending_changes > 0 => "pending",
        Some(_) if storage_configured && f.pending > 0 => "pending",
        Some(_) if outcome.last_sync_at.is_none() => "pending",
        Some(_) => "synced",
    };
    Ok(SyncStatusDto {
        state: state.to_owned(),
        configured: connection.is_some(),
        enabled: connection.as_ref().is_some_and(|c| c.enabled),
        pending_changes,
        pending_by_table,
        errors,
        last_sync_at: outcome.last_sync_at,
        last_attempt_at: outcome.last_attempt_at,
        offline_since: outcome.offline_since,
        next_attempt_at: outcome.next_attempt_at,
        last_failure: outcome.last_failure,
        files: SyncFilesDto {
            storage_configured,
            pending: f.pending,
            pending_bytes: f.pending_bytes,
            sent_bytes: f.sent_bytes,
            uploaded: f.uploaded,
            failing: f.failing,
            last_error: f.last_error,
            current: live.file.as_ref().map(|p| SyncFileProgressDto {
                sha256: p.sha256.clone(),
                sent: p.sent as i64,
                total: p.total as i64,
            }),
        },
    })
}

pub fn status(ctx: &Ctx) -> Result<SyncStatusDto, CoreError> {
    let live = ctx
        .sync_scheduler()
        .map(|s| s.live.borrow().clone())
        .unwrap_or_default();
    status_of(ctx.store(), ctx.secrets(), &live)
}

fn publish_status(ctx: &Ctx) {
    match status(ctx) {
        Ok(status) => ctx.events().publish(Event::SyncStatus { status }),
        Err(e) => tracing::debug!(error = %e, "the sync status could not be read"),
    }
}

// Errors ----------------------------------------------------------------------------------------

fn error_dto(e: ErrorRow) -> SyncErrorDto {
    SyncErrorDto {
        id: e.id,
        table: e.table,
        row_id: e.row_id,
        code: e.code,
        reason: e.reason,
        attempts: e.attempts,
        first_at: e.first_at,
        last_at: e.last_at,
    }
}

pub fn errors(ctx: &Ctx) -> Result<Vec<SyncErrorDto>, CoreError> {
    Ok(local::errors(ctx.store())?
        .into_iter()
        .map(error_dto)
        .collect())
}

fn find_error(ctx: &Ctx, id: &str) -> Result<ErrorRow, CoreError> {
    local::error(ctx.store(), id.trim())?.ok_or_else(|| CoreError::NotFound {
        code: "sync.error_not_found",
        message: format!("no sync error {id:?} (resolved already?)"),
    })
}

/// What the owner does about a refused row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Send it again on the next sync.
    Retry,
    /// Keep this device's version, unsent until it changes again.
    KeepLocal,
    /// Take the server's version (or none), dropping this device's change.
    DiscardLocal,
}

impl std::str::FromStr for Resolution {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Resolution, CoreError> {
        match s {
            "retry" => Ok(Resolution::Retry),
            "keep-local" => Ok(Resolution::KeepLocal),
            "discard-local" => Ok(Resolution::DiscardLocal),
            other => Err(CoreError::NotFound {
                code: "http.not_found",
                message: format!("{other:?} is not retry, keep-local or discard-local"),
            }),
        }
    }
}

pub async fn resolve(
    ctx: &Ctx,
    actor: &Actor,
    id: &str,
    resolution: Resolution,
) -> Result<(), CoreError> {
    let error = {
        let id = id.to_owned();
        ctx.blocking(move |ctx| find_error(ctx, &id)).await?
    };
    match resolution {
        Resolution::Retry => {
            let actor = actor.clone();
            ctx.blocking(move |ctx| Ok(local::retry_error(ctx.store(), &actor, &error)?))
                .await?;
            if let Some(s) = ctx.sync_scheduler() {
                s.request_now();
            }
        }
        Resolution::KeepLocal => {
            ctx.blocking(move |ctx| Ok(local::keep_local(ctx.store(), &error)?))
                .await?;
        }
        Resolution::DiscardLocal => {
            let connection = {
                let ctx = ctx.clone();
                ctx.blocking(|ctx| load_connection(ctx.secrets(), ctx.store()))
                    .await?
                    .ok_or(SyncError::NotConfigured)?
            };
            let config = remote_config(&connection, ctx.store());
            let mut remote = botdesk_sync::remote::Remote::connect(&config).await?;
            let server = remote.pull_one(&error.table, &error.row_id).await?;
            let actor = Actor::Sync(ctx.store().device_id().to_owned());
            ctx.blocking(move |ctx| {
                Ok(local::take_server(
                    ctx.store(),
                    &actor,
                    &error,
                    server.as_ref(),
                )?)
            })
            .await?;
        }
    }
    publish_status(ctx);
    Ok(())
}

// The job and its scheduler -----------------------------------------------------------------------

/// One sync (push, then pull), on the `sync` queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSync {
    /// Why it runs: `timer`, `changes`, `owner`, `cli`.
    pub reason: String,
}

/// What a sync under way is doing, for the status (not stored: it lasts as long as the sync).
#[derive(Debug, Clone, Default)]
pub struct Live {
    syncing: bool,
    /// The media file being sent to Storage.
    file: Option<FileProgress>,
}

pub struct SyncJobState {
    store: Arc<Store>,
    events: Arc<EventBus>,
    secrets: Arc<SecretBox>,
    blobs: Arc<botdesk_media::BlobStore>,
    live: watch::Sender<Live>,
}

impl SyncJobState {
    fn new(ctx: &Ctx, live: watch::Sender<Live>) -> SyncJobState {
        SyncJobState {
            store: Arc::clone(ctx.store_arc()),
            events: Arc::clone(ctx.events_arc()),
            secrets: Arc::clone(ctx.secrets_arc()),
            blobs: Arc::clone(ctx.blobs()),
            live,
        }
    }
}

impl std::fmt::Debug for SyncJobState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncJobState").finish_non_exhaustive()
    }
}

impl Job for RunSync {
    type State = SyncJobState;
    const QUEUE: QueueName = QueueName::Sync;
    const NAME: &'static str = "sync";

    fn options(&self) -> JobOptions {
        // The scheduler retries (with its own backoff); an attempt stands alone.
        JobOptions {
            max_attempts: 1,
            timeout_ms: 600_000,
            ..JobOptions::default()
        }
    }

    async fn run(
        self,
        state: Arc<SyncJobState>,
        _cx: JobContext,
    ) -> Result<serde_json::Value, JobError> {
        match run_sync(&state).await {
            Ok(report) => Ok(serde_json::to_value(report).unwrap_or_default()),
            // The scheduler decides when to try again (backing off while unreachable).
            Err(e) => Err(JobError::permanent(format!("{}: {e}", e.code()))),
        }
    }
}

fn emit(state: &SyncJobState) {
    let live = state.live.borrow().clone();
    match status_of(&state.store, &state.secrets, &live) {
        Ok(status) => state.events.publish(Event::SyncStatus { status }),
        Err(e) => tracing::debug!(error = %e, "the sync status could not be read"),
    }
}

fn backoff(failures: u32) -> Duration {
    BACKOFF_BASE
        .saturating_mul(2u32.saturating_pow(failures.saturating_sub(1).min(16)))
        .min(BACKOFF_CAP)
}

/// One sync, its outcome recorded for the status.
async fn run_sync(state: &Arc<SyncJobState>) -> Result<botdesk_sync::SyncReport, CoreError> {
    let store = Arc::clone(&state.store);
    let secrets = Arc::clone(&state.secrets);
    let connection = tokio::task::spawn_blocking(move || load_connection(&secrets, &store))
        .await
        .map_err(|e| CoreError::Internal(e.to_string()))??;
    let Some(connection) = connection else {
        return Err(SyncError::NotConfigured.into());
    };
    let config = remote_config(&connection, &state.store);
    state.live.send_replace(Live {
        syncing: true,
        file: None,
    });
    emit(state);
    let mut result = botdesk_sync::sync_once(&state.store, &config, |_| emit(state)).await;
    // The records are on the server: now the files they name, when a bucket is set up.
    if let (Ok(report), Some(settings)) = (&mut result, &connection.storage) {
        match send_files(state, settings).await {
            Ok(files) => report.files = files,
            Err(e) => result = Err(e),
        }
    }
    state.live.send_replace(Live::default());
    let now = state.store.now();
    let mut outcome = read_outcome(&state.store).unwrap_or_default();
    outcome.last_attempt_at = Some(now.to_string());
    match &result {
        Ok(_) => {
            outcome.last_sync_at = Some(now.to_string());
            outcome.offline_since = None;
            outcome.next_attempt_at = None;
            outcome.failures = 0;
            outcome.last_failure = None;
        }
        Err(e) => {
            outcome.failures = outcome.failures.saturating_add(1);
            outcome.last_failure = Some(SyncFailureDto {
                code: e.code().to_owned(),
                message: e.to_string(),
            });
            if e.is_transient() {
                outcome.offline_since.get_or_insert_with(|| now.to_string());
                let wait = backoff(outcome.failures);
                outcome.next_attempt_at = Some(
                    now.plus(time::Duration::milliseconds(wait.as_millis() as i64))
                        .to_string(),
                );
            } else {
                outcome.offline_since = None;
                outcome.next_attempt_at = None;
            }
        }
    }
    if let Err(e) = write_outcome(&state.store, &outcome) {
        tracing::warn!(error = %e, "the sync status could not be saved");
    }
    match &result {
        Ok(r) => tracing::info!(
            pushed = r.pushed.applied,
            pulled = r.pulled.applied,
            refused = r.pushed.refused,
            "synced"
        ),
        Err(e) => tracing::info!(code = e.code(), error = %e, "sync failed"),
    }
    emit(state);
    Ok(result?)
}

/// Sends the media files waiting for the bucket, telling the status how each goes (at most
/// every quarter second).
async fn send_files(
    state: &SyncJobState,
    settings: &StorageConfig,
) -> Result<botdesk_sync::files::FilesReport, SyncError> {
    let storage = Storage::new(settings)?;
    let blobs = Arc::clone(&state.blobs);
    let local_path = move |sha: &str| blobs.path(sha).ok().filter(|p| p.exists());
    let mut told = std::time::Instant::now() - Duration::from_secs(1);
    files::upload_pending(&state.store, &storage, &local_path, |p| {
        state.live.send_modify(|l| l.file = Some(p.clone()));
        if told.elapsed() >= Duration::from_millis(250) || p.sent == p.total {
            told = std::time::Instant::now();
            emit(state);
        }
    })
    .await
}

/// Syncs in this process, now, without the queue (the CLI's `botdesk sync now`).
pub async fn sync_here(ctx: &Ctx) -> Result<botdesk_sync::SyncReport, CoreError> {
    let (live, _) = watch::channel(Live::default());
    let state = Arc::new(SyncJobState::new(ctx, live));
    run_sync(&state).await
}

/// Queues sync: every [`TIMER`], [`DEBOUNCE`] after local changes, at once when asked; never
/// while one is queued or running; while the server is unreachable, not before the backoff.
#[derive(Debug)]
pub struct Scheduler {
    now_requested: tokio::sync::Notify,
    kicked: tokio::sync::Notify,
    live: watch::Receiver<Live>,
}

impl Scheduler {
    /// Sync as soon as possible (the owner asked), even during a backoff.
    pub fn request_now(&self) {
        self.now_requested.notify_one();
    }

    /// Look again now (the connection changed).
    pub fn kick(&self) {
        self.kicked.notify_one();
    }
}

pub fn register(registry: &mut Registry, ctx: &Ctx) -> Arc<Scheduler> {
    let (live_tx, live_rx) = watch::channel(Live::default());
    registry.register::<RunSync>(Arc::new(SyncJobState::new(ctx, live_tx)));
    Arc::new(Scheduler {
        now_requested: tokio::sync::Notify::new(),
        kicked: tokio::sync::Notify::new(),
        live: live_rx,
    })
}

/// Queues one sync job unless one is waiting or running; returns whether it queued.
pub fn enqueue(ctx: &Ctx, reason: &str, delay: Duration) -> Result<bool, CoreError> {
    let job = RunSync {
        reason: reason.to_owned(),
    };
    let mut options = job.options();
    options.delay_ms = delay.as_millis() as u64;
    let new = botdesk_queue::new_job(&job, options)?;
    let enqueued = ctx
        .store()
        .with_untracked_tx(|tx| -> Result<_, CoreError> {
            let stats = jobs::stats(tx, QueueName::Sync)?;
            if stats.waiting + stats.active + stats.delayed > 0 {
                return Ok(None);
            }
            Ok(Some(jobs::enqueue(tx, tx.now().unix_millis(), &new)?))
        })?;
    match enqueued {
        Some(e) => {
            if let Some(engine) = ctx.queue_engine() {
                engine.enqueued(QueueName::Sync, &[e]);
            }
            Ok(true)
        }
        None => Ok(false),
    }
}

/// "Sync now": queued at once (even during a backoff).
pub fn sync_now(ctx: &Ctx) -> Result<SyncStatusDto, CoreError> {
    if load_connection(ctx.secrets(), ctx.store())?.is_none() {
        return Err(SyncError::NotConfigured.into());
    }
    // Queued here, even during a backoff: the scheduler need not be asked as well.
    enqueue(ctx, "owner", Duration::ZERO)?;
    status(ctx)
}

fn last_change(store: &Store) -> Result<Option<i64>, CoreError> {
    Ok(store.read(|c| {
        c.query_row("SELECT max(seq) FROM change_log", [], |r| r.get(0))
            .map_err(botdesk_store::StoreError::from)
    })?)
}

/// The scheduler's loop, until `stop`.
pub async fn run_scheduler(ctx: Ctx, scheduler: Arc<Scheduler>, mut stop: watch::Receiver<bool>) {
    let mut last_run = tokio::time::Instant::now() - TIMER;
    let mut changed_at: Option<tokio::time::Instant> = None;
    // The newest change-log entry seen: when it moves, the owner changed something.
    let mut last_seen: Option<i64> = None;
    loop {
        let mut asked = false;
        tokio::select! {
            _ = tokio::time::sleep(TICK) => {}
            _ = scheduler.now_requested.notified() => asked = true,
            _ = scheduler.kicked.notified() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let looked = ctx
            .blocking(|ctx| {
                let connection = load_connection(ctx.secrets(), ctx.store())?;
                let outcome = read_outcome(ctx.store())?;
                let last = last_change(ctx.store())?;
                Ok::<_, CoreError>((connection, outcome, last))
            })
            .await;
        let (connection, outcome, last) = match looked {
            Ok(v) => v,
            Err(e) => {
                tracing::debug!(error = %e, "the sync scheduler could not look");
                continue;
            }
        };
        let Some(connection) = connection else {
            continue;
        };
        let now = tokio::time::Instant::now();
        if last_seen != last {
            if last.is_some() {
                changed_at = Some(now);
            }
            last_seen = last;
        }
        if !connection.enabled && !asked {
            continue;
        }
        let backing_off = outcome
            .next_attempt_at
            .as_deref()
            .and_then(|t| t.parse::<Timestamp>().ok())
            .is_some_and(|t| t > ctx.now());
        let due_to_changes =
            changed_at.is_some_and(|at| now.duration_since(at) >= DEBOUNCE) && last.is_some();
        let due_to_timer = now.duration_since(last_run) >= TIMER;
        let reason = if asked {
            "owner"
        } else if backing_off {
            continue;
        } else if due_to_changes {
            "changes"
        } else if due_to_timer || outcome.next_attempt_at.is_some() {
            "timer"
        } else {
            continue;
        };
        let reason_owned = reason.to_owned();
        match ctx
            .blocking(move |ctx| enqueue(ctx, &reason_owned, Duration::ZERO))
            .await
        {
            Ok(true) => {
                last_run = now;
                changed_at = None;
            }
            Ok(false) => {}
            Err(e) => tracing::debug!(error = %e, "a sync could not be queued"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pooler_connection_string_names_the_projects_region() {
        assert_eq!(
            region_of_pooler(
                "postgresql://postgres.abcd:pw@aws-0-eu-central-1.pooler.supabase.com:5432/postgres"
            )
            .as_deref(),
            Some("eu-central-1")
        );
        assert_eq!(
            region_of_pooler("postgresql://postgres:pw@db.abcd.supabase.co:5432/postgres"),
            None
        );
        assert_eq!(region_of_pooler("not a connection string"), None);
    }

    #[test]
    fn storage_settings_keep_what_is_not_changed_and_go_when_the_url_is_emptied() {
        let pooler =
            "postgresql://postgres.abcd:pw@aws-0-eu-west-2.pooler.supabase.com:6543/postgres";
        let first = merge_storage(
            None,
            Some(&SyncStorageUpdate {
                url: Some("https://abcd.supabase.co".into()),
                access_key_id: Some("key".into()),
                secret_access_key: Some("secret".into()),
                ..SyncStorageUpdate::default()
            }),
            pooler,
        )
        .unwrap()
        .unwrap();
        assert_eq!(first.endpoint, "https://abcd.supabase.co/storage/v1/s3");
        assert_eq!(first.region, "eu-west-2");
        assert_eq!(first.bucket, DEFAULT_BUCKET);
        let second = merge_storage(
            Some(&first),
            Some(&SyncStorageUpdate {
                bucket: Some("photos".into()),
                ..SyncStorageUpdate::default()
            }),
            pooler,
        )
        .unwrap()
        .unwrap();
        assert_eq!(second.bucket, "photos");
        assert_eq!(second.secret_access_key, "secret");
        assert_eq!(
            merge_storage(Some(&second), None, pooler).unwrap(),
            Some(second.clone())
        );
        let removed = merge_storage(
            Some(&second),
            Some(&SyncStorageUpdate {
                url: Some(" ".into()),
                ..SyncStorageUpdate::default()
            }),
            pooler,
        )
        .unwrap();
        assert_eq!(removed, None);
        assert!(
            format!(
                "{:?}",
                Connection {
                    connection_string: pooler.into(),
                    user_id: None,
                    enabled: true,
                    storage: Some(second),
                }
            )
            .contains("photos")
        );
    }
}
