//! `botdesk-bench`: botdesk's measurements, printed so that anyone can rerun them beside the
//! peers (`make bench` runs them with the peers in the same run).
//!
//!   botdesk-bench queue --jobs N [--runs R] [--concurrency 1,10,50] [--json]
//!   botdesk-bench media --corpus DIR [--passes P] [--json]
//!   botdesk-bench webhooks --deliveries N [--runs R] [--pending P] [--json]
//!   botdesk-bench sync --rows N --database-url URL --user-id UUID [--json]
//!
//! The queue benchmark mirrors `../shared/bench/bullmq/bench.mjs`: the same payload, `addBulk`-
//! sized batches of 1000, a no-op handler draining N pre-enqueued jobs at each concurrency, the
//! median of the runs. Each run has its own temp data dir (SQLite WAL, synchronous=NORMAL: the
//! peer runs Redis with appendfsync everysec).

mod media;
mod sync;
mod webhooks;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use botdesk_queue::{
    ActivitySink, Engine, EngineOptions, Job, JobContext, JobError, JobOptions, JobQuery, JobState,
    NewJob, QueueConfig, QueueName, Registry, new_job,
};
use botdesk_store::{Store, StoreOptions};
use clap::{Parser, Subcommand};
use serde::{Deserialize, Serialize};

#[derive(Parser)]
#[command(name = "botdesk-bench", about = "botdesk's benchmarks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The job queue: bulk enqueue, end-to-end processing of no-op jobs, idle claim latency,
    /// memory while processing, and the monitor's first page at N rows.
    Queue {
        #[arg(long, default_value_t = 20_000)]
        jobs: usize,
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// The worker concurrencies to measure, comma-separated.
        #[arg(long, default_value = "1,10,50")]
        concurrency: String,
        /// Samples of the idle claim latency.
        #[arg(long, default_value_t = 300)]
        claims: usize,
        /// One JSON line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// The media pipeline on a corpus: the sharp peer's four outputs per image, on one thread
    /// and on two, with peak memory and bytes written.
    Media {
        #[arg(long)]
        corpus: std::path::PathBuf,
        /// Timed passes (after one warm-up); the median counts.
        #[arg(long, default_value_t = 3)]
        passes: usize,
        /// One JSON line instead of a table.
        #[arg(long)]
        json: bool,
        /// Also write every output into this folder, named as the peer names them.
        #[arg(long)]
        save: Option<std::path::PathBuf>,
    },
    /// The webhook dispatcher against a local receiver: signed deliveries per second, idle
    /// enqueue-to-delivered latency, and memory with a backlog for a dead endpoint.
    Webhooks {
        #[arg(long, default_value_t = 10_000)]
        deliveries: usize,
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Samples of the idle latency.
        #[arg(long, default_value_t = 200)]
        samples: usize,
        /// Events queued for an endpoint nothing listens on (0: skip that part).
        #[arg(long, default_value_t = 100_000)]
        pending: usize,
        /// How long the engine works through that backlog while memory is sampled.
        #[arg(long, default_value_t = 20)]
        pending_secs: u64,
        /// One JSON line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Sync against a PostgreSQL with botdesk's Supabase migrations: N changed rows pushed,
    /// then pulled by a new device.
    Sync {
        #[arg(long, default_value_t = 10_000)]
        rows: usize,
        /// The database (bench/sync.sh starts a throwaway one).
        #[arg(long)]
        database_url: String,
        /// The Supabase Auth user to sync as (an owner in public.users).
        #[arg(long)]
        user_id: String,
        /// One JSON line instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// The peer's payload (`bench.mjs`), field for field.
#[derive(Debug, Serialize, Deserialize)]
struct SendMessage {
    to: String,
    body: String,
    attempt: u32,
    meta: Meta,
    i: usize,
}

#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    a: u32,
    b: String,
}

#[derive(Default)]
struct Probe {
    runs: AtomicUsize,
    started: Mutex<Option<tokio::sync::mpsc::UnboundedSender<Instant>>>,
}

impl Job for SendMessage {
    type State = Probe;
    const QUEUE: QueueName = QueueName::MessageSending;
    const NAME: &'static str = "send";

    async fn run(self, probe: Arc<Probe>, _cx: JobContext) -> Result<serde_json::Value, JobError> {
        probe.runs.fetch_add(1, Ordering::Relaxed);
        if let Some(tx) = probe
            .started
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            let _ = tx.send(Instant::now());
        }
        Ok(serde_json::Value::String("ok".into()))
    }
}

fn payload(i: usize) -> SendMessage {
    SendMessage {
        to: "+15551234567".into(),
        body: "hello world from the benchmark".into(),
        attempt: 0,
        meta: Meta {
            a: 1,
            b: "x".repeat(40),
        },
        i,
    }
}

struct Bench {
    _dir: tempfile::TempDir,
    engine: Engine,
    probe: Arc<Probe>,
}

async fn start(concurrency: usize) -> anyhow::Result<Bench> {
    let dir = tempfile::tempdir()?;
    let store = Arc::new(Store::open(dir.path(), StoreOptions::default())?);
    let probe = Arc::new(Probe::default());
    let mut registry = Registry::new();
    registry.register::<SendMessage>(Arc::clone(&probe));
    registry.configure(
        QueueName::MessageSending,
        QueueConfig {
            concurrency,
            rate_limit: None,
        },
    );
    let sink: ActivitySink = Arc::new(|_| {});
    let engine = Engine::start(store, registry, EngineOptions::default(), sink).await?;
    Ok(Bench {
        _dir: dir,
        engine,
        probe,
    })
}

fn batch(from: usize, to: usize) -> anyhow::Result<Vec<NewJob>> {
    (from..to)
        .map(|i| Ok(new_job(&payload(i), JobOptions::default())?))
        .collect()
}

/// Enqueues `n` jobs in batches of 1000; returns jobs per second.
async fn enqueue(engine: &Engine, n: usize) -> anyhow::Result<f64> {
    // Each batch is built outside the timing (as the peer builds its array before addBulk),
    // and one at a time, so that a million jobs never sit in memory at once.
    let mut spent = Duration::ZERO;
    for from in (0..n).step_by(1000) {
        let b = batch(from, (from + 1000).min(n))?;
        let t0 = Instant::now();
        engine.enqueue_bulk(b).await?;
        spent += t0.elapsed();
    }
    Ok(n as f64 / spent.as_secs_f64())
}

fn rss_mb() -> f64 {
    proc_status_mb("VmRSS:")
}

/// The most memory the process has held so far.
fn peak_rss_mb() -> f64 {
    proc_status_mb("VmHWM:")
}

fn proc_status_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

struct ProcessRun {
    jobs_per_s: f64,
    rss_mb: Vec<f64>,
}

/// Drains `n` pre-enqueued jobs; returns jobs per second, enqueue to completed-in-the-store.
async fn process(b: &Bench, n: usize) -> anyhow::Result<ProcessRun> {
    let queue = QueueName::MessageSending;
    let t0 = Instant::now();
    b.engine.set_paused(queue, false).await?;
    let mut rss = vec![rss_mb()];
    let mut next_sample = n / 10;
    loop {
        let stats = b.engine.stats(queue).await?;
        if stats.completed as usize >= n {
            break;
        }
        if stats.failed > 0 {
            bail!("{} jobs failed", stats.failed);
        }
        if stats.completed as usize >= next_sample {
            rss.push(rss_mb());
            next_sample += n / 10;
        }
        if t0.elapsed() > Duration::from_secs(3600) {
            bail!("not done after an hour: {stats:?}");
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let dt = t0.elapsed().as_secs_f64();
    rss.push(rss_mb());
    let ran = b.probe.runs.load(Ordering::Relaxed);
    if ran != n {
        bail!("{ran} handler runs for {n} jobs");
    }
    Ok(ProcessRun {
        jobs_per_s: n as f64 / dt,
        rss_mb: rss,
    })
}

/// The median time of the monitor's first page (50 rows) with and without a state filter.
async fn first_page_ms(engine: &Engine) -> anyhow::Result<f64> {
    let mut times = Vec::new();
    for i in 0..20 {
        let query = JobQuery {
            status: (i % 2 == 0).then_some(JobState::Completed),
            limit: Some(50),
            ..JobQuery::default()
        };
        let t0 = Instant::now();
        let page = engine.list(QueueName::MessageSending, query).await?;
        times.push(t0.elapsed().as_secs_f64() * 1000.0);
        if page.jobs.is_empty() {
            bail!("the first page is empty");
        }
    }
    Ok(median(&mut times))
}

/// From the enqueue call (its commit included) to the handler starting, on an idle queue.
async fn claim_latency(samples: usize) -> anyhow::Result<(f64, f64)> {
    let b = start(1).await?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    *b.probe.started.lock().unwrap_or_else(|p| p.into_inner()) = Some(tx);
    let mut ms = Vec::with_capacity(samples);
    for i in 0..samples {
        // Idle: the worker has gone back to waiting for a wake-up.
        tokio::time::sleep(Duration::from_millis(3)).await;
        let t0 = Instant::now();
        b.engine
            .enqueue(new_job(&payload(i), JobOptions::default())?)
            .await?;
        let started = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .context("a job was not claimed within 10 s")?
            .context("the handler is gone")?;
        ms.push((started - t0).as_secs_f64() * 1000.0);
    }
    b.engine.shutdown(Duration::from_secs(5)).await;
    ms.sort_by(f64::total_cmp);
    let p99 = ms[((ms.len() * 99) / 100).min(ms.len() - 1)];
    Ok((median(&mut ms), p99))
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let m = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[m]
    } else {
        (xs[m - 1] + xs[m]) / 2.0
    }
}

async fn queue_bench(
    jobs: usize,
    runs: usize,
    concurrency: &str,
    claims: usize,
    json: bool,
) -> anyhow::Result<()> {
    let concurrencies: Vec<usize> = concurrency
        .split(',')
        .map(|c| {
            c.trim()
                .parse()
                .context("--concurrency: numbers separated by commas")
        })
        .collect::<anyhow::Result<_>>()?;
    if jobs == 0 || runs == 0 || concurrencies.is_empty() {
        bail!("--jobs, --runs and --concurrency must be positive");
    }
    let mut enqueue_rates = Vec::new();
    let mut process_rates: Vec<(usize, Vec<f64>)> =
        concurrencies.iter().map(|c| (*c, Vec::new())).collect();
    let mut rss_samples = Vec::new();
    let mut page_ms = Vec::new();
    for _ in 0..runs {
        for (c, rates) in process_rates.iter_mut() {
            let b = start(*c).await?;
            b.engine.set_paused(QueueName::MessageSending, true).await?;
            enqueue_rates.push(enqueue(&b.engine, jobs).await?);
            let run = process(&b, jobs).await?;
            rates.push(run.jobs_per_s);
            rss_samples = run.rss_mb;
            page_ms.push(first_page_ms(&b.engine).await?);
            b.engine.shutdown(Duration::from_secs(10)).await;
            if !json {
                eprintln!("  concurrency {c}: {:.0} jobs/s", run.jobs_per_s);
            }
        }
    }
    let (claim_p50, claim_p99) = claim_latency(claims).await?;
    let process: Vec<(usize, f64)> = process_rates
        .into_iter()
        .map(|(c, mut r)| (c, median(&mut r)))
        .collect();
    let best = process.iter().map(|(_, r)| *r).fold(0.0, f64::max);
    let rss_first = rss_samples.first().copied().unwrap_or(0.0);
    let rss_max = rss_samples.iter().copied().fold(0.0, f64::max);
    let rss_min = rss_samples.iter().copied().fold(f64::MAX, f64::min);
    let mut line = serde_json::json!({
        "peer": "botdesk",
        "version": env!("CARGO_PKG_VERSION"),
        "durability": "sqlite wal synchronous=NORMAL",
        "jobs": jobs,
        "runs": runs,
        "enqueue_bulk_jobs_per_s": median(&mut enqueue_rates).round(),
        "process_jobs_per_s": best.round(),
        "claim_p50_ms": (claim_p50 * 1000.0).round() / 1000.0,
        "claim_p99_ms": (claim_p99 * 1000.0).round() / 1000.0,
        "rss_mb_min": (rss_min * 10.0).round() / 10.0,
        "rss_mb_max": (rss_max * 10.0).round() / 10.0,
        "rss_mb_at_start": (rss_first * 10.0).round() / 10.0,
        "first_page_ms": (median(&mut page_ms) * 1000.0).round() / 1000.0,
        // At the start, after every tenth of the jobs, and at the end (of the last run).
        "rss_mb_samples": rss_samples.iter().map(|m| (m * 10.0).round() / 10.0).collect::<Vec<_>>(),
    });
    for (c, r) in &process {
        line[format!("process_jobs_per_s_conc{c}")] = serde_json::json!(r.round());
    }
    if json {
        println!("{line}");
    } else {
        println!("botdesk queue, {jobs} jobs, median of {runs} runs");
        println!(
            "  bulk enqueue (batches of 1000)  {:>10.0} jobs/s",
            line["enqueue_bulk_jobs_per_s"].as_f64().unwrap_or(0.0)
        );
        for (c, r) in &process {
            println!("  process, concurrency {c:<9} {r:>10.0} jobs/s");
        }
        println!("  idle claim p50 / p99            {claim_p50:>7.3} / {claim_p99:.3} ms");
        println!("  memory while processing         {rss_min:.1}–{rss_max:.1} MB");
        println!(
            "  first page at {jobs} rows        {:>7.3} ms",
            line["first_page_ms"].as_f64().unwrap_or(0.0)
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Queue {
            jobs,
            runs,
            concurrency,
            claims,
            json,
        } => queue_bench(jobs, runs, &concurrency, claims, json).await,
        Command::Media {
            corpus,
            passes,
            json,
            save,
        } => media::media_bench(&corpus, passes, json, save.as_deref()),
        Command::Webhooks {
            deliveries,
            runs,
            samples,
            pending,
            pending_secs,
            json,
        } => webhooks::webhooks_bench(deliveries, runs, samples, pending, pending_secs, json).await,
        Command::Sync {
            rows,
            database_url,
            user_id,
            json,
        } => sync::sync_bench(rows, &database_url, &user_id, json).await,
    }
}
