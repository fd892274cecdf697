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
    // The engine is the services' own: what it holds of them must not keep them alive.
    let bus = services.downgrade();
    let sink: ActivitySink = Arc::new(move |activity| {
        if let Some(services) = bus.upgrade() {
            services.events().publish(Event::QueueActivity { activity });
        }
    });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::services::{ServicesOptions, Shell};

    /// The engine is the services' own and holds only weak handles on them: once stopped and
    /// dropped, nothing keeps them (and their store's connections) alive.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn stopped_services_are_let_go() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let services = Services::open(ServicesOptions::new(
            dir.path(),
            Config::default(),
            Shell::Server,
        ))
        .expect("the core opens");
        start(&services).await.expect("it starts");
        assert!(services.queue_engine().is_some());
        let weak = services.downgrade();
        stop(&services).await;
        drop(services);
        // The loops notice the stop at their next turn.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while weak.upgrade().is_some() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "something still holds the services"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
