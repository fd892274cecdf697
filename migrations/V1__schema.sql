-- The local store's tables: the original design's eight tables, the tables they relate to,
-- and the store's own bookkeeping. Conventions (ARCHITECTURE.md, "Sync model"):
--   * every row that syncs has a UUID `id`, `created_at`, `updated_at`, a `deleted_at`
--     tombstone and `device_id`, the device that last changed it (NULL: changed outside botdesk);
--   * timestamps are RFC 3339 UTC with milliseconds ('2026-11-25T18:25:35.123Z'), so text order
--     is time order;
--   * every enum-like column has a named CHECK constraint (`ck_<table>_<column>`): the store maps
--     a violation back to the column it names;
--   * JSON columns are checked for validity and shape;
--   * uniqueness among live rows is a partial index `WHERE deleted_at IS NULL`, so a tombstone
--     never blocks re-creating a name.

-- Store bookkeeping ---------------------------------------------------------------------------

CREATE TABLE store_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- The device this store belongs to: written once, carried by every change it makes.
INSERT INTO store_meta (key, value) VALUES (
    'device_id',
    lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2)
          || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2)
          || '-' || hex(randomblob(6)))
);

-- Who acts in the current write transaction, and at what time. SQLite has no session
-- variables, so the store writes this single row at the start of each of its transactions and
-- clears it before commit; the audit and change-log triggers read it. A writer that does not
-- set it (the sqlite3 shell, say) is still recorded, as actor 'sql:unknown' at wall-clock time.
CREATE TABLE tx_context (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    actor     TEXT,
    device_id TEXT,
    now       TEXT,
    origin    TEXT NOT NULL DEFAULT 'local'
              CONSTRAINT ck_tx_context_origin CHECK (origin IN ('local', 'sync', 'seed'))
);
INSERT INTO tx_context (id, origin) VALUES (1, 'local');

-- People ----------------------------------------------------------------------------------------

CREATE TABLE users (
    id           TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    deleted_at   TEXT,
    device_id    TEXT,
    email        TEXT CONSTRAINT ck_users_email
                 CHECK (email IS NULL OR (length(email) <= 320 AND email LIKE '_%@_%')),
    display_name TEXT NOT NULL CONSTRAINT ck_users_display_name
                 CHECK (length(display_name) BETWEEN 1 AND 200),
    role         TEXT NOT NULL DEFAULT 'staff'
                 CONSTRAINT ck_users_role CHECK (role IN ('owner', 'admin', 'staff', 'viewer')),
    phone        TEXT CONSTRAINT ck_users_phone CHECK (phone IS NULL OR length(phone) <= 32)
);
CREATE UNIQUE INDEX ux_users_email ON users (lower(email))
    WHERE email IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX ix_users_created ON users (created_at, id);

CREATE TABLE merchants (
    id         TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    deleted_at TEXT,
    device_id  TEXT,
    name       TEXT NOT NULL CONSTRAINT ck_merchants_name CHECK (length(name) BETWEEN 1 AND 200),
    phone      TEXT CONSTRAINT ck_merchants_phone CHECK (phone IS NULL OR length(phone) <= 32),
    email      TEXT CONSTRAINT ck_merchants_email
               CHECK (email IS NULL OR (length(email) <= 320 AND email LIKE '_%@_%')),
    status     TEXT NOT NULL DEFAULT 'active'
               CONSTRAINT ck_merchants_status CHECK (status IN ('active', 'suspended', 'closed')),
    settings   TEXT NOT NULL DEFAULT '{}' CONSTRAINT ck_merchants_settings
               CHECK (CASE WHEN json_valid(settings) THEN json_type(settings) = 'object' ELSE 0 END)
);
CREATE INDEX ix_merchants_name ON merchants (name COLLATE NOCASE) WHERE deleted_at IS NULL;

-- Media -----------------------------------------------------------------------------------------

CREATE TABLE media_files (
    id                 TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
    created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    deleted_at         TEXT,
    device_id          TEXT,
    owner_id           TEXT REFERENCES users (id) ON DELETE SET NULL,
    merchant_id        TEXT REFERENCES merchants (id) ON DELETE RESTRICT,
    sha256             TEXT NOT NULL CONSTRAINT ck_media_files_sha256
                       CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    file_name          TEXT NOT NULL CONSTRAINT ck_media_files_file_name
                       CHECK (length(file_name) BETWEEN 1 AND 255),
    mime_type          TEXT NOT NULL CONSTRAINT ck_media_files_mime_type
                       CHECK (length(mime_type) BETWEEN 3 AND 127 AND mime_type LIKE '_%/_%'),
    declared_mime_type TEXT,
    kind               TEXT NOT NULL CONSTRAINT ck_media_files_kind
                       CHECK (kind IN ('image', 'video', 'audio', 'document')),
    size_bytes         INTEGER NOT NULL CONSTRAINT ck_media_files_size_bytes CHECK (size_bytes >= 0),
    width              INTEGER CONSTRAINT ck_media_files_width CHECK (width IS NULL OR width > 0),
    height             INTEGER CONSTRAINT ck_media_files_height CHECK (height IS NULL OR height > 0),
    status             TEXT NOT NULL DEFAULT 'pending' CONSTRAINT ck_media_files_status
                       CHECK (status IN ('pending', 'processing', 'ready', 'failed')),
    variants           TEXT NOT NULL DEFAULT '{}' CONSTRAINT ck_media_files_variants
                       CHECK (CASE WHEN json_valid(variants) THEN json_type(variants) = 'object' ELSE 0 END),
    failed_reason      TEXT,
    metadata_stripped  INTEGER NOT NULL DEFAULT 0
                       CONSTRAINT ck_media_files_metadata_stripped CHECK (metadata_stripped IN (0, 1))
);
CREATE INDEX ix_media_files_created ON media_files (created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX ix_media_files_merchant ON media_files (merchant_id, created_at) WHERE deleted_at IS NULL;
CREATE INDEX ix_media_files_owner ON media_files (owner_id, created_at) WHERE deleted_at IS NULL;
CREATE INDEX ix_media_files_sha256 ON media_files (sha256);
CREATE INDEX ix_media_files_status ON media_files (status, created_at) WHERE deleted_at IS NULL;

-- Templates -------------------------------------------------------------------------------------

CREATE TABLE message_templates (
    id               TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    deleted_at       TEXT,
    device_id        TEXT,
    name             TEXT NOT NULL CONSTRAINT ck_message_templates_name
                     CHECK (length(name) BETWEEN 1 AND 512 AND name NOT GLOB '*[^a-z0-9_]*'),
    kind             TEXT NOT NULL CONSTRAINT ck_message_templates_kind
                     CHECK (kind IN ('text', 'buttons', 'list', 'media', 'cta_url')),
    category         TEXT NOT NULL DEFAULT 'utility' CONSTRAINT ck_message_templates_category
                     CHECK (category IN ('utility', 'marketing', 'authentication')),
    language         TEXT NOT NULL DEFAULT 'en' CONSTRAINT ck_message_templates_language
                     CHECK (length(language) BETWEEN 2 AND 15),
    status           TEXT NOT NULL DEFAULT 'draft' CONSTRAINT ck_message_templates_status
                     CHECK (status IN ('draft', 'active', 'archived')),
    whatsapp_status  TEXT,
    parameter_format TEXT NOT NULL DEFAULT 'named' CONSTRAINT ck_message_templates_parameter_format
                     CHECK (parameter_format IN ('named', 'positional')),
    header_type      TEXT NOT NULL DEFAULT 'none' CONSTRAINT ck_message_templates_header_type
                     CHECK (header_type IN ('none', 'text', 'image', 'video', 'document')),
    header_text      TEXT,
    header_media_id  TEXT REFERENCES media_files (id) ON DELETE RESTRICT,
    body             TEXT NOT NULL,
    footer           TEXT,
    buttons          TEXT NOT NULL DEFAULT '[]' CONSTRAINT ck_message_templates_buttons
                     CHECK (CASE WHEN json_valid(buttons) THEN json_type(buttons) = 'array' ELSE 0 END),
    list_button      TEXT,
    list_sections    TEXT NOT NULL DEFAULT '[]' CONSTRAINT ck_message_templates_list_sections
                     CHECK (CASE WHEN json_valid(list_sections) THEN json_type(list_sections) = 'array' ELSE 0 END),
    variables        TEXT NOT NULL DEFAULT '[]' CONSTRAINT ck_message_templates_variables
                     CHECK (CASE WHEN json_valid(variables) THEN json_type(variables) = 'array' ELSE 0 END),
    version          INTEGER NOT NULL DEFAULT 1 CONSTRAINT ck_message_templates_version CHECK (version >= 1),
    created_by       TEXT REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT ck_message_templates_header_text
        CHECK (header_type <> 'text' OR header_text IS NOT NULL),
    CONSTRAINT ck_message_templates_header_media
        CHECK (header_type NOT IN ('image', 'video', 'document') OR header_media_id IS NOT NULL)
);
CREATE UNIQUE INDEX ux_message_templates_name ON message_templates (name, language)
    WHERE deleted_at IS NULL;
CREATE INDEX ix_message_templates_list ON message_templates (status, kind, name)
    WHERE deleted_at IS NULL;
CREATE INDEX ix_message_templates_updated ON message_templates (updated_at, id);
CREATE INDEX ix_message_templates_header_media ON message_templates (header_media_id)
    WHERE header_media_id IS NOT NULL;

CREATE TABLE template_versions (
    id             TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    deleted_at     TEXT,
    device_id      TEXT,
    template_id    TEXT NOT NULL REFERENCES message_templates (id) ON DELETE CASCADE,
    version        INTEGER NOT NULL CONSTRAINT ck_template_versions_version CHECK (version >= 1),
    snapshot       TEXT NOT NULL CONSTRAINT ck_template_versions_snapshot
                   CHECK (CASE WHEN json_valid(snapshot) THEN json_type(snapshot) = 'object' ELSE 0 END),
    change_summary TEXT NOT NULL DEFAULT '',
    created_by     TEXT REFERENCES users (id) ON DELETE SET NULL,
    actor          TEXT
);
CREATE UNIQUE INDEX ux_template_versions_version ON template_versions (template_id, version);

-- Catalogue -------------------------------------------------------------------------------------

CREATE TABLE products (
    id          TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    deleted_at  TEXT,
    device_id   TEXT,
    merchant_id TEXT REFERENCES merchants (id) ON DELETE RESTRICT,
    sku         TEXT CONSTRAINT ck_products_sku CHECK (sku IS NULL OR length(sku) BETWEEN 1 AND 64),
    name        TEXT NOT NULL CONSTRAINT ck_products_name CHECK (length(name) BETWEEN 1 AND 300),
    description TEXT NOT NULL DEFAULT '',
    price_minor INTEGER NOT NULL DEFAULT 0 CONSTRAINT ck_products_price_minor CHECK (price_minor >= 0),
    currency    TEXT NOT NULL DEFAULT 'USD' CONSTRAINT ck_products_currency
                CHECK (length(currency) = 3 AND currency NOT GLOB '*[^A-Z]*'),
    stock       INTEGER CONSTRAINT ck_products_stock CHECK (stock IS NULL OR stock >= 0),
    status      TEXT NOT NULL DEFAULT 'active'
                CONSTRAINT ck_products_status CHECK (status IN ('draft', 'active', 'archived'))
);
CREATE UNIQUE INDEX ux_products_sku ON products (ifnull(merchant_id, ''), sku)
    WHERE sku IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX ix_products_merchant ON products (merchant_id, name) WHERE deleted_at IS NULL;
CREATE INDEX ix_products_created ON products (created_at, id) WHERE deleted_at IS NULL;

CREATE TABLE product_media (
    id         TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    deleted_at TEXT,
    device_id  TEXT,
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    media_id   TEXT NOT NULL REFERENCES media_files (id) ON DELETE RESTRICT,
    position   INTEGER NOT NULL DEFAULT 0 CONSTRAINT ck_product_media_position CHECK (position >= 0),
    is_primary INTEGER NOT NULL DEFAULT 0
               CONSTRAINT ck_product_media_is_primary CHECK (is_primary IN (0, 1))
);
CREATE UNIQUE INDEX ux_product_media_pair ON product_media (product_id, media_id)
    WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX ux_product_media_primary ON product_media (product_id)
    WHERE is_primary = 1 AND deleted_at IS NULL;
CREATE INDEX ix_product_media_product ON product_media (product_id, position)
    WHERE deleted_at IS NULL;
CREATE INDEX ix_product_media_media ON product_media (media_id) WHERE deleted_at IS NULL;

-- Orders ----------------------------------------------------------------------------------------

CREATE TABLE orders (
    id             TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    deleted_at     TEXT,
    device_id      TEXT,
    merchant_id    TEXT REFERENCES merchants (id) ON DELETE RESTRICT,
    order_number   TEXT NOT NULL CONSTRAINT ck_orders_order_number
                   CHECK (length(order_number) BETWEEN 1 AND 64),
    customer_phone TEXT CONSTRAINT ck_orders_customer_phone
                   CHECK (customer_phone IS NULL OR length(customer_phone) <= 32),
    customer_name  TEXT,
    status         TEXT NOT NULL DEFAULT 'pending' CONSTRAINT ck_orders_status
                   CHECK (status IN ('pending', 'confirmed', 'processing', 'shipped', 'delivered',
                                     'cancelled', 'refunded')),
    payment_status TEXT NOT NULL DEFAULT 'unpaid' CONSTRAINT ck_orders_payment_status
                   CHECK (payment_status IN ('unpaid', 'pending', 'paid', 'failed', 'refunded')),
    total_minor    INTEGER NOT NULL DEFAULT 0 CONSTRAINT ck_orders_total_minor CHECK (total_minor >= 0),
    currency       TEXT NOT NULL DEFAULT 'USD' CONSTRAINT ck_orders_currency
                   CHECK (length(currency) = 3 AND currency NOT GLOB '*[^A-Z]*'),
    notes          TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX ux_orders_number ON orders (order_number) WHERE deleted_at IS NULL;
CREATE INDEX ix_orders_created ON orders (created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX ix_orders_status ON orders (status, created_at) WHERE deleted_at IS NULL;
CREATE INDEX ix_orders_merchant ON orders (merchant_id, created_at) WHERE deleted_at IS NULL;

CREATE TABLE order_items (
    id               TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    deleted_at       TEXT,
    device_id        TEXT,
    order_id         TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id       TEXT REFERENCES products (id) ON DELETE SET NULL,
    name             TEXT NOT NULL CONSTRAINT ck_order_items_name CHECK (length(name) BETWEEN 1 AND 300),
    quantity         INTEGER NOT NULL CONSTRAINT ck_order_items_quantity CHECK (quantity > 0),
    unit_price_minor INTEGER NOT NULL CONSTRAINT ck_order_items_unit_price_minor
                     CHECK (unit_price_minor >= 0)
);
CREATE INDEX ix_order_items_order ON order_items (order_id) WHERE deleted_at IS NULL;
CREATE INDEX ix_order_items_product ON order_items (product_id) WHERE product_id IS NOT NULL;

CREATE TABLE delivery_tasks (
    id             TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    deleted_at     TEXT,
    device_id      TEXT,
    order_id       TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    status         TEXT NOT NULL DEFAULT 'pending' CONSTRAINT ck_delivery_tasks_status
                   CHECK (status IN ('pending', 'assigned', 'picked_up', 'in_transit', 'delivered',
                                     'failed', 'cancelled')),
    assignee_name  TEXT,
    assignee_phone TEXT CONSTRAINT ck_delivery_tasks_assignee_phone
                   CHECK (assignee_phone IS NULL OR length(assignee_phone) <= 32),
    address        TEXT NOT NULL DEFAULT '',
    scheduled_at   TEXT,
    started_at     TEXT,
    completed_at   TEXT,
    notes          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ix_delivery_tasks_order ON delivery_tasks (order_id) WHERE deleted_at IS NULL;
CREATE INDEX ix_delivery_tasks_status ON delivery_tasks (status, scheduled_at) WHERE deleted_at IS NULL;

-- Webhooks --------------------------------------------------------------------------------------

CREATE TABLE webhooks (
    id                          TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
    created_at                  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at                  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    deleted_at                  TEXT,
    device_id                   TEXT,
    merchant_id                 TEXT NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    url                         TEXT NOT NULL CONSTRAINT ck_webhooks_url
                                CHECK (length(url) <= 2048 AND (url LIKE 'https://_%' OR url LIKE 'http://_%')),
    description                 TEXT NOT NULL DEFAULT '',
    events                      TEXT NOT NULL DEFAULT '["*"]' CONSTRAINT ck_webhooks_events
                                CHECK (CASE WHEN json_valid(events) THEN json_type(events) = 'array' ELSE 0 END),
    enabled                     INTEGER NOT NULL DEFAULT 1
                                CONSTRAINT ck_webhooks_enabled CHECK (enabled IN (0, 1)),
    disabled_reason             TEXT,
    -- The signing secret, encrypted by the webhooks capability; never plain text.
    secret_ciphertext           BLOB,
    -- During a rotation the previous secret keeps signing until it expires.
    previous_secret_ciphertext  BLOB,
    previous_secret_expires_at  TEXT,
    custom_headers              TEXT NOT NULL DEFAULT '{}' CONSTRAINT ck_webhooks_custom_headers
                                CHECK (CASE WHEN json_valid(custom_headers) THEN json_type(custom_headers) = 'object' ELSE 0 END),
    timeout_ms                  INTEGER NOT NULL DEFAULT 10000
                                CONSTRAINT ck_webhooks_timeout_ms CHECK (timeout_ms BETWEEN 100 AND 60000),
    failing_since               TEXT
);
CREATE INDEX ix_webhooks_merchant ON webhooks (merchant_id, created_at) WHERE deleted_at IS NULL;

-- Delivery attempts: local, append-only, pruned by retention; not synced.
CREATE TABLE webhook_logs (
    id                    TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
    created_at            TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    webhook_id            TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id              TEXT NOT NULL,
    event_type            TEXT NOT NULL CONSTRAINT ck_webhook_logs_event_type
                          CHECK (event_type IN ('message_received', 'message_sent', 'order_created',
                                                'order_status_changed', 'product_updated',
                                                'payment_received', 'delivery_started',
                                                'delivery_completed', 'bot_connected',
                                                'bot_disconnected', 'test')),
    attempt               INTEGER NOT NULL CONSTRAINT ck_webhook_logs_attempt CHECK (attempt >= 1),
    request_url           TEXT NOT NULL,
    request_headers       TEXT NOT NULL DEFAULT '{}' CONSTRAINT ck_webhook_logs_request_headers
                          CHECK (CASE WHEN json_valid(request_headers) THEN json_type(request_headers) = 'object' ELSE 0 END),
    request_body          TEXT NOT NULL,
    outcome               TEXT NOT NULL CONSTRAINT ck_webhook_logs_outcome
                          CHECK (outcome IN ('success', 'failure')),
    response_status       INTEGER CONSTRAINT ck_webhook_logs_response_status
                          CHECK (response_status IS NULL OR response_status BETWEEN 100 AND 599),
    response_body_excerpt TEXT,
    latency_ms            INTEGER CONSTRAINT ck_webhook_logs_latency_ms
                          CHECK (latency_ms IS NULL OR latency_ms >= 0),
    error                 TEXT
);
CREATE INDEX ix_webhook_logs_webhook ON webhook_logs (webhook_id, created_at);
CREATE INDEX ix_webhook_logs_event ON webhook_logs (event_id);
CREATE INDEX ix_webhook_logs_created ON webhook_logs (created_at);

-- Audit trail and change log --------------------------------------------------------------------

-- Written only by triggers (V2__audit_trail.sql); `seq` orders the list, `id` names a row
-- everywhere else (sync).
CREATE TABLE audit_logs (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE DEFAULT (
                   lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4'
                         || substr(hex(randomblob(2)), 2) || '-'
                         || substr('89ab', 1 + (abs(random()) % 4), 1)
                         || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
    table_name TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    action     TEXT NOT NULL CONSTRAINT ck_audit_logs_action
               CHECK (action IN ('insert', 'update', 'delete', 'restore', 'purge')),
    changes    TEXT NOT NULL CONSTRAINT ck_audit_logs_changes
               CHECK (CASE WHEN json_valid(changes) THEN json_type(changes) = 'object' ELSE 0 END),
    actor      TEXT NOT NULL,
    device_id  TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX ix_audit_logs_table ON audit_logs (table_name, seq);
CREATE INDEX ix_audit_logs_actor ON audit_logs (actor, seq);
CREATE INDEX ix_audit_logs_record ON audit_logs (record_id, seq);

-- The outbox for sync: one row per local change, written by triggers (V3__change_log.sql) in
-- the same transaction as the change. Rows applied by sync (tx_context.origin = 'sync') and
-- seeded rows are not logged.
CREATE TABLE change_log (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name TEXT NOT NULL,
    row_id     TEXT NOT NULL,
    op         TEXT NOT NULL CONSTRAINT ck_change_log_op CHECK (op IN ('insert', 'update', 'delete')),
    changed_at TEXT NOT NULL,
    device_id  TEXT
);
CREATE INDEX ix_change_log_row ON change_log (table_name, row_id);
