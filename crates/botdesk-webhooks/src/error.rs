//! The webhooks capability's errors, each with a stable machine code.

/// What went wrong, for the owner and for the API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("unknown event type {given:?}; the event types are: {known}")]
    UnknownEventType { given: String, known: String },

    #[error("the payload of {event_type} is not valid: {field}: {reason}")]
    InvalidPayload {
        event_type: &'static str,
        field: String,
        reason: String,
    },

    #[error("the webhook URL is not valid: {reason}")]
    InvalidUrl { reason: String },

    #[error("the address of {host} is not allowed: {reason}")]
    BlockedAddress { host: String, reason: String },

    #[error("the custom header {name:?} is not allowed: {reason}")]
    InvalidHeader { name: String, reason: String },

    #[error("the timeout must be between 100 and 60000 ms, not {given}")]
    InvalidTimeout { given: i64 },

    #[error("the signing secret is not valid: {reason}")]
    InvalidSecret { reason: String },

    #[error("{detail}")]
    Internal { detail: String },
}

impl WebhookError {
    pub fn code(&self) -> &'static str {
        match self {
            WebhookError::UnknownEventType { .. } => "webhook.unknown_event_type",
            WebhookError::InvalidPayload { .. } => "webhook.invalid_payload",
            WebhookError::InvalidUrl { .. } => "webhook.invalid_url",
            WebhookError::BlockedAddress { .. } => "webhook.blocked_address",
            WebhookError::InvalidHeader { .. } => "webhook.invalid_header",
            WebhookError::InvalidTimeout { .. } => "webhook.invalid_timeout",
            WebhookError::InvalidSecret { .. } => "webhook.invalid_secret",
            WebhookError::Internal { .. } => "internal",
        }
    }

    /// The request field the error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            WebhookError::UnknownEventType { .. } => Some("event_type"),
            WebhookError::InvalidPayload { .. } => Some("payload"),
            WebhookError::InvalidUrl { .. } | WebhookError::BlockedAddress { .. } => Some("url"),
            WebhookError::InvalidHeader { .. } => Some("custom_headers"),
            WebhookError::InvalidTimeout { .. } => Some("timeout_ms"),
            WebhookError::InvalidSecret { .. } => Some("secret"),
            WebhookError::Internal { .. } => None,
        }
    }
}
