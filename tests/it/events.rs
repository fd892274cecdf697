//! `/api/events`: the live event stream, its guard, and shutdown with streams open. (A client
//! that never reads is tested in `slow_client.rs`, alone in its process, to measure memory.)

use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::stream::MaybeTlsStream;
use tokio_tungstenite::tungstenite::{self, Message, WebSocket};

use crate::support::{Server, botdesk, http, text};

type Socket = WebSocket<MaybeTlsStream<TcpStream>>;

fn connect(
    server: &Server,
    protocols: &str,
    origin: Option<String>,
) -> Result<Socket, tungstenite::Error> {
    let mut request = format!("ws://{}/api/events", server.authority()).into_client_request()?;
    request
        .headers_mut()
        .insert("sec-websocket-protocol", protocols.parse().unwrap());
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("origin", origin.parse().unwrap());
    }
    let (mut socket, response) = tungstenite::connect(request)?;
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "botdesk.events.v1"
    );
    if let MaybeTlsStream::Plain(tcp) = socket.get_mut() {
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    }
    Ok(socket)
}

/// The next event whose type is `kind` (other events are skipped), within 10 s.
fn next_event(socket: &mut Socket, kind: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        match socket.read().expect("an event") {
            Message::Text(text) => {
                let event: Value = serde_json::from_str(&text).unwrap();
                if event["type"] == kind {
                    return event;
                }
            }
            Message::Close(frame) => panic!("closed: {frame:?}"),
            _ => {}
        }
    }
    panic!("no {kind} event within 10 s");
}

#[test]
fn changes_arrive_on_the_event_stream() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let mut socket = connect(
        &server,
        "botdesk.events.v1",
        Some(format!("http://{}", server.authority())),
    )
    .unwrap();
    let put = http()
        .put(format!("{}/api/settings", server.url))
        .json(&json!({"desktop_http_api_enabled": true}))
        .send()
        .unwrap();
    assert_eq!(put.status(), 200);
    let changed = next_event(&mut socket, "settings.changed");
    assert_eq!(changed["settings"]["desktop_http_api_enabled"], true);
    assert!(changed["seq"].as_i64().unwrap() >= 1);
    assert!(changed["at"].as_str().unwrap().ends_with('Z'));

    // A write by another process (the CLI) reaches the stream through the audit trail. Where the
    // trail stands is asked of the API: whether the settings change above produced an event
    // depends on when the watcher started, which the test does not control.
    let trail: Value = server.get("/api/audit?limit=1").json().unwrap();
    let before = trail["items"][0]["seq"].as_i64().unwrap();
    assert!(
        botdesk(dir.path(), &["keys", "create", "--name", "watcher"])
            .status
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let seq = next_event(&mut socket, "audit.appended")["last_seq"]
            .as_i64()
            .unwrap();
        if seq > before {
            break;
        }
        assert!(Instant::now() < deadline, "no audit.appended past {before}");
    }
}

#[test]
fn the_event_stream_needs_the_key_and_our_origin() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let evil = connect(
        &server,
        "botdesk.events.v1",
        Some("https://evil.example.com".into()),
    );
    assert!(
        matches!(evil, Err(tungstenite::Error::Http(ref r)) if r.status() == 403),
        "{evil:?}"
    );

    let key = text(&botdesk(dir.path(), &["keys", "create", "--name", "ui"]).stdout)
        .trim()
        .to_owned();
    let anonymous = connect(&server, "botdesk.events.v1", None);
    assert!(
        matches!(anonymous, Err(tungstenite::Error::Http(ref r)) if r.status() == 401),
        "{anonymous:?}"
    );
    let mut socket = connect(&server, &format!("botdesk.events.v1, bearer.{key}"), None).unwrap();
    http()
        .put(format!("{}/api/settings", server.url))
        .bearer_auth(&key)
        .json(&json!({"desktop_http_api_port": 9123}))
        .send()
        .unwrap();
    assert_eq!(
        next_event(&mut socket, "settings.changed")["settings"]["desktop_http_api_port"],
        9123
    );
}

#[test]
fn the_server_stops_cleanly_with_streams_open() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let mut socket = connect(&server, "botdesk.events.v1", None).unwrap();
    let (status, log) = server.stop_with("TERM");
    assert_eq!(status.code(), Some(0), "{log}");
    let closed = (0..100).find_map(|_| match socket.read() {
        Ok(Message::Close(frame)) => Some(frame.map(|f| f.reason.to_string())),
        Ok(_) => None,
        Err(_) => Some(None),
    });
    assert!(closed.is_some(), "the stream ended");
}

#[test]
fn template_changes_are_events() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let mut socket = connect(&server, "botdesk.events.v1", None).unwrap();
    let template = json!({
        "name": "event_test", "type": "text",
        "body": "Hello {{name}}, this is a message about your order today.",
        "variables": [{"name": "name", "example": "Amina"}]
    });
    let created: Value = http()
        .post(format!("{}/api/templates", server.url))
        .json(&template)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let event = next_event(&mut socket, "template.created");
    assert_eq!(
        (
            event["id"].clone(),
            event["name"].clone(),
            event["version"].clone()
        ),
        (created["id"].clone(), json!("event_test"), json!(1))
    );
    let mut edited = template.clone();
    edited["body"] = json!("Hello {{name}}, this is a new message about your order today.");
    http()
        .put(format!(
            "{}/api/templates/{}",
            server.url,
            created["id"].as_str().unwrap()
        ))
        .json(&json!({"base_version": 1, "content": edited}))
        .send()
        .unwrap();
    assert_eq!(next_event(&mut socket, "template.updated")["version"], 2);
}
