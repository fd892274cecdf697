//! Colour: a photo tagged with another colour space (Adobe RGB from a camera, Display P3 from
//! an iPhone) is converted to sRGB before its profile is dropped with the rest of the metadata;
//! dropping the profile alone would make the colours look dull or garish. The conversion runs
//! on the small outputs, after resizing.

use std::sync::LazyLock;

use super::Pixels;

/// sRGB as an output profile, with its lookup tables computed once.
static SRGB: LazyLock<Box<qcms::Profile>> = LazyLock::new(|| {
    let mut srgb = qcms::Profile::new_sRGB();
    srgb.precache_output_transform();
    srgb
});

/// The conversion from an embedded ICC profile to sRGB, for pixels with `channels` channels.
/// `None` when there is nothing to convert or the profile is unreadable (the pixels are then
/// taken as sRGB, as browsers do).
pub fn to_srgb(icc: &[u8], channels: u8) -> Option<qcms::Transform> {
    // Only RGB profiles: the pixels are RGB by now.
    if icc.get(16..20) != Some(b"RGB ") {
        return None;
    }
    let profile = qcms::Profile::new_from_slice(icc, false)?;
    transform(&profile, channels)
}

/// The conversion from a colour space named by ITU-T H.273 codes (a HEIC's `nclx`, Display P3
/// on many iPhones) to sRGB. `None` for sRGB itself (primaries 1 = BT.709), unspecified
/// values (2) and what qcms cannot model.
pub fn cicp_to_srgb(primaries: u8, transfer: u8, channels: u8) -> Option<qcms::Transform> {
    if primaries == 1 || primaries == 2 {
        return None;
    }
    // An unspecified transfer curve is taken as sRGB's, as for the pictures themselves.
    let transfer = if transfer == 2 { 13 } else { transfer };
    let profile = qcms::Profile::new_cicp(primaries.into(), transfer.into())?;
    transform(&profile, channels)
}

fn transform(profile: &qcms::Profile, channels: u8) -> Option<qcms::Transform> {
    let data_type = if channels == 4 {
        qcms::DataType::RGBA8
    } else {
        qcms::DataType::RGB8
    };
    qcms::Transform::new(profile, &SRGB, data_type, qcms::Intent::Perceptual)
}

pub fn apply(transform: Option<&qcms::Transform>, pixels: &mut Pixels) {
    if let Some(transform) = transform {
        transform.apply(&mut pixels.data);
    }
}

/// The ICC profile of a JPEG: the APP2 `ICC_PROFILE` segments, put together in their order.
pub fn jpeg_icc(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut chunks: Vec<(u8, &[u8])> = Vec::new();
    let mut at = 2;
    loop {
        while bytes.get(at) == Some(&0xFF) {
            at += 1;
        }
        let Some(&marker) = bytes.get(at) else { break };
        at += 1;
        if marker == 0xDA || marker == 0xD9 {
            break;
        }
        let (Some(&hi), Some(&lo)) = (bytes.get(at), bytes.get(at + 1)) else {
            break;
        };
        let len = usize::from(u16::from_be_bytes([hi, lo])).max(2);
        let Some(segment) = bytes.get(at + 2..at + len) else {
            break;
        };
        if marker == 0xE2
            && let Some(rest) = segment.strip_prefix(b"ICC_PROFILE\0")
            && let [sequence, _count, data @ ..] = rest
        {
            chunks.push((*sequence, data));
        }
        at += len;
    }
    if chunks.is_empty() {
        return None;
    }
    chunks.sort_by_key(|(sequence, _)| *sequence);
    Some(
        chunks
            .into_iter()
            .flat_map(|(_, data)| data.iter().copied())
            .collect(),
    )
}
