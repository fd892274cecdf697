//! HEIC/HEIF, the iPhone's photo format, through libheif (built from the source `libheif-sys`
//! bundles, HEVC decoded by libde265). libheif applies the file's own rotation and mirroring
//! (`irot`/`imir`) while decoding, and the HEIF specification makes those, not the EXIF
//! orientation, the ones that count: so a HEIC comes out upright and its EXIF orientation is
//! ignored. Its location data is still read from its EXIF block, to say that it was removed.

use std::sync::LazyLock;

use libheif_rs::{
    ColorSpace, HeifContext, HeifError, HeifErrorSubCode, ImageHandle, LibHeif, RgbChroma,
    SecurityLimits,
};

use crate::MediaError;
use crate::process::Pixels;

/// libheif's global state, set up once: its `Drop` would tear down what other threads use.
static LIBHEIF: LazyLock<LibHeif> = LazyLock::new(LibHeif::new);

/// The most memory libheif may allocate for one file (a 48-megapixel iPhone photo needs about
/// 300 MB decoded as 4:2:0 planes plus RGB).
const MAX_DECODE_MEMORY: u64 = 1024 * 1024 * 1024;

fn error(e: HeifError) -> MediaError {
    let detail = e.message.trim().to_string();
    match (e.code, e.sub_code) {
        (_, HeifErrorSubCode::EndOfData) => MediaError::Truncated {
            kind: "HEIC",
            detail,
        },
        _ => MediaError::Corrupt {
            kind: "HEIC",
            detail,
        },
    }
}

/// Reads the file's structure, not its pixels. The pixel count is `inspect`'s to check, with
/// its own error; libheif's limits guard the rest (tiles, items, memory).
fn open(bytes: &[u8]) -> Result<HeifContext<'_>, MediaError> {
    LazyLock::force(&LIBHEIF);
    let mut context = HeifContext::new().map_err(error)?;
    let mut limits = SecurityLimits::new();
    limits.set_max_total_memory(MAX_DECODE_MEMORY);
    context.set_security_limits(&limits).map_err(error)?;
    context.read_bytes(bytes).map_err(error)?;
    Ok(context)
}

fn primary(context: &HeifContext<'_>) -> Result<ImageHandle, MediaError> {
    context.primary_image_handle().map_err(error)
}

/// The primary image's width and height, upright (after the file's own rotation).
pub(crate) fn dimensions(bytes: &[u8]) -> Result<(u32, u32), MediaError> {
    let context = open(bytes)?;
    let handle = primary(&context)?;
    Ok((handle.width(), handle.height()))
}

/// The primary image decoded, upright, with what processing needs from its metadata.
pub(crate) struct DecodedHeif {
    pub pixels: Pixels,
    /// The EXIF block, from its TIFF header on.
    pub exif: Option<Vec<u8>>,
    pub icc: Option<Vec<u8>>,
    /// The colour primaries and transfer characteristics (ITU-T H.273 codes) when the file
    /// names its colour space by numbers instead of an ICC profile.
    pub cicp: Option<(u8, u8)>,
}

pub(crate) fn decode(bytes: &[u8]) -> Result<DecodedHeif, MediaError> {
    let context = open(bytes)?;
    let handle = primary(&context)?;
    let alpha = handle.has_alpha_channel();
    let chroma = if alpha {
        RgbChroma::Rgba
    } else {
        RgbChroma::Rgb
    };
    let image = LIBHEIF
        .decode(&handle, ColorSpace::Rgb(chroma), None)
        .map_err(error)?;
    let channels: u8 = if alpha { 4 } else { 3 };
    let Some(plane) = image.planes().interleaved else {
        return Err(MediaError::Corrupt {
            kind: "HEIC",
            detail: "libheif returned no interleaved RGB plane".into(),
        });
    };
    let row = plane.width as usize * usize::from(channels);
    let mut data = Vec::with_capacity(row * plane.height as usize);
    for y in 0..plane.height as usize {
        let start = y * plane.stride;
        let Some(line) = plane.data.get(start..start + row) else {
            return Err(MediaError::Corrupt {
                kind: "HEIC",
                detail: "the decoded picture is shorter than its size".into(),
            });
        };
        data.extend_from_slice(line);
    }
    let exif = handle
        .all_metadata()
        .into_iter()
        .find(|m| m.item_type.0 == *b"Exif")
        .and_then(|m| exif_tiff(&m.raw_data).map(<[u8]>::to_vec));
    let icc = handle.color_profile_raw().map(|p| p.data);
    let cicp = handle.color_profile_nclx().map(|nclx| {
        (
            nclx.color_primaries() as u32 as u8,
            nclx.transfer_characteristics() as u32 as u8,
        )
    });
    Ok(DecodedHeif {
        pixels: Pixels {
            width: plane.width,
            height: plane.height,
            channels,
            data,
        },
        exif,
        icc,
        cicp,
    })
}

/// A HEIF EXIF item starts with the offset of the TIFF header (ISO/IEC 23008-12, A.2.1).
fn exif_tiff(item: &[u8]) -> Option<&[u8]> {
    let offset = u32::from_be_bytes(item.get(0..4)?.try_into().ok()?) as usize;
    item.get(4usize.checked_add(offset)?..)
}

#[cfg(test)]
mod tests {
    use super::*;
    use libheif_rs::HeifErrorCode;

    #[test]
    fn the_exif_item_is_found_past_its_offset() {
        assert_eq!(exif_tiff(b"\0\0\0\x02abMM\0*"), Some(&b"MM\0*"[..]));
        assert_eq!(exif_tiff(b"\0\0\0\0MM"), Some(&b"MM"[..]));
        assert_eq!(exif_tiff(b"\xff\xff\xff\xffMM"), None);
        assert_eq!(exif_tiff(b"\0\0"), None);
    }

    #[test]
    fn an_unknown_error_is_damage_and_a_short_file_is_truncation() {
        let short = HeifError {
            code: HeifErrorCode::InvalidInput,
            sub_code: HeifErrorSubCode::EndOfData,
            message: "end".into(),
        };
        assert_eq!(error(short).code(), "media.truncated");
    }
}
