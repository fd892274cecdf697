//! Inspection on files built here (every rule, byte by byte) and on the shared corpus of real
//! photos and hostile files (`../shared/media-corpus`, read in place, when it is there).

use std::path::PathBuf;

use super::*;

fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crced = kind.to_vec();
    crced.extend_from_slice(data);
    out.extend_from_slice(&crc32(&crced).to_be_bytes());
    out
}

fn png_of(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    out.extend(chunk(
        b"IDAT",
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    out.extend(chunk(b"IEND", &[]));
    out
}

fn segment(marker: u8, data: &[u8]) -> Vec<u8> {
    let mut out = vec![0xFF, marker];
    out.extend_from_slice(&((data.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(data);
    out
}

/// A structurally complete JPEG (what inspection reads; not meant to decode).
fn jpeg_of(width: u16, height: u16) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    out.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
    let mut sof = vec![8];
    sof.extend_from_slice(&height.to_be_bytes());
    sof.extend_from_slice(&width.to_be_bytes());
    sof.extend_from_slice(&[1, 1, 0x11, 0]);
    out.extend(segment(0xC0, &sof));
    out.extend(segment(0xC4, &[0; 20]));
    out.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
    out.extend_from_slice(&[0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD0, 0x78]);
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

fn code(bytes: &[u8], declared: Option<&str>) -> &'static str {
    match inspect(bytes, declared, &Limits::default()) {
        Ok(i) => i.kind.mime(),
        Err(e) => e.code(),
    }
}

#[test]
fn images_are_known_by_their_bytes_and_measured_from_their_headers() {
    let i = inspect(&jpeg_of(4000, 3000), None, &Limits::default()).unwrap();
    assert_eq!(
        (i.kind, i.dimensions),
        (MediaKind::Jpeg, Some((4000, 3000)))
    );
    let i = inspect(&png_of(640, 480), Some("image/png"), &Limits::default()).unwrap();
    assert_eq!((i.kind, i.dimensions), (MediaKind::Png, Some((640, 480))));
    let gif = b"GIF89a\x40\x01\xF0\x00\x00\x00\x00;";
    assert_eq!(
        inspect(gif, None, &Limits::default()).unwrap().dimensions,
        Some((320, 240))
    );
    let mut webp = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
    webp.extend_from_slice(&[0x7F, 0x02, 0x00, 0xDF, 0x01, 0x00]);
    let len = (webp.len() - 8) as u32;
    webp[4..8].copy_from_slice(&len.to_le_bytes());
    assert_eq!(
        inspect(&webp, None, &Limits::default()).unwrap().dimensions,
        Some((640, 480))
    );
    // The name never matters and a generic declared type is no lie.
    assert_eq!(
        code(&png_of(10, 10), Some("application/octet-stream")),
        "image/png"
    );
    assert_eq!(code(&jpeg_of(10, 10), Some("image/jpg")), "image/jpeg");
}

#[test]
fn other_media_are_known_by_their_bytes() {
    let cases: &[(&[u8], &str)] = &[
        (b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj", "application/pdf"),
        (b"\0\0\0\x18ftypmp42\0\0\0\0isommp42", "video/mp4"),
        (b"\0\0\0\x14ftyp3gp4\0\0\0\x003gp4", "video/3gpp"),
        (b"\0\0\0\x18ftypM4A \0\0\0\0M4A isom", "audio/mp4"),
        (b"ID3\x04\0\0\0\0\0\0", "audio/mpeg"),
        (&[0xFF, 0xFB, 0x90, 0x64], "audio/mpeg"),
        (&[0xFF, 0xF1, 0x50, 0x80], "audio/aac"),
    ];
    for (bytes, mime) in cases {
        assert_eq!(code(bytes, None), *mime, "{bytes:?}");
    }
    let mut ogg = b"OggS\0\x02".to_vec();
    ogg.resize(26, 0);
    ogg.push(1);
    ogg.push(19);
    ogg.extend_from_slice(b"OpusHead\x01\x02");
    assert_eq!(code(&ogg, None), "audio/ogg");
    let vorbis = [&ogg[..28], b"\x01vorbis"].concat();
    assert_eq!(code(&vorbis, None), "media.unsupported_type");
}

#[test]
fn what_botdesk_does_not_take_is_refused_by_name() {
    let cases: &[(&[u8], &str)] = &[
        (b"", "media.empty"),
        (b"hello, this is a shopping list", "media.unknown_type"),
        (b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>", "media.unsupported_type"),
        (b"  <svg onload=\"alert(1)\"/>", "media.unsupported_type"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", "media.unsupported_type"),
        (b"BM\x36\x00\x0c\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00", "media.unsupported_type"),
        (b"II*\0\x08\0\0\0", "media.unsupported_type"),
        (b"PK\x03\x04\x14\0\0\0", "media.unsupported_type"),
        (b"\0\0\0\x18ftypavif\0\0\0\0mif1avif", "media.unsupported_type"),
        (b"\0\0\0\x14ftypqt  \0\0\0\0qt  ", "media.unsupported_type"),
    ];
    for (bytes, expected) in cases {
        assert_eq!(
            code(bytes, None),
            *expected,
            "{:?}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(40)])
        );
    }
    let avif = inspect(
        b"\0\0\0\x18ftypavif\0\0\0\0mif1avif",
        None,
        &Limits::default(),
    )
    .unwrap_err();
    assert!(avif.to_string().contains("AVIF"), "{avif}");
}

/// A 320×200 HEIC made with libheif's `heif-enc` from `j13_cups_sony.jpg` of the shared corpus,
/// keeping only its GPS block (see `testdata/README.md`).
pub(crate) const HEIC: &[u8] = include_bytes!("../../testdata/cups_gps.heic");

#[test]
fn a_heic_photo_is_taken_with_its_size_from_its_header() {
    let inspected = inspect(HEIC, Some("image/heic"), &Limits::default()).unwrap();
    assert_eq!(inspected.kind, MediaKind::Heic);
    assert_eq!(inspected.kind.category(), Category::Image);
    assert_eq!(inspected.dimensions, Some((320, 200)));
    // Its header is read, not the name of its brand: a bare `ftyp` box is damage.
    assert_eq!(
        code(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic", None),
        "media.corrupt"
    );
    assert_eq!(code(&HEIC[..HEIC.len() / 2], None), "media.truncated");
    assert_eq!(code(HEIC, Some("image/jpeg")), "media.type_mismatch");
    let small = Limits {
        max_pixels: 320 * 199,
        ..Limits::default()
    };
    assert_eq!(
        inspect(HEIC, None, &small).unwrap_err().code(),
        "media.too_many_pixels"
    );
}

#[test]
fn a_declared_type_that_lies_is_refused() {
    let err = inspect(&png_of(10, 10), Some("image/jpeg"), &Limits::default()).unwrap_err();
    assert_eq!(err.code(), "media.type_mismatch");
    assert_eq!(
        err.to_string(),
        "the file was declared as image/jpeg but its bytes are image/png"
    );
    assert_eq!(
        code(b"%PDF-1.4 x", Some("video/mp4")),
        "media.type_mismatch"
    );
}

#[test]
fn limits_are_checked_from_the_header_before_any_decoding() {
    // 100,000 × 100,000 declared in a file of a few dozen bytes.
    assert_eq!(
        code(&png_of(100_000, 100_000), None),
        "media.too_many_pixels"
    );
    assert_eq!(
        code(&jpeg_of(65_500, 65_500), None),
        "media.too_many_pixels"
    );
    assert_eq!(
        code(b"GIF89a\xFF\xFF\xFF\xFF\x00\x00\x00;", None),
        "media.too_many_pixels"
    );
    assert_eq!(code(&png_of(0, 0), None), "media.zero_dimensions");
    let small = Limits {
        max_image_bytes: 50,
        ..Limits::default()
    };
    let err = inspect(&png_of(10, 10), None, &small).unwrap_err();
    assert_eq!(err.code(), "media.too_large");
    let pixels = Limits {
        max_pixels: 1_000,
        ..Limits::default()
    };
    assert!(inspect(&png_of(10, 100), None, &pixels).is_ok());
    assert_eq!(
        inspect(&png_of(10, 101), None, &pixels).unwrap_err().code(),
        "media.too_many_pixels"
    );
}

#[test]
fn cut_off_and_damaged_images_are_refused() {
    let jpeg = jpeg_of(800, 600);
    for cut in [3, 10, 30, jpeg.len() - 2] {
        assert_eq!(code(&jpeg[..cut], None), "media.truncated", "cut at {cut}");
    }
    assert_eq!(
        code(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0, 0], None),
        "media.corrupt"
    );
    let png = png_of(80, 60);
    for cut in [12, 20, 40, png.len() - 4] {
        assert_eq!(code(&png[..cut], None), "media.truncated", "cut at {cut}");
    }
    let mut bad_crc = png.clone();
    bad_crc[30] ^= 0xFF;
    assert_eq!(code(&bad_crc, None), "media.corrupt");
}

#[test]
fn files_hiding_other_files_are_refused_but_camera_trailers_are_not() {
    let mut zip = jpeg_of(100, 100);
    zip.extend_from_slice(b"PK\x03\x04\x14\0\0\0evil.php");
    assert_eq!(code(&zip, None), "media.polyglot");
    let mut html = vec![0xFF, 0xD8];
    html.extend(segment(
        0xFE,
        b"<html><script>alert(document.cookie)</script></html>",
    ));
    html.extend_from_slice(&jpeg_of(100, 100)[2..]);
    assert_eq!(code(&html, None), "media.polyglot");
    // A second picture after the first (multi-picture files from phones) and zero padding.
    let mut mpo = jpeg_of(100, 100);
    mpo.extend_from_slice(&jpeg_of(100, 100));
    mpo.extend_from_slice(&[0; 64]);
    assert_eq!(code(&mpo, None), "image/jpeg");
}

/// `../shared/media-corpus`: the tests fail without it rather than pass having checked nothing.
fn corpus() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/media-corpus");
    assert!(
        dir.is_dir(),
        "the shared media corpus is missing: {}",
        dir.display()
    );
    dir
}

#[test]
fn the_shared_corpus_of_hostile_files_is_refused_file_by_file() {
    let corpus = corpus();
    let expected = [
        ("trunc_40pct.jpg", "media.truncated"),
        ("trunc_header.jpg", "media.truncated"),
        ("bomb_png_dims_100k.png", "media.too_many_pixels"),
        ("bomb_png_900mp_valid.png", "media.too_many_pixels"),
        ("png_bad_crc.png", "media.corrupt"),
        ("bomb_jpeg_dims_65500.jpg", "media.too_many_pixels"),
        ("bomb_gif_dims_65535.gif", "media.too_many_pixels"),
        ("text_renamed.jpg", "media.unknown_type"),
        ("empty.jpg", "media.empty"),
        ("random_bytes.png", "media.unknown_type"),
        ("jpeg_magic_only.jpg", "media.corrupt"),
        ("png_named.jpg", "image/png"),
        ("polyglot_jpeg_zip.jpg", "media.polyglot"),
        ("polyglot_jpeg_html_com.jpg", "media.polyglot"),
        ("svg_script.svg", "media.unsupported_type"),
        ("svg_xxe.svg", "media.unsupported_type"),
        ("svg_external_href.svg", "media.unsupported_type"),
        ("svg_billion_laughs.svg", "media.unsupported_type"),
        ("type_bmp.bmp", "media.unsupported_type"),
        ("type_tiff.tif", "media.unsupported_type"),
    ];
    for (file, want) in expected {
        let bytes = std::fs::read(corpus.join("bad").join(file)).unwrap();
        assert_eq!(code(&bytes, None), want, "{file}");
    }
}

#[test]
fn every_photo_of_the_shared_corpus_is_accepted_with_its_size() {
    let corpus = corpus();
    let mut seen = 0;
    for dir in ["photos", "orient"] {
        for entry in std::fs::read_dir(corpus.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".tsv") || name.ends_with(".md") || name.ends_with(".txt") {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            match inspect(&bytes, None, &Limits::default()) {
                Ok(i) => {
                    let (w, h) = i.dimensions.unwrap();
                    assert!(w > 0 && h > 0, "{name}");
                    seen += 1;
                }
                Err(e) => panic!("{name}: {e} [{}]", e.code()),
            }
        }
    }
    assert!(seen >= 36, "{seen} files");
}
