//! Deliveries as the owner reads and replays them: an endpoint's page, one delivery with every
//! attempt, a replay (promoting a waiting retry, or queueing a finished one again) and the
//! replay of an endpoint's failures.

use botdesk_queue::{QueueName, jobs};
use botdesk_store::tables::webhook_deliveries::{self as deliveries, DeliveryStatus};
use botdesk_store::tables::webhook_logs::{self};
use botdesk_store::tables::webhooks::Webhook;
use botdesk_store::{Actor, Id, Timestamp};

use crate::error::CoreError;
use crate::ids::{id_or_not_found, not_found};
use crate::services::Services;
use crate::webhooks::job::{DeliverWebhook, delivery_options};
use crate::webhooks::sealed::no_secret_here;
use crate::webhooks::view::delivery_dto;
use crate::webhooks::wire::{
    DeliveryAttemptDto, DeliveryDetailDto, DeliveryDto, DeliveryPageDto, ReplayFailed, ReplayedDto,
};

/// An endpoint's deliveries, newest first; `cursor` from the previous page.
pub fn deliveries_of(
    ctx: &Services,
    webhook_id: &str,
    status: Option<&str>,
    cursor: Option<&str>,
    limit: u32,
) -> Result<DeliveryPageDto, CoreError> {
    let webhook_id = id_or_not_found(webhook_id, "webhook.not_found")?;
    let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(s.parse::<DeliveryStatus>().map_err(|_| {
            CoreError::invalid_field(
                "request.invalid_filter",
                "status",
                format!("status is pending, retrying, succeeded or failed, not {s:?}"),
            )
        })?),
        None => None,
    };
    let before = match cursor.filter(|c| !c.is_empty()) {
        Some(c) => {
            let (at, id) = c
                .split_once('|')
                .ok_or(botdesk_store::StoreError::InvalidCursor)?;
            let at = at
                .parse::<Timestamp>()
                .map_err(|_| botdesk_store::StoreError::InvalidCursor)?;
            let id = id
                .parse::<Id>()
                .map_err(|_| botdesk_store::StoreError::InvalidCursor)?;
            Some((at, id))
        }
        None => None,
    };
    let limit = limit.clamp(1, 200);
    let rows = ctx.store().read(|c| {
        botdesk_store::get::<Webhook>(c, webhook_id)
            .map_err(|_| not_found("webhook.not_found", "webhook", webhook_id))?;
        Ok::<_, CoreError>(deliveries::for_webhook(
            c,
            webhook_id,
            status,
            before,
            limit + 1,
        )?)
    })?;
    let more = rows.len() > limit as usize;
    let items: Vec<DeliveryDto> = rows.iter().take(limit as usize).map(delivery_dto).collect();
    let next_cursor = if more {
        rows.get(limit as usize - 1)
            .map(|d| format!("{}|{}", d.created_at, d.id))
    } else {
        None
    };
    Ok(DeliveryPageDto { items, next_cursor })
}

pub fn delivery(ctx: &Services, id: &str) -> Result<DeliveryDetailDto, CoreError> {
    let id = id_or_not_found(id, "delivery.not_found")?;
    ctx.store().read(|c| {
        let d = deliveries::get(c, id)?
            .ok_or_else(|| not_found("delivery.not_found", "delivery", id))?;
        let attempts = webhook_logs::for_delivery(c, id)?;
        Ok(DeliveryDetailDto {
            delivery: delivery_dto(&d),
            body: d.body.clone(),
            attempts_log: attempts
                .into_iter()
                .map(|l| DeliveryAttemptDto {
                    attempt: l.attempt.attempt,
                    at: l.created_at.to_string(),
                    request_url: l.attempt.request_url,
                    request_headers: l.attempt.request_headers,
                    outcome: l.attempt.outcome,
                    response_status: l.attempt.response_status,
                    response_body_excerpt: l.attempt.response_body_excerpt,
                    latency_ms: l.attempt.latency_ms,
                    error: l.attempt.error,
                })
                .collect(),
        })
    })
}

/// Sends a delivery again now (whatever its state, except one on its way).
pub fn replay(ctx: &Services, actor: &Actor, id: &str) -> Result<DeliveryDto, CoreError> {
    let id = id_or_not_found(id, "delivery.not_found")?;
    let max_attempts = ctx.config().webhook_max_attempts as u32;
    let (dto, enqueued) = ctx.store().with_tx(actor, |tx| -> Result<_, CoreError> {
        let d = deliveries::get(tx, id)?
            .ok_or_else(|| not_found("delivery.not_found", "delivery", id))?;
        if let Some(webhook) = botdesk_store::find::<Webhook>(tx, d.webhook_id)? {
            no_secret_here(&webhook)?;
        }
        if d.status == DeliveryStatus::Retrying
            && let Some(job) = d.job_id
            && jobs::promote(tx, tx.now().unix_millis(), QueueName::WebhookDelivery, job).is_ok()
        {
            // Waiting for its next attempt: that attempt is now.
            deliveries::reopen(tx, id)?;
            let d = deliveries::get(tx, id)?
                .ok_or_else(|| not_found("delivery.not_found", "delivery", id))?;
            return Ok((delivery_dto(&d), None));
        }
        if matches!(d.status, DeliveryStatus::Pending | DeliveryStatus::Retrying) {
            return Err(CoreError::Conflict {
                code: "delivery.in_progress",
                message: format!(
                    "delivery {id} is still {}: it will be tried again by itself",
                    d.status.as_str()
                ),
            });
        }
        let e = requeue(tx, id, max_attempts)?;
        let d = deliveries::get(tx, id)?
            .ok_or_else(|| not_found("delivery.not_found", "delivery", id))?;
        Ok((delivery_dto(&d), Some(e)))
    })?;
    if let Some(engine) = ctx.queue_engine() {
        match enqueued {
            Some(e) => engine.enqueued(QueueName::WebhookDelivery, &[e]),
            None => engine.wake(QueueName::WebhookDelivery),
        }
    }
    Ok(dto)
}

fn requeue(
    tx: &botdesk_store::Tx<'_>,
    id: Id,
    max_attempts: u32,
) -> Result<botdesk_queue::Enqueued, CoreError> {
    deliveries::reopen(tx, id)?;
    let job = DeliverWebhook {
        delivery_id: id.to_string(),
    };
    let new = botdesk_queue::new_job(&job, delivery_options(max_attempts))?;
    let e = jobs::enqueue(tx, tx.now().unix_millis(), &new)?;
    deliveries::set_job(tx, id, e.id)?;
    Ok(e)
}

/// Replays every failed delivery of an endpoint created since `since` (all when left out), up
/// to 10,000 at a time.
pub fn replay_failed(
    ctx: &Services,
    actor: &Actor,
    webhook_id: &str,
    request: ReplayFailed,
) -> Result<ReplayedDto, CoreError> {
    let webhook_id = id_or_not_found(webhook_id, "webhook.not_found")?;
    let since = match request
        .since
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => s.parse::<Timestamp>().map_err(|_| {
            CoreError::invalid_field(
                "request.invalid_time",
                "since",
                format!("since is an RFC 3339 time such as 2026-01-31T09:00:00Z, not {s:?}"),
            )
        })?,
        None => Timestamp::from_unix_millis(0).unwrap_or_else(|| ctx.now()),
    };
    let max_attempts = ctx.config().webhook_max_attempts as u32;
    let enqueued = ctx.store().with_tx(actor, |tx| -> Result<_, CoreError> {
        botdesk_store::get::<Webhook>(tx, webhook_id)
            .map_err(|_| not_found("webhook.not_found", "webhook", webhook_id))?;
        let ids = deliveries::failed_since(tx, webhook_id, since, 10_000)?;
        ids.into_iter()
            .map(|id| requeue(tx, id, max_attempts))
            .collect::<Result<Vec<_>, _>>()
    })?;
    if let Some(engine) = ctx.queue_engine()
        && !enqueued.is_empty()
    {
        engine.enqueued(QueueName::WebhookDelivery, &enqueued);
    }
    Ok(ReplayedDto {
        replayed: enqueued.len() as i64,
    })
}
