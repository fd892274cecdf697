//! The OpenAPI document against what the server really answers: a walk through the app (a
//! template, a merchant and a product, a photo, jobs, an endpoint and its deliveries, an order,
//! sync) where every answer, success or error, is validated by a JSON Schema validator (the
//! `jsonschema` crate, draft 2020-12 as OpenAPI 3.1 has it) against the schema the document
//! gives for that operation and status.

use std::path::Path;

use base64::Engine as _;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Server, http};

/// The document, and the checks made against it.
struct Checked {
    doc: Value,
    server: Server,
    checked: usize,
}

/// `/api/orders/0193…` → `/api/orders/{id}`: the document's path for a request's path (none
/// for a path the API does not have).
fn template_of<'d>(doc: &'d Value, method: &str, path: &str) -> Option<&'d str> {
    let path = path.split('?').next().unwrap_or(path);
    let parts: Vec<&str> = path.split('/').collect();
    let paths = doc["paths"].as_object().expect("paths");
    let mut best: Option<(&str, usize)> = None;
    for (template, item) in paths {
        let t: Vec<&str> = template.split('/').collect();
        if t.len() != parts.len() || item.get(method).is_none() {
            continue;
        }
        let fits = t
            .iter()
            .zip(&parts)
            .all(|(a, b)| a.starts_with('{') || a == b);
        // A literal segment wins over a parameter (`/templates/rules` over `/templates/{id}`).
        let literal = t.iter().filter(|s| !s.starts_with('{')).count();
        if fits && best.is_none_or(|(_, n)| literal > n) {
            best = Some((template, literal));
        }
    }
    best.map(|(t, _)| t)
}

impl Checked {
    fn start(dir: &Path) -> Checked {
        let server = Server::start(dir);
        let doc: Value = server
            .get("/api/openapi.json")
            .json()
            .expect("the document");
        Checked {
            doc,
            server,
            checked: 0,
        }
    }

    /// Calls the server and validates its answer against the document; the answer's body.
    fn call(&mut self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = http().request(method.clone(), format!("{}{path}", self.server.url));
        if let Some(body) = &body {
            request = request.json(body);
        }
        let response = request.send().expect("an answer");
        let status = response.status().as_u16();
        let text = response.text().expect("a body");
        let lower = method.as_str().to_ascii_lowercase();
        // A path the API does not have answers with the one error body.
        let unknown = json!({"content": {"application/json": {"schema":
            {"$ref": "#/components/schemas/ErrorBodyDto"}}}});
        let (template, documented) = match template_of(&self.doc, &lower, path) {
            Some(template) => {
                let responses = &self.doc["paths"][template][&lower]["responses"];
                let documented = responses
                    .get(status.to_string())
                    .or_else(|| responses.get("default"))
                    .unwrap_or_else(|| {
                        panic!("{method} {path}: {status} is not documented: {text}")
                    })
                    .clone();
                (template.to_owned(), documented)
            }
            None => (path.to_owned(), unknown),
        };
        let Some(schema) = documented
            .pointer("/content/application~1json/schema")
            .cloned()
        else {
            assert!(
                text.is_empty(),
                "{method} {path}: {status} documents no body: {text}"
            );
            self.checked += 1;
            return (status, Value::Null);
        };
        let value: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{method} {path}: {status} is not JSON ({e}): {text}"));
        // The document is the schema's root, so that its `#/components/…` references resolve.
        let mut root = self.doc.clone();
        if let Some(object) = root.as_object_mut() {
            object.insert(
                "$schema".into(),
                json!("https://json-schema.org/draft/2020-12/schema"),
            );
            object.insert("allOf".into(), json!([schema]));
        }
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&root)
            .unwrap_or_else(|e| panic!("{method} {template}: the schema does not build: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{method} {path} ({template}) answered {status} off its schema:\n{}\n{value:#}",
            errors.join("\n")
        );
        self.checked += 1;
        (status, value)
    }

    fn get(&mut self, path: &str) -> Value {
        self.expect(Method::GET, path, None, 200)
    }

    /// A call that must answer `status`.
    fn expect(&mut self, method: Method, path: &str, body: Option<Value>, status: u16) -> Value {
        let (got, value) = self.call(method.clone(), path, body);
        assert_eq!(got, status, "{method} {path}: {value}");
        value
    }
}

fn photo() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/media-corpus/photos/j23_rocket.jpg");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn real_answers_match_the_openapi_document() {
    use Method as M;
    let dir = tempfile::tempdir().unwrap();
    let mut api = Checked::start(dir.path());

    // System and settings.
    api.get("/api/health");
    api.get("/api/system/info");
    api.get("/api/system/connections");
    api.get("/api/settings");
    api.expect(
        M::PUT,
        "/api/settings",
        Some(json!({"desktop_http_api_port": 8788})),
        200,
    );
    api.expect(
        M::PUT,
        "/api/settings",
        Some(json!({"desktop_http_api_port": 80})),
        400,
    );

    // Templates: made, saved, previewed, moved, rolled back, compared.
    api.get("/api/templates/rules");
    let t = api.expect(
        M::POST,
        "/api/templates",
        Some(json!({"name": "order_ready", "type": "text",
                    "body": "Hello {{name}}, your order {{order}} is ready for you at the shop today.",
                    "variables": [{"name": "name", "example": "Amina"},
                                  {"name": "order", "example": "A-1"}]})),
        201,
    );
    let id = t["id"].as_str().unwrap().to_owned();
    api.get("/api/templates");
    api.get(&format!("/api/templates/{id}"));
    let mut content = t.clone();
    for key in [
        "id",
        "status",
        "whatsapp_status",
        "version",
        "created_at",
        "updated_at",
    ] {
        content.as_object_mut().unwrap().remove(key);
    }
    content["body"] =
        json!("Hi {{name}}, your order {{order}} is ready to collect at the shop today.");
    api.expect(
        M::PUT,
        &format!("/api/templates/{id}"),
        Some(json!({"base_version": 1, "content": content})),
        200,
    );
    api.expect(
        M::PUT,
        &format!("/api/templates/{id}"),
        Some(json!({"base_version": 1, "content": content})),
        409,
    );
    api.expect(
        M::POST,
        "/api/templates/validate",
        Some(json!({"content": content})),
        200,
    );
    api.expect(
        M::POST,
        "/api/templates/preview",
        Some(json!({"template_id": id, "variables": {"name": "Sam"}})),
        200,
    );
    api.expect(
        M::POST,
        &format!("/api/templates/{id}/status"),
        Some(json!({"status": "active", "base_version": 2})),
        200,
    );
    api.expect(
        M::POST,
        &format!("/api/templates/{id}/rollback"),
        Some(json!({"version": 1, "base_version": 3})),
        200,
    );
    api.get(&format!("/api/templates/{id}/versions"));
    api.get(&format!("/api/templates/{id}/diff?from=1&to=2"));
    api.expect(M::DELETE, &format!("/api/templates/{id}"), None, 200);
    api.expect(M::GET, "/api/templates/not-an-id", None, 404);

    // The catalogue and a photo on a product.
    let shop = api.expect(
        M::POST,
        "/api/merchants",
        Some(json!({"name": "Shop"})),
        201,
    );
    let shop = shop["id"].as_str().unwrap().to_owned();
    api.get("/api/merchants");
    let product = api.expect(
        M::POST,
        "/api/products",
        Some(json!({"name": "Rocket", "merchant_id": shop})),
        201,
    );
    let product = product["id"].as_str().unwrap().to_owned();
    api.get("/api/products");
    let one = api.get(&format!("/api/products/{product}"));
    assert_eq!(
        (one["name"].as_str(), one["merchant_id"].as_str()),
        (Some("Rocket"), Some(shop.as_str()))
    );
    api.expect(
        M::GET,
        "/api/products/0193a0c0-0000-7000-8000-000000000000",
        None,
        404,
    );
    api.expect(M::POST, "/api/products", Some(json!({"name": " "})), 400);
    let data = base64::engine::general_purpose::STANDARD.encode(photo());
    let media = api.expect(
        M::POST,
        "/api/media/upload",
        Some(json!({"file_data": data, "file_name": "rocket.jpg"})),
        201,
    );
    let media = media["id"].as_str().unwrap().to_owned();
    api.get("/api/media");
    api.get(&format!("/api/media/{media}"));
    api.expect(
        M::PUT,
        &format!("/api/media/{media}/products/{product}"),
        Some(json!({"primary": true})),
        200,
    );
    api.expect(
        M::DELETE,
        &format!("/api/media/{media}/products/{product}"),
        None,
        200,
    );
    api.expect(
        M::POST,
        &format!("/api/media/{media}/process"),
        Some(json!({})),
        202,
    );
    api.expect(M::GET, "/api/media?kind=sculpture", None, 400);

    // Queues: a probe job, its detail and status, the owner's actions.
    let q = "/api/queues/order_processing";
    api.get("/api/queues");
    api.get(q);
    api.get(&format!("{q}/stats"));
    let job = api.expect(
        M::POST,
        &format!("{q}/jobs"),
        Some(
            json!({"name": "probe", "payload": {"note": "schema", "fail_attempts": 9},
                    "options": {"max_attempts": 1, "priority": "high"}}),
        ),
        201,
    );
    let job = job["id"].as_i64().unwrap();
    api.expect(
        M::POST,
        &format!("{q}/jobs/bulk"),
        Some(json!({"jobs": [{"name": "probe", "payload": {}}]})),
        200,
    );
    api.get(&format!("{q}/jobs?status=waiting"));
    api.get(&format!("{q}/jobs/{job}"));
    api.get(&format!("{q}/jobs/{job}/status"));
    api.expect(M::POST, &format!("{q}/pause"), None, 200);
    api.expect(M::POST, &format!("{q}/resume"), None, 200);
    api.expect(M::POST, &format!("{q}/retry-failed"), None, 200);
    api.expect(
        M::POST,
        &format!("{q}/clean"),
        Some(json!({"status": "completed"})),
        200,
    );
    api.expect(M::POST, &format!("{q}/jobs/{job}/promote"), None, 409);
    api.expect(M::GET, "/api/queues/nowhere/stats", None, 404);

    // Webhooks: an endpoint, a test event, its delivery, the history.
    let made = api.expect(
        M::POST,
        "/api/webhooks",
        Some(json!({"merchant_id": shop, "url": "https://hooks.example.com/botdesk"})),
        201,
    );
    let hook = made["webhook"]["id"].as_str().unwrap().to_owned();
    api.get("/api/webhooks");
    api.get(&format!("/api/webhooks?merchant_id={shop}"));
    api.get("/api/webhooks-status");
    api.get(&format!("/api/webhooks/{hook}"));
    api.expect(
        M::PUT,
        &format!("/api/webhooks/{hook}"),
        Some(json!({"description": "orders"})),
        200,
    );
    api.expect(
        M::POST,
        &format!("/api/webhooks/{hook}/rotate-secret"),
        None,
        200,
    );
    api.expect(M::POST, &format!("/api/webhooks/{hook}/test"), None, 202);
    let page = api.get(&format!("/api/webhooks/{hook}/deliveries"));
    let delivery = page["items"][0]["id"].as_str().unwrap().to_owned();
    api.get(&format!("/api/webhook-deliveries/{delivery}"));
    api.expect(
        M::POST,
        &format!("/api/webhooks/{hook}/replay-failed"),
        Some(json!({})),
        200,
    );
    api.get("/api/webhook-events?limit=5");
    api.expect(
        M::POST,
        "/api/webhook-events",
        Some(json!({"event_type": "bot_connected", "payload": {}, "merchant_id": shop})),
        202,
    );
    api.expect(M::POST, "/api/events/secret", None, 200);
    api.expect(
        M::POST,
        "/api/webhooks",
        Some(json!({"merchant_id": shop, "url": "ftp://x"})),
        400,
    );

    // Orders.
    let order = api.expect(
        M::POST,
        "/api/orders",
        Some(json!({"merchant_id": shop, "customer_phone": "+15550001",
                    "items": [{"product_id": product, "name": "Rocket", "quantity": 2,
                               "unit_price_minor": 1250}]})),
        201,
    );
    let order = order["id"].as_str().unwrap().to_owned();
    api.get("/api/orders");
    api.get(&format!("/api/orders/{order}"));
    api.expect(
        M::PATCH,
        &format!("/api/orders/{order}"),
        Some(json!({"status": "confirmed", "payment_status": "paid"})),
        200,
    );

    // Sync, not set up.
    api.get("/api/sync");
    api.get("/api/sync/connection");
    api.get("/api/sync/errors");
    api.expect(M::POST, "/api/sync/now", None, 409);
    api.expect(
        M::PUT,
        "/api/sync/connection",
        Some(json!({"connection_string": "not a url"})),
        400,
    );

    // The audit trail saw it all; removing the endpoint ends the walk.
    api.get("/api/audit?limit=5");
    api.get("/api/audit/facets");
    api.expect(M::DELETE, &format!("/api/webhooks/{hook}"), None, 204);
    api.expect(M::GET, "/api/nowhere", None, 404);
    assert!(api.checked >= 74, "{} answers checked", api.checked);
}
