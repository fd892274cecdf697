use axum::extract::State;
use axum::{Extension, Json};
use botdesk_core::dto::{ErrorBodyDto, SettingsDto, SettingsUpdate};
use botdesk_core::ops;
use botdesk_core::ops::keys::Access;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::ApiJson;

/// The owner's settings.
#[utoipa::path(get, path = "/api/settings", tag = "settings",
    responses((status = 200, body = SettingsDto)))]
pub async fn get(State(state): State<AppState>) -> Result<Json<SettingsDto>, ApiError> {
    Ok(Json(state.ctx.blocking(ops::settings::get).await?))
}

/// Changes some settings; fields left out stay as they are.
#[utoipa::path(put, path = "/api/settings", tag = "settings", request_body = SettingsUpdate,
    responses((status = 200, body = SettingsDto), (status = 400, body = ErrorBodyDto),
              (status = 413, body = ErrorBodyDto), (status = 415, body = ErrorBodyDto)))]
pub async fn update(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    ApiJson(update): ApiJson<SettingsUpdate>,
) -> Result<Json<SettingsDto>, ApiError> {
    let actor = access.actor();
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::settings::update(ctx, &actor, update))
            .await?,
    ))
}
