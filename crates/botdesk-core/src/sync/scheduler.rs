//! The scheduler: queues the `sync` job every [`TIMER`], [`DEBOUNCE`] after local changes, at
//! once when the owner asks; never while one is queued or running; while the server is
//! unreachable, not before the backoff.

use std::time::Duration;

use botdesk_queue::{Job, QueueName, jobs};
use botdesk_store::Timestamp;
use botdesk_store::tables::change_log;
use botdesk_sync::SyncError;

use crate::error::CoreError;
use crate::services::Services;
use crate::sync::connection::load_connection;
use crate::sync::job::RunSync;
use crate::sync::live::SyncRuntime;
use crate::sync::status::{read_outcome, status};
use crate::sync::wire::SyncStatusDto;

/// How often sync runs by itself while nothing changes.
pub const TIMER: Duration = Duration::from_secs(60);
/// How long after a local change sync waits for more (typing, a burst of edits).
pub const DEBOUNCE: Duration = Duration::from_secs(2);
/// How often the scheduler looks at the change log.
const TICK: Duration = Duration::from_millis(500);

/// Queues one sync job unless one is waiting or running; returns whether it queued.
pub fn enqueue(ctx: &Services, reason: &str, delay: Duration) -> Result<bool, CoreError> {
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
pub fn sync_now(ctx: &Services) -> Result<SyncStatusDto, CoreError> {
    if load_connection(ctx.secrets(), ctx.store())?.is_none() {
        return Err(SyncError::NotConfigured.into());
    }
    // Queued here, even during a backoff: the scheduler need not be asked as well.
    enqueue(ctx, "owner", Duration::ZERO)?;
    status(ctx)
}

/// Starts the scheduler's loop, until the services stop.
pub(crate) fn run(services: &Services) {
    let ctx = services.clone();
    let runtime = services.area::<SyncRuntime>();
    let mut stop = services.stopping();
    tokio::spawn(async move {
        let mut last_run = tokio::time::Instant::now() - TIMER;
        let mut changed_at: Option<tokio::time::Instant> = None;
        // The newest change-log entry seen: when it moves, the owner changed something.
        let mut last_seen: Option<i64> = None;
        loop {
            let mut asked = false;
            tokio::select! {
                _ = tokio::time::sleep(TICK) => {}
                _ = runtime.now_requested.notified() => asked = true,
                _ = runtime.kicked.notified() => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            let looked = ctx
                .blocking(|ctx| {
                    let connection = load_connection(ctx.secrets(), ctx.store())?;
                    let outcome = read_outcome(ctx.store())?;
                    let last = ctx.store().read(change_log::last_seq)?;
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
    });
}
