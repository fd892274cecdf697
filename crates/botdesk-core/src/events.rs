//! The in-process event bus: every state change is published here as a typed [`Event`]; the
//! shells forward events to the UI (WebSocket in a browser, Tauri events on the desktop).
//!
//! A tokio broadcast channel with a fixed capacity: a subscriber that falls behind loses the
//! oldest events (it is told how many) instead of making the bus buffer without bound.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use botdesk_store::Clock;
use tokio::sync::broadcast;

use crate::dto::{Event, EventDto};

/// How many events the bus holds for its slowest subscriber.
pub const BUS_CAPACITY: usize = 1024;

/// A published event, serialised once for every subscriber.
#[derive(Debug)]
pub struct Published {
    pub dto: EventDto,
    pub json: String,
}

#[derive(Debug)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<Published>>,
    seq: AtomicI64,
    clock: Arc<dyn Clock>,
}

impl EventBus {
    pub fn new(clock: Arc<dyn Clock>) -> EventBus {
        let (sender, _) = broadcast::channel(BUS_CAPACITY);
        EventBus {
            sender,
            seq: AtomicI64::new(0),
            clock,
        }
    }

    /// Publishes `event` to every current subscriber.
    pub fn publish(&self, event: Event) {
        let dto = EventDto {
            seq: self.seq.fetch_add(1, Ordering::Relaxed) + 1,
            at: self.clock.now().to_string(),
            event,
        };
        let json = match serde_json::to_string(&dto) {
            Ok(json) => json,
            Err(e) => {
                tracing::error!(error = %e, "an event could not be serialised");
                return;
            }
        };
        // No subscriber is not an error: nobody is looking.
        let _ = self.sender.send(Arc::new(Published { dto, json }));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Published>> {
        self.sender.subscribe()
    }

    pub fn subscriber_count(&self) -> usize {
        self.sender.receiver_count()
    }
}
