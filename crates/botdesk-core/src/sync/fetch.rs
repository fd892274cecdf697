//! Media files from the project's Storage bucket, fetched on demand: one fetch per file at a
//! time, resumed where a cut one stopped, kept only when its SHA-256 is its name.

use std::sync::Arc;

use botdesk_sync::SyncError;
use botdesk_sync::storage::{self, Storage};

use crate::error::CoreError;
use crate::services::Services;
use crate::sync::connection::load_connection;

/// The fetches under way, one per file: a second request for the same file waits for the first
/// instead of fetching it again.
#[derive(Debug, Default)]
pub(crate) struct Downloads(
    std::sync::Mutex<std::collections::HashMap<String, std::sync::Weak<tokio::sync::Mutex<()>>>>,
);

impl Downloads {
    fn lock_for(&self, sha256: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.retain(|_, w| w.strong_count() > 0);
        if let Some(lock) = map.get(sha256).and_then(std::sync::Weak::upgrade) {
            return lock;
        }
        let lock = Arc::new(tokio::sync::Mutex::new(()));
        map.insert(sha256.to_owned(), Arc::downgrade(&lock));
        lock
    }
}

/// Where the file named `sha256` is on this device, fetching it from the project's Storage
/// bucket first when it is not here (a photo added on another device). A fetch cut off goes on
/// from where it stopped the next time; what arrives is kept only if its SHA-256 is its name.
pub async fn fetch_file(ctx: &Services, sha256: &str) -> Result<std::path::PathBuf, CoreError> {
    let path = ctx.blobs().path(sha256)?;
    if path.exists() {
        return Ok(path);
    }
    let connection = ctx
        .blocking(|ctx| load_connection(ctx.secrets(), ctx.store()))
        .await?;
    let Some(settings) = connection.and_then(|c| c.storage) else {
        return Err(CoreError::NotFound {
            code: "media.file_not_on_this_device",
            message: "this file is not on this device (it was added on another one, or removed \
                      from the data folder); set up Supabase Storage on the Sync page to fetch it"
                .into(),
        });
    };
    let lock = ctx.area::<Downloads>().lock_for(sha256);
    let _turn = lock.lock().await;
    if path.exists() {
        return Ok(path);
    }
    let storage = Storage::new(&settings)?;
    let partial = ctx.blobs().incoming_path(sha256)?;
    let started = std::time::Instant::now();
    let bytes = storage
        .download(&storage::object_key(sha256), &partial)
        .await?;
    let sha = sha256.to_owned();
    let adopted = ctx
        .blocking(move |ctx| Ok(ctx.blobs().adopt(&partial, &sha)?))
        .await?;
    if adopted.is_none() {
        return Err(SyncError::FileDamaged(format!(
            "what Storage gave for {sha256} has another SHA-256; it was not kept"
        ))
        .into());
    }
    tracing::info!(
        sha256,
        bytes,
        took_ms = started.elapsed().as_millis() as u64,
        "fetched a file from Storage"
    );
    Ok(path)
}
