//! `botdesk-bench webhooks`: the real dispatcher (the core's ops, the `webhook_delivery` queue,
//! signing, the HTTP client, every attempt logged in SQLite) against a local receiver on its
//! own thread and runtime, as another process would be.
//!
//! - throughput: N events queued while the queue is paused (one delivery each), then resumed;
//!   the time until the receiver has all N and the store has recorded all N as delivered;
//! - latency when idle: one event at a time, from handing it over to the receiver having it;
//! - memory with a backlog for a dead endpoint: `--pending` events queued for an endpoint
//!   nothing listens on, then the engine left to work through them for `--pending-secs`, RSS
//!   sampled throughout.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use botdesk_core::config::Config;
use botdesk_core::dto::{EventIn, MerchantCreate, WebhookCreate};
use botdesk_core::queue::QueueName;
use botdesk_core::store::Actor;
use botdesk_core::store::tables::webhook_events::EventSource;
use botdesk_core::{Services, ServicesOptions, Shell};
use http_body_util::{BodyExt, Empty};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use tokio::sync::Notify;

use crate::{median, peak_rss_mb, rss_mb};

/// What the receiver has seen.
#[derive(Debug, Default)]
struct Arrivals {
    count: AtomicUsize,
    arrived: Notify,
}

/// Starts a receiver answering 204 to every POST, on its own thread with its own runtime.
fn start_receiver() -> anyhow::Result<(SocketAddr, Arc<Arrivals>)> {
    let arrivals = Arc::new(Arrivals::default());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("the receiver's port")?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let shared = Arc::clone(&arrivals);
    std::thread::Builder::new()
        .name("receiver".into())
        .spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let shared = Arc::clone(&shared);
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                            let shared = Arc::clone(&shared);
                            async move {
                                // Read the whole body, as a real receiver verifying it would.
                                let _ = req.into_body().collect().await;
                                shared.count.fetch_add(1, Ordering::Release);
                                shared.arrived.notify_waiters();
                                Ok::<_, Infallible>(
                                    Response::builder()
                                        .status(204)
                                        .body(Empty::<Bytes>::new())
                                        .unwrap_or_default(),
                                )
                            }
                        });
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                            .await;
                    });
                }
            });
        })
        .context("the receiver's thread")?;
    Ok((addr, arrivals))
}

struct Setup {
    ctx: Services,
    merchant: String,
    _dir: tempfile::TempDir,
}

async fn setup() -> anyhow::Result<Setup> {
    let dir = tempfile::tempdir()?;
    let config = Config {
        webhooks_allow_localhost: true,
        webhook_endpoint_concurrency: std::env::var("CONC")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(8),
        ..Config::default()
    };
    let ctx = Services::open(ServicesOptions::new(dir.path(), config, Shell::Cli))?;
    botdesk_core::runtime::start(&ctx).await?;
    let merchant = botdesk_core::catalog::create_merchant(
        &ctx,
        &Actor::Local,
        MerchantCreate {
            name: "Bench shop".into(),
        },
    )?
    .id;
    Ok(Setup {
        ctx,
        merchant,
        _dir: dir,
    })
}

fn endpoint(s: &Setup, url: &str) -> anyhow::Result<String> {
    Ok(botdesk_core::webhooks::create(
        &s.ctx,
        &Actor::Local,
        WebhookCreate {
            merchant_id: s.merchant.clone(),
            url: url.to_owned(),
            description: None,
            events: None,
            custom_headers: None,
            timeout_ms: None,
            enabled: None,
        },
    )?
    .webhook
    .id)
}

/// An order event as the bot sends it (about 300 bytes of payload).
fn event(s: &Setup, n: usize) -> anyhow::Result<()> {
    botdesk_core::webhooks::handle_event(
        &s.ctx,
        &Actor::Local,
        EventIn {
            event_type: "order_created".into(),
            payload: serde_json::json!({
                "order_id": format!("ORD-{n:08}"),
                "customer_id": "+15551234567",
                "items": [{"product_id": "prod_mango", "name": "Mango", "quantity": 3, "price": 2.5},
                          {"product_id": "prod_lime", "name": "Lime", "quantity": 1, "price": 0.99}],
                "total_amount": 8.49,
                "currency": "USD",
                "status": "pending",
            }),
            merchant_id: Some(s.merchant.clone()),
        },
        EventSource::Api,
    )?;
    Ok(())
}

async fn wait_for(arrivals: &Arrivals, n: usize, limit: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + limit;
    while arrivals.count.load(Ordering::Acquire) < n {
        let notified = arrivals.arrived.notified();
        if arrivals.count.load(Ordering::Acquire) >= n {
            break;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            bail!(
                "only {} of {n} deliveries arrived within {limit:?}",
                arrivals.count.load(Ordering::Acquire)
            );
        }
        let _ = tokio::time::timeout(left.min(Duration::from_millis(50)), notified).await;
    }
    Ok(())
}

/// Deliveries of `webhook` the store has recorded as delivered.
fn delivered(ctx: &Services, webhook: &str) -> anyhow::Result<i64> {
    Ok(botdesk_core::webhooks::get(ctx, webhook)?.health.succeeded)
}

struct Throughput {
    enqueue_per_s: f64,
    deliveries_per_s: f64,
}

async fn throughput(n: usize) -> anyhow::Result<Throughput> {
    let (addr, arrivals) = start_receiver()?;
    let s = setup().await?;
    let hook = endpoint(&s, &format!("http://{addr}/hooks"))?;
    botdesk_core::queues::set_paused(&s.ctx, QueueName::WebhookDelivery, true).await?;
    let started = Instant::now();
    for i in 0..n {
        event(&s, i)?;
    }
    let enqueue_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    botdesk_core::queues::set_paused(&s.ctx, QueueName::WebhookDelivery, false).await?;
    wait_for(&arrivals, n, Duration::from_secs(600)).await?;
    // Delivered means recorded too: the last answers' rows are committed.
    let deadline = Instant::now() + Duration::from_secs(60);
    while delivered(&s.ctx, &hook)? < n as i64 {
        if Instant::now() > deadline {
            bail!("the store did not record every delivery");
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let deliver_s = started.elapsed().as_secs_f64();
    botdesk_core::runtime::stop(&s.ctx).await;
    Ok(Throughput {
        enqueue_per_s: n as f64 / enqueue_s,
        deliveries_per_s: n as f64 / deliver_s,
    })
}

async fn idle_latency(samples: usize) -> anyhow::Result<(f64, f64)> {
    let (addr, arrivals) = start_receiver()?;
    let s = setup().await?;
    endpoint(&s, &format!("http://{addr}/hooks"))?;
    // Warm the connection pool and the prepared statements.
    for i in 0..20 {
        event(&s, i)?;
        wait_for(&arrivals, i + 1, Duration::from_secs(10)).await?;
    }
    let mut ms = Vec::with_capacity(samples);
    for i in 0..samples {
        tokio::time::sleep(Duration::from_millis(5)).await;
        let started = Instant::now();
        event(&s, i)?;
        wait_for(&arrivals, 20 + i + 1, Duration::from_secs(10)).await?;
        ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    botdesk_core::runtime::stop(&s.ctx).await;
    let p50 = median(&mut ms.clone());
    ms.sort_by(f64::total_cmp);
    let p99 = ms[((ms.len() as f64 * 0.99) as usize).min(ms.len() - 1)];
    Ok((p50, p99))
}

struct Backlog {
    enqueue_s: f64,
    rss_mb_max: f64,
    rss_mb_end: f64,
    first_attempts: i64,
}

/// `pending` events to a dead endpoint, the engine working through them for `secs`.
async fn dead_endpoint(pending: usize, secs: u64) -> anyhow::Result<Backlog> {
    let s = setup().await?;
    let dead = std::net::TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}/hooks", dead.local_addr()?);
    drop(dead);
    let hook = endpoint(&s, &url)?;
    // Queued as a backlog (the endpoint died while events kept coming), then let loose.
    botdesk_core::queues::set_paused(&s.ctx, QueueName::WebhookDelivery, true).await?;
    let started = Instant::now();
    let mut rss_max: f64 = rss_mb();
    for i in 0..pending {
        event(&s, i)?;
        if i % 5000 == 0 {
            rss_max = rss_max.max(rss_mb());
        }
    }
    let enqueue_s = started.elapsed().as_secs_f64();
    botdesk_core::queues::set_paused(&s.ctx, QueueName::WebhookDelivery, false).await?;
    let until = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(250)).await;
        rss_max = rss_max.max(rss_mb());
    }
    let first_attempts = s.ctx.store().read(|c| {
        c.query_row(
            "SELECT count(*) FROM webhook_deliveries WHERE webhook_id = ?1 AND attempts > 0",
            [&hook],
            |r| r.get::<_, i64>(0),
        )
        .map_err(botdesk_core::store::StoreError::from)
    })?;
    let rss_end = rss_mb();
    botdesk_core::runtime::stop(&s.ctx).await;
    Ok(Backlog {
        enqueue_s,
        rss_mb_max: rss_max,
        rss_mb_end: rss_end,
        first_attempts,
    })
}

pub async fn webhooks_bench(
    deliveries: usize,
    runs: usize,
    samples: usize,
    pending: usize,
    pending_secs: u64,
    json: bool,
) -> anyhow::Result<()> {
    let mut per_s = Vec::new();
    let mut enqueue = Vec::new();
    for _ in 0..runs.max(1) {
        let t = throughput(deliveries).await?;
        per_s.push(t.deliveries_per_s);
        enqueue.push(t.enqueue_per_s);
    }
    let (p50, p99) = idle_latency(samples).await?;
    let backlog = if pending > 0 {
        Some(dead_endpoint(pending, pending_secs).await?)
    } else {
        None
    };
    let line = serde_json::json!({
        "deliveries": deliveries,
        "runs": runs,
        "deliveries_per_s": median(&mut per_s).round(),
        "deliveries_per_s_runs": per_s.iter().map(|v| v.round()).collect::<Vec<_>>(),
        "events_enqueued_per_s": median(&mut enqueue).round(),
        "delivered_p50_ms": (p50 * 100.0).round() / 100.0,
        "delivered_p99_ms": (p99 * 100.0).round() / 100.0,
        "latency_samples": samples,
        "dead_endpoint_pending": pending,
        "dead_endpoint_enqueue_s": backlog.as_ref().map(|b| (b.enqueue_s * 10.0).round() / 10.0),
        "dead_endpoint_rss_mb_max": backlog.as_ref().map(|b| b.rss_mb_max.round()),
        "dead_endpoint_rss_mb_end": backlog.as_ref().map(|b| b.rss_mb_end.round()),
        "dead_endpoint_attempted": backlog.as_ref().map(|b| b.first_attempts),
        "peak_rss_mb": peak_rss_mb().round(),
    });
    if json {
        println!("{line}");
    } else {
        println!("webhook deliveries to a local receiver ({deliveries} per run, {runs} runs)");
        println!(
            "  delivered/s (median)          {:>8}",
            line["deliveries_per_s"]
        );
        println!(
            "  events enqueued/s              {:>8}",
            line["events_enqueued_per_s"]
        );
        println!(
            "  enqueue → delivered p50 (idle) {:>8} ms",
            line["delivered_p50_ms"]
        );
        println!(
            "  enqueue → delivered p99 (idle) {:>8} ms",
            line["delivered_p99_ms"]
        );
        if pending > 0 {
            println!(
                "  {pending} pending for a dead endpoint: RSS max {} MB, at the end {} MB",
                line["dead_endpoint_rss_mb_max"], line["dead_endpoint_rss_mb_end"]
            );
        }
        println!(
            "  peak RSS                       {:>8} MB",
            line["peak_rss_mb"]
        );
    }
    Ok(())
}
