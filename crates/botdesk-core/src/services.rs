//! `Services`: the clone-able handle that operations and jobs share: the store and the one gate
//! in front of it, the event bus, the media blob store, the sealed-secrets box, the settings,
//! the clock, and a slot per area for that area's own in-memory state. It names no area's type:
//! an area keeps its state here through [`Services::area`], and the [`crate::runtime`] starts
//! and stops the background work. A test opens one over a temp data dir, with no window and no
//! server.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use botdesk_queue::Engine;
use botdesk_store::{Clock, Store, StoreOptions, SystemClock, Timestamp};
use tokio::sync::watch;

use crate::config::Config;
use crate::error::CoreError;
use crate::events::EventBus;
use crate::secrets::SecretBox;

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

/// How to open [`Services`].
#[derive(Debug, Clone)]
pub struct ServicesOptions {
    pub data_dir: PathBuf,
    pub config: Config,
    pub clock: Arc<dyn Clock>,
    pub shell: Shell,
}

impl ServicesOptions {
    pub fn new(data_dir: impl Into<PathBuf>, config: Config, shell: Shell) -> ServicesOptions {
        ServicesOptions {
            data_dir: data_dir.into(),
            config,
            clock: Arc::new(SystemClock),
            shell,
        }
    }
}

/// The core, opened on one data dir.
#[derive(Clone)]
pub struct Services(Arc<Inner>);

/// A handle on [`Services`] that does not keep them alive: what the queue's engine holds (its
/// jobs' state, its activity sink), since the services hold the engine. A strong handle there
/// would be a cycle, and services dropped would never close their store.
#[derive(Clone)]
pub struct WeakServices(std::sync::Weak<Inner>);

impl fmt::Debug for WeakServices {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakServices").finish_non_exhaustive()
    }
}

impl WeakServices {
    /// The services, while anything else still holds them.
    pub fn upgrade(&self) -> Option<Services> {
        self.0.upgrade().map(Services)
    }

    /// [`WeakServices::upgrade`] for a job: gone services mean botdesk is stopping, and the
    /// attempt is put back for the next start.
    pub fn for_job(&self) -> Result<Services, botdesk_queue::JobError> {
        self.upgrade()
            .ok_or_else(|| botdesk_queue::JobError::retry("botdesk is stopping"))
    }
}

struct Inner {
    data_dir: PathBuf,
    config: Config,
    store: Arc<Store>,
    events: Arc<EventBus>,
    /// Media files by content, under `DATA_DIR/media/`.
    blobs: Arc<botdesk_media::BlobStore>,
    /// Seals secrets at rest with the data dir's key.
    secrets: Arc<SecretBox>,
    /// The job queue's engine, once the runtime started it (never in the CLI).
    engine: OnceLock<Engine>,
    shell: Shell,
    stop: watch::Sender<bool>,
    /// Each area's in-memory state, by its type (caches, fetches under way, schedulers).
    areas: RwLock<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
    /// How many blocking store jobs may run at once. The rest wait here, as cheap async tasks,
    /// rather than as hundreds of threads contending for a few connections and cores.
    gate: tokio::sync::Semaphore,
    /// How many CPU-bound tasks run at once: one per core.
    cpu_gate: tokio::sync::Semaphore,
}

/// Blocking store jobs running at once: the read pool (8), the writer, and room for the
/// webhook workers' recordings to wait on the writer without holding readers back (at 10,
/// deliveries/s fell by a fifth: docs/benchmarks.md).
const CONCURRENT_STORE_JOBS: usize = 32;

impl fmt::Debug for Services {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Services")
            .field("data_dir", &self.0.data_dir)
            .field("store", &self.0.store)
            .field("shell", &self.0.shell)
            .finish_non_exhaustive()
    }
}

impl Services {
    /// Opens the store in the data dir (creating and migrating it as needed).
    pub fn open(options: ServicesOptions) -> Result<Services, CoreError> {
        let store = Store::open(
            &options.data_dir,
            StoreOptions {
                clock: options.clock.clone(),
                ..StoreOptions::default()
            },
        )?;
        let blobs = botdesk_media::BlobStore::open(&options.data_dir)?;
        let secrets = SecretBox::open(&options.data_dir)?;
        let (stop, _) = watch::channel(false);
        Ok(Services(Arc::new(Inner {
            blobs: Arc::new(blobs),
            secrets: Arc::new(secrets),
            data_dir: options.data_dir,
            config: options.config,
            store: Arc::new(store),
            events: Arc::new(EventBus::new(options.clock)),
            engine: OnceLock::new(),
            shell: options.shell,
            stop,
            areas: RwLock::new(HashMap::new()),
            gate: tokio::sync::Semaphore::new(CONCURRENT_STORE_JOBS),
            cpu_gate: tokio::sync::Semaphore::new(cores()),
        })))
    }

    pub fn data_dir(&self) -> &Path {
        &self.0.data_dir
    }

    pub fn blobs(&self) -> &Arc<botdesk_media::BlobStore> {
        &self.0.blobs
    }

    pub fn secrets(&self) -> &SecretBox {
        &self.0.secrets
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    /// The store as the queue engine holds it.
    pub(crate) fn store_arc(&self) -> &Arc<Store> {
        &self.0.store
    }

    pub fn events(&self) -> &EventBus {
        &self.0.events
    }

    pub fn shell(&self) -> Shell {
        self.0.shell
    }

    pub fn now(&self) -> Timestamp {
        self.0.store.now()
    }

    /// Runs blocking store work off the async runtime's worker threads, behind the store gate:
    /// every store call an async task makes goes through here.
    pub async fn blocking<T, F>(&self, f: F) -> Result<T, CoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Services) -> Result<T, CoreError> + Send + 'static,
    {
        self.off_runtime(&self.0.gate, f).await?
    }

    /// Runs CPU-bound work (decoding and encoding images) off the async runtime, one task per
    /// core at a time, behind its own gate so that it never holds the store's.
    pub async fn compute<T, F>(&self, f: F) -> Result<T, CoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Services) -> T + Send + 'static,
    {
        self.off_runtime(&self.0.cpu_gate, f).await
    }

    /// The gates' one way onto a blocking thread: nothing else in the core starts one.
    async fn off_runtime<T, F>(&self, gate: &tokio::sync::Semaphore, f: F) -> Result<T, CoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Services) -> T + Send + 'static,
    {
        let _permit = gate
            .acquire()
            .await
            .map_err(|_| CoreError::Internal("a blocking-work gate is closed".into()))?;
        let services = self.clone();
        Ok(tokio::task::spawn_blocking(move || f(&services)).await?)
    }

    /// A handle that does not keep the services alive (see [`WeakServices`]).
    pub fn downgrade(&self) -> WeakServices {
        WeakServices(Arc::downgrade(&self.0))
    }

    /// An area's in-memory state, made (with `Default`) on first use. The area owns the type;
    /// the services only keep it for as long as they live.
    pub fn area<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        // Read on every request (the key check, a preview): shared, not exclusive.
        let found = self
            .0
            .areas
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&TypeId::of::<T>())
            .cloned();
        let slot = match found {
            Some(slot) => slot,
            None => Arc::clone(
                self.0
                    .areas
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .entry(TypeId::of::<T>())
                    .or_insert_with(|| Arc::new(T::default()) as Arc<dyn Any + Send + Sync>),
            ),
        };
        match slot.downcast::<T>() {
            Ok(state) => state,
            // The slot is keyed by the type's id: it always holds a T.
            Err(_) => Arc::new(T::default()),
        }
    }

    /// The job queue's engine, when this process runs one (the shells do, after
    /// [`crate::runtime::start`]; the CLI does not).
    pub fn queue_engine(&self) -> Option<&Engine> {
        self.0.engine.get()
    }

    /// Keeps the engine the runtime started; gives it back when one is kept already.
    pub(crate) fn keep_engine(&self, engine: Engine) -> Result<(), Engine> {
        self.0.engine.set(engine)
    }

    /// Tells background work to stop, without waiting for the job queue (see
    /// [`crate::runtime::stop`]).
    pub fn shutdown(&self) {
        self.0.stop.send_replace(true);
    }

    /// Whether [`Services::shutdown`] was called.
    pub fn is_shutting_down(&self) -> bool {
        *self.0.stop.borrow()
    }

    /// Becomes true when background work is to stop.
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.0.stop.subscribe()
    }

    /// Ticks every `period` (the first time at once) until the services stop: the pace of
    /// every area's background loop.
    pub fn ticker(&self, period: Duration) -> Ticker {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Ticker {
            tick,
            stop: self.stopping(),
        }
    }
}

/// See [`Services::ticker`].
#[derive(Debug)]
pub struct Ticker {
    tick: tokio::time::Interval,
    stop: watch::Receiver<bool>,
}

impl Ticker {
    /// Waits for the next tick: `false` once the services stop.
    pub async fn next(&mut self) -> bool {
        tokio::select! {
            biased;
            _ = self.stop.wait_for(|stopped| *stopped) => false,
            _ = self.tick.tick() => true,
        }
    }
}

/// The cores CPU-bound work may use (at least one, at most eight).
pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8)
}

/// The version of botdesk.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
