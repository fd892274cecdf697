//! The queues area's wire types: the monitor's view of a queue, enqueueing, actions.

use botdesk_queue::{JobOptions, JobState, QueueStats, ThroughputPoint};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

/// A queue as the monitor shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS, ToSchema)]
pub struct QueueOverviewDto {
    pub stats: QueueStats,
    /// Whether this botdesk runs the queue's jobs (it has their handlers).
    pub running: bool,
    /// The job types this botdesk runs on the queue.
    pub job_types: Vec<String>,
    /// Completions and failures per 10 seconds over the last 10 minutes, oldest first.
    pub throughput: Vec<ThroughputPoint>,
    /// How many times this botdesk has looked for the queue's work since it started (0 when it
    /// does not run the queue): it grows while the queue is served, paused or not.
    #[ts(type = "number")]
    pub looks: u64,
}

/// `POST /api/queues/{name}/jobs`: a job for one of the queue's job types.
#[derive(Debug, Clone, PartialEq, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnqueueRequest {
    /// The job type (see the queue's `job_types`).
    pub name: String,
    #[ts(type = "unknown")]
    pub payload: serde_json::Value,
    #[serde(default)]
    #[ts(optional)]
    pub options: Option<JobOptions>,
}

/// What an action on one job left: its state now (none once removed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct JobActionDto {
    #[ts(type = "number")]
    pub id: i64,
    pub state: Option<JobState>,
}

/// How many jobs an action on a queue changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct CountDto {
    #[ts(type = "number")]
    pub count: i64,
}

/// `POST /api/queues/{name}/clean`: delete finished jobs in one state, all or those older than
/// an age.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CleanRequest {
    pub status: JobState,
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub older_than_seconds: Option<u64>,
}

/// `POST /api/queues/{name}/jobs/bulk`: up to 10,000 jobs, enqueued together or not at all.
#[derive(Debug, Clone, PartialEq, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnqueueBulkRequest {
    pub jobs: Vec<EnqueueRequest>,
}
