//! The sync area: sync with the bot's Supabase project as the app runs it: the connection
//! (sealed at rest, never shown whole), the `sync` job on the queue, the scheduler that queues
//! it (on a timer, shortly after local changes, at once when asked, and backing off while the
//! server does not answer), the status the indicator shows, media files fetched from Storage
//! on demand, and what the owner does about refused rows. The sync itself is `botdesk-sync`'s.

pub mod api;
pub mod connection;
pub mod fetch;
pub mod job;
pub mod live;
pub mod ops;
pub mod scheduler;
pub mod status;
pub mod wire;

pub use connection::DEFAULT_BUCKET;
pub use fetch::fetch_file;
pub use job::{RunSync, sync_here};
pub use ops::{Resolution, connection, errors, resolve, set_connection, test_connection};
pub use scheduler::{DEBOUNCE, TIMER, enqueue, sync_now};
pub use status::status;

use std::sync::Arc;

use botdesk_queue::Registry;

use crate::services::Services;

/// The `sync` job.
pub(crate) fn register_jobs(registry: &mut Registry, services: &Services) {
    registry.register::<RunSync>(Arc::new(services.downgrade()));
}

/// The sync area's background work: the scheduler and the status publisher.
pub(crate) fn spawn_loops(services: &Services) {
    scheduler::run(services);
    status::publish_when_moved(services);
}
