//! Sync as the owner drives it: the connection (read, saved, tested), and what to do about the
//! rows the server refused.

use botdesk_store::Actor;
use botdesk_sync::local::{self, ErrorRow};
use botdesk_sync::storage::Storage;
use botdesk_sync::{RemoteConfig, SyncError};

use crate::error::CoreError;
use crate::services::Services;
use crate::sync::connection::{
    Connection, check_connection_string, check_user_id, connection_dto, load_connection,
    merge_storage, remote_config, save_connection,
};
use crate::sync::live::SyncRuntime;
use crate::sync::status;
use crate::sync::wire::{
    SyncConnectionDto, SyncConnectionUpdate, SyncErrorDto, SyncFailureDto, SyncStorageTestDto,
    SyncTestDto,
};

pub fn connection(ctx: &Services) -> Result<SyncConnectionDto, CoreError> {
    Ok(connection_dto(
        load_connection(ctx.secrets(), ctx.store())?.as_ref(),
    ))
}

/// Saves the connection (checked first; sealed with this data dir's key).
pub fn set_connection(
    ctx: &Services,
    actor: &Actor,
    update: SyncConnectionUpdate,
) -> Result<SyncConnectionDto, CoreError> {
    let current = load_connection(ctx.secrets(), ctx.store())?;
    let removing = update
        .connection_string
        .as_deref()
        .is_some_and(|s| s.trim().is_empty());
    let next = if removing {
        None
    } else {
        let connection_string = match update.connection_string.as_deref() {
            Some(s) => check_connection_string(s)?,
            None => match &current {
                Some(c) => c.connection_string.clone(),
                None => {
                    return Err(CoreError::invalid_field(
                        "sync.invalid_connection_string",
                        "connection_string",
                        "give the project's database connection string first",
                    ));
                }
            },
        };
        let user_id = match update.user_id.as_deref() {
            Some(u) => check_user_id(u)?,
            None => current.as_ref().and_then(|c| c.user_id.clone()),
        };
        let storage = merge_storage(
            current.as_ref().and_then(|c| c.storage.as_ref()),
            update.storage.as_ref(),
            &connection_string,
        )?;
        Some(Connection {
            connection_string,
            user_id,
            enabled: update
                .enabled
                .unwrap_or(current.as_ref().is_none_or(|c| c.enabled)),
            storage,
        })
    };
    save_connection(ctx, actor, next.as_ref())?;
    // A new connection starts with a clean slate: no backoff from the old one.
    status::reset_outcome(ctx.store())?;
    ctx.area::<SyncRuntime>().kick();
    status::publish_status(ctx);
    Ok(connection_dto(next.as_ref()))
}

/// Tries the connection (the saved one, or `candidate`), without syncing.
pub async fn test_connection(
    ctx: &Services,
    candidate: Option<SyncConnectionUpdate>,
) -> Result<SyncTestDto, CoreError> {
    let saved = ctx
        .blocking(|ctx| load_connection(ctx.secrets(), ctx.store()))
        .await?;
    let candidate = candidate.unwrap_or_default();
    let config = match candidate.connection_string.as_deref() {
        Some(s) if !s.trim().is_empty() => RemoteConfig {
            connection_string: check_connection_string(s)?,
            user_id: saved.as_ref().and_then(|c| c.user_id.clone()),
            device_id: ctx.store().device_id().to_owned(),
        },
        _ => match &saved {
            Some(c) => remote_config(c, ctx.store()),
            None => return Err(SyncError::NotConfigured.into()),
        },
    };
    let storage = merge_storage(
        saved.as_ref().and_then(|c| c.storage.as_ref()),
        candidate.storage.as_ref(),
        &config.connection_string,
    )?;
    let failure = |e: &SyncError| SyncFailureDto {
        code: e.code().to_owned(),
        message: e.to_string(),
    };
    let database = async {
        let started = std::time::Instant::now();
        let outcome = async {
            let mut remote = botdesk_sync::remote::Remote::connect(&config).await?;
            remote.check().await
        }
        .await;
        (outcome, started.elapsed())
    };
    let bucket = async {
        let settings = storage.as_ref()?;
        let started = std::time::Instant::now();
        let outcome = match Storage::new(settings) {
            Ok(s) => s.check().await,
            Err(e) => Err(e),
        };
        Some(SyncStorageTestDto {
            ok: outcome.is_ok(),
            failure: outcome.err().map(|e| failure(&e)),
            took_ms: started.elapsed().as_millis() as i64,
        })
    };
    let ((outcome, took), storage) = tokio::join!(database, bucket);
    Ok(SyncTestDto {
        ok: outcome.is_ok(),
        failure: outcome.err().map(|e| failure(&e)),
        took_ms: took.as_millis() as i64,
        storage,
    })
}

fn error_dto(e: ErrorRow) -> SyncErrorDto {
    SyncErrorDto {
        id: e.id,
        table: e.table,
        row_id: e.row_id,
        code: e.code,
        reason: e.reason,
        attempts: e.attempts,
        first_at: e.first_at,
        last_at: e.last_at,
    }
}

pub fn errors(ctx: &Services) -> Result<Vec<SyncErrorDto>, CoreError> {
    Ok(local::errors(ctx.store())?
        .into_iter()
        .map(error_dto)
        .collect())
}

fn find_error(ctx: &Services, id: &str) -> Result<ErrorRow, CoreError> {
    local::error(ctx.store(), id.trim())?.ok_or_else(|| CoreError::NotFound {
        code: "sync.error_not_found",
        message: format!("no sync error {id:?} (resolved already?)"),
    })
}

/// What the owner does about a refused row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Send it again on the next sync.
    Retry,
    /// Keep this device's version, unsent until it changes again.
    KeepLocal,
    /// Take the server's version (or none), dropping this device's change.
    DiscardLocal,
}

impl std::str::FromStr for Resolution {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Resolution, CoreError> {
        match s {
            "retry" => Ok(Resolution::Retry),
            "keep-local" => Ok(Resolution::KeepLocal),
            "discard-local" => Ok(Resolution::DiscardLocal),
            other => Err(CoreError::NotFound {
                code: "http.not_found",
                message: format!("{other:?} is not retry, keep-local or discard-local"),
            }),
        }
    }
}

pub async fn resolve(
    ctx: &Services,
    actor: &Actor,
    id: &str,
    resolution: Resolution,
) -> Result<(), CoreError> {
    let error = {
        let id = id.to_owned();
        ctx.blocking(move |ctx| find_error(ctx, &id)).await?
    };
    match resolution {
        Resolution::Retry => {
            let actor = actor.clone();
            ctx.blocking(move |ctx| Ok(local::retry_error(ctx.store(), &actor, &error)?))
                .await?;
            ctx.area::<SyncRuntime>().request_now();
        }
        Resolution::KeepLocal => {
            ctx.blocking(move |ctx| Ok(local::keep_local(ctx.store(), &error)?))
                .await?;
        }
        Resolution::DiscardLocal => {
            let connection = ctx
                .blocking(|ctx| load_connection(ctx.secrets(), ctx.store()))
                .await?
                .ok_or(SyncError::NotConfigured)?;
            let config = remote_config(&connection, ctx.store());
            let mut remote = botdesk_sync::remote::Remote::connect(&config).await?;
            let server = remote.pull_one(&error.table, &error.row_id).await?;
            let actor = Actor::Sync(ctx.store().device_id().to_owned());
            ctx.blocking(move |ctx| {
                Ok(local::take_server(
                    ctx.store(),
                    &actor,
                    &error,
                    server.as_ref(),
                )?)
            })
            .await?;
        }
    }
    ctx.area::<SyncRuntime>().status_moved();
    Ok(())
}
