//! Where sync stands: the last outcome (kept in store_meta, so the CLI in another process
//! reads it too), what a sync under way is doing, what waits to be pushed and sent, and the
//! one state the indicator shows; published whenever it moves.

use botdesk_store::Store;
use botdesk_store::tables::store_meta;
use botdesk_sync::files;
use botdesk_sync::local;
use serde::{Deserialize, Serialize};

use crate::error::CoreError;
use crate::events::Event;
use crate::secrets::SecretBox;
use crate::services::Services;
use crate::sync::connection::load_connection;
use crate::sync::live::{Live, SyncRuntime};
use crate::sync::wire::{
    PendingTableDto, SyncFailureDto, SyncFileProgressDto, SyncFilesDto, SyncState, SyncStatusDto,
};

/// The store_meta key of the last sync's outcome.
const STATUS_KEY: &str = "sync.status";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Outcome {
    pub(crate) last_sync_at: Option<String>,
    pub(crate) last_attempt_at: Option<String>,
    pub(crate) offline_since: Option<String>,
    pub(crate) next_attempt_at: Option<String>,
    pub(crate) failures: u32,
    pub(crate) last_failure: Option<SyncFailureDto>,
}

/// The last outcome (a new store has none yet). A value that does not parse is an error, not
/// a fresh start: forgetting it would forget the backoff.
pub(crate) fn read_outcome(store: &Store) -> Result<Outcome, CoreError> {
    let Some(text) = store.read(|c| store_meta::get(c, STATUS_KEY))? else {
        return Ok(Outcome::default());
    };
    serde_json::from_str(&text)
        .map_err(|e| CoreError::Internal(format!("the stored sync status is damaged: {e}")))
}

pub(crate) fn write_outcome(store: &Store, outcome: &Outcome) -> Result<(), CoreError> {
    let text = serde_json::to_string(outcome)
        .map_err(|e| CoreError::Internal(format!("the sync status: {e}")))?;
    store.with_untracked_tx(|tx| Ok::<_, CoreError>(store_meta::set(tx, STATUS_KEY, &text)?))
}

/// A clean slate: no backoff, no failure (a new connection).
pub(crate) fn reset_outcome(store: &Store) -> Result<(), CoreError> {
    write_outcome(store, &Outcome::default())
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
        None => SyncState::NotConfigured,
        Some(_) if syncing => SyncState::Syncing,
        Some(_) if outcome.offline_since.is_some() => SyncState::Offline,
        Some(_) if outcome.last_failure.is_some() || errors > 0 => SyncState::Error,
        Some(_) if storage_configured && f.failing > 0 => SyncState::Error,
        Some(_) if pending_changes > 0 => SyncState::Pending,
        Some(_) if storage_configured && f.pending > 0 => SyncState::Pending,
        Some(_) if outcome.last_sync_at.is_none() => SyncState::Pending,
        Some(_) => SyncState::Synced,
    };
    Ok(SyncStatusDto {
        state,
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

pub fn status(ctx: &Services) -> Result<SyncStatusDto, CoreError> {
    let live = ctx.area::<SyncRuntime>().live();
    status_of(ctx.store(), ctx.secrets(), &live)
}

/// Publishes the status now (on a blocking thread, as every op runs).
pub(crate) fn publish_status(ctx: &Services) {
    match status(ctx) {
        Ok(status) => ctx.events().publish(Event::SyncStatus { status }),
        Err(e) => tracing::debug!(error = %e, "the sync status could not be read"),
    }
}

/// Publishes the status whenever it moved (the job and the ops say so), read off the runtime,
/// the newest last, until the services stop.
pub(crate) fn publish_when_moved(services: &Services) {
    let services = services.clone();
    let runtime = services.area::<SyncRuntime>();
    let mut stop = services.stopping();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                biased;
                _ = stop.wait_for(|stopped| *stopped) => return,
                _ = runtime.status_changed.notified() => {}
            }
            match services.blocking(status).await {
                Ok(status) => services.events().publish(Event::SyncStatus { status }),
                Err(e) => tracing::debug!(error = %e, "the sync status could not be read"),
            }
        }
    });
}
