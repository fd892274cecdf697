//! The operations, one function each, grouped by area. The shells call these and nothing below.

pub mod activity;
pub mod keys;
pub mod maintenance;
pub mod media;
pub mod orders;
pub mod queues;
pub mod settings;
pub mod sync;
pub mod system;
pub mod templates;
pub mod webhooks;
