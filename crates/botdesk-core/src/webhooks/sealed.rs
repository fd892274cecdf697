//! An endpoint's signing secrets, opened from their seal for a delivery.

use botdesk_store::tables::webhooks::Webhook;
use botdesk_store::{Id, Stored, Timestamp};
use botdesk_webhooks::Secret;

use crate::error::CoreError;
use crate::secrets::SecretBox;

/// The purpose an endpoint's secret is sealed under.
pub(crate) fn purpose(id: Id) -> String {
    format!("webhooks/{id}")
}

/// Why a delivery was not sent: the endpoint's secret is on another device.
pub const NO_SECRET_HERE: &str = "webhook.no_secret_here";

/// Refuses to send anything to an endpoint that has no signing secret on this device (it came
/// with sync from the device that made it, whose secret stays there): nothing unsigned goes out.
pub(crate) fn no_secret_here(webhook: &Stored<Webhook>) -> Result<(), CoreError> {
    if webhook.data.secret_ciphertext.is_some() {
        return Ok(());
    }
    Err(CoreError::Conflict {
        code: NO_SECRET_HERE,
        message: "this endpoint came from another device and its signing secret stays there; \
                  rotate the secret on this device to send from here"
            .into(),
    })
}

/// The secrets that sign a delivery now: the current one, and the previous one during a
/// rotation.
pub(crate) fn signing_secrets(
    vault: &SecretBox,
    row: &Stored<Webhook>,
    now: Timestamp,
) -> Result<Vec<Secret>, CoreError> {
    let id = row.meta.id;
    let mut out = Vec::new();
    if let Some(current) = &row.data.secret_ciphertext {
        out.push(Secret::from_bytes(
            vault.open_sealed(&purpose(id), &current.0)?,
        )?);
    }
    if let (Some(previous), Some(until)) = (
        &row.data.previous_secret_ciphertext,
        row.data.previous_secret_expires_at,
    ) && until > now
    {
        out.push(Secret::from_bytes(
            vault.open_sealed(&purpose(id), &previous.0)?,
        )?);
    }
    if out.is_empty() {
        return Err(CoreError::Internal(format!(
            "webhook {id} has no signing secret"
        )));
    }
    Ok(out)
}
