//! The system area: health and versions, the owner's settings, the audit trail as the Activity
//! page reads it (and the watcher that tells the UI it grew), API keys, and store maintenance
//! from outside the app.

pub mod activity;
pub mod api;
pub mod info;
pub mod keys;
pub mod maintenance;
pub mod settings;
pub mod wire;

use crate::services::Services;

/// The system area's background work: the audit-trail watcher.
pub(crate) fn spawn_loops(services: &Services) {
    activity::watch_audit_trail(services);
}

pub use info::{health, info};
