//! The webhooks area: merchants' endpoints (secrets sealed at rest, shown once), the event
//! history, one delivery per event and subscribed endpoint carried by the `webhook_delivery`
//! queue, every attempt logged, replays, retention, and the bot's signed events coming in
//! (`POST /api/events`). The store-free rules (signing, schedule, the endpoint gate, health)
//! are `botdesk-webhooks`'.
//!
//! Delivery is at-least-once: a delivery whose 2xx was received but not yet recorded when the
//! process died is sent again, with the same `webhook-id`, so receivers drop the repeat. No
//! order is promised between deliveries (retries overtake); each body carries its event's
//! `timestamp` for receivers that need one.

pub mod api;
pub mod deliveries;
pub mod endpoints;
pub mod events;
pub mod ingest;
pub mod job;
pub mod retention;
pub mod sealed;
pub mod view;
pub mod wire;

pub use deliveries::{deliveries_of, delivery, replay, replay_failed};
pub use endpoints::{create, get, list, remove, rotate_secret, update};
pub use events::{handle_event, recent_events, send_test, status};
pub use ingest::{SignedRequest, ingest, ingest_enabled, rotate_ingest_secret};
pub use retention::prune;
pub use sealed::NO_SECRET_HERE;

/// Shells name these without depending on the crate.
pub use botdesk_webhooks::{Secret, signing};

use crate::services::Services;

pub(crate) use job::register as register_jobs;

/// The webhooks area's background work: retention.
pub(crate) fn spawn_loops(services: &Services) {
    retention::prune_every_hour(services);
}

#[cfg(test)]
mod tests;
