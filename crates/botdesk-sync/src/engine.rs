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
}

fn blocking<T: Send + 'static>(
    store: &Arc<Store>,
    f: impl FnOnce(&Store) -> Result<T, SyncError> + Send + 'static,
) -> impl Future<Output = Result<T, SyncError>> {
    let store = Arc::clone(store);
    async move {
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| SyncError::BadRow(format!("a store task failed: {e}")))?
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
        progress(&report);
    }
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
        progress(&report);
        if !full {
            break;
        }
    }
    report.cursor = cursor;
    Ok(report)
}
