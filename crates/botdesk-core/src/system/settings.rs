//! The owner's settings: which exist, their defaults, what values they take.

use botdesk_store::Actor;
use botdesk_store::rusqlite::Connection;
use botdesk_store::tables::app_settings;

use crate::error::CoreError;
use crate::events::Event;
use crate::services::Services;
use crate::system::wire::{SettingsDto, SettingsUpdate};

const HTTP_API_ENABLED: &str = "desktop.http_api.enabled";
const HTTP_API_PORT: &str = "desktop.http_api.port";
const DEFAULT_PORT: u16 = 8787;

fn read(conn: &Connection) -> Result<SettingsDto, CoreError> {
    let enabled = match app_settings::get(conn, HTTP_API_ENABLED)? {
        Some(serde_json::Value::Bool(b)) => b,
        _ => false,
    };
    let port = app_settings::get(conn, HTTP_API_PORT)?
        .and_then(|v| v.as_u64())
        .and_then(|p| u16::try_from(p).ok())
        .filter(|p| *p >= 1024)
        .unwrap_or(DEFAULT_PORT);
    Ok(SettingsDto {
        desktop_http_api_enabled: enabled,
        desktop_http_api_port: port,
    })
}

pub fn get(ctx: &Services) -> Result<SettingsDto, CoreError> {
    ctx.store().read(read)
}

/// Applies `update`; every value is checked before anything is saved.
pub fn update(
    ctx: &Services,
    actor: &Actor,
    update: SettingsUpdate,
) -> Result<SettingsDto, CoreError> {
    if let Some(port) = update.desktop_http_api_port
        && port < 1024
    {
        return Err(CoreError::invalid_field(
            "settings.invalid_port",
            "desktop_http_api_port",
            format!("port {port} is reserved for the system; choose 1024 to 65535"),
        ));
    }
    let settings = ctx
        .store()
        .with_tx(actor, |tx| -> Result<SettingsDto, CoreError> {
            if let Some(enabled) = update.desktop_http_api_enabled {
                app_settings::set(tx, HTTP_API_ENABLED, &serde_json::json!(enabled))?;
            }
            if let Some(port) = update.desktop_http_api_port {
                app_settings::set(tx, HTTP_API_PORT, &serde_json::json!(port))?;
            }
            read(tx)
        })?;
    ctx.events().publish(Event::SettingsChanged {
        settings: settings.clone(),
    });
    Ok(settings)
}
