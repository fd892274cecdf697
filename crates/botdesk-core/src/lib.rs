//! botdesk's API boundary. Both shells (the Tauri desktop app and the HTTP server) call the
//! operations in [`ops`] with a [`Ctx`] and get [`dto`] types or a [`CoreError`], which
//! [`CoreError::wire`] turns into the one error shape clients see. Every rule lives here or in
//! the capability crates below; the shells only translate.

pub mod bindings;
pub mod cache;
pub mod config;
pub mod ctx;
pub mod dto;
pub mod error;
pub mod events;
pub mod logging;
pub mod ops;
pub mod probe;
pub mod request;
pub mod secrets;
pub mod shutdown;

pub use config::{APP_IDENTIFIER, Config, ConfigOverrides, default_data_dir};
pub use ctx::{Ctx, CtxOptions, Shell, VERSION};
pub use error::{CoreError, ErrorKind, WireError};

pub use botdesk_media as media;
pub use botdesk_queue as queue;
/// Re-exported so that shells and tests name these types without depending on the crates.
pub use botdesk_store as store;
pub use botdesk_templates as templates;
pub use botdesk_webhooks as webhooks;
