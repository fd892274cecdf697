-- Settings the owner changes from the app, and the API keys that guard the HTTP API.
-- Both are local to this machine: they do not sync, so they have no sync bookkeeping.

-- One row per setting; the value is JSON. Which keys exist and what they may hold is the
-- core's to decide (botdesk-core, ops::settings); the store only keeps them.
CREATE TABLE app_settings (
    key        TEXT PRIMARY KEY NOT NULL CONSTRAINT ck_app_settings_key
               CHECK (length(key) BETWEEN 1 AND 100 AND key NOT GLOB '*[^a-z0-9_.]*'),
    value      TEXT NOT NULL CONSTRAINT ck_app_settings_value CHECK (json_valid(value)),
    updated_at TEXT NOT NULL
) WITHOUT ROWID;

-- A key is shown once, when created: only its SHA-256 is kept. `prefix` is the public part of
-- the key (it names the key in lists and logs and finds its row); `secret_hash` is compared in
-- constant time.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
    created_at   TEXT NOT NULL,
    name         TEXT NOT NULL CONSTRAINT ck_api_keys_name CHECK (length(name) BETWEEN 1 AND 100),
    prefix       TEXT NOT NULL CONSTRAINT ck_api_keys_prefix
                 CHECK (length(prefix) = 12 AND prefix NOT GLOB '*[^0-9a-f]*'),
    secret_hash  TEXT NOT NULL CONSTRAINT ck_api_keys_secret_hash
                 CHECK (length(secret_hash) = 64 AND secret_hash NOT GLOB '*[^0-9a-f]*'),
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE UNIQUE INDEX ux_api_keys_prefix ON api_keys (prefix);
CREATE INDEX ix_api_keys_active ON api_keys (revoked_at) WHERE revoked_at IS NULL;
