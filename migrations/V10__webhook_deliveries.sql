-- The webhook dispatcher's own rows (crates/botdesk-webhooks, botdesk-core ops::webhooks).
-- Local machinery like the queue: not audited, not synced (an endpoint is the owner's data and
-- is both; what happened to one delivery is this machine's record). Times are RFC 3339 text
-- from the store's clock, as in webhook_logs.

-- Every event the dispatcher was handed (the original design's event history), whatever its
-- source: the bot through POST /api/events, the app's own bus, a test sent from the UI.
CREATE TABLE webhook_events (
    id          TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
    created_at  TEXT NOT NULL,
    event_type  TEXT NOT NULL CONSTRAINT ck_webhook_events_event_type
                CHECK (event_type IN ('message_received', 'message_sent', 'order_created',
                                      'order_status_changed', 'product_updated',
                                      'payment_received', 'delivery_started',
                                      'delivery_completed', 'bot_connected',
                                      'bot_disconnected', 'test')),
    -- Not a foreign key: the bot may name a merchant this machine has not synced yet.
    merchant_id TEXT,
    source      TEXT NOT NULL CONSTRAINT ck_webhook_events_source
                CHECK (source IN ('api', 'bot', 'app', 'test')),
    payload     TEXT NOT NULL CONSTRAINT ck_webhook_events_payload CHECK (json_valid(payload)),
    -- How many deliveries the event made (one per subscribed, enabled endpoint).
    deliveries  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_webhook_events_created ON webhook_events (created_at);
CREATE INDEX ix_webhook_events_type ON webhook_events (event_type, created_at);

-- One event to one endpoint. `id` is the Standard Webhooks `webhook-id`, the same on every
-- attempt, so receivers can drop a repeat; `body` is the envelope exactly as signed and sent.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    webhook_id      TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    event_type      TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CONSTRAINT ck_webhook_deliveries_status
                    CHECK (status IN ('pending', 'retrying', 'succeeded', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0 CONSTRAINT ck_webhook_deliveries_attempts CHECK (attempts >= 0),
    next_attempt_at TEXT,
    last_status     INTEGER,
    last_error      TEXT,
    -- The queue job carrying it (webhook_delivery queue), for the monitor.
    job_id          INTEGER,
    delivered_at    TEXT
);
CREATE INDEX ix_webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at);
CREATE INDEX ix_webhook_deliveries_status ON webhook_deliveries (webhook_id, status, created_at);
CREATE INDEX ix_webhook_deliveries_event ON webhook_deliveries (event_id);

-- The delivery an attempt belongs to (older rows: none).
ALTER TABLE webhook_logs ADD COLUMN delivery_id TEXT;
CREATE INDEX ix_webhook_logs_delivery ON webhook_logs (delivery_id);
