//! One sync: push everything waiting, batch by batch, then pull everything new, page by page.
//! Either half may be cut off by the network at any point: nothing is lost (the change log
//! and the batch in flight stay until the server's answer is applied; the cursor moves only
//! with the rows it covers) and nothing is doubled (a batch sent again gets the server's first
//! answer; a pulled row is written by id).

use std::sync::Arc;

use botdesk_store::{Actor, Store};
use serde::Serialize;

use crate::error::SyncError;
use crate::local::{self, Applied};
use crate::remote::{Remote, RemoteConfig};

/// Change-log entries per pushed batch.
pub const PUSH_BATCH: usize = 1000;
/// Rows per pull page.
pub const PULL_PAGE: i32 = 2000;

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub pushed: Applied,
    pub pulled: Applied,
    pub batches: usize,
    pub pages: usize,
    /// The server sequence this store has pulled up to.
    pub cursor: i64,
    /// Media files sent to Storage (by the caller, after the records: see [`crate::files`]).
    pub files: crate::files::FilesReport,
}

/// Runs store work off the async runtime.
pub(crate) fn blocking<T: Send + 'static>(
    store: &Arc<Store>,
    f: impl FnOnce(&Store) -> Result<T, SyncError> + Send + 'static,
) -> impl Future<Output = Result<T, SyncError>> {
    let store = Arc::clone(store);
    async move {
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| SyncError::LocalFile(format!("a store task failed: {e}")))?
    }
}

/// Pushes, then pulls, until both sides are level (or `progress` was told every step).
pub async fn sync_once(
    store: &Arc<Store>,
    config: &RemoteConfig,
    mut progress: impl FnMut(&SyncReport),
) -> Result<SyncReport, SyncError> {
    let mut remote = Remote::connect(config).await?;
    remote.check().await?;
    let mut report = SyncReport::default();
    claim(store, config).await?;
    push_all(store, &mut remote, &mut report, &mut progress).await?;
    pull_all(store, config, &mut remote, &mut report, &mut progress).await?;
    // The first pull brings the user this device syncs as: rows waiting for an owner are its
    // now, and go at once.
    if claim(store, config).await? > 0 {
        push_all(store, &mut remote, &mut report, &mut progress).await?;
    }
    Ok(report)
}

async fn claim(store: &Arc<Store>, config: &RemoteConfig) -> Result<usize, SyncError> {
    let Some(user) = config.user_id.clone() else {
        return Ok(0);
    };
    let actor = Actor::Sync(config.device_id.clone());
    blocking(store, move |s| local::claim_ownerless(s, &actor, &user)).await
}

async fn push_all(
    store: &Arc<Store>,
    remote: &mut Remote,
    report: &mut SyncReport,
    progress: &mut impl FnMut(&SyncReport),
) -> Result<(), SyncError> {
    loop {
        let Some(batch) = blocking(store, |s| local::next_batch(s, PUSH_BATCH)).await? else {
            break;
        };
        let results = remote.push(&batch).await?;
        let applied = blocking(store, move |s| {
            local::apply_push_results(s, &batch, &results)
        })
        .await?;
        report.batches += 1;
        report.pushed.applied += applied.applied;
        report.pushed.superseded += applied.superseded;
        report.pushed.refused += applied.refused;
        progress(report);
    }
    Ok(())
}

async fn pull_all(
    store: &Arc<Store>,
    config: &RemoteConfig,
    remote: &mut Remote,
    report: &mut SyncReport,
    progress: &mut impl FnMut(&SyncReport),
) -> Result<(), SyncError> {
    let actor = Actor::Sync(config.device_id.clone());
    let mut cursor = blocking(store, local::cursor).await?;
    loop {
        let rows = remote.pull(cursor, PULL_PAGE).await?;
        let Some(last) = rows.last().map(|r| r.seq) else {
            break;
        };
        let full = rows.len() as i32 >= PULL_PAGE;
        let actor = actor.clone();
        let applied = blocking(store, move |s| local::apply_pulled(s, &actor, &rows, last)).await?;
        cursor = last;
        report.pages += 1;
        report.pulled.applied += applied.applied;
        report.pulled.superseded += applied.superseded;
        report.pulled.refused += applied.refused;
        report.cursor = cursor;
        progress(report);
        if !full {
            break;
        }
    }
    report.cursor = cursor;
    Ok(())
}
