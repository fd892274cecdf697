//! The routes served by hand: what is not a JSON operation of the core's table (the
//! multipart upload, files, the bot's signed events, the server's own reports).

pub mod media;
pub mod system;
pub mod webhooks;
