//! Webhooks: endpoints, secrets (shown once), test events, the delivery log, replays, the event
//! history and status, and `POST /api/events`, through which the bot pushes its events signed
//! like a delivery (the only `/api` call that needs a signature instead of an API key).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use botdesk_core::dto::{
    DeliveryDetailDto, DeliveryDto, DeliveryPageDto, ErrorBodyDto, EventIn, IngestSecretDto,
    ReplayFailed, ReplayedDto, WebhookCreate, WebhookDto, WebhookEventDto, WebhookSecretDto,
    WebhookStatusDto, WebhookUpdate,
};
use botdesk_core::ops;
use botdesk_core::ops::keys::Access;
use botdesk_core::ops::webhooks::{EventAccepted, SignedRequest};
use botdesk_core::store::Actor;
use botdesk_core::store::tables::webhook_events::EventSource;
use serde::Deserialize;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};

type Reply<T> = Result<Json<T>, ApiError>;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only this merchant's endpoints.
    #[serde(default)]
    merchant_id: Option<String>,
}

/// Every endpoint, with its health (success rate, last status, why it is disabled).
#[utoipa::path(get, path = "/api/webhooks", tag = "webhooks", params(ListQuery),
    responses((status = 200, body = Vec<WebhookDto>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Reply<Vec<WebhookDto>> {
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::webhooks::list(ctx, q.merchant_id.as_deref()))
            .await?,
    ))
}

/// Creates an endpoint. Its signing secret (`whsec_…`) is in this answer and nowhere else
/// afterwards: copy it into the receiver.
#[utoipa::path(post, path = "/api/webhooks", tag = "webhooks", request_body = WebhookCreate,
    responses((status = 201, body = WebhookSecretDto), (status = 400, body = ErrorBodyDto)))]
pub async fn create(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    ApiJson(request): ApiJson<WebhookCreate>,
) -> Result<(StatusCode, Json<WebhookSecretDto>), ApiError> {
    let actor = access.actor();
    let created = state
        .ctx
        .blocking(move |ctx| ops::webhooks::create(ctx, &actor, request))
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/webhooks/{id}", tag = "webhooks",
    responses((status = 200, body = WebhookDto), (status = 404, body = ErrorBodyDto)))]
pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> Reply<WebhookDto> {
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::webhooks::get(ctx, &id))
            .await?,
    ))
}

/// Changes an endpoint; enabling one clears its disabled reason and failure streak.
#[utoipa::path(put, path = "/api/webhooks/{id}", tag = "webhooks", request_body = WebhookUpdate,
    responses((status = 200, body = WebhookDto), (status = 400, body = ErrorBodyDto), (status = 404, body = ErrorBodyDto)))]
pub async fn update(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<WebhookUpdate>,
) -> Reply<WebhookDto> {
    let actor = access.actor();
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::webhooks::update(ctx, &actor, &id, request))
            .await?,
    ))
}

#[utoipa::path(delete, path = "/api/webhooks/{id}", tag = "webhooks",
    responses((status = 204), (status = 404, body = ErrorBodyDto)))]
pub async fn remove(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let actor = access.actor();
    state
        .ctx
        .blocking(move |ctx| ops::webhooks::remove(ctx, &actor, &id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new signing secret, shown once; the previous one keeps signing for 24 hours (both
/// signatures are sent meanwhile).
#[utoipa::path(post, path = "/api/webhooks/{id}/rotate-secret", tag = "webhooks",
    responses((status = 200, body = WebhookSecretDto), (status = 404, body = ErrorBodyDto)))]
pub async fn rotate_secret(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path(id): Path<String>,
) -> Reply<WebhookSecretDto> {
    let actor = access.actor();
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::webhooks::rotate_secret(ctx, &actor, &id))
            .await?,
    ))
}

/// Sends a `test` event to this endpoint.
#[utoipa::path(post, path = "/api/webhooks/{id}/test", tag = "webhooks",
    responses((status = 202, body = EventAccepted), (status = 404, body = ErrorBodyDto), (status = 409, body = ErrorBodyDto)))]
pub async fn send_test(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<EventAccepted>), ApiError> {
    let actor = access.actor();
    let accepted = state
        .ctx
        .blocking(move |ctx| ops::webhooks::send_test(ctx, &actor, &id))
        .await?;
    Ok((StatusCode::ACCEPTED, Json(accepted)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    /// pending, retrying, succeeded or failed.
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
}

/// An endpoint's deliveries, newest first.
#[utoipa::path(get, path = "/api/webhooks/{id}/deliveries", tag = "webhooks", params(DeliveriesQuery),
    responses((status = 200, body = DeliveryPageDto), (status = 400, body = ErrorBodyDto), (status = 404, body = ErrorBodyDto)))]
pub async fn deliveries(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<DeliveriesQuery>,
) -> Reply<DeliveryPageDto> {
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| {
                ops::webhooks::deliveries_of(
                    ctx,
                    &id,
                    q.status.as_deref(),
                    q.cursor.as_deref(),
                    q.limit.unwrap_or(50),
                )
            })
            .await?,
    ))
}

/// Replays every failed delivery of an endpoint (created since `since`, when given).
#[utoipa::path(post, path = "/api/webhooks/{id}/replay-failed", tag = "webhooks", request_body = ReplayFailed,
    responses((status = 200, body = ReplayedDto), (status = 400, body = ErrorBodyDto), (status = 404, body = ErrorBodyDto)))]
pub async fn replay_failed(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ReplayFailed>,
) -> Reply<ReplayedDto> {
    let actor = access.actor();
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::webhooks::replay_failed(ctx, &actor, &id, request))
            .await?,
    ))
}

/// A delivery: its body as signed and every attempt (request headers with secrets masked,
/// status, latency, the start of the answer, the error).
#[utoipa::path(get, path = "/api/webhook-deliveries/{id}", tag = "webhooks",
    responses((status = 200, body = DeliveryDetailDto), (status = 404, body = ErrorBodyDto)))]
pub async fn delivery(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Reply<DeliveryDetailDto> {
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::webhooks::delivery(ctx, &id))
            .await?,
    ))
}

/// Sends a finished delivery again now, with the same `webhook-id`.
#[utoipa::path(post, path = "/api/webhook-deliveries/{id}/replay", tag = "webhooks",
    responses((status = 202, body = DeliveryDto), (status = 404, body = ErrorBodyDto), (status = 409, body = ErrorBodyDto)))]
pub async fn replay(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<DeliveryDto>), ApiError> {
    let actor = access.actor();
    let d = state
        .ctx
        .blocking(move |ctx| ops::webhooks::replay(ctx, &actor, &id))
        .await?;
    Ok((StatusCode::ACCEPTED, Json(d)))
}

/// The original design's `getWebhookStatus()`.
#[utoipa::path(get, path = "/api/webhooks-status", tag = "webhooks",
    responses((status = 200, body = WebhookStatusDto)))]
pub async fn status(State(state): State<AppState>) -> Reply<WebhookStatusDto> {
    Ok(Json(state.ctx.blocking(ops::webhooks::status).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RecentQuery {
    #[serde(default)]
    limit: Option<u32>,
    /// Only events of this type.
    #[serde(default, rename = "type")]
    event_type: Option<String>,
}

/// The original design's `getRecentEvents(limit, type)`: the event history, newest first.
#[utoipa::path(get, path = "/api/webhook-events", tag = "webhooks", params(RecentQuery),
    responses((status = 200, body = Vec<WebhookEventDto>), (status = 400, body = ErrorBodyDto)))]
pub async fn recent_events(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<RecentQuery>,
) -> Reply<Vec<WebhookEventDto>> {
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| {
                ops::webhooks::recent_events(ctx, q.limit.unwrap_or(50), q.event_type.as_deref())
            })
            .await?,
    ))
}

/// The original design's `handleWebhookEvent(event_type, payload, merchant_id)`, for an owner or
/// a tool holding an API key: the payload is checked against its type, the event recorded and
/// one delivery queued per subscribed endpoint.
#[utoipa::path(post, path = "/api/webhook-events", tag = "webhooks", request_body = EventIn,
    responses((status = 202, body = EventAccepted), (status = 400, body = ErrorBodyDto)))]
pub async fn handle_event(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    ApiJson(event): ApiJson<EventIn>,
) -> Result<(StatusCode, Json<EventAccepted>), ApiError> {
    let actor = access.actor();
    let accepted = state
        .ctx
        .blocking(move |ctx| ops::webhooks::handle_event(ctx, &actor, event, EventSource::Api))
        .await?;
    Ok((StatusCode::ACCEPTED, Json(accepted)))
}

/// A new secret for the bot to sign `POST /api/events` with, shown once.
#[utoipa::path(post, path = "/api/events/secret", tag = "webhooks",
    responses((status = 200, body = IngestSecretDto)))]
pub async fn rotate_ingest_secret(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> Reply<IngestSecretDto> {
    let actor = access.actor();
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::webhooks::rotate_ingest_secret(ctx, &actor))
            .await?,
    ))
}

/// The bot pushes an event (`{event_type, payload, merchant_id}`), signed with the events
/// secret as Standard Webhooks say (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
/// Unsigned, stale (±5 min) or forged requests get 401 before the body is read as JSON.
#[utoipa::path(post, path = "/api/events", tag = "webhooks", request_body = EventIn, security(()),
    responses((status = 202, body = EventAccepted), (status = 400, body = ErrorBodyDto), (status = 401, body = ErrorBodyDto)))]
pub async fn ingest(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<EventAccepted>), ApiError> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (id, timestamp, signature) = (
        header("webhook-id"),
        header("webhook-timestamp"),
        header("webhook-signature"),
    );
    let accepted = state
        .ctx
        .blocking(move |ctx| {
            ops::webhooks::ingest(
                ctx,
                &Actor::System("bot".into()),
                SignedRequest {
                    id: id.as_deref(),
                    timestamp: timestamp.as_deref(),
                    signature: signature.as_deref(),
                    body: &body,
                },
            )
        })
        .await?;
    Ok((StatusCode::ACCEPTED, Json(accepted)))
}
