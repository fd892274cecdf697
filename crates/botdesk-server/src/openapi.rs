//! The OpenAPI document at `/api/openapi.json`, generated from the handlers' annotations and
//! the DTOs' types.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{activity, media, orders, queues, settings, sync, system, templates, webhooks};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "botdesk",
        description = "The local-first admin desk of a WhatsApp commerce bot. Errors are \
                       `{\"error\": {\"code\", \"message\", \"field\"?}}` with a stable code. When \
                       any API key exists, every call needs `Authorization: Bearer <key>`."
    ),
    paths(
        system::health, system::info, system::connections, system::openapi,
        activity::list, activity::facets,
        settings::get, settings::update,
        templates::list, templates::create, templates::get, templates::update, templates::remove,
        templates::set_status, templates::rollback, templates::versions, templates::diff,
        templates::validate, templates::preview, templates::rules,
        queues::list, queues::get, queues::stats, queues::jobs, queues::enqueue, queues::job,
        queues::job_status, queues::act, queues::remove, queues::pause, queues::resume,
        queues::retry_failed, queues::clean, queues::enqueue_bulk,
        media::upload, media::upload_multipart, media::list, media::get, media::file, media::remove,
        media::reprocess, media::link_product, media::unlink_product, media::products,
        media::create_product, media::merchants, media::create_merchant,
        webhooks::list, webhooks::create, webhooks::get, webhooks::update, webhooks::remove,
        webhooks::rotate_secret, webhooks::send_test, webhooks::deliveries, webhooks::replay_failed,
        webhooks::delivery, webhooks::replay, webhooks::status, webhooks::recent_events,
        webhooks::handle_event, webhooks::rotate_ingest_secret, webhooks::ingest,
        orders::list, orders::create, orders::get, orders::update,
        sync::status, sync::now, sync::connection, sync::set_connection, sync::test_connection,
        sync::errors, sync::resolve,
        crate::events::events,
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "system", description = "Health, versions, connections"),
        (name = "activity", description = "The audit trail"),
        (name = "settings", description = "The owner's settings"),
        (name = "templates", description = "Message templates"),
        (name = "media", description = "The media library: uploads, variants, files, product links"),
        (name = "queues", description = "The job queues: counts, jobs, and the owner's actions"),
        (name = "webhooks", description = "Webhook endpoints, deliveries, replays, the event history and the bot's events"),
        (name = "orders", description = "Orders: created and changed by hand, announced to webhooks"),
        (name = "sync", description = "Sync with the bot's Supabase project"),
        (name = "events", description = "Live events"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = botdesk_core::VERSION.to_owned();
    doc
}
