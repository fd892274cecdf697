#!/usr/bin/env python3
"""Writes the audit-trail and change-log trigger migrations from the local schema.

The triggers list every column of every table they watch; writing that by hand is how a
column escapes the audit trail. This script reads the tables from the schema migrations and
writes the trigger migrations listed in TRIGGER_MIGRATIONS:

    scripts/gen_store_triggers.py           check that the trigger migrations are current
    scripts/gen_store_triggers.py --write   (re)write them

Applied migrations never change: a table added later gets its triggers in a new migration of
its own (add it to TRIGGER_MIGRATIONS), and a migration that adds a column to a table must drop
and recreate that table's triggers. The store's test `triggers_cover_every_column` fails when
a column is not covered.
"""
import argparse
import pathlib
import sqlite3
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMA_MIGRATIONS = ["V1__schema.sql", "V5__settings_and_api_keys.sql"]
# Migrations that add columns to watched tables, applied (in this order) before rendering the
# trigger migrations that come after them.
COLUMN_MIGRATIONS = ["V8__media_location.sql", "V12__sync_clock.sql"]

# Each trigger migration: what it writes ("audit": every insert, update and delete into
# audit_logs; "change-log": every local change of a synced table into change_log) and for
# which tables.
TRIGGER_MIGRATIONS = {
    "V2__audit_trail.sql": ("audit", [
        "users", "merchants", "media_files", "message_templates", "products", "product_media",
        "orders", "order_items", "delivery_tasks", "webhooks",
    ]),
    "V3__change_log.sql": ("change-log", [
        "users", "merchants", "media_files", "message_templates", "template_versions",
        "products", "product_media", "orders", "order_items", "delivery_tasks", "webhooks",
    ]),
    "V6__audit_settings_and_keys.sql": ("audit", ["app_settings", "api_keys"]),
    # V8 added media_files.had_location: its audit triggers are dropped and recreated.
    "V9__audit_media_location.sql": ("audit-replace", ["media_files"]),
    # V12 added change_log.hlc: every change-log trigger is dropped and recreated with it.
    "V13__change_log_clock.sql": ("change-log-replace", [
        "users", "merchants", "media_files", "message_templates", "template_versions",
        "products", "product_media", "orders", "order_items", "delivery_tasks", "webhooks",
    ]),
}
# Bookkeeping columns left out of audit diffs: they change with every write (or every use).
NOT_DIFFED = {"updated_at", "device_id", "last_used_at"}

ACTOR = "COALESCE((SELECT actor FROM tx_context WHERE id = 1), 'sql:unknown')"
DEVICE = ("COALESCE((SELECT device_id FROM tx_context WHERE id = 1), "
          "(SELECT value FROM store_meta WHERE key = 'device_id'))")
NOW = ("COALESCE((SELECT now FROM tx_context WHERE id = 1), "
       "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))")
LOCAL_ONLY = "COALESCE((SELECT origin FROM tx_context WHERE id = 1), 'local') = 'local'"
# A write from outside botdesk has no clock value: sync gives it one when it pushes it.
CLOCK = "(SELECT hlc FROM tx_context WHERE id = 1)"


def columns(db, table):
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def primary_key(db, table):
    keys = [row[1] for row in db.execute(f"PRAGMA table_info({table})") if row[5] == 1]
    assert len(keys) == 1, f"{table} needs a single-column primary key"
    return keys[0]


def value(side, col):
    # Secrets (encrypted BLOBs, key hashes) never enter the trail, and JSON cannot hold BLOBs:
    # only the fact of a change is recorded.
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


def audit_trigger(table, event, cols, pk):
    diffed = [c for c in cols if c not in NOT_DIFFED]
    if event == "insert":
        rows = change_rows([c for c in diffed if c != pk], None, "NEW",
                           lambda c: f"NEW.{c} IS NOT NULL")
        action, record = "'insert'", f"NEW.{pk}"
    elif event == "update":
        rows = change_rows(diffed, "OLD", "NEW", lambda c: f"OLD.{c} IS NOT NEW.{c}")
        if "deleted_at" in cols:
            action = ("CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN 'delete' "
                      "WHEN OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL THEN 'restore' "
                      "ELSE 'update' END")
        else:
            action = "'update'"
        record = f"NEW.{pk}"
    else:
        rows = change_rows([c for c in diffed if c != pk], "OLD", None,
                           lambda c: f"OLD.{c} IS NOT NULL")
        # A table without tombstones (no deleted_at) really deletes: that is its 'delete'.
        action = "'purge'" if "deleted_at" in cols else "'delete'"
        record = f"OLD.{pk}"
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


def version(name):
    """V12__x.sql → 12: migrations apply in number order, not in text order."""
    return int(name[1:].split("__", 1)[0])


def change_log_trigger(table, event, with_clock):
    if event == "insert":
        op, row = "'insert'", "NEW.id"
    elif event == "update":
        op = ("CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL "
              "THEN 'delete' ELSE 'update' END")
        row = "NEW.id"
    else:
        op, row = "'delete'", "OLD.id"
    if with_clock:
        return f"""CREATE TRIGGER changes_{table}_{event} AFTER {event.upper()} ON {table}
WHEN {LOCAL_ONLY}
BEGIN
    INSERT INTO change_log (table_name, row_id, op, changed_at, device_id, hlc)
    VALUES ('{table}', {row}, {op},
            {NOW},
            {DEVICE},
            {CLOCK});
END;
"""
    return f"""CREATE TRIGGER changes_{table}_{event} AFTER {event.upper()} ON {table}
WHEN {LOCAL_ONLY}
BEGIN
    INSERT INTO change_log (table_name, row_id, op, changed_at, device_id)
    VALUES ('{table}', {row}, {op},
            {NOW},
            {DEVICE});
END;
"""


AUDIT_HEADER = """-- The audit trail: every insert, update and delete of the tables below is written to
-- audit_logs by these triggers, in the same transaction, raw SQL included. The actor and
-- time come from tx_context (see V1__schema.sql). Soft deletes (deleted_at set) are
-- 'delete', undoing one is 'restore', a hard DELETE is 'purge'. Secrets are redacted.
-- Generated by scripts/gen_store_triggers.py from the schema: change the script, not this.
"""

CHANGE_LOG_HEADER = """-- The change log (sync outbox): every local insert, update and delete of a synced table
-- appends a row to change_log in the same transaction. Changes applied by sync
-- (tx_context.origin = 'sync') and seeded rows ('seed') are not logged.
-- Generated by scripts/gen_store_triggers.py: change the script, not this.
"""

CHANGE_LOG_CLOCK_HEADER = """-- The change log's triggers again, now carrying each change's hybrid logical clock value
-- (change_log.hlc, from tx_context.hlc: V12__sync_clock.sql). Otherwise as V3.
-- Generated by scripts/gen_store_triggers.py: change the script, not this.
"""


def render(db, kind, tables):
    if kind.startswith("audit"):
        header = AUDIT_HEADER
    elif kind == "change-log-replace":
        header = CHANGE_LOG_CLOCK_HEADER
    else:
        header = CHANGE_LOG_HEADER
    out = [header]
    for table in tables:
        for event in ("insert", "update", "delete"):
            if kind == "audit-replace":
                out.append(f"DROP TRIGGER IF EXISTS audit_{table}_{event};")
            if kind == "change-log-replace":
                out.append(f"DROP TRIGGER IF EXISTS changes_{table}_{event};")
            if kind.startswith("audit"):
                out.append(audit_trigger(table, event, columns(db, table), primary_key(db, table)))
            else:
                out.append(change_log_trigger(table, event, "hlc" in columns(db, "change_log")))
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the trigger migrations")
    args = parser.parse_args()

    db = sqlite3.connect(":memory:")
    for name in SCHEMA_MIGRATIONS:
        db.executescript((ROOT / "migrations" / name).read_text())
    applied = set()

    stale = []
    for name, (kind, tables) in TRIGGER_MIGRATIONS.items():
        for column_migration in COLUMN_MIGRATIONS:
            if version(column_migration) < version(name) and column_migration not in applied:
                db.executescript((ROOT / "migrations" / column_migration).read_text())
                applied.add(column_migration)
        path = ROOT / "migrations" / name
        text = render(db, kind, tables)
        if args.write:
            path.write_text(text)
        elif not path.exists() or path.read_text() != text:
            stale.append(name)
    if stale:
        sys.stderr.write("stale trigger migrations (run with --write): " + ", ".join(stale) + "\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
