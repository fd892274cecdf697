//! The operations, one function each, grouped by area. The shells call these and nothing below.

pub mod maintenance;
pub mod system;
