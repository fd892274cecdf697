use std::path::PathBuf;

use super::*;
use crate::{Limits, inspect};

/// `../shared/media-corpus/<dir>` (a test that needs it fails without it, never skips).
fn corpus(dir: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/media-corpus")
        .join(dir);
    assert!(
        path.is_dir(),
        "the shared media corpus is missing: {}",
        path.display()
    );
    path
}

fn run(bytes: &[u8], options: &ProcessOptions) -> Result<Processed, MediaError> {
    let inspected = inspect(bytes, None, &Limits::default())?;
    process(bytes, &inspected, options)
}

fn decode_rgb(bytes: &[u8]) -> image::RgbImage {
    image::load_from_memory(bytes)
        .expect("our own output decodes")
        .into_rgb8()
}

/// The mean absolute difference of two pictures of one size, per channel (0–255).
fn difference(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let total: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    total as f64 / a.as_raw().len() as f64
}

/// A solid-colour JPEG with an EXIF block carrying `orientation` and, if asked, a GPS position.
fn jpeg_with_exif(width: u32, height: u32, orientation: u16, gps: bool) -> Vec<u8> {
    let pixels = Pixels {
        width,
        height,
        channels: 3,
        data: (0..width * height)
            .flat_map(|i| [(i % 251) as u8, 90, 200])
            .collect(),
    };
    let plain = encode::encode(&pixels, Encoding::Jpeg, 90).expect("encodes");
    // A little-endian TIFF: IFD0 with Orientation (and a GPS IFD pointer), then the GPS IFD
    // with a latitude reference.
    let mut tiff: Vec<u8> = b"II*\0\x08\0\0\0".to_vec();
    let entries: u16 = if gps { 2 } else { 1 };
    tiff.extend(entries.to_le_bytes());
    tiff.extend([0x12, 0x01, 3, 0, 1, 0, 0, 0]);
    tiff.extend(orientation.to_le_bytes());
    tiff.extend([0, 0]);
    if gps {
        let gps_ifd = 8 + 2 + 12 * 2 + 4;
        tiff.extend([0x25, 0x88, 4, 0, 1, 0, 0, 0]);
        tiff.extend((gps_ifd as u32).to_le_bytes());
    }
    tiff.extend([0, 0, 0, 0]);
    if gps {
        tiff.extend(1u16.to_le_bytes());
        // GPSLatitudeRef = "N".
        tiff.extend([0x01, 0x00, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0]);
        tiff.extend([0, 0, 0, 0]);
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&plain[2..]);
    out
}

fn has_exif(bytes: &[u8]) -> bool {
    orient::jpeg_exif(bytes).is_some()
        || bytes.windows(4).any(|w| w == b"EXIF" || w == b"Exif")
        || bytes.windows(4).any(|w| w == b"XMP ")
}

#[test]
fn makes_every_variant_in_both_formats_without_metadata() {
    let original = jpeg_with_exif(1200, 800, 1, true);
    let processed = run(&original, &ProcessOptions::default()).expect("processes");
    assert!(processed.had_location);
    assert_eq!((processed.width, processed.height), (1200, 800));
    let sizes: Vec<(&str, Encoding, u32, u32)> = processed
        .outputs
        .iter()
        .map(|o| (o.variant.as_str(), o.encoding, o.width, o.height))
        .collect();
    assert_eq!(
        sizes,
        vec![
            ("thumbnail", Encoding::Jpeg, 200, 200),
            ("thumbnail", Encoding::Webp, 200, 200),
            ("medium", Encoding::Jpeg, 600, 400),
            ("medium", Encoding::Webp, 600, 400),
            // Never enlarged: the original is smaller than 1600.
            ("optimised", Encoding::Jpeg, 1200, 800),
            ("optimised", Encoding::Webp, 1200, 800),
        ]
    );
    for output in &processed.outputs {
        assert!(
            !has_exif(&output.bytes),
            "{} {:?} carries metadata",
            output.variant,
            output.encoding
        );
        let decoded = image::load_from_memory(&output.bytes).expect("decodes");
        assert_eq!(
            (decoded.width(), decoded.height()),
            (output.width, output.height)
        );
        assert_eq!(output.quality, 85);
    }
}

#[test]
fn a_sideways_photo_comes_out_upright() {
    // Stored 300×100, EXIF 6 (turn a quarter clockwise): upright it is 100×300.
    let original = jpeg_with_exif(300, 100, 6, false);
    let processed = run(&original, &ProcessOptions::default()).expect("processes");
    assert_eq!(processed.orientation, 6);
    assert!(!processed.had_location);
    assert_eq!((processed.width, processed.height), (100, 300));
    let medium = processed
        .outputs
        .iter()
        .find(|o| o.variant == "medium")
        .expect("medium");
    assert_eq!((medium.width, medium.height), (200, 600));
}

#[test]
fn the_optimised_size_keeps_the_longest_side_within_1600() {
    let original = jpeg_with_exif(4000, 3000, 8, false);
    let processed = run(&original, &ProcessOptions::default()).expect("processes");
    assert_eq!((processed.width, processed.height), (3000, 4000));
    let optimised = processed
        .outputs
        .iter()
        .find(|o| o.variant == "optimised")
        .expect("optimised");
    assert_eq!((optimised.width, optimised.height), (1200, 1600));
    assert!(optimised.bytes.len() as u64 <= WHATSAPP_IMAGE_MAX_BYTES);
}

#[test]
fn max_bytes_lowers_the_quality_until_the_file_fits() {
    let original = jpeg_with_exif(800, 800, 1, false);
    let full = run(
        &original,
        &ProcessOptions {
            variants: vec![VariantSpec::medium()],
            encodings: vec![Encoding::Jpeg],
            quality: 95,
        },
    )
    .expect("processes");
    let budget = full.outputs[0].bytes.len() as u64 * 2 / 3;
    let mut tight = VariantSpec::medium();
    tight.max_bytes = Some(budget);
    let fitted = run(
        &original,
        &ProcessOptions {
            variants: vec![tight],
            encodings: vec![Encoding::Jpeg],
            quality: 95,
        },
    )
    .expect("processes");
    assert!(fitted.outputs[0].quality < 95);
    assert!(fitted.outputs[0].bytes.len() as u64 <= budget);
}

#[test]
fn bad_options_are_refused_with_a_code() {
    let original = jpeg_with_exif(10, 10, 1, false);
    for options in [
        ProcessOptions {
            quality: 0,
            ..ProcessOptions::default()
        },
        ProcessOptions {
            quality: 101,
            ..ProcessOptions::default()
        },
        ProcessOptions {
            variants: vec![],
            ..ProcessOptions::default()
        },
        ProcessOptions {
            encodings: vec![],
            ..ProcessOptions::default()
        },
        ProcessOptions {
            variants: vec![VariantSpec {
                width: 0,
                ..VariantSpec::thumbnail()
            }],
            ..ProcessOptions::default()
        },
    ] {
        let error = run(&original, &options).expect_err("refused");
        assert_eq!(error.code(), "media.bad_options", "{options:?}");
    }
}

#[test]
fn transparency_stays_in_webp_and_sits_on_white_in_jpeg() {
    let mut png = Vec::new();
    let clear = image::RgbaImage::from_pixel(40, 40, image::Rgba([255, 0, 0, 0]));
    clear
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("writes");
    let processed = run(&png, &ProcessOptions::default()).expect("processes");
    let jpeg = processed
        .outputs
        .iter()
        .find(|o| o.encoding == Encoding::Jpeg)
        .expect("jpeg");
    let px = decode_rgb(&jpeg.bytes).get_pixel(20, 20).0;
    assert!(px.iter().all(|c| *c > 240), "not white: {px:?}");
    let webp = processed
        .outputs
        .iter()
        .find(|o| o.encoding == Encoding::Webp)
        .expect("webp");
    let decoded = image::load_from_memory(&webp.bytes).expect("decodes");
    assert!(decoded.color().has_alpha());
}

#[test]
fn every_exif_orientation_in_the_corpus_comes_out_upright() {
    let dir = corpus("orient");
    let reference = image::open(dir.join("o1_hopper_reference.png"))
        .expect("reference")
        .into_rgb8();
    let same_size = ProcessOptions {
        variants: vec![VariantSpec {
            name: "same".into(),
            width: 128,
            height: 128,
            fit: Fit::Inside,
            enlarge: false,
            max_bytes: None,
        }],
        encodings: vec![Encoding::Webp, Encoding::Jpeg],
        quality: 95,
    };
    for orientation in 2..=8 {
        for extension in ["jpg", "webp"] {
            let name = format!("o{orientation}_hopper.{extension}");
            let bytes = std::fs::read(dir.join(&name)).expect("corpus file");
            let processed = run(&bytes, &same_size).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(processed.orientation, orientation, "{name}");
            for output in &processed.outputs {
                assert!(
                    !has_exif(&output.bytes),
                    "{name} {:?} carries metadata",
                    output.encoding
                );
                let got = decode_rgb(&output.bytes);
                let off = difference(&got, &reference);
                // Encoding costs a few levels; a wrong turn costs tens.
                assert!(
                    off < 8.0,
                    "{name} {:?}: {off:.1} levels from the upright reference",
                    output.encoding
                );
            }
        }
    }
    // A PNG with an eXIf chunk: stored 600×400, orientation 6, so 400×600 upright.
    let bytes = std::fs::read(dir.join("o6_coffee_exif_derived.png")).expect("corpus file");
    let processed = run(&bytes, &ProcessOptions::default()).expect("processes");
    assert_eq!((processed.width, processed.height), (400, 600));
}

#[test]
fn every_corpus_photo_processes_and_shrinks() {
    let dir = corpus("photos");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e != "tsv"))
        .collect();
    names.sort();
    assert!(names.len() >= 30);
    for path in names {
        let bytes = std::fs::read(&path).expect("corpus file");
        let processed = run(&bytes, &ProcessOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for output in &processed.outputs {
            assert!(
                !has_exif(&output.bytes),
                "{}: {} carries metadata",
                path.display(),
                output.variant
            );
            let longest = output.width.max(output.height);
            assert!(
                longest <= 1600,
                "{}: {} is {longest} px",
                path.display(),
                output.variant
            );
        }
    }
}

#[test]
fn the_hostile_corpus_is_refused_before_or_during_decoding() {
    let dir = corpus("bad");
    for entry in std::fs::read_dir(&dir).expect("corpus") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if name == "NOTES.tsv" {
            continue;
        }
        let bytes = std::fs::read(&path).expect("corpus file");
        let outcome = run(&bytes, &ProcessOptions::default());
        if name == "png_named.jpg" {
            outcome.unwrap_or_else(|e| panic!("{name} is a real PNG: {e}"));
        } else {
            let error = outcome
                .err()
                .unwrap_or_else(|| panic!("{name} was accepted"));
            assert!(error.code().starts_with("media."), "{name}: {error}");
        }
    }
}

#[test]
fn a_heic_photo_becomes_jpeg_and_webp_variants_without_its_location() {
    let processed = run(crate::inspect::tests::HEIC, &ProcessOptions::default()).unwrap();
    assert_eq!((processed.width, processed.height), (320, 200));
    assert_eq!(processed.orientation, 1);
    assert!(
        processed.had_location,
        "the HEIC's EXIF block has a GPS IFD"
    );
    assert_eq!(processed.outputs.len(), 6);
    // The same picture as the JPEG it was encoded from (both lossy: only roughly equal).
    let reference = decode_rgb(
        &std::fs::read(corpus("photos").join("j13_cups_sony.jpg")).expect("corpus file"),
    );
    let reference = image::imageops::thumbnail(&reference, 320, 200);
    for output in &processed.outputs {
        assert!(!has_exif(&output.bytes), "{}", output.variant);
        if output.variant == "optimised" {
            // Never enlarged: the optimised copy keeps the original's size.
            assert_eq!((output.width, output.height), (320, 200));
            let diff = difference(&decode_rgb(&output.bytes), &reference);
            assert!(
                diff < 12.0,
                "{} differs by {diff:.1}",
                output.encoding.mime()
            );
        }
    }
}
