//! The media area: uploads (base64 JSON or a stream), the library (read, list, delete, link to
//! products), files served (fetched from Storage when added elsewhere) and the
//! `media_processing` job that makes an image's variants. The rules are `botdesk-media`'s;
//! this area composes them with the store, the blob store, the queue and the event bus.

pub mod api;
pub mod file;
pub mod job;
pub mod records;
pub mod replace;
pub mod upload;
pub mod view;
pub mod wire;

pub use file::{MediaFileRef, file};
pub use records::{get, link_product, list, remove, reprocess, unlink_product};
pub use upload::{upload_base64, upload_path, upload_stream};
pub use view::dto;

pub(crate) use job::register as register_jobs;

/// Shells name this without depending on the crate.
pub use botdesk_media::MediaError;
pub use botdesk_media::library::Upload;
