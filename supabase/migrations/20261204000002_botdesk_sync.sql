-- The sync machinery on the server: the change sequence, tombstones, and the two functions
-- botdesk calls (push a batch of changes, pull changes after a sequence). The conflict rule
-- runs here, so every device gets the same answer:
--
--   A row's version is its `hlc` (hybrid logical clock: milliseconds, counter, device id, as
--   fixed-width text). A pushed change is applied only when its hlc is greater than the row's
--   on the server; otherwise the server's row stands ("superseded") and the device takes it on
--   its next pull. Last writer wins by the clock; equal clocks are told apart by device id.
--
-- Devices apply the same comparison to what they pull, so two devices that saw the same changes
-- hold the same rows, whatever order they synced in.

-- The tables that sync, in the order a batch may need them (parents before children).
CREATE OR REPLACE FUNCTION botdesk_sync.tables() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['users', 'merchants', 'media_files', 'message_templates', 'template_versions',
                 'products', 'product_media', 'orders', 'order_items', 'delivery_tasks',
                 'webhooks']
$$;

-- Before every write: a write that brought no clock of its own (the bot's, or one by hand) gets
-- a server clock later than the row's; the sequence is cleared, to be assigned at commit.
-- The one write that sets sync_seq is the commit-time stamp below: it is left alone.
CREATE OR REPLACE FUNCTION botdesk_sync.before_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.sync_seq IS NOT NULL
       AND NEW.sync_seq IS DISTINCT FROM OLD.sync_seq THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.hlc IS NULL OR current_setting('botdesk_sync.pushing', true) IS DISTINCT FROM 'on' THEN
            NEW.hlc := botdesk_sync.server_hlc();
            NEW.device_id := coalesce(NEW.device_id, 'server');
        END IF;
    ELSIF current_setting('botdesk_sync.pushing', true) IS DISTINCT FROM 'on' THEN
        NEW.hlc := botdesk_sync.server_hlc(OLD.hlc);
        NEW.device_id := 'server';
        NEW.updated_at := now();
    END IF;
    NEW.sync_seq := NULL;
    RETURN NEW;
END;
$$;

-- At commit, in commit order: one lock taken by every committing writer of synced rows, held
-- until its commit is visible, so sequence numbers are handed out in the order commits become
-- visible. A reader that has seen sequence n has seen every commit numbered below n: a pull
-- "after n" can never skip a change that committed late.
-- It runs as the tables' owner: stamping the sequence is bookkeeping, not the writer's change,
-- and must not depend on whether the writer may update the row it just inserted.
CREATE OR REPLACE FUNCTION botdesk_sync.at_commit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7388110293751642113);
    EXECUTE format('UPDATE %I.%I SET sync_seq = nextval(''botdesk_sync.seq'') WHERE id = $1',
                   TG_TABLE_SCHEMA, TG_TABLE_NAME)
        USING NEW.id;
    RETURN NULL;
END;
$$;

-- A DELETE becomes a tombstone, so that other devices learn of it. As the owner: the policies
-- already allowed the writer to delete this row.
CREATE OR REPLACE FUNCTION botdesk_sync.tombstone() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
    EXECUTE format('UPDATE %I.%I SET deleted_at = coalesce(deleted_at, now()) WHERE id = $1',
                   TG_TABLE_SCHEMA, TG_TABLE_NAME)
        USING OLD.id;
    RETURN NULL;
END;
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY botdesk_sync.tables() LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS botdesk_before_write ON public.%I', t);
        EXECUTE format('CREATE TRIGGER botdesk_before_write BEFORE INSERT OR UPDATE ON public.%I '
                       'FOR EACH ROW EXECUTE FUNCTION botdesk_sync.before_write()', t);
        EXECUTE format('DROP TRIGGER IF EXISTS botdesk_at_commit ON public.%I', t);
        EXECUTE format('CREATE CONSTRAINT TRIGGER botdesk_at_commit AFTER INSERT OR UPDATE ON public.%I '
                       'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.sync_seq IS NULL) '
                       'EXECUTE FUNCTION botdesk_sync.at_commit()', t);
        EXECUTE format('DROP TRIGGER IF EXISTS botdesk_tombstone ON public.%I', t);
        EXECUTE format('CREATE TRIGGER botdesk_tombstone BEFORE DELETE ON public.%I '
                       'FOR EACH ROW EXECUTE FUNCTION botdesk_sync.tombstone()', t);
        EXECUTE format('CREATE INDEX IF NOT EXISTS ix_%s_sync_seq ON public.%I (sync_seq)', t, t);
    END LOOP;
END;
$$;

-- Batches already applied, by id, with what came of each change: a batch sent again (the
-- connection was cut before the answer arrived) gets the same answer and changes nothing.
CREATE TABLE IF NOT EXISTS botdesk_sync.batches (
    id         uuid PRIMARY KEY,
    device_id  text NOT NULL,
    user_id    uuid DEFAULT auth.uid(),
    applied_at timestamptz NOT NULL DEFAULT now(),
    results    jsonb NOT NULL
);
-- A user sees only the answers to their own batches.
ALTER TABLE botdesk_sync.batches ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS batches_own ON botdesk_sync.batches;
CREATE POLICY batches_own ON botdesk_sync.batches FOR ALL TO authenticated
    USING (user_id = auth.uid()) WITH CHECK (user_id = auth.uid());

-- One change applied on its own (the slow path, and the one that says why a change was
-- refused): the clock compared under a row lock, the row upserted with the columns sent.
CREATE OR REPLACE FUNCTION botdesk_sync.apply_one(p_device text, change jsonb)
RETURNS jsonb
LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
    t        text := change->>'table';
    row_id   uuid;
    new_hlc  text;
    old_hlc  text;
    cols     text;
    sets     text;
    row_data jsonb;
BEGIN
    IF NOT (t = ANY (botdesk_sync.tables())) THEN
        RAISE EXCEPTION 'not a synced table: %', t USING ERRCODE = '42P01';
    END IF;
    row_id := (change->>'id')::uuid;
    new_hlc := change->>'hlc';
    IF new_hlc IS NULL OR new_hlc !~ '^[0-9]{13}-[0-9]{6}-.+$' THEN
        RAISE EXCEPTION 'a change needs a clock value, not %', coalesce(new_hlc, 'none')
            USING ERRCODE = '22023';
    END IF;
    EXECUTE format('SELECT hlc FROM public.%I WHERE id = $1 FOR UPDATE', t)
        INTO old_hlc USING row_id;
    IF old_hlc IS NOT NULL AND old_hlc >= new_hlc THEN
        RETURN jsonb_build_object('id', row_id, 'table', t, 'result', 'superseded', 'hlc', old_hlc);
    END IF;
    -- Only the columns the device sent (and this table has): server-side columns such as
    -- merchants.owner_id keep their values.
    row_data := (change->'row') || jsonb_build_object('id', row_id, 'hlc', new_hlc,
                                                       'device_id', p_device);
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum),
           string_agg(format('%1$I = EXCLUDED.%1$I', a.attname), ', ' ORDER BY a.attnum)
               FILTER (WHERE a.attname <> 'id')
      INTO cols, sets
      FROM pg_attribute a
     WHERE a.attrelid = format('public.%I', t)::regclass
       AND a.attnum > 0 AND NOT a.attisdropped AND a.attname <> 'sync_seq'
       AND row_data ? a.attname;
    EXECUTE format('INSERT INTO public.%1$I (%2$s) SELECT %2$s FROM '
                   'jsonb_populate_record(NULL::public.%1$I, $1) '
                   'ON CONFLICT (id) DO UPDATE SET %3$s', t, cols, sets)
        USING row_data;
    RETURN jsonb_build_object('id', row_id, 'table', t, 'result', 'applied');
END;
$$;

-- push(batch, device, changes): changes is a JSON array of
--   {"table", "id", "hlc", "row": {column: value, ...}}
-- (a delete is a row with deleted_at set), parents' tables before their children's. Each change
-- is applied or not on its own: the answer is an array, in the same order, of {"id", "table",
-- "result": "applied" | "superseded" | "refused", "hlc" (the server's, when superseded), "code"
-- and "reason" (when refused: the SQLSTATE, e.g. 42501 for a row-level security policy, 23505
-- for a unique violation)}.
--
-- The changes of one table (with the same columns) go in one statement, the clock rule in its
-- ON CONFLICT clause; should that statement fail (a policy, a constraint, a bad value), its
-- changes are applied one by one instead, so that only the offending ones are refused.
-- It runs with the caller's rights (SECURITY INVOKER): the row-level security policies apply.
CREATE OR REPLACE FUNCTION botdesk_sync.push(p_batch uuid, p_device text, p_changes jsonb)
RETURNS jsonb
LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
    done     jsonb;
    answers  jsonb := '{}'::jsonb;
    grp      record;
    item     record;
    cols     text;
    sets     text;
    applied  jsonb;
    current  jsonb;
    results  jsonb;
BEGIN
    SELECT b.results INTO done FROM botdesk_sync.batches b WHERE b.id = p_batch;
    IF FOUND THEN
        RETURN done;
    END IF;
    IF jsonb_typeof(p_changes) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'changes must be a JSON array' USING ERRCODE = '22023';
    END IF;
    PERFORM set_config('botdesk_sync.pushing', 'on', true);
    FOR grp IN
        SELECT e.c->>'table' AS t,
               (SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(e.c->'row') k) AS shape,
               jsonb_agg(jsonb_build_object('n', e.n, 'c', e.c) ORDER BY e.n) AS items,
               min(e.n) AS first
          FROM jsonb_array_elements(p_changes) WITH ORDINALITY AS e(c, n)
         GROUP BY 1, 2
         ORDER BY first
    LOOP
        BEGIN
            IF NOT (grp.t = ANY (botdesk_sync.tables())) THEN
                RAISE EXCEPTION 'not a synced table' USING ERRCODE = '42P01';
            END IF;
            IF EXISTS (SELECT 1 FROM jsonb_array_elements(grp.items) i
                        WHERE (i->'c'->>'hlc') IS NULL
                           OR (i->'c'->>'hlc') !~ '^[0-9]{13}-[0-9]{6}-.+$'
                           OR jsonb_typeof(i->'c'->'row') IS DISTINCT FROM 'object') THEN
                RAISE EXCEPTION 'a change without a clock or a row' USING ERRCODE = '22023';
            END IF;
            SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum),
                   string_agg(format('%1$I = EXCLUDED.%1$I', a.attname), ', ' ORDER BY a.attnum)
                       FILTER (WHERE a.attname <> 'id')
              INTO cols, sets
              FROM pg_attribute a
             WHERE a.attrelid = format('public.%I', grp.t)::regclass
               AND a.attnum > 0 AND NOT a.attisdropped AND a.attname <> 'sync_seq'
               AND (a.attname IN ('id', 'hlc', 'device_id')
                    OR a.attname = ANY (string_to_array(grp.shape, ',')));
            EXECUTE format(
                'WITH up AS (INSERT INTO public.%1$I AS x (%2$s) SELECT %2$s FROM '
                'jsonb_populate_recordset(NULL::public.%1$I, $1) '
                'ON CONFLICT (id) DO UPDATE SET %3$s WHERE x.hlc < EXCLUDED.hlc RETURNING x.id) '
                'SELECT coalesce(jsonb_object_agg(id, true), ''{}'') FROM up', grp.t, cols, sets)
                INTO applied
                USING (SELECT jsonb_agg((i->'c'->'row') || jsonb_build_object(
                                  'id', i->'c'->>'id', 'hlc', i->'c'->>'hlc', 'device_id', p_device))
                         FROM jsonb_array_elements(grp.items) i);
            -- What was not applied lost to a later clock on the server: say which.
            EXECUTE format('SELECT coalesce(jsonb_object_agg(id, hlc), ''{}'') FROM public.%I '
                           'WHERE id = ANY ($1)', grp.t)
                INTO current
                USING (SELECT array_agg((i->'c'->>'id')::uuid) FROM jsonb_array_elements(grp.items) i
                        WHERE NOT applied ? (i->'c'->>'id'));
            answers := answers || (
                SELECT jsonb_object_agg(i->>'n', CASE
                    WHEN applied ? (i->'c'->>'id') THEN
                        jsonb_build_object('id', i->'c'->>'id', 'table', grp.t, 'result', 'applied')
                    ELSE
                        jsonb_build_object('id', i->'c'->>'id', 'table', grp.t,
                                           'result', 'superseded',
                                           'hlc', current->>(i->'c'->>'id'))
                    END)
                  FROM jsonb_array_elements(grp.items) i);
        EXCEPTION WHEN OTHERS THEN
            FOR item IN SELECT i->>'n' AS n, i->'c' AS c FROM jsonb_array_elements(grp.items) i LOOP
                BEGIN
                    answers := answers || jsonb_build_object(item.n,
                        botdesk_sync.apply_one(p_device, item.c));
                EXCEPTION WHEN OTHERS THEN
                    answers := answers || jsonb_build_object(item.n, jsonb_build_object(
                        'id', item.c->>'id', 'table', item.c->>'table', 'result', 'refused',
                        'code', SQLSTATE, 'reason', SQLERRM));
                END;
            END LOOP;
        END;
    END LOOP;
    PERFORM set_config('botdesk_sync.pushing', 'off', true);
    SELECT coalesce(jsonb_agg(answers->(n::text) ORDER BY n), '[]'::jsonb) INTO results
      FROM generate_series(1, jsonb_array_length(p_changes)) AS n;
    INSERT INTO botdesk_sync.batches (id, device_id, results) VALUES (p_batch, p_device, results);
    RETURN results;
END;
$$;

-- pull(after, limit): the rows changed after sequence `after` that the caller may see, in
-- sequence order, each as {"seq", "table", "id", "hlc", "row"}. Runs with the caller's rights.
CREATE OR REPLACE FUNCTION botdesk_sync.pull(p_after bigint, p_limit integer DEFAULT 500)
RETURNS TABLE (seq bigint, tbl text, id uuid, hlc text, row_data jsonb)
LANGUAGE plpgsql STABLE SECURITY INVOKER AS $$
DECLARE
    t text;
    q text := '';
BEGIN
    FOREACH t IN ARRAY botdesk_sync.tables() LOOP
        IF q <> '' THEN
            q := q || ' UNION ALL ';
        END IF;
        q := q || format('(SELECT r.sync_seq, %L::text, r.id, r.hlc, to_jsonb(r) FROM public.%I r '
                         'WHERE r.sync_seq > $1 ORDER BY r.sync_seq LIMIT $2)', t, t);
    END LOOP;
    RETURN QUERY EXECUTE 'SELECT * FROM (' || q || ') s ORDER BY 1 LIMIT $2'
        USING p_after, least(greatest(p_limit, 1), 5000);
END;
$$;

-- pull_one(table, id): one row as pull returns it (none when it does not exist or the caller
-- may not see it), for a device that takes the server's version of a row it holds an error for.
CREATE OR REPLACE FUNCTION botdesk_sync.pull_one(p_table text, p_id uuid)
RETURNS TABLE (seq bigint, tbl text, id uuid, hlc text, row_data jsonb)
LANGUAGE plpgsql STABLE SECURITY INVOKER AS $$
BEGIN
    IF NOT (p_table = ANY (botdesk_sync.tables())) THEN
        RAISE EXCEPTION 'not a synced table: %', p_table USING ERRCODE = '42P01';
    END IF;
    RETURN QUERY EXECUTE format('SELECT r.sync_seq, %L::text, r.id, r.hlc, to_jsonb(r) '
                                'FROM public.%I r WHERE r.id = $1', p_table, p_table)
        USING p_id;
END;
$$;

GRANT USAGE ON SCHEMA botdesk_sync TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION botdesk_sync.pull_one(text, uuid) TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION botdesk_sync.push(uuid, text, jsonb) TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION botdesk_sync.apply_one(text, jsonb) TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION botdesk_sync.pull(bigint, integer) TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION botdesk_sync.server_hlc(text) TO PUBLIC;
GRANT USAGE, SELECT ON SEQUENCE botdesk_sync.seq TO authenticated, service_role;
GRANT SELECT, INSERT ON botdesk_sync.batches TO authenticated, service_role;
