//! botdesk's media capability. This first part owns the decision of what an uploaded file is:
//! its type from its bytes (never from its name or the type the client declared), its
//! dimensions from its header, and the limits that refuse a file before anything decodes it.
//! Storage, processing and the API build on it (issue 6).

mod error;
pub mod inspect;

pub use error::MediaError;
pub use inspect::{Category, Inspected, Limits, MediaKind, inspect, sniff};
