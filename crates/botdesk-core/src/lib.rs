//! botdesk's API boundary and engine. Both shells (the Tauri desktop app and the HTTP server)
//! open [`Services`] on a data dir, start the [`runtime`], and call the operations of each area
//! (`system`, `templates`, `queues`, `media`, `catalog`, `orders`, `webhooks`, `sync`); they get
//! [`dto`] types or a [`CoreError`], which [`CoreError::wire`] turns into the one error shape
//! clients see. Every rule lives here or in the capability crates below; the shells only
//! translate.
//!
//! Layers, each importing only from those before it: the shared ground (`error`, `config`,
//! `services`, `cache`, `secrets`, `request`, `ids`, `caller`, the `api` machinery), the areas,
//! then `events` and `dto` (which gather the areas' wire types), and `runtime` and `surface`
//! (which know every area: its jobs and loops, its operations).

pub mod api;
pub mod bindings;
pub mod cache;
pub mod caller;
pub mod catalog;
pub mod config;
pub mod dto;
pub mod error;
pub mod events;
mod ids;
pub mod logging;
pub mod media;
pub mod orders;
pub mod queues;
pub mod request;
pub mod runtime;
pub mod secrets;
pub mod services;
pub mod shutdown;
pub mod surface;
pub mod sync;
pub mod system;
pub mod templates;
pub mod webhooks;

pub use caller::Caller;
pub use config::{APP_IDENTIFIER, Config, ConfigOverrides, default_data_dir};
pub use error::{CoreError, ErrorKind, WireError};
pub use services::{Services, ServicesOptions, Shell, VERSION};

/// Re-exported so that shells and tests name these types without depending on the crates.
pub use botdesk_queue as queue;
pub use botdesk_store as store;
