//! botdesk's durable job queue, kept in the local store (`queue_jobs`, `queue_state`,
//! `queue_job_attempts`; migration V7).
//!
//! It owns jobs and their life: enqueueing (alone, in bulk, or inside a caller's transaction),
//! claiming under a lease, retries with backoff, the dead-letter list, retention, the counts and
//! lists the monitor reads, and the running engine (dispatchers, heartbeat, group-committed
//! results, coalesced activity). It knows nothing of what a job does: each capability registers
//! a [`Job`] handler for the queue it owns.
//!
//! **Guarantees.** A job is a row from the moment its enqueue commits: a kill, a crash or a
//! closed lid loses none. A claimed job is leased; while the process lives its heartbeat renews
//! the lease, and when it dies the lease runs out and the job waits again with that attempt
//! counted. An attempt's end is recorded only while it still holds the job (same owner, same
//! attempt), so a job never completes twice from two attempts; a job whose end had not been
//! written when the process died runs again (at-least-once: handlers must be idempotent, and
//! the duplicates are at most the jobs in flight at the kill).

mod engine;
mod error;
pub mod jobs;
mod model;

pub use engine::{
    ActivitySink, Engine, EngineOptions, Job, JobContext, JobError, QueueConfig, RateLimit,
    Registry, new_job,
};
pub use error::QueueError;
pub use model::*;
