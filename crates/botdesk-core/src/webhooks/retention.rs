//! Retention: delivery attempts and events past `webhook_log_retention_days` deleted, at start
//! and every hour.

use std::time::Duration;

use botdesk_store::tables::webhook_events::{self as history};
use botdesk_store::tables::webhook_logs::{self};

use crate::error::CoreError;
use crate::services::Services;

/// Deletes attempts and finished events older than the retention; returns how many rows went.
pub fn prune(ctx: &Services) -> Result<usize, CoreError> {
    let days = ctx.config().webhook_log_retention_days as i64;
    let cutoff = ctx.now().plus(time::Duration::days(-days));
    ctx.store()
        .with_untracked_tx(|tx| -> Result<usize, CoreError> {
            Ok(webhook_logs::prune_before(tx, cutoff)? + history::prune_before(tx, cutoff)?)
        })
}

/// How often delivery attempts and events past their retention are deleted.
const PRUNE_INTERVAL: Duration = Duration::from_secs(3600);

/// Keeps the webhook log and event history within `webhook_log_retention_days`: at start, then
/// every hour.
pub(crate) fn prune_every_hour(services: &Services) {
    let services = services.clone();
    let mut ticker = services.ticker(PRUNE_INTERVAL);
    tokio::spawn(async move {
        while ticker.next().await {
            match services.blocking(prune).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(rows = n, "webhook log and event history pruned"),
                Err(e) => {
                    tracing::warn!(error = %e, "pruning the webhook log failed; trying again in an hour")
                }
            }
        }
    });
}
