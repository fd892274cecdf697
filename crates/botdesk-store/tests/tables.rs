//! Every table's typed query module round-trips its record through a real store: insert, get,
//! update, list, soft delete, with the audit trail following along.

// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

use std::fmt::Debug;

use botdesk_store::tables::delivery_tasks::{self, DeliveryStatus, DeliveryTask};
use botdesk_store::tables::media_files::{self, MediaFile, MediaKind, MediaStatus};
use botdesk_store::tables::merchants::{Merchant, MerchantStatus};
use botdesk_store::tables::message_templates::{
    HeaderType, MessageTemplate, ParameterFormat, TemplateCategory, TemplateKind, TemplateStatus,
};
use botdesk_store::tables::order_items::{self, OrderItem};
use botdesk_store::tables::orders::{self, Order, OrderStatus, PaymentStatus};
use botdesk_store::tables::product_media::{self, ProductMedia};
use botdesk_store::tables::products::{Product, ProductStatus};
use botdesk_store::tables::template_versions::{self, TemplateVersion};
use botdesk_store::tables::users::{self, User, UserRole};
use botdesk_store::tables::webhook_logs::{self, DeliveryOutcome, NewWebhookLog};
use botdesk_store::tables::webhooks::{self, Ciphertext, Webhook};
use botdesk_store::{Actor, Filter, Id, PageRequest, Record, Store, StoreError, StoreOptions};
use serde_json::json;

fn actor() -> Actor {
    Actor::Cli("test".into())
}

/// Inserts, reads back, updates, lists and deletes one record; returns its id (deleted).
fn round_trip<T>(store: &Store, record: T, change: impl FnOnce(&mut T)) -> Id
where
    T: Record + Clone + PartialEq + Debug,
{
    let stored = store
        .with_tx(&actor(), |tx| botdesk_store::insert(tx, record.clone()))
        .unwrap();
    let id = stored.id();
    let read = store.read(|c| botdesk_store::get::<T>(c, id)).unwrap();
    assert_eq!(
        read.data,
        record,
        "{} reads back what was written",
        T::TABLE
    );
    assert_eq!(read.meta, stored.meta);

    let mut changed = record.clone();
    change(&mut changed);
    assert_ne!(
        changed,
        record,
        "{}: the change changes something",
        T::TABLE
    );
    let updated = store
        .with_tx(&actor(), |tx| {
            botdesk_store::update(tx, id, changed.clone())
        })
        .unwrap();
    assert_eq!(updated.data, changed);

    let page = store
        .read(|c| botdesk_store::list::<T>(c, &Filter::live(), &PageRequest::first(500)))
        .unwrap();
    assert!(
        page.items.iter().any(|r| r.id() == id),
        "{} lists the row",
        T::TABLE
    );

    store
        .with_tx(&actor(), |tx| botdesk_store::soft_delete::<T>(tx, id))
        .unwrap();
    let audited: i64 = store
        .read(|c| {
            Ok::<_, StoreError>(c.query_row(
                "SELECT count(*) FROM audit_logs WHERE table_name = ?1 AND record_id = ?2",
                [T::TABLE, &id.to_string()],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    let logged: i64 = store
        .read(|c| {
            Ok::<_, StoreError>(c.query_row(
                "SELECT count(*) FROM change_log WHERE table_name = ?1 AND row_id = ?2",
                [T::TABLE, &id.to_string()],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(
        logged,
        3,
        "{}: insert, update and delete are in the change log",
        T::TABLE
    );
    let expected_audit = if T::TABLE == "template_versions" {
        0
    } else {
        3
    };
    assert_eq!(audited, expected_audit, "{}: audit rows", T::TABLE);
    id
}

fn insert<T: Record + Clone>(store: &Store, record: T) -> Id {
    store
        .with_tx(&actor(), |tx| botdesk_store::insert(tx, record))
        .unwrap()
        .id()
}

#[test]
fn every_table_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreOptions::default()).unwrap();

    let user = User {
        email: Some("amina@example.com".into()),
        display_name: "Amina".into(),
        role: UserRole::Owner,
        phone: None,
    };
    round_trip(&store, user.clone(), |u| u.role = UserRole::Admin);
    let amina = insert(
        &store,
        User {
            email: Some("AMINA2@example.com".into()),
            ..user
        },
    );
    assert_eq!(
        store
            .read(|c| users::find_by_email(c, "amina2@EXAMPLE.com"))
            .unwrap()
            .unwrap()
            .id(),
        amina
    );

    let merchant = Merchant {
        name: "Corner shop".into(),
        phone: Some("+15550100".into()),
        email: None,
        status: MerchantStatus::Active,
        settings: json!({"currency": "USD"}),
    };
    round_trip(&store, merchant.clone(), |m| {
        m.status = MerchantStatus::Suspended
    });
    let shop = insert(&store, merchant);

    let media = MediaFile {
        owner_id: Some(amina),
        merchant_id: Some(shop),
        sha256: "a".repeat(64),
        file_name: "mug.jpg".into(),
        mime_type: "image/jpeg".into(),
        declared_mime_type: Some("image/png".into()),
        kind: MediaKind::Image,
        size_bytes: 123_456,
        width: Some(4000),
        height: Some(3000),
        status: MediaStatus::Pending,
        variants: json!({}),
        failed_reason: None,
        metadata_stripped: false,
        had_location: false,
    };
    round_trip(&store, media.clone(), |m| {
        m.status = MediaStatus::Ready;
        m.variants = json!({"thumbnail": {"width": 200, "height": 200, "bytes": 9000}});
        m.metadata_stripped = true;
    });
    let photo = insert(&store, media);
    assert_eq!(
        store
            .read(|c| media_files::count_by_sha256(c, &"a".repeat(64)))
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .read(|c| media_files::find_by_sha256(c, &"a".repeat(64)))
            .unwrap()[0]
            .id(),
        photo
    );

    let template = MessageTemplate {
        name: "back_in_stock".into(),
        kind: TemplateKind::Media,
        category: TemplateCategory::Marketing,
        language: "en_US".into(),
        status: TemplateStatus::Draft,
        whatsapp_status: None,
        parameter_format: ParameterFormat::Positional,
        header_type: HeaderType::Image,
        header_text: None,
        header_media_id: Some(photo),
        body: "Good news: {{1}} is back in stock.".into(),
        footer: None,
        buttons: json!([]),
        list_button: None,
        list_sections: json!([]),
        variables: json!([{"name": "1", "example": "the blue mug"}]),
        version: 1,
        created_by: Some(amina),
    };
    round_trip(&store, template.clone(), |t| {
        t.status = TemplateStatus::Active;
        t.version = 2;
    });
    let tpl = insert(&store, template);
    assert_eq!(
        store
            .read(|c| botdesk_store::tables::message_templates::using_media(c, photo))
            .unwrap(),
        [tpl]
    );

    round_trip(
        &store,
        TemplateVersion {
            template_id: tpl,
            version: 1,
            snapshot: json!({"body": "x"}),
            change_summary: "Created".into(),
            created_by: Some(amina),
            actor: Some("desktop:amina".into()),
        },
        |v| v.change_summary = "First".into(),
    );
    insert(
        &store,
        TemplateVersion {
            template_id: tpl,
            version: 2,
            snapshot: json!({"body": "y"}),
            change_summary: "Edited".into(),
            created_by: None,
            actor: None,
        },
    );
    let versions = store
        .read(|c| template_versions::for_template(c, tpl))
        .unwrap();
    assert_eq!(
        versions.iter().map(|v| v.data.version).collect::<Vec<_>>(),
        [2]
    );

    let product = Product {
        merchant_id: Some(shop),
        sku: Some("MUG-1".into()),
        name: "Blue mug".into(),
        description: "Holds tea".into(),
        price_minor: 1250,
        currency: "EUR".into(),
        stock: Some(4),
        status: ProductStatus::Active,
    };
    round_trip(&store, product.clone(), |p| p.stock = Some(3));
    let mug = insert(&store, product);

    round_trip(
        &store,
        ProductMedia {
            product_id: mug,
            media_id: photo,
            position: 0,
            is_primary: true,
        },
        |l| l.position = 1,
    );
    insert(
        &store,
        ProductMedia {
            product_id: mug,
            media_id: photo,
            position: 0,
            is_primary: true,
        },
    );
    assert_eq!(
        store
            .read(|c| product_media::for_product(c, mug))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .read(|c| product_media::for_media(c, photo))
            .unwrap()
            .len(),
        1
    );

    let order = Order {
        merchant_id: Some(shop),
        order_number: "ORD-1".into(),
        customer_phone: Some("+15550199".into()),
        customer_name: Some("Sam".into()),
        status: OrderStatus::Pending,
        payment_status: PaymentStatus::Unpaid,
        total_minor: 2500,
        currency: "EUR".into(),
        notes: String::new(),
    };
    round_trip(&store, order.clone(), |o| o.status = OrderStatus::Confirmed);
    let ord = insert(
        &store,
        Order {
            order_number: "ORD-2".into(),
            ..order
        },
    );
    assert_eq!(
        store
            .read(|c| orders::find_by_number(c, "ORD-2"))
            .unwrap()
            .unwrap()
            .id(),
        ord
    );

    round_trip(
        &store,
        OrderItem {
            order_id: ord,
            product_id: Some(mug),
            name: "Blue mug".into(),
            quantity: 2,
            unit_price_minor: 1250,
        },
        |i| i.quantity = 3,
    );
    insert(
        &store,
        OrderItem {
            order_id: ord,
            product_id: Some(mug),
            name: "Blue mug".into(),
            quantity: 1,
            unit_price_minor: 1250,
        },
    );
    assert_eq!(
        store
            .read(|c| order_items::for_order(c, ord))
            .unwrap()
            .len(),
        1
    );

    let task = DeliveryTask {
        order_id: ord,
        status: DeliveryStatus::Pending,
        assignee_name: None,
        assignee_phone: None,
        address: "12 High Street".into(),
        scheduled_at: Some("2026-12-01T10:00:00.000Z".parse().unwrap()),
        started_at: None,
        completed_at: None,
        notes: String::new(),
    };
    round_trip(&store, task.clone(), |t| {
        t.status = DeliveryStatus::InTransit
    });
    insert(&store, task);
    assert_eq!(
        store
            .read(|c| delivery_tasks::for_order(c, ord))
            .unwrap()
            .len(),
        1
    );

    let hook = Webhook {
        merchant_id: shop,
        url: "https://shop.example.com/hooks".into(),
        description: "Shop system".into(),
        events: json!(["order_created"]),
        enabled: true,
        disabled_reason: None,
        secret_ciphertext: Some(Ciphertext(vec![1, 2, 3])),
        previous_secret_ciphertext: None,
        previous_secret_expires_at: None,
        custom_headers: json!({"X-Shop": "1"}),
        timeout_ms: 5000,
        failing_since: None,
    };
    round_trip(&store, hook.clone(), |h| {
        h.enabled = false;
        h.disabled_reason = Some("410 Gone".into());
    });
    let endpoint = insert(&store, hook);
    assert_eq!(
        store
            .read(|c| webhooks::for_merchant(c, shop))
            .unwrap()
            .len(),
        1
    );
    let listed = serde_json::to_string(
        &store
            .read(|c| botdesk_store::get::<Webhook>(c, endpoint))
            .unwrap(),
    )
    .unwrap();
    assert!(
        !listed.contains("secret_ciphertext"),
        "secrets are never serialised: {listed}"
    );
    let audit_text: String = store
        .read(|c| {
            Ok::<_, StoreError>(c.query_row(
                "SELECT group_concat(changes) FROM audit_logs WHERE table_name = 'webhooks'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert!(audit_text.contains("[redacted]"));

    let log = store
        .with_tx(&actor(), |tx| {
            webhook_logs::insert(
                tx,
                NewWebhookLog {
                    webhook_id: endpoint,
                    event_id: "evt_1".into(),
                    event_type: "order_created".into(),
                    attempt: 1,
                    request_url: "https://shop.example.com/hooks".into(),
                    request_headers: json!({"webhook-id": "evt_1"}),
                    request_body: "{}".into(),
                    outcome: DeliveryOutcome::Failure,
                    response_status: Some(500),
                    response_body_excerpt: Some("oops".into()),
                    latency_ms: Some(12),
                    error: None,
                    delivery_id: None,
                },
            )
        })
        .unwrap();
    let logs = store
        .read(|c| webhook_logs::for_webhook(c, endpoint, None, 10))
        .unwrap();
    assert_eq!(logs, [log]);
    let err = store
        .with_tx(&actor(), |tx| {
            webhook_logs::insert(
                tx,
                NewWebhookLog {
                    event_type: "order_exploded".into(),
                    ..logs[0].attempt.clone()
                },
            )
        })
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::CheckViolation { field, .. } if field == "event_type"),
        "{err:?}"
    );
}

#[test]
fn triggers_cover_every_column() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
    let audited = [
        "users",
        "merchants",
        "media_files",
        "message_templates",
        "products",
        "product_media",
        "orders",
        "order_items",
        "delivery_tasks",
        "webhooks",
        "app_settings",
        "api_keys",
    ];
    store
        .read(|c| -> Result<(), StoreError> {
            let synced: Vec<String> = c
                .prepare("SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND EXISTS \
                          (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'deleted_at')")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            assert_eq!(synced.len(), 11, "{synced:?}");
            for table in &synced {
                for event in ["insert", "update", "delete"] {
                    let n: i64 = c.query_row(
                        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
                        [format!("changes_{table}_{event}")],
                        |r| r.get(0),
                    )?;
                    assert_eq!(n, 1, "{table} has its {event} change-log trigger");
                }
            }
            for table in audited {
                let columns: Vec<String> = c
                    .prepare("SELECT name FROM pragma_table_info(?1)")?
                    .query_map([table], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                let update_sql: String = c.query_row(
                    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
                    [format!("audit_{table}_update")],
                    |r| r.get(0),
                )?;
                for column in columns
                    .iter()
                    .filter(|c| !["updated_at", "device_id", "last_used_at"].contains(&c.as_str()))
                {
                    assert!(
                        update_sql.contains(&format!("OLD.{column} IS NOT NEW.{column}")),
                        "audit_{table}_update watches {column}: regenerate with scripts/gen_store_triggers.py"
                    );
                }
                for event in ["insert", "delete"] {
                    let n: i64 = c.query_row(
                        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
                        [format!("audit_{table}_{event}")],
                        |r| r.get(0),
                    )?;
                    assert_eq!(n, 1, "{table} has its {event} audit trigger");
                }
            }
            Ok(())
        })
        .unwrap();
}
