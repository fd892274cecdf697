//! Media files through the project's Storage bucket, as the app does it: two real `botdesk
//! serve` processes (two devices) syncing with a real PostgreSQL and a real S3 server (s3s-fs).
//! A 20 MB photo added on one device reaches the bucket after its record, in parts, over a
//! connection that keeps being cut (it goes on from the last part the bucket holds, so it
//! arrives; starting again would never get there), and the other device fetches it when it is
//! first shown, over a connection cut the same way, whole and with the same SHA-256. Bad
//! Storage settings and files that cannot be fetched each get their code.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::pg::Pg;
use crate::s3::{self, S3};
use crate::support::{
    CuttingProxy, Server, error_code, http, json_of, post, put, sync_status, wait_for_sync,
};

const OWNER: &str = "11111111-1111-4111-8111-111111111111";

fn pg_with_owner() -> Pg {
    let pg = Pg::start();
    pg.admin()
        .batch_execute(&format!(
            "INSERT INTO public.users (id, display_name, role) VALUES ('{OWNER}', 'Owner', 'owner')"
        ))
        .unwrap();
    pg
}

fn storage_settings(url: &str) -> Value {
    json!({
        "url": url,
        "region": "us-east-1",
        "bucket": s3::BUCKET,
        "access_key_id": s3::ACCESS_KEY,
        "secret_access_key": s3::SECRET_KEY,
    })
}

fn connect(server: &Server, pg: &Pg, storage: Option<Value>) {
    let mut body = json!({
        "connection_string": pg.url("postgres"),
        "user_id": OWNER,
    });
    if let Some(storage) = storage {
        body["storage"] = storage;
    }
    let (code, conn) = json_of(put(server, "/api/sync/connection", &body));
    assert_eq!(code, StatusCode::OK, "{conn}");
}

/// A 20 MB JPEG (24 megapixels of noise at quality 95, which no encoder shrinks).
fn twenty_mb_photo(dir: &std::path::Path) -> Vec<u8> {
    let path = dir.join("photo.jpg");
    let made = std::process::Command::new("convert")
        .args([
            "-size",
            "6000x4000",
            "xc:gray",
            "+noise",
            "Random",
            "-quality",
            "95",
        ])
        .arg(&path)
        .status()
        .expect("ImageMagick's convert runs (make test installs imagemagick)");
    assert!(made.success());
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 20_000_000, "{} bytes", bytes.len());
    bytes
}

fn small_photo(dir: &std::path::Path) -> Vec<u8> {
    let path = dir.join("small.jpg");
    let made = std::process::Command::new("convert")
        .args(["-size", "640x480", "plasma:", "-quality", "85"])
        .arg(&path)
        .status()
        .unwrap();
    assert!(made.success());
    std::fs::read(&path).unwrap()
}

fn upload(server: &Server, bytes: Vec<u8>, name: &str) -> Value {
    let part = reqwest::blocking::multipart::Part::bytes(bytes).file_name(name.to_owned());
    let form = reqwest::blocking::multipart::Form::new().part("file", part);
    let (code, media) = json_of(
        reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap()
            .post(format!("{}/api/media", server.url))
            .multipart(form)
            .send()
            .unwrap(),
    );
    assert_eq!(code, StatusCode::CREATED, "{media}");
    media
}

fn wait_processed(server: &Server, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (_, media) = json_of(server.get(&format!("/api/media/{id}")));
        if media["status"] == "ready" {
            return media;
        }
        assert_ne!(media["status"], "failed", "{media}");
        assert!(Instant::now() < deadline, "not processed: {media}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex_of(&Sha256::digest(bytes))
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Asks for a sync and waits until it is over (the state is no longer `syncing` and the
/// last attempt is newer than before).
fn sync_once(server: &Server) -> Value {
    let before = sync_status(server)["last_attempt_at"].clone();
    let (code, body) = json_of(post(server, "/api/sync/now", &json!({})));
    assert_eq!(code, StatusCode::OK, "{body}");
    wait_for_sync(server, 120, "a sync ran", |s| {
        s["state"] != "syncing" && s["last_attempt_at"] != before && !s["last_attempt_at"].is_null()
    })
}

#[test]
fn a_20_mb_photo_reaches_storage_in_parts_over_cut_connections_and_the_other_device_fetches_it_whole()
 {
    let pg = pg_with_owner();
    let s3 = S3::start();
    // Every connection to the bucket is cut after 7 MB in the direction that matters: one
    // 5 MiB part fits, the next is cut half-way.
    let cut_upload = CuttingProxy::start_upstream(s3.port, Arc::new(AtomicUsize::new(7_000_000)));
    let cut_download = CuttingProxy::start(s3.port, Arc::new(AtomicUsize::new(7_000_000)));
    let work = tempfile::tempdir().unwrap();
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Server::start(dir_a.path());
    let b = Server::start(dir_b.path());
    connect(
        &a,
        &pg,
        Some(storage_settings(&format!(
            "http://127.0.0.1:{}",
            cut_upload.port
        ))),
    );
    connect(
        &b,
        &pg,
        Some(storage_settings(&format!(
            "http://127.0.0.1:{}",
            cut_download.port
        ))),
    );
    let (code, tested) = json_of(post(&a, "/api/sync/connection/test", &json!({})));
    assert_eq!(code, StatusCode::OK);
    assert_eq!(tested["ok"], true, "{tested}");
    assert_eq!(tested["storage"]["ok"], true, "{tested}");

    let photo = twenty_mb_photo(work.path());
    let original_sha = sha256_hex(&photo);
    let media = upload(&a, photo.clone(), "market-stall.jpg");
    let id = media["id"].as_str().unwrap().to_owned();
    let processed = wait_processed(&a, &id);

    // Sync until the files are in the bucket: every try goes on from the last part held, so
    // each gets further although every connection is cut.
    let mut tries = 0;
    let done = loop {
        let s = sync_once(&a);
        tries += 1;
        if s["files"]["pending"] == 0 && s["pending_changes"] == 0 && s["state"] == "synced" {
            break s;
        }
        if s["state"] == "offline" {
            assert_eq!(s["last_failure"]["code"], "sync.storage_unreachable", "{s}");
            // Part of the photo is held by the bucket and shown as sent.
            assert!(
                s["files"]["sent_bytes"].as_i64().unwrap() > 0 || tries == 1,
                "{s}"
            );
        }
        assert!(tries < 12, "the files did not get there: {s}");
    };
    assert!(
        cut_upload.cuts.load(Ordering::SeqCst) >= 2,
        "the connection was cut on the way"
    );
    assert!(done["files"]["uploaded"].as_i64().unwrap() >= 3, "{done}");
    // What was sent again is at most one part per cut, never the whole photo again.
    let sent = cut_upload.up_bytes.load(Ordering::SeqCst);
    let cuts = cut_upload.cuts.load(Ordering::SeqCst) as u64;
    assert!(
        sent < photo.len() as u64 + cuts * 5_300_000 + 3_000_000,
        "{sent} bytes sent for a {} byte photo over {cuts} cuts",
        photo.len()
    );
    let held = s3
        .object(&format!("media/{original_sha}"))
        .expect("the photo is in the bucket");
    assert_eq!(sha256_hex(&held), original_sha);
    // Its variants went too.
    let thumb_sha = processed["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "thumbnail")
        .and_then(|v| v["files"][0]["sha256"].as_str())
        .expect("a thumbnail")
        .to_owned();
    assert!(s3.media_keys().contains(&format!("media/{thumb_sha}")));

    // The other device: the record arrives with a sync; the photo when it is first shown.
    let s = sync_once(&b);
    assert_eq!(s["state"], "synced", "{s}");
    let (code, there) = json_of(b.get(&format!("/api/media/{id}")));
    assert_eq!(code, StatusCode::OK, "{there}");
    assert_eq!(there["sha256"], original_sha);
    // The thumbnail is small: fetched in one go.
    let thumb = b.get(&format!(
        "/api/media/{id}/file?variant=thumbnail&format=jpeg"
    ));
    assert_eq!(thumb.status(), StatusCode::OK);
    // The original: each try is cut after 7 MB and keeps what came; the third has it all.
    let mut fetched = None;
    for _ in 0..6 {
        let response = http()
            .get(format!("{}/api/media/{id}/file", b.url))
            .send()
            .unwrap();
        if response.status() == StatusCode::OK {
            fetched = Some(response.bytes().unwrap().to_vec());
            break;
        }
        let (code, error) = error_code(response);
        assert_eq!(
            (code, error.as_str()),
            (StatusCode::SERVICE_UNAVAILABLE, "sync.storage_unreachable")
        );
    }
    let fetched = fetched.expect("the photo was fetched in the end");
    assert_eq!(
        sha256_hex(&fetched),
        original_sha,
        "the same photo, byte for byte"
    );
    assert!(cut_download.cuts.load(Ordering::SeqCst) >= 2);
    let down = cut_download.down_bytes.load(Ordering::SeqCst);
    assert!(
        down < photo.len() as u64 + 3_000_000,
        "{down} bytes fetched for a {} byte photo: nothing fetched twice",
        photo.len()
    );
    // Kept on the device now: served again without the bucket.
    drop(s3);
    let again = b.get(&format!("/api/media/{id}/file"));
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(sha256_hex(&again.bytes().unwrap()), original_sha);
    // Device B sends nothing it only fetched.
    assert_eq!(sync_status(&b)["files"]["pending"], 0);
}

#[test]
fn storage_settings_and_files_that_cannot_be_fetched_say_what_is_wrong() {
    let pg = pg_with_owner();
    let s3 = S3::start();
    let work = tempfile::tempdir().unwrap();
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Server::start(dir_a.path());
    let b = Server::start(dir_b.path());
    connect(&a, &pg, None);

    // Each bad setting, with its code and field; nothing saved.
    let base = storage_settings(&s3.url());
    let bad = [
        (
            "url",
            json!("not a url"),
            "sync.invalid_storage_url",
            "storage.url",
        ),
        (
            "url",
            json!("ftp://example.com"),
            "sync.invalid_storage_url",
            "storage.url",
        ),
        (
            "bucket",
            json!("Bad Bucket"),
            "sync.invalid_storage_bucket",
            "storage.bucket",
        ),
        (
            "region",
            json!("eu central"),
            "sync.invalid_storage_region",
            "storage.region",
        ),
        (
            "secret_access_key",
            json!("has a space"),
            "sync.invalid_storage_key",
            "storage.secret_access_key",
        ),
    ];
    for (field, value, code, path) in bad {
        let mut storage = base.clone();
        storage[field] = value;
        let response = put(&a, "/api/sync/connection", &json!({"storage": storage}));
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body: Value = response.json().unwrap();
        assert_eq!(body["error"]["code"], code, "{body}");
        assert_eq!(body["error"]["field"], path, "{body}");
    }
    // What is left out and has no default is asked for: the region, then the keys.
    let response = put(
        &a,
        "/api/sync/connection",
        &json!({"storage": {"url": s3.url()}}),
    );
    let (code, error) = error_code(response);
    assert_eq!(
        (code, error.as_str()),
        (StatusCode::BAD_REQUEST, "sync.invalid_storage_region")
    );
    let response = put(
        &a,
        "/api/sync/connection",
        &json!({"storage": {"url": s3.url(), "region": "us-east-1"}}),
    );
    let (code, error) = error_code(response);
    assert_eq!(
        (code, error.as_str()),
        (StatusCode::BAD_REQUEST, "sync.invalid_storage_key")
    );
    let response = put(
        &a,
        "/api/sync/connection",
        &json!({"storage": {"colour": "blue"}}),
    );
    assert_eq!(error_code(response).1, "request.invalid_body");
    let (_, conn) = json_of(a.get("/api/sync/connection"));
    assert!(conn["storage"].is_null(), "{conn}");

    // A test finds the wrong secret, a missing bucket, a server that is not there.
    let mut wrong = base.clone();
    wrong["secret_access_key"] = json!("not-the-secret");
    let (_, tested) = json_of(post(
        &a,
        "/api/sync/connection/test",
        &json!({"storage": wrong}),
    ));
    assert_eq!(tested["ok"], true, "the database is fine: {tested}");
    assert_eq!(tested["storage"]["ok"], false);
    assert_eq!(
        tested["storage"]["failure"]["code"], "sync.storage_refused",
        "{tested}"
    );
    let mut missing = base.clone();
    missing["bucket"] = json!("no-such-bucket");
    let (_, tested) = json_of(post(
        &a,
        "/api/sync/connection/test",
        &json!({"storage": missing}),
    ));
    assert_eq!(tested["storage"]["failure"]["code"], "sync.storage_refused");
    assert!(
        tested["storage"]["failure"]["message"]
            .as_str()
            .unwrap()
            .contains("NoSuchBucket"),
        "{tested}"
    );
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut away = base.clone();
    away["url"] = json!(format!("http://127.0.0.1:{closed_port}"));
    let (_, tested) = json_of(post(
        &a,
        "/api/sync/connection/test",
        &json!({"storage": away}),
    ));
    assert_eq!(
        tested["storage"]["failure"]["code"],
        "sync.storage_unreachable"
    );

    // A photo whose record syncs while its device has no bucket: the files stay there.
    let media = upload(&a, small_photo(work.path()), "stall.jpg");
    let id = media["id"].as_str().unwrap().to_owned();
    wait_processed(&a, &id);
    let s = sync_once(&a);
    assert_eq!(s["state"], "synced", "{s}");
    assert_eq!(s["files"]["storage_configured"], false);
    assert!(s["files"]["pending"].as_i64().unwrap() >= 1, "{s}");

    // Another device without a bucket: the record, but not the file, with a code saying why.
    connect(&b, &pg, None);
    sync_once(&b);
    let (code, error) = error_code(b.get(&format!("/api/media/{id}/file")));
    assert_eq!(
        (code, error.as_str()),
        (StatusCode::NOT_FOUND, "media.file_not_on_this_device")
    );
    // With a bucket that does not hold it yet: unavailable, try later.
    let (code, _) = json_of(put(&b, "/api/sync/connection", &json!({"storage": base})));
    assert_eq!(code, StatusCode::OK);
    let (code, error) = error_code(b.get(&format!("/api/media/{id}/file?variant=thumbnail")));
    assert_eq!(
        (code, error.as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, "sync.file_not_in_storage")
    );

    // The first device gets its bucket: its waiting files go with the next sync, and the
    // other device can show the photo.
    let (code, conn) = json_of(put(&a, "/api/sync/connection", &json!({"storage": base})));
    assert_eq!(code, StatusCode::OK, "{conn}");
    assert_eq!(conn["storage"]["bucket"], s3::BUCKET);
    assert!(
        !conn.to_string().contains(s3::SECRET_KEY),
        "the secret is never shown"
    );
    let s = sync_once(&a);
    assert_eq!(
        (s["state"].as_str(), s["files"]["pending"].as_i64()),
        (Some("synced"), Some(0)),
        "{s}"
    );
    let thumb = b.get(&format!("/api/media/{id}/file?variant=thumbnail"));
    assert_eq!(thumb.status(), StatusCode::OK);
    assert!(thumb.bytes().unwrap().len() > 100);
    // Removing the bucket keeps the database connection.
    let (code, conn) = json_of(put(
        &a,
        "/api/sync/connection",
        &json!({"storage": {"url": ""}}),
    ));
    assert_eq!(code, StatusCode::OK);
    assert!(
        conn["storage"].is_null() && conn["configured"] == true,
        "{conn}"
    );
}
