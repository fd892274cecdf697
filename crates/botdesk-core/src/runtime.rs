//! The engine's life: [`start`] registers every area's jobs on the queue, starts the queue's
//! engine and spawns every area's background loops on the current tokio runtime; [`stop`]
//! ends them. The areas say what they run (`register_jobs`, `spawn_loops`); this module is the
//! only one that knows them all, and nothing imports it back.

use std::sync::Arc;
use std::time::Duration;

use botdesk_queue::{ActivitySink, Engine, EngineOptions, Registry};

use crate::error::CoreError;
use crate::events::Event;
use crate::services::Services;

/// How long running jobs may take to finish when the app stops.
pub const QUEUE_GRACE: Duration = Duration::from_secs(10);

/// Starts the core's background work: the job queue with every area's handlers, and every
/// area's loops. It runs until [`stop`]. Starting twice starts nothing more.
pub async fn start(services: &Services) -> Result<(), CoreError> {
    if services.queue_engine().is_some() {
        return Ok(());
    }
    let mut registry = Registry::new();
    crate::queues::register_jobs(&mut registry, services);
    crate::media::register_jobs(&mut registry, services);
    crate::webhooks::register_jobs(&mut registry, services)?;
    crate::sync::register_jobs(&mut registry, services);
    let lease = Duration::from_secs(services.config().queue_lease_seconds);
    let options = EngineOptions {
        lease,
        heartbeat: lease / 3,
        ..EngineOptions::default()
    };
    let bus = services.clone();
    let sink: ActivitySink =
        Arc::new(move |activity| bus.events().publish(Event::QueueActivity { activity }));
    let engine = Engine::start(Arc::clone(services.store_arc()), registry, options, sink).await?;
    if let Err(engine) = services.keep_engine(engine) {
        // Started concurrently by another caller: keep theirs.
        engine.shutdown(Duration::ZERO).await;
        return Ok(());
    }
    crate::system::spawn_loops(services);
    crate::webhooks::spawn_loops(services);
    crate::sync::spawn_loops(services);
    Ok(())
}

/// Stops background work: no new jobs are claimed, running ones get [`QUEUE_GRACE`] to
/// finish, then go back to waiting. Idempotent.
pub async fn stop(services: &Services) {
    services.shutdown();
    if let Some(engine) = services.queue_engine() {
        engine.shutdown(QUEUE_GRACE).await;
    }
}
