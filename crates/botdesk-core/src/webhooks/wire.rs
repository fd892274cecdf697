//! The webhooks area's wire types: endpoints, deliveries and their attempts, events in and
//! out, replays.

pub use botdesk_store::tables::webhook_deliveries::DeliveryStatus;
pub use botdesk_store::tables::webhook_events::EventSource;
pub use botdesk_store::tables::webhook_logs::DeliveryOutcome;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::{IntoParams, ToSchema};

/// An endpoint that receives the bot's events, with its health. The secret is never here: it
/// is shown once, when created or rotated ([`WebhookSecretDto`]).
#[derive(Debug, Clone, PartialEq, Serialize, TS, ToSchema)]
pub struct WebhookDto {
    pub id: String,
    pub merchant_id: String,
    pub url: String,
    pub description: String,
    /// Subscribed event types, or `["*"]` for all ten.
    pub events: Vec<String>,
    pub enabled: bool,
    /// Why it is disabled (by the owner, a 410 Gone, or failing for days).
    pub disabled_reason: Option<String>,
    /// `{"name": "value"}`; values of sensitive names (authorization, token, key…) are masked.
    #[ts(type = "Record<string, string>")]
    #[schema(value_type = Object)]
    pub custom_headers: serde_json::Value,
    pub timeout_ms: i64,
    /// Since when every attempt has failed (none while healthy).
    pub failing_since: Option<String>,
    /// A rotation is under way: the previous secret also signs until then.
    pub previous_secret_expires_at: Option<String>,
    /// Whether this device holds a signing secret for it. Secrets never leave the device that
    /// made them: an endpoint made on another device (it came with sync) has none here until
    /// its secret is rotated here; until then this device does not deliver to it.
    pub has_secret: bool,
    pub created_at: String,
    pub updated_at: String,
    pub health: WebhookHealthDto,
}

/// How an endpoint's deliveries went.
#[derive(Debug, Clone, PartialEq, Serialize, TS, ToSchema)]
pub struct WebhookHealthDto {
    pub succeeded: i64,
    pub failed: i64,
    /// Waiting for their first attempt or a retry.
    pub pending: i64,
    /// Succeeded out of finished deliveries, 0–100 (none before the first).
    pub success_rate: Option<f64>,
    pub last_status: Option<i64>,
    pub last_attempt_at: Option<String>,
}

/// A new endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookCreate {
    pub merchant_id: String,
    pub url: String,
    #[serde(default)]
    #[ts(optional)]
    pub description: Option<String>,
    /// Event types, or `["*"]` (the default) for all.
    #[serde(default)]
    #[ts(optional)]
    pub events: Option<Vec<String>>,
    #[serde(default)]
    #[ts(optional, type = "Record<string, string>")]
    #[schema(value_type = Object)]
    pub custom_headers: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    #[ts(optional)]
    pub timeout_ms: Option<i64>,
    #[serde(default)]
    #[ts(optional)]
    pub enabled: Option<bool>,
}

/// Changes to an endpoint; what is left out stays. Custom headers are replaced whole, except
/// that a masked value sent back unchanged keeps the stored one.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookUpdate {
    #[serde(default)]
    #[ts(optional)]
    pub url: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub description: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub events: Option<Vec<String>>,
    #[serde(default)]
    #[ts(optional, type = "Record<string, string>")]
    #[schema(value_type = Object)]
    pub custom_headers: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    #[ts(optional)]
    pub timeout_ms: Option<i64>,
    /// Enabling clears the disabled reason and the failure streak.
    #[serde(default)]
    #[ts(optional)]
    pub enabled: Option<bool>,
}

/// A signing secret, shown this once (`whsec_…`).
#[derive(Debug, Clone, PartialEq, Serialize, TS, ToSchema)]
pub struct WebhookSecretDto {
    pub webhook: WebhookDto,
    pub secret: String,
}

/// One event to one endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct DeliveryDto {
    /// Also the `webhook-id` header: the same on every attempt.
    pub id: String,
    pub webhook_id: String,
    pub event_id: String,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub next_attempt_at: Option<String>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    /// How long the last attempt waited for its answer.
    #[ts(type = "number | null")]
    pub last_latency_ms: Option<i64>,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

/// A delivery with its body and every attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct DeliveryDetailDto {
    #[serde(flatten)]
    #[ts(flatten)]
    pub delivery: DeliveryDto,
    pub body: String,
    pub attempts_log: Vec<DeliveryAttemptDto>,
}

/// One attempt: what was sent and what came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct DeliveryAttemptDto {
    pub attempt: i64,
    pub at: String,
    pub request_url: String,
    #[ts(type = "Record<string, string>")]
    #[schema(value_type = Object)]
    pub request_headers: serde_json::Value,
    pub outcome: DeliveryOutcome,
    pub response_status: Option<i64>,
    pub response_body_excerpt: Option<String>,
    pub latency_ms: Option<i64>,
    pub error: Option<String>,
}

/// A page of deliveries, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct DeliveryPageDto {
    pub items: Vec<DeliveryDto>,
    pub next_cursor: Option<String>,
}

/// An event handed to the dispatcher (`handleWebhookEvent`).
#[derive(Debug, Clone, PartialEq, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventIn {
    pub event_type: String,
    #[ts(type = "Record<string, unknown>")]
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    #[serde(default)]
    #[ts(optional)]
    pub merchant_id: Option<String>,
}

/// An event of the history, and how many deliveries it made.
#[derive(Debug, Clone, PartialEq, Serialize, TS, ToSchema)]
pub struct WebhookEventDto {
    pub id: String,
    pub event_type: String,
    pub merchant_id: Option<String>,
    pub source: EventSource,
    #[ts(type = "Record<string, unknown>")]
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub deliveries: i64,
    pub created_at: String,
}

/// The original design's `getWebhookStatus()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookStatusDto {
    pub webhooks_registered: i64,
    pub events_in_history: i64,
    pub last_event_at: Option<String>,
    /// Enabled endpoints per event type.
    #[ts(type = "Record<string, number>")]
    #[schema(value_type = Object)]
    pub listeners: serde_json::Value,
    /// The retry schedule, in seconds after each failed attempt (±20 %).
    pub retry_schedule_s: Vec<u64>,
    pub max_attempts: u64,
}

/// Replays every failed delivery of an endpoint created since a time.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayFailed {
    /// RFC 3339; all failed deliveries when left out.
    #[serde(default)]
    #[ts(optional)]
    pub since: Option<String>,
}

/// How many deliveries a replay queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct ReplayedDto {
    pub replayed: i64,
}

/// The secret the bot signs its events with (`POST /api/events`), shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct IngestSecretDto {
    pub secret: String,
}

/// What handing an event over produced.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, TS)]
pub struct EventAccepted {
    pub event_id: String,
    pub deliveries: i64,
}

/// `GET /api/webhooks` query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct WebhookListQuery {
    /// Only this merchant's endpoints.
    #[serde(default)]
    #[ts(optional)]
    pub merchant_id: Option<String>,
}

/// `GET /api/webhooks/{id}/deliveries` query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    /// pending, retrying, succeeded or failed.
    #[serde(default)]
    #[ts(optional)]
    pub status: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub cursor: Option<String>,
    /// Deliveries per page, 1 to 200 (default 50).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// `GET /api/webhook-events` query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RecentEventsQuery {
    /// Events, 1 to 500 (default 50).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
    /// Only events of this type.
    #[serde(default, rename = "type")]
    #[ts(optional, rename = "type")]
    pub event_type: Option<String>,
}
