//! What can go wrong in a sync, each with a stable code.

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// No Supabase project is set up yet.
    #[error("sync is not set up: give botdesk the project's database connection string first")]
    NotConfigured,
    /// The connection string does not parse.
    #[error("the database connection string is not valid: {0}")]
    BadConnectionString(String),
    /// The server could not be reached (or the connection broke): try again later.
    #[error("the server cannot be reached: {0}")]
    Unreachable(String),
    /// The server answered with an error (its migrations are missing, a permission…).
    #[error("the server refused the sync: {0}")]
    Server(String),
    /// A row that cannot be converted.
    #[error("a row could not be read: {0}")]
    BadRow(String),
    /// Storage (for media files) is not set up.
    #[error(
        "Supabase Storage is not set up: give botdesk the project URL, bucket and S3 access keys \
         on the Sync page"
    )]
    StorageNotConfigured,
    /// A Storage setting that cannot be used.
    #[error("the Storage settings are not valid: {0}")]
    BadStorageSettings(String),
    /// The bucket could not be reached (or answered 5xx / 429): try again later.
    #[error("Storage cannot be reached: {0}")]
    StorageUnreachable(String),
    /// The bucket refused a request (keys, permissions, a missing bucket).
    #[error("Storage refused it (HTTP {status}{}): {message}", if s3_code.is_empty() { String::new() } else { format!(", {s3_code}") })]
    StorageRefused {
        status: u16,
        s3_code: String,
        message: String,
    },
    /// The bucket does not hold a file a record names (its device has not sent it yet).
    #[error("Storage does not hold {0} yet: the device that added it has not sent it")]
    FileNotInStorage(String),
    /// What arrived is not the file asked for.
    #[error("the file fetched from Storage is damaged: {0}")]
    FileDamaged(String),
    /// A file on this device could not be read or written.
    #[error("{0}")]
    LocalFile(String),
    #[error(transparent)]
    Store(#[from] botdesk_store::StoreError),
}

impl SyncError {
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::NotConfigured => "sync.not_configured",
            SyncError::BadConnectionString(_) => "sync.invalid_connection_string",
            SyncError::Unreachable(_) => "sync.unreachable",
            SyncError::Server(_) => "sync.server_error",
            SyncError::BadRow(_) => "sync.bad_row",
            SyncError::StorageNotConfigured => "sync.storage_not_configured",
            SyncError::BadStorageSettings(_) => "sync.invalid_storage_settings",
            SyncError::StorageUnreachable(_) => "sync.storage_unreachable",
            SyncError::StorageRefused { .. } => "sync.storage_refused",
            SyncError::FileNotInStorage(_) => "sync.file_not_in_storage",
            SyncError::FileDamaged(_) => "sync.file_damaged",
            SyncError::LocalFile(_) => "sync.local_file",
            SyncError::Store(e) => e.code(),
        }
    }

    /// Whether trying again later may succeed (the network, the server's mood), as opposed to
    /// something the owner must fix.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            SyncError::Unreachable(_) | SyncError::StorageUnreachable(_)
        )
    }
}

impl From<botdesk_store::rusqlite::Error> for SyncError {
    fn from(e: botdesk_store::rusqlite::Error) -> SyncError {
        SyncError::Store(e.into())
    }
}

impl From<tokio_postgres::Error> for SyncError {
    fn from(e: tokio_postgres::Error) -> SyncError {
        // A database error is the server's answer; anything else is the connection.
        match e.as_db_error() {
            Some(db) => SyncError::Server(format!("{} ({})", db.message(), db.code().code())),
            None => SyncError::Unreachable(e.to_string()),
        }
    }
}
