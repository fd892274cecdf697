//! botdesk's HTTP shell: [`router`] maps the REST API under `/api` onto `botdesk-core`'s
//! operations, streams the core's events on `/api/events`, and serves the built web UI at `/`.
//! Handlers parse, call one op, and map its error; no rule lives here.
//!
//! Every `/api` request passes [`guard::api_guard`] (origin, API key); every request gets an
//! `x-request-id` and a tracing span (method, path without its query, request id). CORS stays
//! closed: no `Access-Control-Allow-*` header is ever sent.

mod api;
mod error;
pub mod events;
mod extract;
mod guard;
mod openapi;
mod routes;
mod ui;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, OriginalUri, Request};
use axum::http::{HeaderName, HeaderValue, Method};
use axum::routing::{get, post};
use botdesk_core::{ErrorKind, Services};
use tokio::sync::watch;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use error::{ApiError, status_of};
pub use guard::BEARER_PROTOCOL_PREFIX;
pub use openapi::document as openapi_document;

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    pub ctx: Services,
    pub streams: Arc<events::StreamStats>,
    /// Becomes true when the server is shutting down: event streams close.
    pub stopping: watch::Receiver<bool>,
}

/// The routes served by hand, beside the core's table: `(method, path)` as the OpenAPI
/// document has them. Everything else under `/api` is an operation of the table.
pub const HAND_KEPT: &[(&str, &str)] = &[
    ("GET", "/api/system/connections"),
    ("GET", "/api/openapi.json"),
    ("POST", "/api/media"),
    ("GET", "/api/media/{id}/file"),
    ("GET", "/api/events"),
    ("POST", "/api/events"),
];

/// Every route under `/api`: `(method, path)`, the table's and those by hand.
pub fn api_routes() -> Vec<(String, String)> {
    botdesk_core::surface::specs()
        .into_iter()
        .map(|s| (s.method.as_str().to_owned(), s.path.to_owned()))
        .chain(
            HAND_KEPT
                .iter()
                .map(|(m, p)| ((*m).to_owned(), (*p).to_owned())),
        )
        .collect()
}

/// The whole HTTP API and UI over one core (for a server that is stopped by dropping it).
pub fn router(ctx: Services) -> Router {
    let (_, stopping) = watch::channel(false);
    router_with_shutdown(ctx, stopping)
}

/// [`router`], whose event streams close when `stopping` becomes true.
pub fn router_with_shutdown(ctx: Services, stopping: watch::Receiver<bool>) -> Router {
    let body_limit = usize::try_from(ctx.config().max_body_bytes).unwrap_or(usize::MAX);
    // Uploads carry files: a stream up to the largest media limit (plus the form's framing), a
    // base64 JSON body a third larger again.
    let limits = ctx.config().media_limits();
    let largest = limits
        .max_image_bytes
        .max(limits.max_document_bytes)
        .max(limits.max_video_bytes);
    let stream_limit = usize::try_from(largest + 1024 * 1024).unwrap_or(usize::MAX);
    let base64_limit = usize::try_from(largest / 3 * 4 + 1024 * 1024).unwrap_or(usize::MAX);
    let state = AppState {
        ctx,
        streams: Arc::default(),
        stopping,
    };
    let api = api::routes(
        Router::new(),
        api::Limits {
            media_base64: base64_limit,
        },
    );
    // By hand: what is not a JSON operation of the core's table (see `HAND_KEPT`).
    let api = api
        .route("/system/connections", get(routes::system::connections))
        .route("/openapi.json", get(routes::system::openapi))
        .route(
            "/media",
            post(routes::media::upload_multipart).layer(DefaultBodyLimit::max(stream_limit)),
        )
        .route("/media/{id}/file", get(routes::media::file))
        .route(
            "/events",
            get(events::events).post(routes::webhooks::ingest),
        )
        .fallback(api_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::api_guard,
        ))
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state);
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .nest("/api", api)
        .fallback(ui::serve_ui)
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("content-security-policy"),
            HeaderValue::from_static(ui::CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            // The path only: a query string may carry what must not reach the logs.
            tracing::info_span!("http", method = %req.method(), path = req.uri().path(), request_id = id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

async fn api_not_found(OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        "http.not_found",
        format!("there is no API at {}", uri.path()),
    )
}

async fn method_not_allowed(method: Method, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::new(
        ErrorKind::MethodNotAllowed,
        "http.method_not_allowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
}

/// Serves the API and UI on `listener` until `shutdown` resolves; then stops taking
/// connections, closes event streams, and waits for requests in flight.
pub async fn serve(
    ctx: Services,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop, stopping) = watch::channel(false);
    let app =
        router_with_shutdown(ctx, stopping).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            stop.send_replace(true);
        })
        .await
}

#[cfg(test)]
mod tests;
