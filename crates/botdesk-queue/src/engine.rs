//! The running queue. A dispatcher per queue claims jobs when woken (an enqueue wakes it at
//! once; a delayed job falling due, or the poll interval, wakes it otherwise) and runs them as
//! tokio tasks under the queue's concurrency and rate limits. One writer records how attempts
//! ended, many per transaction. A heartbeat renews the leases of the jobs this process holds and
//! takes back those whose worker died. Activity is coalesced before it reaches the UI.
//!
//! Nothing is held only in memory: a job's state, its next run time and its attempts are rows,
//! so a kill at any point loses no job (see `jobs`).

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use botdesk_store::{Actor, Store};
use futures_util::FutureExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use crate::QueueError;
use crate::jobs::{self, Claim, Claimed, Finished, Outcome};
use crate::model::*;

/// A kind of job: its queue, its name and payload version, and what running it does.
/// The payload is the value itself (serde), stored as JSON.
pub trait Job: Serialize + DeserializeOwned + Send + 'static {
    /// What the handler needs besides the payload (a capability's services).
    type State: Send + Sync + 'static;
    const QUEUE: QueueName;
    const NAME: &'static str;
    /// Raised when the payload's shape changes; the handler must still read older shapes
    /// (serde defaults), and a job written by a newer botdesk fails with a clear reason.
    const VERSION: u32 = 1;

    /// How jobs of this kind are enqueued unless the caller says otherwise.
    fn options(&self) -> JobOptions {
        JobOptions::default()
    }

    /// Runs one attempt. A value is the job's result (kept, shown in the monitor).
    fn run(
        self,
        state: Arc<Self::State>,
        cx: JobContext,
    ) -> impl Future<Output = Result<serde_json::Value, JobError>> + Send;
}

/// Why an attempt failed, and whether another attempt could succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobError {
    pub message: String,
    pub retry: bool,
    /// The handler's own delay before the next attempt, instead of the job's backoff (a
    /// receiver's `Retry-After`, a schedule the capability owns).
    pub retry_after: Option<Duration>,
    /// Not a failure: the job was not run now (its target is busy) and waits `retry_after`
    /// without this attempt being counted.
    pub postponed: bool,
}

impl JobError {
    /// A failure another attempt may not have (a timeout, a 503): retried after the backoff.
    pub fn retry(message: impl fmt::Display) -> JobError {
        JobError {
            message: message.to_string(),
            retry: true,
            retry_after: None,
            postponed: false,
        }
    }

    /// A failure another attempt may not have, retried after `delay` (capped at 30 days)
    /// instead of the backoff, while attempts remain.
    pub fn retry_after(message: impl fmt::Display, delay: Duration) -> JobError {
        JobError {
            retry_after: Some(delay),
            ..JobError::retry(message)
        }
    }

    /// A failure every attempt would have (a malformed payload, a 400): fails the job now.
    pub fn permanent(message: impl fmt::Display) -> JobError {
        JobError {
            message: message.to_string(),
            retry: false,
            retry_after: None,
            postponed: false,
        }
    }

    /// Not run now, through no fault of the job (what it calls is busy with others): it waits
    /// `delay` and this attempt does not count.
    pub fn postpone(message: impl fmt::Display, delay: Duration) -> JobError {
        JobError {
            message: message.to_string(),
            retry: true,
            retry_after: Some(delay),
            postponed: true,
        }
    }
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What a running attempt knows and can say.
#[derive(Debug, Clone)]
pub struct JobContext {
    pub id: i64,
    pub queue: QueueName,
    /// This attempt (1 = the first) of `max_attempts`.
    pub attempt: u32,
    pub max_attempts: u32,
    /// The payload's version as enqueued.
    pub version: u32,
    writer: mpsc::UnboundedSender<WriterMsg>,
    stop: watch::Receiver<Option<Stop>>,
}

impl JobContext {
    /// Reports progress (0–100, and a line for the monitor). Cheap: written with the next batch,
    /// and only the latest of a burst is written.
    pub fn progress(&self, percent: u8, message: Option<&str>) {
        let _ = self.writer.send(WriterMsg::Progress {
            queue: self.queue,
            id: self.id,
            attempt: self.attempt,
            percent: percent.min(100),
            message: message.map(str::to_owned),
        });
    }

    /// Whether this attempt has been told to stop (cancelled, or its lease lost).
    pub fn is_stopping(&self) -> bool {
        self.stop.borrow().is_some()
    }
}

/// Why a running attempt is stopped from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// Cancelled, removed or taken back: its end must not be recorded.
    Abandon,
    /// The engine shuts down past its grace period: the job goes back to waiting.
    Release,
}

type HandlerFuture = Pin<Box<dyn Future<Output = Result<serde_json::Value, JobError>> + Send>>;
type HandlerFn = Arc<dyn Fn(String, JobContext) -> HandlerFuture + Send + Sync>;

type CheckFn = Arc<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

#[derive(Clone)]
struct Handler {
    version: u32,
    run: HandlerFn,
    /// Whether a payload fits the job type (checked when a job comes from outside).
    check: CheckFn,
}

/// A queue's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueConfig {
    /// Attempts running at once.
    pub concurrency: usize,
    /// At most this many attempts started per window.
    pub rate_limit: Option<RateLimit>,
}

impl Default for QueueConfig {
    fn default() -> QueueConfig {
        QueueConfig {
            concurrency: 10,
            rate_limit: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u32,
    pub per: Duration,
}

/// The handlers of each queue, registered by the capabilities that own them.
#[derive(Default)]
pub struct Registry {
    handlers: HashMap<(QueueName, String), Handler>,
    configs: HashMap<QueueName, QueueConfig>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("handlers", &self.handlers.keys().collect::<Vec<_>>())
            .field("configs", &self.configs)
            .finish()
    }
}

impl Registry {
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Registers the handler of job kind `J` on its queue.
    pub fn register<J: Job>(&mut self, state: Arc<J::State>) -> &mut Registry {
        self.register_on::<J>(J::QUEUE, state)
    }

    /// Registers the handler of job kind `J` on `queue` (a kind every queue runs, such as the
    /// core's probe).
    pub fn register_on<J: Job>(&mut self, queue: QueueName, state: Arc<J::State>) -> &mut Registry {
        let run: HandlerFn = Arc::new(move |payload: String, cx: JobContext| {
            let state = Arc::clone(&state);
            Box::pin(async move {
                let job: J = serde_json::from_str(&payload).map_err(|e| {
                    JobError::permanent(format!(
                        "the payload does not fit job type {} (version {}): {e}",
                        J::NAME,
                        J::VERSION
                    ))
                })?;
                job.run(state, cx).await
            }) as HandlerFuture
        });
        self.handlers.insert(
            (queue, J::NAME.to_owned()),
            Handler {
                version: J::VERSION,
                run,
                check: Arc::new(|payload: &str| {
                    serde_json::from_str::<J>(payload)
                        .map(drop)
                        .map_err(|e| e.to_string())
                }),
            },
        );
        self.configs.entry(queue).or_default();
        self
    }

    /// Sets a queue's limits (a queue with handlers and no config gets the default).
    pub fn configure(&mut self, queue: QueueName, config: QueueConfig) -> &mut Registry {
        self.configs.insert(queue, config);
        self
    }
}

/// How the engine runs.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// How long a claim holds a job without renewal: a dead worker's jobs come back after it.
    pub lease: Duration,
    /// How often leases are renewed and expired ones taken back (a third of the lease).
    pub heartbeat: Duration,
    /// How often an idle queue looks for work that no wake-up announced (another process
    /// enqueued or retried it).
    pub poll: Duration,
    /// The most jobs one claim takes.
    pub claim_batch: usize,
    /// Completed jobs kept per queue: the newest this many, and none older than `keep_completed_for`.
    pub keep_completed: u64,
    pub keep_completed_for: Duration,
    /// How often activity reaches the sink (the UI's update rate).
    pub activity_every: Duration,
}

impl Default for EngineOptions {
    fn default() -> EngineOptions {
        EngineOptions {
            lease: Duration::from_secs(30),
            heartbeat: Duration::from_secs(10),
            poll: Duration::from_secs(1),
            claim_batch: 256,
            keep_completed: 10_000,
            keep_completed_for: Duration::from_secs(7 * 24 * 3600),
            activity_every: Duration::from_millis(250),
        }
    }
}

/// Where coalesced activity goes (the core's event bus).
pub type ActivitySink = Arc<dyn Fn(QueueActivity) + Send + Sync>;

enum WriterMsg {
    Finished(Finished),
    Progress {
        queue: QueueName,
        id: i64,
        attempt: u32,
        percent: u8,
        message: Option<String>,
    },
    Flush(oneshot::Sender<()>),
}

struct QueueRuntime {
    wake: Notify,
    slots: Arc<Semaphore>,
    bucket: Mutex<Option<Bucket>>,
    /// How many times the dispatcher has looked for work (see [`Engine::looks`]).
    looks: std::sync::atomic::AtomicU64,
}

/// The running queue: a cheap, clone-able handle.
#[derive(Clone)]
pub struct Engine(Arc<Inner>);

struct Inner {
    store: Arc<Store>,
    owner: String,
    options: EngineOptions,
    handlers: HashMap<(QueueName, String), Handler>,
    queues: HashMap<QueueName, QueueRuntime>,
    /// Attempts running now, with the way to stop each.
    running: Mutex<HashMap<i64, watch::Sender<Option<Stop>>>>,
    /// Jobs this process holds a lease on (claimed, and their end not yet written), by attempt.
    held: Mutex<HashMap<i64, u32>>,
    idle: Notify,
    writer: mpsc::UnboundedSender<WriterMsg>,
    activity: Activity,
    stopping: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("owner", &self.0.owner)
            .field("queues", &self.0.queues.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn actor() -> Actor {
    Actor::System("queue".into())
}

impl Engine {
    /// Starts the engine over `store` (on the current tokio runtime): recounts the queues,
    /// then runs a dispatcher for every queue that has handlers.
    pub async fn start(
        store: Arc<Store>,
        registry: Registry,
        options: EngineOptions,
        sink: ActivitySink,
    ) -> Result<Engine, QueueError> {
        let owner = format!("{}:{}", std::process::id(), unique_suffix());
        {
            let store = Arc::clone(&store);
            tokio::task::spawn_blocking(move || {
                let now = store.now().unix_millis();
                store.with_tx(&actor(), |tx| jobs::recount(tx, now))
            })
            .await
            .map_err(|e| QueueError::Internal(e.to_string()))??;
        }
        let (writer, writer_rx) = mpsc::unbounded_channel();
        let queues = registry
            .configs
            .iter()
            .map(|(q, config)| {
                let concurrency = config.concurrency.clamp(1, 10_000);
                (
                    *q,
                    QueueRuntime {
                        wake: Notify::new(),
                        slots: Arc::new(Semaphore::new(concurrency)),
                        bucket: Mutex::new(config.rate_limit.map(Bucket::new)),
                        looks: std::sync::atomic::AtomicU64::new(0),
                    },
                )
            })
            .collect();
        let engine = Engine(Arc::new(Inner {
            activity: Activity::new(sink),
            store,
            owner,
            options,
            handlers: registry.handlers,
            queues,
            running: Mutex::default(),
            held: Mutex::default(),
            idle: Notify::new(),
            writer,
            stopping: watch::channel(false).0,
            tasks: Mutex::default(),
        }));
        let mut tasks = vec![
            tokio::spawn(write_loop(engine.clone(), writer_rx)),
            tokio::spawn(maintain(engine.clone())),
            tokio::spawn(report_activity(engine.clone())),
        ];
        for queue in engine.0.queues.keys() {
            tasks.push(tokio::spawn(dispatch(engine.clone(), *queue)));
        }
        *lock(&engine.0.tasks) = tasks;
        tracing::info!(owner = %engine.0.owner, queues = ?engine.0.queues.keys().collect::<Vec<_>>(), "job queue started");
        Ok(engine)
    }

    fn now(&self) -> i64 {
        self.0.store.now().unix_millis()
    }

    /// Runs `f` on the store off the async threads.
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, QueueError> + Send + 'static,
    ) -> Result<T, QueueError> {
        let store = Arc::clone(&self.0.store);
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| QueueError::Internal(e.to_string()))?
    }

    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&botdesk_store::rusqlite::Connection, i64) -> Result<T, QueueError>
        + Send
        + 'static,
    ) -> Result<T, QueueError> {
        self.blocking(move |store| {
            let now = store.now().unix_millis();
            store.with_untracked_tx(|tx| f(tx, now))
        })
        .await
    }

    fn accepting(&self) -> Result<(), QueueError> {
        if *self.0.stopping.borrow() {
            Err(QueueError::ShuttingDown)
        } else {
            Ok(())
        }
    }

    /// Enqueues one job.
    pub async fn enqueue(&self, job: NewJob) -> Result<Enqueued, QueueError> {
        self.accepting()?;
        let queue = job.queue;
        let e = self
            .write(move |c, now| jobs::enqueue(c, now, &job))
            .await?;
        self.enqueued(queue, &[e]);
        Ok(e)
    }

    /// Enqueues a typed job with its kind's options.
    pub async fn enqueue_job<J: Job>(&self, job: &J) -> Result<Enqueued, QueueError> {
        let options = job.options();
        self.enqueue(new_job(job, options)?).await
    }

    /// Enqueues many jobs in one transaction: all or none.
    pub async fn enqueue_bulk(&self, batch: Vec<NewJob>) -> Result<Vec<Enqueued>, QueueError> {
        self.accepting()?;
        let queues: Vec<QueueName> = batch.iter().map(|j| j.queue).collect();
        let out = self
            .write(move |c, now| jobs::enqueue_bulk(c, now, &batch))
            .await?;
        let mut by_queue: HashMap<QueueName, Vec<Enqueued>> = HashMap::new();
        for (q, e) in queues.into_iter().zip(&out) {
            by_queue.entry(q).or_default().push(*e);
        }
        for (q, es) in by_queue {
            self.enqueued(q, &es);
        }
        Ok(out)
    }

    /// Tells the engine that jobs were enqueued in a caller's transaction that has now
    /// committed (see [`jobs::enqueue`]): wakes the queue's workers.
    pub fn enqueued(&self, queue: QueueName, jobs: &[Enqueued]) {
        self.0.activity.record_added(queue, jobs);
        self.wake(queue);
    }

    /// Wakes a queue's dispatcher (it claims whatever is ready).
    pub fn wake(&self, queue: QueueName) {
        if let Some(rt) = self.0.queues.get(&queue) {
            rt.wake.notify_one();
        }
    }

    pub async fn status(&self, queue: QueueName, id: i64) -> Result<JobStatus, QueueError> {
        self.blocking(move |s| s.read(|c| jobs::status(c, queue, id)))
            .await
    }

    pub async fn detail(&self, queue: QueueName, id: i64) -> Result<JobDetail, QueueError> {
        self.blocking(move |s| s.read(|c| jobs::detail(c, queue, id)))
            .await
    }

    pub async fn stats(&self, queue: QueueName) -> Result<QueueStats, QueueError> {
        self.blocking(move |s| s.read(|c| jobs::stats(c, queue)))
            .await
    }

    pub async fn all_stats(&self) -> Result<Vec<QueueStats>, QueueError> {
        self.blocking(|s| s.read(jobs::all_stats)).await
    }

    pub async fn list(&self, queue: QueueName, query: JobQuery) -> Result<JobPage, QueueError> {
        self.blocking(move |s| s.read(|c| jobs::list(c, queue, &query)))
            .await
    }

    /// Completions and failures per 10 s over the last 10 minutes, oldest first.
    pub fn throughput(&self, queue: QueueName) -> Vec<ThroughputPoint> {
        self.0.activity.chart(queue)
    }

    /// The job types this engine runs on `queue`, sorted.
    pub fn job_types(&self, queue: QueueName) -> Vec<String> {
        let mut names: Vec<String> = self
            .0
            .handlers
            .keys()
            .filter(|(q, _)| *q == queue)
            .map(|(_, n)| n.clone())
            .collect();
        names.sort();
        names
    }

    /// Checks a job from outside (the API): its type runs here and its payload fits it.
    pub fn check(&self, queue: QueueName, name: &str, payload: &str) -> Result<(), QueueError> {
        let handler = self
            .0
            .handlers
            .get(&(queue, name.to_owned()))
            .ok_or_else(|| QueueError::UnknownJobType {
                queue: queue.to_string(),
                name: name.chars().take(100).collect(),
            })?;
        (handler.check)(payload).map_err(|reason| QueueError::InvalidPayload {
            reason: format!("it does not fit job type {name}: {reason}"),
        })
    }

    /// Whether this engine runs `queue`'s jobs (it has handlers for it).
    pub fn runs(&self, queue: QueueName) -> bool {
        self.0.queues.contains_key(&queue)
    }

    /// How many times the queue's dispatcher has looked for work to start since the engine
    /// started: every claim it made (whatever it found: a paused queue gives nothing) and every
    /// time the rate limit let nothing start. It grows while the queue is served, so a caller
    /// can see that the dispatcher looked after a change instead of waiting and hoping.
    pub fn looks(&self, queue: QueueName) -> u64 {
        self.0
            .queues
            .get(&queue)
            .map_or(0, |rt| rt.looks.load(std::sync::atomic::Ordering::SeqCst))
    }

    pub async fn retry(&self, queue: QueueName, id: i64) -> Result<(), QueueError> {
        self.write(move |c, now| jobs::retry(c, now, queue, id))
            .await?;
        self.changed(queue, id);
        Ok(())
    }

    pub async fn retry_all_failed(&self, queue: QueueName) -> Result<i64, QueueError> {
        let n = self
            .write(move |c, now| jobs::retry_all_failed(c, now, queue))
            .await?;
        self.changed(queue, 0);
        Ok(n)
    }

    pub async fn cancel(&self, queue: QueueName, id: i64) -> Result<JobState, QueueError> {
        let was = self
            .write(move |c, now| jobs::cancel(c, now, queue, id))
            .await?;
        self.abandon(id);
        self.0
            .activity
            .record(queue, id, TransitionKind::Cancelled, None);
        Ok(was)
    }

    pub async fn remove(&self, queue: QueueName, id: i64) -> Result<JobState, QueueError> {
        let was = self
            .write(move |c, now| jobs::remove(c, now, queue, id))
            .await?;
        self.0
            .activity
            .record(queue, id, TransitionKind::Removed, None);
        Ok(was)
    }

    pub async fn promote(&self, queue: QueueName, id: i64) -> Result<(), QueueError> {
        self.write(move |c, now| jobs::promote(c, now, queue, id))
            .await?;
        self.changed(queue, id);
        Ok(())
    }

    pub async fn set_paused(
        &self,
        queue: QueueName,
        paused: bool,
    ) -> Result<QueueStats, QueueError> {
        let stats = self
            .write(move |c, now| {
                jobs::set_paused(c, now, queue, paused)?;
                jobs::stats(c, queue)
            })
            .await?;
        self.changed(queue, 0);
        Ok(stats)
    }

    /// Deletes `queue`'s finished jobs in `state` (all, or those finished before the given
    /// age); returns how many. Runs in batches, so other work goes on meanwhile.
    pub async fn clean(
        &self,
        queue: QueueName,
        state: JobState,
        older_than: Option<Duration>,
    ) -> Result<i64, QueueError> {
        let before = older_than.map(|d| self.now() - d.as_millis() as i64);
        let total = self
            .blocking(move |store| jobs::clean_in_batches(store, queue, state, before))
            .await?;
        self.0.activity.record_other(queue);
        Ok(total)
    }

    fn changed(&self, queue: QueueName, _id: i64) {
        self.0.activity.record_other(queue);
        self.wake(queue);
    }

    fn abandon(&self, id: i64) {
        if let Some(stop) = lock(&self.0.running).get(&id) {
            let _ = stop.send(Some(Stop::Abandon));
        }
        lock(&self.0.held).remove(&id);
    }

    /// Stops: no more claims; running attempts get `grace` to finish, then go back to waiting
    /// (their attempt not counted); every end is written before this returns.
    pub async fn shutdown(&self, grace: Duration) {
        if self.0.stopping.send_replace(true) {
            return;
        }
        for rt in self.0.queues.values() {
            rt.wake.notify_one();
        }
        let deadline = Instant::now() + grace;
        loop {
            let idle = self.0.idle.notified();
            if lock(&self.0.running).is_empty() || Instant::now() >= deadline {
                break;
            }
            let _ = tokio::time::timeout_at(deadline.into(), idle).await;
        }
        let left: Vec<i64> = lock(&self.0.running).keys().copied().collect();
        if !left.is_empty() {
            tracing::warn!(
                jobs = left.len(),
                "shutdown: releasing the jobs still running"
            );
            for stop in lock(&self.0.running).values() {
                let _ = stop.send(Some(Stop::Release));
            }
            let deadline = Instant::now() + Duration::from_secs(2);
            while !lock(&self.0.running).is_empty() && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        self.flush().await;
        for task in lock(&self.0.tasks).drain(..) {
            task.abort();
        }
        self.0.activity.flush();
        tracing::info!("job queue stopped");
    }

    /// Waits until every attempt's end reported so far is written.
    pub async fn flush(&self) {
        let (ack, done) = oneshot::channel();
        if self.0.writer.send(WriterMsg::Flush(ack)).is_ok() {
            let _ = done.await;
        }
    }
}

/// The job to enqueue for a typed job.
pub fn new_job<J: Job>(job: &J, options: JobOptions) -> Result<NewJob, QueueError> {
    Ok(NewJob {
        queue: J::QUEUE,
        name: J::NAME.to_owned(),
        version: J::VERSION,
        payload: serde_json::to_string(job).map_err(|e| QueueError::InvalidPayload {
            reason: e.to_string(),
        })?,
        options,
    })
}

fn wall_clock_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn unique_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{nanos:x}")
}

/// A token bucket: `max` starts per `per`.
struct Bucket {
    limit: RateLimit,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn new(limit: RateLimit) -> Bucket {
        Bucket {
            limit,
            tokens: f64::from(limit.max),
            at: Instant::now(),
        }
    }

    fn refill(&mut self) {
        let now = Instant::now();
        let rate = f64::from(self.limit.max) / self.limit.per.as_secs_f64().max(1e-6);
        self.tokens =
            (self.tokens + rate * (now - self.at).as_secs_f64()).min(f64::from(self.limit.max));
        self.at = now;
    }

    /// How many of `want` may start now.
    fn take(&mut self, want: usize) -> usize {
        self.refill();
        let n = (self.tokens.floor() as usize).min(want);
        self.tokens -= n as f64;
        n
    }

    fn give_back(&mut self, n: usize) {
        self.tokens = (self.tokens + n as f64).min(f64::from(self.limit.max));
    }

    /// How long until one more may start.
    fn wait(&self) -> Duration {
        let rate = f64::from(self.limit.max) / self.limit.per.as_secs_f64().max(1e-6);
        Duration::from_secs_f64(((1.0 - self.tokens).max(0.0) / rate).max(0.001))
    }
}

impl Engine {
    /// Free slots of a queue (including `first`, at most a claim batch), within its rate limit.
    fn take_slots(
        &self,
        rt: &QueueRuntime,
        first: Option<OwnedSemaphorePermit>,
    ) -> Vec<OwnedSemaphorePermit> {
        let mut permits: Vec<OwnedSemaphorePermit> = first.into_iter().collect();
        while permits.len() < self.0.options.claim_batch.max(1) {
            match Arc::clone(&rt.slots).try_acquire_owned() {
                Ok(p) => permits.push(p),
                Err(_) => break,
            }
        }
        if let Some(bucket) = lock(&rt.bucket).as_mut() {
            let allowed = bucket.take(permits.len());
            permits.truncate(allowed);
        }
        permits
    }

    /// Starts the jobs of `claim` on `permits` (one each); the unused permits are given back.
    fn launch(
        &self,
        queue: QueueName,
        rt: &QueueRuntime,
        claim: Claim,
        permits: Vec<OwnedSemaphorePermit>,
    ) {
        let inner = &self.0;
        if claim.promoted > 0 {
            inner.activity.record_other(queue);
        }
        if let Some(bucket) = lock(&rt.bucket).as_mut() {
            bucket.give_back(permits.len().saturating_sub(claim.jobs.len()));
        }
        {
            let mut held = lock(&inner.held);
            for job in &claim.jobs {
                held.insert(job.id, job.attempt);
            }
        }
        let mut permits = permits.into_iter();
        for job in claim.jobs {
            let Some(permit) = permits.next() else { break };
            inner
                .activity
                .record(queue, job.id, TransitionKind::Active, None);
            let (stop_tx, stop_rx) = watch::channel(None);
            lock(&inner.running).insert(job.id, stop_tx);
            tokio::spawn(run_attempt(self.clone(), queue, job, permit, stop_rx));
        }
    }
}

/// A queue's dispatcher: claims when a slot is free and work may be there (woken by an
/// enqueue, a delayed job falling due, or the poll). The writer also claims, in the same
/// transaction that records finished jobs, so that a busy queue refills without a second commit.
async fn dispatch(engine: Engine, queue: QueueName) {
    let inner = &engine.0;
    let Some(rt) = inner.queues.get(&queue) else {
        return;
    };
    let mut stopping = inner.stopping.subscribe();
    let mut failures = 0u32;
    loop {
        if *stopping.borrow() {
            break;
        }
        let first = tokio::select! {
            permit = Arc::clone(&rt.slots).acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = stopping.changed() => break,
        };
        let permits = engine.take_slots(rt, Some(first));
        if permits.is_empty() {
            rt.looks.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            // Over the rate limit: wait until one more may start.
            let wait = lock(&rt.bucket)
                .as_ref()
                .map(Bucket::wait)
                .unwrap_or_default();
            tokio::select! {
                _ = tokio::time::sleep(wait) => {},
                _ = stopping.changed() => break,
            }
            continue;
        }
        let (owner, lease, limit) = (inner.owner.clone(), inner.options.lease, permits.len());
        let claimed = engine
            .write(move |c, now| {
                jobs::claim(c, now, queue, &owner, lease.as_millis() as u64, limit)
            })
            .await;
        rt.looks.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let claim = match claimed {
            Ok(claim) => {
                failures = 0;
                claim
            }
            Err(e) => {
                failures += 1;
                if failures == 1 || failures.is_multiple_of(60) {
                    tracing::error!(%queue, code = e.code(), error = %e, "claiming jobs failed; trying again");
                }
                drop(permits);
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {},
                    _ = stopping.changed() => break,
                }
                continue;
            }
        };
        if claim.jobs.is_empty() {
            let mut wait = inner.options.poll;
            if let Some(due) = claim.next_due {
                let until = Duration::from_millis((due - engine.now()).max(1) as u64);
                wait = wait.min(until);
            }
            engine.launch(queue, rt, claim, permits);
            tokio::select! {
                _ = rt.wake.notified() => {},
                _ = tokio::time::sleep(wait) => {},
                _ = stopping.changed() => break,
            }
            continue;
        }
        engine.launch(queue, rt, claim, permits);
    }
}

async fn run_attempt(
    engine: Engine,
    queue: QueueName,
    job: Claimed,
    permit: OwnedSemaphorePermit,
    mut stop: watch::Receiver<Option<Stop>>,
) {
    let inner = &engine.0;
    let handler = inner.handlers.get(&(queue, job.name.clone())).cloned();
    let outcome = match handler {
        None => Some(Outcome::Failed {
            error: format!(
                "no handler for job type {:?} on queue {queue} in this botdesk",
                job.name
            ),
            retry: false,
            retry_after_ms: None,
        }),
        Some(h) if job.version > h.version => Some(Outcome::Failed {
            error: format!(
                "the job was written by a newer botdesk (payload version {}; this one reads up to {})",
                job.version, h.version
            ),
            retry: false,
            retry_after_ms: None,
        }),
        Some(h) => {
            let cx = JobContext {
                id: job.id,
                queue,
                attempt: job.attempt,
                max_attempts: job.max_attempts,
                version: job.version,
                writer: inner.writer.clone(),
                stop: stop.clone(),
            };
            let timeout = Duration::from_millis(job.timeout_ms);
            let attempt = tokio::time::timeout(
                timeout,
                AssertUnwindSafe((h.run)(job.payload.clone(), cx)).catch_unwind(),
            );
            tokio::select! {
                ended = attempt => Some(match ended {
                    Ok(Ok(Ok(value))) => Outcome::Completed {
                        result: (!value.is_null()).then(|| value.to_string()),
                    },
                    Ok(Ok(Err(e))) if e.postponed => Outcome::Postponed {
                        delay_ms: e.retry_after.map_or(0, |d| d.as_millis() as u64),
                    },
                    Ok(Ok(Err(e))) => Outcome::Failed {
                        error: e.message,
                        retry: e.retry,
                        retry_after_ms: e.retry_after.map(|d| d.as_millis() as u64),
                    },
                    Ok(Err(panic)) => Outcome::Failed {
                        error: format!("the handler panicked: {}", panic_message(panic.as_ref())),
                        retry: true,
                        retry_after_ms: None,
                    },
                    Err(_) => Outcome::Failed {
                        error: format!("timed out after {} ms", job.timeout_ms),
                        retry: true,
                        retry_after_ms: None,
                    },
                }),
                reason = stopped(&mut stop) => match reason {
                    Stop::Abandon => None,
                    Stop::Release => Some(Outcome::Released),
                },
            }
        }
    };
    let now_empty = {
        let mut running = lock(&inner.running);
        running.remove(&job.id);
        running.is_empty()
    };
    drop(permit);
    match outcome {
        Some(outcome) => {
            let _ = inner.writer.send(WriterMsg::Finished(Finished {
                queue,
                id: job.id,
                attempt: job.attempt,
                started_at: job.started_at,
                outcome,
            }));
        }
        None => {
            lock(&inner.held).remove(&job.id);
        }
    }
    if now_empty {
        inner.idle.notify_waiters();
    }
}

async fn stopped(stop: &mut watch::Receiver<Option<Stop>>) -> Stop {
    loop {
        if let Some(reason) = *stop.borrow_and_update() {
            return reason;
        }
        if stop.changed().await.is_err() {
            // The sender is gone only when the attempt is over; never resolve.
            std::future::pending::<()>().await;
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_owned()
    }
}

/// Writes how attempts ended, as many per transaction as have arrived (group commit).
async fn write_loop(engine: Engine, mut rx: mpsc::UnboundedReceiver<WriterMsg>) {
    let inner = &engine.0;
    while let Some(first) = rx.recv().await {
        let mut finished = Vec::new();
        let mut progress: HashMap<i64, (QueueName, u32, u8, Option<String>)> = HashMap::new();
        let mut acks = Vec::new();
        let mut next = Some(first);
        while let Some(msg) = next {
            match msg {
                WriterMsg::Finished(f) => finished.push(f),
                WriterMsg::Progress {
                    queue,
                    id,
                    attempt,
                    percent,
                    message,
                } => {
                    progress.insert(id, (queue, attempt, percent, message));
                }
                WriterMsg::Flush(ack) => acks.push(ack),
            }
            next = if finished.len() < 4096 {
                rx.try_recv().ok()
            } else {
                None
            };
        }
        // The slots these jobs freed, refilled in the same transaction (not while stopping).
        let mut refill: Vec<(QueueName, Vec<OwnedSemaphorePermit>)> = Vec::new();
        if !*inner.stopping.borrow() {
            let queues: HashSet<QueueName> = finished.iter().map(|f| f.queue).collect();
            for queue in queues {
                if let Some(rt) = inner.queues.get(&queue) {
                    let permits = engine.take_slots(rt, None);
                    if !permits.is_empty() {
                        refill.push((queue, permits));
                    }
                }
            }
        }
        let mut tries = 0;
        loop {
            let owner = inner.owner.clone();
            let (f, p) = (finished.clone(), progress.clone());
            let wanted: Vec<(QueueName, usize)> =
                refill.iter().map(|(q, p)| (*q, p.len())).collect();
            let lease = inner.options.lease.as_millis() as u64;
            let written = engine
                .write(move |c, now| {
                    let mut moved = Vec::new();
                    for (id, (queue, attempt, percent, message)) in &p {
                        if jobs::progress(
                            c,
                            now,
                            &owner,
                            *id,
                            *attempt,
                            *percent,
                            message.as_deref(),
                        )? {
                            moved.push((
                                *queue,
                                JobTransition {
                                    id: *id,
                                    kind: TransitionKind::Progress,
                                    progress: Some(*percent),
                                },
                            ));
                        }
                    }
                    moved.extend(jobs::finish(c, now, &owner, &f)?);
                    let mut claims = Vec::with_capacity(wanted.len());
                    for (queue, n) in wanted {
                        claims.push(jobs::claim(c, now, queue, &owner, lease, n)?);
                    }
                    Ok((moved, claims))
                })
                .await;
            match written {
                Ok((transitions, claims)) => {
                    for ((queue, permits), claim) in refill.drain(..).zip(claims) {
                        if let Some(rt) = inner.queues.get(&queue) {
                            engine.launch(queue, rt, claim, permits);
                        }
                    }
                    let mut wake = HashSet::new();
                    for (queue, t) in transitions {
                        if t.kind == TransitionKind::Retrying || t.kind == TransitionKind::Released
                        {
                            wake.insert(queue);
                        }
                        inner.activity.record(queue, t.id, t.kind, t.progress);
                    }
                    for queue in wake {
                        engine.wake(queue);
                    }
                    break;
                }
                Err(e) => {
                    tries += 1;
                    tracing::error!(code = e.code(), error = %e, jobs = finished.len(), tries, "recording finished jobs failed");
                    if tries >= 10 {
                        // Their leases are no longer renewed: they come back when they run out,
                        // and run again. Nothing is lost.
                        break;
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
        {
            let mut held = lock(&inner.held);
            for f in &finished {
                if held.get(&f.id) == Some(&f.attempt) {
                    held.remove(&f.id);
                }
            }
        }
        for ack in acks {
            let _ = ack.send(());
        }
    }
}

/// The heartbeat: renews this process's leases, takes back expired ones, applies retention.
async fn maintain(engine: Engine) {
    let inner = &engine.0;
    let mut last_clean = Instant::now();
    loop {
        tokio::time::sleep(inner.options.heartbeat).await;
        let ids: Vec<i64> = lock(&inner.held).keys().copied().collect();
        let (owner, lease) = (inner.owner.clone(), inner.options.lease.as_millis() as i64);
        let ids_for_renewal = ids.clone();
        let renewed = engine
            .write(move |c, now| {
                let kept = jobs::renew_leases(c, &owner, &ids_for_renewal, now + lease)?;
                let reaped = jobs::reap_expired(c, now)?;
                Ok((kept, reaped))
            })
            .await;
        match renewed {
            Ok((kept, reaped)) => {
                let kept: HashSet<i64> = kept.into_iter().collect();
                for id in ids.iter().filter(|id| !kept.contains(id)) {
                    // Cancelled or taken back behind our back (another process): stop it.
                    engine.abandon(*id);
                }
                let mut wake = HashSet::new();
                for (queue, t) in reaped {
                    wake.insert(queue);
                    inner.activity.record(queue, t.id, t.kind, None);
                }
                for queue in wake {
                    engine.wake(queue);
                }
            }
            Err(e) => tracing::error!(code = e.code(), error = %e, "renewing leases failed"),
        }
        if last_clean.elapsed() >= Duration::from_secs(60) {
            last_clean = Instant::now();
            retain(&engine).await;
        }
    }
}

/// Deletes completed jobs beyond the kept count and age, a batch at a time.
async fn retain(engine: &Engine) {
    let opts = &engine.0.options;
    let keep = opts.keep_completed;
    let age = opts.keep_completed_for.as_millis() as i64;
    for queue in QueueName::ALL.iter().copied() {
        loop {
            let cleaned = engine
                .write(move |c, now| {
                    jobs::clean(
                        c,
                        now,
                        queue,
                        JobState::Completed,
                        Some(now - age),
                        Some(keep),
                        2_000,
                    )
                })
                .await;
            match cleaned {
                Ok(n) if n >= 2_000 => tokio::task::yield_now().await,
                Ok(_) => break,
                Err(e) => {
                    tracing::error!(%queue, code = e.code(), error = %e, "retention failed");
                    break;
                }
            }
        }
    }
}

async fn report_activity(engine: Engine) {
    let every = engine.0.options.activity_every;
    loop {
        tokio::time::sleep(every).await;
        engine.0.activity.flush();
    }
}

/// Transitions gathered between two reports, and the per-queue chart.
struct Activity {
    sink: ActivitySink,
    pending: Mutex<HashMap<QueueName, QueueActivity>>,
    chart: Mutex<HashMap<QueueName, VecDeque<ChartBucket>>>,
}

/// A chart bucket: its start (unix ms), completions, failures.
type ChartBucket = (i64, u64, u64);

/// The chart's bucket and span.
const CHART_BUCKET_MS: i64 = 10_000;
const CHART_BUCKETS: usize = 60;

impl Activity {
    fn new(sink: ActivitySink) -> Activity {
        Activity {
            sink,
            pending: Mutex::default(),
            chart: Mutex::default(),
        }
    }

    fn record(&self, queue: QueueName, id: i64, kind: TransitionKind, progress: Option<u8>) {
        {
            let mut pending = lock(&self.pending);
            let a = pending
                .entry(queue)
                .or_insert_with(|| QueueActivity::new(queue));
            match kind {
                TransitionKind::Added => a.added += 1,
                TransitionKind::Active => a.active += 1,
                TransitionKind::Progress => a.progress += 1,
                TransitionKind::Completed => a.completed += 1,
                TransitionKind::Failed => a.failed += 1,
                TransitionKind::Retrying => a.retrying += 1,
                TransitionKind::Released | TransitionKind::Cancelled | TransitionKind::Removed => {
                    a.other += 1
                }
            }
            if a.jobs.len() == ACTIVITY_SAMPLE {
                a.jobs.remove(0);
            }
            a.jobs.push(JobTransition { id, kind, progress });
        }
        if matches!(
            kind,
            TransitionKind::Completed | TransitionKind::Failed | TransitionKind::Retrying
        ) {
            let now = wall_clock_ms();
            let bucket = now - now.rem_euclid(CHART_BUCKET_MS);
            let mut chart = lock(&self.chart);
            let points = chart.entry(queue).or_default();
            if points.back().map(|p| p.0) != Some(bucket) {
                points.push_back((bucket, 0, 0));
                while points.len() > CHART_BUCKETS {
                    points.pop_front();
                }
            }
            if let Some(p) = points.back_mut() {
                if kind == TransitionKind::Completed {
                    p.1 += 1;
                } else {
                    p.2 += 1;
                }
            }
        }
    }

    /// Many jobs added at once: one lock, and only the last few kept as samples.
    fn record_added(&self, queue: QueueName, jobs: &[Enqueued]) {
        let created: Vec<&Enqueued> = jobs.iter().filter(|e| e.created).collect();
        let mut pending = lock(&self.pending);
        let a = pending
            .entry(queue)
            .or_insert_with(|| QueueActivity::new(queue));
        a.added += created.len() as u64;
        for e in created
            .iter()
            .skip(created.len().saturating_sub(ACTIVITY_SAMPLE))
        {
            if a.jobs.len() == ACTIVITY_SAMPLE {
                a.jobs.remove(0);
            }
            a.jobs.push(JobTransition {
                id: e.id,
                kind: TransitionKind::Added,
                progress: None,
            });
        }
    }

    fn record_other(&self, queue: QueueName) {
        lock(&self.pending)
            .entry(queue)
            .or_insert_with(|| QueueActivity::new(queue))
            .other += 1;
    }

    fn flush(&self) {
        let batch: Vec<QueueActivity> = lock(&self.pending).drain().map(|(_, a)| a).collect();
        for a in batch.into_iter().filter(|a| !a.is_empty()) {
            (self.sink)(a);
        }
    }

    /// The chart is of wall-clock time (what the owner watches), whatever clock the store has.
    fn chart(&self, queue: QueueName) -> Vec<ThroughputPoint> {
        let now = wall_clock_ms();
        let last = now - now.rem_euclid(CHART_BUCKET_MS);
        let first = last - CHART_BUCKET_MS * (CHART_BUCKETS as i64 - 1);
        let chart = lock(&self.chart);
        let points = chart.get(&queue);
        (0..CHART_BUCKETS as i64)
            .map(|i| {
                let at = first + i * CHART_BUCKET_MS;
                let (completed, failed) = points
                    .and_then(|p| p.iter().find(|b| b.0 == at))
                    .map(|b| (b.1, b.2))
                    .unwrap_or((0, 0));
                ThroughputPoint {
                    at: iso(at),
                    completed,
                    failed,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
