//! The media library through the real server: base64 and streamed uploads, processing on the
//! queue until the variants are served (type, ETag, ranges), duplicates stored once, deletes
//! that keep what is still used, and every bad input of the issue with its own code, leaving
//! nothing on disk and the server serving.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Server, error_code, http, json_of, post};

fn corpus(dir: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/media-corpus")
        .join(dir);
    assert!(
        path.is_dir(),
        "the shared media corpus is missing: {}",
        path.display()
    );
    path
}

fn base64_upload(
    server: &Server,
    bytes: &[u8],
    name: &str,
    extra: Value,
) -> reqwest::blocking::Response {
    let mut body = json!({
        "file_data": base64::engine::general_purpose::STANDARD.encode(bytes),
        "file_name": name,
    });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    post(server, "/api/media/upload", &body)
}

fn multipart_upload(server: &Server, bytes: Vec<u8>, name: &str) -> reqwest::blocking::Response {
    let part = reqwest::blocking::multipart::Part::bytes(bytes).file_name(name.to_owned());
    let form = reqwest::blocking::multipart::Form::new().part("file", part);
    http()
        .post(format!("{}/api/media", server.url))
        .multipart(form)
        .send()
        .expect("request")
}

fn get_json(server: &Server, path: &str) -> Value {
    let (status, body) = json_of(server.get(path));
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

/// Waits (at most 60 s) until the media record leaves pending/processing.
fn processed(server: &Server, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let media = get_json(server, &format!("/api/media/{id}"));
        let status = media["status"].as_str().unwrap_or("").to_owned();
        if status == "ready" || status == "failed" {
            return media;
        }
        assert!(Instant::now() < deadline, "media {id} still {status}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Every stored file under the data dir's `media/` (temp files included).
fn stored_files(data_dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push(path);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&data_dir.join("media"), &mut out);
    out.sort();
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG made of the given chunks, each with a correct checksum.
fn png(chunks: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in chunks {
        out.extend((data.len() as u32).to_be_bytes());
        let mut crc_input = kind.to_vec();
        crc_input.extend(data);
        out.extend(&crc_input);
        out.extend(crc32(&crc_input).to_be_bytes());
    }
    out
}

fn ihdr(width: u32, height: u32) -> Vec<u8> {
    let mut data = width.to_be_bytes().to_vec();
    data.extend(height.to_be_bytes());
    data.extend([8, 2, 0, 0, 0]);
    data
}

#[test]
fn an_upload_is_processed_and_its_variants_are_served_upright_and_clean() {
    let photos = corpus("photos");
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());

    // The original design's call: base64 in JSON. j13 carries GPS coordinates.
    let bytes = std::fs::read(photos.join("j13_cups_sony.jpg")).unwrap();
    let (status, media) = json_of(base64_upload(
        &server,
        &bytes,
        "cups.jpg",
        json!({"mime_type": "image/jpeg"}),
    ));
    assert_eq!(status, StatusCode::CREATED, "{media}");
    assert_eq!(media["status"], "pending");
    assert!(media["job_id"].is_i64(), "{media}");
    let id = media["id"].as_str().unwrap().to_owned();
    let media = processed(&server, &id);
    assert_eq!(media["status"], "ready", "{media}");
    assert_eq!(media["metadata_stripped"], true);
    assert_eq!(media["had_location"], true);
    let names: Vec<&str> = media["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["thumbnail", "medium", "optimised"]);
    let thumb = &media["variants"][0];
    assert_eq!(
        (thumb["width"].as_i64(), thumb["height"].as_i64()),
        (Some(200), Some(200))
    );

    // Each file: its type, a strong ETag, conditional and ranged reads.
    for variant in media["variants"].as_array().unwrap() {
        for file in variant["files"].as_array().unwrap() {
            let url = file["url"].as_str().unwrap();
            let response = server.get(url);
            assert_eq!(response.status(), StatusCode::OK, "{url}");
            assert_eq!(
                response.headers()["content-type"],
                file["mime_type"].as_str().unwrap()
            );
            let etag = response.headers()["etag"].to_str().unwrap().to_owned();
            let body = response.bytes().unwrap();
            assert_eq!(body.len() as u64, file["bytes"].as_u64().unwrap());
            // No metadata left in any derived file.
            assert!(
                !body.windows(4).any(|w| w == b"Exif" || w == b"EXIF"),
                "{url} carries EXIF"
            );
            let again = http()
                .get(format!("{}{url}", server.url))
                .header("if-none-match", &etag)
                .send()
                .unwrap();
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        }
    }
    let ranged = http()
        .get(format!("{}/api/media/{id}/file", server.url))
        .header("range", "bytes=2-9")
        .send()
        .unwrap();
    assert_eq!(ranged.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(ranged.bytes().unwrap().as_ref(), &bytes[2..10]);
    let (status, code) = error_code(server.get(&format!("/api/media/{id}/file?variant=poster")));
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "media.variant_not_found")
    );

    // Streamed: a sideways photo (EXIF 6) comes out upright.
    let sideways = std::fs::read(photos.join("j08_picos_8mp_o6.jpg")).unwrap();
    let (status, media) = json_of(multipart_upload(&server, sideways, "picos.jpg"));
    assert_eq!(status, StatusCode::CREATED, "{media}");
    let media = processed(&server, media["id"].as_str().unwrap());
    assert_eq!(
        (media["width"].as_i64(), media["height"].as_i64()),
        (Some(2448), Some(3264))
    );
    let medium = &media["variants"][1];
    assert_eq!(
        (medium["width"].as_i64(), medium["height"].as_i64()),
        (Some(450), Some(600))
    );

    // Listed newest first, filterable.
    let page = get_json(&server, "/api/media?kind=image&unused=true");
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let (status, code) = error_code(server.get("/api/media?kind=hologram"));
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "request.invalid_filter")
    );
}

#[test]
fn an_iphone_heic_photo_is_converted_on_ingest() {
    let heic = include_bytes!("../../crates/botdesk-media/testdata/cups_gps.heic").to_vec();
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (status, media) = json_of(multipart_upload(&server, heic, "IMG_0001.HEIC"));
    assert_eq!(status, StatusCode::CREATED, "{media}");
    assert_eq!(media["mime_type"], "image/heic");
    assert_eq!(media["kind"], "image");
    let media = processed(&server, media["id"].as_str().unwrap());
    assert_eq!(media["status"], "ready", "{media}");
    assert_eq!(media["had_location"], true);
    assert_eq!(
        (media["width"].as_i64(), media["height"].as_i64()),
        (Some(320), Some(200))
    );
    // What is sent is a JPEG: WhatsApp does not take HEIC.
    let optimised = &media["variants"][2];
    let jpeg = optimised["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["mime_type"] == "image/jpeg")
        .expect("a JPEG of the optimised variant");
    let response = server.get(jpeg["url"].as_str().unwrap());
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    let body = response.bytes().unwrap();
    assert!(body.starts_with(&[0xFF, 0xD8, 0xFF]));
    assert!(
        !body.windows(4).any(|w| w == b"Exif"),
        "the JPEG carries EXIF"
    );
}

#[test]
fn the_same_bytes_are_stored_once_and_files_go_with_their_last_record() {
    let photos = corpus("photos");
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let bytes = std::fs::read(photos.join("j23_rocket.jpg")).unwrap();
    let (_, first) = json_of(base64_upload(&server, &bytes, "rocket.jpg", json!({})));
    assert_eq!(first["already_in_library"], false);
    // The same photo again for the same shop: the first record, said to be there already,
    // and nothing new (by either upload path).
    let (status, again) = json_of(multipart_upload(&server, bytes.clone(), "rocket-again.jpg"));
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(
        (
            &again["id"],
            &again["already_in_library"],
            &again["file_name"]
        ),
        (&first["id"], &json!(true), &json!("rocket.jpg"))
    );
    let (_, again) = json_of(base64_upload(&server, &bytes, "rocket-3.jpg", json!({})));
    assert_eq!(again["id"], first["id"]);
    assert_eq!(
        get_json(&server, "/api/media")["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Another merchant's copy is a record of its own, sharing the stored content.
    let (_, merchant) = json_of(post(&server, "/api/merchants", &json!({"name": "Kiosk"})));
    let (_, second) = json_of(base64_upload(
        &server,
        &bytes,
        "rocket-again.jpg",
        json!({"merchant_id": merchant["id"]}),
    ));
    assert_eq!(second["already_in_library"], false);
    let (a, b) = (
        first["id"].as_str().unwrap(),
        second["id"].as_str().unwrap(),
    );
    assert_ne!(a, b);
    assert_eq!(first["sha256"], second["sha256"]);
    processed(&server, a);
    processed(&server, b);
    // One original and six variant files, shared by both records.
    assert_eq!(
        stored_files(dir.path()).len(),
        7,
        "{:?}",
        stored_files(dir.path())
    );

    // A product shows the first: deleting it is refused with what uses it, unless forced.
    let (status, product) = json_of(post(
        &server,
        "/api/products",
        &json!({"name": "Rocket poster"}),
    ));
    assert_eq!(status, StatusCode::CREATED, "{product}");
    let product_id = product["id"].as_str().unwrap();
    let linked = http()
        .put(format!(
            "{}/api/media/{a}/products/{product_id}",
            server.url
        ))
        .json(&json!({"primary": true}))
        .send()
        .unwrap();
    let (status, linked) = json_of(linked);
    assert_eq!(status, StatusCode::OK, "{linked}");
    assert_eq!(linked["uses"][0]["name"], "Rocket poster");
    assert_eq!(
        get_json(&server, &format!("/api/media?product_id={product_id}"))["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let (status, body) = json_of(
        http()
            .delete(format!("{}/api/media/{a}", server.url))
            .send()
            .unwrap(),
    );
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "media.in_use");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Rocket poster"),
        "{body}"
    );

    let (status, removed) = json_of(
        http()
            .delete(format!("{}/api/media/{a}?force=true", server.url))
            .send()
            .unwrap(),
    );
    assert_eq!(status, StatusCode::OK, "{removed}");
    // The other record still holds the content.
    assert_eq!(removed["files_removed"], 0);
    assert_eq!(stored_files(dir.path()).len(), 7);
    let (status, code) = error_code(server.get(&format!("/api/media/{a}")));
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "media.not_found")
    );

    let (_, removed) = json_of(
        http()
            .delete(format!("{}/api/media/{b}", server.url))
            .send()
            .unwrap(),
    );
    assert_eq!(removed["files_removed"], 7);
    assert_eq!(stored_files(dir.path()), Vec::<PathBuf>::new());
}

#[test]
fn every_bad_input_has_its_own_code_and_leaves_nothing_behind() {
    let bad = corpus("bad");
    let photos = corpus("photos");
    let dir = tempfile::tempdir().unwrap();
    // A small image limit, to test "over the limit" without a huge file.
    let server = Server::start_with(
        dir.path(),
        "127.0.0.1:0",
        &[("BOTDESK_MEDIA_MAX_IMAGE_BYTES", "1500000")],
    );

    let expected = [
        ("trunc_40pct.jpg", "media.truncated"),
        ("trunc_header.jpg", "media.truncated"),
        ("bomb_png_dims_100k.png", "media.too_many_pixels"),
        ("bomb_png_900mp_valid.png", "media.too_many_pixels"),
        ("bomb_jpeg_dims_65500.jpg", "media.too_many_pixels"),
        ("bomb_gif_dims_65535.gif", "media.too_many_pixels"),
        ("empty.jpg", "media.empty"),
        ("text_renamed.jpg", "media.unknown_type"),
        ("random_bytes.png", "media.unknown_type"),
        ("jpeg_magic_only.jpg", "media.corrupt"),
        ("png_bad_crc.png", "media.corrupt"),
        ("polyglot_jpeg_zip.jpg", "media.polyglot"),
        ("polyglot_jpeg_html_com.jpg", "media.polyglot"),
        ("svg_script.svg", "media.unsupported_type"),
        ("svg_xxe.svg", "media.unsupported_type"),
        ("type_bmp.bmp", "media.unsupported_type"),
    ];
    for (name, code) in expected {
        let bytes = std::fs::read(bad.join(name)).unwrap();
        // Both ways in give the same answer.
        let (_, streamed) = error_code(multipart_upload(&server, bytes.clone(), name));
        let (_, json) = error_code(base64_upload(&server, &bytes, name, json!({})));
        assert_eq!((name, streamed.as_str(), json.as_str()), (name, code, code));
    }
    // A PNG with a .jpg name is a PNG, and welcome (the bytes decide).
    let renamed = std::fs::read(bad.join("png_named.jpg")).unwrap();
    let (status, media) = json_of(multipart_upload(&server, renamed.clone(), "png_named.jpg"));
    assert_eq!(status, StatusCode::CREATED, "{media}");
    assert_eq!(media["mime_type"], "image/png");
    processed(&server, media["id"].as_str().unwrap());
    // … but a declared type that lies is refused.
    let (status, code) = error_code(base64_upload(
        &server,
        &renamed,
        "photo.png",
        json!({"mime_type": "image/jpeg"}),
    ));
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "media.type_mismatch")
    );

    let zero = png(&[(b"IHDR", ihdr(0, 0)), (b"IEND", vec![])]);
    let (_, code) = error_code(base64_upload(&server, &zero, "zero.png", json!({})));
    assert_eq!(code, "media.zero_dimensions");
    let (_, code) = error_code(base64_upload(&server, b"GIF89a", "../../x.gif", json!({})));
    assert_eq!(code, "media.bad_name");
    let (_, code) = error_code(post(
        &server,
        "/api/media/upload",
        &json!({"file_data": "%%% not base64", "file_name": "a.jpg"}),
    ));
    assert_eq!(code, "media.bad_base64");
    let small = std::fs::read(photos.join("j23_rocket.jpg")).unwrap();
    let (_, code) = error_code(base64_upload(
        &server,
        &small,
        "a.jpg",
        json!({"merchant_id": "00000000-0000-7000-8000-000000000000"}),
    ));
    assert_eq!(code, "media.unknown_merchant");
    let (_, code) = error_code(base64_upload(
        &server,
        &small,
        "a.jpg",
        json!({"options": {"quality": 0}}),
    ));
    assert_eq!(code, "media.bad_options");
    let big = std::fs::read(photos.join("j08_picos_8mp_o6.jpg")).unwrap();
    let (status, code) = error_code(multipart_upload(&server, big, "big.jpg"));
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "media.too_large")
    );

    // A file whose structure is sound but whose pixels do not decode: accepted, then failed
    // with a reason, and the app goes on.
    let broken = png(&[
        (b"IHDR", ihdr(4, 4)),
        (b"IDAT", b"this is not zlib data at all".to_vec()),
        (b"IEND", vec![]),
    ]);
    let (status, media) = json_of(base64_upload(&server, &broken, "broken.png", json!({})));
    assert_eq!(status, StatusCode::CREATED, "{media}");
    let media = processed(&server, media["id"].as_str().unwrap());
    assert_eq!(media["status"], "failed");
    assert!(
        media["failed_reason"].as_str().unwrap().contains("PNG"),
        "{media}"
    );

    // Only the accepted files are on disk (the PNG, its variants, the broken one): nothing of
    // the refused ones, no temp file.
    let files = stored_files(dir.path());
    let temp = dir.path().join("media").join("tmp");
    assert!(files.iter().all(|f| !f.starts_with(&temp)), "{files:?}");
    let page = get_json(&server, "/api/media");
    // Content-addressed: identical files (a small image's medium and optimised sizes) are one.
    let mut expected: Vec<&str> = Vec::new();
    for media in page["items"].as_array().unwrap() {
        expected.push(media["sha256"].as_str().unwrap());
        for variant in media["variants"].as_array().unwrap() {
            for file in variant["files"].as_array().unwrap() {
                expected.push(file["sha256"].as_str().unwrap());
            }
        }
    }
    expected.sort_unstable();
    expected.dedup();
    let expected_files = expected.len();
    assert_eq!(files.len(), expected_files, "{files:?} {page}");
    assert_eq!(get_json(&server, "/api/health")["status"], "ok");
}

#[test]
fn an_upload_cut_off_mid_stream_leaves_nothing_and_the_server_serves_on() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let mut stream = std::net::TcpStream::connect(server.authority()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let boundary = "cutcutcut";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"video.mp4\"\r\nContent-Type: video/mp4\r\n\r\n"
    );
    let promised = head.len() + 5_000_000;
    let request = format!(
        "POST /api/media HTTP/1.1\r\nHost: {}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {promised}\r\n\r\n{head}",
        server.authority()
    );
    stream.write_all(request.as_bytes()).unwrap();
    // An MP4 header, then a megabyte of the promised five, then the line goes dead.
    let mut body = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    body.resize(1_000_000, 7);
    stream.write_all(&body).unwrap();
    stream.flush().unwrap();
    // The server is writing the file as it comes (a partial one on disk): now the line dies.
    let deadline = Instant::now() + Duration::from_secs(10);
    while stored_files(dir.path()).is_empty() {
        assert!(
            Instant::now() < deadline,
            "the server never started writing the upload"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    stream.shutdown(std::net::Shutdown::Both).unwrap();
    drop(stream);

    // The server noticed, kept nothing, and serves.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !stored_files(dir.path()).is_empty() {
        assert!(
            Instant::now() < deadline,
            "left behind: {:?}",
            stored_files(dir.path())
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(get_json(&server, "/api/media")["items"], json!([]));
    assert_eq!(get_json(&server, "/api/health")["status"], "ok");
}

#[test]
fn a_file_in_use_is_replaced_everywhere_in_the_delete() {
    let photos = corpus("photos");
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (_, old) = json_of(base64_upload(
        &server,
        &std::fs::read(photos.join("j23_rocket.jpg")).unwrap(),
        "old.jpg",
        json!({}),
    ));
    let (_, new) = json_of(base64_upload(
        &server,
        &std::fs::read(photos.join("p05_dice_alpha.png")).unwrap(),
        "new.png",
        json!({}),
    ));
    let (old_id, new_id) = (old["id"].as_str().unwrap(), new["id"].as_str().unwrap());
    let (status, template) = json_of(post(
        &server,
        "/api/templates",
        &json!({
            "name": "loaf_of_the_day",
            "type": "buttons",
            "header": {"type": "image", "media_id": old_id},
            "body": "Today's loaf is ready, fresh from the oven. Want one?",
            "buttons": [{"type": "quick_reply", "id": "yes", "label": "Yes please"}],
        }),
    ));
    assert_eq!(status, StatusCode::CREATED, "{template}");
    let template_id = template["id"].as_str().unwrap();
    let (_, product) = json_of(post(&server, "/api/products", &json!({"name": "Loaf"})));
    let product_id = product["id"].as_str().unwrap();
    let linked = http()
        .put(format!(
            "{}/api/media/{old_id}/products/{product_id}",
            server.url
        ))
        .json(&json!({"primary": true}))
        .send()
        .unwrap();
    assert_eq!(linked.status(), StatusCode::OK);

    let delete = |query: &str| {
        http()
            .delete(format!("{}/api/media/{old_id}?{query}", server.url))
            .send()
            .unwrap()
    };
    // Refused replacements change nothing.
    for (query, code) in [
        (
            format!("replace_with={old_id}"),
            "media.replacement_is_itself",
        ),
        (
            "replace_with=0197b1e0-0000-7000-8000-000000000009".to_owned(),
            "media.replacement_not_found",
        ),
    ] {
        let (status, got) = error_code(delete(&query));
        assert_eq!((status, got.as_str()), (StatusCode::BAD_REQUEST, code));
    }
    assert_eq!(
        get_json(&server, &format!("/api/templates/{template_id}"))["version"],
        1
    );
    // Without a replacement the template is named in the refusal.
    let (status, body) = json_of(delete(""));
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("loaf_of_the_day"),
        "{body}"
    );

    let (status, removed) = json_of(delete(&format!("replace_with={new_id}")));
    assert_eq!(status, StatusCode::OK, "{removed}");
    let after = get_json(&server, &format!("/api/templates/{template_id}"));
    assert_eq!(after["version"], 2);
    assert_eq!(after["header"]["media_id"], new_id);
    assert_eq!(after["status"], template["status"]);
    let shown = get_json(&server, &format!("/api/media?product_id={product_id}"));
    assert_eq!(shown["items"][0]["id"], new_id);
    assert_eq!(shown["items"].as_array().unwrap().len(), 1);
    let (status, _) = error_code(server.get(&format!("/api/media/{old_id}")));
    assert_eq!(status, StatusCode::NOT_FOUND);
    let versions = get_json(&server, &format!("/api/templates/{template_id}/versions"));
    assert!(
        versions[0]["change_summary"]
            .as_str()
            .unwrap()
            .contains("old.jpg"),
        "{versions}"
    );
}
