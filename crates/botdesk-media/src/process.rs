//! Turning an accepted image into the files botdesk sends and shows. Each image is decoded
//! once for all its variants, and a JPEG is decoded already shrunk (libjpeg-turbo scales in the
//! DCT domain) to the smallest size that still covers every variant; each variant is then
//! resized with SIMD (`fast_image_resize`), turned upright from EXIF and encoded without any
//! metadata: no GPS, no camera serials, nothing a re-encode does not rebuild from pixels.
//! See `../shared/notes/media-speed.md` for what was measured to choose this design.

mod colour;
mod decode;
mod encode;
pub mod orient;
mod webp_decode;

use fast_image_resize as fr;

use crate::{Inspected, MediaError};

/// Decoded pixels, 8 bits per channel, rows packed: RGB (3 channels) or RGBA (4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pixels {
    pub width: u32,
    pub height: u32,
    pub channels: u8,
    pub data: Vec<u8>,
}

/// How a variant fills its box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Fills the box exactly, cropping the centre (thumbnails).
    Cover,
    /// The whole picture, as large as fits in the box.
    Inside,
}

/// The file formats a variant is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// What WhatsApp takes.
    Jpeg,
    /// Smaller, for the UI.
    Webp,
}

impl Encoding {
    pub fn mime(self) -> &'static str {
        match self {
            Encoding::Jpeg => "image/jpeg",
            Encoding::Webp => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Encoding::Jpeg => "jpg",
            Encoding::Webp => "webp",
        }
    }

    pub fn parse(s: &str) -> Option<Encoding> {
        match s {
            "jpeg" | "jpg" => Some(Encoding::Jpeg),
            "webp" => Some(Encoding::Webp),
            _ => None,
        }
    }
}

/// One derived picture: its name, its box, and how it fills it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantSpec {
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub fit: Fit,
    /// Whether a picture smaller than the box is enlarged to fill it (sharp's default, kept for
    /// the thumbnails and the medium size so that a grid is even).
    pub enlarge: bool,
    /// The most bytes one encoded file may take; the quality steps down until it fits.
    pub max_bytes: Option<u64>,
}

/// What to make of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessOptions {
    pub variants: Vec<VariantSpec>,
    pub encodings: Vec<Encoding>,
    /// 1–100, for both JPEG and WebP.
    pub quality: u8,
}

/// WhatsApp takes images up to 5 MB.
pub const WHATSAPP_IMAGE_MAX_BYTES: u64 = 5 * 1024 * 1024;

/// The quality every variant is written at unless the caller says otherwise.
pub const DEFAULT_QUALITY: u8 = 85;

impl VariantSpec {
    pub fn thumbnail() -> VariantSpec {
        VariantSpec {
            name: "thumbnail".into(),
            width: 200,
            height: 200,
            fit: Fit::Cover,
            enlarge: true,
            max_bytes: None,
        }
    }

    pub fn medium() -> VariantSpec {
        VariantSpec {
            name: "medium".into(),
            width: 600,
            height: 600,
            fit: Fit::Inside,
            enlarge: true,
            max_bytes: None,
        }
    }

    /// The picture to send: longest side at most 1600 pixels, never enlarged, under WhatsApp's
    /// limit.
    pub fn optimised() -> VariantSpec {
        VariantSpec {
            name: "optimised".into(),
            width: 1600,
            height: 1600,
            fit: Fit::Inside,
            enlarge: false,
            max_bytes: Some(WHATSAPP_IMAGE_MAX_BYTES),
        }
    }
}

impl Default for ProcessOptions {
    /// The original design's variants plus the optimised original, in JPEG and WebP.
    fn default() -> ProcessOptions {
        ProcessOptions {
            variants: vec![
                VariantSpec::thumbnail(),
                VariantSpec::medium(),
                VariantSpec::optimised(),
            ],
            encodings: vec![Encoding::Jpeg, Encoding::Webp],
            quality: DEFAULT_QUALITY,
        }
    }
}

/// One encoded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub variant: String,
    pub encoding: Encoding,
    pub width: u32,
    pub height: u32,
    /// The quality it was written at (lower than asked when `max_bytes` forced it).
    pub quality: u8,
    pub bytes: Vec<u8>,
}

/// What processing made of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processed {
    /// The upright size of the original.
    pub width: u32,
    pub height: u32,
    /// The EXIF orientation that was applied (1 = none).
    pub orientation: u8,
    /// The original carried GPS coordinates (none of the outputs do).
    pub had_location: bool,
    pub outputs: Vec<Output>,
}

/// Makes every variant of `options` in every encoding from an image `inspect` accepted.
pub fn process(
    bytes: &[u8],
    inspected: &Inspected,
    options: &ProcessOptions,
) -> Result<Processed, MediaError> {
    check_options(options)?;
    let decoded = decode::decode(bytes, inspected, |width, height, orientation| {
        smallest_scale(width, height, orientation, &options.variants)
    })?;
    let orientation = decoded.exif.orientation;
    let (full_w, full_h) = upright(decoded.full_width, decoded.full_height, orientation);
    let to_srgb = decoded
        .icc
        .as_deref()
        .and_then(|icc| colour::to_srgb(icc, decoded.pixels.channels))
        .or_else(|| {
            let (primaries, transfer) = decoded.cicp?;
            colour::cicp_to_srgb(primaries, transfer, decoded.pixels.channels)
        });
    let mut resizer = fr::Resizer::new();
    let mut outputs = Vec::with_capacity(options.variants.len() * options.encodings.len());
    for variant in &options.variants {
        let mut resized = resize(
            &mut resizer,
            &decoded.pixels,
            variant,
            orientation,
            (full_w, full_h),
        )?;
        colour::apply(to_srgb.as_ref(), &mut resized);
        let upright_pixels = orient::apply(resized, orientation);
        for &encoding in &options.encodings {
            outputs.push(encode::encode_variant(
                &upright_pixels,
                variant,
                encoding,
                options.quality,
            )?);
        }
    }
    Ok(Processed {
        width: full_w,
        height: full_h,
        orientation,
        had_location: decoded.exif.has_location,
        outputs,
    })
}

fn check_options(options: &ProcessOptions) -> Result<(), MediaError> {
    let bad = |detail: String| Err(MediaError::BadOptions { detail });
    if !(1..=100).contains(&options.quality) {
        return bad(format!("quality must be 1–100, not {}", options.quality));
    }
    if options.variants.is_empty() || options.encodings.is_empty() {
        return bad("at least one size and one format are needed".into());
    }
    for v in &options.variants {
        if !(1..=8192).contains(&v.width) || !(1..=8192).contains(&v.height) {
            return bad(format!(
                "the size {} must be 1–8192 pixels each way, not {}×{}",
                v.name, v.width, v.height
            ));
        }
    }
    Ok(())
}

fn upright(width: u32, height: u32, orientation: u8) -> (u32, u32) {
    if orient::swaps_axes(orientation) {
        (height, width)
    } else {
        (width, height)
    }
}

/// The size of a variant, upright, for an upright original of `w`×`h`.
pub fn variant_size(w: u32, h: u32, variant: &VariantSpec) -> (u32, u32) {
    match variant.fit {
        Fit::Cover => (variant.width, variant.height),
        Fit::Inside => {
            let scale = (f64::from(variant.width) / f64::from(w))
                .min(f64::from(variant.height) / f64::from(h));
            let scale = if variant.enlarge {
                scale
            } else {
                scale.min(1.0)
            };
            let side = |n: u32| ((f64::from(n) * scale).round() as u32).max(1);
            (side(w), side(h))
        }
    }
}

/// The scale (of the stored original) each variant needs at least: the decoder may shrink that
/// far and no further, so every resize after it is a reduction.
fn smallest_scale(width: u32, height: u32, orientation: u8, variants: &[VariantSpec]) -> f64 {
    let (w, h) = upright(width, height, orientation);
    variants
        .iter()
        .map(|v| {
            let (bw, bh) = (f64::from(v.width), f64::from(v.height));
            let (w, h) = (f64::from(w), f64::from(h));
            match v.fit {
                Fit::Cover => (bw / w).max(bh / h),
                Fit::Inside => (bw / w).min(bh / h),
            }
        })
        .fold(0.0, f64::max)
        .min(1.0)
}

/// Resizes the decoded (stored-orientation, maybe already shrunk) pixels to what `variant`
/// needs, still in stored orientation.
fn resize(
    resizer: &mut fr::Resizer,
    source: &Pixels,
    variant: &VariantSpec,
    orientation: u8,
    (full_w, full_h): (u32, u32),
) -> Result<Pixels, MediaError> {
    let (out_w, out_h) = variant_size(full_w, full_h, variant);
    let (out_w, out_h) = upright(out_w, out_h, orientation);
    let failed = |e: &dyn std::fmt::Display| MediaError::Processing {
        detail: format!("resizing to the {} size failed: {e}", variant.name),
    };
    let pixel_type = if source.channels == 4 {
        fr::PixelType::U8x4
    } else {
        fr::PixelType::U8x3
    };
    let src = fr::images::ImageRef::new(source.width, source.height, &source.data, pixel_type)
        .map_err(|e| failed(&e))?;
    let mut dst = fr::images::Image::new(out_w, out_h, pixel_type);
    // Lanczos3 to reduce (sharp's choice too); bicubic to enlarge, where Lanczos rings around
    // edges.
    let scale = (f64::from(out_w) / f64::from(source.width))
        .max(f64::from(out_h) / f64::from(source.height));
    let filter = if scale > 1.0 {
        fr::FilterType::CatmullRom
    } else {
        fr::FilterType::Lanczos3
    };
    let mut resize_options =
        fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(filter));
    if variant.fit == Fit::Cover {
        resize_options = resize_options.fit_into_destination(Some((0.5, 0.5)));
    }
    resizer
        .resize(&src, &mut dst, &resize_options)
        .map_err(|e| failed(&e))?;
    Ok(Pixels {
        width: out_w,
        height: out_h,
        channels: source.channels,
        data: dst.into_vec(),
    })
}

#[cfg(test)]
mod tests;
