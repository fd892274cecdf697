//! Merchants' endpoints: listed with their health, created (the secret sealed at rest and
//! shown once), changed, deleted, and their signing secret rotated (the previous one keeps
//! signing for a day).

use botdesk_store::tables::merchants::Merchant;
use botdesk_store::tables::webhook_deliveries::{self as deliveries};
use botdesk_store::tables::webhooks::{Ciphertext, Webhook};
use botdesk_store::{Actor, Filter};
use botdesk_webhooks::{AddressPolicy, Secret, endpoints, events};

use crate::error::CoreError;
use crate::events::Event;
use crate::ids::{id_or_not_found, not_found};
use crate::services::Services;
use crate::webhooks::sealed::purpose;
use crate::webhooks::view::{MASK, load_dto, webhook_dto};
use crate::webhooks::wire::{WebhookCreate, WebhookDto, WebhookSecretDto, WebhookUpdate};

/// During a rotation the previous secret keeps signing this long, so receivers can switch.
const ROTATION_OVERLAP: time::Duration = time::Duration::hours(24);

/// Which addresses endpoints may have (loopback only when the settings allow it).
pub(crate) fn policy(ctx: &Services) -> AddressPolicy {
    AddressPolicy {
        allow_loopback: ctx.config().webhooks_allow_localhost,
    }
}

/// Every endpoint (of one merchant when given), newest first, with its health.
pub fn list(ctx: &Services, merchant_id: Option<&str>) -> Result<Vec<WebhookDto>, CoreError> {
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

pub fn get(ctx: &Services, id: &str) -> Result<WebhookDto, CoreError> {
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
    ctx: &Services,
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
    ctx: &Services,
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

pub fn remove(ctx: &Services, actor: &Actor, id: &str) -> Result<(), CoreError> {
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
pub fn rotate_secret(
    ctx: &Services,
    actor: &Actor,
    id: &str,
) -> Result<WebhookSecretDto, CoreError> {
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
