//! Writing a variant: JPEG through libjpeg-turbo (4:2:0 chroma and optimised Huffman tables,
//! as sharp does), WebP through libwebp (lossy). Neither writer is given any metadata, so none
//! leaves botdesk.

use super::{Encoding, Output, Pixels, VariantSpec};
use crate::MediaError;

/// The lowest quality `max_bytes` may push a file to before botdesk gives up on it.
const MIN_QUALITY: u8 = 40;

pub fn encode_variant(
    pixels: &Pixels,
    variant: &VariantSpec,
    encoding: Encoding,
    quality: u8,
) -> Result<Output, MediaError> {
    let mut quality = quality;
    loop {
        let bytes = encode(pixels, encoding, quality)?;
        let fits = variant
            .max_bytes
            .is_none_or(|max| bytes.len() as u64 <= max);
        if fits || quality <= MIN_QUALITY {
            if !fits {
                return Err(MediaError::Processing {
                    detail: format!(
                        "the {} size stays over {} bytes even at quality {MIN_QUALITY}",
                        variant.name,
                        variant.max_bytes.unwrap_or_default()
                    ),
                });
            }
            return Ok(Output {
                variant: variant.name.clone(),
                encoding,
                width: pixels.width,
                height: pixels.height,
                quality,
                bytes,
            });
        }
        quality = quality.saturating_sub(10).max(MIN_QUALITY);
    }
}

pub fn encode(pixels: &Pixels, encoding: Encoding, quality: u8) -> Result<Vec<u8>, MediaError> {
    match encoding {
        Encoding::Jpeg => jpeg(pixels, quality),
        Encoding::Webp => webp(pixels, quality),
    }
}

fn failed(what: &str, e: impl std::fmt::Display) -> MediaError {
    MediaError::Processing {
        detail: format!("writing the {what} failed: {e}"),
    }
}

fn jpeg(pixels: &Pixels, quality: u8) -> Result<Vec<u8>, MediaError> {
    // JPEG has no transparency: a cut-out product sits on white, not on black.
    let flattened;
    let rgb: &[u8] = if pixels.channels == 4 {
        flattened = on_white(&pixels.data);
        &flattened
    } else {
        &pixels.data
    };
    let width = pixels.width as usize;
    let image = turbojpeg::Image {
        pixels: rgb,
        width,
        pitch: 3 * width,
        height: pixels.height as usize,
        format: turbojpeg::PixelFormat::RGB,
    };
    let mut compressor = turbojpeg::Compressor::new().map_err(|e| failed("JPEG", e))?;
    compressor
        .set_quality(i32::from(quality))
        .map_err(|e| failed("JPEG", e))?;
    compressor
        .set_subsamp(turbojpeg::Subsamp::Sub2x2)
        .map_err(|e| failed("JPEG", e))?;
    compressor
        .set_optimize(true)
        .map_err(|e| failed("JPEG", e))?;
    compressor
        .compress_to_vec(image)
        .map_err(|e| failed("JPEG", e))
}

fn webp(pixels: &Pixels, quality: u8) -> Result<Vec<u8>, MediaError> {
    let encoder = if pixels.channels == 4 {
        webp::Encoder::from_rgba(&pixels.data, pixels.width, pixels.height)
    } else {
        webp::Encoder::from_rgb(&pixels.data, pixels.width, pixels.height)
    };
    let memory = encoder
        .encode_simple(false, f32::from(quality))
        .map_err(|e| failed("WebP", format!("{e:?}")))?;
    Ok(memory.to_vec())
}

/// RGBA composed over white, as RGB.
fn on_white(rgba: &[u8]) -> Vec<u8> {
    let mut rgb = Vec::with_capacity(rgba.len() / 4 * 3);
    for px in rgba.chunks_exact(4) {
        let alpha = u32::from(px[3]);
        for &channel in &px[..3] {
            let over = (u32::from(channel) * alpha + 255 * (255 - alpha) + 127) / 255;
            rgb.push(over as u8);
        }
    }
    rgb
}
