//! botdesk's message templates: what a template is ([`model`]), its text parsed once into
//! literals and placeholders ([`parse`]), WhatsApp's rules in one table and their check
//! ([`rules`]), rendering and the Cloud API payloads ([`render`]), and comparing versions
//! ([`diff`]).
//!
//! Nothing here touches the store or the network: the core composes this with storage.

pub mod diff;
pub mod model;
pub mod parse;
pub mod render;
pub mod rules;

pub use model::{Button, Header, ListRow, ListSection, ListSpec, TemplateContent, VariableDecl};
pub use render::{MediaRef, Rendered, SendOptions, Values};
pub use rules::{Checked, Compiled, Issue, RULES, Rule, check};
