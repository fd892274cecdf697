//! The one error response shape: `{"error": {"code", "message", "field"?}}`, with the HTTP
//! status chosen from the error's kind.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use botdesk_core::{CoreError, ErrorKind, WireError};

/// An error on its way to an HTTP client.
#[derive(Debug)]
pub struct ApiError(pub WireError);

impl ApiError {
    pub fn new(kind: ErrorKind, code: &str, message: impl Into<String>) -> ApiError {
        ApiError(WireError {
            code: code.to_owned(),
            message: message.into(),
            field: None,
            issues: Vec::new(),
            kind,
        })
    }
}

impl From<CoreError> for ApiError {
    fn from(err: CoreError) -> ApiError {
        ApiError(err.wire())
    }
}

pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Invalid => StatusCode::BAD_REQUEST,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::InsufficientStorage => StatusCode::INSUFFICIENT_STORAGE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status_of(self.0.kind);
        (status, Json(serde_json::json!({ "error": self.0 }))).into_response()
    }
}
