//! The desktop commands. Every operation of the core's table is one command of the same name,
//! run by the core's dispatcher with the UI's `{path, query, body}` ([`operation`]); the few
//! that only the desktop app has are written here: whether it serves the HTTP API, a file
//! dropped on the window (read from disk), and a media file's bytes.

use botdesk_core::api::dispatch::Dispatcher;
use botdesk_core::dto::{HttpApiStatusDto, MediaDto};
use botdesk_core::{Caller, Services, WireError};
use tauri::Manager;
use tauri::ipc::{InvokeBody, InvokeError};

use crate::Desktop;

type Reply<T> = Result<T, WireError>;

/// Runs operation `invoke` names, when it is one of the table's: `true` when it was.
pub fn operation(dispatcher: &Dispatcher, invoke: tauri::ipc::Invoke) -> bool {
    let name = invoke.message.command();
    if !dispatcher.has(name) {
        return false;
    }
    let state = invoke.message.webview_ref().state::<Desktop>();
    let (services, caller) = match state.ctx() {
        Ok(services) => (services, Caller::new(state.actor.clone())),
        Err(wire) => {
            invoke.resolver.reject(wire);
            return true;
        }
    };
    let args = match invoke.message.payload() {
        InvokeBody::Json(value) => value.clone(),
        InvokeBody::Raw(_) => serde_json::Value::Null,
    };
    match dispatcher.call(name, services, caller, args) {
        Some(answer) => invoke
            .resolver
            .respond_async(async move { answer.await.map_err(|e| InvokeError::from(e.wire())) }),
        None => return false,
    }
    true
}

#[tauri::command]
pub async fn http_api_status(state: tauri::State<'_, Desktop>) -> Reply<HttpApiStatusDto> {
    Ok(state.http_api.status())
}

/// A file dropped on the window: read from disk directly, streamed into the store.
#[tauri::command]
pub async fn upload_media_path(
    state: tauri::State<'_, Desktop>,
    path: String,
    merchant_id: Option<String>,
) -> Reply<MediaDto> {
    let services: Services = state.ctx()?;
    botdesk_core::media::upload_path(
        &services,
        &state.actor,
        std::path::Path::new(&path),
        merchant_id,
    )
    .await
    .map_err(|e| e.wire())
}

/// A media file's bytes (the original or a variant), for the UI to show.
#[tauri::command]
pub async fn media_file(
    state: tauri::State<'_, Desktop>,
    id: String,
    variant: Option<String>,
    format: Option<String>,
) -> Result<tauri::ipc::Response, WireError> {
    let services: Services = state.ctx()?;
    let found = botdesk_core::media::file(&services, &id, variant.as_deref(), format.as_deref())
        .await
        .map_err(|e| e.wire())?;
    let bytes = tokio::fs::read(&found.path).await.map_err(|e| {
        botdesk_core::CoreError::Internal(format!("reading {}: {e}", found.path.display())).wire()
    })?;
    Ok(tauri::ipc::Response::new(bytes))
}
