use axum::Json;
use axum::extract::State;
use botdesk_core::dto::{ErrorBodyDto, TemplateDto, TemplateQuery};
use botdesk_core::ops;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::ApiQuery;

/// Message templates by name, optionally of one type and status.
#[utoipa::path(get, path = "/api/templates", tag = "templates", params(TemplateQuery),
    responses((status = 200, body = Vec<TemplateDto>), (status = 400, body = ErrorBodyDto)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<TemplateQuery>,
) -> Result<Json<Vec<TemplateDto>>, ApiError> {
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::templates::list(ctx, query))
            .await?,
    ))
}
