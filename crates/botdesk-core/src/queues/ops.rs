//! The job queues as the monitor, the CLI and the bot see them: counts, lists, details,
//! enqueueing, and the owner's actions (retry, cancel, remove, promote, pause, clean).
//!
//! Reads and changes work without a running engine (the CLI, beside a running app: the app's
//! workers pick the change up within a poll). When this process runs the engine, changes go
//! through it, so that its workers wake at once and a cancelled job's running attempt stops.

use std::time::Duration;

use botdesk_queue::{
    Enqueued, JobDetail, JobPage, JobQuery, JobStatus, NewJob, QueueError, QueueName, QueueStats,
    jobs,
};
use botdesk_store::rusqlite::Connection;

use crate::error::CoreError;
use crate::queues::wire::{CleanRequest, CountDto, EnqueueRequest, JobActionDto, QueueOverviewDto};
use crate::services::Services;

/// The queue called `name`.
pub fn queue(name: &str) -> Result<QueueName, CoreError> {
    Ok(QueueName::parse(name)?)
}

/// A job id as the API writes it (digits; `#` allowed in front, as the monitor shows ids).
pub fn job_id(queue: QueueName, id: &str) -> Result<i64, CoreError> {
    id.trim()
        .trim_start_matches('#')
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            QueueError::JobNotFound {
                queue: queue.to_string(),
                id: id.chars().take(40).collect(),
            }
            .into()
        })
}

/// The queue of job `id` (what the CLI needs when given an id alone).
pub fn queue_of_job(ctx: &Services, id: &str) -> Result<(QueueName, i64), CoreError> {
    let not_found = || QueueError::JobNotFound {
        queue: "any queue".into(),
        id: id.chars().take(40).collect(),
    };
    let n = id
        .trim()
        .trim_start_matches('#')
        .parse::<i64>()
        .map_err(|_| not_found())?;
    match read(ctx, |c| jobs::queue_of(c, n))? {
        Some(queue) => Ok((queue, n)),
        None => Err(not_found().into()),
    }
}

fn read<T>(
    ctx: &Services,
    f: impl FnOnce(&Connection) -> Result<T, QueueError>,
) -> Result<T, CoreError> {
    Ok(ctx.store().read(f)?)
}

fn write<T>(
    ctx: &Services,
    f: impl FnOnce(&Connection, i64) -> Result<T, QueueError>,
) -> Result<T, CoreError> {
    let now = ctx.now().unix_millis();
    Ok(ctx.store().with_untracked_tx(|tx| f(tx, now))?)
}

fn overview_of(ctx: &Services, stats: QueueStats) -> QueueOverviewDto {
    let engine = ctx.queue_engine();
    QueueOverviewDto {
        running: engine.is_some_and(|e| e.runs(stats.queue)),
        job_types: engine.map(|e| e.job_types(stats.queue)).unwrap_or_default(),
        throughput: engine
            .map(|e| e.throughput(stats.queue))
            .unwrap_or_default(),
        looks: engine.map_or(0, |e| e.looks(stats.queue)),
        stats,
    }
}

/// Every queue, with its counts.
pub fn overviews(ctx: &Services) -> Result<Vec<QueueOverviewDto>, CoreError> {
    let all = read(ctx, jobs::all_stats)?;
    Ok(all.into_iter().map(|s| overview_of(ctx, s)).collect())
}

pub fn overview(ctx: &Services, queue: QueueName) -> Result<QueueOverviewDto, CoreError> {
    let stats = read(ctx, |c| jobs::stats(c, queue))?;
    Ok(overview_of(ctx, stats))
}

/// The original design's `getQueueStats(queue)`.
pub fn stats(ctx: &Services, queue: QueueName) -> Result<QueueStats, CoreError> {
    read(ctx, |c| jobs::stats(c, queue))
}

pub fn list_jobs(ctx: &Services, queue: QueueName, query: &JobQuery) -> Result<JobPage, CoreError> {
    read(ctx, |c| jobs::list(c, queue, query))
}

pub fn job(ctx: &Services, queue: QueueName, id: i64) -> Result<JobDetail, CoreError> {
    read(ctx, |c| jobs::detail(c, queue, id))
}

/// The original design's `getJobStatus(queue, id)`.
pub fn job_status(ctx: &Services, queue: QueueName, id: i64) -> Result<JobStatus, CoreError> {
    read(ctx, |c| jobs::status(c, queue, id))
}

/// Enqueues a job of one of the queue's job types (the bot beside botdesk, or the owner's
/// probe). Only a running engine knows the job types, so only the shells enqueue.
pub async fn enqueue(
    ctx: &Services,
    queue: QueueName,
    request: EnqueueRequest,
) -> Result<Enqueued, CoreError> {
    let engine = ctx.queue_engine().ok_or(QueueError::ShuttingDown)?;
    let payload = request.payload.to_string();
    engine.check(queue, &request.name, &payload)?;
    let job = NewJob {
        queue,
        name: request.name,
        version: 1,
        payload,
        options: request.options.unwrap_or_default(),
    };
    Ok(engine.enqueue(job).await?)
}

/// The most jobs one bulk request may enqueue.
pub const MAX_BULK: usize = 10_000;

/// Enqueues many jobs in one transaction: all of them, or (with an error naming the first bad
/// one) none.
pub async fn enqueue_bulk(
    ctx: &Services,
    queue: QueueName,
    requests: Vec<EnqueueRequest>,
) -> Result<Vec<Enqueued>, CoreError> {
    let engine = ctx.queue_engine().ok_or(QueueError::ShuttingDown)?;
    if requests.len() > MAX_BULK {
        return Err(CoreError::invalid_field(
            "queue.too_many_jobs",
            "jobs",
            format!("{} jobs in one request; at most {MAX_BULK}", requests.len()),
        ));
    }
    let mut batch = Vec::with_capacity(requests.len());
    for (i, request) in requests.into_iter().enumerate() {
        let payload = request.payload.to_string();
        engine.check(queue, &request.name, &payload).map_err(|e| {
            CoreError::invalid_field(e.code(), format!("jobs[{i}]"), format!("job {i}: {e}"))
        })?;
        batch.push(NewJob {
            queue,
            name: request.name,
            version: 1,
            payload,
            options: request.options.unwrap_or_default(),
        });
    }
    Ok(engine.enqueue_bulk(batch).await?)
}

pub use botdesk_queue::JobAction;

/// The action a path segment names (`/jobs/{id}/{action}`).
pub fn parse_action(action: &str) -> Result<JobAction, CoreError> {
    match JobAction::ALL.into_iter().find(|a| a.as_str() == action) {
        Some(found) => Ok(found),
        None => {
            let other = action;
            Err(CoreError::NotFound {
                code: "queue.unknown_action",
                message: format!(
                    "{:?} is not an action on a job (retry, cancel, remove, promote)",
                    other.chars().take(40).collect::<String>()
                ),
            })
        }
    }
}

pub async fn act(
    ctx: &Services,
    queue: QueueName,
    id: i64,
    action: JobAction,
) -> Result<JobActionDto, CoreError> {
    match ctx.queue_engine() {
        Some(engine) => match action {
            JobAction::Retry => engine.retry(queue, id).await?,
            JobAction::Cancel => {
                engine.cancel(queue, id).await?;
            }
            JobAction::Remove => {
                engine.remove(queue, id).await?;
                return Ok(JobActionDto { id, state: None });
            }
            JobAction::Promote => engine.promote(queue, id).await?,
        },
        None => {
            let ctx = ctx.clone();
            let removed = ctx
                .clone()
                .blocking(move |ctx| {
                    write(ctx, |c, now| {
                        Ok(match action {
                            JobAction::Retry => jobs::retry(c, now, queue, id).map(|()| false)?,
                            JobAction::Cancel => jobs::cancel(c, now, queue, id).map(|_| false)?,
                            JobAction::Remove => jobs::remove(c, now, queue, id).map(|_| true)?,
                            JobAction::Promote => {
                                jobs::promote(c, now, queue, id).map(|()| false)?
                            }
                        })
                    })
                })
                .await?;
            if removed {
                return Ok(JobActionDto { id, state: None });
            }
        }
    }
    let status = ctx.blocking(move |ctx| job_status(ctx, queue, id)).await?;
    Ok(JobActionDto {
        id,
        state: Some(status.status),
    })
}

/// Retries every failed job of the queue.
pub async fn retry_failed(ctx: &Services, queue: QueueName) -> Result<CountDto, CoreError> {
    let count = match ctx.queue_engine() {
        Some(engine) => engine.retry_all_failed(queue).await?,
        None => {
            ctx.blocking(move |ctx| write(ctx, |c, now| jobs::retry_all_failed(c, now, queue)))
                .await?
        }
    };
    Ok(CountDto { count })
}

pub async fn set_paused(
    ctx: &Services,
    queue: QueueName,
    paused: bool,
) -> Result<QueueStats, CoreError> {
    match ctx.queue_engine() {
        Some(engine) => Ok(engine.set_paused(queue, paused).await?),
        None => {
            ctx.blocking(move |ctx| {
                write(ctx, |c, now| {
                    jobs::set_paused(c, now, queue, paused)?;
                    jobs::stats(c, queue)
                })
            })
            .await
        }
    }
}

/// Deletes the queue's finished jobs in one state (all of them, or those older than an age).
pub async fn clean(
    ctx: &Services,
    queue: QueueName,
    request: CleanRequest,
) -> Result<CountDto, CoreError> {
    let older_than = request.older_than_seconds.map(Duration::from_secs);
    let count = match ctx.queue_engine() {
        Some(engine) => engine.clean(queue, request.status, older_than).await?,
        None => {
            ctx.blocking(move |ctx| {
                let before = older_than.map(|d| ctx.now().unix_millis() - d.as_millis() as i64);
                Ok(jobs::clean_in_batches(
                    ctx.store(),
                    queue,
                    request.status,
                    before,
                )?)
            })
            .await?
        }
    };
    Ok(CountDto { count })
}
