//! The templates area: message templates listed, read, created, saved (a new version each
//! time), moved between draft, active and archived, rolled back, deleted or archived,
//! validated and previewed. The rules are `botdesk-templates`'; this area composes them with
//! the store and publishes `template.*` events.

pub mod api;
pub mod ops;
pub mod wire;

pub use ops::*;

/// Shells name these without depending on the crate.
pub use botdesk_templates::{Rule, TemplateContent};
