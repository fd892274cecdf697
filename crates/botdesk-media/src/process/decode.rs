//! Decoding an accepted image once, as small as its variants allow. JPEG goes through
//! libjpeg-turbo, which scales by n/8 while decoding (a 20-megapixel photo needed only for a
//! 600-pixel variant is decoded at an eighth of its size, 64 times fewer pixels); PNG, GIF
//! (first frame) and WebP go through `image`, with its memory limits on; HEIC through libheif
//! (`crate::heif`), which turns it upright itself.

use std::io::Cursor;

use super::Pixels;
use super::orient::{self, ExifFacts};
use crate::{Inspected, MediaError, MediaKind};

/// A decoded image, in its stored orientation.
#[derive(Debug)]
pub struct Decoded {
    pub pixels: Pixels,
    /// The size of the original (before any shrinking on load), as stored.
    pub full_width: u32,
    pub full_height: u32,
    pub exif: ExifFacts,
    /// The embedded ICC colour profile, if any.
    pub icc: Option<Vec<u8>>,
    /// The colour space named by ITU-T H.273 codes (primaries, transfer) instead of a profile.
    pub cicp: Option<(u8, u8)>,
}

/// Decodes `bytes`; `needed_scale(width, height, orientation)` says how small the decoder may
/// make the picture (1.0 = full size).
pub fn decode(
    bytes: &[u8],
    inspected: &Inspected,
    needed_scale: impl Fn(u32, u32, u8) -> f64,
) -> Result<Decoded, MediaError> {
    match inspected.kind {
        MediaKind::Jpeg => {
            let exif = orient::jpeg_exif(bytes)
                .map(orient::exif_facts)
                .unwrap_or_default();
            jpeg(bytes, exif, &needed_scale)
        }
        MediaKind::Png => with_image(bytes, image::ImageFormat::Png, None),
        MediaKind::Gif => with_image(bytes, image::ImageFormat::Gif, None),
        MediaKind::Webp => match webp::BitstreamFeatures::new(bytes) {
            Some(features) if !features.has_animation() => {
                webp_still(bytes, features.has_alpha(), &needed_scale)
            }
            // Animated (first frame) or unreadable here: `image` decides.
            _ => with_image(bytes, image::ImageFormat::WebP, None),
        },
        MediaKind::Heic => heic(bytes),
        other => Err(MediaError::Processing {
            detail: format!("{} files are stored as they are, not decoded", other.name()),
        }),
    }
}

fn corrupt(kind: &'static str, e: impl std::fmt::Display) -> MediaError {
    MediaError::Corrupt {
        kind,
        detail: e.to_string(),
    }
}

fn jpeg(
    bytes: &[u8],
    exif: ExifFacts,
    needed_scale: &impl Fn(u32, u32, u8) -> f64,
) -> Result<Decoded, MediaError> {
    let bad = |e: turbojpeg::Error| corrupt("JPEG", e);
    let mut decompressor = turbojpeg::Decompressor::new().map_err(bad)?;
    let header = decompressor.read_header(bytes).map_err(bad)?;
    if matches!(
        header.colorspace,
        turbojpeg::Colorspace::CMYK | turbojpeg::Colorspace::YCCK
    ) {
        // libjpeg-turbo cannot turn CMYK into RGB; `image` can (print-shop files, rare).
        return with_image(bytes, image::ImageFormat::Jpeg, Some(exif));
    }
    let (full_width, full_height) = (header.width as u32, header.height as u32);
    let needed = needed_scale(full_width, full_height, exif.orientation);
    // The smallest n/8 that still covers what the variants need.
    let factor = turbojpeg::ScalingFactor::new(eighths(needed), 8);
    decompressor.set_scaling_factor(factor).map_err(bad)?;
    let scaled = header.scaled(factor);
    let mut image = turbojpeg::Image {
        pixels: vec![0u8; 3 * scaled.width * scaled.height],
        width: scaled.width,
        pitch: 3 * scaled.width,
        height: scaled.height,
        format: turbojpeg::PixelFormat::RGB,
    };
    decompressor
        .decompress(bytes, image.as_deref_mut())
        .map_err(bad)?;
    Ok(Decoded {
        pixels: Pixels {
            width: scaled.width as u32,
            height: scaled.height as u32,
            channels: 3,
            data: image.pixels,
        },
        full_width,
        full_height,
        exif,
        icc: super::colour::jpeg_icc(bytes),
        cicp: None,
    })
}

/// The smallest n/8 (1–8) that is at least `needed`.
fn eighths(needed: f64) -> usize {
    (1..=8)
        .find(|n: &usize| *n as f64 / 8.0 >= needed)
        .unwrap_or(8)
}

fn webp_still(
    bytes: &[u8],
    alpha: bool,
    needed_scale: &impl Fn(u32, u32, u8) -> f64,
) -> Result<Decoded, MediaError> {
    let exif = super::webp_decode::chunk(bytes, b"EXIF")
        .map(orient::exif_facts)
        .unwrap_or_default();
    let Some((full_width, full_height)) =
        webp::BitstreamFeatures::new(bytes).map(|f| (f.width(), f.height()))
    else {
        return Err(corrupt("WebP", "its header cannot be read"));
    };
    let n = eighths(needed_scale(full_width, full_height, exif.orientation));
    let scaled = |side: u32| (u64::from(side) * n as u64).div_ceil(8).max(1) as u32;
    let pixels = super::webp_decode::decode_scaled(
        bytes,
        scaled(full_width),
        scaled(full_height),
        n < 8,
        alpha,
    )
    .map_err(|e| corrupt("WebP", e))?;
    Ok(Decoded {
        pixels,
        full_width,
        full_height,
        exif,
        icc: super::webp_decode::chunk(bytes, b"ICCP").map(<[u8]>::to_vec),
        cicp: None,
    })
}

/// Decodes with `image`, full size, within its default memory limits (512 MiB).
fn with_image(
    bytes: &[u8],
    format: image::ImageFormat,
    exif: Option<ExifFacts>,
) -> Result<Decoded, MediaError> {
    use image::ImageDecoder;
    let kind = match format {
        image::ImageFormat::Png => "PNG",
        image::ImageFormat::Gif => "GIF",
        image::ImageFormat::WebP => "WebP",
        _ => "JPEG",
    };
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(image::Limits::default());
    let mut decoder = reader.into_decoder().map_err(|e| corrupt(kind, e))?;
    let exif = match exif {
        Some(facts) => facts,
        None => decoder
            .exif_metadata()
            .ok()
            .flatten()
            .map(|block| orient::exif_facts(&block))
            .unwrap_or_default(),
    };
    let icc = decoder.icc_profile().ok().flatten();
    let image = image::DynamicImage::from_decoder(decoder).map_err(|e| corrupt(kind, e))?;
    let (full_width, full_height) = (image.width(), image.height());
    let pixels = if image.color().has_alpha() {
        Pixels {
            width: full_width,
            height: full_height,
            channels: 4,
            data: image.into_rgba8().into_raw(),
        }
    } else {
        Pixels {
            width: full_width,
            height: full_height,
            channels: 3,
            data: image.into_rgb8().into_raw(),
        }
    };
    Ok(Decoded {
        pixels,
        full_width,
        full_height,
        exif,
        icc,
        cicp: None,
    })
}

fn heic(bytes: &[u8]) -> Result<Decoded, MediaError> {
    let heic = crate::heif::decode(bytes)?;
    let exif = ExifFacts {
        // Already upright: the file's rotation, not its EXIF orientation, is the one that
        // counts, and libheif applied it.
        orientation: 1,
        ..heic
            .exif
            .as_deref()
            .map(orient::exif_facts)
            .unwrap_or_default()
    };
    Ok(Decoded {
        full_width: heic.pixels.width,
        full_height: heic.pixels.height,
        pixels: heic.pixels,
        exif,
        icc: heic.icc,
        cicp: heic.cicp,
    })
}
