//! `Ctx`: the clone-able handle on everything an operation needs (store, settings, clock,
//! event bus). Both shells hold one; a test makes one over a temp data dir, with no window and
//! no server.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use botdesk_queue::{ActivitySink, Engine, EngineOptions, Registry};

use botdesk_store::{Clock, Store, StoreError, StoreOptions, SystemClock, Timestamp};
use tokio::sync::watch;

use crate::config::Config;
use crate::dto::Event;
use crate::error::CoreError;
use crate::events::EventBus;

/// Which program the core runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    Desktop,
    Server,
    Cli,
}

impl Shell {
    pub fn as_str(self) -> &'static str {
        match self {
            Shell::Desktop => "desktop",
            Shell::Server => "server",
            Shell::Cli => "cli",
        }
    }
}

/// How to open a [`Ctx`].
#[derive(Debug, Clone)]
pub struct CtxOptions {
    pub data_dir: PathBuf,
    pub config: Config,
    pub clock: Arc<dyn Clock>,
    pub shell: Shell,
}

impl CtxOptions {
    pub fn new(data_dir: impl Into<PathBuf>, config: Config, shell: Shell) -> CtxOptions {
        CtxOptions {
            data_dir: data_dir.into(),
            config,
            clock: Arc::new(SystemClock),
            shell,
        }
    }
}

/// The core, opened on one data dir.
#[derive(Clone)]
pub struct Ctx(Arc<Inner>);

struct Inner {
    data_dir: PathBuf,
    config: Config,
    store: Arc<Store>,
    events: Arc<EventBus>,
    /// Media files by content, under `DATA_DIR/media/`.
    blobs: Arc<botdesk_media::BlobStore>,
    /// Seals secrets at rest with the data dir's key.
    secrets: Arc<crate::secrets::SecretBox>,
    /// The job queue's engine, once [`Ctx::start`] ran (never in the CLI).
    queue: OnceLock<Engine>,
    /// What queues sync, once [`Ctx::start`] ran.
    sync: OnceLock<Arc<crate::ops::sync::Scheduler>>,
    shell: Shell,
    stop: watch::Sender<bool>,
    caches: Caches,
    /// Files being fetched from the project's Storage bucket.
    downloads: crate::ops::sync::Downloads,
    /// How many blocking store jobs may run at once. The rest wait here, as cheap async tasks,
    /// rather than as hundreds of threads contending for a few connections and cores.
    gate: tokio::sync::Semaphore,
}

/// What the core keeps of the store in memory, exact until the next commit (see [`crate::cache`]).
#[derive(Debug, Default)]
pub(crate) struct Caches {
    pub keys: crate::cache::StoreCached<crate::ops::keys::KeySnapshot>,
    pub templates: crate::cache::StoreCachedMap<botdesk_store::Id, crate::ops::templates::Prepared>,
}

/// Blocking store jobs running at once: the read pool, plus room for writers.
const CONCURRENT_STORE_JOBS: usize = 10;

impl fmt::Debug for Ctx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ctx")
            .field("data_dir", &self.0.data_dir)
            .field("store", &self.0.store)
            .field("shell", &self.0.shell)
            .finish_non_exhaustive()
    }
}

/// How long running jobs may take to finish when the app stops.
pub const QUEUE_GRACE: Duration = Duration::from_secs(10);

/// How often background work looks for changes made by other writers.
const WATCH_INTERVAL: Duration = Duration::from_millis(500);

impl Ctx {
    /// Opens the store in the data dir (creating and migrating it as needed).
    pub fn open(options: CtxOptions) -> Result<Ctx, CoreError> {
        let store = Store::open(
            &options.data_dir,
            StoreOptions {
                clock: options.clock.clone(),
                ..StoreOptions::default()
            },
        )?;
        let blobs = botdesk_media::BlobStore::open(&options.data_dir)?;
        let secrets = crate::secrets::SecretBox::open(&options.data_dir)?;
        let (stop, _) = watch::channel(false);
        Ok(Ctx(Arc::new(Inner {
            blobs: Arc::new(blobs),
            secrets: Arc::new(secrets),
            data_dir: options.data_dir,
            config: options.config,
            store: Arc::new(store),
            events: Arc::new(EventBus::new(options.clock)),
            queue: OnceLock::new(),
            sync: OnceLock::new(),
            shell: options.shell,
            stop,
            gate: tokio::sync::Semaphore::new(CONCURRENT_STORE_JOBS),
            caches: Caches::default(),
            downloads: crate::ops::sync::Downloads::default(),
        })))
    }

    pub(crate) fn downloads(&self) -> &crate::ops::sync::Downloads {
        &self.0.downloads
    }

    pub fn data_dir(&self) -> &Path {
        &self.0.data_dir
    }

    pub fn blobs(&self) -> &Arc<botdesk_media::BlobStore> {
        &self.0.blobs
    }

    pub fn secrets(&self) -> &crate::secrets::SecretBox {
        &self.0.secrets
    }

    pub(crate) fn secrets_arc(&self) -> &Arc<crate::secrets::SecretBox> {
        &self.0.secrets
    }

    pub(crate) fn events_arc(&self) -> &Arc<EventBus> {
        &self.0.events
    }

    pub(crate) fn store_arc(&self) -> &Arc<Store> {
        &self.0.store
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    pub fn events(&self) -> &EventBus {
        &self.0.events
    }

    pub(crate) fn caches(&self) -> &Caches {
        &self.0.caches
    }

    pub fn shell(&self) -> Shell {
        self.0.shell
    }

    pub fn now(&self) -> Timestamp {
        self.0.store.now()
    }

    /// Runs blocking store work off the async runtime's worker threads.
    pub async fn blocking<T, F>(&self, f: F) -> Result<T, CoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Ctx) -> Result<T, CoreError> + Send + 'static,
    {
        let _permit = self
            .0
            .gate
            .acquire()
            .await
            .map_err(|_| CoreError::Internal("the store gate is closed".into()))?;
        let ctx = self.clone();
        tokio::task::spawn_blocking(move || f(&ctx)).await?
    }

    /// The job queue's engine, when this process runs one (the shells do, after
    /// [`Ctx::start`]; the CLI does not).
    pub fn queue_engine(&self) -> Option<&Engine> {
        self.0.queue.get()
    }

    /// The sync scheduler, once [`Ctx::start`] ran.
    pub fn sync_scheduler(&self) -> Option<&Arc<crate::ops::sync::Scheduler>> {
        self.0.sync.get()
    }

    /// Starts the core's background work on the current tokio runtime: the audit-trail
    /// watcher and the job queue with every capability's handlers. It runs until
    /// [`Ctx::stop`]. Starting twice starts nothing more.
    pub async fn start(&self) -> Result<(), CoreError> {
        if self.0.queue.get().is_some() {
            return Ok(());
        }
        tokio::spawn(watch_audit_trail(self.clone(), self.0.stop.subscribe()));
        tokio::spawn(prune_webhook_history(self.clone(), self.0.stop.subscribe()));
        let mut registry = Registry::new();
        crate::probe::register(&mut registry, &self.0.data_dir);
        crate::ops::media::register(&mut registry, self);
        crate::ops::webhooks::register(&mut registry, self)?;
        let scheduler = crate::ops::sync::register(&mut registry, self);
        let lease = Duration::from_secs(self.0.config.queue_lease_seconds);
        let options = EngineOptions {
            lease,
            heartbeat: lease / 3,
            ..EngineOptions::default()
        };
        let events = Arc::clone(&self.0.events);
        let sink: ActivitySink =
            Arc::new(move |activity| events.publish(Event::QueueActivity { activity }));
        let engine = Engine::start(Arc::clone(&self.0.store), registry, options, sink).await?;
        if let Err(engine) = self.0.queue.set(engine) {
            // Started concurrently by another caller: keep theirs.
            engine.shutdown(Duration::ZERO).await;
            return Ok(());
        }
        if self.0.sync.set(Arc::clone(&scheduler)).is_ok() {
            tokio::spawn(crate::ops::sync::run_scheduler(
                self.clone(),
                scheduler,
                self.0.stop.subscribe(),
            ));
        }
        Ok(())
    }

    /// Stops background work: no new jobs are claimed, running ones get `QUEUE_GRACE` to
    /// finish, then go back to waiting. Idempotent.
    pub async fn stop(&self) {
        self.shutdown();
        if let Some(engine) = self.0.queue.get() {
            engine.shutdown(QUEUE_GRACE).await;
        }
    }

    /// Tells background work to stop, without waiting for the job queue (see [`Ctx::stop`]).
    pub fn shutdown(&self) {
        self.0.stop.send_replace(true);
    }

    /// Whether [`Ctx::shutdown`] was called.
    pub fn is_shutting_down(&self) -> bool {
        *self.0.stop.borrow()
    }
}

fn last_audit_seq(ctx: &Ctx) -> Result<i64, CoreError> {
    Ok(ctx.store().read(|c| {
        Ok::<_, StoreError>(
            c.query_row("SELECT ifnull(max(seq), 0) FROM audit_logs", [], |r| {
                r.get(0)
            })?,
        )
    })?)
}

/// Publishes `audit.appended` whenever the trail grows, whoever wrote to it: this process, the
/// CLI, or the sqlite3 shell. The audit trail is written by triggers, so watching it is the one
/// way to see every change.
async fn watch_audit_trail(ctx: Ctx, mut stop: watch::Receiver<bool>) {
    let mut last = match ctx.blocking(last_audit_seq).await {
        Ok(seq) => seq,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the audit trail; activity will not update live");
            return;
        }
    };
    let mut tick = tokio::time::interval(WATCH_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
        match ctx.blocking(last_audit_seq).await {
            Ok(seq) if seq > last => {
                last = seq;
                ctx.events().publish(Event::AuditAppended { last_seq: seq });
            }
            Ok(_) => {}
            Err(e) => tracing::debug!(error = %e, "audit watch: read failed; trying again"),
        }
    }
}

/// How often delivery attempts and events past their retention are deleted.
const PRUNE_INTERVAL: Duration = Duration::from_secs(3600);

/// Keeps the webhook log and event history within `webhook_log_retention_days`: at start, then
/// every hour.
async fn prune_webhook_history(ctx: Ctx, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(PRUNE_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
        match ctx.blocking(crate::ops::webhooks::prune).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "webhook log and event history pruned"),
            Err(e) => {
                tracing::warn!(error = %e, "pruning the webhook log failed; trying again in an hour")
            }
        }
    }
}

/// The version of botdesk.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
