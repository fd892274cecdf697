//! The desktop shell: a Tauri window on the built UI (`ui/dist`), with the core in-process.
//! The store lives in the platform's app-data folder. Commands translate, nothing more.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use anyhow::Context;
use botdesk_core::dto::{HealthDto, SystemInfoDto};
use botdesk_core::{Config, ConfigOverrides, Ctx, CtxOptions, logging, ops};
use tauri::Manager;

#[tauri::command]
fn health(ctx: tauri::State<'_, Ctx>) -> HealthDto {
    ops::system::health(&ctx)
}

#[tauri::command]
fn system_info(ctx: tauri::State<'_, Ctx>) -> SystemInfoDto {
    ops::system::info(&ctx)
}

fn main() -> anyhow::Result<()> {
    tauri::Builder::default()
        .setup(|app| {
            let data_dir = match std::env::var_os("BOTDESK_DATA_DIR") {
                Some(dir) => dir.into(),
                None => app
                    .path()
                    .app_data_dir()
                    .context("no app-data folder for this user")?,
            };
            let guard = logging::init(&data_dir, tracing::Level::INFO);
            let config = Config::load(
                &data_dir,
                |k| std::env::var(k).ok(),
                &ConfigOverrides::default(),
            )?;
            let ctx = Ctx::open(CtxOptions::new(&data_dir, config, botdesk_core::Shell::Desktop))?;
            tracing::info!(data_dir = %data_dir.display(), "desktop app started");
            app.manage(ctx);
            app.manage(guard);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![health, system_info])
        .run(tauri::generate_context!())
        .context("the desktop app failed")
}
