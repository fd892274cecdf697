//! The webhooks area's JSON operations (the bot's signed `POST /api/events` is served by the
//! HTTP shell by hand: it proves itself by its signature, not by a key).

use botdesk_store::tables::webhook_events::EventSource;

use crate::api::NoContent;
use crate::webhooks::wire::{
    DeliveriesQuery, DeliveryDetailDto, DeliveryDto, DeliveryPageDto, EventAccepted, EventIn,
    IngestSecretDto, RecentEventsQuery, ReplayFailed, ReplayedDto, WebhookCreate, WebhookDto,
    WebhookEventDto, WebhookListQuery, WebhookSecretDto, WebhookStatusDto, WebhookUpdate,
};
use crate::webhooks::{deliveries, endpoints, events, ingest};

crate::operations! {
    tag "webhooks";

    /// Every endpoint, with its health (success rate, last status, why it is disabled).
    list_webhooks: Get "/api/webhooks" query(WebhookListQuery) -> [WebhookDto]
        => blocking |s, c, i| endpoints::list(s, i.query.merchant_id.as_deref());

    /// Creates an endpoint.
    ///
    /// Its signing secret (`whsec_…`) is in this answer and nowhere else afterwards: copy it
    /// into the receiver.
    create_webhook: Post "/api/webhooks" body(WebhookCreate) status(201) -> WebhookSecretDto
        => blocking |s, c, i| endpoints::create(s, &c.actor, i.body);

    /// The original design's `getWebhookStatus()`.
    webhook_status: Get "/api/webhooks-status" -> WebhookStatusDto
        => blocking |s, c, i| events::status(s);

    /// An endpoint with its health.
    get_webhook: Get "/api/webhooks/{id}" path(id) -> WebhookDto
        => blocking |s, c, i| endpoints::get(s, &i.path.id);

    /// Changes an endpoint; enabling one clears its disabled reason and failure streak.
    update_webhook: Put "/api/webhooks/{id}" path(id) body(WebhookUpdate) -> WebhookDto
        => blocking |s, c, i| endpoints::update(s, &c.actor, &i.path.id, i.body);

    /// Deletes an endpoint (its deliveries stop).
    remove_webhook: Delete "/api/webhooks/{id}" path(id) status(204) -> ()
        => blocking |s, c, i| endpoints::remove(s, &c.actor, &i.path.id).map(|()| NoContent);

    /// A new signing secret, shown once.
    ///
    /// The previous one keeps signing for 24 hours (both signatures are sent meanwhile).
    rotate_webhook_secret: Post "/api/webhooks/{id}/rotate-secret" path(id) -> WebhookSecretDto
        => blocking |s, c, i| endpoints::rotate_secret(s, &c.actor, &i.path.id);

    /// Sends a `test` event to this endpoint.
    send_webhook_test: Post "/api/webhooks/{id}/test" path(id) status(202) -> EventAccepted
        => blocking |s, c, i| events::send_test(s, &c.actor, &i.path.id);

    /// An endpoint's deliveries, newest first.
    list_webhook_deliveries: Get "/api/webhooks/{id}/deliveries" path(id) query(DeliveriesQuery)
        -> DeliveryPageDto
        => blocking |s, c, i| {
            deliveries::deliveries_of(
                s,
                &i.path.id,
                i.query.status.as_deref(),
                i.query.cursor.as_deref(),
                i.query.limit.unwrap_or(50),
            )
        };

    /// Replays every failed delivery of an endpoint (created since `since`, when given).
    replay_failed_webhook_deliveries: Post "/api/webhooks/{id}/replay-failed" path(id)
        body(ReplayFailed) -> ReplayedDto
        => blocking |s, c, i| deliveries::replay_failed(s, &c.actor, &i.path.id, i.body);

    /// A delivery: its body as signed and every attempt.
    ///
    /// Each attempt with its request headers (secrets masked), status, latency, the start of
    /// the answer and the error.
    get_webhook_delivery: Get "/api/webhook-deliveries/{id}" path(id) -> DeliveryDetailDto
        => blocking |s, c, i| deliveries::delivery(s, &i.path.id);

    /// Sends a delivery again now, with the same `webhook-id`.
    replay_webhook_delivery: Post "/api/webhook-deliveries/{id}/replay" path(id) status(202)
        -> DeliveryDto
        => blocking |s, c, i| deliveries::replay(s, &c.actor, &i.path.id);

    /// The original design's `getRecentEvents(limit, type)`: the event history, newest first.
    recent_webhook_events: Get "/api/webhook-events" query(RecentEventsQuery)
        -> [WebhookEventDto]
        => blocking |s, c, i| {
            events::recent_events(s, i.query.limit.unwrap_or(50), i.query.event_type.as_deref())
        };

    /// The original design's `handleWebhookEvent(event_type, payload, merchant_id)`.
    ///
    /// For an owner or a tool holding an API key: the payload is checked against its type, the
    /// event recorded and one delivery queued per subscribed endpoint.
    handle_webhook_event: Post "/api/webhook-events" body(EventIn) status(202) -> EventAccepted
        => blocking |s, c, i| events::handle_event(s, &c.actor, i.body, EventSource::Api);

    /// A new secret for the bot to sign `POST /api/events` with, shown once.
    rotate_events_secret: Post "/api/events/secret" -> IngestSecretDto
        => blocking |s, c, i| ingest::rotate_ingest_secret(s, &c.actor);
}
