//! botdesk's HTTP shell: [`router`] maps the REST API under `/api` onto `botdesk-core`'s
//! operations. Handlers parse, call one op, and map its error; no rule lives here.

mod error;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::Uri;
use axum::routing::get;
use botdesk_core::dto::HealthDto;
use botdesk_core::{Ctx, ErrorKind, ops};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

pub use error::{ApiError, status_of};

/// The whole HTTP API over one core.
pub fn router(ctx: Ctx) -> Router {
    let body_limit = usize::try_from(ctx.config().max_body_bytes).unwrap_or(usize::MAX);
    let api = Router::new()
        .route("/health", get(health))
        .fallback(api_not_found)
        .with_state(ctx);
    Router::new()
        .nest("/api", api)
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(TraceLayer::new_for_http())
}

async fn health(State(ctx): State<Ctx>) -> Json<HealthDto> {
    Json(ops::system::health(&ctx))
}

async fn api_not_found(uri: Uri) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        "http.not_found",
        format!("there is no API at {}", uri.path()),
    )
}
