//! The dispatcher's rules that need time to pass: retention, and the endpoint that fails for
//! days being disabled. A real store on a temp dir, a clock the test moves, the real queue
//! engine, and a port nothing listens on.

use std::sync::Arc;
use std::time::Duration;

use botdesk_store::tables::webhook_events::EventSource;
use botdesk_store::tables::webhook_logs::{self, DeliveryOutcome, NewWebhookLog};
use botdesk_store::{Actor, ManualClock, Timestamp};
use serde_json::json;

use super::*;
use crate::catalog::wire::MerchantCreate;
use crate::config::Config;
use crate::events::Event;
use crate::services::{Services, ServicesOptions, Shell};
use crate::webhooks::wire::{DeliveryStatus, EventAccepted, EventIn, WebhookCreate, WebhookDto};
use botdesk_store::Id;

fn open(dir: &std::path::Path, config: Config) -> (Services, ManualClock) {
    let clock = ManualClock::new(
        "2026-03-01T09:00:00Z"
            .parse::<Timestamp>()
            .expect("a valid time"),
    );
    let mut options = ServicesOptions::new(dir, config, Shell::Server);
    options.clock = Arc::new(clock.clone());
    (Services::open(options).expect("the core opens"), clock)
}

fn merchant(ctx: &Services) -> String {
    crate::catalog::create_merchant(
        ctx,
        &Actor::Local,
        MerchantCreate {
            name: "Shop".into(),
        },
    )
    .expect("a merchant")
    .id
}

/// A URL on 127.0.0.1 where nothing listens (a port taken, then let go).
fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("its address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}/hook")
}

fn endpoint(ctx: &Services, merchant: &str, url: &str) -> String {
    create(
        ctx,
        &Actor::Local,
        WebhookCreate {
            merchant_id: merchant.to_owned(),
            url: url.to_owned(),
            description: None,
            events: None,
            custom_headers: None,
            timeout_ms: None,
            enabled: None,
        },
    )
    .expect("an endpoint")
    .webhook
    .id
}

fn event(ctx: &Services, merchant: &str) -> EventAccepted {
    handle_event(
        ctx,
        &Actor::Local,
        EventIn {
            event_type: "bot_connected".into(),
            payload: json!({}),
            merchant_id: Some(merchant.to_owned()),
        },
        EventSource::Api,
    )
    .expect("the event is taken")
}

#[test]
fn history_and_attempts_past_their_retention_go_but_unfinished_deliveries_stay() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let config = Config {
        webhooks_allow_localhost: true,
        webhook_log_retention_days: 30,
        ..Config::default()
    };
    let (ctx, clock) = open(dir.path(), config);
    let shop = merchant(&ctx);
    // Before any endpoint: an event without deliveries.
    let lone = event(&ctx, &shop);
    assert_eq!(lone.deliveries, 0);
    // The engine is not running: this delivery stays pending.
    let hook = endpoint(&ctx, &shop, &dead_url());
    let waiting = event(&ctx, &shop);
    assert_eq!(waiting.deliveries, 1);
    let hook_id: Id = hook.parse().expect("an id");
    ctx.store()
        .with_untracked_tx(|tx| {
            webhook_logs::insert(
                tx,
                NewWebhookLog {
                    webhook_id: hook_id,
                    event_id: lone.event_id.clone(),
                    event_type: "bot_connected".into(),
                    attempt: 1,
                    request_url: "http://127.0.0.1:9/hook".into(),
                    request_headers: json!({}),
                    request_body: "{}".into(),
                    outcome: DeliveryOutcome::Failure,
                    response_status: None,
                    response_body_excerpt: None,
                    latency_ms: Some(1),
                    error: Some("could not connect".into()),
                    delivery_id: None,
                },
            )
        })
        .expect("an attempt logged");

    clock.advance(time::Duration::days(29));
    assert_eq!(prune(&ctx).expect("prune"), 0, "nothing is old enough yet");
    clock.advance(time::Duration::days(2));
    let fresh = event(&ctx, &shop);
    assert_eq!(
        prune(&ctx).expect("prune"),
        2,
        "the old event and the old attempt"
    );
    let kept: Vec<String> = recent_events(&ctx, 100, None)
        .expect("the history")
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(kept, [fresh.event_id, waiting.event_id], "newest first");
    assert_eq!(
        deliveries_of(&ctx, &hook, None, None, 50)
            .expect("deliveries")
            .items
            .len(),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_failing_for_the_whole_period_is_disabled_and_the_owner_told() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let config = Config {
        webhooks_allow_localhost: true,
        webhook_disable_after_hours: 24,
        ..Config::default()
    };
    let (ctx, clock) = open(dir.path(), config);
    let mut bus = ctx.events().subscribe();
    crate::runtime::start(&ctx)
        .await
        .expect("the engine starts");
    let shop = merchant(&ctx);
    let hook = endpoint(&ctx, &shop, &dead_url());

    let wait_for = |what: &'static str, check: &dyn Fn(&WebhookDto) -> bool| {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let w = get(&ctx, &hook).expect("the endpoint");
            if check(&w) {
                return w;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{what}: not within 20 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    event(&ctx, &shop);
    let failing = tokio::task::block_in_place(|| {
        wait_for("the first failure", &|w| w.failing_since.is_some())
    });
    assert!(failing.enabled, "one failure does not disable");

    // Almost a day of failures: still enabled.
    clock.advance(time::Duration::hours(23));
    event(&ctx, &shop);
    tokio::task::block_in_place(|| {
        wait_for("the second failure", &|w| {
            w.health.pending == 2
                && w.health.last_attempt_at.as_deref() != failing.health.last_attempt_at.as_deref()
        })
    });
    assert!(get(&ctx, &hook).expect("the endpoint").enabled);

    // A day without a single success: the next failure disables it, with the reason.
    clock.advance(time::Duration::hours(2));
    event(&ctx, &shop);
    let disabled = tokio::task::block_in_place(|| wait_for("disabled", &|w| !w.enabled));
    let reason = disabled.disabled_reason.unwrap_or_default();
    assert!(reason.contains("24 hours without a success"), "{reason}");
    let told = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match bus.recv().await {
                Ok(p) => {
                    if let Event::WebhookDisabled { webhook } = &p.dto.event
                        && webhook.id == hook
                    {
                        return true;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => return false,
            }
        }
    })
    .await;
    assert_eq!(told, Ok(true), "the UI hears of it");
    crate::runtime::stop(&ctx).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_from_another_device_sends_nothing_unsigned_until_its_secret_is_rotated_here() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let config = Config {
        webhooks_allow_localhost: true,
        ..Config::default()
    };
    let (ctx, _clock) = open(dir.path(), config);
    crate::runtime::start(&ctx)
        .await
        .expect("the engine starts");
    let shop = merchant(&ctx);
    let hook = endpoint(&ctx, &shop, &dead_url());
    // As sync brings it from another device: the secret columns stay on the device that made it.
    ctx.store()
        .with_untracked_tx(|tx| {
            tx.execute(
                "UPDATE webhooks SET secret_ciphertext = NULL, previous_secret_ciphertext = NULL WHERE id = ?1",
                [&hook],
            )
            .map_err(botdesk_store::StoreError::from)
        })
        .expect("the secret is gone");
    assert!(!get(&ctx, &hook).expect("the endpoint").has_secret);

    event(&ctx, &shop);
    let failed = tokio::task::block_in_place(|| {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let page = deliveries_of(&ctx, &hook, None, None, 10).expect("its deliveries");
            if let Some(d) = page
                .items
                .into_iter()
                .find(|d| d.status == DeliveryStatus::Failed)
            {
                return d;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "not failed within 20 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let reason = failed.last_error.unwrap_or_default();
    assert!(reason.starts_with(NO_SECRET_HERE), "{reason}");
    assert_eq!(failed.attempts, 0, "nothing was sent");

    let secret = rotate_secret(&ctx, &Actor::Local, &hook).expect("a secret made here");
    assert!(secret.webhook.has_secret);
    crate::runtime::stop(&ctx).await;
}

#[test]
fn an_endpoint_without_its_secret_here_refuses_tests_and_replays_with_its_code() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let config = Config {
        webhooks_allow_localhost: true,
        ..Config::default()
    };
    let (ctx, _clock) = open(dir.path(), config);
    let shop = merchant(&ctx);
    let hook = endpoint(&ctx, &shop, &dead_url());
    let accepted = send_test(&ctx, &Actor::Local, &hook).expect("a test while it has its secret");
    let delivery = deliveries_of(&ctx, &hook, None, None, 10)
        .expect("its deliveries")
        .items
        .into_iter()
        .find(|d| d.event_id == accepted.event_id)
        .expect("the test's delivery");
    // As it arrives from another device: the row without the secret, which stays there.
    let id: Id = hook.parse().expect("an id");
    ctx.store()
        .with_tx(&Actor::Local, |tx| {
            let row = botdesk_store::get::<botdesk_store::tables::webhooks::Webhook>(tx, id)?;
            let mut data = row.data.clone();
            data.secret_ciphertext = None;
            botdesk_store::update(tx, id, data)
        })
        .expect("the secret gone");
    let refused = send_test(&ctx, &Actor::Local, &hook).expect_err("refused");
    assert_eq!(refused.code(), NO_SECRET_HERE);
    assert_eq!(refused.kind(), crate::error::ErrorKind::Conflict);
    let refused = replay(&ctx, &Actor::Local, &delivery.id).expect_err("refused");
    assert_eq!(refused.code(), NO_SECRET_HERE);
    // A rotation here gives it a secret: it sends again.
    rotate_secret(&ctx, &Actor::Local, &hook).expect("a secret of its own");
    send_test(&ctx, &Actor::Local, &hook).expect("a test once it has one");
}
