//! The in-process event bus: every state change is published here as a typed [`Event`]; the
//! shells forward events to the UI (WebSocket in a browser, Tauri events on the desktop).
//!
//! A tokio broadcast channel with a fixed capacity: a subscriber that falls behind loses the
//! oldest events (it is told how many) instead of making the bus buffer without bound.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use botdesk_store::Clock;
use tokio::sync::broadcast;

use botdesk_queue::QueueActivity;
use serde::Serialize;
use ts_rs::TS;
use utoipa::ToSchema;

use crate::media::wire::MediaDto;
use crate::orders::wire::OrderDto;
use crate::sync::wire::SyncStatusDto;
use crate::system::wire::SettingsDto;
use crate::webhooks::wire::{WebhookDto, WebhookEventDto};

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

/// Something that changed, as pushed to the UI (WebSocket `/api/events` in a browser, Tauri
/// events in the desktop app).
#[derive(Debug, Clone, PartialEq, Serialize, TS, ToSchema)]
pub struct EventDto {
    /// Increases by one with every event of this process; a gap means events were dropped.
    pub seq: i64,
    pub at: String,
    #[serde(flatten)]
    #[ts(flatten)]
    pub event: Event,
}

/// The kinds of event, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, TS, ToSchema)]
#[serde(tag = "type")]
pub enum Event {
    /// New entries were written to the audit trail (by anyone, including other processes).
    #[serde(rename = "audit.appended")]
    AuditAppended { last_seq: i64 },
    /// Settings changed.
    #[serde(rename = "settings.changed")]
    SettingsChanged { settings: SettingsDto },
    #[serde(rename = "template.created")]
    TemplateCreated {
        id: String,
        name: String,
        version: i64,
    },
    #[serde(rename = "template.updated")]
    TemplateUpdated {
        id: String,
        name: String,
        version: i64,
    },
    #[serde(rename = "template.archived")]
    TemplateArchived {
        id: String,
        name: String,
        version: i64,
    },
    #[serde(rename = "template.deleted")]
    TemplateDeleted { id: String, name: String },
    /// Jobs of a queue changed state (coalesced: at most a few of these per second and queue,
    /// however many jobs move).
    #[serde(rename = "queue.activity")]
    QueueActivity { activity: QueueActivity },
    /// A file was uploaded (images go on to processing).
    #[serde(rename = "media.uploaded")]
    MediaUploaded { media: MediaDto },
    /// An image's variants are ready.
    #[serde(rename = "media.processed")]
    MediaProcessed { media: MediaDto },
    /// Processing an image failed for good (the record says why).
    #[serde(rename = "media.failed")]
    MediaFailed { media: MediaDto },
    #[serde(rename = "media.deleted")]
    MediaDeleted { id: String },
    /// Processing moved on (`percent` 0–100).
    #[serde(rename = "media.progress")]
    MediaProgress {
        id: String,
        percent: u8,
        step: String,
    },
    #[serde(rename = "webhook.saved")]
    WebhookSaved { webhook: WebhookDto },
    #[serde(rename = "webhook.deleted")]
    WebhookDeleted { id: String },
    /// Disabled by botdesk (410 Gone, or failing for days): the owner must be told.
    #[serde(rename = "webhook.disabled")]
    WebhookDisabled { webhook: WebhookDto },
    #[serde(rename = "webhook.event")]
    WebhookEvent { event: WebhookEventDto },
    /// An order was created or changed.
    #[serde(rename = "order.saved")]
    OrderSaved { order: OrderDto },
    /// Sync moved on (started, pushed, pulled, finished, failed).
    #[serde(rename = "sync.status")]
    SyncStatus { status: SyncStatusDto },
    /// The server dropped events this client did not read fast enough; reload what you show.
    #[serde(rename = "events.lagged")]
    Lagged { missed: i64 },
}
