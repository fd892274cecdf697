//! What this process's sync is doing now, and the signals between the job, the scheduler and
//! the status publisher: the sync area's in-memory state (kept by the services, made on first
//! use; nothing of it is stored).

use std::sync::Mutex;

use botdesk_sync::files::FileProgress;
use tokio::sync::Notify;

/// A sync under way, for the status (it lasts as long as the sync).
#[derive(Debug, Clone, Default)]
pub(crate) struct Live {
    pub(crate) syncing: bool,
    /// The media file being sent to Storage.
    pub(crate) file: Option<FileProgress>,
}

/// The sync area's state in this process.
#[derive(Debug, Default)]
pub(crate) struct SyncRuntime {
    /// The owner asked to sync now (even during a backoff).
    pub(crate) now_requested: Notify,
    /// Look again now: the connection changed.
    pub(crate) kicked: Notify,
    /// The status moved: publish it.
    pub(crate) status_changed: Notify,
    live: Mutex<Live>,
}

impl SyncRuntime {
    pub(crate) fn request_now(&self) {
        self.now_requested.notify_one();
    }

    pub(crate) fn kick(&self) {
        self.kicked.notify_one();
    }

    /// Tells the publisher to read and publish the status (coalesced: a burst of changes is
    /// one read, and the newest status always goes out last).
    pub(crate) fn status_moved(&self) {
        self.status_changed.notify_one();
    }

    pub(crate) fn live(&self) -> Live {
        self.live.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn set_live(&self, live: Live) {
        *self.live.lock().unwrap_or_else(|p| p.into_inner()) = live;
    }

    pub(crate) fn set_file(&self, file: FileProgress) {
        self.live.lock().unwrap_or_else(|p| p.into_inner()).file = Some(file);
    }
}
