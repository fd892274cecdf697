//! Webhooks: merchants' endpoints (secrets sealed at rest, shown once), the event history, one
//! delivery per event and subscribed endpoint carried by the `webhook_delivery` queue, every
//! attempt logged, replays, and the bot's signed events coming in (`POST /api/events`).
//!
//! Delivery is at-least-once: a delivery whose 2xx was received but not yet recorded when the
//! process died is sent again, with the same `webhook-id`, so receivers drop the repeat. No
//! order is promised between deliveries (retries overtake); each body carries its event's
//! `timestamp` for receivers that need one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use botdesk_queue::{
    Job, JobContext, JobError, JobOptions, QueueConfig, QueueName, Registry, jobs,
};
use botdesk_store::tables::app_settings;
use botdesk_store::tables::merchants::Merchant;
use botdesk_store::tables::webhook_deliveries::{
    self as deliveries, AttemptResult, DeliveryStatus, WebhookDelivery,
};
use botdesk_store::tables::webhook_events::{self as history, EventSource, WebhookEvent};
use botdesk_store::tables::webhook_logs::{self, DeliveryOutcome, NewWebhookLog};
use botdesk_store::tables::webhooks::{Ciphertext, Webhook};
use botdesk_store::{Actor, Filter, Id, Store, Stored, Timestamp};
use botdesk_webhooks::schedule;
use botdesk_webhooks::send::{self, Sender, Verdict};
use botdesk_webhooks::{AddressPolicy, EventType, Secret, Signed, endpoints, events};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::ctx::Ctx;
use crate::dto::{
    DeliveryAttemptDto, DeliveryDetailDto, DeliveryDto, DeliveryPageDto, Event, EventIn,
    IngestSecretDto, ReplayFailed, ReplayedDto, WebhookCreate, WebhookDto, WebhookEventDto,
    WebhookHealthDto, WebhookSecretDto, WebhookStatusDto, WebhookUpdate,
};
use crate::error::CoreError;
use crate::events::EventBus;
use crate::ops::{id_or_not_found, not_found};
use crate::secrets::SecretBox;

/// During a rotation the previous secret keeps signing this long, so receivers can switch.
const ROTATION_OVERLAP: time::Duration = time::Duration::hours(24);
/// The setting holding the sealed secret the bot signs `POST /api/events` with.
const INGEST_SECRET: &str = "webhooks.ingest_secret";
/// What a masked custom header value looks like in the API.
const MASK: &str = "••••••";
/// Jobs in flight on the delivery queue (they wait on the network, not the CPU).
const QUEUE_CONCURRENCY: usize = 64;

fn purpose(id: Id) -> String {
    format!("webhooks/{id}")
}

fn policy(ctx: &Ctx) -> AddressPolicy {
    AddressPolicy {
        allow_loopback: ctx.config().webhooks_allow_localhost,
    }
}

// DTOs ------------------------------------------------------------------------------------------

fn masked_headers(headers: &serde_json::Value) -> serde_json::Value {
    let Some(map) = headers.as_object() else {
        return serde_json::json!({});
    };
    serde_json::Value::Object(
        map.iter()
            .map(|(k, v)| {
                let shown = if send::is_sensitive_header(k) {
                    serde_json::Value::from(MASK)
                } else {
                    v.clone()
                };
                (k.clone(), shown)
            })
            .collect(),
    )
}

fn health_dto(h: deliveries::Health) -> WebhookHealthDto {
    let finished = h.succeeded + h.failed;
    WebhookHealthDto {
        succeeded: h.succeeded,
        failed: h.failed,
        pending: h.pending,
        success_rate: (finished > 0)
            .then(|| (h.succeeded as f64 * 1000.0 / finished as f64).round() / 10.0),
        last_status: h.last_status,
        last_attempt_at: h.last_attempt_at.map(|t| t.to_string()),
    }
}

fn webhook_dto(row: &Stored<Webhook>, health: deliveries::Health) -> WebhookDto {
    let w = &row.data;
    WebhookDto {
        id: row.meta.id.to_string(),
        merchant_id: w.merchant_id.to_string(),
        url: w.url.clone(),
        description: w.description.clone(),
        events: w
            .events
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        enabled: w.enabled,
        disabled_reason: w.disabled_reason.clone(),
        custom_headers: masked_headers(&w.custom_headers),
        timeout_ms: w.timeout_ms,
        failing_since: w.failing_since.map(|t| t.to_string()),
        previous_secret_expires_at: w
            .previous_secret_ciphertext
            .as_ref()
            .and(w.previous_secret_expires_at)
            .map(|t| t.to_string()),
        has_secret: w.secret_ciphertext.is_some(),
        created_at: row.meta.created_at.to_string(),
        updated_at: row.meta.updated_at.to_string(),
        health: health_dto(health),
    }
}

fn load_dto(conn: &botdesk_store::rusqlite::Connection, id: Id) -> Result<WebhookDto, CoreError> {
    let row = botdesk_store::get::<Webhook>(conn, id)
        .map_err(|_| not_found("webhook.not_found", "webhook", id))?;
    Ok(webhook_dto(&row, deliveries::health(conn, id)?))
}

fn delivery_dto(d: &WebhookDelivery) -> DeliveryDto {
    DeliveryDto {
        id: d.id.to_string(),
        webhook_id: d.webhook_id.to_string(),
        event_id: d.event_id.to_string(),
        event_type: d.event_type.clone(),
        status: d.status.as_str().to_owned(),
        attempts: d.attempts,
        next_attempt_at: match d.status {
            DeliveryStatus::Pending | DeliveryStatus::Retrying => {
                d.next_attempt_at.map(|t| t.to_string())
            }
            _ => None,
        },
        last_status: d.last_status,
        last_error: d.last_error.clone(),
        last_latency_ms: d.last_latency_ms,
        created_at: d.created_at.to_string(),
        delivered_at: d.delivered_at.map(|t| t.to_string()),
    }
}

fn event_dto(e: &WebhookEvent) -> WebhookEventDto {
    WebhookEventDto {
        id: e.id.to_string(),
        event_type: e.event_type.clone(),
        merchant_id: e.merchant_id.clone(),
        source: e.source.as_str().to_owned(),
        payload: e.payload.clone(),
        deliveries: e.deliveries,
        created_at: e.created_at.to_string(),
    }
}

// Endpoints -------------------------------------------------------------------------------------

/// Every endpoint (of one merchant when given), newest first, with its health.
pub fn list(ctx: &Ctx, merchant_id: Option<&str>) -> Result<Vec<WebhookDto>, CoreError> {
    let mut filter = Filter::live();
    if let Some(m) = merchant_id.map(str::trim).filter(|m| !m.is_empty()) {
        filter = filter.eq(
            "merchant_id",
            id_or_not_found(m, "merchant.not_found")?.to_string(),
        );
    }
    ctx.store().read(|c| {
        botdesk_store::list_all::<Webhook>(c, &filter)?
            .iter()
            .map(|row| Ok(webhook_dto(row, deliveries::health(c, row.meta.id)?)))
            .collect()
    })
}

pub fn get(ctx: &Ctx, id: &str) -> Result<WebhookDto, CoreError> {
    let id = id_or_not_found(id, "webhook.not_found")?;
    ctx.store().read(|c| load_dto(c, id))
}

fn events_value(events: Option<&[String]>) -> Result<serde_json::Value, CoreError> {
    match events {
        None => Ok(serde_json::json!(["*"])),
        Some(list) => Ok(events::check_subscription(list)?),
    }
}

pub fn create(
    ctx: &Ctx,
    actor: &Actor,
    request: WebhookCreate,
) -> Result<WebhookSecretDto, CoreError> {
    let url = endpoints::check_url(&request.url, policy(ctx))?;
    let events = events_value(request.events.as_deref())?;
    let headers = match &request.custom_headers {
        Some(h) => endpoints::check_headers(h)?,
        None => serde_json::json!({}),
    };
    let timeout_ms =
        endpoints::check_timeout(request.timeout_ms.unwrap_or(endpoints::DEFAULT_TIMEOUT_MS))?;
    let description = check_description(request.description.as_deref().unwrap_or(""))?;
    let merchant_id = id_or_not_found(&request.merchant_id, "merchant.not_found")?;
    let secret = Secret::generate()?;
    let vault = ctx.secrets();
    let row = ctx.store().with_tx(actor, |tx| -> Result<_, CoreError> {
        if botdesk_store::get::<Merchant>(tx, merchant_id).is_err() {
            return Err(CoreError::invalid_field(
                "webhook.unknown_merchant",
                "merchant_id",
                format!("no merchant {merchant_id}"),
            ));
        }
        let id = tx.new_id();
        let sealed = vault.seal(&purpose(id), secret.as_bytes())?;
        Ok(botdesk_store::insert_with_id(
            tx,
            id,
            Webhook {
                merchant_id,
                url: url.clone(),
                description: description.clone(),
                events: events.clone(),
                enabled: request.enabled.unwrap_or(true),
                disabled_reason: (request.enabled == Some(false))
                    .then(|| "disabled by the owner".to_owned()),
                secret_ciphertext: Some(Ciphertext(sealed)),
                previous_secret_ciphertext: None,
                previous_secret_expires_at: None,
                custom_headers: headers.clone(),
                timeout_ms,
                failing_since: None,
            },
        )?)
    })?;
    let webhook = webhook_dto(&row, deliveries::Health::default());
    ctx.events().publish(Event::WebhookSaved {
        webhook: webhook.clone(),
    });
    Ok(WebhookSecretDto {
        webhook,
        secret: secret.reveal(),
    })
}

fn check_description(text: &str) -> Result<String, CoreError> {
    let text = text.trim();
    if text.chars().count() > 500 {
        return Err(CoreError::invalid_field(
            "webhook.invalid_description",
            "description",
            "a description is at most 500 characters",
        ));
    }
    Ok(text.to_owned())
}

pub fn update(
    ctx: &Ctx,
    actor: &Actor,
    id: &str,
    request: WebhookUpdate,
) -> Result<WebhookDto, CoreError> {
    let id = id_or_not_found(id, "webhook.not_found")?;
    let url = match &request.url {
        Some(u) => Some(endpoints::check_url(u, policy(ctx))?),
        None => None,
    };
    let events = match &request.events {
        Some(list) => Some(events::check_subscription(list)?),
        None => None,
    };
    let timeout_ms = match request.timeout_ms {
        Some(t) => Some(endpoints::check_timeout(t)?),
        None => None,
    };
    let description = match &request.description {
        Some(d) => Some(check_description(d)?),
        None => None,
    };
    let dto = ctx.store().with_tx(actor, |tx| -> Result<_, CoreError> {
        let row = botdesk_store::get::<Webhook>(tx, id)
            .map_err(|_| not_found("webhook.not_found", "webhook", id))?;
        let mut data = row.data.clone();
        if let Some(url) = url {
            data.url = url;
        }
        if let Some(events) = events {
            data.events = events;
        }
        if let Some(t) = timeout_ms {
            data.timeout_ms = t;
        }
        if let Some(d) = description {
            data.description = d;
        }
        if let Some(headers) = &request.custom_headers {
            // A masked value sent back as it was shown keeps the stored value.
            let mut merged = headers.clone();
            for (name, value) in merged.iter_mut() {
                if value.as_str() == Some(MASK)
                    && let Some(stored) = data.custom_headers.get(name.to_ascii_lowercase())
                {
                    *value = stored.clone();
                }
            }
            data.custom_headers = endpoints::check_headers(&merged)?;
        }
        match request.enabled {
            Some(true) if !data.enabled => {
                data.enabled = true;
                data.disabled_reason = None;
                data.failing_since = None;
            }
            Some(false) if data.enabled => {
                data.enabled = false;
                data.disabled_reason = Some("disabled by the owner".into());
            }
            _ => {}
        }
        botdesk_store::update(tx, id, data)?;
        load_dto(tx, id)
    })?;
    ctx.events().publish(Event::WebhookSaved {
        webhook: dto.clone(),
    });
    Ok(dto)
}

pub fn remove(ctx: &Ctx, actor: &Actor, id: &str) -> Result<(), CoreError> {
    let id = id_or_not_found(id, "webhook.not_found")?;
    ctx.store().with_tx(actor, |tx| -> Result<_, CoreError> {
        botdesk_store::get::<Webhook>(tx, id)
            .map_err(|_| not_found("webhook.not_found", "webhook", id))?;
        Ok(botdesk_store::soft_delete::<Webhook>(tx, id)?)
    })?;
    ctx.events()
        .publish(Event::WebhookDeleted { id: id.to_string() });
    Ok(())
}

/// A new secret; the previous one keeps signing for 24 hours, so both signatures are sent.
pub fn rotate_secret(ctx: &Ctx, actor: &Actor, id: &str) -> Result<WebhookSecretDto, CoreError> {
    let id = id_or_not_found(id, "webhook.not_found")?;
    let secret = Secret::generate()?;
    let vault = ctx.secrets();
    let webhook = ctx.store().with_tx(actor, |tx| -> Result<_, CoreError> {
        let row = botdesk_store::get::<Webhook>(tx, id)
            .map_err(|_| not_found("webhook.not_found", "webhook", id))?;
        let mut data = row.data.clone();
        data.previous_secret_ciphertext = data.secret_ciphertext.take();
        data.previous_secret_expires_at = Some(tx.now().plus(ROTATION_OVERLAP));
        data.secret_ciphertext = Some(Ciphertext(vault.seal(&purpose(id), secret.as_bytes())?));
        botdesk_store::update(tx, id, data)?;
        load_dto(tx, id)
    })?;
    ctx.events().publish(Event::WebhookSaved {
        webhook: webhook.clone(),
    });
    Ok(WebhookSecretDto {
        webhook,
        secret: secret.reveal(),
    })
}

/// Why a delivery was not sent: the endpoint's secret is on another device.
pub const NO_SECRET_HERE: &str = "webhook.no_secret_here";

/// The secrets that sign a delivery now: the current one, and the previous one during a
/// rotation.
fn signing_secrets(
    vault: &SecretBox,
    row: &Stored<Webhook>,
    now: Timestamp,
) -> Result<Vec<Secret>, CoreError> {
    let id = row.meta.id;
    let mut out = Vec::new();
    if let Some(current) = &row.data.secret_ciphertext {
        out.push(Secret::from_bytes(
            vault.open_sealed(&purpose(id), &current.0)?,
        )?);
    }
    if let (Some(previous), Some(until)) = (
        &row.data.previous_secret_ciphertext,
        row.data.previous_secret_expires_at,
    ) && until > now
    {
        out.push(Secret::from_bytes(
            vault.open_sealed(&purpose(id), &previous.0)?,
        )?);
    }
    if out.is_empty() {
        return Err(CoreError::Internal(format!(
            "webhook {id} has no signing secret"
        )));
    }
    Ok(out)
}

// Events ----------------------------------------------------------------------------------------

/// What handing an event over produced.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, ts_rs::TS)]
pub struct EventAccepted {
    pub event_id: String,
    pub deliveries: i64,
}

/// The original design's `handleWebhookEvent(event_type, payload, merchant_id)`: the payload
/// checked against its type, the event recorded, one delivery queued per subscribed, enabled
/// endpoint (of that merchant; of every merchant for an event without one), all in one
/// transaction.
pub fn handle_event(
    ctx: &Ctx,
    actor: &Actor,
    event: EventIn,
    source: EventSource,
) -> Result<EventAccepted, CoreError> {
    let event_type = EventType::parse(event.event_type.trim())?;
    if event_type == EventType::Test {
        return Err(CoreError::invalid_field(
            "webhook.unknown_event_type",
            "event_type",
            "test events are sent from an endpoint (POST /api/webhooks/{id}/test)",
        ));
    }
    events::check_payload(event_type, &event.payload)?;
    let merchant = match event
        .merchant_id
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        Some(m) => Some(id_or_not_found(m, "merchant.not_found").map_err(|_| {
            CoreError::invalid_field(
                "webhook.unknown_merchant",
                "merchant_id",
                format!("{m:?} is not a merchant id"),
            )
        })?),
        None => None,
    };
    record_event(
        ctx,
        actor,
        event_type,
        merchant,
        &event.payload,
        source,
        None,
    )
}

/// Sends a `test` event to one endpoint.
pub fn send_test(ctx: &Ctx, actor: &Actor, id: &str) -> Result<EventAccepted, CoreError> {
    let id = id_or_not_found(id, "webhook.not_found")?;
    let row = ctx
        .store()
        .read(|c| botdesk_store::get::<Webhook>(c, id))
        .map_err(|_| not_found("webhook.not_found", "webhook", id))?;
    let payload = serde_json::json!({
        "message": "A test event from botdesk: if you can read this, the endpoint works.",
        "webhook_id": id.to_string(),
    });
    record_event(
        ctx,
        actor,
        EventType::Test,
        Some(row.data.merchant_id),
        &payload,
        EventSource::Test,
        Some(id),
    )
}

fn record_event(
    ctx: &Ctx,
    actor: &Actor,
    event_type: EventType,
    merchant: Option<Id>,
    payload: &serde_json::Value,
    source: EventSource,
    only: Option<Id>,
) -> Result<EventAccepted, CoreError> {
    let max_attempts = ctx.config().webhook_max_attempts as u32;
    let recorded = ctx.store().with_tx(actor, |tx| {
        record_in(
            tx,
            max_attempts,
            event_type,
            merchant,
            payload,
            source,
            only,
        )
    })?;
    Ok(announce(ctx, recorded))
}

/// An event recorded inside a transaction, with the deliveries it queued: hand it to
/// [`announce`] once the transaction committed.
#[must_use = "announce the event once the transaction commits"]
pub(crate) struct Recorded {
    event: WebhookEvent,
    enqueued: Vec<botdesk_queue::Enqueued>,
}

/// A domain event of the core's own (an order changed in the app) recorded in the caller's
/// transaction, so that the change and the webhooks it causes commit together: a crash between
/// the two can't lose an event, as a subscriber of the in-memory bus could.
pub(crate) fn record_domain_event(
    ctx: &Ctx,
    tx: &botdesk_store::Tx<'_>,
    event_type: EventType,
    merchant: Option<Id>,
    payload: &serde_json::Value,
) -> Result<Recorded, CoreError> {
    events::check_payload(event_type, payload)?;
    record_in(
        tx,
        ctx.config().webhook_max_attempts as u32,
        event_type,
        merchant,
        payload,
        EventSource::App,
        None,
    )
}

/// After the commit: the workers woken, the event on the bus.
pub(crate) fn announce(ctx: &Ctx, recorded: Recorded) -> EventAccepted {
    let Recorded { event, enqueued } = recorded;
    if let Some(engine) = ctx.queue_engine()
        && !enqueued.is_empty()
    {
        engine.enqueued(QueueName::WebhookDelivery, &enqueued);
    }
    ctx.events().publish(Event::WebhookEvent {
        event: event_dto(&event),
    });
    EventAccepted {
        event_id: event.id.to_string(),
        deliveries: event.deliveries,
    }
}

/// The event in the history and one queued delivery per target (every subscribed, enabled
/// endpoint of the merchant, or of every merchant for an event without one; or only `only`).
fn record_in(
    tx: &botdesk_store::Tx<'_>,
    max_attempts: u32,
    event_type: EventType,
    merchant: Option<Id>,
    payload: &serde_json::Value,
    source: EventSource,
    only: Option<Id>,
) -> Result<Recorded, CoreError> {
    let merchant_text = merchant.map(|m| m.to_string());
    let mut event = history::insert(
        tx,
        event_type.as_str(),
        merchant_text.as_deref(),
        source,
        payload,
    )?;
    let body = events::envelope(
        event_type,
        &event.created_at.to_string(),
        merchant_text.as_deref(),
        payload,
    );
    let mut filter = Filter::live().eq("enabled", 1);
    if let Some(m) = merchant {
        filter = filter.eq("merchant_id", m.to_string());
    }
    let targets: Vec<Stored<Webhook>> = botdesk_store::list_all::<Webhook>(tx, &filter)?
        .into_iter()
        .filter(|w| match only {
            Some(id) => w.meta.id == id,
            None => events::subscribed(&w.data.events, event_type),
        })
        .collect();
    if let Some(id) = only
        && targets.is_empty()
    {
        return Err(CoreError::Conflict {
            code: "webhook.disabled",
            message: format!("webhook {id} is disabled; enable it to send a test"),
        });
    }
    let now = tx.now().unix_millis();
    let mut enqueued = Vec::with_capacity(targets.len());
    for target in &targets {
        let delivery =
            deliveries::insert(tx, target.meta.id, event.id, event_type.as_str(), &body)?;
        let job = DeliverWebhook {
            delivery_id: delivery.to_string(),
        };
        let new = botdesk_queue::new_job(&job, delivery_options(max_attempts))?;
        let e = jobs::enqueue(tx, now, &new)?;
        deliveries::set_job(tx, delivery, e.id)?;
        enqueued.push(e);
    }
    event.deliveries = targets.len() as i64;
    history::set_deliveries(tx, event.id, event.deliveries)?;
    Ok(Recorded { event, enqueued })
}

fn delivery_options(max_attempts: u32) -> JobOptions {
    JobOptions {
        max_attempts,
        // The longest endpoint timeout (60 s) plus reading the answer and recording it.
        timeout_ms: 90_000,
        ..JobOptions::default()
    }
}

/// The original design's `getRecentEvents(limit, type)`.
pub fn recent_events(
    ctx: &Ctx,
    limit: u32,
    event_type: Option<&str>,
) -> Result<Vec<WebhookEventDto>, CoreError> {
    let event_type = match event_type.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Some(EventType::parse(t)?.as_str()),
        None => None,
    };
    let rows = ctx
        .store()
        .read(|c| history::recent(c, limit.clamp(1, 500), event_type))?;
    Ok(rows.iter().map(event_dto).collect())
}

/// The original design's `getWebhookStatus()`.
pub fn status(ctx: &Ctx) -> Result<WebhookStatusDto, CoreError> {
    ctx.store().read(|c| {
        let (events_in_history, last) = history::summary(c)?;
        let mut listeners = serde_json::Map::new();
        for t in EventType::SUBSCRIBABLE {
            listeners.insert(t.as_str().into(), 0.into());
        }
        let all = botdesk_store::list_all::<Webhook>(c, &Filter::live())?;
        let registered = all.len() as i64;
        for w in all.iter().filter(|w| w.data.enabled) {
            for t in EventType::SUBSCRIBABLE {
                if events::subscribed(&w.data.events, t)
                    && let Some(n) = listeners.get_mut(t.as_str())
                {
                    *n = (n.as_i64().unwrap_or(0) + 1).into();
                }
            }
        }
        Ok(WebhookStatusDto {
            webhooks_registered: registered,
            events_in_history,
            last_event_at: last.map(|t| t.to_string()),
            listeners: serde_json::Value::Object(listeners),
            retry_schedule_s: schedule::documented()
                .iter()
                .map(Duration::as_secs)
                .collect(),
            max_attempts: ctx.config().webhook_max_attempts,
        })
    })
}

// Deliveries ------------------------------------------------------------------------------------

/// An endpoint's deliveries, newest first; `cursor` from the previous page.
pub fn deliveries_of(
    ctx: &Ctx,
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

pub fn delivery(ctx: &Ctx, id: &str) -> Result<DeliveryDetailDto, CoreError> {
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
                    outcome: l.attempt.outcome.as_str().to_owned(),
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
pub fn replay(ctx: &Ctx, actor: &Actor, id: &str) -> Result<DeliveryDto, CoreError> {
    let id = id_or_not_found(id, "delivery.not_found")?;
    let max_attempts = ctx.config().webhook_max_attempts as u32;
    let (dto, enqueued) = ctx.store().with_tx(actor, |tx| -> Result<_, CoreError> {
        let d = deliveries::get(tx, id)?
            .ok_or_else(|| not_found("delivery.not_found", "delivery", id))?;
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
    ctx: &Ctx,
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

// The delivery job ------------------------------------------------------------------------------

/// Delivers one `webhook_deliveries` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverWebhook {
    pub delivery_id: String,
}

pub struct DeliveryState {
    store: Arc<Store>,
    events: Arc<EventBus>,
    vault: Arc<SecretBox>,
    sender: Sender,
    disable_after: time::Duration,
    per_endpoint: usize,
    in_flight: Mutex<HashMap<Id, Arc<EndpointGate>>>,
}

/// The longest a delivery waits for its endpoint's turn before stepping aside (back to the
/// queue, for a later try) so that its worker can serve other endpoints.
const MAX_TURN_WAIT: Duration = Duration::from_millis(200);

/// One endpoint's share of the workers: at most `per_endpoint` deliveries in flight. A delivery
/// finding them all busy waits for a turn only when the turn is near (the endpoint answers
/// quickly); behind a slow endpoint it steps aside at once. Waiting rather than stepping aside
/// keeps a fast endpoint's backlog flowing without a round trip through the queue per delivery.
#[derive(Debug)]
struct EndpointGate {
    permits: Arc<Semaphore>,
    /// Deliveries waiting for a turn now.
    waiting: std::sync::atomic::AtomicUsize,
    /// The endpoint's recent answer time (exponentially weighted), in microseconds.
    latency_us: std::sync::atomic::AtomicU64,
    /// When the last answer came (microseconds after `born`): an endpoint that has not
    /// answered for a while is slow, whatever its average said.
    last_answer_us: std::sync::atomic::AtomicU64,
    born: std::time::Instant,
}

impl EndpointGate {
    fn new(per_endpoint: usize) -> EndpointGate {
        EndpointGate {
            permits: Arc::new(Semaphore::new(per_endpoint)),
            waiting: 0.into(),
            latency_us: 0.into(),
            last_answer_us: 0.into(),
            born: std::time::Instant::now(),
        }
    }

    fn now_us(&self) -> u64 {
        self.born.elapsed().as_micros().min(u128::from(u64::MAX)) as u64
    }

    /// How long a delivery arriving now would wait for a turn: the deliveries ahead of it
    /// times the endpoint's answer time (its average, or how long it has been silent), shared
    /// by its turns.
    fn expected_wait(&self, per_endpoint: usize) -> Duration {
        use std::sync::atomic::Ordering::Relaxed;
        let ahead = self.waiting.load(Relaxed) as u64 + 1;
        let silent = self
            .now_us()
            .saturating_sub(self.last_answer_us.load(Relaxed));
        let answer_us = self.latency_us.load(Relaxed).max(silent);
        Duration::from_micros(ahead.saturating_mul(answer_us) / per_endpoint.max(1) as u64)
    }

    fn record_answer(&self, took: Duration) {
        use std::sync::atomic::Ordering::Relaxed;
        let new = took.as_micros().min(u128::from(u64::MAX)) as u64;
        // A lost update between two answers only skews the average a little.
        let old = self.latency_us.load(Relaxed);
        self.latency_us.store((old * 3 + new) / 4, Relaxed);
        self.last_answer_us.store(self.now_us(), Relaxed);
    }

    /// A turn: at once, after a short wait, or `None` (step aside).
    async fn turn(&self, per_endpoint: usize) -> Option<tokio::sync::OwnedSemaphorePermit> {
        use std::sync::atomic::Ordering::Relaxed;
        if let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() {
            return Some(permit);
        }
        if self.expected_wait(per_endpoint) > MAX_TURN_WAIT {
            return None;
        }
        self.waiting.fetch_add(1, Relaxed);
        let permit =
            tokio::time::timeout(MAX_TURN_WAIT * 2, Arc::clone(&self.permits).acquire_owned())
                .await;
        self.waiting.fetch_sub(1, Relaxed);
        permit.ok().and_then(Result::ok)
    }
}

impl std::fmt::Debug for DeliveryState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeliveryState")
            .field("per_endpoint", &self.per_endpoint)
            .finish_non_exhaustive()
    }
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

pub fn register(registry: &mut Registry, ctx: &Ctx) -> Result<(), CoreError> {
    let config = ctx.config();
    let state = Arc::new(DeliveryState {
        store: Arc::clone(ctx.store_arc()),
        events: Arc::clone(ctx.events_arc()),
        vault: Arc::clone(ctx.secrets_arc()),
        sender: Sender::new(policy(ctx))?,
        disable_after: time::Duration::hours(config.webhook_disable_after_hours as i64),
        per_endpoint: config.webhook_endpoint_concurrency as usize,
        in_flight: Mutex::new(HashMap::new()),
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
    let mut z = id
        .to_string()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
        ^ (attempt as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

fn job_actor(cx: &JobContext) -> Actor {
    Actor::Job {
        queue: cx.queue.as_str().to_owned(),
        id: cx.id.to_string(),
    }
}

async fn deliver(
    job: DeliverWebhook,
    state: Arc<DeliveryState>,
    cx: JobContext,
) -> Result<serde_json::Value, JobError> {
    let Ok(id) = job.delivery_id.parse::<Id>() else {
        return Err(JobError::permanent(format!(
            "{:?} is not a delivery id",
            job.delivery_id
        )));
    };
    let store = Arc::clone(&state.store);
    let loaded = tokio::task::spawn_blocking(move || {
        store.read(|c| {
            let Some(d) = deliveries::get(c, id)? else {
                return Ok::<_, CoreError>(None);
            };
            let webhook = botdesk_store::find::<Webhook>(c, d.webhook_id)?;
            Ok(Some((d, webhook)))
        })
    })
    .await
    .map_err(|e| JobError::retry(format!("reading the delivery failed: {e}")))?
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
            give_up(&state, &cx, &delivery, &reason).await?;
            return Err(JobError::permanent(reason));
        }
    };

    // One slow endpoint never holds every worker: past its share, a delivery steps aside.
    let gate = {
        let mut map = state.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(
            map.entry(webhook.meta.id)
                .or_insert_with(|| Arc::new(EndpointGate::new(state.per_endpoint))),
        )
    };
    let Some(permit) = gate.turn(state.per_endpoint).await else {
        let wait =
            Duration::from_millis(500 + (jitter_unit(id, cx.attempt.into()) * 1500.0) as u64);
        return Err(JobError::postpone(
            "the endpoint is busy with other deliveries",
            wait,
        ));
    };

    let now = state.store.now();
    if webhook.data.secret_ciphertext.is_none() {
        // Made on another device: its secret stays there. Nothing unsigned ever goes out.
        drop(permit);
        let reason = format!(
            "{NO_SECRET_HERE}: this endpoint came from another device and its signing secret \
             stays there; rotate the secret on this device to deliver from here, then replay"
        );
        give_up(&state, &cx, &delivery, &reason).await?;
        return Err(JobError::permanent(reason));
    }
    let secrets = signing_secrets(&state.vault, &webhook, now)
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
    let store = Arc::clone(&state.store);
    let actor = job_actor(&cx);
    let disable_after = state.disable_after;
    let gone = attempt.verdict == Verdict::Gone;
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
    let disabled = tokio::task::spawn_blocking(move || {
        store.with_tx(&actor, |tx| -> Result<Option<WebhookDto>, CoreError> {
            webhook_logs::insert(tx, log)?;
            deliveries::record_attempt(tx, id, &result)?;
            let Some(row) = botdesk_store::find::<Webhook>(tx, webhook_id)? else {
                return Ok(None);
            };
            let mut data = row.data.clone();
            let now = tx.now();
            let mut changed = false;
            let mut disabled_now = false;
            if outcome == DeliveryOutcome::Success {
                if data.failing_since.is_some() {
                    data.failing_since = None;
                    changed = true;
                }
            } else {
                let since = *data.failing_since.get_or_insert(now);
                changed |= since == now;
                if gone && data.enabled {
                    data.enabled = false;
                    data.disabled_reason = Some(
                        "the receiver answered 410 Gone: the endpoint no longer exists".into(),
                    );
                    changed = true;
                    disabled_now = true;
                } else if data.enabled && now.datetime() - since.datetime() >= disable_after {
                    data.enabled = false;
                    data.disabled_reason = Some(format!(
                        "every delivery failed since {since} ({} hours without a success)",
                        disable_after.whole_hours()
                    ));
                    changed = true;
                    disabled_now = true;
                }
            }
            if changed {
                botdesk_store::update(tx, webhook_id, data)?;
            }
            if disabled_now {
                return Ok(Some(load_dto(tx, webhook_id)?));
            }
            Ok(None)
        })
    })
    .await
    .map_err(|e| JobError::retry(format!("recording the attempt failed: {e}")))?
    .map_err(|e| JobError::retry(format!("recording the attempt failed: {e}")))?;
    if let Some(webhook) = disabled {
        tracing::warn!(webhook = %webhook.id, reason = ?webhook.disabled_reason, "webhook disabled");
        state.events.publish(Event::WebhookDisabled { webhook });
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
    state: &DeliveryState,
    cx: &JobContext,
    delivery: &WebhookDelivery,
    reason: &str,
) -> Result<(), JobError> {
    let store = Arc::clone(&state.store);
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
    tokio::task::spawn_blocking(move || {
        store.with_tx(&actor, |tx| -> Result<(), CoreError> {
            Ok(deliveries::record_attempt(tx, id, &result)?)
        })
    })
    .await
    .map_err(|e| JobError::retry(e.to_string()))?
    .map_err(|e| JobError::retry(e.to_string()))
}

// Retention -------------------------------------------------------------------------------------

/// Deletes attempts and finished events older than the retention; returns how many rows went.
pub fn prune(ctx: &Ctx) -> Result<usize, CoreError> {
    let days = ctx.config().webhook_log_retention_days as i64;
    let cutoff = ctx.now().plus(time::Duration::days(-days));
    ctx.store()
        .with_untracked_tx(|tx| -> Result<usize, CoreError> {
            Ok(webhook_logs::prune_before(tx, cutoff)? + history::prune_before(tx, cutoff)?)
        })
}

// Events from the bot ---------------------------------------------------------------------------

/// A new secret for the bot to sign `POST /api/events` with, shown once; the previous one
/// stops working.
pub fn rotate_ingest_secret(ctx: &Ctx, actor: &Actor) -> Result<IngestSecretDto, CoreError> {
    let secret = Secret::generate()?;
    let sealed = ctx.secrets().seal(INGEST_SECRET, secret.as_bytes())?;
    use base64::Engine as _;
    let stored = base64::engine::general_purpose::STANDARD.encode(sealed);
    ctx.store().with_tx(actor, |tx| {
        app_settings::set(tx, INGEST_SECRET, &serde_json::Value::from(stored))
    })?;
    Ok(IngestSecretDto {
        secret: secret.reveal(),
    })
}

/// Whether the bot can push events yet (an ingestion secret exists).
pub fn ingest_enabled(ctx: &Ctx) -> Result<bool, CoreError> {
    Ok(ctx
        .store()
        .read(|c| app_settings::get(c, INGEST_SECRET))?
        .is_some())
}

/// The headers of a signed request, as the HTTP shell read them.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    pub id: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
    pub body: &'a [u8],
}

/// `POST /api/events`: the bot's event, signed like a delivery with the ingestion secret;
/// unsigned, stale or forged requests are refused before the body is even parsed.
pub fn ingest(
    ctx: &Ctx,
    actor: &Actor,
    request: SignedRequest<'_>,
) -> Result<EventAccepted, CoreError> {
    use base64::Engine as _;
    let stored = ctx
        .store()
        .read(|c| app_settings::get(c, INGEST_SECRET))?
        .and_then(|v| v.as_str().map(str::to_owned))
        .ok_or_else(|| CoreError::Unauthorized {
            code: "events.ingest_disabled",
            message:
                "no events secret is set: create one on the Webhooks page and give it to the bot"
                    .into(),
        })?;
    let sealed = base64::engine::general_purpose::STANDARD
        .decode(stored)
        .map_err(|e| CoreError::Internal(format!("the stored events secret is damaged: {e}")))?;
    let secret = Secret::from_bytes(ctx.secrets().open_sealed(INGEST_SECRET, &sealed)?)?;
    botdesk_webhooks::signing::verify(
        &[&secret],
        Signed {
            id: request.id,
            timestamp: request.timestamp,
            signature: request.signature,
            body: request.body,
        },
        ctx.now().unix_millis() / 1000,
        botdesk_webhooks::signing::DEFAULT_TOLERANCE_S,
    )
    .map_err(|e| CoreError::Unauthorized {
        code: e.code(),
        message: e.to_string(),
    })?;
    let event: EventIn = crate::request::parse_json(request.body)?;
    handle_event(ctx, actor, event, EventSource::Bot)
}

#[cfg(test)]
mod tests;
