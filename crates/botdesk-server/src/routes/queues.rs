use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use botdesk_core::dto::{
    CleanRequest, CountDto, EnqueueBulkRequest, EnqueueRequest, ErrorBodyDto, JobActionDto,
    QueueOverviewDto,
};
use botdesk_core::ops;
use botdesk_core::ops::queues::JobAction;
use botdesk_core::queue::{Enqueued, JobDetail, JobPage, JobQuery, JobStatus, QueueStats};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};

type Reply<T> = Result<Json<T>, ApiError>;

/// Every queue with its counts, whether this botdesk runs it, and its recent throughput.
#[utoipa::path(get, path = "/api/queues", tag = "queues",
    responses((status = 200, body = Vec<QueueOverviewDto>)))]
pub async fn list(State(state): State<AppState>) -> Reply<Vec<QueueOverviewDto>> {
    Ok(Json(state.ctx.blocking(ops::queues::overviews).await?))
}

#[utoipa::path(get, path = "/api/queues/{name}", tag = "queues",
    responses((status = 200, body = QueueOverviewDto), (status = 404, body = ErrorBodyDto)))]
pub async fn get(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Reply<QueueOverviewDto> {
    let queue = ops::queues::queue(&name)?;
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::queues::overview(ctx, queue))
            .await?,
    ))
}

/// The counts alone: `{queue, active, waiting, completed, failed, delayed, …}`.
#[utoipa::path(get, path = "/api/queues/{name}/stats", tag = "queues",
    responses((status = 200, body = QueueStats), (status = 404, body = ErrorBodyDto)))]
pub async fn stats(State(state): State<AppState>, Path(name): Path<String>) -> Reply<QueueStats> {
    let queue = ops::queues::queue(&name)?;
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::queues::stats(ctx, queue))
            .await?,
    ))
}

/// A page of the queue's jobs, newest first: by state, and by id or payload text (`q`).
#[utoipa::path(get, path = "/api/queues/{name}/jobs", tag = "queues", params(JobQuery),
    responses((status = 200, body = JobPage), (status = 400, body = ErrorBodyDto), (status = 404, body = ErrorBodyDto)))]
pub async fn jobs(
    State(state): State<AppState>,
    Path(name): Path<String>,
    ApiQuery(query): ApiQuery<JobQuery>,
) -> Reply<JobPage> {
    let queue = ops::queues::queue(&name)?;
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::queues::list_jobs(ctx, queue, &query))
            .await?,
    ))
}

/// Enqueues a job of one of the queue's job types; with an `idempotency_key`, enqueueing again
/// gives the same job (`created: false`).
#[utoipa::path(post, path = "/api/queues/{name}/jobs", tag = "queues", request_body = EnqueueRequest,
    responses((status = 201, body = Enqueued), (status = 200, body = Enqueued), (status = 400, body = ErrorBodyDto),
              (status = 404, body = ErrorBodyDto)))]
pub async fn enqueue(
    State(state): State<AppState>,
    Path(name): Path<String>,
    ApiJson(request): ApiJson<EnqueueRequest>,
) -> Result<(StatusCode, Json<Enqueued>), ApiError> {
    let queue = ops::queues::queue(&name)?;
    let e = ops::queues::enqueue(&state.ctx, queue, request).await?;
    let status = if e.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(e)))
}

/// Enqueues up to 10,000 jobs in one transaction: all, or none with the first bad one named.
#[utoipa::path(post, path = "/api/queues/{name}/jobs/bulk", tag = "queues", request_body = EnqueueBulkRequest,
    responses((status = 200, body = Vec<Enqueued>), (status = 400, body = ErrorBodyDto), (status = 404, body = ErrorBodyDto)))]
pub async fn enqueue_bulk(
    State(state): State<AppState>,
    Path(name): Path<String>,
    ApiJson(request): ApiJson<EnqueueBulkRequest>,
) -> Reply<Vec<Enqueued>> {
    let queue = ops::queues::queue(&name)?;
    Ok(Json(
        ops::queues::enqueue_bulk(&state.ctx, queue, request.jobs).await?,
    ))
}

/// Everything about one job, with each failed attempt's error and timing.
#[utoipa::path(get, path = "/api/queues/{name}/jobs/{id}", tag = "queues",
    responses((status = 200, body = JobDetail), (status = 404, body = ErrorBodyDto)))]
pub async fn job(
    State(state): State<AppState>,
    Path((name, id)): Path<(String, String)>,
) -> Reply<JobDetail> {
    let queue = ops::queues::queue(&name)?;
    let id = ops::queues::job_id(queue, &id)?;
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::queues::job(ctx, queue, id))
            .await?,
    ))
}

/// `{id, status, progress, attempts, failedReason}`.
#[utoipa::path(get, path = "/api/queues/{name}/jobs/{id}/status", tag = "queues",
    responses((status = 200, body = JobStatus), (status = 404, body = ErrorBodyDto)))]
pub async fn job_status(
    State(state): State<AppState>,
    Path((name, id)): Path<(String, String)>,
) -> Reply<JobStatus> {
    let queue = ops::queues::queue(&name)?;
    let id = ops::queues::job_id(queue, &id)?;
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::queues::job_status(ctx, queue, id))
            .await?,
    ))
}

/// `retry` (a failed or cancelled job), `cancel` (one not finished), `remove` (one not
/// running), `promote` (a delayed one, now).
#[utoipa::path(post, path = "/api/queues/{name}/jobs/{id}/{action}", tag = "queues",
    responses((status = 200, body = JobActionDto), (status = 404, body = ErrorBodyDto), (status = 409, body = ErrorBodyDto)))]
pub async fn act(
    State(state): State<AppState>,
    Path((name, id, action)): Path<(String, String, String)>,
) -> Reply<JobActionDto> {
    let queue = ops::queues::queue(&name)?;
    let id = ops::queues::job_id(queue, &id)?;
    let action = ops::queues::parse_action(&action)?;
    Ok(Json(ops::queues::act(&state.ctx, queue, id, action).await?))
}

/// Removes a job that is not running.
#[utoipa::path(delete, path = "/api/queues/{name}/jobs/{id}", tag = "queues",
    responses((status = 200, body = JobActionDto), (status = 404, body = ErrorBodyDto), (status = 409, body = ErrorBodyDto)))]
pub async fn remove(
    State(state): State<AppState>,
    Path((name, id)): Path<(String, String)>,
) -> Reply<JobActionDto> {
    let queue = ops::queues::queue(&name)?;
    let id = ops::queues::job_id(queue, &id)?;
    Ok(Json(
        ops::queues::act(&state.ctx, queue, id, JobAction::Remove).await?,
    ))
}

/// Stops claiming the queue's jobs (running ones finish).
#[utoipa::path(post, path = "/api/queues/{name}/pause", tag = "queues",
    responses((status = 200, body = QueueStats), (status = 404, body = ErrorBodyDto)))]
pub async fn pause(State(state): State<AppState>, Path(name): Path<String>) -> Reply<QueueStats> {
    let queue = ops::queues::queue(&name)?;
    Ok(Json(
        ops::queues::set_paused(&state.ctx, queue, true).await?,
    ))
}

#[utoipa::path(post, path = "/api/queues/{name}/resume", tag = "queues",
    responses((status = 200, body = QueueStats), (status = 404, body = ErrorBodyDto)))]
pub async fn resume(State(state): State<AppState>, Path(name): Path<String>) -> Reply<QueueStats> {
    let queue = ops::queues::queue(&name)?;
    Ok(Json(
        ops::queues::set_paused(&state.ctx, queue, false).await?,
    ))
}

/// Retries every failed job of the queue.
#[utoipa::path(post, path = "/api/queues/{name}/retry-failed", tag = "queues",
    responses((status = 200, body = CountDto), (status = 404, body = ErrorBodyDto)))]
pub async fn retry_failed(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Reply<CountDto> {
    let queue = ops::queues::queue(&name)?;
    Ok(Json(ops::queues::retry_failed(&state.ctx, queue).await?))
}

/// Deletes finished jobs in one state: all, or those older than an age.
#[utoipa::path(post, path = "/api/queues/{name}/clean", tag = "queues", request_body = CleanRequest,
    responses((status = 200, body = CountDto), (status = 400, body = ErrorBodyDto), (status = 404, body = ErrorBodyDto)))]
pub async fn clean(
    State(state): State<AppState>,
    Path(name): Path<String>,
    ApiJson(request): ApiJson<CleanRequest>,
) -> Reply<CountDto> {
    let queue = ops::queues::queue(&name)?;
    Ok(Json(ops::queues::clean(&state.ctx, queue, request).await?))
}
