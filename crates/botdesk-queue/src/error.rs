//! The queue's errors, each with a stable machine code (`queue.*`, or the store's own).

use botdesk_store::StoreError;

use crate::model::JobState;

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error(
        "there is no queue {name:?} (the queues: media_processing, message_sending, \
         order_processing, webhook_delivery, sync)"
    )]
    UnknownQueue { name: String },

    #[error("job {id} not found in queue {queue}")]
    JobNotFound { queue: String, id: String },

    #[error("invalid job option {field}: {reason}")]
    InvalidOptions { field: String, reason: String },

    #[error("invalid job payload: {reason}")]
    InvalidPayload { reason: String },

    #[error("job {id} is {state}: it cannot be {action}")]
    InvalidState {
        id: i64,
        state: JobState,
        action: &'static str,
    },

    #[error("invalid page cursor")]
    InvalidCursor,

    #[error("no handler is registered for job type {name:?} on queue {queue}")]
    UnknownJobType { queue: String, name: String },

    #[error("the queue is shutting down: no new work is accepted")]
    ShuttingDown,

    #[error("internal error in the job queue: {0}")]
    Internal(String),

    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<botdesk_store::rusqlite::Error> for QueueError {
    fn from(e: botdesk_store::rusqlite::Error) -> QueueError {
        QueueError::Store(StoreError::from(e))
    }
}

impl QueueError {
    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            QueueError::UnknownQueue { .. } => "queue.unknown",
            QueueError::JobNotFound { .. } => "queue.job_not_found",
            QueueError::InvalidOptions { .. } => "queue.invalid_options",
            QueueError::InvalidPayload { .. } => "queue.invalid_payload",
            QueueError::InvalidState { .. } => "queue.invalid_state",
            QueueError::InvalidCursor => "queue.invalid_cursor",
            QueueError::UnknownJobType { .. } => "queue.unknown_job_type",
            QueueError::ShuttingDown => "queue.shutting_down",
            QueueError::Internal(_) => "queue.internal",
            QueueError::Store(e) => e.code(),
        }
    }

    /// The request field at fault, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            QueueError::InvalidOptions { field, .. } => Some(field),
            QueueError::InvalidPayload { .. } => Some("payload"),
            QueueError::InvalidCursor => Some("cursor"),
            QueueError::Store(e) => e.field(),
            _ => None,
        }
    }
}
