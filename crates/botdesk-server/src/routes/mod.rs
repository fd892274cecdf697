//! The handlers, by area. Each parses, calls one core op, and maps its error.

pub mod activity;
pub mod media;
pub mod orders;
pub mod queues;
pub mod settings;
pub mod sync;
pub mod system;
pub mod templates;
pub mod webhooks;
