//! Saving templates in a real store: versions, conflicts, rollback, archive versus delete, and
//! the checks that need the store.

#![allow(clippy::unwrap_used)]

use botdesk_store::tables::media_files::{MediaFile, MediaKind, MediaStatus};
use botdesk_store::tables::message_templates::MessageTemplate;
use botdesk_store::{Actor, Id, Store, StoreOptions};
use botdesk_templates::model::TemplateStatus;
use botdesk_templates::versions::{self, Removal, TemplateError, VersionRef};
use botdesk_templates::{Header, TemplateContent};
use serde_json::json;

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
    (dir, store)
}

fn content(body: &str) -> TemplateContent {
    serde_json::from_value(json!({
        "name": "order_shipped", "type": "text",
        "body": body,
        "variables": [{"name": "order_id", "example": "ORD-1"}]
    }))
    .unwrap()
}

const V1: &str = "Good news: your order {{order_id}} has left our shop today.";
const V2: &str = "Good news: your order {{order_id}} is on its way to you now.";

fn actor() -> Actor {
    Actor::Desktop("amina".into())
}

fn write<T>(
    store: &Store,
    f: impl FnOnce(&botdesk_store::Tx<'_>) -> Result<T, TemplateError>,
) -> Result<T, TemplateError> {
    store.with_tx(&actor(), f)
}

#[test]
fn every_save_is_a_version_and_a_stale_save_is_refused() {
    let (_dir, store) = open();
    let t = write(&store, |tx| {
        versions::create(tx, &content(V1), "desktop:amina")
    })
    .unwrap();
    assert_eq!((t.data.version, t.data.status), (1, TemplateStatus::Draft));
    let id = t.id();

    let saved = write(&store, |tx| {
        versions::update(tx, id, &content(V2), 1, None, "desktop:amina")
    })
    .unwrap();
    assert!(saved.changed);
    assert_eq!(saved.template.data.version, 2);

    // A second window still on version 1.
    let err = write(&store, |tx| {
        versions::update(
            tx,
            id,
            &content("Another edit of order {{order_id}} here, from a second window."),
            1,
            None,
            "desktop:sam",
        )
    })
    .unwrap_err();
    assert!(
        matches!(
            err,
            TemplateError::VersionConflict {
                base: 1,
                current: 2
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), "template.version_conflict");

    // Saving what is already there changes nothing.
    let same = write(&store, |tx| {
        versions::update(tx, id, &content(V2), 2, None, "desktop:amina")
    })
    .unwrap();
    assert!(!same.changed);

    let list = store.read(|c| versions::versions(c, id)).unwrap();
    let summary: Vec<(i64, String, Option<String>)> = list
        .iter()
        .map(|v| {
            (
                v.data.version,
                v.data.change_summary.clone(),
                v.data.actor.clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (2, "body changed".into(), Some("desktop:amina".into())),
            (1, "Created".into(), Some("desktop:amina".into()))
        ]
    );

    let diff = store
        .read(|c| versions::diff_versions(c, id, 1, 2))
        .unwrap();
    assert_eq!(diff.fields.len(), 1);
    assert_eq!(diff.fields[0].field, "body");
}

#[test]
fn rollback_is_a_new_version_and_stays_within_its_template() {
    let (_dir, store) = open();
    let id = write(&store, |tx| versions::create(tx, &content(V1), "a"))
        .unwrap()
        .id();
    write(&store, |tx| {
        versions::update(tx, id, &content(V2), 1, Some("Friendlier"), "a")
    })
    .unwrap();
    let rolled = write(&store, |tx| {
        versions::rollback(tx, id, &VersionRef::Number(1), 2, "a")
    })
    .unwrap();
    assert_eq!(rolled.template.data.version, 3);
    assert_eq!(rolled.template.data.body, V1);
    let newest = store.read(|c| versions::versions(c, id)).unwrap().remove(0);
    assert_eq!(newest.data.change_summary, "Rolled back to version 1");

    let mut other = content("A different template about order {{order_id}} and its delivery.");
    other.name = "other_one".into();
    let other_id = write(&store, |tx| versions::create(tx, &other, "a"))
        .unwrap()
        .id();
    let foreign = store.read(|c| versions::versions(c, other_id)).unwrap()[0].id();
    let err = write(&store, |tx| {
        versions::rollback(tx, id, &VersionRef::Id(foreign), 3, "a")
    })
    .unwrap_err();
    assert_eq!(err.code(), "template.version_of_another_template");
    let err = write(&store, |tx| {
        versions::rollback(tx, id, &VersionRef::Number(42), 3, "a")
    })
    .unwrap_err();
    assert_eq!(err.code(), "template.version_not_found");
}

#[test]
fn invalid_content_and_taken_names_save_nothing() {
    let (_dir, store) = open();
    let mut bad = content(V1);
    bad.name = "Order Shipped".into();
    let err = write(&store, |tx| versions::create(tx, &bad, "a")).unwrap_err();
    assert_eq!(err.issues()[0].code, "template.name_invalid");

    let mut taken = content(V1);
    taken.name = "order_status".into();
    let err = write(&store, |tx| versions::create(tx, &taken, "a")).unwrap_err();
    assert_eq!(err.code(), "template.name_taken");

    let count: i64 = store
        .read(|c| {
            Ok::<_, botdesk_store::StoreError>(c.query_row(
                "SELECT count(*) FROM message_templates",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(count, 3, "nothing half-saved");
}

#[test]
fn a_header_must_name_media_that_exists() {
    let (_dir, store) = open();
    let mut c = content(V1);
    c.kind = botdesk_templates::model::TemplateKind::Media;
    c.header = Header::Image {
        media_id: Id::new_at(store.now()).to_string(),
    };
    let err = write(&store, |tx| versions::create(tx, &c, "a")).unwrap_err();
    assert_eq!(err.issues()[0].code, "template.header_media_not_found");

    let media = store
        .with_tx(&actor(), |tx| {
            botdesk_store::insert(
                tx,
                MediaFile {
                    owner_id: None,
                    merchant_id: None,
                    sha256: "b".repeat(64),
                    file_name: "mug.jpg".into(),
                    mime_type: "image/jpeg".into(),
                    declared_mime_type: None,
                    kind: MediaKind::Image,
                    size_bytes: 10,
                    width: Some(10),
                    height: Some(10),
                    status: MediaStatus::Ready,
                    variants: json!({}),
                    failed_reason: None,
                    metadata_stripped: true,
                    had_location: false,
                },
            )
        })
        .unwrap();
    c.header = Header::Image {
        media_id: media.id().to_string(),
    };
    let t = write(&store, |tx| versions::create(tx, &c, "a")).unwrap();
    assert_eq!(t.data.header_media_id, Some(media.id()));

    // Deleting the media afterwards: the template can no longer be saved or activated as is.
    store
        .with_tx(&actor(), |tx| {
            botdesk_store::soft_delete::<MediaFile>(tx, media.id())
        })
        .unwrap();
    let err = write(&store, |tx| {
        versions::set_status(tx, t.id(), TemplateStatus::Active, Some(1), "a")
    })
    .unwrap_err();
    assert_eq!(err.issues()[0].code, "template.header_media_not_found");
}

#[test]
fn a_template_that_was_active_is_archived_not_deleted() {
    let (_dir, store) = open();
    let draft = write(&store, |tx| versions::create(tx, &content(V1), "a"))
        .unwrap()
        .id();
    assert_eq!(
        write(&store, |tx| versions::remove(tx, draft, "a")).unwrap(),
        Removal::Deleted
    );
    assert_eq!(
        write(&store, |tx| versions::remove(tx, draft, "a"))
            .unwrap_err()
            .code(),
        "template.not_found"
    );

    let used = write(&store, |tx| versions::create(tx, &content(V1), "a"))
        .unwrap()
        .id();
    write(&store, |tx| {
        versions::set_status(tx, used, TemplateStatus::Active, Some(1), "a")
    })
    .unwrap();
    write(&store, |tx| {
        versions::set_status(tx, used, TemplateStatus::Draft, Some(2), "a")
    })
    .unwrap();
    assert_eq!(
        write(&store, |tx| versions::remove(tx, used, "a")).unwrap(),
        Removal::Archived
    );
    let t = store
        .read(|c| botdesk_store::get::<MessageTemplate>(c, used))
        .unwrap();
    assert_eq!(t.data.status, TemplateStatus::Archived);
}

#[test]
fn the_seeded_versions_read_back() {
    let (_dir, store) = open();
    let seeds = store
        .read(|c| botdesk_store::tables::message_templates::list_by(c, None, None))
        .unwrap();
    for seed in seeds {
        let v = store.read(|c| versions::versions(c, seed.id())).unwrap();
        let (content, status) = versions::version_content(&v[0].data, &seed.data).unwrap();
        assert_eq!(
            content,
            botdesk_templates::model::from_stored(&seed.data).unwrap()
        );
        assert_eq!(status, TemplateStatus::Active);
    }
}
