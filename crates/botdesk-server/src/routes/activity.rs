use axum::Json;
use axum::extract::State;
use botdesk_core::dto::{AuditFacetsDto, AuditPageDto, AuditQuery, ErrorBodyDto};
use botdesk_core::ops;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::ApiQuery;

/// The audit trail, newest first, a page at a time.
#[utoipa::path(get, path = "/api/audit", tag = "activity", params(AuditQuery),
    responses((status = 200, body = AuditPageDto), (status = 400, body = ErrorBodyDto)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPageDto>, ApiError> {
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::activity::list(ctx, query))
            .await?,
    ))
}

/// The tables and actors the audit trail can be filtered by.
#[utoipa::path(get, path = "/api/audit/facets", tag = "activity",
    responses((status = 200, body = AuditFacetsDto)))]
pub async fn facets(State(state): State<AppState>) -> Result<Json<AuditFacetsDto>, ApiError> {
    Ok(Json(state.ctx.blocking(ops::activity::facets).await?))
}
