//! The queues area's operations: the monitor's reads, enqueueing, and the owner's actions.

use botdesk_queue::{Enqueued, JobAction, JobDetail, JobPage, JobQuery, JobStatus, QueueStats};

use crate::queues::ops as queues;
use crate::queues::wire::{
    CleanRequest, CountDto, EnqueueBulkRequest, EnqueueRequest, JobActionDto, QueueOverviewDto,
};

crate::operations! {
    tag "queues";

    /// Every queue with its counts, whether this botdesk runs it, and its recent throughput.
    list_queues: Get "/api/queues" -> [QueueOverviewDto]
        => blocking |s, c, i| queues::overviews(s);

    /// One queue with its counts, job types and throughput.
    get_queue: Get "/api/queues/{name}" path(name) -> QueueOverviewDto
        => blocking |s, c, i| queues::overview(s, queues::queue(&i.path.name)?);

    /// The counts alone: `{queue, active, waiting, completed, failed, delayed, …}`.
    queue_stats: Get "/api/queues/{name}/stats" path(name) -> QueueStats
        => blocking |s, c, i| queues::stats(s, queues::queue(&i.path.name)?);

    /// A page of the queue's jobs, newest first: by state, and by id or payload text (`q`).
    list_jobs: Get "/api/queues/{name}/jobs" path(name) query(JobQuery) -> JobPage
        => blocking |s, c, i| queues::list_jobs(s, queues::queue(&i.path.name)?, &i.query);

    /// Enqueues a job of one of the queue's job types.
    ///
    /// With an `idempotency_key`, enqueueing again gives the same job (`created: false`, 200).
    enqueue_job: Post "/api/queues/{name}/jobs" path(name) body(EnqueueRequest) status(201, 200)
        status_of(|e| if e.created { 201 } else { 200 })
        -> Enqueued
        => future |s, c, i| queues::enqueue(s, queues::queue(&i.path.name)?, i.body);

    /// Enqueues up to 10,000 jobs in one transaction: all, or none with the first bad one named.
    enqueue_jobs: Post "/api/queues/{name}/jobs/bulk" path(name) body(EnqueueBulkRequest)
        -> [Enqueued]
        => future |s, c, i| queues::enqueue_bulk(s, queues::queue(&i.path.name)?, i.body.jobs);

    /// Everything about one job, with each failed attempt's error and timing.
    get_job: Get "/api/queues/{name}/jobs/{id}" path(name, id) -> JobDetail
        => blocking |s, c, i| {
            let queue = queues::queue(&i.path.name)?;
            queues::job(s, queue, queues::job_id(queue, &i.path.id)?)
        };

    /// Removes a job that is not running.
    remove_job: Delete "/api/queues/{name}/jobs/{id}" path(name, id) -> JobActionDto
        => future |s, c, i| {
            let queue = queues::queue(&i.path.name)?;
            queues::act(s, queue, queues::job_id(queue, &i.path.id)?, JobAction::Remove)
        };

    /// `{id, status, progress, attempts, failedReason}`.
    job_status: Get "/api/queues/{name}/jobs/{id}/status" path(name, id) -> JobStatus
        => blocking |s, c, i| {
            let queue = queues::queue(&i.path.name)?;
            queues::job_status(s, queue, queues::job_id(queue, &i.path.id)?)
        };

    /// `retry` (a failed or cancelled job), `cancel` (one not finished), `remove` (one not
    /// running), `promote` (a delayed one, now).
    job_action: Post "/api/queues/{name}/jobs/{id}/{action}" path(name, id, action)
        -> JobActionDto
        => future |s, c, i| {
            let queue = queues::queue(&i.path.name)?;
            let id = queues::job_id(queue, &i.path.id)?;
            queues::act(s, queue, id, queues::parse_action(&i.path.action)?)
        };

    /// Stops claiming the queue's jobs (running ones finish).
    pause_queue: Post "/api/queues/{name}/pause" path(name) -> QueueStats
        => future |s, c, i| queues::set_paused(s, queues::queue(&i.path.name)?, true);

    /// Claims the queue's jobs again.
    resume_queue: Post "/api/queues/{name}/resume" path(name) -> QueueStats
        => future |s, c, i| queues::set_paused(s, queues::queue(&i.path.name)?, false);

    /// Retries every failed job of the queue.
    retry_failed_jobs: Post "/api/queues/{name}/retry-failed" path(name) -> CountDto
        => future |s, c, i| queues::retry_failed(s, queues::queue(&i.path.name)?);

    /// Deletes finished jobs in one state: all, or those older than an age.
    clean_queue: Post "/api/queues/{name}/clean" path(name) body(CleanRequest) -> CountDto
        => future |s, c, i| queues::clean(s, queues::queue(&i.path.name)?, i.body);
}
