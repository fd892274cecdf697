//! The bot's ten event types, what each payload must hold, and the envelope a delivery sends:
//! the original design's `{event_type, timestamp, merchant_id, payload}` (without its
//! `signature` field: the signature travels in the Standard Webhooks headers).

use serde_json::{Map, Value};

use crate::WebhookError;

/// The event types an endpoint can subscribe to, plus `test` (sent from the UI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    MessageReceived,
    MessageSent,
    OrderCreated,
    OrderStatusChanged,
    ProductUpdated,
    PaymentReceived,
    DeliveryStarted,
    DeliveryCompleted,
    BotConnected,
    BotDisconnected,
    Test,
}

/// A payload field's JSON type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A non-empty string.
    Text,
    Number,
    Array,
    Object,
}

/// `(field, kind, required)`; fields not listed pass as they are.
type Schema = &'static [(&'static str, Kind, bool)];

impl EventType {
    /// The ten an endpoint subscribes to (not `test`, which goes only where it is sent).
    pub const SUBSCRIBABLE: [EventType; 10] = [
        EventType::MessageReceived,
        EventType::MessageSent,
        EventType::OrderCreated,
        EventType::OrderStatusChanged,
        EventType::ProductUpdated,
        EventType::PaymentReceived,
        EventType::DeliveryStarted,
        EventType::DeliveryCompleted,
        EventType::BotConnected,
        EventType::BotDisconnected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::MessageReceived => "message_received",
            EventType::MessageSent => "message_sent",
            EventType::OrderCreated => "order_created",
            EventType::OrderStatusChanged => "order_status_changed",
            EventType::ProductUpdated => "product_updated",
            EventType::PaymentReceived => "payment_received",
            EventType::DeliveryStarted => "delivery_started",
            EventType::DeliveryCompleted => "delivery_completed",
            EventType::BotConnected => "bot_connected",
            EventType::BotDisconnected => "bot_disconnected",
            EventType::Test => "test",
        }
    }

    /// The type named `name` (any of the ten, or `test`).
    pub fn parse(name: &str) -> Result<EventType, WebhookError> {
        EventType::SUBSCRIBABLE
            .iter()
            .chain(&[EventType::Test])
            .copied()
            .find(|t| t.as_str() == name)
            .ok_or_else(|| WebhookError::UnknownEventType {
                given: name.chars().take(100).collect(),
                known: EventType::SUBSCRIBABLE
                    .iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    fn schema(self) -> Schema {
        use Kind::*;
        match self {
            EventType::MessageReceived => &[("message_id", Text, true), ("from", Text, true)],
            EventType::MessageSent => &[("message_id", Text, true), ("to", Text, true)],
            EventType::OrderCreated => &[
                ("order_id", Text, true),
                ("customer_id", Text, true),
                ("items", Array, true),
                ("total_amount", Number, true),
                ("status", Text, false),
            ],
            EventType::OrderStatusChanged => &[
                ("order_id", Text, true),
                ("status", Text, true),
                ("previous_status", Text, false),
            ],
            EventType::ProductUpdated => &[("product_id", Text, true), ("changes", Object, false)],
            EventType::PaymentReceived => &[
                ("order_id", Text, true),
                ("amount", Number, true),
                ("currency", Text, false),
            ],
            EventType::DeliveryStarted | EventType::DeliveryCompleted => {
                &[("order_id", Text, true), ("delivery_id", Text, false)]
            }
            EventType::BotConnected | EventType::BotDisconnected | EventType::Test => &[],
        }
    }

    /// A short description of the fields each type needs, for the docs and the UI.
    pub fn required_fields(self) -> Vec<&'static str> {
        self.schema()
            .iter()
            .filter(|(_, _, required)| *required)
            .map(|(name, _, _)| *name)
            .collect()
    }
}

/// The largest payload accepted (serialised).
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// Checks `payload` against its type's schema: an object, every required field present, every
/// listed field of its type.
pub fn check_payload(event_type: EventType, payload: &Value) -> Result<(), WebhookError> {
    let invalid = |field: &str, reason: &str| WebhookError::InvalidPayload {
        event_type: event_type.as_str(),
        field: field.to_owned(),
        reason: reason.to_owned(),
    };
    let Some(object) = payload.as_object() else {
        return Err(invalid("payload", "must be a JSON object"));
    };
    if payload.to_string().len() > MAX_PAYLOAD_BYTES {
        return Err(invalid("payload", "is larger than 256 KB"));
    }
    for (name, kind, required) in event_type.schema() {
        match object.get(*name) {
            None | Some(Value::Null) if *required => {
                return Err(invalid(name, "is required"));
            }
            None | Some(Value::Null) => {}
            Some(value) => {
                let fits = match kind {
                    Kind::Text => value.as_str().is_some_and(|s| !s.trim().is_empty()),
                    Kind::Number => value.is_number(),
                    Kind::Array => value.is_array(),
                    Kind::Object => value.is_object(),
                };
                if !fits {
                    let wanted = match kind {
                        Kind::Text => "must be a non-empty string",
                        Kind::Number => "must be a number",
                        Kind::Array => "must be an array",
                        Kind::Object => "must be an object",
                    };
                    return Err(invalid(name, wanted));
                }
            }
        }
    }
    Ok(())
}

/// The body of a delivery, serialised once and sent byte for byte on every attempt (the
/// signature covers these bytes).
pub fn envelope(
    event_type: EventType,
    timestamp_rfc3339: &str,
    merchant_id: Option<&str>,
    payload: &Value,
) -> String {
    let mut body = Map::new();
    body.insert("event_type".into(), event_type.as_str().into());
    body.insert("timestamp".into(), timestamp_rfc3339.into());
    body.insert(
        "merchant_id".into(),
        merchant_id.map_or(Value::Null, Value::from),
    );
    body.insert("payload".into(), payload.clone());
    Value::Object(body).to_string()
}

/// Whether an endpoint subscribed to `events` (`["*"]` = all) gets `event_type`.
pub fn subscribed(events: &Value, event_type: EventType) -> bool {
    event_type == EventType::Test
        || events.as_array().is_some_and(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .any(|e| e == "*" || e == event_type.as_str())
        })
}

/// A subscription list from the owner: `["*"]`, or some of the ten, each once.
pub fn check_subscription(events: &[String]) -> Result<Value, WebhookError> {
    if events.is_empty() {
        return Err(WebhookError::InvalidPayload {
            event_type: "subscription",
            field: "events".into(),
            reason: "subscribe to at least one event type, or \"*\" for all".into(),
        });
    }
    if events.iter().any(|e| e == "*") {
        return Ok(Value::from(vec!["*"]));
    }
    let mut out: Vec<&'static str> = Vec::new();
    for name in events {
        let t = EventType::parse(name)?;
        if t == EventType::Test {
            return Err(WebhookError::InvalidPayload {
                event_type: "subscription",
                field: "events".into(),
                reason: "test events go where they are sent; they are not subscribed to".into(),
            });
        }
        if !out.contains(&t.as_str()) {
            out.push(t.as_str());
        }
    }
    // In the catalogue's order, so that equal subscriptions compare equal.
    out.sort_by_key(|n| {
        EventType::SUBSCRIBABLE
            .iter()
            .position(|t| t.as_str() == *n)
    });
    Ok(Value::from(out))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_type_round_trips_and_unknown_ones_are_named() {
        for t in EventType::SUBSCRIBABLE {
            assert_eq!(EventType::parse(t.as_str()).unwrap(), t);
        }
        let err = EventType::parse("order_deleted").unwrap_err();
        assert_eq!(err.code(), "webhook.unknown_event_type");
        assert!(err.to_string().contains("order_created"), "{err}");
    }

    #[test]
    fn payloads_are_checked_against_their_type() {
        let order = json!({"order_id": "ORD123", "customer_id": "cust-123",
                           "items": [{"product_id": "p1", "quantity": 2, "price": 250}],
                           "total_amount": 500, "status": "pending"});
        assert_eq!(check_payload(EventType::OrderCreated, &order), Ok(()));
        let cases = [
            (json!([]), "payload"),
            (
                json!({"customer_id": "c", "items": [], "total_amount": 1}),
                "order_id",
            ),
            (
                json!({"order_id": "", "customer_id": "c", "items": [], "total_amount": 1}),
                "order_id",
            ),
            (
                json!({"order_id": "o", "customer_id": "c", "items": {}, "total_amount": 1}),
                "items",
            ),
            (
                json!({"order_id": "o", "customer_id": "c", "items": [], "total_amount": "1"}),
                "total_amount",
            ),
        ];
        for (payload, field) in cases {
            match check_payload(EventType::OrderCreated, &payload) {
                Err(WebhookError::InvalidPayload { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{payload}: {other:?}"),
            }
        }
        assert_eq!(check_payload(EventType::BotConnected, &json!({})), Ok(()));
        let huge = json!({"blob": "x".repeat(MAX_PAYLOAD_BYTES)});
        assert!(check_payload(EventType::BotConnected, &huge).is_err());
    }

    #[test]
    fn subscriptions_are_normalised() {
        let s =
            |v: &[&str]| check_subscription(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&["order_created", "*"]).unwrap(), json!(["*"]));
        assert_eq!(
            s(&["payment_received", "order_created", "order_created"]).unwrap(),
            json!(["order_created", "payment_received"])
        );
        assert!(s(&[]).is_err());
        assert!(s(&["test"]).is_err());
        assert!(s(&["nope"]).is_err());
        assert!(subscribed(&json!(["*"]), EventType::BotConnected));
        assert!(subscribed(
            &json!(["order_created"]),
            EventType::OrderCreated
        ));
        assert!(!subscribed(
            &json!(["order_created"]),
            EventType::PaymentReceived
        ));
        assert!(subscribed(&json!([]), EventType::Test));
    }

    #[test]
    fn the_envelope_is_the_original_designs_without_a_signature() {
        let body = envelope(
            EventType::OrderCreated,
            "2025-11-22T10:30:00Z",
            Some("m-1"),
            &json!({"order_id": "ORD123"}),
        );
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["event_type"], "order_created");
        assert_eq!(v["timestamp"], "2025-11-22T10:30:00Z");
        assert_eq!(v["merchant_id"], "m-1");
        assert_eq!(v["payload"]["order_id"], "ORD123");
        assert!(v.get("signature").is_none());
    }
}
