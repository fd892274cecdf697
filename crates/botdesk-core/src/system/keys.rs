//! API keys: created and revoked from the command line, checked on every HTTP request.
//!
//! A key is `bdk_<prefix>_<secret>`: 6 random bytes of prefix (its public name, shown in lists
//! and logs) and 24 random bytes of secret, both hex. Only the prefix and the SHA-256 of the
//! whole key are stored; the key is shown once, when created. Checking a key finds its row by
//! prefix and compares the hashes in constant time.

use std::collections::HashMap;
use std::sync::Arc;

use botdesk_store::tables::api_keys::{self, ApiKey};
use botdesk_store::{Actor, Id, Timestamp};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{CoreError, ErrorCode};
use crate::services::Services;
use crate::system::wire::{ApiKeyDto, CreatedApiKeyDto};

const PREFIX_BYTES: usize = 6;
const SECRET_BYTES: usize = 24;

fn dto(k: ApiKey) -> ApiKeyDto {
    ApiKeyDto {
        id: k.id.to_string(),
        name: k.name,
        prefix: k.prefix,
        created_at: k.created_at.to_string(),
        last_used_at: k.last_used_at.map(|t| t.to_string()),
        revoked_at: k.revoked_at.map(|t| t.to_string()),
    }
}

fn random_hex(bytes: usize) -> Result<String, CoreError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| CoreError::Internal(format!("no randomness: {e}")))?;
    Ok(hex::encode(buf))
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a key named `name`. The returned token is the only copy of the key.
pub fn create(ctx: &Services, actor: &Actor, name: &str) -> Result<CreatedApiKeyDto, CoreError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(CoreError::invalid_field(
            "keys.invalid_name",
            "name",
            "a key's name is 1 to 100 printable characters, e.g. \"bot on the shop server\"",
        ));
    }
    let prefix = random_hex(PREFIX_BYTES)?;
    let token = format!("bdk_{prefix}_{}", random_hex(SECRET_BYTES)?);
    let key = ctx.store().with_tx(actor, |tx| {
        api_keys::insert(tx, name, &prefix, &hash(&token))
    })?;
    Ok(CreatedApiKeyDto {
        key: dto(key),
        token,
    })
}

/// Every key, newest first, revoked ones included; never the keys themselves.
pub fn list(ctx: &Services) -> Result<Vec<ApiKeyDto>, CoreError> {
    Ok(ctx
        .store()
        .read(api_keys::list)?
        .into_iter()
        .map(dto)
        .collect())
}

/// Revokes the key whose id or prefix is `reference`.
pub fn revoke(ctx: &Services, actor: &Actor, reference: &str) -> Result<ApiKeyDto, CoreError> {
    ctx.store().with_tx(actor, |tx| {
        let key = api_keys::find(tx, reference.trim())?.ok_or_else(|| CoreError::NotFound {
            code: "keys.not_found",
            message: format!("no API key has the id or prefix {reference:?}"),
        })?;
        if !api_keys::revoke(tx, key.id)? {
            return Err(CoreError::Conflict {
                code: "keys.already_revoked",
                message: format!("the key {} was already revoked", key.prefix),
            });
        }
        let revoked = api_keys::find(tx, &key.id.to_string())?.unwrap_or(key);
        Ok(dto(revoked))
    })
}

/// Who a request acts as, once its key (if any is needed) was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// No key exists: the API is open (and only listens on loopback).
    Open,
    /// A valid key: the request acts as this key.
    Key {
        id: String,
        prefix: String,
        /// Its last use was recorded more than a minute ago: record this one (see [`touch`]).
        touch_due: bool,
    },
}

impl Access {
    pub fn actor(&self) -> Actor {
        match self {
            Access::Open => Actor::Local,
            Access::Key { id, .. } => Actor::ApiKey(id.clone()),
        }
    }
}

/// The active keys, as checked on every request (cached until the store changes).
#[derive(Debug, Default)]
struct KeySnapshot {
    by_prefix: HashMap<String, ActiveKey>,
}

#[derive(Debug)]
struct ActiveKey {
    id: Id,
    hash: String,
    last_used_at: Option<Timestamp>,
}

/// The keys area's cache of the active keys (exact: reloaded after any commit).
type KeyCache = crate::cache::StoreCached<KeySnapshot>;

fn snapshot(ctx: &Services) -> Result<Arc<KeySnapshot>, CoreError> {
    ctx.area::<KeyCache>().get(ctx.store(), |store| {
        let keys = store.read(api_keys::active_with_hashes)?;
        Ok(KeySnapshot {
            by_prefix: keys
                .into_iter()
                .map(|(k, hash)| {
                    (
                        k.prefix,
                        ActiveKey {
                            id: k.id,
                            hash,
                            last_used_at: k.last_used_at,
                        },
                    )
                })
                .collect(),
        })
    })
}

/// Whether any active key exists (then every API request needs one).
pub fn any_active(ctx: &Services) -> Result<bool, CoreError> {
    Ok(!snapshot(ctx)?.by_prefix.is_empty())
}

fn unauthorized(code: &'static str, message: &str) -> CoreError {
    CoreError::Unauthorized {
        code,
        message: message.to_owned(),
    }
}

/// Checks the bearer token of a request. With no active key, everything is allowed. Cheap
/// enough to run on every request: the active keys are cached until the store changes (a key
/// created or revoked by the CLI in another process counts at once).
pub fn authenticate(ctx: &Services, bearer: Option<&str>) -> Result<Access, CoreError> {
    check(ctx, &*snapshot(ctx)?, bearer)
}

/// [`authenticate`] from an async task: the cached keys when the store has not changed, else
/// loaded through the store gate.
pub async fn authenticate_soon(ctx: &Services, bearer: Option<&str>) -> Result<Access, CoreError> {
    let keys = match ctx.area::<KeyCache>().peek(ctx.store())? {
        Some(keys) => keys,
        None => ctx.blocking(snapshot).await?,
    };
    check(ctx, &keys, bearer)
}

fn check(ctx: &Services, keys: &KeySnapshot, bearer: Option<&str>) -> Result<Access, CoreError> {
    if keys.by_prefix.is_empty() {
        return Ok(Access::Open);
    }
    let Some(token) = bearer.map(str::trim).filter(|t| !t.is_empty()) else {
        return Err(unauthorized(
            ErrorCode::MissingKey.as_str(),
            "this botdesk requires an API key: send it as `Authorization: Bearer <key>`",
        ));
    };
    let invalid = || {
        unauthorized(
            ErrorCode::InvalidKey.as_str(),
            "the API key is not valid, or was revoked",
        )
    };
    let prefix = token
        .strip_prefix("bdk_")
        .and_then(|rest| rest.split_once('_'))
        .map(|(prefix, _)| prefix)
        .filter(|p| p.len() == PREFIX_BYTES * 2)
        .ok_or_else(invalid)?;
    let key = keys.by_prefix.get(prefix).ok_or_else(invalid)?;
    if !bool::from(hash(token).as_bytes().ct_eq(key.hash.as_bytes())) {
        return Err(invalid());
    }
    let minute_ago = ctx.now().plus(time::Duration::minutes(-1));
    Ok(Access::Key {
        id: key.id.to_string(),
        prefix: prefix.to_owned(),
        touch_due: key.last_used_at.is_none_or(|at| at < minute_ago),
    })
}

/// Records that key `id` was used now (at most once a minute; not audited).
pub fn touch(ctx: &Services, id: &str) -> Result<(), CoreError> {
    let Ok(id) = id.parse::<Id>() else {
        return Ok(());
    };
    Ok(ctx
        .store()
        .with_tx(&Actor::ApiKey(id.to_string()), |tx| api_keys::touch(tx, id))?)
}

/// Whether botdesk may listen on `addr`: on this machine always; on a public address only
/// once an API key exists, so that nobody who can reach it uses botdesk without one.
pub fn check_listen(ctx: &Services, addr: std::net::SocketAddr) -> Result<(), CoreError> {
    if addr.ip().is_loopback() || any_active(ctx)? {
        return Ok(());
    }
    Err(CoreError::invalid(
        "auth.no_keys_for_public_listen",
        format!(
            "refusing to listen on {addr} while no API key exists: anyone who can reach it \
             could use botdesk. Create a key first with `botdesk keys create --name NAME`, or \
             listen on 127.0.0.1"
        ),
    ))
}
