//! The orders area: orders as the owner sees and changes them in the app, each change
//! announced to the merchant's webhooks in the transaction that makes it.

pub mod api;
pub mod ops;
pub mod phone;
pub mod wire;

pub use ops::*;
