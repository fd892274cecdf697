//! What stands in front of every `/api` call: the origin check (no other web page may drive
//! the API, and without keys only requests addressed to this machine are answered, against DNS
//! rebinding) and the API key check.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, HOST, ORIGIN, SEC_WEBSOCKET_PROTOCOL};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use botdesk_core::system::keys::{self, Access};
use botdesk_core::{CoreError, ErrorKind};

use crate::AppState;
use crate::error::ApiError;

/// The WebSocket subprotocol that carries a key (browsers cannot set headers on a WebSocket):
/// `bearer.<key>`, offered beside [`crate::events::PROTOCOL`].
pub const BEARER_PROTOCOL_PREFIX: &str = "bearer.";

fn bearer(headers: &HeaderMap) -> Option<String> {
    if let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let (scheme, token) = value.split_once(' ')?;
        return scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_owned());
    }
    headers
        .get_all(SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|p| {
            p.trim()
                .strip_prefix(BEARER_PROTOCOL_PREFIX)
                .map(str::to_owned)
        })
}

fn host_name(authority: &str) -> &str {
    // "[::1]:8787" → "::1"; "localhost:8787" → "localhost".
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    authority.rsplit_once(':').map_or(authority, |(h, _)| h)
}

fn is_loopback_name(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Checks the key and the origin, then lets the request through with its [`Access`].
pub async fn api_guard(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer_addr = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let peer = peer_addr.map_or_else(|| "unknown".to_owned(), |a| a.to_string());
    let headers = req.headers();
    let host = headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    // A browser sends Origin on cross-origin requests and on every WebSocket: only our own
    // pages (same host and port) may call the API; CORS stays closed.
    if let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) {
        let authority = origin.split_once("://").map_or("", |(_, a)| a);
        if !authority.eq_ignore_ascii_case(&host) {
            tracing::warn!(%peer, origin, "refused a request from another web origin");
            return ApiError::new(
                ErrorKind::Forbidden,
                "http.cross_origin",
                "requests from other web pages are not allowed",
            )
            .into_response();
        }
    }
    // The bot's events prove themselves by their signature (checked by the handler), not by
    // an API key: the bot may run on another host with no key to send.
    if req.method() == axum::http::Method::POST && req.uri().path() == "/events" {
        req.extensions_mut().insert(Access::Open);
        return next.run(req).await;
    }
    let token = bearer(headers);
    // Cheap: the active keys are cached until the store changes.
    let access = match keys::authenticate_soon(&state.ctx, token.as_deref()).await {
        Ok(access) => access,
        Err(err) => {
            if let CoreError::Unauthorized { code, .. } = &err {
                // Never the key itself.
                tracing::warn!(%peer, code, "refused an API request");
            }
            let mut response = ApiError::from(err).into_response();
            response.headers_mut().insert(
                "www-authenticate",
                axum::http::HeaderValue::from_static("Bearer"),
            );
            return response;
        }
    };
    // Without keys only this machine may call, and only by a local name: a Host header can be
    // forged, the peer address cannot (and a server that listens publicly because a key existed
    // at start must not open up when that key is revoked).
    let local_peer = peer_addr.is_some_and(|a| a.ip().is_loopback());
    if access == Access::Open && !(local_peer && is_loopback_name(host_name(&host))) {
        tracing::warn!(%peer, host, "refused a request from or to another host while no API key exists");
        return ApiError::new(
            ErrorKind::Forbidden,
            "http.forbidden_host",
            "without API keys botdesk only answers requests from this machine addressed to \
             localhost; create a key with `botdesk keys create`",
        )
        .into_response();
    }
    if let Access::Key {
        id,
        touch_due: true,
        ..
    } = &access
    {
        let (ctx, id) = (state.ctx.clone(), id.clone());
        // The "last used" stamp is written in the background: the request does not wait.
        tokio::spawn(async move {
            if let Err(e) = ctx.blocking(move |ctx| keys::touch(ctx, &id)).await {
                tracing::debug!(error = %e, "could not record a key's last use");
            }
        });
    }
    req.extensions_mut().insert(access);
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_are_read_from_authorities() {
        assert_eq!(host_name("localhost:8787"), "localhost");
        assert_eq!(host_name("[::1]:8787"), "::1");
        assert_eq!(host_name("127.0.0.1"), "127.0.0.1");
        assert!(
            is_loopback_name("127.0.0.1")
                && is_loopback_name("::1")
                && is_loopback_name("LOCALHOST")
        );
        assert!(!is_loopback_name("evil.example.com") && !is_loopback_name("192.168.1.4"));
    }
}
