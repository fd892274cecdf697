use axum::Json;
use axum::extract::State;
use botdesk_core::dto::{ConnectionStatsDto, ErrorBodyDto, HealthDto, SystemInfoDto};
use botdesk_core::ops;

use crate::AppState;

/// Whether botdesk is up, and which version and schema it runs.
#[utoipa::path(get, path = "/api/health", tag = "system",
    responses((status = 200, body = HealthDto), (status = 401, body = ErrorBodyDto)))]
pub async fn health(State(state): State<AppState>) -> Json<HealthDto> {
    Json(ops::system::health(&state.ctx))
}

/// Versions and where botdesk keeps its data and logs.
#[utoipa::path(get, path = "/api/system/info", tag = "system",
    responses((status = 200, body = SystemInfoDto), (status = 401, body = ErrorBodyDto)))]
pub async fn info(State(state): State<AppState>) -> Json<SystemInfoDto> {
    Json(ops::system::info(&state.ctx))
}

/// The server's open event streams and the ones it dropped.
#[utoipa::path(get, path = "/api/system/connections", tag = "system",
    responses((status = 200, body = ConnectionStatsDto), (status = 401, body = ErrorBodyDto)))]
pub async fn connections(State(state): State<AppState>) -> Json<ConnectionStatsDto> {
    Json(state.streams.snapshot())
}

/// This API's OpenAPI document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "system",
    responses((status = 200, description = "the OpenAPI 3.1 document")))]
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(crate::openapi::document())
}
