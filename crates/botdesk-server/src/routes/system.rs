//! The server's own reports: its event streams, and this API's OpenAPI document.

use axum::Json;
use axum::extract::State;
use botdesk_core::dto::{ConnectionStatsDto, ErrorBodyDto};

use crate::AppState;

/// The server's open event streams and the ones it dropped.
#[utoipa::path(get, path = "/api/system/connections", tag = "system", operation_id = "system_connections",
    responses((status = 200, body = ConnectionStatsDto), (status = "default", body = ErrorBodyDto)))]
pub async fn connections(State(state): State<AppState>) -> Json<ConnectionStatsDto> {
    Json(state.streams.snapshot())
}

/// This API's OpenAPI document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "system", operation_id = "openapi",
    responses((status = 200, description = "the OpenAPI 3.1 document"), (status = "default", body = ErrorBodyDto)))]
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(crate::openapi::document())
}
