//! The delivery job (`webhook_delivery` queue): one attempt of one delivery. It reads the
//! delivery and its endpoint, takes a turn at the endpoint's gate, signs with the current (and,
//! during a rotation, the previous) secret, sends, and in one transaction logs the attempt,
//! records the delivery's state and next attempt, and keeps the endpoint's health (which may
//! disable it: `webhook.disabled` on the bus). The retry delay is the job's own, so it
//! survives restarts.

use std::sync::Arc;
use std::time::Duration;

use botdesk_queue::{Job, JobContext, JobError, JobOptions, QueueConfig, QueueName, Registry};
use botdesk_store::Id;
use botdesk_store::tables::webhook_deliveries::{
    self as deliveries, AttemptResult, DeliveryStatus, WebhookDelivery,
};
use botdesk_store::tables::webhook_logs::{self, DeliveryOutcome, NewWebhookLog};
use botdesk_store::tables::webhooks::Webhook;
use botdesk_webhooks::gate::Gates;
use botdesk_webhooks::health::{self, Attempted, Health};
use botdesk_webhooks::schedule;
use botdesk_webhooks::send::{self, Sender, Verdict};
use serde::{Deserialize, Serialize};

use crate::caller::job_actor;
use crate::error::CoreError;
use crate::events::Event;
use crate::services::{Services, WeakServices};
use crate::webhooks::endpoints::policy;
use crate::webhooks::sealed::{NO_SECRET_HERE, signing_secrets};
use crate::webhooks::view::load_dto;
use crate::webhooks::wire::WebhookDto;

/// Delivers one `webhook_deliveries` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverWebhook {
    pub delivery_id: String,
}

/// What the delivery job runs with: the services, one HTTP client, and each endpoint's gate.
#[derive(Debug)]
pub struct DeliveryState {
    services: WeakServices,
    sender: Sender,
    disable_after: Duration,
    gates: Gates<Id>,
}

impl Job for DeliverWebhook {
    type State = DeliveryState;
    const QUEUE: QueueName = QueueName::WebhookDelivery;
    const NAME: &'static str = "deliver";

    async fn run(
        self,
        state: Arc<DeliveryState>,
        cx: JobContext,
    ) -> Result<serde_json::Value, JobError> {
        deliver(self, state, cx).await
    }
}

/// Jobs in flight on the delivery queue (they wait on the network, not the CPU).
const QUEUE_CONCURRENCY: usize = 64;

pub(crate) fn register(registry: &mut Registry, services: &Services) -> Result<(), CoreError> {
    let config = services.config();
    let state = Arc::new(DeliveryState {
        services: services.downgrade(),
        sender: Sender::new(policy(services))?,
        disable_after: Duration::from_secs(config.webhook_disable_after_hours * 3600),
        gates: Gates::new(config.webhook_endpoint_concurrency as usize),
    });
    registry.register::<DeliverWebhook>(state);
    registry.configure(
        QueueName::WebhookDelivery,
        QueueConfig {
            concurrency: QUEUE_CONCURRENCY,
            ..QueueConfig::default()
        },
    );
    Ok(())
}

/// A number in 0–1 from the delivery and the attempt: the jitter, repeatable for a given
/// attempt (as the queue's own backoff is) and spread across deliveries.
fn jitter_unit(id: Id, attempt: i64) -> f64 {
    let bits = id.0.as_u128();
    botdesk_queue::jitter_unit((bits as u64) ^ ((bits >> 64) as u64), attempt as u32)
}

async fn deliver(
    job: DeliverWebhook,
    state: Arc<DeliveryState>,
    cx: JobContext,
) -> Result<serde_json::Value, JobError> {
    let services = state.services.for_job()?;
    let Ok(id) = job.delivery_id.parse::<Id>() else {
        return Err(JobError::permanent(format!(
            "{:?} is not a delivery id",
            job.delivery_id
        )));
    };
    let loaded = services
        .blocking(move |s| {
            s.store().read(|c| {
                let Some(d) = deliveries::get(c, id)? else {
                    return Ok::<_, CoreError>(None);
                };
                let webhook = botdesk_store::find::<Webhook>(c, d.webhook_id)?;
                Ok(Some((d, webhook)))
            })
        })
        .await
        .map_err(|e| JobError::retry(format!("reading the delivery failed: {e}")))?;
    let Some((delivery, webhook)) = loaded else {
        return Err(JobError::permanent(format!(
            "delivery {id} no longer exists"
        )));
    };
    if delivery.status == DeliveryStatus::Succeeded {
        // A replayed or repeated job of a delivery already made: nothing to send twice.
        return Ok(serde_json::json!({"status": "already_delivered"}));
    }
    let webhook = match webhook {
        Some(w) if !w.is_deleted() && w.data.enabled => w,
        other => {
            let reason = match other {
                Some(w) if !w.is_deleted() => format!(
                    "the endpoint is disabled ({})",
                    w.data
                        .disabled_reason
                        .as_deref()
                        .unwrap_or("no reason given")
                ),
                _ => "the endpoint was deleted".to_owned(),
            };
            give_up(&services, &cx, &delivery, &reason).await?;
            return Err(JobError::permanent(reason));
        }
    };

    // One slow endpoint never holds every worker: past its share, a delivery steps aside.
    let gate = state.gates.of(webhook.meta.id);
    let Some(permit) = gate.turn().await else {
        let wait =
            Duration::from_millis(500 + (jitter_unit(id, cx.attempt.into()) * 1500.0) as u64);
        return Err(JobError::postpone(
            "the endpoint is busy with other deliveries",
            wait,
        ));
    };

    let now = services.now();
    if webhook.data.secret_ciphertext.is_none() {
        // Made on another device: its secret stays there. Nothing unsigned ever goes out.
        drop(permit);
        let reason = format!(
            "{NO_SECRET_HERE}: this endpoint came from another device and its signing secret \
             stays there; rotate the secret on this device to deliver from here, then replay"
        );
        give_up(&services, &cx, &delivery, &reason).await?;
        return Err(JobError::permanent(reason));
    }
    let secrets = signing_secrets(services.secrets(), &webhook, now)
        .map_err(|e| JobError::permanent(e.to_string()))?;
    let attempt_no = delivery.attempts + 1;
    let message_id = delivery.id.to_string();
    let request = send::Request {
        url: &webhook.data.url,
        message_id: &message_id,
        timestamp: now.unix_millis() / 1000,
        body: &delivery.body,
        secrets: secrets.iter().collect(),
        custom_headers: &webhook.data.custom_headers,
        timeout: Duration::from_millis(webhook.data.timeout_ms.clamp(100, 60_000) as u64),
    };
    let attempt = state.sender.send(&request).await;
    gate.record_answer(Duration::from_millis(attempt.latency_ms));
    // The turn is the request: recording it is the store's work, not the endpoint's.
    drop(permit);

    let last_attempt = cx.attempt >= cx.max_attempts;
    let (status, next, job_result) = match &attempt.verdict {
        Verdict::Delivered => (DeliveryStatus::Succeeded, None, Ok(())),
        Verdict::Gone => (
            DeliveryStatus::Failed,
            None,
            Err(JobError::permanent(
                attempt.error.clone().unwrap_or_default(),
            )),
        ),
        Verdict::Retry { .. } if last_attempt => (
            DeliveryStatus::Failed,
            None,
            Err(JobError::permanent(format!(
                "gave up after {attempt_no} attempts: {}",
                attempt.error.clone().unwrap_or_default()
            ))),
        ),
        Verdict::Retry {
            failure,
            retry_after,
        } => {
            let delay = schedule::delay_after(
                cx.attempt,
                *failure,
                *retry_after,
                jitter_unit(id, attempt_no),
            );
            (
                DeliveryStatus::Retrying,
                Some(delay),
                Err(JobError::retry_after(
                    attempt.error.clone().unwrap_or_else(|| "failed".into()),
                    delay,
                )),
            )
        }
    };
    let outcome = if status == DeliveryStatus::Succeeded {
        DeliveryOutcome::Success
    } else {
        DeliveryOutcome::Failure
    };
    let actor = job_actor(&cx);
    let disable_after = state.disable_after;
    let attempted = match (&attempt.verdict, outcome) {
        (Verdict::Gone, _) => Attempted::Gone,
        (_, DeliveryOutcome::Success) => Attempted::Delivered,
        _ => Attempted::Failed,
    };
    let log = NewWebhookLog {
        webhook_id: webhook.meta.id,
        event_id: delivery.event_id.to_string(),
        event_type: delivery.event_type.clone(),
        attempt: attempt_no,
        request_url: webhook.data.url.clone(),
        request_headers: attempt.request_headers.clone(),
        request_body: delivery.body.clone(),
        outcome,
        response_status: attempt.status.map(i64::from),
        response_body_excerpt: attempt.response_excerpt.clone(),
        latency_ms: Some(attempt.latency_ms as i64),
        error: attempt.error.clone(),
        delivery_id: Some(delivery.id),
    };
    let webhook_id = webhook.meta.id;
    let result = AttemptResult {
        status,
        attempts: attempt_no,
        next_attempt_at: next.map(|d| now.plus(time::Duration::milliseconds(d.as_millis() as i64))),
        last_status: attempt.status.map(i64::from),
        last_error: attempt.error.clone(),
        latency_ms: Some(attempt.latency_ms as i64),
    };
    let disabled = services
        .blocking(move |s| {
            s.store()
                .with_tx(&actor, |tx| -> Result<Option<WebhookDto>, CoreError> {
                    webhook_logs::insert(tx, log)?;
                    deliveries::record_attempt(tx, id, &result)?;
                    let Some(row) = botdesk_store::find::<Webhook>(tx, webhook_id)? else {
                        return Ok(None);
                    };
                    let now = tx.now();
                    let before = Health {
                        enabled: row.data.enabled,
                        failing_since: row.data.failing_since,
                    };
                    let failing_for = before.failing_since.map_or(Duration::ZERO, |since| {
                        (now.datetime() - since.datetime())
                            .try_into()
                            .unwrap_or(Duration::ZERO)
                    });
                    let after =
                        health::after_attempt(&before, attempted, now, failing_for, disable_after);
                    if !after.changes(&before) {
                        return Ok(None);
                    }
                    let mut data = row.data.clone();
                    data.failing_since = after.failing_since;
                    let disabled_now = after.disabled_reason.is_some();
                    if let Some(reason) = after.disabled_reason {
                        data.enabled = false;
                        data.disabled_reason = Some(reason);
                    }
                    botdesk_store::update(tx, webhook_id, data)?;
                    if disabled_now {
                        return Ok(Some(load_dto(tx, webhook_id)?));
                    }
                    Ok(None)
                })
        })
        .await
        .map_err(|e| JobError::retry(format!("recording the attempt failed: {e}")))?;
    if let Some(webhook) = disabled {
        tracing::warn!(webhook = %webhook.id, reason = ?webhook.disabled_reason, "webhook disabled");
        services
            .events()
            .publish(Event::WebhookDisabled { webhook });
    }
    job_result.map(|()| {
        serde_json::json!({
            "status": attempt.status,
            "latency_ms": attempt.latency_ms,
        })
    })
}

/// Marks a delivery failed without sending it (its endpoint is gone or disabled).
async fn give_up(
    services: &Services,
    cx: &JobContext,
    delivery: &WebhookDelivery,
    reason: &str,
) -> Result<(), JobError> {
    let actor = job_actor(cx);
    let result = AttemptResult {
        status: DeliveryStatus::Failed,
        attempts: delivery.attempts,
        next_attempt_at: None,
        last_status: delivery.last_status,
        last_error: Some(reason.to_owned()),
        latency_ms: None,
    };
    let id = delivery.id;
    services
        .blocking(move |s| {
            s.store().with_tx(&actor, |tx| -> Result<(), CoreError> {
                Ok(deliveries::record_attempt(tx, id, &result)?)
            })
        })
        .await
        .map_err(|e| JobError::retry(e.to_string()))
}

/// A delivery job's options: the settings' attempts.
pub(crate) fn delivery_options(max_attempts: u32) -> JobOptions {
    JobOptions {
        max_attempts,
        // The longest endpoint timeout (60 s) plus reading the answer and recording it.
        timeout_ms: 90_000,
        ..JobOptions::default()
    }
}
