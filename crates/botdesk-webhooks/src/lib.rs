//! botdesk's webhooks capability, free of the store and the queue (the core composes them):
//! the event catalogue and payload checks (`events`), Standard Webhooks signing and
//! verification (`signing`), what an endpoint may be (`endpoints`), the SSRF guard (`ssrf`),
//! the retry schedule (`schedule`) and one HTTP attempt (`send`).

pub mod endpoints;
mod error;
pub mod events;
pub mod gate;
pub mod health;
pub mod schedule;
pub mod send;
pub mod signing;
pub mod ssrf;

pub use error::WebhookError;
pub use events::EventType;
pub use signing::{Secret, Signed, VerifyError};
pub use ssrf::AddressPolicy;
