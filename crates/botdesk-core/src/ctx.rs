//! `Ctx`: the clone-able handle on everything an operation needs (store, settings, clock).
//! Both shells hold one; a test makes one over a temp data dir, with no window and no server.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use botdesk_store::{Clock, Store, StoreOptions, SystemClock, Timestamp};

use crate::config::Config;
use crate::error::CoreError;

/// How to open a [`Ctx`].
#[derive(Debug, Clone)]
pub struct CtxOptions {
    pub data_dir: PathBuf,
    pub config: Config,
    pub clock: Arc<dyn Clock>,
}

impl CtxOptions {
    pub fn new(data_dir: impl Into<PathBuf>, config: Config) -> CtxOptions {
        CtxOptions {
            data_dir: data_dir.into(),
            config,
            clock: Arc::new(SystemClock),
        }
    }
}

/// The core, opened on one data dir.
#[derive(Clone)]
pub struct Ctx(Arc<Inner>);

struct Inner {
    data_dir: PathBuf,
    config: Config,
    store: Store,
}

impl fmt::Debug for Ctx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ctx")
            .field("data_dir", &self.0.data_dir)
            .field("store", &self.0.store)
            .finish_non_exhaustive()
    }
}

impl Ctx {
    /// Opens the store in the data dir (creating and migrating it as needed).
    pub fn open(options: CtxOptions) -> Result<Ctx, CoreError> {
        let store = Store::open(
            &options.data_dir,
            StoreOptions {
                clock: options.clock,
                ..StoreOptions::default()
            },
        )?;
        Ok(Ctx(Arc::new(Inner {
            data_dir: options.data_dir,
            config: options.config,
            store,
        })))
    }

    pub fn data_dir(&self) -> &Path {
        &self.0.data_dir
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub fn store(&self) -> &Store {
        &self.0.store
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
        let ctx = self.clone();
        tokio::task::spawn_blocking(move || f(&ctx)).await?
    }
}

/// The version of botdesk.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
