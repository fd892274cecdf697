-- Media files on their way to the project's Storage bucket (crates/botdesk-sync, files.rs).
--
-- A media record's metadata syncs through Postgres; its bytes (the original and every variant,
-- each named by its SHA-256) go to Supabase Storage through its S3 API once the record has
-- synced. One row per content hash: 'pending' until the bucket holds it, then 'uploaded', so
-- the same bytes are never sent twice. A large file goes in parts (a multipart upload): its
-- upload id and the parts sent so far are kept here, so an upload cut off (network, sleep, a
-- crash) goes on from the last part the bucket holds instead of starting again.
--
-- Local machinery like the outbox: not audited, not synced.
CREATE TABLE sync_files (
    sha256      TEXT PRIMARY KEY NOT NULL
                CONSTRAINT ck_sync_files_sha256 CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending'
                CONSTRAINT ck_sync_files_state CHECK (state IN ('pending', 'uploaded')),
    -- The file's size, once looked at.
    bytes       INTEGER CONSTRAINT ck_sync_files_bytes CHECK (bytes IS NULL OR bytes >= 0),
    -- Bytes the bucket holds of it (the parts sent), for the progress shown.
    sent_bytes  INTEGER NOT NULL DEFAULT 0 CONSTRAINT ck_sync_files_sent_bytes CHECK (sent_bytes >= 0),
    -- The multipart upload under way, and the ETags of its parts in order.
    upload_id   TEXT,
    parts       TEXT NOT NULL DEFAULT '[]' CONSTRAINT ck_sync_files_parts
                CHECK (CASE WHEN json_valid(parts) THEN json_type(parts) = 'array' ELSE 0 END),
    attempts    INTEGER NOT NULL DEFAULT 0 CONSTRAINT ck_sync_files_attempts CHECK (attempts >= 0),
    last_error  TEXT
) WITHOUT ROWID;
CREATE INDEX ix_sync_files_pending ON sync_files (created_at) WHERE state = 'pending';

-- The files of records that existed before this table: sent with the next sync (a file this
-- device does not hold is dropped from the list then; a file the bucket already holds is
-- marked uploaded without being sent).
INSERT OR IGNORE INTO sync_files (sha256, created_at, updated_at)
SELECT sha256, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM media_files
WHERE deleted_at IS NULL AND length(sha256) = 64;

INSERT OR IGNORE INTO sync_files (sha256, created_at, updated_at)
SELECT json_extract(f.value, '$.sha256'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
       strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM media_files AS m, json_each(m.variants) AS v, json_each(v.value, '$.files') AS f
WHERE m.deleted_at IS NULL AND json_valid(m.variants)
  AND length(json_extract(f.value, '$.sha256')) = 64;
