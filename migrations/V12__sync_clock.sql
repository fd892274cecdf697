-- Sync's bookkeeping in the local store (crates/botdesk-sync).
--
-- The hybrid logical clock: every local write transaction gets a clock value (tx_context.hlc,
-- set by the store from store_meta 'hlc', the latest value issued or seen) and every change it
-- logs carries it (change_log.hlc; the triggers are recreated in V13). The server compares
-- these to decide conflicts (supabase/migrations/…_botdesk_sync.sql).
ALTER TABLE tx_context ADD COLUMN hlc TEXT;
ALTER TABLE change_log ADD COLUMN hlc TEXT;

-- The batch being pushed: written before it is sent and removed once the server's answer is
-- applied, so a batch cut off mid-push is sent again as it was, under the same id (the server
-- answers a batch id it has seen with its first answer).
CREATE TABLE sync_outbox (
    batch_id   TEXT PRIMARY KEY NOT NULL CHECK (length(batch_id) = 36),
    created_at TEXT NOT NULL,
    -- The last change_log.seq the batch covers.
    up_to_seq  INTEGER NOT NULL,
    payload    TEXT NOT NULL CONSTRAINT ck_sync_outbox_payload
               CHECK (CASE WHEN json_valid(payload) THEN json_type(payload) = 'array' ELSE 0 END)
) WITHOUT ROWID;

-- Rows the server refused (a row-level security policy, a constraint), kept until the owner
-- retries them, keeps the local version (retried on the next sync) or takes the server's.
CREATE TABLE sync_errors (
    id          TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    table_name  TEXT NOT NULL,
    row_id      TEXT NOT NULL,
    -- The clock of the refused change.
    hlc         TEXT,
    code        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 1 CONSTRAINT ck_sync_errors_attempts CHECK (attempts >= 1)
);
CREATE UNIQUE INDEX ux_sync_errors_row ON sync_errors (table_name, row_id);
