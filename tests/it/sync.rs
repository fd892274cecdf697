//! The sync engine between real local stores (SQLite files in temp dirs) and a real PostgreSQL
//! with the Supabase migrations: offline edits on two devices converge; concurrent edits of a
//! row and a delete against an edit are decided by the clock, identically on both; a row the
//! server's policies refuse is kept as a visible sync error; a connection cut in the middle of
//! a push or a pull loses and doubles nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use botdesk_core::store::tables::merchants::{Merchant, MerchantStatus};
use botdesk_core::store::tables::products::{Product, ProductStatus};
use botdesk_core::store::{Actor, Id, ManualClock, Store, StoreOptions, Timestamp};
use botdesk_sync::{RemoteConfig, SyncError, sync_once};

use crate::pg::Pg;
use crate::support::CuttingProxy;

const OWNER: &str = "11111111-1111-4111-8111-111111111111";
const STAFF: &str = "22222222-2222-4222-8222-222222222222";

struct Device {
    store: Arc<Store>,
    clock: ManualClock,
    _dir: tempfile::TempDir,
}

impl Device {
    fn new(start: &str) -> Device {
        let dir = tempfile::tempdir().unwrap();
        let clock = ManualClock::new(start.parse::<Timestamp>().unwrap());
        let store = Store::open(
            dir.path(),
            StoreOptions {
                clock: Arc::new(clock.clone()),
                ..StoreOptions::default()
            },
        )
        .unwrap();
        Device {
            store: Arc::new(store),
            clock,
            _dir: dir,
        }
    }

    fn config(&self, pg: &Pg, user: &str) -> RemoteConfig {
        RemoteConfig {
            connection_string: pg.url("postgres"),
            user_id: Some(user.to_owned()),
            device_id: self.store.device_id().to_owned(),
        }
    }

    fn sync(&self, pg: &Pg) -> botdesk_sync::SyncReport {
        self.sync_with(&self.config(pg, OWNER)).unwrap()
    }

    fn sync_with(&self, config: &RemoteConfig) -> Result<botdesk_sync::SyncReport, SyncError> {
        runtime().block_on(sync_once(&self.store, config, |_| {}))
    }

    fn write<T>(
        &self,
        f: impl FnOnce(&botdesk_core::store::Tx<'_>) -> Result<T, botdesk_core::store::StoreError>,
    ) -> T {
        self.store
            .with_tx(&Actor::Desktop("tester".into()), f)
            .unwrap()
    }

    fn merchant(&self, name: &str) -> Id {
        self.write(|tx| {
            botdesk_core::store::insert(
                tx,
                Merchant {
                    name: name.into(),
                    phone: None,
                    email: None,
                    status: MerchantStatus::Active,
                    settings: serde_json::json!({"note": name}),
                },
            )
        })
        .meta
        .id
    }

    fn rename(&self, id: Id, name: &str) {
        self.write(|tx| {
            let mut m = botdesk_core::store::get::<Merchant>(tx, id)?.data;
            m.name = name.into();
            botdesk_core::store::update(tx, id, m)
        });
    }

    /// (table, id, a description of the row) of every synced row: what two converged devices
    /// must agree on.
    fn rows(&self) -> Vec<(String, String, String)> {
        self.store
            .read(|c| {
                let mut out = Vec::new();
                for (table, cols) in [
                    ("merchants", "name || '|' || ifnull(deleted_at, '-') || '|' || settings"),
                    ("products", "name || '|' || price_minor || '|' || ifnull(merchant_id, '-') || '|' || ifnull(deleted_at, '-')"),
                ] {
                    let mut s = c.prepare(&format!("SELECT id, {cols} FROM {table} ORDER BY id"))?;
                    let rows = s.query_map([], |r| {
                        Ok((table.to_owned(), r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                    })?;
                    for r in rows {
                        out.push(r?);
                    }
                }
                Ok::<_, botdesk_core::store::StoreError>(out)
            })
            .unwrap()
    }

    fn pending(&self) -> i64 {
        self.count("SELECT count(*) FROM change_log")
    }

    fn count(&self, sql: &str) -> i64 {
        self.store
            .read(|c| {
                c.query_row(sql, [], |r| r.get(0))
                    .map_err(botdesk_core::store::StoreError::from)
            })
            .unwrap()
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn server(pg: &Pg) -> postgres::Client {
    let mut c = pg.admin();
    // The users are fixtures, not part of any clock scenario: they carry the earliest clock
    // (written as a push would), so that pulling them moves no device's clock. Written as the
    // bot writes, they would get the server's wall clock, and every device that pulled them
    // would edit at that same instant, whatever its own (fixed, test) clock says.
    c.batch_execute(&format!(
        "BEGIN; SET LOCAL botdesk_sync.pushing = 'on'; \
         INSERT INTO public.users (id, display_name, role, hlc) VALUES \
         ('{OWNER}', 'Owner', 'owner', '0000000000000-000000-fixture'), \
         ('{STAFF}', 'Staff', 'staff', '0000000000000-000000-fixture'); COMMIT;"
    ))
    .unwrap();
    c
}

fn product(tx: &botdesk_core::store::Tx<'_>, merchant: Id, name: &str) -> Id {
    botdesk_core::store::insert(
        tx,
        Product {
            merchant_id: Some(merchant),
            sku: None,
            name: name.into(),
            description: String::new(),
            price_minor: 250,
            currency: "USD".into(),
            stock: None,
            status: ProductStatus::Active,
        },
    )
    .unwrap()
    .meta
    .id
}

#[test]
fn offline_edits_on_two_devices_converge() {
    let pg = Pg::start();
    let mut db = server(&pg);
    let a = Device::new("2026-12-04T09:00:00Z");
    let b = Device::new("2026-12-04T09:00:00Z");
    // Offline, each on its own: A opens a shop with a product, B opens another.
    let shop = a.merchant("Corner shop");
    a.write(|tx| Ok(product(tx, shop, "Mango")));
    let other = b.merchant("Market stall");
    assert_eq!(a.pending(), 2);
    let first = a.sync(&pg);
    assert_eq!(first.pushed.applied, 2, "{first:?}");
    assert_eq!(a.pending(), 0, "the change log is drained");
    b.sync(&pg);
    a.sync(&pg);
    assert_eq!(a.rows(), b.rows(), "both devices hold the same rows");
    assert_eq!(a.rows().len(), 3);
    // B's product, for A's shop, made after B pulled it: the foreign key holds on every side.
    b.write(|tx| Ok(product(tx, shop, "Lime")));
    b.rename(other, "Market stall (north)");
    b.sync(&pg);
    a.sync(&pg);
    assert_eq!(a.rows(), b.rows());
    assert_eq!(a.rows().len(), 4);
    // Nothing pulled was logged to be pushed back.
    assert_eq!(a.pending(), 0);
    assert_eq!(b.pending(), 0);
    // The server holds the same, once each.
    let n: i64 = db
        .query_one("SELECT count(*) FROM public.products", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 2);
    // A sync with nothing to do does nothing.
    let idle = a.sync(&pg);
    assert_eq!((idle.batches, idle.pulled.applied), (0, 0), "{idle:?}");
    let _ = other;
}

#[test]
fn concurrent_edits_are_decided_by_the_clock_the_same_way_on_both_devices() {
    let pg = Pg::start();
    let _db = server(&pg);
    let a = Device::new("2026-12-04T09:00:00Z");
    let b = Device::new("2026-12-04T09:00:00Z");
    let shop = a.merchant("Shop");
    a.sync(&pg);
    b.sync(&pg);
    // Both rename it while offline; B's rename is the later one. A syncs first.
    a.clock.advance(time::Duration::minutes(1));
    a.rename(shop, "A's name");
    b.clock.advance(time::Duration::minutes(2));
    b.rename(shop, "B's name");
    a.sync(&pg);
    let report = b.sync(&pg);
    assert_eq!(
        report.pushed.applied, 1,
        "B's later change wins on the server: {report:?}"
    );
    a.sync(&pg);
    assert_eq!(a.rows(), b.rows());
    assert!(a.rows()[0].2.starts_with("B's name"), "{:?}", a.rows());

    // The other way round: now A's rename is later, but B syncs first.
    a.clock.advance(time::Duration::minutes(5));
    a.rename(shop, "A again");
    b.clock.advance(time::Duration::minutes(3));
    b.rename(shop, "B again");
    b.sync(&pg);
    let report = a.sync(&pg);
    assert_eq!(report.pushed.applied, 1, "{report:?}");
    let report = b.sync(&pg);
    assert_eq!(report.pulled.applied, 1, "B takes A's: {report:?}");
    assert_eq!(a.rows(), b.rows());
    assert!(a.rows()[0].2.starts_with("A again"), "{:?}", a.rows());

    // A device that pulled a change and edits after it wins, even with its clock behind.
    let behind = Device::new("2026-01-01T00:00:00Z");
    behind.sync(&pg);
    behind.rename(shop, "edited after seeing A's");
    behind.sync(&pg);
    a.sync(&pg);
    assert!(
        a.rows()[0].2.starts_with("edited after seeing A's"),
        "{:?}",
        a.rows()
    );
}

#[test]
fn a_delete_and_an_edit_the_later_one_wins() {
    let pg = Pg::start();
    let _db = server(&pg);
    let a = Device::new("2026-12-04T09:00:00Z");
    let b = Device::new("2026-12-04T09:00:00Z");
    let kept = a.merchant("Edited after its delete");
    let gone = a.merchant("Deleted after its edit");
    a.sync(&pg);
    b.sync(&pg);
    // `kept`: A deletes it, B edits it later. `gone`: B edits it, A deletes it later.
    a.clock.advance(time::Duration::minutes(1));
    a.write(|tx| botdesk_core::store::soft_delete::<Merchant>(tx, kept));
    b.clock.advance(time::Duration::minutes(2));
    b.rename(kept, "Edited after its delete!");
    b.rename(gone, "Deleted after its edit!");
    a.clock.advance(time::Duration::minutes(3));
    a.write(|tx| botdesk_core::store::soft_delete::<Merchant>(tx, gone));
    a.sync(&pg);
    b.sync(&pg);
    a.sync(&pg);
    assert_eq!(a.rows(), b.rows());
    let by_id = |id: Id| {
        a.rows()
            .into_iter()
            .find(|r| r.1 == id.to_string())
            .unwrap()
            .2
    };
    assert!(
        by_id(kept).contains("|-|"),
        "the later edit undeletes it: {}",
        by_id(kept)
    );
    assert!(
        !by_id(gone).contains("|-|"),
        "the later delete stands: {}",
        by_id(gone)
    );
    // The tombstone is a row everywhere, so later devices learn of the delete too.
    let late = Device::new("2026-12-04T10:00:00Z");
    late.sync(&pg);
    assert_eq!(late.rows(), a.rows());
}

#[test]
fn a_row_the_policies_refuse_becomes_a_sync_error_the_owner_can_see() {
    let pg = Pg::start();
    let _db = server(&pg);
    let staff = Device::new("2026-12-04T09:00:00Z");
    let shop = staff.merchant("Not mine to create");
    let report = staff.sync_with(&staff.config(&pg, STAFF)).unwrap();
    assert_eq!(report.pushed.refused, 1, "{report:?}");
    let (code, reason, row): (String, String, String) = staff
        .store
        .read(|c| {
            c.query_row("SELECT code, reason, row_id FROM sync_errors", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(botdesk_core::store::StoreError::from)
        })
        .unwrap();
    assert_eq!(code, "42501");
    assert!(reason.contains("row-level security"), "{reason}");
    assert_eq!(row, shop.to_string());
    // Kept here, not dropped: the row is still on this device, and is not re-sent on every
    // sync until the owner decides.
    assert_eq!(staff.rows().len(), 1);
    let again = staff.sync_with(&staff.config(&pg, STAFF)).unwrap();
    assert_eq!(again.batches, 0, "{again:?}");
}

#[test]
fn a_connection_cut_mid_push_or_mid_pull_loses_and_doubles_nothing() {
    let pg = Pg::start();
    let mut db = server(&pg);
    let a = Device::new("2026-12-04T09:00:00Z");
    let shop = a.merchant("Shop");
    a.write(|tx| {
        for n in 0..300 {
            product(tx, shop, &format!("Product {n}"));
        }
        Ok(())
    });
    // Cut the server's answers at every point of a push, from the first byte on: each time the
    // batch may or may not have been applied; sending it again must come to the same rows.
    let budget = Arc::new(AtomicUsize::new(0));
    let proxy = CuttingProxy::start(pg.port, Arc::clone(&budget));
    let mut via_proxy = a.config(&pg, OWNER);
    via_proxy.connection_string = via_proxy.connection_string.replace(
        &format!("port={}", pg.port),
        &format!("port={}", proxy.port),
    );
    let mut failures = 0;
    for cut in [0usize, 200, 600, 1200, 2500, 5000, 20_000] {
        budget.store(cut, Ordering::SeqCst);
        if let Err(e) = a.sync_with(&via_proxy) {
            assert!(
                e.is_transient(),
                "a cut connection is a transient error: {e}"
            );
            failures += 1;
        }
    }
    assert!(
        failures >= 4,
        "the connection was cut mid-sync {failures} times"
    );
    assert!(proxy.cuts.load(Ordering::SeqCst) >= 4);
    proxy.armed.store(false, Ordering::SeqCst);
    a.sync_with(&via_proxy).unwrap();
    assert_eq!(a.pending(), 0);
    let (products, batches): (i64, i64) = {
        let r = db
            .query_one(
                "SELECT (SELECT count(*) FROM public.products), \
                        (SELECT count(*) FROM botdesk_sync.batches)",
                &[],
            )
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!(products, 300, "every row once");
    assert_eq!(
        batches, 1,
        "one batch, applied once, however often it was sent"
    );

    // Now pulls: B's pull cut at every point. The cursor moves only with what was applied.
    let b = Device::new("2026-12-04T09:00:00Z");
    let mut b_proxy = b.config(&pg, OWNER);
    b_proxy.connection_string = via_proxy.connection_string.clone();
    proxy.armed.store(true, Ordering::SeqCst);
    for cut in [3000usize, 30_000, 60_000, 120_000] {
        budget.store(cut, Ordering::SeqCst);
        let _ = b.sync_with(&b_proxy);
    }
    proxy.armed.store(false, Ordering::SeqCst);
    b.sync_with(&b_proxy).unwrap();
    assert_eq!(b.rows(), a.rows());
    assert_eq!(b.count("SELECT count(*) FROM products"), 300);
    assert_eq!(b.pending(), 0, "pulled rows are not pushed back");
}

#[test]
fn what_syncs_matches_both_schemas_column_for_column() {
    let pg = Pg::start();
    let mut db = pg.admin();
    let local = Device::new("2026-12-04T09:00:00Z");
    for table in botdesk_sync::tables::TABLES {
        let mut want: Vec<String> = table.columns.iter().map(|(c, _)| (*c).to_owned()).collect();
        want.push("id".into());
        want.sort();
        let mut here: Vec<String> = local
            .store
            .read(|c| {
                let mut s = c.prepare(&format!("PRAGMA table_info({})", table.name))?;
                let names = s.query_map([], |r| r.get::<_, String>(1))?;
                names
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(botdesk_core::store::StoreError::from)
            })
            .unwrap();
        here.sort();
        assert_eq!(
            here, want,
            "the local {} table and the sync spec",
            table.name
        );
        let there: Vec<String> = db
            .query(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name = $1",
                &[&table.name],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        for (column, kind) in table.columns {
            let synced = *kind != botdesk_sync::tables::Kind::LocalOnly;
            assert_eq!(
                there.contains(&(*column).to_owned()),
                synced,
                "{}.{column} on the server",
                table.name
            );
        }
    }
}

#[test]
fn the_connection_is_encrypted_as_sslmode_says_and_checked_when_asked() {
    let pg = Pg::start_tls();
    let _db = server(&pg);
    let a = Device::new("2026-12-04T09:00:00Z");
    a.merchant("Over TLS");
    let with = |tail: &str| RemoteConfig {
        connection_string: format!(
            "postgresql://syncer@127.0.0.1:{}/postgres?connect_timeout=5{tail}",
            pg.port
        ),
        user_id: Some(OWNER.to_owned()),
        device_id: a.store.device_id().to_owned(),
    };
    // In the clear: this role may not.
    let refused = a.sync_with(&with("&sslmode=disable")).unwrap_err();
    assert!(refused.to_string().contains("pg_hba"), "{refused}");
    // Checked against a CA the system does not know: refused.
    let unknown = a.sync_with(&with("&sslmode=verify-full")).unwrap_err();
    assert!(
        unknown.to_string().to_lowercase().contains("certificate"),
        "{unknown}"
    );
    // Encrypted (libpq's `require`: whoever's certificate), then checked against the
    // project's CA file: both sync.
    let report = a.sync_with(&with("&sslmode=require")).unwrap();
    assert_eq!(report.pushed.applied, 1, "{report:?}");
    let root = pg.tls_cert().display().to_string();
    let verified = with(&format!("&sslmode=verify-full&sslrootcert={root}"));
    a.sync_with(&verified).unwrap();
    // And the default (prefer) takes TLS when it is offered.
    a.sync_with(&with("")).unwrap();
    // A root file that is not one is a clear error, not a connection attempt.
    let bad = a
        .sync_with(&with(
            "&sslmode=verify-full&sslrootcert=/nonexistent/ca.crt",
        ))
        .unwrap_err();
    assert_eq!(bad.code(), "sync.invalid_connection_string", "{bad}");
}

#[test]
fn sync_works_through_a_transaction_mode_pooler() {
    let pg = Pg::start();
    let mut db = server(&pg);
    let pooler = crate::pg::Pooler::start(&pg);
    let devices: Vec<Device> = (0..3)
        .map(|_| Device::new("2026-12-04T09:00:00Z"))
        .collect();
    for (n, d) in devices.iter().enumerate() {
        for m in 0..20 {
            d.merchant(&format!("Shop {n}.{m}"));
        }
    }
    let through = |d: &Device| RemoteConfig {
        connection_string: format!(
            "host=127.0.0.1 port={} user=postgres dbname=postgres connect_timeout=5",
            pooler.port
        ),
        user_id: Some(OWNER.to_owned()),
        device_id: d.store.device_id().to_owned(),
    };
    // All at once, twice over, sharing the pooler's one server connection.
    for _ in 0..2 {
        std::thread::scope(|s| {
            for d in &devices {
                let config = through(d);
                s.spawn(move || d.sync_with(&config).unwrap());
            }
        });
    }
    for d in &devices {
        d.sync_with(&through(d)).unwrap();
    }
    let n: i64 = db
        .query_one("SELECT count(*) FROM public.merchants", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 60);
    assert_eq!(devices[0].rows(), devices[1].rows());
    assert_eq!(devices[1].rows(), devices[2].rows());
}
