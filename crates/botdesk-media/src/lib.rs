//! botdesk's media capability. This first part owns the decision of what an uploaded file is:
//! its type from its bytes (never from its name or the type the client declared), its
//! dimensions from its header, and the limits that refuse a file before anything decodes it.
//! `blobs` keeps the files, named by their content; `process` makes the variants; `library`
//! keeps the records (which file, which variants, who uses it).

pub mod blobs;
mod error;
mod heif;
pub mod inspect;
pub mod library;
pub mod process;

pub use blobs::{Blob, BlobStore};
pub use error::MediaError;
pub use inspect::{Category, Inspected, Limits, MediaKind, inspect, inspect_file, sniff};
pub use process::{Encoding, Fit, Output, ProcessOptions, Processed, VariantSpec, process};
