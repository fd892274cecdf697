-- Who may read and write what: the original design's row-level security policies.
--   templates:  anyone may read the active ones; admins everything
--   media:      the owner manages their files; other signed-in users read them
--   audit logs: admins only
--   webhooks:   the merchant's owner reads and writes them; admins everything
-- and, for the tables they relate to: merchants, products, orders and their items and delivery
-- tasks belong to the merchant's owner; users see themselves. An admin is a `users` row with
-- role owner or admin whose id is the signed-in Supabase Auth user (auth.uid()).
-- botdesk syncs as its owner's Auth user (claims set per transaction, as Supabase's API does),
-- so these policies decide what its pushes may change; a refused row comes back to the owner
-- as a sync error with its reason.

CREATE OR REPLACE FUNCTION botdesk_sync.is_admin() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
    SELECT EXISTS (SELECT 1 FROM public.users u
                    WHERE u.id = auth.uid() AND u.role IN ('owner', 'admin')
                      AND u.deleted_at IS NULL)
$$;

CREATE OR REPLACE FUNCTION botdesk_sync.owns_merchant(m uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
    SELECT m IS NOT NULL AND EXISTS (SELECT 1 FROM public.merchants x
                                      WHERE x.id = m AND x.owner_id = auth.uid())
$$;

CREATE OR REPLACE FUNCTION botdesk_sync.owns_order(o uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
    SELECT EXISTS (SELECT 1 FROM public.orders x
                    WHERE x.id = o AND botdesk_sync.owns_merchant(x.merchant_id))
$$;

CREATE OR REPLACE FUNCTION botdesk_sync.owns_product(p uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
    SELECT EXISTS (SELECT 1 FROM public.products x
                    WHERE x.id = p AND botdesk_sync.owns_merchant(x.merchant_id))
$$;

GRANT EXECUTE ON FUNCTION botdesk_sync.is_admin(), botdesk_sync.owns_merchant(uuid),
    botdesk_sync.owns_order(uuid), botdesk_sync.owns_product(uuid) TO anon, authenticated;

-- What a fresh Supabase project grants by default, said here so that psql on a plain Postgres
-- gives the same: the policies below are then the only gate.
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO authenticated, service_role;
GRANT SELECT ON public.message_templates TO anon;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY botdesk_sync.tables() || ARRAY['audit_logs'] LOOP
        EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('DROP POLICY IF EXISTS %I ON public.%I', t || '_admin', t);
        EXECUTE format('CREATE POLICY %I ON public.%I FOR ALL TO authenticated '
                       'USING ((SELECT botdesk_sync.is_admin())) '
                       'WITH CHECK ((SELECT botdesk_sync.is_admin()))',
                       t || '_admin', t);
    END LOOP;
END;
$$;

-- users: each sees their own row.
DROP POLICY IF EXISTS users_self ON public.users;
CREATE POLICY users_self ON public.users FOR SELECT TO authenticated USING (id = auth.uid());

-- merchants: the owner manages the shop.
DROP POLICY IF EXISTS merchants_owner ON public.merchants;
CREATE POLICY merchants_owner ON public.merchants FOR ALL TO authenticated
    USING (owner_id = auth.uid()) WITH CHECK (owner_id = auth.uid());

-- message_templates: the active ones are public.
DROP POLICY IF EXISTS message_templates_public_read ON public.message_templates;
CREATE POLICY message_templates_public_read ON public.message_templates FOR SELECT
    TO anon, authenticated USING (status = 'active' AND deleted_at IS NULL);

-- media_files: the owner manages, everyone signed in reads.
DROP POLICY IF EXISTS media_files_owner ON public.media_files;
CREATE POLICY media_files_owner ON public.media_files FOR ALL TO authenticated
    USING (owner_id = auth.uid()) WITH CHECK (owner_id = auth.uid());
DROP POLICY IF EXISTS media_files_read ON public.media_files;
CREATE POLICY media_files_read ON public.media_files FOR SELECT TO authenticated USING (true);

-- products and their pictures: the merchant's owner manages; everyone signed in reads.
DROP POLICY IF EXISTS products_owner ON public.products;
CREATE POLICY products_owner ON public.products FOR ALL TO authenticated
    USING (botdesk_sync.owns_merchant(merchant_id))
    WITH CHECK (botdesk_sync.owns_merchant(merchant_id));
DROP POLICY IF EXISTS products_read ON public.products;
CREATE POLICY products_read ON public.products FOR SELECT TO authenticated USING (true);
DROP POLICY IF EXISTS product_media_owner ON public.product_media;
CREATE POLICY product_media_owner ON public.product_media FOR ALL TO authenticated
    USING (botdesk_sync.owns_product(product_id))
    WITH CHECK (botdesk_sync.owns_product(product_id));
DROP POLICY IF EXISTS product_media_read ON public.product_media;
CREATE POLICY product_media_read ON public.product_media FOR SELECT TO authenticated USING (true);

-- orders, their items and delivery tasks: the merchant's owner.
DROP POLICY IF EXISTS orders_owner ON public.orders;
CREATE POLICY orders_owner ON public.orders FOR ALL TO authenticated
    USING (botdesk_sync.owns_merchant(merchant_id))
    WITH CHECK (botdesk_sync.owns_merchant(merchant_id));
DROP POLICY IF EXISTS order_items_owner ON public.order_items;
CREATE POLICY order_items_owner ON public.order_items FOR ALL TO authenticated
    USING (botdesk_sync.owns_order(order_id)) WITH CHECK (botdesk_sync.owns_order(order_id));
DROP POLICY IF EXISTS delivery_tasks_owner ON public.delivery_tasks;
CREATE POLICY delivery_tasks_owner ON public.delivery_tasks FOR ALL TO authenticated
    USING (botdesk_sync.owns_order(order_id)) WITH CHECK (botdesk_sync.owns_order(order_id));

-- webhooks: merchant-owned.
DROP POLICY IF EXISTS webhooks_owner ON public.webhooks;
CREATE POLICY webhooks_owner ON public.webhooks FOR ALL TO authenticated
    USING (botdesk_sync.owns_merchant(merchant_id))
    WITH CHECK (botdesk_sync.owns_merchant(merchant_id));

-- template_versions and audit_logs: admins only (the loop above).
