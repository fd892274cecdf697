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
            SyncError::Store(e) => e.code(),
        }
    }

    /// Whether trying again later may succeed (the network, the server's mood), as opposed to
    /// something the owner must fix.
    pub fn is_transient(&self) -> bool {
        matches!(self, SyncError::Unreachable(_))
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
