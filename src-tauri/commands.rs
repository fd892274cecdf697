//! One short command per core op. Each takes what the UI sent, calls the op off the UI
//! thread, and returns its DTO or its `WireError` (the UI's client reads both transports' errors
//! the same way).

use botdesk_core::dto::{
    AuditFacetsDto, AuditPageDto, HealthDto, HttpApiStatusDto, SettingsDto, SystemInfoDto,
    TemplateDto,
};
use botdesk_core::{Ctx, WireError, ops, request};

use crate::Desktop;

type Reply<T> = Result<T, WireError>;

/// What the UI sent, as the op's request type (bad input is `request.invalid_body`).
fn args<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Reply<T> {
    request::from_value(value).map_err(|e| e.wire())
}

async fn run<T: Send + 'static>(
    state: &Desktop,
    op: impl FnOnce(&Ctx) -> Result<T, botdesk_core::CoreError> + Send + 'static,
) -> Reply<T> {
    let ctx = state.ctx()?;
    ctx.blocking(op).await.map_err(|e| e.wire())
}

#[tauri::command]
pub async fn health(state: tauri::State<'_, Desktop>) -> Reply<HealthDto> {
    Ok(ops::system::health(&state.ctx()?))
}

#[tauri::command]
pub async fn system_info(state: tauri::State<'_, Desktop>) -> Reply<SystemInfoDto> {
    Ok(ops::system::info(&state.ctx()?))
}

#[tauri::command]
pub async fn list_audit(
    state: tauri::State<'_, Desktop>,
    query: serde_json::Value,
) -> Reply<AuditPageDto> {
    let query = args(query)?;
    run(&state, move |ctx| ops::activity::list(ctx, query)).await
}

#[tauri::command]
pub async fn audit_facets(state: tauri::State<'_, Desktop>) -> Reply<AuditFacetsDto> {
    run(&state, ops::activity::facets).await
}

#[tauri::command]
pub async fn get_settings(state: tauri::State<'_, Desktop>) -> Reply<SettingsDto> {
    run(&state, ops::settings::get).await
}

#[tauri::command]
pub async fn update_settings(
    state: tauri::State<'_, Desktop>,
    update: serde_json::Value,
) -> Reply<SettingsDto> {
    let update = args(update)?;
    let actor = state.actor.clone();
    run(&state, move |ctx| {
        ops::settings::update(ctx, &actor, update)
    })
    .await
}

#[tauri::command]
pub async fn list_templates(
    state: tauri::State<'_, Desktop>,
    query: serde_json::Value,
) -> Reply<Vec<TemplateDto>> {
    let query = args(query)?;
    run(&state, move |ctx| ops::templates::list(ctx, query)).await
}

#[tauri::command]
pub async fn http_api_status(state: tauri::State<'_, Desktop>) -> Reply<HttpApiStatusDto> {
    Ok(state.http_api.status())
}
