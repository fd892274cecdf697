//! The `sync` job: one sync (push, then pull, then the media files they name), its outcome
//! recorded for the status and the backoff. The scheduler queues it; the CLI runs it in its own
//! process without the queue.

use std::sync::Arc;
use std::time::Duration;

use botdesk_queue::{Job, JobContext, JobError, JobOptions, QueueName};
use botdesk_store::Timestamp;
use botdesk_sync::SyncError;
use botdesk_sync::files;
use botdesk_sync::storage::{Storage, StorageConfig};
use serde::{Deserialize, Serialize};

use crate::error::CoreError;
use crate::services::{Services, WeakServices};
use crate::sync::connection::{load_connection, remote_config};
use crate::sync::live::{Live, SyncRuntime};
use crate::sync::status::{Outcome, read_outcome, write_outcome};
use crate::sync::wire::SyncFailureDto;

/// Backoff while the server does not answer: 5 s doubling up to 5 minutes.
const BACKOFF_BASE: Duration = Duration::from_secs(5);
const BACKOFF_CAP: Duration = Duration::from_secs(300);

/// One sync (push, then pull), on the `sync` queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSync {
    /// Why it runs: `timer`, `changes`, `owner`, `cli`.
    pub reason: String,
}

impl Job for RunSync {
    type State = WeakServices;
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
        services: Arc<WeakServices>,
        _cx: JobContext,
    ) -> Result<serde_json::Value, JobError> {
        let services = services.for_job()?;
        match run_sync(&services).await {
            Ok(report) => Ok(serde_json::to_value(report).unwrap_or_default()),
            // Offline is a state, not a failure: the status says so and the scheduler backs
            // off; the queue keeps no red job per try (seven in five minutes, before).
            Err(CoreError::Sync(e)) if e.is_transient() => Ok(serde_json::json!({
                "offline": true,
                "code": e.code(),
                "reason": e.to_string(),
            })),
            // The scheduler decides when to try again.
            Err(e) => Err(JobError::permanent(format!("{}: {e}", e.code()))),
        }
    }
}

fn backoff(failures: u32) -> Duration {
    BACKOFF_BASE
        .saturating_mul(2u32.saturating_pow(failures.saturating_sub(1).min(16)))
        .min(BACKOFF_CAP)
}

/// How a sync ended, as the outcome records it.
struct Ended {
    failure: Option<SyncFailureDto>,
    transient: bool,
}

/// The outcome after a sync that ended `ended` at `now`.
fn next_outcome(mut outcome: Outcome, ended: &Ended, now: Timestamp) -> Outcome {
    outcome.last_attempt_at = Some(now.to_string());
    match &ended.failure {
        None => {
            outcome.last_sync_at = Some(now.to_string());
            outcome.offline_since = None;
            outcome.next_attempt_at = None;
            outcome.failures = 0;
            outcome.last_failure = None;
        }
        Some(failure) => {
            outcome.failures = outcome.failures.saturating_add(1);
            outcome.last_failure = Some(failure.clone());
            if ended.transient {
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
    outcome
}

/// One sync, its outcome recorded for the status.
async fn run_sync(services: &Services) -> Result<botdesk_sync::SyncReport, CoreError> {
    let connection = services
        .blocking(|s| load_connection(s.secrets(), s.store()))
        .await?;
    let Some(connection) = connection else {
        return Err(SyncError::NotConfigured.into());
    };
    let config = remote_config(&connection, services.store());
    let runtime = services.area::<SyncRuntime>();
    runtime.set_live(Live {
        syncing: true,
        file: None,
    });
    runtime.status_moved();
    let mut result =
        botdesk_sync::sync_once(services.store_arc(), &config, |_| runtime.status_moved()).await;
    // The records are on the server: now the files they name, when a bucket is set up.
    if let (Ok(report), Some(settings)) = (&mut result, &connection.storage) {
        match send_files(services, &runtime, settings).await {
            Ok(files) => report.files = files,
            Err(e) => result = Err(e),
        }
    }
    runtime.set_live(Live::default());
    let ended = Ended {
        failure: result.as_ref().err().map(|e| SyncFailureDto {
            code: e.code().to_owned(),
            message: e.to_string(),
        }),
        transient: result.as_ref().err().is_some_and(SyncError::is_transient),
    };
    let now = services.now();
    // Read, then written in one go: an outcome that cannot be read is not overwritten with a
    // fresh one (that would forget the backoff).
    let recorded = services
        .blocking(move |s| {
            let outcome = next_outcome(read_outcome(s.store())?, &ended, now);
            write_outcome(s.store(), &outcome)
        })
        .await;
    if let Err(e) = recorded {
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
    runtime.status_moved();
    Ok(result?)
}

/// Sends the media files waiting for the bucket, telling the status how each goes (at most
/// every quarter second).
async fn send_files(
    services: &Services,
    runtime: &SyncRuntime,
    settings: &StorageConfig,
) -> Result<files::FilesReport, SyncError> {
    let storage = Storage::new(settings)?;
    let blobs = Arc::clone(services.blobs());
    let local_path = move |sha: &str| blobs.path(sha).ok().filter(|p| p.exists());
    let mut told = std::time::Instant::now() - Duration::from_secs(1);
    files::upload_pending(services.store_arc(), &storage, &local_path, |p| {
        runtime.set_file(p.clone());
        if told.elapsed() >= Duration::from_millis(250) || p.sent == p.total {
            told = std::time::Instant::now();
            runtime.status_moved();
        }
    })
    .await
}

/// Syncs in this process, now, without the queue (the CLI's `botdesk sync now`).
pub async fn sync_here(services: &Services) -> Result<botdesk_sync::SyncReport, CoreError> {
    run_sync(services).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn an_unreachable_server_backs_off_doubling_and_a_success_clears_it() {
        let offline = Ended {
            failure: Some(SyncFailureDto {
                code: "sync.unreachable".into(),
                message: "no answer".into(),
            }),
            transient: true,
        };
        let first = next_outcome(Outcome::default(), &offline, at("2026-12-04T09:00:00Z"));
        assert_eq!(first.failures, 1);
        assert_eq!(
            first.offline_since.as_deref(),
            Some("2026-12-04T09:00:00.000Z")
        );
        assert_eq!(
            first.next_attempt_at.as_deref(),
            Some("2026-12-04T09:00:05.000Z")
        );
        let second = next_outcome(first, &offline, at("2026-12-04T09:00:05Z"));
        assert_eq!(
            second.offline_since.as_deref(),
            Some("2026-12-04T09:00:00.000Z")
        );
        assert_eq!(
            second.next_attempt_at.as_deref(),
            Some("2026-12-04T09:00:15.000Z")
        );
        let ok = Ended {
            failure: None,
            transient: false,
        };
        let back = next_outcome(second, &ok, at("2026-12-04T09:01:00Z"));
        assert_eq!(back.failures, 0);
        assert_eq!(back.offline_since, None);
        assert_eq!(back.next_attempt_at, None);
        assert_eq!(
            back.last_sync_at.as_deref(),
            Some("2026-12-04T09:01:00.000Z")
        );
    }
}
