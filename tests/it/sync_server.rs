//! The Postgres side of sync on a real PostgreSQL with Supabase's auth recreated: the
//! migrations apply (twice, too), push applies by the clock rule and is idempotent per batch,
//! the row-level security policies refuse what they should with a reason, the bot's own writes
//! get a later clock, deletes become tombstones, and the change sequence follows commit order
//! so a pull after n never skips a change that committed late.

use postgres::Client;
use serde_json::{Value, json};

use crate::pg::Pg;

const OWNER: &str = "11111111-1111-4111-8111-111111111111";
const STAFF: &str = "22222222-2222-4222-8222-222222222222";
const SHOPKEEPER: &str = "33333333-3333-4333-8333-333333333333";

fn people(pg: &Pg) -> Client {
    let mut c = pg.admin();
    c.batch_execute(&format!(
        "INSERT INTO public.users (id, display_name, role) VALUES \
         ('{OWNER}', 'Owner', 'owner'), ('{STAFF}', 'Staff', 'staff'), \
         ('{SHOPKEEPER}', 'Shopkeeper', 'staff')"
    ))
    .unwrap();
    c
}

/// Runs `f` in one transaction as the Supabase Auth user `uid` (role `authenticated`, the
/// JWT claims set for the transaction, as Supabase's API does).
fn as_user<T>(c: &mut Client, uid: &str, f: impl FnOnce(&mut postgres::Transaction) -> T) -> T {
    let mut tx = c.transaction().unwrap();
    tx.batch_execute("SET LOCAL ROLE authenticated").unwrap();
    tx.execute(
        "SELECT set_config('request.jwt.claims', $1, true)",
        &[&json!({"sub": uid, "role": "authenticated"}).to_string()],
    )
    .unwrap();
    let out = f(&mut tx);
    tx.commit().unwrap();
    out
}

fn push(c: &mut Client, uid: &str, batch: &str, device: &str, changes: Value) -> Vec<Value> {
    as_user(c, uid, |tx| {
        let row = tx
            .query_one(
                "SELECT botdesk_sync.push($1::text::uuid, $2, $3::text::jsonb)::text",
                &[&batch, &device, &changes.to_string()],
            )
            .unwrap();
        let text: String = row.get(0);
        serde_json::from_str::<Value>(&text)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    })
}

/// (seq, table, id, hlc) of what `uid` pulls after `after`.
fn pull(c: &mut Client, uid: &str, after: i64) -> Vec<(i64, String, String, String)> {
    as_user(c, uid, |tx| {
        tx.query(
            "SELECT seq, tbl, id::text, hlc FROM botdesk_sync.pull($1, 1000)",
            &[&after],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect()
    })
}

fn template(id: &str, hlc: &str, body: &str) -> Value {
    json!({"table": "message_templates", "id": id, "hlc": hlc,
           "row": {"name": "hello", "kind": "text", "body": body, "status": "active",
                   "created_at": "2026-12-04T03:00:00.000Z", "updated_at": "2026-12-04T03:00:00.000Z"}})
}

const T1: &str = "44444444-4444-4444-8444-444444444444";

#[test]
fn the_migrations_apply_to_a_fresh_database_and_again_over_themselves() {
    let pg = Pg::start();
    // Applying them again (an owner re-running psql) changes nothing and fails nothing.
    pg.apply_migrations();
    let mut c = pg.admin();
    let rls: Vec<String> = c
        .query(
            "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace \
             AND relkind = 'r' AND relrowsecurity ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        rls,
        [
            "audit_logs",
            "delivery_tasks",
            "media_files",
            "merchants",
            "message_templates",
            "order_items",
            "orders",
            "product_media",
            "products",
            "template_versions",
            "users",
            "webhooks"
        ],
        "every table has row-level security on"
    );
    // No secret column reaches the server.
    let secret_columns: i64 = c
        .query_one(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' \
             AND column_name LIKE '%secret_ciphertext%'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(secret_columns, 0);
}

#[test]
fn push_applies_by_the_clock_rule_once_per_batch_and_says_why_it_refuses() {
    let pg = Pg::start();
    let mut c = people(&pg);
    let first = push(
        &mut c,
        OWNER,
        "aaaaaaaa-0000-4000-8000-000000000001",
        "dev-A",
        json!([
            template(T1, "1764800000000-000001-dev-A", "Hi"),
            {"table": "message_templates", "id": "not-a-uuid", "hlc": "1764800000000-000001-dev-A", "row": {}},
            {"table": "api_keys", "id": T1, "hlc": "1764800000000-000001-dev-A", "row": {}},
            {"table": "message_templates", "id": T1, "hlc": "yesterday", "row": {}},
        ]),
    );
    let results: Vec<&str> = first
        .iter()
        .map(|r| r["result"].as_str().unwrap())
        .collect();
    assert_eq!(
        results,
        ["applied", "refused", "refused", "refused"],
        "{first:?}"
    );
    assert_eq!(first[1]["code"], "22P02");
    assert_eq!(first[2]["code"], "42P01");
    assert_eq!(first[3]["code"], "22023");
    let row = c
        .query_one(
            "SELECT body, hlc, device_id, sync_seq FROM public.message_templates WHERE id = $1::text::uuid",
            &[&T1],
        )
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "Hi");
    assert_eq!(row.get::<_, String>(1), "1764800000000-000001-dev-A");
    assert_eq!(row.get::<_, String>(2), "dev-A");
    let seq: i64 = row.get(3);

    // The same batch again (its answer was lost with the connection): the same answer, and
    // nothing changes, even with other contents.
    let again = push(
        &mut c,
        OWNER,
        "aaaaaaaa-0000-4000-8000-000000000001",
        "dev-A",
        json!([template(T1, "1764900000000-000001-dev-A", "changed")]),
    );
    assert_eq!(again, first);
    let after: (String, i64) = {
        let r = c
            .query_one(
                "SELECT body, sync_seq FROM public.message_templates WHERE id = $1::text::uuid",
                &[&T1],
            )
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!(after, ("Hi".to_owned(), seq));

    // An older clock loses, and is told the server's.
    let older = push(
        &mut c,
        OWNER,
        "aaaaaaaa-0000-4000-8000-000000000002",
        "dev-B",
        json!([template(T1, "1764700000000-000009-dev-B", "older")]),
    );
    assert_eq!(older[0]["result"], "superseded");
    assert_eq!(older[0]["hlc"], "1764800000000-000001-dev-A");
    // The same instant and counter from another device: the device id decides, the same way
    // everywhere ("dev-B" > "dev-A").
    let tie = push(
        &mut c,
        OWNER,
        "aaaaaaaa-0000-4000-8000-000000000003",
        "dev-B",
        json!([template(T1, "1764800000000-000001-dev-B", "tie")]),
    );
    assert_eq!(tie[0]["result"], "applied");

    // Staff may not write templates (admins only): refused by the policy, with its code.
    let refused = push(
        &mut c,
        STAFF,
        "aaaaaaaa-0000-4000-8000-000000000004",
        "dev-C",
        json!([template(
            "55555555-5555-4555-8555-555555555555",
            "1764900000000-000001-dev-C",
            "nope"
        )]),
    );
    assert_eq!(refused[0]["result"], "refused");
    assert_eq!(refused[0]["code"], "42501", "{refused:?}");
    assert!(
        refused[0]["reason"]
            .as_str()
            .unwrap()
            .contains("row-level security"),
        "{refused:?}"
    );
    // A constraint the server checks: refused with the constraint's SQLSTATE.
    let bad = push(
        &mut c,
        OWNER,
        "aaaaaaaa-0000-4000-8000-000000000005",
        "dev-A",
        json!([{"table": "message_templates", "id": "66666666-6666-4666-8666-666666666666",
                "hlc": "1764900000000-000001-dev-A",
                "row": {"name": "Bad Name", "kind": "text", "body": "x"}}]),
    );
    assert_eq!(bad[0]["code"], "23514", "{bad:?}");
}

#[test]
fn the_policies_decide_who_sees_and_writes_what() {
    let pg = Pg::start();
    let mut c = people(&pg);
    // A shop owned by the shopkeeper, a product and a webhook of it; a draft and an active
    // template; a media file of the staff member.
    c.batch_execute(&format!(
        "INSERT INTO public.merchants (id, name, owner_id) VALUES \
           ('77777777-7777-4777-8777-777777777777', 'Corner shop', '{SHOPKEEPER}'); \
         INSERT INTO public.webhooks (id, merchant_id, url) VALUES \
           ('88888888-8888-4888-8888-888888888888', '77777777-7777-4777-8777-777777777777', 'https://shop.example/h'); \
         INSERT INTO public.message_templates (id, name, kind, body, status) VALUES \
           ('99999999-9999-4999-8999-999999999991', 'live', 'text', 'x', 'active'), \
           ('99999999-9999-4999-8999-999999999992', 'draft', 'text', 'x', 'draft'); \
         INSERT INTO public.media_files (id, owner_id, sha256, file_name, mime_type, kind, size_bytes) VALUES \
           ('aaaaaaaa-9999-4999-8999-999999999999', '{STAFF}', '{}', 'a.jpg', 'image/jpeg', 'image', 10); \
         INSERT INTO public.audit_logs (table_name, record_id, action, actor) VALUES ('x', 'y', 'insert', 'bot');",
        "0".repeat(64)
    ))
    .unwrap();
    let count = |c: &mut Client, uid: &str, sql: &str| -> i64 {
        as_user(c, uid, |tx| tx.query_one(sql, &[]).unwrap().get(0))
    };
    // Templates: the active one is public, even to anon; admins see both.
    let anon: i64 = {
        let mut tx = c.transaction().unwrap();
        tx.batch_execute("SET LOCAL ROLE anon").unwrap();
        let n = tx
            .query_one("SELECT count(*) FROM public.message_templates", &[])
            .unwrap()
            .get(0);
        tx.commit().unwrap();
        n
    };
    assert_eq!(anon, 1);
    assert_eq!(
        count(
            &mut c,
            STAFF,
            "SELECT count(*) FROM public.message_templates"
        ),
        1
    );
    assert_eq!(
        count(
            &mut c,
            OWNER,
            "SELECT count(*) FROM public.message_templates"
        ),
        2
    );
    // Webhooks: the merchant's owner and admins only.
    assert_eq!(
        count(&mut c, SHOPKEEPER, "SELECT count(*) FROM public.webhooks"),
        1
    );
    assert_eq!(
        count(&mut c, STAFF, "SELECT count(*) FROM public.webhooks"),
        0
    );
    assert_eq!(
        count(&mut c, OWNER, "SELECT count(*) FROM public.webhooks"),
        1
    );
    // Audit logs: admins only.
    assert_eq!(
        count(&mut c, STAFF, "SELECT count(*) FROM public.audit_logs"),
        0
    );
    assert_eq!(
        count(&mut c, OWNER, "SELECT count(*) FROM public.audit_logs"),
        1
    );
    // Media: everyone signed in reads; only the owner of the file (or an admin) changes it.
    assert_eq!(
        count(
            &mut c,
            SHOPKEEPER,
            "SELECT count(*) FROM public.media_files"
        ),
        1
    );
    assert_eq!(
        count(
            &mut c,
            SHOPKEEPER,
            "WITH u AS (UPDATE public.media_files SET file_name = 'b.jpg' RETURNING 1) SELECT count(*) FROM u"
        ),
        0
    );
    assert_eq!(
        count(
            &mut c,
            STAFF,
            "WITH u AS (UPDATE public.media_files SET file_name = 'b.jpg' RETURNING 1) SELECT count(*) FROM u"
        ),
        1
    );
    // What a user may not see, a pull does not bring.
    let staff_sees: Vec<String> = pull(&mut c, STAFF, 0).into_iter().map(|r| r.1).collect();
    assert!(
        !staff_sees.contains(&"webhooks".to_owned()),
        "{staff_sees:?}"
    );
    assert!(
        staff_sees.contains(&"media_files".to_owned()),
        "{staff_sees:?}"
    );
}

#[test]
fn the_bots_writes_get_a_later_clock_and_deletes_become_tombstones() {
    let pg = Pg::start();
    let mut c = people(&pg);
    // A device's clock far ahead of the server's.
    let future = "9999999999998-000000-dev-A";
    push(
        &mut c,
        OWNER,
        "aaaaaaaa-0000-4000-8000-000000000001",
        "dev-A",
        json!([template(T1, future, "from the device")]),
    );
    // The bot edits the row directly: its change must still win over the device's.
    c.execute(
        "UPDATE public.message_templates SET body = 'from the bot' WHERE id = $1::text::uuid",
        &[&T1],
    )
    .unwrap();
    let (hlc, device): (String, String) = {
        let r = c
            .query_one(
                "SELECT hlc, device_id FROM public.message_templates WHERE id = $1::text::uuid",
                &[&T1],
            )
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert!(hlc.as_str() > future, "{hlc} after {future}");
    assert_eq!(device, "server");
    let before = pull(&mut c, OWNER, 0);
    c.execute(
        "DELETE FROM public.message_templates WHERE id = $1::text::uuid",
        &[&T1],
    )
    .unwrap();
    let row = c
        .query_one(
            "SELECT deleted_at IS NOT NULL, hlc FROM public.message_templates WHERE id = $1::text::uuid",
            &[&T1],
        )
        .unwrap();
    assert!(row.get::<_, bool>(0), "the row stays, as a tombstone");
    assert!(row.get::<_, String>(1) > hlc);
    let last_seq = before.last().unwrap().0;
    let after = pull(&mut c, OWNER, last_seq);
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0].2, T1);
}

#[test]
fn the_sequence_follows_commit_order_so_a_pull_never_skips_a_late_commit() {
    let pg = Pg::start();
    let mut reader = people(&pg);
    let start = pull(&mut reader, OWNER, 0).last().map_or(0, |r| r.0);
    let mut slow = pg.admin();
    let mut fast = pg.admin();
    // The slow writer starts first and commits last.
    let mut slow_tx = slow.transaction().unwrap();
    slow_tx
        .execute(
            "INSERT INTO public.merchants (id, name) VALUES ('bbbbbbbb-0000-4000-8000-000000000001', 'Slow')",
            &[],
        )
        .unwrap();
    fast.execute(
        "INSERT INTO public.merchants (id, name) VALUES ('bbbbbbbb-0000-4000-8000-000000000002', 'Fast')",
        &[],
    )
    .unwrap();
    let seen = pull(&mut reader, OWNER, start);
    assert_eq!(seen.len(), 1, "only the committed one: {seen:?}");
    let cursor = seen[0].0;
    slow_tx.commit().unwrap();
    // The late commit comes after the cursor: the next pull brings it.
    let next = pull(&mut reader, OWNER, cursor);
    assert_eq!(next.len(), 1, "{next:?}");
    assert_eq!(next[0].2, "bbbbbbbb-0000-4000-8000-000000000001");
    assert!(next[0].0 > cursor);
}
