//! How webhook rows look to clients: endpoints (custom header secrets masked) with their
//! health, deliveries and events.

use botdesk_store::tables::webhook_deliveries::{
    self as deliveries, DeliveryStatus, WebhookDelivery,
};
use botdesk_store::tables::webhook_events::WebhookEvent;
use botdesk_store::tables::webhooks::Webhook;
use botdesk_store::{Id, Stored};
use botdesk_webhooks::send::{self};

use crate::error::CoreError;
use crate::ids::not_found;
use crate::webhooks::wire::{DeliveryDto, WebhookDto, WebhookEventDto, WebhookHealthDto};

/// What a masked custom header value looks like in the API.
pub(crate) const MASK: &str = "••••••";

pub(crate) fn masked_headers(headers: &serde_json::Value) -> serde_json::Value {
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

pub(crate) fn webhook_dto(row: &Stored<Webhook>, health: deliveries::Health) -> WebhookDto {
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

pub(crate) fn load_dto(
    conn: &botdesk_store::rusqlite::Connection,
    id: Id,
) -> Result<WebhookDto, CoreError> {
    let row = botdesk_store::get::<Webhook>(conn, id)
        .map_err(|_| not_found("webhook.not_found", "webhook", id))?;
    Ok(webhook_dto(&row, deliveries::health(conn, id)?))
}

pub(crate) fn delivery_dto(d: &WebhookDelivery) -> DeliveryDto {
    DeliveryDto {
        id: d.id.to_string(),
        webhook_id: d.webhook_id.to_string(),
        event_id: d.event_id.to_string(),
        event_type: d.event_type.clone(),
        status: d.status,
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

pub(crate) fn event_dto(e: &WebhookEvent) -> WebhookEventDto {
    WebhookEventDto {
        id: e.id.to_string(),
        event_type: e.event_type.clone(),
        merchant_id: e.merchant_id.clone(),
        source: e.source,
        payload: e.payload.clone(),
        deliveries: e.deliveries,
        created_at: e.created_at.to_string(),
    }
}
