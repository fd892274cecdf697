-- How long a delivery's last attempt waited for its answer, for the delivery log's list (the
-- attempts themselves, in webhook_logs, keep theirs). webhook_deliveries is local machinery:
-- no audit or change-log triggers to regenerate.
ALTER TABLE webhook_deliveries ADD COLUMN last_latency_ms INTEGER;
