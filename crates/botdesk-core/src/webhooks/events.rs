//! Events: the bot's and the owner's (`handleWebhookEvent`), the core's own domain events
//! recorded in the transaction of the change that causes them, test events, the history and
//! the status. Recording an event queues one delivery per subscribed, enabled endpoint.

use std::time::Duration;

use botdesk_queue::{QueueName, jobs};
use botdesk_store::tables::webhook_deliveries::{self as deliveries};
use botdesk_store::tables::webhook_events::{self as history, EventSource, WebhookEvent};
use botdesk_store::tables::webhooks::Webhook;
use botdesk_store::{Actor, Filter, Id, Stored};
use botdesk_webhooks::schedule;
use botdesk_webhooks::{EventType, events};

use crate::error::CoreError;
use crate::events::Event;
use crate::ids::{id_or_not_found, not_found};
use crate::services::Services;
use crate::webhooks::job::{DeliverWebhook, delivery_options};
use crate::webhooks::sealed::no_secret_here;
use crate::webhooks::view::event_dto;
use crate::webhooks::wire::{EventAccepted, EventIn, WebhookEventDto, WebhookStatusDto};

/// The original design's `handleWebhookEvent(event_type, payload, merchant_id)`: the payload
/// checked against its type, the event recorded, one delivery queued per subscribed, enabled
/// endpoint (of that merchant; of every merchant for an event without one), all in one
/// transaction.
pub fn handle_event(
    ctx: &Services,
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
        &NewEvent {
            event_type,
            merchant,
            payload: &event.payload,
            source,
            only: None,
        },
    )
}

/// Sends a `test` event to one endpoint.
pub fn send_test(ctx: &Services, actor: &Actor, id: &str) -> Result<EventAccepted, CoreError> {
    let id = id_or_not_found(id, "webhook.not_found")?;
    let row = ctx
        .store()
        .read(|c| botdesk_store::get::<Webhook>(c, id))
        .map_err(|_| not_found("webhook.not_found", "webhook", id))?;
    no_secret_here(&row)?;
    let payload = serde_json::json!({
        "message": "A test event from botdesk: if you can read this, the endpoint works.",
        "webhook_id": id.to_string(),
    });
    record_event(
        ctx,
        actor,
        &NewEvent {
            event_type: EventType::Test,
            merchant: Some(row.data.merchant_id),
            payload: &payload,
            source: EventSource::Test,
            only: Some(id),
        },
    )
}

/// An event to record: what happened, for which merchant (none: every merchant), where it
/// came from, and the one endpoint it is for (a test) or none (every subscribed endpoint).
#[derive(Clone, Copy)]
struct NewEvent<'a> {
    event_type: EventType,
    merchant: Option<Id>,
    payload: &'a serde_json::Value,
    source: EventSource,
    only: Option<Id>,
}

fn record_event(
    ctx: &Services,
    actor: &Actor,
    event: &NewEvent<'_>,
) -> Result<EventAccepted, CoreError> {
    let max_attempts = ctx.config().webhook_max_attempts as u32;
    let recorded = ctx
        .store()
        .with_tx(actor, |tx| record_in(tx, max_attempts, event))?;
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
    ctx: &Services,
    tx: &botdesk_store::Tx<'_>,
    event_type: EventType,
    merchant: Option<Id>,
    payload: &serde_json::Value,
) -> Result<Recorded, CoreError> {
    events::check_payload(event_type, payload)?;
    record_in(
        tx,
        ctx.config().webhook_max_attempts as u32,
        &NewEvent {
            event_type,
            merchant,
            payload,
            source: EventSource::App,
            only: None,
        },
    )
}

/// After the commit: the workers woken, the event on the bus.
pub(crate) fn announce(ctx: &Services, recorded: Recorded) -> EventAccepted {
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
    event: &NewEvent<'_>,
) -> Result<Recorded, CoreError> {
    let NewEvent {
        event_type,
        merchant,
        payload,
        source,
        only,
    } = *event;
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

/// The original design's `getRecentEvents(limit, type)`.
pub fn recent_events(
    ctx: &Services,
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
pub fn status(ctx: &Services) -> Result<WebhookStatusDto, CoreError> {
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
