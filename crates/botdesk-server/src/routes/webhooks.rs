//! `POST /api/events`: the bot pushes its events signed like a delivery (the only `/api` call
//! that needs a signature instead of an API key).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use botdesk_core::dto::{ErrorBodyDto, EventAccepted, EventIn};
use botdesk_core::store::Actor;
use botdesk_core::webhooks::SignedRequest;

use crate::AppState;
use crate::error::ApiError;

/// The bot pushes an event (`{event_type, payload, merchant_id}`), signed with the events
/// secret as Standard Webhooks say (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
/// Unsigned, stale (±5 min) or forged requests get 401 before the body is read as JSON.
#[utoipa::path(post, path = "/api/events", tag = "webhooks", operation_id = "ingest_event", request_body = EventIn, security(()),
    responses((status = 202, body = EventAccepted), (status = "default", body = ErrorBodyDto)))]
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
            botdesk_core::webhooks::ingest(
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
