//! A WebSocket client that never reads: the server disconnects it and counts it, and its memory
//! stays bounded. This is a test binary of its own so that the process's memory is this test's
//! alone (the other system tests allocate megabytes in parallel threads).

#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use botdesk_core::dto::{Event, SettingsDto};
use botdesk_core::{Config, Services, ServicesOptions, Shell};
use serde_json::Value;

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
    let ctx = Services::open(ServicesOptions::new(
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
    // (Whether some events were also counted as missed before the drop depends on scheduling:
    // the promise is the disconnect, its count, and the memory bound.)
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
