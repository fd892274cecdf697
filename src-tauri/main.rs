//! The desktop shell: a Tauri window on the built UI (`ui/dist`) with the core in-process. The
//! store lives in the platform's app-data folder (`BOTDESK_DATA_DIR` overrides it). One
//! instance per data dir; the window keeps its size and position; the HTTP API is served on
//! 127.0.0.1 only when the owner switches it on. Commands translate, nothing more.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod http_api;

use std::path::PathBuf;

use anyhow::Context;
use botdesk_core::dto::Event;
use botdesk_core::store::Actor;
use botdesk_core::{Config, ConfigOverrides, Services, ServicesOptions, Shell, WireError, logging};
use tauri::menu::{AboutMetadata, Menu, PredefinedMenuItem, Submenu};
use tauri::{Emitter, Manager, RunEvent};
use tokio::sync::broadcast::error::RecvError;

use crate::http_api::HttpApi;

/// What every command reaches: the core (or why it could not start), who acts, the HTTP API.
#[derive(Debug)]
pub struct Desktop {
    ctx: Result<Services, WireError>,
    actor: Actor,
    http_api: HttpApi,
}

impl Desktop {
    /// The core, or the error that kept it from starting (shown by the UI in place of the app).
    fn ctx(&self) -> Result<Services, WireError> {
        self.ctx.clone()
    }
}

fn data_dir() -> anyhow::Result<PathBuf> {
    match std::env::var_os("BOTDESK_DATA_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => Ok(dir.into()),
        None => {
            botdesk_core::default_data_dir().context("no app-data folder is known for this user")
        }
    }
}

fn open_core(data_dir: &std::path::Path) -> Result<Services, WireError> {
    let config = Config::load(
        data_dir,
        |k| std::env::var(k).ok(),
        &ConfigOverrides::default(),
    )
    .map_err(|e| e.wire())?;
    Services::open(ServicesOptions::new(data_dir, config, Shell::Desktop)).map_err(|e| {
        tracing::error!(code = e.code(), error = %e, "the store could not be opened");
        e.wire()
    })
}

/// A D-Bus name per data dir: a second window on the same data dir focuses the first, while a
/// test's app on a temp data dir never hands over to the owner's running app.
fn instance_id(data_dir: &std::path::Path) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    data_dir.hash(&mut hasher);
    format!("{}.d{:016x}", botdesk_core::APP_IDENTIFIER, hasher.finish())
}

fn menu(app: &tauri::AppHandle) -> tauri::Result<Menu<tauri::Wry>> {
    let about = AboutMetadata {
        name: Some("botdesk".into()),
        version: Some(botdesk_core::VERSION.into()),
        comments: Some("The local-first admin desk of a WhatsApp commerce bot".into()),
        license: Some("MIT".into()),
        ..AboutMetadata::default()
    };
    let app_menu = Submenu::with_items(
        app,
        "botdesk",
        true,
        &[
            &PredefinedMenuItem::about(app, Some("About botdesk"), Some(about))?,
            &PredefinedMenuItem::separator(app)?,
            &PredefinedMenuItem::quit(app, Some("Quit botdesk"))?,
        ],
    )?;
    Menu::with_items(app, &[&app_menu])
}

/// Turns SIGINT and SIGTERM (a logout, `kill`) into a normal quit, so that the window state is
/// saved and the HTTP API and the core stop cleanly, as with the Quit menu.
async fn quit_on_signal(app: tauri::AppHandle) {
    let signals = botdesk_core::shutdown::Signals::listen();
    tracing::info!("listening for SIGINT and SIGTERM");
    signals.wait().await;
    app.exit(0);
}

/// Forwards the core's events to the window, and applies the HTTP API setting as it changes.
async fn forward_events(app: tauri::AppHandle, ctx: Services) {
    let mut events = ctx.events().subscribe();
    loop {
        match events.recv().await {
            Ok(published) => {
                if let Event::SettingsChanged { settings } = &published.dto.event {
                    app.state::<Desktop>().http_api.apply(&ctx, settings).await;
                }
                let _ = app.emit("botdesk://event", &published.dto);
            }
            Err(RecvError::Lagged(missed)) => {
                let missed = i64::try_from(missed).unwrap_or(i64::MAX);
                ctx.events().publish(Event::Lagged { missed });
            }
            Err(RecvError::Closed) => return,
        }
    }
}

fn main() -> anyhow::Result<()> {
    let data_dir = data_dir()?;
    let _log = logging::init(&data_dir, tracing::Level::INFO);
    let user = std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "owner".into());
    let window_state = data_dir.join("window-state.json");

    let app = tauri::Builder::default()
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(instance_id(&data_dir))
                .callback(|app, _argv, _cwd| {
                    if let Some(window) = app.get_webview_window("main") {
                        let _ = window.unminimize();
                        let _ = window.set_focus();
                    }
                })
                .build(),
        )
        .plugin(
            tauri_plugin_window_state::Builder::new()
                .with_filename(window_state.to_string_lossy())
                .build(),
        )
        .menu(menu)
        .setup(move |app| {
            // Opened here, after the single-instance check: a second launch hands over to the
            // running app without ever touching (or migrating) its store.
            let ctx = open_core(&data_dir);
            app.manage(Desktop {
                ctx: ctx.clone(),
                actor: Actor::Desktop(user),
                http_api: HttpApi::default(),
            });
            tracing::info!(data_dir = %data_dir.display(), ok = ctx.is_ok(), "desktop app started");
            tauri::async_runtime::spawn(quit_on_signal(app.handle().clone()));
            if let Ok(ctx) = ctx {
                let handle = app.handle().clone();
                tauri::async_runtime::spawn(async move {
                    if let Err(e) = botdesk_core::runtime::start(&ctx).await {
                        tracing::error!(code = e.code(), error = %e, "the job queue could not start");
                    }
                    match ctx.blocking(botdesk_core::system::settings::get).await {
                        Ok(settings) => {
                            handle
                                .state::<Desktop>()
                                .http_api
                                .apply(&ctx, &settings)
                                .await
                        }
                        Err(e) => tracing::warn!(error = %e, "cannot read the settings"),
                    }
                    forward_events(handle, ctx).await;
                });
            }
            Ok(())
        })
        .invoke_handler({
            // The table's operations through the core's dispatcher; the desktop's own three
            // through Tauri's.
            let dispatcher = botdesk_core::surface::dispatcher();
            let own: Box<tauri::ipc::InvokeHandler<tauri::Wry>> =
                Box::new(tauri::generate_handler![
                    commands::http_api_status,
                    commands::upload_media_path,
                    commands::media_file,
                ]);
            move |invoke: tauri::ipc::Invoke<tauri::Wry>| {
                let name = invoke.message.command().to_owned();
                if dispatcher.has(&name) {
                    commands::operation(&dispatcher, invoke)
                } else {
                    own(invoke)
                }
            }
        })
        .build(tauri::generate_context!())
        .context("the desktop app could not start")?;

    app.run(|app, event| {
        if let RunEvent::Exit = event {
            // A clean stop: the HTTP API finishes its requests, the core stops its background
            // work; the store's connections close when the process ends.
            let state = app.state::<Desktop>();
            tauri::async_runtime::block_on(state.http_api.stop());
            if let Ok(ctx) = &state.ctx {
                // Running jobs get a grace period, then go back to waiting for the next start.
                tauri::async_runtime::block_on(botdesk_core::runtime::stop(ctx));
            }
            tracing::info!("desktop app stopped");
        }
    });
    Ok(())
}
