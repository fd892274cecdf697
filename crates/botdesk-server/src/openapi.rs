//! The OpenAPI document at `/api/openapi.json`: the core's table of operations (its paths and
//! schemas, made from the table), the routes this shell serves by hand (their annotations),
//! the security scheme and the tags.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::events;
use crate::routes::{media, system, webhooks};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "botdesk",
        description = "The local-first admin desk of a WhatsApp commerce bot. Errors are \
                       `{\"error\": {\"code\", \"message\", \"field\"?}}` with a stable code. When \
                       any API key exists, every call needs `Authorization: Bearer <key>`."
    ),
    paths(
        system::connections, system::openapi,
        media::upload_multipart, media::file,
        webhooks::ingest,
        events::events,
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "system", description = "Health, versions, connections"),
        (name = "activity", description = "The audit trail"),
        (name = "settings", description = "The owner's settings"),
        (name = "templates", description = "Message templates"),
        (name = "media", description = "The media library: uploads, variants, files, product links"),
        (name = "catalog", description = "Products and merchants"),
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

/// The whole document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = botdesk_core::VERSION.to_owned();
    let (paths, components) = botdesk_core::surface::openapi();
    doc.paths.merge(paths);
    let own = doc.components.get_or_insert_with(Default::default);
    for (name, schema) in components.schemas {
        own.schemas.entry(name).or_insert(schema);
    }
    doc
}
