//! `POST /api/events`: the bot's events, signed like a delivery with the events secret, which
//! the owner creates (shown once); unsigned, stale or forged requests are refused before the
//! body is parsed.

use botdesk_store::Actor;
use botdesk_store::tables::app_settings;
use botdesk_store::tables::webhook_events::EventSource;
use botdesk_webhooks::{Secret, Signed};

use crate::error::CoreError;
use crate::services::Services;
use crate::webhooks::events::handle_event;
use crate::webhooks::wire::{EventAccepted, EventIn, IngestSecretDto};

/// The setting holding the sealed secret the bot signs `POST /api/events` with.
const INGEST_SECRET: &str = "webhooks.ingest_secret";

/// A new secret for the bot to sign `POST /api/events` with, shown once; the previous one
/// stops working.
pub fn rotate_ingest_secret(ctx: &Services, actor: &Actor) -> Result<IngestSecretDto, CoreError> {
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
pub fn ingest_enabled(ctx: &Services) -> Result<bool, CoreError> {
    Ok(ctx
        .store()
        .read(|c| app_settings::get(c, INGEST_SECRET))?
        .is_some())
}

/// The headers of a signed request, as the HTTP shell read them (the signing crate's own).
pub use botdesk_webhooks::Signed as SignedRequest;

/// `POST /api/events`: the bot's event, signed like a delivery with the ingestion secret;
/// unsigned, stale or forged requests are refused before the body is even parsed.
pub fn ingest(
    ctx: &Services,
    actor: &Actor,
    request: Signed<'_>,
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
        request,
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
