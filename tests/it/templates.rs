//! Templates over HTTP: the original design's endpoints and the rest of the life cycle
//! (versions, conflicts, diff, rollback, archive), and every kind of bad input with its own
//! code and nothing half-saved.

use reqwest::StatusCode;
use reqwest::blocking::Response;
use serde_json::{Value, json};

use crate::support::{Server, http, json_of, post};

fn put(server: &Server, path: &str, body: &Value) -> Response {
    http()
        .put(format!("{}{path}", server.url))
        .json(body)
        .send()
        .unwrap()
}

fn count(server: &Server) -> usize {
    let (_, list) = json_of(server.get("/api/templates"));
    list.as_array().unwrap().len()
}

fn shipped() -> Value {
    json!({
        "name": "order_shipped",
        "type": "buttons",
        "category": "utility",
        "language": "en",
        "header": {"type": "text", "text": "Order {{order_id}}"},
        "body": "Hi {{customer_name}}, your order has shipped and arrives {{eta}}. Thanks for waiting!",
        "footer": "Reply to this message for help",
        "buttons": [{"type": "quick_reply", "id": "track", "label": "Track it"}],
        "variables": [
            {"name": "order_id", "example": "ORD-1"},
            {"name": "customer_name", "example": "Amina"},
            {"name": "eta", "example": "tomorrow"}
        ]
    })
}

#[test]
fn the_original_designs_endpoints() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());

    // The original design's POST body: variables without examples are refused, saying why.
    let (status, body) = json_of(post(
        &server,
        "/api/templates",
        &json!({
            "name": "order_confirmation_v2",
            "type": "buttons",
            "body": "Order confirmed! Your order {{order_id}} of {{amount}} is on its way.",
            "buttons": [{"id": "track", "label": "Track"}],
            "variables": ["order_id", "amount"]
        }),
    ));
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "template.variable_example_missing");
    assert_eq!(body["error"]["field"], "variables[0].example");
    assert_eq!(body["error"]["issues"].as_array().unwrap().len(), 2);

    let (status, created) = json_of(post(&server, "/api/templates", &shipped()));
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        (created["version"].as_i64(), created["status"].as_str()),
        (Some(1), Some("draft"))
    );
    let id = created["id"].as_str().unwrap().to_owned();

    let (_, list) = json_of(server.get("/api/templates?type=buttons&status=draft"));
    assert_eq!(
        list.as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].clone())
            .collect::<Vec<_>>(),
        [json!("order_shipped")]
    );
    let (_, found) = json_of(server.get("/api/templates?q=shipped%20waiting"));
    assert_eq!(found.as_array().unwrap().len(), 1);

    // The original design's preview: a saved template and values.
    let (status, preview) = json_of(post(
        &server,
        "/api/templates/preview",
        &json!({
            "template_id": id, "variables": {"order_id": "ORD123", "customer_name": "Sam", "eta": "on Friday"}
        }),
    ));
    assert_eq!(status, 200);
    assert_eq!(
        preview["rendered"]["body"],
        "Hi Sam, your order has shipped and arrives on Friday. Thanks for waiting!"
    );
    assert_eq!(
        preview["rendered"]["header"],
        json!({"type": "text", "text": "Order ORD123"})
    );
    assert_eq!(
        preview["template_send"]["template"]["components"][0]["parameters"][0]["text"],
        "ORD123"
    );
    assert_eq!(preview["session_message"]["interactive"]["type"], "button");
    assert_eq!(preview["issues"], json!([]));
    // Values given only in part: the examples fill the rest.
    let (_, partial) = json_of(post(
        &server,
        "/api/templates/preview",
        &json!({"template_id": id, "variables": {"eta": "soon"}}),
    ));
    assert_eq!(
        partial["rendered"]["body"],
        "Hi Amina, your order has shipped and arrives soon. Thanks for waiting!"
    );

    let (status, _) = json_of(post(
        &server,
        "/api/templates/preview",
        &json!({"template_id": "0197b1e0-0000-7000-8000-000000000009"}),
    ));
    assert_eq!(status, 404);

    // A draft whose variable has no example: the gap is reported once, as a missing example
    // about that variable, not again as an empty value in the body.
    let mut draft = shipped();
    draft["variables"][1]["example"] = json!("");
    let (_, gap) = json_of(post(
        &server,
        "/api/templates/preview",
        &json!({"draft": draft}),
    ));
    let about_name: Vec<_> = gap["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["variable"] == "customer_name")
        .map(|i| (i["code"].as_str(), i["field"].as_str()))
        .collect();
    assert_eq!(
        about_name,
        [(
            Some("template.variable_example_missing"),
            Some("variables[1].example")
        )],
        "{gap}"
    );
    // Given a value, the missing example is still reported, and nothing about the value.
    let (_, given) = json_of(post(
        &server,
        "/api/templates/preview",
        &json!({"draft": draft, "variables": {"customer_name": " "}}),
    ));
    let codes: Vec<_> = given["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        codes.contains(&"template.parameter_empty".to_owned()),
        "a blank value given by the caller is its own mistake: {codes:?}"
    );
}

#[test]
fn versions_conflicts_diff_rollback_and_archive() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (_, created) = json_of(post(&server, "/api/templates", &shipped()));
    let id = created["id"].as_str().unwrap().to_owned();

    let mut edited = shipped();
    edited["body"] = json!(
        "Hi {{customer_name}}, good news: your order is on its way and arrives {{eta}}. Thanks!"
    );
    let (status, v2) = json_of(put(
        &server,
        &format!("/api/templates/{id}"),
        &json!({"base_version": 1, "content": edited, "change_summary": "Warmer"}),
    ));
    assert_eq!(status, 200, "{v2}");
    assert_eq!(v2["version"], 2);

    // Someone still on version 1.
    let (status, conflict) = json_of(put(
        &server,
        &format!("/api/templates/{id}"),
        &json!({"base_version": 1, "content": shipped()}),
    ));
    assert_eq!(status, 409);
    assert_eq!(conflict["error"]["code"], "template.version_conflict");

    let (_, versions) = json_of(server.get(&format!("/api/templates/{id}/versions")));
    let summaries: Vec<&str> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["change_summary"].as_str().unwrap())
        .collect();
    assert_eq!(summaries, ["Warmer", "Created"]);

    let (_, diff) = json_of(server.get(&format!("/api/templates/{id}/diff?from=1&to=2")));
    assert_eq!(diff["fields"][0]["field"], "body");
    let ops: Vec<&str> = diff["body"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["op"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["delete", "insert"]);

    let (status, back) = json_of(post(
        &server,
        &format!("/api/templates/{id}/rollback"),
        &json!({"version": 1, "base_version": 2}),
    ));
    assert_eq!(status, 200, "{back}");
    assert_eq!(
        (back["version"].as_i64(), back["body"].clone()),
        (Some(3), shipped()["body"].clone())
    );

    let (status, active) = json_of(post(
        &server,
        &format!("/api/templates/{id}/status"),
        &json!({"status": "active", "base_version": 3}),
    ));
    assert_eq!(
        (status, active["status"].as_str()),
        (StatusCode::OK, Some("active"))
    );
    // A template that was active is archived, not deleted.
    let (status, removed) = json_of(
        http()
            .delete(format!("{}/api/templates/{id}", server.url))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200);
    assert_eq!(removed["outcome"], "archived");
    assert_eq!(removed["template"]["status"], "archived");
    // A draft that never was is deleted.
    let mut other = shipped();
    other["name"] = json!("throwaway_draft");
    let (_, draft) = json_of(post(&server, "/api/templates", &other));
    let (_, removed) = json_of(
        http()
            .delete(format!(
                "{}/api/templates/{}",
                server.url,
                draft["id"].as_str().unwrap()
            ))
            .send()
            .unwrap(),
    );
    assert_eq!(removed["outcome"], "deleted");
    assert_eq!(
        server
            .get(&format!("/api/templates/{}", draft["id"].as_str().unwrap()))
            .status(),
        404
    );
}

#[test]
fn bad_input_gets_its_own_code_and_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let before = count(&server);
    let with = |f: &dyn Fn(&mut Value)| {
        let mut t = shipped();
        f(&mut t);
        t
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "a 1 MB body",
            with(&|t| {
                t["body"] = json!(format!(
                    "Hi {{{{customer_name}}}} {{{{order_id}}}} {{{{eta}}}} {}",
                    "long text ".repeat(100_000)
                ))
            }),
            "template.body_too_long",
        ),
        (
            "10,000 placeholders",
            with(&|t| t["body"] = json!("Hi {{customer_name}} ".repeat(10_000))),
            "template.too_many_placeholders",
        ),
        (
            "a name with spaces and capitals",
            with(&|t| t["name"] = json!("Order Shipped")),
            "template.name_invalid",
        ),
        (
            "spaces in a placeholder",
            with(&|t| {
                t["body"] = json!("Hi {{ customer name }}, your order arrives {{eta}} as planned.")
            }),
            "template.placeholder_malformed",
        ),
        (
            "an unclosed placeholder",
            with(&|t| {
                t["body"] = json!("Hi {{customer_name, your order arrives {{eta}} as planned.")
            }),
            "template.placeholder_unclosed",
        ),
        (
            "nested braces",
            with(&|t| {
                t["body"] =
                    json!("Hi {{ {{customer_name}} }}, arriving {{eta}} as planned, thanks.")
            }),
            "template.placeholder_nested",
        ),
        (
            "an empty placeholder",
            with(&|t| t["body"] = json!("Hi {{}}, your order arrives {{eta}} as planned today.")),
            "template.placeholder_empty",
        ),
        (
            "an unknown variable",
            with(&|t| {
                t["body"] = json!(
                    "Hi {{customer_name}}, your {{parcel}} will arrive {{eta}} as we planned it with the courier today."
                )
            }),
            "template.variable_undeclared",
        ),
        (
            "a header media that does not exist",
            with(&|t| {
                t["type"] = json!("media");
                t["header"] =
                    json!({"type": "image", "media_id": "0197b1e0-0000-7000-8000-0000000000ff"});
                t["buttons"] = json!([]);
                t["variables"] = json!([{"name": "customer_name", "example": "A"}, {"name": "eta", "example": "B"}]);
            }),
            "template.header_media_not_found",
        ),
        (
            "a button type WhatsApp does not have",
            with(&|t| t["buttons"] = json!([{"type": "carousel"}])),
            "request.invalid_body",
        ),
    ];
    for (what, body, code) in cases {
        let (status, answer) = json_of(post(&server, "/api/templates", &body));
        assert!(
            status == 400,
            "{what}: {status} {}",
            answer.to_string().chars().take(300).collect::<String>()
        );
        assert_eq!(answer["error"]["code"], code, "{what}");
        assert!(!answer["error"]["message"].as_str().unwrap().is_empty());
    }
    // Invalid UTF-8 is not JSON.
    let raw = http()
        .post(format!("{}/api/templates", server.url))
        .header("content-type", "application/json")
        .body(b"{\"name\": \"caf\xe9\"}".to_vec())
        .send()
        .unwrap();
    assert_eq!(json_of(raw).1["error"]["code"], "request.malformed_json");
    assert_eq!(count(&server), before, "nothing half-saved");

    // Values with new lines or braces are shown literally, never expanded again.
    let (_, created) = json_of(post(&server, "/api/templates", &shipped()));
    let id = created["id"].as_str().unwrap();
    let (_, preview) = json_of(post(
        &server,
        "/api/templates/preview",
        &json!({
            "template_id": id, "variables": {"customer_name": "Sam\nSmith", "eta": "{{order_id}}", "order_id": "1"}
        }),
    ));
    assert_eq!(
        preview["rendered"]["body"],
        "Hi Sam\nSmith, your order has shipped and arrives {{order_id}}. Thanks for waiting!"
    );
    assert!(
        preview["template_send"].is_null(),
        "a template send refuses new lines in parameters"
    );
    assert!(
        preview["issues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["code"] == "template.parameter_invalid")
    );

    // A rollback to another template's version.
    let (_, other_versions) = json_of(server.get("/api/templates"));
    let seed_id = other_versions
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "order_status")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, seed_versions) = json_of(server.get(&format!("/api/templates/{seed_id}/versions")));
    let foreign = seed_versions[0]["id"].as_str().unwrap();
    let (status, answer) = json_of(post(
        &server,
        &format!("/api/templates/{id}/rollback"),
        &json!({"version_id": foreign, "base_version": 1}),
    ));
    assert_eq!(
        (status.as_u16(), answer["error"]["code"].as_str()),
        (400, Some("template.version_of_another_template"))
    );
}

#[test]
fn drafts_validate_and_preview_without_saving() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let before = count(&server);
    let mut draft = shipped();
    draft["body"] = json!("{{customer_name}} your order arrives {{eta}}");
    let (status, result) = json_of(post(
        &server,
        "/api/templates/validate",
        &json!({"content": draft}),
    ));
    assert_eq!(status, 200);
    let codes: Vec<&str> = result["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"template.variable_at_start")
            && codes.contains(&"template.variable_at_end"),
        "{codes:?}"
    );
    let start = result["issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "template.variable_at_start")
        .unwrap();
    assert_eq!(start["at"], json!({"line": 1, "column": 1, "offset": 0}));

    let (_, preview) = json_of(post(
        &server,
        "/api/templates/preview",
        &json!({"draft": draft, "to": "15551234567"}),
    ));
    assert_eq!(
        preview["rendered"]["body"],
        "Amina your order arrives tomorrow"
    );
    assert_eq!(preview["session_message"]["to"], "15551234567");
    assert!(!preview["issues"].as_array().unwrap().is_empty());
    assert_eq!(count(&server), before);

    let (_, rules) = json_of(server.get("/api/templates/rules"));
    let body_rule = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "template.body_too_long")
        .unwrap();
    assert_eq!(body_rule["limit"], 1024);
    assert!(
        body_rule["source"]
            .as_str()
            .unwrap()
            .starts_with("https://developers.facebook.com/")
    );
}
