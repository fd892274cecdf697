//! System tests: the real `botdesk` binary on real SQLite files in temp dirs, serving on
//! 127.0.0.1 with a free port, each bounded in time and stopped by the test.

// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

mod cli;
mod events;
mod http;
mod media;
mod openapi;
mod pg;
mod queues;
mod receiver;
mod s3;
mod support;
mod sync;
mod sync_app;
mod sync_server;
mod sync_storage;
mod templates;
mod webhooks;
