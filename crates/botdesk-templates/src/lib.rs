//! botdesk's message templates: what a template is ([`model`]), its text parsed once into
//! literals and placeholders ([`parse`]), WhatsApp's rules in one table and their check
//! ([`rules`]), rendering and the Cloud API payloads ([`render`]), comparing versions
//! ([`diff`]), and saving them ([`versions`]: every save a version, conflicts refused, rollback,
//! archive rather than delete).

pub mod diff;
pub mod model;
pub mod parse;
pub mod render;
pub mod rules;
pub mod versions;

pub use model::{Button, Header, ListRow, ListSection, ListSpec, TemplateContent, VariableDecl};
pub use render::{MediaRef, Rendered, SendOptions, Values};
pub use rules::{Checked, Compiled, Issue, RULES, Rule, check};
