//! What a job is: the queues, a job's states and priority, its retry delays, the options it is
//! enqueued with, and the shapes the monitor reads (status, stats, lists, details, activity).

use botdesk_store::{Timestamp, rusqlite, text_enum};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::QueueError;

text_enum! {
    /// The named queues. Each is a row of `queue_state`; a capability registers its handlers on
    /// the queue it owns.
    pub enum QueueName {
        MediaProcessing = "media_processing",
        MessageSending = "message_sending",
        OrderProcessing = "order_processing",
        WebhookDelivery = "webhook_delivery",
        Sync = "sync",
    }
}

impl QueueName {
    /// The queue called `name`, or `queue.unknown`.
    pub fn parse(name: &str) -> Result<QueueName, QueueError> {
        name.parse().map_err(|_| QueueError::UnknownQueue {
            name: name.chars().take(64).collect(),
        })
    }
}

text_enum! {
    /// Where a job is in its life.
    pub enum JobState {
        /// Ready to be claimed.
        Waiting = "waiting",
        /// Not before its `run_at` (enqueued with a delay, or waiting to be retried).
        Delayed = "delayed",
        /// Claimed by a worker, which holds a lease on it.
        Active = "active",
        Completed = "completed",
        /// Out of attempts (or failed for good): the dead-letter list, kept until removed.
        Failed = "failed",
        Cancelled = "cancelled",
    }
}

impl JobState {
    /// The `queue_state` column counting jobs in this state.
    pub(crate) fn count_column(self) -> &'static str {
        self.as_str()
    }

    pub fn is_finished(self) -> bool {
        matches!(
            self,
            JobState::Completed | JobState::Failed | JobState::Cancelled
        )
    }

    /// Whether the owner may do `action` to a job in this state: the one rule the store's
    /// guards, the API and the monitor's buttons all follow.
    pub fn allows(self, action: JobAction) -> bool {
        match action {
            JobAction::Retry => matches!(self, JobState::Failed | JobState::Cancelled),
            JobAction::Cancel => !self.is_finished(),
            JobAction::Remove => self != JobState::Active,
            JobAction::Promote => self == JobState::Delayed,
        }
    }

    /// Every action a job in this state allows, in the order the monitor shows them.
    pub fn actions(self) -> Vec<JobAction> {
        JobAction::ALL
            .into_iter()
            .filter(|a| self.allows(*a))
            .collect()
    }
}

/// What the owner can do to one job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobAction {
    Retry,
    /// Run a delayed job now.
    Promote,
    Cancel,
    Remove,
}

impl JobAction {
    pub const ALL: [JobAction; 4] = [
        JobAction::Retry,
        JobAction::Promote,
        JobAction::Cancel,
        JobAction::Remove,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobAction::Retry => "retry",
            JobAction::Promote => "promote",
            JobAction::Cancel => "cancel",
            JobAction::Remove => "remove",
        }
    }
}

text_enum! {
    /// Claimed in this order: every waiting high job before any normal one.
    pub enum Priority {
        High = "high",
        Normal = "normal",
        Low = "low",
    }
}

impl Priority {
    /// The stored rank (`queue_jobs.priority`): lower runs first.
    pub fn rank(self) -> i64 {
        match self {
            Priority::High => 0,
            Priority::Normal => 1,
            Priority::Low => 2,
        }
    }

    pub fn from_rank(rank: i64) -> Priority {
        match rank {
            0 => Priority::High,
            2 => Priority::Low,
            _ => Priority::Normal,
        }
    }
}

/// How long a failed attempt waits before the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Backoff {
    /// `base_ms`, doubling with every failure, never above `cap_ms`; each delay is drawn
    /// between half and all of that ("equal jitter"), so that jobs failing together (a receiver
    /// down) do not all come back at the same instant.
    Exponential {
        #[ts(type = "number")]
        base_ms: u64,
        #[ts(type = "number")]
        cap_ms: u64,
    },
    /// The same delay after every failure.
    Fixed {
        #[ts(type = "number")]
        delay_ms: u64,
    },
}

/// The longest delay any option may ask for: 30 days.
pub const MAX_DELAY_MS: u64 = 30 * 24 * 3600 * 1000;

impl Backoff {
    /// The delay after the `failed_attempt`-th attempt (1 = the first) of job `job_id`.
    ///
    /// The jitter is a hash of the job and the attempt, not a random draw: the same job and
    /// attempt always get the same delay, so the schedule can be checked (and replayed) exactly,
    /// while different jobs still spread out.
    pub fn delay_ms(&self, job_id: i64, failed_attempt: u32) -> u64 {
        match *self {
            Backoff::Fixed { delay_ms } => delay_ms,
            Backoff::Exponential { base_ms, cap_ms } => {
                let doublings = failed_attempt.saturating_sub(1).min(62);
                let full = base_ms.saturating_mul(1u64 << doublings).min(cap_ms);
                let half = full / 2;
                half + jitter(job_id as u64, failed_attempt) % (full - half + 1)
            }
        }
    }

    fn validate(&self) -> Result<(), QueueError> {
        let invalid = |reason: &str| QueueError::InvalidOptions {
            field: "backoff".into(),
            reason: reason.into(),
        };
        match *self {
            Backoff::Fixed { delay_ms } if delay_ms > MAX_DELAY_MS => {
                Err(invalid("delay_ms is above 30 days"))
            }
            Backoff::Exponential { base_ms, cap_ms } => {
                if base_ms == 0 {
                    Err(invalid("base_ms must be at least 1"))
                } else if cap_ms < base_ms {
                    Err(invalid("cap_ms must be at least base_ms"))
                } else if cap_ms > MAX_DELAY_MS {
                    Err(invalid("cap_ms is above 30 days"))
                } else {
                    Ok(())
                }
            }
            Backoff::Fixed { .. } => Ok(()),
        }
    }
}

/// The jitter of every retry botdesk schedules (a job's backoff, a webhook's next attempt): a
/// well-mixed 64-bit hash of what is retried and the attempt (splitmix64's finaliser), not a
/// random draw, so that the same thing and attempt always wait the same while different ones
/// spread out.
pub fn jitter(key: u64, attempt: u32) -> u64 {
    let mut z = key ^ (u64::from(attempt) << 40) ^ 0x9E37_79B9_7F4A_7C15;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// [`jitter`] as a number in 0–1 (53 bits of it).
pub fn jitter_unit(key: u64, attempt: u32) -> f64 {
    (jitter(key, attempt) >> 11) as f64 / (1u64 << 53) as f64
}

/// How a job is enqueued. The defaults suit a call to another system: five attempts, a second
/// doubling up to an hour, five minutes per attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct JobOptions {
    pub priority: Priority,
    /// Not before this many milliseconds from now.
    #[ts(type = "number")]
    pub delay_ms: u64,
    pub max_attempts: u32,
    pub backoff: Backoff,
    /// An attempt running longer than this fails (and is retried like any failure).
    #[ts(type = "number")]
    pub timeout_ms: u64,
    /// Enqueueing again with the same key (on the same queue) gives the job already there.
    pub idempotency_key: Option<String>,
}

impl Default for JobOptions {
    fn default() -> JobOptions {
        JobOptions {
            priority: Priority::Normal,
            delay_ms: 0,
            max_attempts: 5,
            backoff: Backoff::Exponential {
                base_ms: 1_000,
                cap_ms: 3_600_000,
            },
            timeout_ms: 300_000,
            idempotency_key: None,
        }
    }
}

impl JobOptions {
    pub fn validate(&self) -> Result<(), QueueError> {
        let invalid = |field: &str, reason: &str| QueueError::InvalidOptions {
            field: field.into(),
            reason: reason.into(),
        };
        if !(1..=1000).contains(&self.max_attempts) {
            return Err(invalid("max_attempts", "must be between 1 and 1000"));
        }
        if self.delay_ms > MAX_DELAY_MS {
            return Err(invalid("delay_ms", "must be at most 30 days"));
        }
        if !(1..=24 * 3600 * 1000).contains(&self.timeout_ms) {
            return Err(invalid("timeout_ms", "must be between 1 ms and 24 hours"));
        }
        if let Some(key) = &self.idempotency_key
            && (key.is_empty() || key.chars().count() > 200)
        {
            return Err(invalid(
                "idempotency_key",
                "must be between 1 and 200 characters",
            ));
        }
        self.backoff.validate()
    }
}

/// A job to enqueue, its payload already JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub queue: QueueName,
    /// The job type: the NAME of the handler that runs it.
    pub name: String,
    /// The version of the payload's shape.
    pub version: u32,
    pub payload: String,
    pub options: JobOptions,
}

/// The largest payload a job may carry (a job refers to big things; it does not hold them).
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

impl NewJob {
    pub fn validate(&self) -> Result<(), QueueError> {
        if self.name.is_empty() || self.name.len() > 100 {
            return Err(QueueError::InvalidOptions {
                field: "name".into(),
                reason: "a job type name has 1 to 100 characters".into(),
            });
        }
        if self.version == 0 {
            return Err(QueueError::InvalidOptions {
                field: "version".into(),
                reason: "versions start at 1".into(),
            });
        }
        if self.payload.len() > MAX_PAYLOAD_BYTES {
            return Err(QueueError::InvalidPayload {
                reason: format!(
                    "{} bytes; a payload may have at most {MAX_PAYLOAD_BYTES}",
                    self.payload.len()
                ),
            });
        }
        self.options.validate()
    }
}

/// What enqueueing gave: the job's id, and whether it is new (not an earlier job with the same
/// idempotency key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct Enqueued {
    #[ts(type = "number")]
    pub id: i64,
    pub created: bool,
}

/// A job's status, as the original design's `getJobStatus(queue, id)` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobStatus {
    #[ts(type = "number")]
    pub id: i64,
    pub status: JobState,
    pub progress: u8,
    pub attempts: u32,
    pub failed_reason: Option<String>,
}

/// A queue's counts, as the original design's `getQueueStats(queue)` returns them, with the
/// rest of what the monitor shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct QueueStats {
    pub queue: QueueName,
    #[ts(type = "number")]
    pub active: i64,
    #[ts(type = "number")]
    pub waiting: i64,
    #[ts(type = "number")]
    pub completed: i64,
    #[ts(type = "number")]
    pub failed: i64,
    #[ts(type = "number")]
    pub delayed: i64,
    #[ts(type = "number")]
    pub cancelled: i64,
    pub paused: bool,
}

/// One row of a job list.
#[derive(Debug, Clone, PartialEq, Serialize, TS, ToSchema)]
pub struct JobSummary {
    #[ts(type = "number")]
    pub id: i64,
    pub queue: QueueName,
    pub name: String,
    pub state: JobState,
    pub priority: Priority,
    pub attempts: u32,
    pub max_attempts: u32,
    pub progress: u8,
    pub failed_reason: Option<String>,
    /// The payload's first 200 characters.
    pub payload_preview: String,
    pub created_at: String,
    pub updated_at: String,
    pub run_at: String,
}

/// A page of a job list, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, TS, ToSchema)]
pub struct JobPage {
    pub jobs: Vec<JobSummary>,
    /// Pass as `cursor` for the next page; none when this was the last.
    pub next_cursor: Option<String>,
}

/// What to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct JobQuery {
    pub status: Option<JobState>,
    /// A job id, or text the payload contains (case-insensitive).
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

/// An attempt that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct AttemptRecord {
    pub attempt: u32,
    pub started_at: Option<String>,
    pub finished_at: String,
    pub error: String,
}

/// Everything about one job.
#[derive(Debug, Clone, PartialEq, Serialize, TS, ToSchema)]
pub struct JobDetail {
    #[ts(type = "number")]
    pub id: i64,
    pub queue: QueueName,
    pub name: String,
    pub version: u32,
    pub state: JobState,
    pub priority: Priority,
    #[ts(type = "unknown")]
    pub payload: serde_json::Value,
    pub attempts: u32,
    pub max_attempts: u32,
    pub backoff: Backoff,
    #[ts(type = "number")]
    pub timeout_ms: u64,
    pub progress: u8,
    pub progress_message: Option<String>,
    #[ts(type = "unknown")]
    pub result: Option<serde_json::Value>,
    pub failed_reason: Option<String>,
    pub idempotency_key: Option<String>,
    pub run_at: String,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub updated_at: String,
    /// Every failed attempt, oldest first.
    pub failures: Vec<AttemptRecord>,
    /// What the owner may do to it now.
    pub actions: Vec<JobAction>,
}

/// What happened to a job, as the activity events tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransitionKind {
    Added,
    Active,
    Progress,
    Completed,
    Failed,
    Retrying,
    /// Handed back without counting an attempt (a shutdown, or postponed by its handler).
    Released,
    Cancelled,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct JobTransition {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: TransitionKind,
    pub progress: Option<u8>,
}

/// A queue's transitions over a short window, coalesced: the counts of each kind, and the last
/// few transitions themselves (a burst of thousands is one message, not thousands).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct QueueActivity {
    pub queue: QueueName,
    #[ts(type = "number")]
    pub added: u64,
    #[ts(type = "number")]
    pub active: u64,
    #[ts(type = "number")]
    pub progress: u64,
    #[ts(type = "number")]
    pub completed: u64,
    #[ts(type = "number")]
    pub failed: u64,
    #[ts(type = "number")]
    pub retrying: u64,
    /// Any other change (cancel, remove, release, pause, a bulk retry): reload what is shown.
    #[ts(type = "number")]
    pub other: u64,
    /// The latest transitions, at most [`ACTIVITY_SAMPLE`].
    pub jobs: Vec<JobTransition>,
}

impl QueueActivity {
    pub fn new(queue: QueueName) -> QueueActivity {
        QueueActivity {
            queue,
            added: 0,
            active: 0,
            progress: 0,
            completed: 0,
            failed: 0,
            retrying: 0,
            other: 0,
            jobs: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.added
            + self.active
            + self.progress
            + self.completed
            + self.failed
            + self.retrying
            + self.other
            == 0
    }
}

/// How many individual transitions one activity message carries.
pub const ACTIVITY_SAMPLE: usize = 20;

/// Completions and failures of a queue in one time bucket, for the monitor's chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct ThroughputPoint {
    /// The bucket's start.
    pub at: String,
    #[ts(type = "number")]
    pub completed: u64,
    #[ts(type = "number")]
    pub failed: u64,
}

/// Unix milliseconds as the RFC 3339 text every DTO carries.
pub(crate) fn iso(ms: i64) -> String {
    Timestamp::from_unix_millis(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_backoff_doubles_within_its_jitter_and_stops_at_the_cap() {
        let b = Backoff::Exponential {
            base_ms: 1_000,
            cap_ms: 10_000,
        };
        for job in 1..200 {
            for (attempt, full) in [
                (1, 1_000),
                (2, 2_000),
                (3, 4_000),
                (4, 8_000),
                (5, 10_000),
                (40, 10_000),
            ] {
                let d = b.delay_ms(job, attempt);
                assert!(
                    (full / 2..=full).contains(&d),
                    "job {job} attempt {attempt}: {d}"
                );
                assert_eq!(
                    d,
                    b.delay_ms(job, attempt),
                    "the same job and attempt, the same delay"
                );
            }
        }
        // Jobs failing together come back spread out.
        let delays: std::collections::BTreeSet<u64> = (1..100).map(|j| b.delay_ms(j, 3)).collect();
        assert!(delays.len() > 50, "{delays:?}");
        assert_eq!(Backoff::Fixed { delay_ms: 7 }.delay_ms(3, 9), 7);
    }

    #[test]
    fn options_are_checked() {
        assert!(JobOptions::default().validate().is_ok());
        let bad = [
            JobOptions {
                max_attempts: 0,
                ..JobOptions::default()
            },
            JobOptions {
                max_attempts: 1001,
                ..JobOptions::default()
            },
            JobOptions {
                timeout_ms: 0,
                ..JobOptions::default()
            },
            JobOptions {
                delay_ms: MAX_DELAY_MS + 1,
                ..JobOptions::default()
            },
            JobOptions {
                idempotency_key: Some(String::new()),
                ..JobOptions::default()
            },
            JobOptions {
                backoff: Backoff::Exponential {
                    base_ms: 0,
                    cap_ms: 1,
                },
                ..JobOptions::default()
            },
            JobOptions {
                backoff: Backoff::Exponential {
                    base_ms: 10,
                    cap_ms: 1,
                },
                ..JobOptions::default()
            },
        ];
        for options in bad {
            let err = options.validate().unwrap_err();
            assert_eq!(err.code(), "queue.invalid_options", "{options:?}");
        }
    }
}
