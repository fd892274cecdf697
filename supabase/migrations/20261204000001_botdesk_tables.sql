-- botdesk on the bot's Supabase project: the tables both sides share. They mirror the local
-- store's (../../migrations/V1__schema.sql) with Postgres types: uuid ids, timestamptz times,
-- jsonb documents, booleans, bigint amounts in minor units.
--
-- Sync bookkeeping on every table (20261204000003_botdesk_sync.sql keeps them):
--   device_id  the device that last changed the row ('server' for the bot's own writes);
--   hlc        the hybrid logical clock of that change: the conflict rule compares these;
--   sync_seq   the server change sequence, assigned at commit, in commit order: pulls read
--              rows past the last sequence they saw, never by wall-clock time;
--   deleted_at the tombstone: a DELETE becomes one, so that deletes sync like edits.
--
-- Not here: the webhook signing secrets. They are sealed with each device's own key and never
-- leave it (a webhook pulled from another device gets a secret when it is rotated there), and
-- the local machinery (job queue, delivery attempts, settings, API keys).

CREATE SCHEMA IF NOT EXISTS botdesk_sync;

-- The sequence and the clock first: every table's defaults use them.
CREATE SEQUENCE IF NOT EXISTS botdesk_sync.seq AS bigint;

-- A hybrid logical clock value for a change made on the server (by the bot, or by hand):
-- 13 digits of unix milliseconds, 6 of counter, the device ('server'). Fixed widths, so text
-- order is clock order, with the device breaking ties. `after` is the row's previous value: the
-- new one is always later, even when the server's clock is behind a device's.
CREATE OR REPLACE FUNCTION botdesk_sync.server_hlc(after text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    now_ms bigint := floor(extract(epoch FROM clock_timestamp()) * 1000);
    prev_ms bigint;
    prev_counter bigint;
BEGIN
    IF after IS NOT NULL AND after ~ '^[0-9]{13}-[0-9]{6}-' THEN
        prev_ms := substr(after, 1, 13)::bigint;
        prev_counter := substr(after, 15, 6)::bigint;
        IF prev_ms >= now_ms THEN
            RETURN lpad(prev_ms::text, 13, '0') || '-' || lpad((prev_counter + 1)::text, 6, '0')
                   || '-server';
        END IF;
    END IF;
    RETURN lpad(now_ms::text, 13, '0') || '-000000-server';
END;
$$;

-- People and shops ---------------------------------------------------------------------------

-- The people who use botdesk and the bot; `id` is their Supabase Auth user id when they sign in.
CREATE TABLE IF NOT EXISTS public.users (
    id           uuid PRIMARY KEY,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    deleted_at   timestamptz,
    device_id    text,
    hlc          text NOT NULL DEFAULT botdesk_sync.server_hlc(),
    sync_seq     bigint,
    email        text CHECK (email IS NULL OR (length(email) <= 320 AND email LIKE '_%@_%')),
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    role         text NOT NULL DEFAULT 'staff' CHECK (role IN ('owner', 'admin', 'staff', 'viewer')),
    phone        text CHECK (phone IS NULL OR length(phone) <= 32)
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_users_email ON public.users (lower(email))
    WHERE email IS NOT NULL AND deleted_at IS NULL;

CREATE TABLE IF NOT EXISTS public.merchants (
    id         uuid PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    device_id  text,
    hlc        text NOT NULL DEFAULT botdesk_sync.server_hlc(),
    sync_seq   bigint,
    -- Who runs the shop (a Supabase Auth user): they manage its webhooks. Server-side only.
    owner_id   uuid,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    phone      text CHECK (phone IS NULL OR length(phone) <= 32),
    email      text CHECK (email IS NULL OR (length(email) <= 320 AND email LIKE '_%@_%')),
    status     text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'closed')),
    settings   jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object')
);
CREATE INDEX IF NOT EXISTS ix_merchants_owner ON public.merchants (owner_id);

-- Media -----------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS public.media_files (
    id                 uuid PRIMARY KEY,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    deleted_at         timestamptz,
    device_id          text,
    hlc                text NOT NULL DEFAULT botdesk_sync.server_hlc(),
    sync_seq           bigint,
    owner_id           uuid REFERENCES public.users (id) ON DELETE SET NULL,
    merchant_id        uuid REFERENCES public.merchants (id) ON DELETE RESTRICT,
    sha256             text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    file_name          text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    mime_type          text NOT NULL CHECK (length(mime_type) BETWEEN 3 AND 127 AND mime_type LIKE '_%/_%'),
    declared_mime_type text,
    kind               text NOT NULL CHECK (kind IN ('image', 'video', 'audio', 'document')),
    size_bytes         bigint NOT NULL CHECK (size_bytes >= 0),
    width              integer CHECK (width IS NULL OR width > 0),
    height             integer CHECK (height IS NULL OR height > 0),
    status             text NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'processing', 'ready', 'failed')),
    variants           jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(variants) = 'object'),
    failed_reason      text,
    metadata_stripped  boolean NOT NULL DEFAULT false,
    had_location       boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS ix_media_files_owner ON public.media_files (owner_id);
CREATE INDEX IF NOT EXISTS ix_media_files_merchant ON public.media_files (merchant_id);
CREATE INDEX IF NOT EXISTS ix_media_files_sha256 ON public.media_files (sha256);

-- Templates -------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS public.message_templates (
    id               uuid PRIMARY KEY,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    deleted_at       timestamptz,
    device_id        text,
    hlc              text NOT NULL DEFAULT botdesk_sync.server_hlc(),
    sync_seq         bigint,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 512 AND name ~ '^[a-z0-9_]+$'),
    kind             text NOT NULL CHECK (kind IN ('text', 'buttons', 'list', 'media', 'cta_url')),
    category         text NOT NULL DEFAULT 'utility'
                     CHECK (category IN ('utility', 'marketing', 'authentication')),
    language         text NOT NULL DEFAULT 'en' CHECK (length(language) BETWEEN 2 AND 15),
    status           text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'archived')),
    whatsapp_status  text,
    parameter_format text NOT NULL DEFAULT 'named' CHECK (parameter_format IN ('named', 'positional')),
    header_type      text NOT NULL DEFAULT 'none'
                     CHECK (header_type IN ('none', 'text', 'image', 'video', 'document')),
    header_text      text,
    header_media_id  uuid REFERENCES public.media_files (id) ON DELETE RESTRICT,
    body             text NOT NULL,
    footer           text,
    buttons          jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(buttons) = 'array'),
    list_button      text,
    list_sections    jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(list_sections) = 'array'),
    variables        jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(variables) = 'array'),
    version          integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_by       uuid REFERENCES public.users (id) ON DELETE SET NULL,
    CHECK (header_type <> 'text' OR header_text IS NOT NULL),
    CHECK (header_type NOT IN ('image', 'video', 'document') OR header_media_id IS NOT NULL)
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_message_templates_name ON public.message_templates (name, language)
    WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS ix_message_templates_list ON public.message_templates (status, kind, name)
    WHERE deleted_at IS NULL;

CREATE TABLE IF NOT EXISTS public.template_versions (
    id             uuid PRIMARY KEY,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    deleted_at     timestamptz,
    device_id      text,
    hlc            text NOT NULL DEFAULT botdesk_sync.server_hlc(),
    sync_seq       bigint,
    template_id    uuid NOT NULL REFERENCES public.message_templates (id) ON DELETE CASCADE,
    version        integer NOT NULL CHECK (version >= 1),
    snapshot       jsonb NOT NULL CHECK (jsonb_typeof(snapshot) = 'object'),
    change_summary text NOT NULL DEFAULT '',
    created_by     uuid REFERENCES public.users (id) ON DELETE SET NULL,
    actor          text
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_template_versions_version
    ON public.template_versions (template_id, version);

-- Catalogue -------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS public.products (
    id          uuid PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz,
    device_id   text,
    hlc         text NOT NULL DEFAULT botdesk_sync.server_hlc(),
    sync_seq    bigint,
    merchant_id uuid REFERENCES public.merchants (id) ON DELETE RESTRICT,
    sku         text CHECK (sku IS NULL OR length(sku) BETWEEN 1 AND 64),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    description text NOT NULL DEFAULT '',
    price_minor bigint NOT NULL DEFAULT 0 CHECK (price_minor >= 0),
    currency    text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    stock       integer CHECK (stock IS NULL OR stock >= 0),
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('draft', 'active', 'archived'))
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_products_sku ON public.products (coalesce(merchant_id::text, ''), sku)
    WHERE sku IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS ix_products_merchant ON public.products (merchant_id);

CREATE TABLE IF NOT EXISTS public.product_media (
    id         uuid PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    device_id  text,
    hlc        text NOT NULL DEFAULT botdesk_sync.server_hlc(),
    sync_seq   bigint,
    product_id uuid NOT NULL REFERENCES public.products (id) ON DELETE CASCADE,
    media_id   uuid NOT NULL REFERENCES public.media_files (id) ON DELETE RESTRICT,
    position   integer NOT NULL DEFAULT 0 CHECK (position >= 0),
    is_primary boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_product_media_pair ON public.product_media (product_id, media_id)
    WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS ix_product_media_media ON public.product_media (media_id);

-- Orders ----------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS public.orders (
    id             uuid PRIMARY KEY,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    deleted_at     timestamptz,
    device_id      text,
    hlc            text NOT NULL DEFAULT botdesk_sync.server_hlc(),
    sync_seq       bigint,
    merchant_id    uuid REFERENCES public.merchants (id) ON DELETE RESTRICT,
    order_number   text NOT NULL CHECK (length(order_number) BETWEEN 1 AND 64),
    customer_phone text CHECK (customer_phone IS NULL OR length(customer_phone) <= 32),
    customer_name  text,
    status         text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'confirmed', 'processing', 'shipped', 'delivered',
                                     'cancelled', 'refunded')),
    payment_status text NOT NULL DEFAULT 'unpaid'
                   CHECK (payment_status IN ('unpaid', 'pending', 'paid', 'failed', 'refunded')),
    total_minor    bigint NOT NULL DEFAULT 0 CHECK (total_minor >= 0),
    currency       text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    notes          text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_orders_number ON public.orders (order_number) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS ix_orders_merchant ON public.orders (merchant_id, created_at);

CREATE TABLE IF NOT EXISTS public.order_items (
    id               uuid PRIMARY KEY,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    deleted_at       timestamptz,
    device_id        text,
    hlc              text NOT NULL DEFAULT botdesk_sync.server_hlc(),
    sync_seq         bigint,
    order_id         uuid NOT NULL REFERENCES public.orders (id) ON DELETE CASCADE,
    product_id       uuid REFERENCES public.products (id) ON DELETE SET NULL,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    quantity         integer NOT NULL CHECK (quantity > 0),
    unit_price_minor bigint NOT NULL CHECK (unit_price_minor >= 0)
);
CREATE INDEX IF NOT EXISTS ix_order_items_order ON public.order_items (order_id);

CREATE TABLE IF NOT EXISTS public.delivery_tasks (
    id             uuid PRIMARY KEY,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    deleted_at     timestamptz,
    device_id      text,
    hlc            text NOT NULL DEFAULT botdesk_sync.server_hlc(),
    sync_seq       bigint,
    order_id       uuid NOT NULL REFERENCES public.orders (id) ON DELETE CASCADE,
    status         text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'assigned', 'picked_up', 'in_transit', 'delivered',
                                     'failed', 'cancelled')),
    assignee_name  text,
    assignee_phone text CHECK (assignee_phone IS NULL OR length(assignee_phone) <= 32),
    address        text NOT NULL DEFAULT '',
    scheduled_at   timestamptz,
    started_at     timestamptz,
    completed_at   timestamptz,
    notes          text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS ix_delivery_tasks_order ON public.delivery_tasks (order_id);

-- Webhooks --------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS public.webhooks (
    id                         uuid PRIMARY KEY,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    deleted_at                 timestamptz,
    device_id                  text,
    hlc                        text NOT NULL DEFAULT botdesk_sync.server_hlc(),
    sync_seq                   bigint,
    merchant_id                uuid NOT NULL REFERENCES public.merchants (id) ON DELETE CASCADE,
    url                        text NOT NULL CHECK (length(url) <= 2048 AND url ~ '^https?://.'),
    description                text NOT NULL DEFAULT '',
    events                     jsonb NOT NULL DEFAULT '["*"]' CHECK (jsonb_typeof(events) = 'array'),
    enabled                    boolean NOT NULL DEFAULT true,
    disabled_reason            text,
    previous_secret_expires_at timestamptz,
    custom_headers             jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(custom_headers) = 'object'),
    timeout_ms                 integer NOT NULL DEFAULT 10000 CHECK (timeout_ms BETWEEN 100 AND 60000),
    failing_since              timestamptz
);
CREATE INDEX IF NOT EXISTS ix_webhooks_merchant ON public.webhooks (merchant_id);

-- What the bot records of its own work (the original design's audit_logs); botdesk keeps its
-- own audit trail locally and does not sync it. Admins only (see the RLS migration).
CREATE TABLE IF NOT EXISTS public.audit_logs (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    created_at timestamptz NOT NULL DEFAULT now(),
    table_name text NOT NULL,
    record_id  text NOT NULL,
    action     text NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'restore', 'purge')),
    changes    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(changes) = 'object'),
    actor      text NOT NULL,
    device_id  text
);
CREATE INDEX IF NOT EXISTS ix_audit_logs_record ON public.audit_logs (record_id, created_at);
