//! The connection to the bot's Supabase project as it is kept: sealed at rest with the data
//! dir's key, never shown whole, checked before it is saved, and merged with what the owner
//! changes (absent fields keep what was there).

use botdesk_store::tables::app_settings;
use botdesk_store::{Actor, Store};
use botdesk_sync::RemoteConfig;
use botdesk_sync::storage::{self, StorageConfig};
use serde::{Deserialize, Serialize};

use crate::error::CoreError;
use crate::secrets::SecretBox;
use crate::services::Services;
use crate::sync::wire::{SyncConnectionDto, SyncStorageDto, SyncStorageUpdate};

/// The setting holding the sealed connection.
const CONNECTION_KEY: &str = "sync.connection";
const SEAL_PURPOSE: &str = "sync/connection";

/// The connection as stored (sealed).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Connection {
    pub(crate) connection_string: String,
    pub(crate) user_id: Option<String>,
    pub(crate) enabled: bool,
    /// Where media files go; stored before Storage was part of sync, it is absent.
    #[serde(default)]
    pub(crate) storage: Option<StorageConfig>,
}

// Secrets stay out of logs and panics.
impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("server", &describe(&self.connection_string).0)
            .field("user_id", &self.user_id)
            .field("enabled", &self.enabled)
            .field("storage", &self.storage.as_ref().map(|s| &s.bucket))
            .finish_non_exhaustive()
    }
}

/// The bucket media files go to when the owner names none.
pub const DEFAULT_BUCKET: &str = "botdesk-media";

pub(crate) fn load_connection(
    ctx_secrets: &SecretBox,
    store: &Store,
) -> Result<Option<Connection>, CoreError> {
    use base64::Engine as _;
    let Some(stored) = store.read(|c| app_settings::get(c, CONNECTION_KEY))? else {
        return Ok(None);
    };
    let Some(text) = stored.as_str() else {
        return Ok(None);
    };
    let sealed = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| CoreError::Internal(format!("the stored sync connection is damaged: {e}")))?;
    let plain = ctx_secrets.open_sealed(SEAL_PURPOSE, &sealed)?;
    serde_json::from_slice(&plain)
        .map(Some)
        .map_err(|e| CoreError::Internal(format!("the stored sync connection is damaged: {e}")))
}

pub(crate) fn remote_config(connection: &Connection, store: &Store) -> RemoteConfig {
    RemoteConfig {
        connection_string: connection.connection_string.clone(),
        user_id: connection.user_id.clone(),
        device_id: store.device_id().to_owned(),
    }
}

/// `host:port/db` and the user of a connection string, for showing: never the password.
fn describe(connection_string: &str) -> (Option<String>, Option<String>) {
    match botdesk_sync::remote::summarize(connection_string) {
        Ok(s) => (Some(s.server), s.user),
        Err(_) => (None, None),
    }
}

pub(crate) fn connection_dto(connection: Option<&Connection>) -> SyncConnectionDto {
    match connection {
        None => SyncConnectionDto {
            configured: false,
            server: None,
            database_user: None,
            user_id: None,
            enabled: false,
            storage: None,
        },
        Some(c) => {
            let (server, database_user) = describe(&c.connection_string);
            SyncConnectionDto {
                configured: true,
                server,
                database_user,
                user_id: c.user_id.clone(),
                enabled: c.enabled,
                storage: c.storage.as_ref().map(|s| SyncStorageDto {
                    endpoint: s.endpoint.clone(),
                    region: s.region.clone(),
                    bucket: s.bucket.clone(),
                    access_key_id: s.access_key_id.clone(),
                }),
            }
        }
    }
}

pub(crate) fn check_connection_string(text: &str) -> Result<String, CoreError> {
    botdesk_sync::remote::summarize(text).map_err(|e| {
        CoreError::invalid_field(
            "sync.invalid_connection_string",
            "connection_string",
            format!(
                "{e}; copy it from the project's Database settings, e.g. \
                 postgresql://postgres.<ref>:<password>@<host>:5432/postgres"
            ),
        )
    })?;
    Ok(text.trim().to_owned())
}

pub(crate) fn check_user_id(text: &str) -> Result<Option<String>, CoreError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<botdesk_store::Id>()
        .map(|u| Some(u.to_string()))
        .map_err(|_| {
            CoreError::invalid_field(
                "sync.invalid_user_id",
                "user_id",
                format!("{text:?} is not a Supabase Auth user id (a UUID)"),
            )
        })
}

/// The region in a Supabase pooler host (`aws-0-eu-central-1.pooler.supabase.com`), the
/// project's, which its Storage signs with too.
fn region_of_pooler(connection_string: &str) -> Option<String> {
    let (server, _) = describe(connection_string);
    let host = server?.split(':').next()?.to_owned();
    let rest = host.strip_suffix(".pooler.supabase.com")?;
    let (_, region) = rest.split_once('-')?.1.split_once('-')?;
    (!region.is_empty()).then(|| region.to_owned())
}

/// The Storage settings after `update` (absent fields keep `current`'s), checked.
pub(crate) fn merge_storage(
    current: Option<&StorageConfig>,
    update: Option<&SyncStorageUpdate>,
    connection_string: &str,
) -> Result<Option<StorageConfig>, CoreError> {
    let Some(update) = update else {
        return Ok(current.cloned());
    };
    if update.url.as_deref().is_some_and(|u| u.trim().is_empty()) {
        return Ok(None);
    }
    let field = |b: storage::BadSetting| {
        CoreError::invalid_field(b.code, format!("storage.{}", b.field), b.message)
    };
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let endpoint = match given(&update.url) {
        Some(url) => storage::endpoint_for(&url).map_err(field)?,
        None => match current {
            Some(c) => c.endpoint.clone(),
            None => {
                return Err(CoreError::invalid_field(
                    "sync.invalid_storage_url",
                    "storage.url",
                    "give the project URL (https://<ref>.supabase.co) to send media files to Storage",
                ));
            }
        },
    };
    let settings = StorageConfig {
        endpoint,
        region: given(&update.region)
            .or_else(|| current.map(|c| c.region.clone()))
            .or_else(|| region_of_pooler(connection_string))
            .unwrap_or_default(),
        bucket: given(&update.bucket)
            .or_else(|| current.map(|c| c.bucket.clone()))
            .unwrap_or_else(|| DEFAULT_BUCKET.to_owned()),
        access_key_id: given(&update.access_key_id)
            .or_else(|| current.map(|c| c.access_key_id.clone()))
            .unwrap_or_default(),
        secret_access_key: given(&update.secret_access_key)
            .or_else(|| current.map(|c| c.secret_access_key.clone()))
            .unwrap_or_default(),
    };
    settings.validate().map_err(field)?;
    Ok(Some(settings))
}

/// Seals `next` with this data dir's key and stores it (none: forgets the connection).
pub(crate) fn save_connection(
    ctx: &Services,
    actor: &Actor,
    next: Option<&Connection>,
) -> Result<(), CoreError> {
    use base64::Engine as _;
    let sealed = match next {
        Some(c) => {
            let plain = serde_json::to_vec(c)
                .map_err(|e| CoreError::Internal(format!("sealing the connection: {e}")))?;
            Some(
                base64::engine::general_purpose::STANDARD
                    .encode(ctx.secrets().seal(SEAL_PURPOSE, &plain)?),
            )
        }
        None => None,
    };
    ctx.store().with_tx(actor, |tx| -> Result<(), CoreError> {
        match &sealed {
            Some(s) => app_settings::set(tx, CONNECTION_KEY, &serde_json::Value::from(s.clone()))?,
            None => app_settings::remove(tx, CONNECTION_KEY)?,
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pooler_connection_string_names_the_projects_region() {
        assert_eq!(
            region_of_pooler(
                "postgresql://postgres.abcd:pw@aws-0-eu-central-1.pooler.supabase.com:5432/postgres"
            )
            .as_deref(),
            Some("eu-central-1")
        );
        assert_eq!(
            region_of_pooler("postgresql://postgres:pw@db.abcd.supabase.co:5432/postgres"),
            None
        );
        assert_eq!(region_of_pooler("not a connection string"), None);
    }

    #[test]
    fn storage_settings_keep_what_is_not_changed_and_go_when_the_url_is_emptied() {
        let pooler =
            "postgresql://postgres.abcd:pw@aws-0-eu-west-2.pooler.supabase.com:6543/postgres";
        let first = merge_storage(
            None,
            Some(&SyncStorageUpdate {
                url: Some("https://abcd.supabase.co".into()),
                access_key_id: Some("key".into()),
                secret_access_key: Some("secret".into()),
                ..SyncStorageUpdate::default()
            }),
            pooler,
        )
        .unwrap()
        .unwrap();
        assert_eq!(first.endpoint, "https://abcd.supabase.co/storage/v1/s3");
        assert_eq!(first.region, "eu-west-2");
        assert_eq!(first.bucket, DEFAULT_BUCKET);
        let second = merge_storage(
            Some(&first),
            Some(&SyncStorageUpdate {
                bucket: Some("photos".into()),
                ..SyncStorageUpdate::default()
            }),
            pooler,
        )
        .unwrap()
        .unwrap();
        assert_eq!(second.bucket, "photos");
        assert_eq!(second.secret_access_key, "secret");
        assert_eq!(
            merge_storage(Some(&second), None, pooler).unwrap(),
            Some(second.clone())
        );
        let removed = merge_storage(
            Some(&second),
            Some(&SyncStorageUpdate {
                url: Some(" ".into()),
                ..SyncStorageUpdate::default()
            }),
            pooler,
        )
        .unwrap();
        assert_eq!(removed, None);
        assert!(
            format!(
                "{:?}",
                Connection {
                    connection_string: pooler.into(),
                    user_id: None,
                    enabled: true,
                    storage: Some(second),
                }
            )
            .contains("photos")
        );
    }
}
