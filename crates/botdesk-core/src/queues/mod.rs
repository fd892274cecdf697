//! The queues area: the job queues as the monitor, the CLI and the bot see them (counts,
//! lists, details, enqueueing, the owner's actions) and the probe, the job kind every queue
//! runs so that the owner can check a queue works.

pub mod api;
pub mod ops;
pub mod probe;
pub mod wire;

pub use ops::*;

use botdesk_queue::Registry;

use crate::services::Services;

/// The probe, on every queue.
pub(crate) fn register_jobs(registry: &mut Registry, services: &Services) {
    probe::register(registry, services.data_dir());
}
