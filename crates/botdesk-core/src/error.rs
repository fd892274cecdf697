//! The errors of the API boundary. Capability errors convert into [`CoreError`]; exactly one
//! conversion, [`CoreError::wire`], produces what a client sees: a [`WireError`] with a stable
//! dotted code. Internal causes are logged there and never sent.

use botdesk_media::MediaError;
use botdesk_media::library::LibraryError;
use botdesk_queue::QueueError;
use botdesk_store::StoreError;
use botdesk_templates::Issue;
use botdesk_templates::versions::TemplateError;
use serde::Serialize;
use ts_rs::TS;
use utoipa::ToSchema;

/// What a client is told when a call fails (`{"error": WireError}` over HTTP). The shells map
/// [`ErrorKind`] to their status (HTTP 404, 409 …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct WireError {
    /// Stable machine code, e.g. `store.not_found`, `template.body_too_long`. Match on this,
    /// never on the message.
    pub code: String,
    /// A sentence for a person.
    pub message: String,
    /// The input field the error is about, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
    /// Every problem, located, when the input had several (the first is `code`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<Issue>>", optional)]
    pub issues: Vec<Issue>,
    #[serde(skip)]
    #[ts(skip)]
    pub kind: ErrorKind,
}

/// The codes a client acts on, not only shows: the UI branches on these (asks for a key, offers
/// to reload a template saved elsewhere, marks an upload failed). They are made where they are
/// named here, or tested against the capability that makes them, so that a code the UI waits
/// for cannot drift from the one botdesk sends. Every other code is shown as it comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, ToSchema)]
pub enum ErrorCode {
    /// An API key is needed and none was sent.
    #[serde(rename = "auth.missing_key")]
    MissingKey,
    /// The key sent is not valid, or was revoked.
    #[serde(rename = "auth.invalid_key")]
    InvalidKey,
    /// The template changed since the editor loaded it.
    #[serde(rename = "template.version_conflict")]
    TemplateVersionConflict,
    /// An image could not be processed (the file itself: no attempt will do better).
    #[serde(rename = "media.processing_failed")]
    MediaProcessingFailed,
}

impl ErrorCode {
    /// The code as the wire carries it.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MissingKey => "auth.missing_key",
            ErrorCode::InvalidKey => "auth.invalid_key",
            ErrorCode::TemplateVersionConflict => "template.version_conflict",
            ErrorCode::MediaProcessingFailed => "media.processing_failed",
        }
    }
}

/// `{"error": …}`: the body of every failed HTTP call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct ErrorBodyDto {
    pub error: WireError,
}

/// The class of an error, which decides the transport status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum ErrorKind {
    /// The request is malformed or breaks a rule (400/422).
    Invalid,
    /// The thing asked for does not exist (404).
    NotFound,
    /// The resource exists but not with this method (405).
    MethodNotAllowed,
    /// The request conflicts with the current state (409).
    Conflict,
    /// The caller did not prove who it is (401).
    Unauthorized,
    /// The caller may not do this, whoever it is (403).
    Forbidden,
    /// The input is too large (413).
    TooLarge,
    /// The input is in a format this call does not take (415).
    UnsupportedMediaType,
    /// Temporarily unable; retrying later may work (503).
    Unavailable,
    /// The machine is out of space (507).
    InsufficientStorage,
    /// A bug or an unexpected failure; details are in the log only (500).
    #[default]
    Internal,
}

/// Everything an operation of the core can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Store(#[from] StoreError),

    #[error(transparent)]
    Template(#[from] TemplateError),

    #[error(transparent)]
    Queue(#[from] QueueError),

    #[error(transparent)]
    Media(#[from] LibraryError),

    #[error(transparent)]
    Webhook(#[from] botdesk_webhooks::WebhookError),

    #[error(transparent)]
    Sync(#[from] botdesk_sync::SyncError),

    /// A bad value in the config file, an environment variable or a flag.
    #[error("{message}")]
    Config {
        message: String,
        field: Option<String>,
    },

    /// Input that breaks a rule of the core, with its own code.
    #[error("{message}")]
    Invalid {
        code: &'static str,
        message: String,
        field: Option<String>,
    },

    #[error("{message}")]
    NotFound { code: &'static str, message: String },

    /// The request conflicts with the current state.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },

    /// The caller did not prove who it is.
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String },

    /// An unexpected failure: logged with its cause, reported without it.
    #[error("internal error: {0}")]
    Internal(String),
}

impl CoreError {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> CoreError {
        CoreError::Invalid {
            code,
            message: message.into(),
            field: None,
        }
    }

    pub fn invalid_field(
        code: &'static str,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> CoreError {
        CoreError::Invalid {
            code,
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// The stable code.
    pub fn code(&self) -> &str {
        match self {
            CoreError::Store(e) => e.code(),
            CoreError::Template(e) => e.issues().first().map_or(e.code(), |i| i.code.as_str()),
            CoreError::Queue(e) => e.code(),
            CoreError::Media(e) => e.code(),
            CoreError::Webhook(e) => e.code(),
            CoreError::Sync(e) => e.code(),
            CoreError::Config { .. } => "config.invalid",
            CoreError::Invalid { code, .. }
            | CoreError::NotFound { code, .. }
            | CoreError::Conflict { code, .. }
            | CoreError::Unauthorized { code, .. } => code,
            CoreError::Internal(_) => "internal",
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            CoreError::Store(e) => store_kind(e),
            CoreError::Template(e) => template_kind(e),
            CoreError::Queue(e) => queue_kind(e),
            CoreError::Media(e) => library_kind(e),
            CoreError::Webhook(botdesk_webhooks::WebhookError::Internal { .. }) => {
                ErrorKind::Internal
            }
            CoreError::Webhook(_) => ErrorKind::Invalid,
            CoreError::Sync(e) => sync_kind(e),
            CoreError::Config { .. } | CoreError::Invalid { .. } => ErrorKind::Invalid,
            CoreError::NotFound { .. } => ErrorKind::NotFound,
            CoreError::Conflict { .. } => ErrorKind::Conflict,
            CoreError::Unauthorized { .. } => ErrorKind::Unauthorized,
            CoreError::Internal(_) => ErrorKind::Internal,
        }
    }

    /// What the client sees. Internal errors are logged here, with their cause, once.
    pub fn wire(&self) -> WireError {
        let kind = self.kind();
        let mut issues = Vec::new();
        let (message, field) = match self {
            _ if kind == ErrorKind::Internal => {
                tracing::error!(code = self.code(), error = %self, "internal error");
                (
                    "Something went wrong inside botdesk; the details are in its log.".to_owned(),
                    None,
                )
            }
            CoreError::Store(e) => (e.to_string(), e.field().map(str::to_owned)),
            CoreError::Queue(e) => (e.to_string(), e.field().map(str::to_owned)),
            CoreError::Webhook(e) => (e.to_string(), e.field().map(str::to_owned)),
            CoreError::Template(e) => match e.issues() {
                [] => (e.to_string(), None),
                all @ [first, rest @ ..] => {
                    issues = all.to_vec();
                    let more = match rest.len() {
                        0 => String::new(),
                        n => format!(" (and {n} more problem{})", if n == 1 { "" } else { "s" }),
                    };
                    (
                        format!("{}{more}", first.message),
                        Some(first.field.clone()),
                    )
                }
            },
            CoreError::Config { message, field } | CoreError::Invalid { message, field, .. } => {
                (message.clone(), field.clone())
            }
            other => (other.to_string(), None),
        };
        WireError {
            code: self.code().to_owned(),
            message,
            field,
            issues,
            kind,
        }
    }
}

impl From<MediaError> for CoreError {
    fn from(e: MediaError) -> CoreError {
        CoreError::Media(LibraryError::Media(e))
    }
}

fn media_kind(e: &MediaError) -> ErrorKind {
    match e {
        MediaError::TooLarge { .. } | MediaError::UploadTooLarge => ErrorKind::TooLarge,
        MediaError::UnsupportedType { .. } | MediaError::UnknownType => {
            ErrorKind::UnsupportedMediaType
        }
        MediaError::DiskFull => ErrorKind::InsufficientStorage,
        MediaError::Storage { .. } | MediaError::Processing { .. } => ErrorKind::Internal,
        _ => ErrorKind::Invalid,
    }
}

fn library_kind(e: &LibraryError) -> ErrorKind {
    match e {
        LibraryError::Media(e) => media_kind(e),
        LibraryError::NotFound(_) => ErrorKind::NotFound,
        LibraryError::UnknownMerchant(_) | LibraryError::UnknownProduct(_) => ErrorKind::Invalid,
        LibraryError::InUse(_) => ErrorKind::Conflict,
        LibraryError::Unreadable(_) => ErrorKind::Internal,
        LibraryError::Store(e) => store_kind(e),
    }
}

fn queue_kind(e: &QueueError) -> ErrorKind {
    match e {
        QueueError::UnknownQueue { .. } | QueueError::JobNotFound { .. } => ErrorKind::NotFound,
        QueueError::InvalidOptions { .. }
        | QueueError::InvalidPayload { .. }
        | QueueError::InvalidCursor
        | QueueError::UnknownJobType { .. } => ErrorKind::Invalid,
        QueueError::InvalidState { .. } => ErrorKind::Conflict,
        QueueError::ShuttingDown => ErrorKind::Unavailable,
        QueueError::Internal(_) => ErrorKind::Internal,
        QueueError::Store(e) => store_kind(e),
    }
}

fn sync_kind(e: &botdesk_sync::SyncError) -> ErrorKind {
    use botdesk_sync::SyncError;
    match e {
        SyncError::NotConfigured => ErrorKind::Conflict,
        SyncError::BadConnectionString(_) => ErrorKind::Invalid,
        // The server, not botdesk: 503, with the reason shown.
        SyncError::Unreachable(_) | SyncError::Server(_) => ErrorKind::Unavailable,
        SyncError::BadRow(_) | SyncError::LocalFile(_) => ErrorKind::Internal,
        SyncError::StorageNotConfigured => ErrorKind::Conflict,
        SyncError::BadStorageSettings(_) => ErrorKind::Invalid,
        SyncError::StorageUnreachable(_)
        | SyncError::StorageRefused { .. }
        | SyncError::FileNotInStorage(_)
        | SyncError::FileDamaged(_) => ErrorKind::Unavailable,
        SyncError::Store(e) => store_kind(e),
    }
}

fn store_kind(e: &StoreError) -> ErrorKind {
    match e {
        StoreError::NotFound { .. } => ErrorKind::NotFound,
        StoreError::Duplicate { .. }
        | StoreError::ForeignKey { .. }
        | StoreError::BackupTargetExists { .. } => ErrorKind::Conflict,
        StoreError::CheckViolation { .. }
        | StoreError::NotNull { .. }
        | StoreError::InvalidCursor => ErrorKind::Invalid,
        StoreError::Busy => ErrorKind::Unavailable,
        // Conditions of the owner's files, not bugs: the message says what to do.
        StoreError::DataDir { .. }
        | StoreError::ReadOnly { .. }
        | StoreError::NotADatabase { .. }
        | StoreError::Corrupt { .. }
        | StoreError::SchemaTooNew { .. }
        | StoreError::MigrationFailed { .. }
        | StoreError::Backup { .. } => ErrorKind::Unavailable,
        StoreError::DiskFull => ErrorKind::InsufficientStorage,
        StoreError::InvalidData { .. } | StoreError::Io { .. } | StoreError::Sqlite(_) => {
            ErrorKind::Internal
        }
    }
}

fn template_kind(e: &TemplateError) -> ErrorKind {
    match e {
        TemplateError::Invalid(_) | TemplateError::VersionOfAnotherTemplate { .. } => {
            ErrorKind::Invalid
        }
        TemplateError::NotFound(_) | TemplateError::VersionNotFound { .. } => ErrorKind::NotFound,
        TemplateError::NameTaken { .. } | TemplateError::VersionConflict { .. } => {
            ErrorKind::Conflict
        }
        TemplateError::Unreadable(_) => ErrorKind::Internal,
        TemplateError::Store(s) => store_kind(s),
    }
}

impl From<tokio::task::JoinError> for CoreError {
    fn from(e: tokio::task::JoinError) -> CoreError {
        CoreError::Internal(format!("a background task failed: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_codes_the_ui_acts_on_are_the_ones_botdesk_sends() {
        for code in [
            ErrorCode::MissingKey,
            ErrorCode::InvalidKey,
            ErrorCode::TemplateVersionConflict,
            ErrorCode::MediaProcessingFailed,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
        let conflict = TemplateError::VersionConflict {
            base: 1,
            current: 2,
        };
        assert_eq!(conflict.code(), ErrorCode::TemplateVersionConflict.as_str());
        let failed = MediaError::Processing {
            detail: "no".into(),
        };
        assert_eq!(failed.code(), ErrorCode::MediaProcessingFailed.as_str());
    }

    #[test]
    fn internal_errors_never_carry_their_cause_to_the_client() {
        let err = CoreError::Internal("secret path /home/amina/.key".into());
        let wire = err.wire();
        assert_eq!(wire.code, "internal");
        assert!(!wire.message.contains("amina"));
        assert_eq!(wire.kind, ErrorKind::Internal);
    }

    #[test]
    fn a_store_the_owner_must_deal_with_is_explained_not_hidden() {
        let err = CoreError::from(StoreError::NotADatabase {
            path: "/data/botdesk.db".into(),
            reason: "it does not start with the SQLite file header".into(),
        });
        let wire = err.wire();
        assert_eq!(wire.kind, ErrorKind::Unavailable);
        assert!(wire.message.contains("left untouched"), "{}", wire.message);
    }

    #[test]
    fn store_errors_keep_their_code_and_field() {
        let err = CoreError::from(StoreError::CheckViolation {
            table: "products".into(),
            field: "price_minor".into(),
            constraint: "ck_products_price_minor".into(),
        });
        let wire = err.wire();
        assert_eq!(wire.code, "store.check_violation");
        assert_eq!(wire.field.as_deref(), Some("price_minor"));
        assert_eq!(wire.kind, ErrorKind::Invalid);
        let json = serde_json::to_value(&wire).unwrap();
        assert_eq!(json["code"], "store.check_violation");
        assert!(json.get("kind").is_none());
    }
}
