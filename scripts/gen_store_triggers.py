#!/usr/bin/env python3
"""Writes the audit-trail and change-log trigger migrations from the local schema.

The triggers list every column of every table they watch; writing that by hand is how a
column escapes the audit trail. This script reads the tables from the migrations that come
before the trigger migrations and prints the trigger SQL:

    scripts/gen_store_triggers.py audit       > migrations/V2__audit_trail.sql
    scripts/gen_store_triggers.py change-log  > migrations/V3__change_log.sql

Applied migrations never change: a later migration that adds a column must drop and
recreate the table's triggers; run this script with --tables to print just those. The store's
test `triggers_cover_every_column` fails when a column is not covered.
"""
import argparse
import pathlib
import sqlite3
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMA_MIGRATIONS = ["V1__schema.sql"]

# Tables whose every insert, update and delete is written to audit_logs.
AUDITED = [
    "users", "merchants", "media_files", "message_templates", "products", "product_media",
    "orders", "order_items", "delivery_tasks", "webhooks",
]
# Tables that sync with Supabase: every local change is appended to change_log.
SYNCED = [
    "users", "merchants", "media_files", "message_templates", "template_versions", "products",
    "product_media", "orders", "order_items", "delivery_tasks", "webhooks",
]
# Bookkeeping columns left out of audit diffs: they change with every write.
NOT_DIFFED = {"updated_at", "device_id"}

ACTOR = "COALESCE((SELECT actor FROM tx_context WHERE id = 1), 'sql:unknown')"
DEVICE = ("COALESCE((SELECT device_id FROM tx_context WHERE id = 1), "
          "(SELECT value FROM store_meta WHERE key = 'device_id'))")
NOW = ("COALESCE((SELECT now FROM tx_context WHERE id = 1), "
       "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))")
LOCAL_ONLY = "COALESCE((SELECT origin FROM tx_context WHERE id = 1), 'local') = 'local'"


def columns(db, table):
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def value(side, col):
    # Secrets are stored encrypted as BLOBs; JSON cannot hold BLOBs and the trail must not
    # hold secrets, so only the fact of a change is recorded.
    return "'[redacted]'" if "secret" in col else f"{side}.{col}"


def change_rows(cols, old, new, condition):
    rows = []
    for col in cols:
        o = "NULL" if old is None else value(old, col)
        n = "NULL" if new is None else value(new, col)
        rows.append(
            f"SELECT '{col}' AS field, json_object('old', {o}, 'new', {n}) AS change "
            f"WHERE {condition(col)}"
        )
    return "\n            UNION ALL ".join(rows)


def audit_trigger(table, event, cols):
    diffed = [c for c in cols if c not in NOT_DIFFED]
    if event == "insert":
        rows = change_rows([c for c in diffed if c != "id"], None, "NEW",
                           lambda c: f"NEW.{c} IS NOT NULL")
        action, record = "'insert'", "NEW.id"
    elif event == "update":
        rows = change_rows(diffed, "OLD", "NEW", lambda c: f"OLD.{c} IS NOT NEW.{c}")
        action = ("CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN 'delete' "
                  "WHEN OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL THEN 'restore' "
                  "ELSE 'update' END")
        record = "NEW.id"
    else:
        rows = change_rows([c for c in diffed if c != "id"], "OLD", None,
                           lambda c: f"OLD.{c} IS NOT NULL")
        action, record = "'purge'", "OLD.id"
    # An update that changes nothing but bookkeeping leaves no audit row (n = 0).
    return f"""CREATE TRIGGER audit_{table}_{event} AFTER {event.upper()} ON {table}
BEGIN
    INSERT INTO audit_logs (table_name, record_id, action, changes, actor, device_id, created_at)
    SELECT '{table}', {record}, {action}, d.changes,
           {ACTOR},
           {DEVICE},
           {NOW}
    FROM (
        SELECT json_group_object(c.field, json(c.change)) AS changes, count(*) AS n
        FROM (
            {rows}
        ) AS c
    ) AS d
    WHERE d.n > 0;
END;
"""


def change_log_trigger(table, event):
    if event == "insert":
        op, row = "'insert'", "NEW.id"
    elif event == "update":
        op = ("CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL "
              "THEN 'delete' ELSE 'update' END")
        row = "NEW.id"
    else:
        op, row = "'delete'", "OLD.id"
    return f"""CREATE TRIGGER changes_{table}_{event} AFTER {event.upper()} ON {table}
WHEN {LOCAL_ONLY}
BEGIN
    INSERT INTO change_log (table_name, row_id, op, changed_at, device_id)
    VALUES ('{table}', {row}, {op},
            {NOW},
            {DEVICE});
END;
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["audit", "change-log"])
    parser.add_argument("--tables", nargs="*", help="only these tables")
    args = parser.parse_args()

    db = sqlite3.connect(":memory:")
    for name in SCHEMA_MIGRATIONS:
        db.executescript((ROOT / "migrations" / name).read_text())

    out = []
    if args.kind == "audit":
        out.append("-- The audit trail: every insert, update and delete of the tables below is written to\n"
                   "-- audit_logs by these triggers, in the same transaction, raw SQL included. The actor and\n"
                   "-- time come from tx_context (see V1__schema.sql). Soft deletes (deleted_at set) are\n"
                   "-- 'delete', undoing one is 'restore', a hard DELETE is 'purge'. Secrets are redacted.\n"
                   "-- Generated by scripts/gen_store_triggers.py from the schema: change the script, not this.\n")
        for table in args.tables or AUDITED:
            cols = columns(db, table)
            for event in ("insert", "update", "delete"):
                out.append(audit_trigger(table, event, cols))
    else:
        out.append("-- The change log (sync outbox): every local insert, update and delete of a synced table\n"
                   "-- appends a row to change_log in the same transaction. Changes applied by sync\n"
                   "-- (tx_context.origin = 'sync') and seeded rows ('seed') are not logged.\n"
                   "-- Generated by scripts/gen_store_triggers.py: change the script, not this.\n")
        for table in args.tables or SYNCED:
            for event in ("insert", "update", "delete"):
                out.append(change_log_trigger(table, event))
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    main()
