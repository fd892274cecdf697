//! `/api/events`: the live event stream, its guard, a client that never reads, and shutdown
//! with streams open.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use botdesk_core::dto::{Event, SettingsDto};
use botdesk_core::{Config, Ctx, CtxOptions, Shell};
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

    // A write by another process (the CLI) reaches the stream through the audit trail.
    let before = next_event(&mut socket, "audit.appended")["last_seq"]
        .as_i64()
        .unwrap();
    assert!(
        botdesk(dir.path(), &["keys", "create", "--name", "watcher"])
            .status
            .success()
    );
    let after = next_event(&mut socket, "audit.appended")["last_seq"]
        .as_i64()
        .unwrap();
    assert!(after > before);
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

fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

#[test]
fn a_client_that_never_reads_is_disconnected_and_counted_without_growing_memory() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let ctx = Ctx::open(CtxOptions::new(
        dir.path(),
        Config::default(),
        Shell::Server,
    ))
    .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = runtime.spawn(botdesk_server::serve(ctx.clone(), listener, async move {
        let _ = stop_rx.await;
    }));

    // A WebSocket handshake, then silence: this client never reads another byte.
    let mut silent = TcpStream::connect(addr).unwrap();
    write!(
        silent,
        "GET /api/events HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Protocol: botdesk.events.v1\r\n\r\n"
    )
    .unwrap();
    let mut head = [0u8; 512];
    let n = silent.read(&mut head).unwrap();
    assert!(
        String::from_utf8_lossy(&head[..n]).starts_with("HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head[..n])
    );

    let stats = || -> Value {
        let response =
            reqwest::blocking::get(format!("http://{addr}/api/system/connections")).unwrap();
        response.json().unwrap()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while stats()["event_streams"] != 1 {
        assert!(Instant::now() < deadline, "the stream opened");
        std::thread::sleep(Duration::from_millis(20));
    }

    let before = resident_bytes();
    let settings = SettingsDto {
        desktop_http_api_enabled: false,
        desktop_http_api_port: 8787,
    };
    // Far more than the socket buffers hold (each event is ~150 bytes: ~150 MB in all).
    let mut published = 0u64;
    while stats()["event_streams_dropped"] == 0 {
        for _ in 0..20_000 {
            ctx.events().publish(Event::SettingsChanged {
                settings: settings.clone(),
            });
        }
        published += 20_000;
        assert!(
            Instant::now() < deadline,
            "the silent client was not dropped within 30 s ({published} events)"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let grown = resident_bytes().saturating_sub(before);
    let after = stats();
    println!(
        "published {published} events; RSS grew by {} KiB; {after}",
        grown / 1024
    );
    assert_eq!(after["event_streams"], 0, "the stream was closed");
    assert_eq!(after["event_streams_dropped"], 1);
    assert!(after["events_missed"].as_i64().unwrap() > 0);
    assert!(
        grown < 64 * 1024 * 1024,
        "memory grew by {} MiB",
        grown / (1024 * 1024)
    );

    let _ = stop_tx.send(());
    runtime
        .block_on(async { tokio::time::timeout(Duration::from_secs(20), server).await })
        .unwrap()
        .unwrap()
        .unwrap();
}
