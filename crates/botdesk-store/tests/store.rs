//! The store as its callers see it, on real SQLite files in temp dirs: migration, reopening,
//! typed constraint errors, the audit trail and change log written by triggers, refusal of files
//! it must not touch, backups under load, and readers that a long write does not block.

// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use botdesk_store::rusqlite::{self, Connection};
use botdesk_store::tables::merchants::{Merchant, MerchantStatus};
use botdesk_store::tables::message_templates::{self, TemplateStatus};
use botdesk_store::tables::product_media::ProductMedia;
use botdesk_store::tables::products::{Product, ProductStatus};
use botdesk_store::tables::{audit_logs, change_log, template_versions};
use botdesk_store::{
    Actor, DB_FILE, Filter, Id, ManualClock, PageRequest, Store, StoreError, StoreOptions,
    Timestamp,
};

fn options() -> StoreOptions {
    StoreOptions::default()
}

fn open(dir: &Path) -> Store {
    Store::open(dir, options()).expect("store opens")
}

fn actor() -> Actor {
    Actor::Desktop("tester".into())
}

fn merchant(name: &str) -> Merchant {
    Merchant {
        name: name.into(),
        phone: None,
        email: None,
        status: MerchantStatus::Active,
        settings: serde_json::json!({}),
    }
}

fn product(name: &str, price_minor: i64) -> Product {
    Product {
        merchant_id: None,
        sku: None,
        name: name.into(),
        description: String::new(),
        price_minor,
        currency: "USD".into(),
        stock: None,
        status: ProductStatus::Active,
    }
}

fn count(store: &Store, sql: &str) -> i64 {
    store
        .read(|c| Ok::<_, StoreError>(c.query_row(sql, [], |r| r.get(0))?))
        .unwrap()
}

const EXPECTED_TABLES: &[&str] = &[
    "message_templates",
    "template_versions",
    "media_files",
    "product_media",
    "audit_logs",
    "delivery_tasks",
    "webhooks",
    "webhook_logs",
    "webhook_events",
    "webhook_deliveries",
    "users",
    "merchants",
    "products",
    "orders",
    "order_items",
    "change_log",
];

#[test]
fn migrating_an_empty_store_creates_every_table_and_the_default_templates() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    assert_eq!(store.path(), dir.path().join(DB_FILE));
    assert_eq!(
        store.schema_version(),
        botdesk_store::latest_schema_version()
    );
    for table in EXPECTED_TABLES {
        let n = count(
            &store,
            &format!(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
            ),
        );
        assert_eq!(n, 1, "table {table} exists");
    }
    let mode: String = store
        .read(|c| Ok::<_, StoreError>(c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(mode, "wal");

    let templates = store
        .read(|c| message_templates::list_by(c, None, Some(TemplateStatus::Active)))
        .unwrap();
    let names: Vec<&str> = templates.iter().map(|t| t.data.name.as_str()).collect();
    assert_eq!(
        names,
        ["order_confirmation", "order_status", "payment_request"]
    );
    for t in &templates {
        let declared: Vec<&str> = t
            .data
            .variables
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["name"].as_str().unwrap())
            .collect();
        assert!(
            declared.len() >= 3,
            "{} declares its variables",
            t.data.name
        );
        for name in &declared {
            assert!(
                t.data.body.contains(&format!("{{{{{name}}}}}"))
                    || t.data.buttons.to_string().contains(name),
                "{} uses {name}",
                t.data.name
            );
        }
        for v in t.data.variables.as_array().unwrap() {
            assert!(
                !v["example"].as_str().unwrap().is_empty(),
                "every variable has an example"
            );
        }
        let versions = store
            .read(|c| template_versions::for_template(c, t.id()))
            .unwrap();
        assert_eq!(versions.len(), 1);
        assert_eq!(
            versions[0].data.snapshot["body"],
            serde_json::json!(t.data.body)
        );
    }
    let confirmation = &templates[0];
    let labels: Vec<&str> = confirmation
        .data
        .buttons
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["Track order", "Cancel order"]);
    // Seeded rows are audited but not queued for sync: every device seeds the same rows.
    assert_eq!(count(&store, "SELECT count(*) FROM change_log"), 0);
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM audit_logs WHERE actor = 'system:seed'"
        ),
        3
    );
}

#[test]
fn reopening_a_migrated_store_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store
        .with_tx(&actor(), |tx| botdesk_store::insert(tx, merchant("Shop")))
        .unwrap();
    drop(store);
    let before = std::fs::read(dir.path().join(DB_FILE)).unwrap();
    let store = open(dir.path());
    assert_eq!(
        store.schema_version(),
        botdesk_store::latest_schema_version()
    );
    assert_eq!(
        count(&store, "SELECT count(*) FROM refinery_schema_history"),
        store.schema_version()
    );
    assert_eq!(count(&store, "SELECT count(*) FROM message_templates"), 3);
    assert_eq!(count(&store, "SELECT count(*) FROM merchants"), 1);
    drop(store);
    assert!(
        std::fs::read(dir.path().join(DB_FILE)).unwrap() == before,
        "the file is byte-for-byte the same"
    );
}

#[test]
fn foreign_key_and_check_violations_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());

    let err = store
        .with_tx(&actor(), |tx| botdesk_store::insert(tx, product("Mug", -5)))
        .unwrap_err();
    match &err {
        StoreError::CheckViolation { table, field, .. } => {
            assert_eq!(
                (table.as_str(), field.as_str()),
                ("products", "price_minor")
            );
        }
        other => panic!("expected a check violation, got {other:?}"),
    }
    assert_eq!(err.code(), "store.check_violation");
    assert_eq!(err.field(), Some("price_minor"));

    let err = store
        .with_tx(&actor(), |tx| {
            botdesk_store::insert(
                tx,
                ProductMedia {
                    product_id: Id("0197b1e0-0000-7000-8000-000000000001".parse().unwrap()),
                    media_id: Id("0197b1e0-0000-7000-8000-000000000002".parse().unwrap()),
                    position: 0,
                    is_primary: true,
                },
            )
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::ForeignKey { .. }), "got {err:?}");
    assert_eq!(err.code(), "store.foreign_key");

    // Enum-like columns refuse anything outside their list, raw SQL included.
    let id = store
        .with_tx(&actor(), |tx| {
            botdesk_store::insert(tx, product("Mug", 500))
        })
        .unwrap()
        .id();
    let err = store
        .with_tx(&actor(), |tx| -> Result<(), StoreError> {
            tx.execute(
                "UPDATE products SET status = 'sold_out' WHERE id = ?1",
                [id],
            )?;
            Ok(())
        })
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::CheckViolation { field, .. } if field == "status"),
        "got {err:?}"
    );

    // Two live templates may not share a name and language.
    let err = store
        .with_tx(&actor(), |tx| {
            let existing = message_templates::find_by_name(tx, "order_status", "en")?.unwrap();
            botdesk_store::insert(tx, existing.data)
        })
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Duplicate { field, .. } if field == "name, language"),
        "got {err:?}"
    );
}

#[test]
fn a_change_writes_its_audit_and_change_log_rows_in_the_same_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new("2026-03-01T09:30:00.000Z".parse().unwrap());
    let store = Store::open(
        dir.path(),
        StoreOptions {
            clock: Arc::new(clock.clone()),
            ..options()
        },
    )
    .unwrap();
    let owner = Actor::Desktop("amina".into());

    let shop = store
        .with_tx(&owner, |tx| {
            botdesk_store::insert(tx, merchant("Corner shop"))
        })
        .unwrap();
    clock.advance(time::Duration::minutes(5));
    store
        .with_tx(&Actor::ApiKey("key-1".into()), |tx| {
            let mut m = botdesk_store::get::<Merchant>(tx, shop.id())?;
            m.data.name = "Corner Shop Ltd".into();
            botdesk_store::update(tx, shop.id(), m.data)
        })
        .unwrap();
    store
        .with_tx(&owner, |tx| {
            botdesk_store::soft_delete::<Merchant>(tx, shop.id())
        })
        .unwrap();

    let trail = store
        .read(|c| {
            audit_logs::list(
                c,
                &audit_logs::AuditFilter {
                    record_id: Some(shop.id().to_string()),
                    ..Default::default()
                },
                50,
                None,
            )
        })
        .unwrap();
    let actions: Vec<_> = trail
        .items
        .iter()
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("delete", "desktop:amina"),
            ("update", "api_key:key-1"),
            ("insert", "desktop:amina")
        ]
    );
    let update = &trail.items[1];
    assert_eq!(
        update.changes,
        serde_json::json!({"name": {"old": "Corner shop", "new": "Corner Shop Ltd"}})
    );
    assert_eq!(
        update.created_at.to_string(),
        "2026-03-01T09:35:00.000Z",
        "time comes from the store's clock"
    );
    assert_eq!(update.device_id.as_deref(), Some(store.device_id()));

    let changes = store.read(|c| change_log::after(c, 0, 100)).unwrap();
    let ops: Vec<_> = changes
        .iter()
        .map(|c| (c.table_name.as_str(), c.op.as_str()))
        .collect();
    assert_eq!(
        ops,
        [
            ("merchants", "insert"),
            ("merchants", "update"),
            ("merchants", "delete")
        ]
    );

    // A rolled-back change leaves neither an audit row nor a change-log row.
    let audit_before = count(&store, "SELECT count(*) FROM audit_logs");
    let log_before = count(&store, "SELECT count(*) FROM change_log");
    let result: Result<(), StoreError> = store.with_tx(&owner, |tx| {
        botdesk_store::insert(tx, merchant("Never saved"))?;
        botdesk_store::insert(tx, product("Broken", -1))?;
        Ok(())
    });
    assert!(result.is_err());
    assert_eq!(
        count(&store, "SELECT count(*) FROM audit_logs"),
        audit_before
    );
    assert_eq!(count(&store, "SELECT count(*) FROM change_log"), log_before);
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM merchants WHERE name = 'Never saved'"
        ),
        0
    );
}

#[test]
fn raw_sql_outside_botdesk_is_audited_too() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let id = store
        .with_tx(&actor(), |tx| {
            botdesk_store::insert(tx, product("Tea", 300))
        })
        .unwrap()
        .id();
    drop(store);

    // What someone does with the sqlite3 shell: a separate connection, no tx_context.
    let raw = Connection::open(dir.path().join(DB_FILE)).unwrap();
    raw.execute(
        "UPDATE products SET price_minor = 350 WHERE id = ?1",
        [id.to_string()],
    )
    .unwrap();
    raw.execute("DELETE FROM products WHERE id = ?1", [id.to_string()])
        .unwrap();
    drop(raw);

    let store = open(dir.path());
    let trail = store
        .read(|c| {
            audit_logs::list(
                c,
                &audit_logs::AuditFilter {
                    actor: Some("sql:unknown".into()),
                    ..Default::default()
                },
                10,
                None,
            )
        })
        .unwrap();
    let actions: Vec<_> = trail.items.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            audit_logs::AuditAction::Purge,
            audit_logs::AuditAction::Update
        ]
    );
    assert_eq!(
        trail.items[1].changes,
        serde_json::json!({"price_minor": {"old": 300, "new": 350}})
    );
    assert_eq!(
        trail.items[0].changes["name"],
        serde_json::json!({"old": "Tea", "new": null})
    );
}

#[test]
fn a_panic_inside_a_transaction_rolls_it_back_and_the_store_stays_usable() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open(dir.path()));
    let s = store.clone();
    let outcome = std::thread::spawn(move || {
        s.with_tx(&actor(), |tx| -> Result<(), StoreError> {
            botdesk_store::insert(tx, merchant("Half done"))?;
            panic!("a bug in the middle of a write");
        })
    })
    .join();
    assert!(outcome.is_err());
    assert_eq!(count(&store, "SELECT count(*) FROM merchants"), 0);
    store
        .with_tx(&actor(), |tx| botdesk_store::insert(tx, merchant("Next")))
        .unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM merchants"), 1);
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM tx_context WHERE actor IS NOT NULL"
        ),
        0
    );
}

#[test]
fn lists_page_newest_first_with_a_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new("2026-01-01T00:00:00.000Z".parse().unwrap());
    let store = Store::open(
        dir.path(),
        StoreOptions {
            clock: Arc::new(clock.clone()),
            ..options()
        },
    )
    .unwrap();
    for i in 0..7 {
        store
            .with_tx(&actor(), |tx| {
                botdesk_store::insert(tx, product(&format!("P{i}"), 100))
            })
            .unwrap();
        clock.advance(time::Duration::seconds(1));
    }
    let mut seen = Vec::new();
    let mut page = PageRequest::first(3);
    loop {
        let got = store
            .read(|c| botdesk_store::list::<Product>(c, &Filter::live(), &page))
            .unwrap();
        seen.extend(got.items.iter().map(|p| p.data.name.clone()));
        match got.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => break,
        }
    }
    assert_eq!(seen, ["P6", "P5", "P4", "P3", "P2", "P1", "P0"]);
    let filtered = store
        .read(|c| {
            botdesk_store::list::<Product>(
                c,
                &Filter::live().eq("name", "P3".to_owned()),
                &PageRequest::first(10),
            )
        })
        .unwrap();
    assert_eq!(filtered.items.len(), 1);
    let bad = store
        .read(|c| {
            botdesk_store::list::<Product>(
                c,
                &Filter::live(),
                &PageRequest {
                    limit: 3,
                    cursor: Some("nonsense".into()),
                },
            )
        })
        .unwrap_err();
    assert_eq!(bad.code(), "store.invalid_cursor");
}

/// The bytes of the store file, which a refused open must leave alone.
fn file_bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn a_store_from_a_newer_botdesk_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path()));
    let db = dir.path().join(DB_FILE);
    let raw = Connection::open(&db).unwrap();
    raw.execute(
        "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) \
         VALUES (999, 'from_the_future', '2030-01-01T00:00:00Z', '1')",
        [],
    )
    .unwrap();
    drop(raw);
    let before = file_bytes(&db);

    let err = Store::open(dir.path(), options()).unwrap_err();
    assert!(
        matches!(err, StoreError::SchemaTooNew { found: 999, .. }),
        "got {err:?}"
    );
    assert_eq!(err.code(), "store.schema_too_new");
    assert!(err.to_string().contains("newer botdesk"));
    assert!(file_bytes(&db) == before, "the file is unchanged");
}

#[test]
fn truncated_and_garbage_files_are_refused_and_left_untouched() {
    let source = tempfile::tempdir().unwrap();
    {
        let store = open(source.path());
        for i in 0..200 {
            store
                .with_tx(&actor(), |tx| {
                    botdesk_store::insert(tx, product(&format!("Product {i}"), i))
                })
                .unwrap();
        }
    }
    let healthy = file_bytes(&source.path().join(DB_FILE));
    assert!(healthy.len() > 8 * 4096, "the store spans several pages");

    let mut cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated at a page boundary",
            healthy[..healthy.len() / 2 / 4096 * 4096].to_vec(),
            "store.corrupt",
        ),
        (
            "truncated mid-page",
            healthy[..healthy.len() / 2 + 123].to_vec(),
            "store.corrupt",
        ),
        (
            "truncated inside the header",
            healthy[..60].to_vec(),
            "store.corrupt",
        ),
        (
            "garbage",
            (0..50_000u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect(),
            "store.not_a_database",
        ),
        ("empty", Vec::new(), "store.not_a_database"),
        (
            "text",
            b"this is my shopping list, not a database\n".to_vec(),
            "store.not_a_database",
        ),
    ];
    // A sound header over damaged pages: only reading the pages finds it.
    let mut scribbled = healthy.clone();
    for b in &mut scribbled[4096 * 2..4096 * 4] {
        *b = 0xA5;
    }
    cases.push(("pages overwritten", scribbled, "store.corrupt"));

    for (what, bytes, code) in cases {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join(DB_FILE);
        std::fs::write(&db, &bytes).unwrap();
        let err = Store::open(dir.path(), options()).expect_err(what);
        assert_eq!(err.code(), code, "{what}: {err}");
        assert!(
            err.to_string().contains("left untouched"),
            "{what}: the message says so: {err}"
        );
        assert!(
            file_bytes(&db) == bytes,
            "{what}: the file is byte-for-byte unchanged"
        );
    }
}

#[test]
fn another_applications_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(DB_FILE);
    let other = Connection::open(&db).unwrap();
    other
        .execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me');")
        .unwrap();
    drop(other);
    let before = file_bytes(&db);
    let err = Store::open(dir.path(), options()).unwrap_err();
    assert_eq!(err.code(), "store.not_a_database", "{err}");
    assert!(file_bytes(&db) == before);
}

/// A directory nobody can write to. chmod is enough for an ordinary user; root ignores it, so
/// as root a read-only tmpfs is mounted (CI runs as root). Fails, never skips, when neither works.
struct ReadOnlyDir {
    path: PathBuf,
    mounted: bool,
}

impl ReadOnlyDir {
    fn new(path: PathBuf, bind_from: Option<&Path>) -> ReadOnlyDir {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(&path).unwrap();
        if let Some(src) = bind_from {
            for entry in std::fs::read_dir(src).unwrap() {
                let entry = entry.unwrap();
                std::fs::copy(entry.path(), path.join(entry.file_name())).unwrap();
            }
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o555)).unwrap();
        if tempfile::tempfile_in(&path).is_err() {
            return ReadOnlyDir {
                path,
                mounted: false,
            };
        }
        // We are root: a read-only bind mount of the directory onto itself.
        let ok = |args: &[&str]| {
            Command::new("mount")
                .args(args)
                .status()
                .is_ok_and(|s| s.success())
        };
        let p = path.to_str().unwrap();
        assert!(
            ok(&["--bind", p, p]) && ok(&["-o", "remount,ro,bind", p]),
            "cannot make a read-only directory: run the tests as a normal user, or as root with mount rights"
        );
        assert!(
            tempfile::tempfile_in(&path).is_err(),
            "the mount is read-only"
        );
        ReadOnlyDir {
            path,
            mounted: true,
        }
    }
}

impl Drop for ReadOnlyDir {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        if self.mounted {
            let _ = Command::new("umount").arg(&self.path).status();
        }
        let _ = std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(0o755));
    }
}

#[test]
fn a_read_only_data_dir_gives_a_clear_error() {
    let base = tempfile::tempdir().unwrap();

    let empty = ReadOnlyDir::new(base.path().join("empty"), None);
    let err = Store::open(&empty.path, options()).unwrap_err();
    assert_eq!(err.code(), "store.read_only", "{err}");
    assert!(err.to_string().contains("read-only"), "{err}");

    let existing = tempfile::tempdir().unwrap();
    drop(open(existing.path()));
    let before = file_bytes(&existing.path().join(DB_FILE));
    let ro = ReadOnlyDir::new(base.path().join("existing"), Some(existing.path()));
    let err = Store::open(&ro.path, options()).unwrap_err();
    assert_eq!(err.code(), "store.read_only", "{err}");
    assert!(file_bytes(&ro.path.join(DB_FILE)) == before);
}

#[test]
fn a_backup_taken_while_a_writer_commits_is_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open(dir.path()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let committed = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let writer = {
        let (store, stop, committed) = (store.clone(), stop.clone(), committed.clone());
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                store
                    .with_tx(&actor(), |tx| {
                        let m = botdesk_store::insert(tx, merchant(&format!("M{n}")))?;
                        let mut p = product(&format!("P{n}"), 100);
                        p.merchant_id = Some(m.id());
                        botdesk_store::insert(tx, p)
                    })
                    .unwrap();
                n += 1;
                committed.store(n, std::sync::atomic::Ordering::Relaxed);
            }
            n
        })
    };
    // The writer is committing (ten transactions in) when the backups start.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while committed.load(std::sync::atomic::Ordering::Relaxed) < 10 {
        assert!(
            std::time::Instant::now() < deadline,
            "the writer never got going"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let backups = tempfile::tempdir().unwrap();
    let in_process = store.backup_to(&backups.path().join("a.db")).unwrap();
    // The command-line path: another connection, as `botdesk backup` in another process uses.
    let from_file =
        botdesk_store::backup_file(&dir.path().join(DB_FILE), &backups.path().join("b.db"))
            .unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(
        written > 10,
        "the writer kept committing ({written} transactions)"
    );

    for report in [in_process, from_file] {
        assert_eq!(
            report.schema_version,
            botdesk_store::latest_schema_version()
        );
        let copy = Connection::open(&report.path).unwrap();
        let verdict: String = copy
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(verdict, "ok");
        let fk: i64 = copy
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(fk, 0);
        // Each transaction wrote a merchant and its product together: a consistent copy has
        // the same number of each, and the audit trail to match.
        let merchants: i64 = copy
            .query_row("SELECT count(*) FROM merchants", [], |r| r.get(0))
            .unwrap();
        let products: i64 = copy
            .query_row("SELECT count(*) FROM products", [], |r| r.get(0))
            .unwrap();
        let audited: i64 = copy
            .query_row(
                "SELECT count(*) FROM audit_logs WHERE table_name IN ('merchants', 'products')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(merchants > 0);
        assert_eq!(merchants, products);
        assert_eq!(audited, merchants + products);
        drop(copy);
        // And it opens as a store.
        let restored = tempfile::tempdir().unwrap();
        std::fs::copy(&report.path, restored.path().join(DB_FILE)).unwrap();
        let reopened = open(restored.path());
        assert_eq!(
            count(&reopened, "SELECT count(*) FROM merchants"),
            merchants
        );
    }

    let err = store.backup_to(&backups.path().join("a.db")).unwrap_err();
    assert_eq!(err.code(), "store.backup_target_exists");
}

#[test]
fn readers_keep_reading_while_a_long_write_transaction_runs() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open(dir.path()));
    store
        .with_tx(&actor(), |tx| botdesk_store::insert(tx, merchant("Before")))
        .unwrap();

    let (in_tx, writer_inside) = mpsc::channel();
    let (reads_done, wait_for_reads) = mpsc::channel::<()>();
    let writer = {
        let store = store.clone();
        std::thread::spawn(move || {
            store
                .with_tx(&actor(), |tx| -> Result<bool, StoreError> {
                    botdesk_store::insert(tx, merchant("During"))?;
                    in_tx.send(()).unwrap();
                    // Hold the write open until the reader is done; if reads were blocked by this
                    // transaction, they would never finish and this would time out.
                    Ok(wait_for_reads.recv_timeout(Duration::from_secs(20)).is_ok())
                })
                .unwrap()
        })
    };
    writer_inside.recv().unwrap();
    for _ in 0..50 {
        // The write is not committed: readers see the snapshot before it.
        assert_eq!(count(&store, "SELECT count(*) FROM merchants"), 1);
    }
    reads_done.send(()).unwrap();
    assert!(
        writer.join().unwrap(),
        "the reads finished while the write was open"
    );
    assert_eq!(count(&store, "SELECT count(*) FROM merchants"), 2);
}

#[test]
fn tombstones_hide_rows_and_restore_brings_them_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let id = store
        .with_tx(&actor(), |tx| {
            botdesk_store::insert(tx, product("Cap", 900))
        })
        .unwrap()
        .id();
    store
        .with_tx(&actor(), |tx| botdesk_store::soft_delete::<Product>(tx, id))
        .unwrap();
    let err = store
        .read(|c| botdesk_store::get::<Product>(c, id))
        .unwrap_err();
    assert_eq!(err.code(), "store.not_found");
    let tomb = store
        .read(|c| botdesk_store::find::<Product>(c, id))
        .unwrap()
        .unwrap();
    assert!(
        tomb.meta.deleted_at.is_some(),
        "the tombstone is kept for sync"
    );
    // Deleting twice is not found, not a second tombstone.
    let err = store
        .with_tx(&actor(), |tx| botdesk_store::soft_delete::<Product>(tx, id))
        .unwrap_err();
    assert_eq!(err.code(), "store.not_found");
    store
        .with_tx(&actor(), |tx| botdesk_store::restore::<Product>(tx, id))
        .unwrap();
    assert_eq!(
        store
            .read(|c| botdesk_store::get::<Product>(c, id))
            .unwrap()
            .data
            .name,
        "Cap"
    );
    let actions: Vec<String> = store
        .read(|c| {
            Ok::<_, StoreError>(
                c.prepare("SELECT action FROM audit_logs WHERE record_id = ?1 ORDER BY seq")?
                    .query_map([id], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()?,
            )
        })
        .unwrap();
    assert_eq!(actions, ["insert", "delete", "restore"]);
    let at: Timestamp = tomb.meta.deleted_at.unwrap();
    assert!(at >= tomb.meta.created_at);
}

#[test]
fn the_read_pool_survives_panics_and_shares_few_connections_among_many_threads() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        Store::open(
            dir.path(),
            StoreOptions {
                max_readers: 2,
                ..options()
            },
        )
        .unwrap(),
    );
    for _ in 0..10 {
        let s = store.clone();
        let panicked = std::thread::spawn(move || {
            s.read(|_| -> Result<(), StoreError> { panic!("a bug inside a read") })
        })
        .join();
        assert!(panicked.is_err());
    }
    // Had the panics leaked their connections, this would wait for ever.
    let threads: Vec<_> = (0..32)
        .map(|_| {
            let s = store.clone();
            std::thread::spawn(move || {
                for _ in 0..20 {
                    assert_eq!(count(&s, "SELECT count(*) FROM message_templates"), 3);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

#[test]
fn the_data_version_moves_with_every_commit_from_any_connection() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let v0 = store.data_version().unwrap();
    assert_eq!(
        store.data_version().unwrap(),
        v0,
        "nothing committed, nothing moved"
    );
    store
        .with_tx(&actor(), |tx| botdesk_store::insert(tx, merchant("A")))
        .unwrap();
    let v1 = store.data_version().unwrap();
    assert_ne!(v1, v0, "this store's own commit");
    let other = Connection::open(dir.path().join(DB_FILE)).unwrap();
    other
        .execute("UPDATE merchants SET name = 'B'", [])
        .unwrap();
    assert_ne!(
        store.data_version().unwrap(),
        v1,
        "another process's commit"
    );
}

#[test]
fn a_closed_store_is_one_file_even_after_reads() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store
        .with_tx(&actor(), |tx| botdesk_store::insert(tx, merchant("A")))
        .unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM merchants"), 1);
    store.data_version().unwrap();
    drop(store);
    let wal = dir.path().join("botdesk.db-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "the log was checkpointed into the file"
    );
    let raw = Connection::open_with_flags(
        dir.path().join(DB_FILE),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let n: i64 = raw
        .query_row("SELECT count(*) FROM merchants", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn every_local_change_carries_a_later_clock_value_than_anything_seen() {
    let dir = tempfile::tempdir().unwrap();
    // A clock that does not move: the counter tells changes of one instant apart.
    let clock = ManualClock::new("2026-12-04T09:00:00Z".parse::<Timestamp>().unwrap());
    let store = Store::open(
        dir.path(),
        StoreOptions {
            clock: Arc::new(clock.clone()),
            ..StoreOptions::default()
        },
    )
    .unwrap();
    let write = |name: &str| {
        store
            .with_tx(&actor(), |tx| botdesk_store::insert(tx, merchant(name)))
            .unwrap()
    };
    write("a");
    write("b");
    let clocks = |store: &Store| -> Vec<String> {
        store
            .read(|c| {
                let mut s = c.prepare("SELECT hlc FROM change_log ORDER BY seq")?;
                let rows = s.query_map([], |r| r.get::<_, String>(0))?;
                rows.collect::<Result<Vec<_>, _>>()
                    .map_err(StoreError::from)
            })
            .unwrap()
    };
    let device = store.device_id().to_owned();
    assert_eq!(
        clocks(&store),
        [
            format!("1796374800000-000000-{device}"),
            format!("1796374800000-000001-{device}")
        ]
    );
    // A change pulled from a device whose clock runs ahead: the next local change comes after.
    let ahead: botdesk_store::Hlc = "1796374900000-000004-other".parse().unwrap();
    store
        .with_tx_from(&actor(), botdesk_store::Origin::Sync, |tx| {
            botdesk_store::insert(tx, merchant("pulled"))?;
            tx.observe_hlc(&ahead)
        })
        .unwrap();
    write("c");
    let all = clocks(&store);
    assert_eq!(all.len(), 3, "the pulled row is not logged: {all:?}");
    assert_eq!(all[2], format!("1796374900000-000005-{device}"));
    // Another process (the CLI) shares the clock: it is kept in the store, not in memory. Its
    // wall clock is behind the value seen (a fixed one: the real time of day would not be).
    drop(store);
    let again = Store::open(
        dir.path(),
        StoreOptions {
            clock: Arc::new(clock.clone()),
            ..StoreOptions::default()
        },
    )
    .unwrap();
    again
        .with_tx(&actor(), |tx| botdesk_store::insert(tx, merchant("d")))
        .unwrap();
    assert_eq!(
        clocks(&again)[3],
        format!("1796374900000-000006-{device}"),
        "the wall clock (behind) does not take the value back"
    );
}
