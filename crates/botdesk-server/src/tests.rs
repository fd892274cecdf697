//! The router in process (`router(services).oneshot()`): every route is in the OpenAPI
//! document and answers, the guard (origin, host, keys) and the extractors (content type,
//! malformed and oversized bodies, bad queries) say what is wrong with their stable codes.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use botdesk_core::store::Actor;
use botdesk_core::{Config, Services, ServicesOptions, Shell};
use serde_json::Value;
use tower::ServiceExt;

use crate::router;

fn services(dir: &std::path::Path, config: Config) -> Services {
    Services::open(ServicesOptions::new(dir, config, Shell::Server)).expect("the core opens")
}

/// A request from this machine to `localhost`, as a browser on it sends one.
fn local(method: &str, uri: &str) -> axum::http::request::Builder {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "localhost:8787")
        .extension(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))))
}

async fn send(
    services: &Services,
    request: Request<Body>,
) -> (StatusCode, Value, axum::http::HeaderMap) {
    let response = router(services.clone())
        .oneshot(request)
        .await
        .expect("the router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024)
        .await
        .expect("a body");
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, json, headers)
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

#[tokio::test]
async fn every_route_is_documented_and_every_documented_route_is_served() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let services = services(dir.path(), Config::default());
    let doc = serde_json::to_value(crate::openapi::document()).expect("the document");
    let paths = doc["paths"].as_object().expect("paths");
    let routes = crate::api_routes();
    for (method, path) in &routes {
        assert!(
            paths
                .get(path)
                .and_then(|p| p.get(method.to_lowercase()))
                .is_some(),
            "{method} {path} is routed but not documented"
        );
        // A route answers as itself, never as the fallback. Parameters are filled with
        // values that name nothing (their own 404 is the operation's, not the router's).
        let uri = path
            .replace("{name}", "media_processing")
            .replace(['{', '}'], "");
        let request = local(method, &uri)
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .expect("a request");
        if path == "/api/events" && method == "GET" {
            continue; // a WebSocket upgrade: tested by tests/it/events.rs
        }
        let (_, body, _) = send(&services, request).await;
        assert_ne!(
            code(&body),
            "http.method_not_allowed",
            "{method} {path}: {body}"
        );
        let fallback = code(&body) == "http.not_found"
            && body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("there is no API at"));
        assert!(
            !fallback,
            "{method} {path} is documented but not routed: {body}"
        );
    }
    let mut documented = 0;
    for (path, item) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                documented += 1;
                assert!(
                    routes
                        .iter()
                        .any(|(m, p)| p == path && m.eq_ignore_ascii_case(method)),
                    "{method} {path} is documented but not routed"
                );
            }
        }
    }
    assert_eq!(documented, routes.len(), "one document entry per route");
}

#[tokio::test]
async fn the_guard_refuses_other_origins_other_hosts_and_missing_or_wrong_keys() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let services = services(dir.path(), Config::default());
    let health = || local("GET", "/api/health");

    let (status, body, headers) = send(&services, health().body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "ok");
    assert!(headers.get("access-control-allow-origin").is_none());

    let (status, body, _) = send(
        &services,
        health()
            .header("origin", "http://evil.example")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "http.cross_origin")
    );

    let (status, body, _) = send(
        &services,
        Request::builder()
            .uri("/api/health")
            .header("host", "botdesk.example:8787")
            .extension(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50000))))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "http.forbidden_host")
    );

    let created = botdesk_core::system::keys::create(&services, &Actor::Cli("test".into()), "bot")
        .expect("a key");
    let (status, body, headers) = send(&services, health().body(Body::empty()).unwrap()).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, "auth.missing_key")
    );
    assert_eq!(headers["www-authenticate"], "Bearer");
    let (status, body, _) = send(
        &services,
        health()
            .header("authorization", "Bearer bdk_000000000000_nope")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, "auth.invalid_key")
    );
    let (status, body, _) = send(
        &services,
        health()
            .header("authorization", format!("Bearer {}", created.token))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn the_extractors_name_what_is_wrong_with_a_body_or_a_query() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let config = Config {
        max_body_bytes: 2048,
        ..Config::default()
    };
    let services = services(dir.path(), config);
    let put = |content_type: &str, body: &'static str| {
        local("PUT", "/api/settings")
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap()
    };
    let (status, body, _) = send(&services, put("text/plain", "{}")).await;
    assert_eq!(
        (status, code(&body)),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "request.unsupported_media_type"
        )
    );
    let (status, body, _) = send(
        &services,
        put("application/json", "{\"desktop_http_api_port\": "),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "request.malformed_json")
    );
    let (status, body, _) = send(
        &services,
        put("application/json", "{\"desktop_http_api_port\": \"x\"}"),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "request.invalid_body")
    );
    assert_eq!(body["error"]["field"], "desktop_http_api_port");
    let big: &'static str =
        Box::leak(format!("{{\"x\": \"{}\"}}", "a".repeat(4096)).into_boxed_str());
    let (status, body, _) = send(&services, put("application/json", big)).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::PAYLOAD_TOO_LARGE, "request.too_large")
    );

    let (status, body, _) = send(
        &services,
        local("GET", "/api/audit?limit=lots")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "request.invalid_query")
    );
    let (status, body, _) = send(
        &services,
        local("GET", "/api/queues/no_such_queue/jobs")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(code(&body), "queue.unknown");
    let (status, body, _) = send(
        &services,
        local("GET", "/api/nowhere").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, "http.not_found")
    );
    let (status, body, _) = send(
        &services,
        local("DELETE", "/api/health").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::METHOD_NOT_ALLOWED, "http.method_not_allowed")
    );
}
