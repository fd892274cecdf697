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
    let query = request::from_value(query).map_err(|e| e.wire())?;
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
    let update = request::from_value(update).map_err(|e| e.wire())?;
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
    let query = request::from_value(query).map_err(|e| e.wire())?;
    run(&state, move |ctx| ops::templates::list(ctx, query)).await
}

#[tauri::command]
pub async fn http_api_status(state: tauri::State<'_, Desktop>) -> Reply<HttpApiStatusDto> {
    Ok(state.http_api.status())
}
