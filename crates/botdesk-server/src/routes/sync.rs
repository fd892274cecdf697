//! Sync with the bot's Supabase project: where it stands, "sync now", the connection (never
//! shown with its password) and its test, and the rows the server refused.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use botdesk_core::dto::{
    ErrorBodyDto, SyncConnectionDto, SyncConnectionUpdate, SyncErrorDto, SyncStatusDto, SyncTestDto,
};
use botdesk_core::ops;
use botdesk_core::ops::keys::Access;
use botdesk_core::ops::sync::Resolution;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::ApiJson;

type Reply<T> = Result<Json<T>, ApiError>;

/// Where sync stands: synced, changes pending (by table), syncing, offline since, errors.
#[utoipa::path(get, path = "/api/sync", tag = "sync", responses((status = 200, body = SyncStatusDto)))]
pub async fn status(State(state): State<AppState>) -> Reply<SyncStatusDto> {
    Ok(Json(state.ctx.blocking(ops::sync::status).await?))
}

/// Queues a sync now (even while backing off from an unreachable server).
#[utoipa::path(post, path = "/api/sync/now", tag = "sync",
    responses((status = 200, body = SyncStatusDto), (status = 409, body = ErrorBodyDto)))]
pub async fn now(State(state): State<AppState>) -> Reply<SyncStatusDto> {
    Ok(Json(state.ctx.blocking(ops::sync::sync_now).await?))
}

#[utoipa::path(get, path = "/api/sync/connection", tag = "sync", responses((status = 200, body = SyncConnectionDto)))]
pub async fn connection(State(state): State<AppState>) -> Reply<SyncConnectionDto> {
    Ok(Json(state.ctx.blocking(ops::sync::connection).await?))
}

/// Sets the project's connection (an empty connection string removes it).
#[utoipa::path(put, path = "/api/sync/connection", tag = "sync", request_body = SyncConnectionUpdate,
    responses((status = 200, body = SyncConnectionDto), (status = 400, body = ErrorBodyDto)))]
pub async fn set_connection(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    ApiJson(update): ApiJson<SyncConnectionUpdate>,
) -> Reply<SyncConnectionDto> {
    let actor = access.actor();
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::sync::set_connection(ctx, &actor, update))
            .await?,
    ))
}

/// Connects (to the saved connection, or to the one in the body) and checks that the
/// project has botdesk's migrations; syncs nothing.
#[utoipa::path(post, path = "/api/sync/connection/test", tag = "sync", request_body = SyncConnectionUpdate,
    responses((status = 200, body = SyncTestDto), (status = 400, body = ErrorBodyDto)))]
pub async fn test_connection(
    State(state): State<AppState>,
    ApiJson(candidate): ApiJson<SyncConnectionUpdate>,
) -> Reply<SyncTestDto> {
    Ok(Json(
        ops::sync::test_connection(&state.ctx, Some(candidate)).await?,
    ))
}

/// The rows the server refused, newest first.
#[utoipa::path(get, path = "/api/sync/errors", tag = "sync", responses((status = 200, body = Vec<SyncErrorDto>)))]
pub async fn errors(State(state): State<AppState>) -> Reply<Vec<SyncErrorDto>> {
    Ok(Json(state.ctx.blocking(ops::sync::errors).await?))
}

/// Resolves a refused row: `retry` (send it again), `keep-local` (keep this device's version
/// unsent) or `discard-local` (take the server's).
#[utoipa::path(post, path = "/api/sync/errors/{id}/{action}", tag = "sync",
    responses((status = 200, body = SyncStatusDto), (status = 404, body = ErrorBodyDto), (status = 503, body = ErrorBodyDto)))]
pub async fn resolve(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((id, action)): Path<(String, String)>,
) -> Reply<SyncStatusDto> {
    let resolution: Resolution = action.parse()?;
    let actor = access.actor();
    ops::sync::resolve(&state.ctx, &actor, &id, resolution).await?;
    Ok(Json(state.ctx.blocking(ops::sync::status).await?))
}
