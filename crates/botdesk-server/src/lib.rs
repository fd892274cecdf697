//! botdesk's HTTP shell: [`router`] maps the REST API under `/api` onto `botdesk-core`'s
//! operations, streams the core's events on `/api/events`, and serves the built web UI at `/`.
//! Handlers parse, call one op, and map its error; no rule lives here.
//!
//! Every `/api` request passes [`guard::api_guard`] (origin, API key); every request gets an
//! `x-request-id` and a tracing span (method, path without its query, request id). CORS stays
//! closed: no `Access-Control-Allow-*` header is ever sent.

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
use axum::routing::{get, post, put};
use botdesk_core::{Ctx, ErrorKind};
use tokio::sync::watch;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use error::{ApiError, status_of};
pub use guard::BEARER_PROTOCOL_PREFIX;

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    pub ctx: Ctx,
    pub streams: Arc<events::StreamStats>,
    /// Becomes true when the server is shutting down: event streams close.
    pub stopping: watch::Receiver<bool>,
}

/// The whole HTTP API and UI over one core (for a server that is stopped by dropping it).
pub fn router(ctx: Ctx) -> Router {
    let (_, stopping) = watch::channel(false);
    router_with_shutdown(ctx, stopping)
}

/// [`router`], whose event streams close when `stopping` becomes true.
pub fn router_with_shutdown(ctx: Ctx, stopping: watch::Receiver<bool>) -> Router {
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
    let api = Router::new()
        .route("/health", get(routes::system::health))
        .route("/system/info", get(routes::system::info))
        .route("/system/connections", get(routes::system::connections))
        .route("/openapi.json", get(routes::system::openapi))
        .route("/audit", get(routes::activity::list))
        .route("/audit/facets", get(routes::activity::facets))
        .route(
            "/settings",
            get(routes::settings::get).put(routes::settings::update),
        )
        .route(
            "/templates",
            get(routes::templates::list).post(routes::templates::create),
        )
        .route("/templates/rules", get(routes::templates::rules))
        .route("/templates/validate", post(routes::templates::validate))
        .route("/templates/preview", post(routes::templates::preview))
        .route(
            "/templates/{id}",
            get(routes::templates::get)
                .put(routes::templates::update)
                .delete(routes::templates::remove),
        )
        .route(
            "/templates/{id}/status",
            post(routes::templates::set_status),
        )
        .route(
            "/templates/{id}/rollback",
            post(routes::templates::rollback),
        )
        .route("/templates/{id}/versions", get(routes::templates::versions))
        .route("/templates/{id}/diff", get(routes::templates::diff))
        .route("/queues", get(routes::queues::list))
        .route("/queues/{name}", get(routes::queues::get))
        .route("/queues/{name}/stats", get(routes::queues::stats))
        .route("/queues/{name}/pause", post(routes::queues::pause))
        .route("/queues/{name}/resume", post(routes::queues::resume))
        .route(
            "/queues/{name}/retry-failed",
            post(routes::queues::retry_failed),
        )
        .route("/queues/{name}/clean", post(routes::queues::clean))
        .route(
            "/queues/{name}/jobs",
            get(routes::queues::jobs).post(routes::queues::enqueue),
        )
        .route(
            "/queues/{name}/jobs/{id}",
            get(routes::queues::job).delete(routes::queues::remove),
        )
        .route(
            "/queues/{name}/jobs/bulk",
            post(routes::queues::enqueue_bulk),
        )
        .route(
            "/queues/{name}/jobs/{id}/status",
            get(routes::queues::job_status),
        )
        .route(
            "/queues/{name}/jobs/{id}/{action}",
            post(routes::queues::act),
        )
        .route(
            "/media",
            get(routes::media::list)
                .post(routes::media::upload_multipart)
                .layer(DefaultBodyLimit::max(stream_limit)),
        )
        .route(
            "/media/upload",
            post(routes::media::upload).layer(DefaultBodyLimit::max(base64_limit)),
        )
        .route(
            "/media/{id}",
            get(routes::media::get).delete(routes::media::remove),
        )
        .route("/media/{id}/file", get(routes::media::file))
        .route("/media/{id}/process", post(routes::media::reprocess))
        .route(
            "/media/{id}/products/{product_id}",
            put(routes::media::link_product).delete(routes::media::unlink_product),
        )
        .route(
            "/products",
            get(routes::media::products).post(routes::media::create_product),
        )
        .route(
            "/merchants",
            get(routes::media::merchants).post(routes::media::create_merchant),
        )
        .route("/sync", get(routes::sync::status))
        .route("/sync/now", post(routes::sync::now))
        .route(
            "/sync/connection",
            get(routes::sync::connection).put(routes::sync::set_connection),
        )
        .route("/sync/connection/test", post(routes::sync::test_connection))
        .route("/sync/errors", get(routes::sync::errors))
        .route("/sync/errors/{id}/{action}", post(routes::sync::resolve))
        .route(
            "/orders",
            get(routes::orders::list).post(routes::orders::create),
        )
        .route(
            "/orders/{id}",
            get(routes::orders::get).patch(routes::orders::update),
        )
        .route(
            "/webhooks",
            get(routes::webhooks::list).post(routes::webhooks::create),
        )
        .route("/webhooks-status", get(routes::webhooks::status))
        .route(
            "/webhooks/{id}",
            get(routes::webhooks::get)
                .put(routes::webhooks::update)
                .delete(routes::webhooks::remove),
        )
        .route(
            "/webhooks/{id}/rotate-secret",
            post(routes::webhooks::rotate_secret),
        )
        .route("/webhooks/{id}/test", post(routes::webhooks::send_test))
        .route(
            "/webhooks/{id}/deliveries",
            get(routes::webhooks::deliveries),
        )
        .route(
            "/webhooks/{id}/replay-failed",
            post(routes::webhooks::replay_failed),
        )
        .route("/webhook-deliveries/{id}", get(routes::webhooks::delivery))
        .route(
            "/webhook-deliveries/{id}/replay",
            post(routes::webhooks::replay),
        )
        .route(
            "/webhook-events",
            get(routes::webhooks::recent_events).post(routes::webhooks::handle_event),
        )
        .route(
            "/events/secret",
            post(routes::webhooks::rotate_ingest_secret),
        )
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
    ctx: Ctx,
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
