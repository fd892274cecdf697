//! The HTTP shell from outside: API keys, the error shape for every kind of bad request, the
//! OpenAPI document, the web UI, and the origin rules.

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde_json::{Value, json};

use crate::support::{Server, botdesk, error_code, http, text};

#[test]
fn api_keys_guard_every_api_call_once_one_exists() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    assert_eq!(
        server.get("/api/health").status(),
        200,
        "no key yet: open on loopback"
    );

    let created = botdesk(dir.path(), &["keys", "create", "--name", "shop bot"]);
    assert!(created.status.success(), "{}", text(&created.stderr));
    let key = text(&created.stdout).trim().to_owned();
    assert!(key.starts_with("bdk_") && key.len() > 40, "{key}");
    assert!(text(&created.stderr).contains("only time it is shown"));

    assert_eq!(
        error_code(server.get("/api/health")),
        (StatusCode::UNAUTHORIZED, "auth.missing_key".into())
    );
    let wrong = http()
        .get(format!("{}/api/health", server.url))
        .bearer_auth("bdk_0123456789ab_nope")
        .send()
        .unwrap();
    assert_eq!(wrong.headers()["www-authenticate"], "Bearer");
    assert_eq!(
        error_code(wrong),
        (StatusCode::UNAUTHORIZED, "auth.invalid_key".into())
    );
    let forged = key[..key.len() - 4].to_owned() + "0000";
    let forged = http()
        .get(format!("{}/api/health", server.url))
        .bearer_auth(&forged)
        .send()
        .unwrap();
    assert_eq!(
        error_code(forged).1,
        "auth.invalid_key",
        "the right prefix with a wrong secret"
    );
    let ok = http()
        .get(format!("{}/api/audit", server.url))
        .bearer_auth(&key)
        .send()
        .unwrap();
    assert_eq!(ok.status(), 200);

    // Writes made with a key are audited as that key.
    let put = http()
        .put(format!("{}/api/settings", server.url))
        .bearer_auth(&key)
        .json(&json!({"desktop_http_api_port": 9911}))
        .send()
        .unwrap();
    assert_eq!(put.status(), 200);
    let listed = text(&botdesk(dir.path(), &["keys", "list"]).stdout);
    let id = listed.split_whitespace().nth(1).unwrap().to_owned();
    let trail: Value = http()
        .get(format!("{}/api/audit?table=app_settings", server.url))
        .bearer_auth(&key)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(trail["items"][0]["actor"], format!("api_key:{id}"));
    assert!(
        listed.contains("shop bot") && listed.contains("active"),
        "{listed}"
    );
    assert!(!listed.contains(&key), "a list never shows the key");

    // Refused attempts are logged, the key never.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let log = loop {
        let log = server.log();
        if log.contains("auth.missing_key") && log.contains("auth.invalid_key") {
            break log;
        }
        assert!(std::time::Instant::now() < deadline, "{log}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(
        !log.contains(&key) && !log.contains("bdk_0123456789ab_nope"),
        "a key reached the log:\n{log}"
    );
    let file_log = std::fs::read_dir(dir.path().join("logs"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect::<String>();
    assert!(file_log.contains("auth.invalid_key") && !file_log.contains(&key));

    let prefix = key.split('_').nth(1).unwrap();
    let revoked = botdesk(dir.path(), &["keys", "revoke", prefix]);
    assert!(revoked.status.success(), "{}", text(&revoked.stderr));
    let again = botdesk(dir.path(), &["keys", "revoke", prefix]);
    assert!(
        text(&again.stderr).contains("[keys.already_revoked]"),
        "{}",
        text(&again.stderr)
    );
    let unknown = botdesk(dir.path(), &["keys", "revoke", "nosuchkey"]);
    assert!(text(&unknown.stderr).contains("[keys.not_found]"));
    let bad_name = botdesk(dir.path(), &["keys", "create", "--name", "   "]);
    assert!(text(&bad_name.stderr).contains("[keys.invalid_name]"));
}

#[test]
fn serve_refuses_a_public_address_while_no_key_exists() {
    let dir = tempfile::tempdir().unwrap();
    let out = botdesk(dir.path(), &["serve", "--listen", "0.0.0.0:0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("[auth.no_keys_for_public_listen]"),
        "{}",
        text(&out.stderr)
    );

    let key = text(&botdesk(dir.path(), &["keys", "create", "--name", "remote"]).stdout)
        .trim()
        .to_owned();
    let server = Server::start_on(dir.path(), "0.0.0.0:0");
    assert_eq!(error_code(server.get("/api/health")).1, "auth.missing_key");
    let ok = http()
        .get(format!("{}/api/health", server.url))
        .bearer_auth(&key)
        .send()
        .unwrap();
    assert_eq!(ok.status(), 200);
}

#[test]
fn bad_requests_get_the_json_error_shape_with_a_stable_code() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("botdesk.toml"), "max_body_bytes = 4096\n").unwrap();
    let server = Server::start(dir.path());
    let url = |p: &str| format!("{}{p}", server.url);
    let client = http();

    assert_eq!(
        error_code(server.get("/api/no/such/path")),
        (StatusCode::NOT_FOUND, "http.not_found".into())
    );
    assert_eq!(
        error_code(client.delete(url("/api/settings")).send().unwrap()),
        (
            StatusCode::METHOD_NOT_ALLOWED,
            "http.method_not_allowed".into()
        )
    );
    let put = |body: &str, content_type: &str| {
        client
            .put(url("/api/settings"))
            .header(CONTENT_TYPE, content_type)
            .body(body.to_owned())
            .send()
            .unwrap()
    };
    assert_eq!(
        error_code(put("{\"desktop_http_api_port\": ", "application/json")),
        (StatusCode::BAD_REQUEST, "request.malformed_json".into())
    );
    assert_eq!(
        error_code(put("not json at all", "application/json")).1,
        "request.malformed_json"
    );
    let shape = put(
        "{\"desktop_http_api_port\": \"eighty\"}",
        "application/json",
    );
    let body: Value = shape.json().unwrap();
    assert_eq!(body["error"]["code"], "request.invalid_body");
    assert_eq!(body["error"]["field"], "desktop_http_api_port");
    assert_eq!(
        error_code(put("{\"colour\": \"blue\"}", "application/json")).1,
        "request.invalid_body"
    );
    assert_eq!(
        error_code(put("{}", "text/plain")),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "request.unsupported_media_type".into()
        )
    );
    let big = format!(
        "{{\"desktop_http_api_port\": 9000, \"pad\": \"{}\"}}",
        "x".repeat(20_000)
    );
    assert_eq!(
        error_code(put(&big, "application/json")),
        (StatusCode::PAYLOAD_TOO_LARGE, "request.too_large".into())
    );
    assert_eq!(
        error_code(put("{\"desktop_http_api_port\": 80}", "application/json")).1,
        "settings.invalid_port"
    );
    assert_eq!(
        error_code(server.get("/api/audit?limit=100000")).1,
        "request.invalid_limit"
    );
    assert_eq!(
        error_code(server.get("/api/audit?cursor=garbage")).1,
        "store.invalid_cursor"
    );
    assert_eq!(
        error_code(server.get("/api/audit?sort=desc")).1,
        "request.invalid_query"
    );
    assert_eq!(
        error_code(server.get("/api/templates?type=carousel")).1,
        "request.invalid_filter"
    );
    // Nothing bad was saved.
    let settings: Value = server.get("/api/settings").json().unwrap();
    assert_eq!(
        settings,
        json!({"desktop_http_api_enabled": false, "desktop_http_api_port": 8787})
    );
}

#[test]
fn requests_carry_ids_and_cors_stays_closed() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let client = http();
    let response = server.get("/api/health");
    assert!(response.headers()["x-request-id"].to_str().unwrap().len() >= 32);
    let echoed = client
        .get(format!("{}/api/health", server.url))
        .header("x-request-id", "req-42")
        .send()
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "req-42");

    let preflight = client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/settings", server.url),
        )
        .header("origin", "https://evil.example.com")
        .header("access-control-request-method", "PUT")
        .send()
        .unwrap();
    assert_no_cors(preflight.headers());
    let cross = client
        .put(format!("{}/api/settings", server.url))
        .header("origin", "https://evil.example.com")
        .json(&json!({"desktop_http_api_enabled": true}))
        .send()
        .unwrap();
    assert_no_cors(cross.headers());
    assert_eq!(
        error_code(cross),
        (StatusCode::FORBIDDEN, "http.cross_origin".into())
    );
    let same = client
        .get(format!("{}/api/health", server.url))
        .header("origin", format!("http://{}", server.authority()))
        .send()
        .unwrap();
    assert_eq!(same.status(), 200, "the UI's own origin is allowed");
    // DNS rebinding: a page on another name that resolves to 127.0.0.1.
    let rebound = client
        .get(format!("{}/api/health", server.url))
        .header("host", "attacker.example.com")
        .send()
        .unwrap();
    assert_eq!(
        error_code(rebound),
        (StatusCode::FORBIDDEN, "http.forbidden_host".into())
    );
}

fn assert_no_cors(headers: &HeaderMap) {
    for name in headers.keys() {
        assert!(
            !name.as_str().starts_with("access-control-"),
            "CORS header {name} sent"
        );
    }
}

#[test]
fn the_openapi_document_describes_every_route() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let doc: Value = server.get("/api/openapi.json").json().unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/health", "get"),
        ("/api/system/info", "get"),
        ("/api/system/connections", "get"),
        ("/api/openapi.json", "get"),
        ("/api/audit", "get"),
        ("/api/audit/facets", "get"),
        ("/api/settings", "get"),
        ("/api/settings", "put"),
        ("/api/templates", "get"),
        ("/api/templates", "post"),
        ("/api/templates/{id}", "put"),
        ("/api/templates/{id}/rollback", "post"),
        ("/api/templates/preview", "post"),
        ("/api/queues", "get"),
        ("/api/queues/{name}/stats", "get"),
        ("/api/queues/{name}/jobs", "get"),
        ("/api/queues/{name}/jobs", "post"),
        ("/api/queues/{name}/jobs/bulk", "post"),
        ("/api/queues/{name}/jobs/{id}", "get"),
        ("/api/queues/{name}/jobs/{id}/status", "get"),
        ("/api/queues/{name}/jobs/{id}/{action}", "post"),
        ("/api/queues/{name}/pause", "post"),
        ("/api/queues/{name}/retry-failed", "post"),
        ("/api/events", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is documented"
        );
        // …and really exists.
        if method == "get" && path != "/api/events" && !path.contains('{') {
            assert_ne!(server.get(path).status(), 404, "{path} is served");
        }
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "HealthDto",
        "AuditPageDto",
        "SettingsUpdate",
        "ErrorBodyDto",
        "TemplateDto",
        "EventDto",
        "QueueOverviewDto",
        "JobPage",
        "JobDetail",
    ] {
        assert!(schemas.contains_key(name), "schema {name}");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

#[test]
fn the_web_ui_is_served_at_the_root_with_client_side_routes() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let index = server.get("/");
    assert_eq!(index.status(), 200);
    assert!(
        index.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let csp = index.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(index.headers()["x-content-type-options"], "nosniff");
    let html = index.text().unwrap();
    assert!(html.contains("<div id=\"root\">"), "{html}");
    let asset = html
        .split("src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .trim_start_matches("./");
    let script = server.get(&format!("/{asset}"));
    assert_eq!(script.status(), 200, "{asset}");
    assert!(
        script.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert!(
        script.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );

    let deep = server.get("/activity/some/page");
    assert_eq!(deep.status(), 200, "client-side routes get the app");
    assert!(deep.text().unwrap().contains("<div id=\"root\">"));
    assert_eq!(server.get("/missing.png").status(), 404);
}
