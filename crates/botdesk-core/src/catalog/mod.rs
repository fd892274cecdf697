//! The catalogue area: products and merchants.

pub mod api;
pub mod ops;
pub mod wire;

pub use ops::*;
