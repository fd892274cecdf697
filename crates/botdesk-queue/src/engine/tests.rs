//! The engine on a real store file and a real tokio runtime. Waits are bounded polls of the
//! stored state, never timed assertions.

use std::sync::atomic::{AtomicUsize, Ordering};

use botdesk_store::StoreOptions;
use serde::Deserialize;

use super::*;

#[derive(Default)]
struct Probe {
    runs: AtomicUsize,
    running: AtomicUsize,
    most_at_once: AtomicUsize,
}

/// What each test job does, by its payload.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
enum Work {
    Nothing,
    Panic,
    Hang,
    Fail,
    /// Holds its slot a little (for the concurrency check).
    Hold,
}

impl Job for Work {
    type State = Probe;
    const QUEUE: QueueName = QueueName::OrderProcessing;
    const NAME: &'static str = "work";

    fn options(&self) -> JobOptions {
        JobOptions {
            max_attempts: 2,
            backoff: Backoff::Fixed { delay_ms: 0 },
            timeout_ms: 300,
            ..JobOptions::default()
        }
    }

    async fn run(self, probe: Arc<Probe>, cx: JobContext) -> Result<serde_json::Value, JobError> {
        probe.runs.fetch_add(1, Ordering::SeqCst);
        let now = probe.running.fetch_add(1, Ordering::SeqCst) + 1;
        probe.most_at_once.fetch_max(now, Ordering::SeqCst);
        let out = match self {
            Work::Nothing => Ok(serde_json::json!({"attempt": cx.attempt})),
            Work::Panic => panic!("the handler broke"),
            Work::Hang => {
                std::future::pending::<()>().await;
                Ok(serde_json::Value::Null)
            }
            Work::Fail => Err(JobError::retry("the receiver said 503")),
            Work::Hold => {
                cx.progress(50, Some("half way"));
                tokio::time::sleep(Duration::from_millis(20)).await;
                Ok(serde_json::Value::Null)
            }
        };
        probe.running.fetch_sub(1, Ordering::SeqCst);
        out
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    store: Arc<Store>,
    engine: Engine,
    probe: Arc<Probe>,
    activity: Arc<Mutex<Vec<QueueActivity>>>,
}

async fn setup(concurrency: usize, options: EngineOptions) -> Setup {
    setup_limited(concurrency, None, options).await
}

async fn setup_limited(
    concurrency: usize,
    rate_limit: Option<RateLimit>,
    options: EngineOptions,
) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path(), StoreOptions::default()).unwrap());
    let probe = Arc::new(Probe::default());
    let mut registry = Registry::new();
    registry.register::<Work>(Arc::clone(&probe));
    registry.configure(
        QueueName::OrderProcessing,
        QueueConfig {
            concurrency,
            rate_limit,
        },
    );
    let activity = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&activity);
    let sink: ActivitySink = Arc::new(move |a| lock(&seen).push(a));
    let engine = Engine::start(Arc::clone(&store), registry, options, sink)
        .await
        .unwrap();
    Setup {
        _dir: dir,
        store,
        engine,
        probe,
        activity,
    }
}

fn quick() -> EngineOptions {
    EngineOptions {
        lease: Duration::from_millis(600),
        heartbeat: Duration::from_millis(100),
        poll: Duration::from_millis(200),
        activity_every: Duration::from_millis(50),
        ..EngineOptions::default()
    }
}

/// Polls `check` until it holds, for at most 20 s.
async fn eventually<F: Fn(&QueueStats) -> bool>(
    engine: &Engine,
    what: &str,
    check: F,
) -> QueueStats {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let stats = engine.stats(QueueName::OrderProcessing).await.unwrap();
        if check(&stats) {
            return stats;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: never happened; last {stats:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until the dispatcher has looked for work more than `after` times.
async fn looked_since(engine: &Engine, after: u64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while engine.looks(QueueName::OrderProcessing) <= after {
        assert!(
            Instant::now() < deadline,
            "the dispatcher never looked again"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_every_job_once_within_the_concurrency_limit() {
    let s = setup(4, quick()).await;
    let batch: Vec<NewJob> = (0..300)
        .map(|i| {
            new_job(
                if i % 3 == 0 {
                    &Work::Hold
                } else {
                    &Work::Nothing
                },
                Work::Nothing.options(),
            )
            .unwrap()
        })
        .collect();
    s.engine.enqueue_bulk(batch).await.unwrap();
    let stats = eventually(&s.engine, "all completed", |st| st.completed == 300).await;
    assert_eq!((stats.waiting, stats.active, stats.failed), (0, 0, 0));
    assert_eq!(s.probe.runs.load(Ordering::SeqCst), 300);
    assert!(s.probe.most_at_once.load(Ordering::SeqCst) <= 4);
    s.engine.shutdown(Duration::from_secs(5)).await;
    // Coalesced: far fewer messages than transitions, and every completion counted.
    let activity = lock(&s.activity);
    let completed: u64 = activity.iter().map(|a| a.completed).sum();
    let added: u64 = activity.iter().map(|a| a.added).sum();
    assert_eq!((completed, added), (300, 300));
    assert!(activity.len() < 200, "{} messages", activity.len());
    assert!(activity.iter().all(|a| a.jobs.len() <= ACTIVITY_SAMPLE));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_fails_its_attempt_and_the_worker_lives_on() {
    let s = setup(2, quick()).await;
    let bad = s.engine.enqueue_job(&Work::Panic).await.unwrap();
    eventually(&s.engine, "the panicking job failed", |st| st.failed == 1).await;
    let d = s
        .engine
        .detail(QueueName::OrderProcessing, bad.id)
        .await
        .unwrap();
    assert_eq!(d.attempts, 2);
    assert!(
        d.failed_reason
            .as_deref()
            .unwrap()
            .contains("the handler broke"),
        "{d:?}"
    );
    assert_eq!(d.failures.len(), 2);
    // The worker still runs jobs.
    s.engine.enqueue_job(&Work::Nothing).await.unwrap();
    eventually(&s.engine, "the next job completed", |st| st.completed == 1).await;
    s.engine.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_handler_is_failed_after_its_timeout() {
    let s = setup(2, quick()).await;
    let hung = s.engine.enqueue_job(&Work::Hang).await.unwrap();
    eventually(&s.engine, "the hanging job failed", |st| st.failed == 1).await;
    let d = s
        .engine
        .detail(QueueName::OrderProcessing, hung.id)
        .await
        .unwrap();
    assert_eq!(d.failed_reason.as_deref(), Some("timed out after 300 ms"));
    s.engine.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_stops_claiming_and_resume_goes_on() {
    let s = setup(2, quick()).await;
    s.engine
        .set_paused(QueueName::OrderProcessing, true)
        .await
        .unwrap();
    let before = s.engine.looks(QueueName::OrderProcessing);
    s.engine.enqueue_job(&Work::Nothing).await.unwrap();
    // The enqueue woke the dispatcher; once it has looked, the job is still not claimed.
    looked_since(&s.engine, before).await;
    let st = s.engine.stats(QueueName::OrderProcessing).await.unwrap();
    assert_eq!((st.waiting, st.completed, st.paused), (1, 0, true));
    s.engine
        .set_paused(QueueName::OrderProcessing, false)
        .await
        .unwrap();
    eventually(&s.engine, "completed after resume", |st| st.completed == 1).await;
    s.engine.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_releases_what_does_not_finish_in_time() {
    let s = setup(2, quick()).await;
    let mut options = Work::Hang.options();
    options.timeout_ms = 60_000;
    let e = s
        .engine
        .enqueue(new_job(&Work::Hang, options).unwrap())
        .await
        .unwrap();
    eventually(&s.engine, "running", |st| st.active == 1).await;
    s.engine.shutdown(Duration::from_millis(200)).await;
    let st = s
        .store
        .read(|c| jobs::status(c, QueueName::OrderProcessing, e.id))
        .unwrap();
    assert_eq!(
        (st.status, st.attempts),
        (JobState::Waiting, 0),
        "released, the attempt not counted"
    );
    assert_eq!(
        s.engine
            .enqueue_job(&Work::Nothing)
            .await
            .unwrap_err()
            .code(),
        "queue.shutting_down"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_running_job_stops_it() {
    let s = setup(2, quick()).await;
    let mut options = Work::Hang.options();
    options.timeout_ms = 60_000;
    let e = s
        .engine
        .enqueue(new_job(&Work::Hang, options).unwrap())
        .await
        .unwrap();
    eventually(&s.engine, "running", |st| st.active == 1).await;
    assert_eq!(
        s.engine
            .cancel(QueueName::OrderProcessing, e.id)
            .await
            .unwrap(),
        JobState::Active
    );
    let st = eventually(&s.engine, "cancelled", |st| {
        st.cancelled == 1 && st.active == 0
    })
    .await;
    assert_eq!(st.completed, 0);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !lock(&s.engine.0.running).is_empty() {
        assert!(Instant::now() < deadline, "the attempt was not stopped");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    s.engine.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_workers_job_comes_back_and_runs_here() {
    let s = setup(2, quick()).await;
    // Another process claimed it, then died: nobody renews its lease.
    let id = s
        .store
        .with_tx(&actor(), |tx| -> Result<i64, QueueError> {
            let now = s.store.now().unix_millis();
            let e = jobs::enqueue(tx, now, &new_job(&Work::Nothing, Work::Nothing.options())?)?;
            jobs::claim(tx, now, QueueName::OrderProcessing, "dead:1", 300, 1)?;
            Ok(e.id)
        })
        .unwrap();
    eventually(&s.engine, "taken back and completed", |st| {
        st.completed == 1
    })
    .await;
    let d = s
        .engine
        .detail(QueueName::OrderProcessing, id)
        .await
        .unwrap();
    assert_eq!(d.attempts, 2);
    assert_eq!(d.result, Some(serde_json::json!({"attempt": 2})));
    assert!(d.failures[0].error.contains("lease ran out"));
    s.engine.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_jobs_are_kept_and_retried_on_demand() {
    let s = setup(2, quick()).await;
    for _ in 0..3 {
        s.engine.enqueue_job(&Work::Fail).await.unwrap();
    }
    eventually(&s.engine, "all failed", |st| st.failed == 3).await;
    assert_eq!(s.probe.runs.load(Ordering::SeqCst), 6, "two attempts each");
    let page = s
        .engine
        .list(
            QueueName::OrderProcessing,
            JobQuery {
                status: Some(JobState::Failed),
                ..JobQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.jobs.len(), 3);
    assert_eq!(
        page.jobs[0].failed_reason.as_deref(),
        Some("the receiver said 503")
    );
    assert_eq!(
        s.engine
            .retry_all_failed(QueueName::OrderProcessing)
            .await
            .unwrap(),
        3
    );
    eventually(&s.engine, "failed again after their new round", |st| {
        st.failed == 3 && st.waiting == 0 && st.delayed == 0
    })
    .await;
    assert_eq!(s.probe.runs.load(Ordering::SeqCst), 12);
    s.engine.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_without_a_handler_fails_with_a_clear_reason() {
    let s = setup(2, quick()).await;
    let mut job = new_job(&Work::Nothing, Work::Nothing.options()).unwrap();
    job.name = "from_the_future".into();
    let e = s.engine.enqueue(job).await.unwrap();
    let mut newer = new_job(&Work::Nothing, Work::Nothing.options()).unwrap();
    newer.version = 9;
    let n = s.engine.enqueue(newer).await.unwrap();
    let mut garbled = new_job(&Work::Nothing, Work::Nothing.options()).unwrap();
    garbled.payload = r#"{"do":"fly"}"#.into();
    let g = s.engine.enqueue(garbled).await.unwrap();
    eventually(&s.engine, "all three failed", |st| st.failed == 3).await;
    let reason = |id| {
        let engine = s.engine.clone();
        async move {
            engine
                .status(QueueName::OrderProcessing, id)
                .await
                .unwrap()
                .failed_reason
                .unwrap()
        }
    };
    assert!(
        reason(e.id)
            .await
            .contains("no handler for job type \"from_the_future\"")
    );
    assert!(reason(n.id).await.contains("newer botdesk"));
    assert!(reason(g.id).await.contains("does not fit job type work"));
    s.engine.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_holds_back_what_exceeds_it() {
    // Five starts per minute: the first five run at once, the rest wait for the bucket (a
    // token comes back every 12 s, far beyond this test's look).
    let limit = RateLimit {
        max: 5,
        per: Duration::from_secs(60),
    };
    let s = setup_limited(10, Some(limit), quick()).await;
    let batch: Vec<NewJob> = (0..8)
        .map(|_| new_job(&Work::Nothing, Work::Nothing.options()).unwrap())
        .collect();
    let before = s.engine.looks(QueueName::OrderProcessing);
    s.engine.enqueue_bulk(batch).await.unwrap();
    eventually(&s.engine, "the first five ran", |st| st.completed == 5).await;
    // It claimed five, then came back for the rest and the limit let none start.
    looked_since(&s.engine, before + 1).await;
    let st = s.engine.stats(QueueName::OrderProcessing).await.unwrap();
    assert_eq!((st.completed, st.waiting), (5, 3), "held back by the limit");
    assert_eq!(s.probe.runs.load(Ordering::SeqCst), 5);
    s.engine.shutdown(Duration::from_secs(5)).await;
}
