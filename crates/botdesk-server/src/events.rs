//! `/api/events`: the core's events as JSON text messages over a WebSocket.
//!
//! Each client has its own subscription to the bus. A client that reads too slowly to keep up
//! is told how many events it missed (`events.lagged`) and keeps its connection; a client that
//! stops reading (its sends do not complete within [`SEND_TIMEOUT`]) is disconnected and
//! counted. Either way the server holds at most the bus's fixed buffer for it.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use botdesk_core::dto::{ConnectionStatsDto, ErrorBodyDto, Event, EventDto};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use crate::AppState;

/// The subprotocol the server answers with.
pub const PROTOCOL: &str = "botdesk.events.v1";

/// How long one message may take to reach a client before it is considered gone.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(5);

/// Counts of the event streams, for `GET /api/system/connections`.
#[derive(Debug, Default)]
pub struct StreamStats {
    open: AtomicI64,
    dropped: AtomicI64,
    missed: AtomicI64,
}

impl StreamStats {
    pub fn snapshot(&self) -> ConnectionStatsDto {
        ConnectionStatsDto {
            event_streams: self.open.load(Ordering::Relaxed),
            event_streams_dropped: self.dropped.load(Ordering::Relaxed),
            events_missed: self.missed.load(Ordering::Relaxed),
        }
    }
}

/// Stream the core's events.
#[utoipa::path(
    get,
    path = "/api/events",
    tag = "events",
    operation_id = "event_stream",
    description = "Upgrade to a WebSocket (subprotocol `botdesk.events.v1`; with API keys, also \
                   offer `bearer.<key>`) that receives every event as a JSON text message.",
    responses(
        (status = 101, description = "switching to the event stream", body = EventDto),
        (status = "default", body = ErrorBodyDto),
    )
)]
pub async fn events(ws: WebSocketUpgrade, State(state): State<AppState>) -> Response {
    ws.protocols([PROTOCOL])
        .max_message_size(64 * 1024)
        .write_buffer_size(64 * 1024)
        .max_write_buffer_size(1024 * 1024)
        .on_upgrade(move |socket| stream(socket, state))
}

async fn stream(socket: WebSocket, state: AppState) {
    let stats: Arc<StreamStats> = state.streams.clone();
    stats.open.fetch_add(1, Ordering::Relaxed);
    let mut events = state.ctx.events().subscribe();
    let mut stopping = state.stopping.clone();
    let (mut sink, mut incoming) = socket.split();
    let close = |reason: &'static str| {
        Message::Close(Some(CloseFrame {
            code: axum::extract::ws::close_code::AWAY,
            reason: reason.into(),
        }))
    };
    loop {
        let outgoing = tokio::select! {
            received = events.recv() => match received {
                Ok(event) => Message::Text(event.json.clone().into()),
                Err(RecvError::Lagged(missed)) => {
                    let missed = i64::try_from(missed).unwrap_or(i64::MAX);
                    stats.missed.fetch_add(missed, Ordering::Relaxed);
                    let notice = EventDto {
                        seq: 0,
                        at: state.ctx.now().to_string(),
                        event: Event::Lagged { missed },
                    };
                    match serde_json::to_string(&notice) {
                        Ok(json) => Message::Text(json.into()),
                        Err(_) => continue,
                    }
                }
                Err(RecvError::Closed) => break,
            },
            message = incoming.next() => match message {
                // Clients have nothing to say; pings are answered by the library.
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => continue,
            },
            () = stopped(&mut stopping) => {
                let _ = tokio::time::timeout(SEND_TIMEOUT, sink.send(close("botdesk is shutting down"))).await;
                break;
            }
        };
        match tokio::time::timeout(SEND_TIMEOUT, sink.send(outgoing)).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => break,
            Err(_) => {
                stats.dropped.fetch_add(1, Ordering::Relaxed);
                tracing::warn!("dropped an event stream whose client stopped reading");
                break;
            }
        }
    }
    stats.open.fetch_sub(1, Ordering::Relaxed);
}

/// Resolves once the server is stopping (or its signal is gone).
async fn stopped(stopping: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stopping.wait_for(|stop| *stop).await;
}
