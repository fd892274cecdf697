//! EXIF orientation: reading the tag robustly (a damaged APP1 segment must never take the app
//! down) and turning pixels upright. Orientation is applied to the small outputs after
//! resizing, where it costs a few hundred microseconds instead of a pass over 20 megapixels.

use super::Pixels;

/// The EXIF orientation (1–8) and whether the metadata carries a location.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExifFacts {
    pub orientation: u8,
    pub has_location: bool,
}

impl Default for ExifFacts {
    fn default() -> ExifFacts {
        ExifFacts {
            orientation: 1,
            has_location: false,
        }
    }
}

/// Reads orientation and location from a TIFF-structured EXIF block (with or without the
/// `Exif\0\0` prefix that JPEG APP1 segments and some WebP files carry). Anything unreadable
/// counts as "upright, no location": a photo must not be refused for a broken tag.
pub fn exif_facts(block: &[u8]) -> ExifFacts {
    let tiff = block.strip_prefix(b"Exif\0\0").unwrap_or(block);
    let Ok(exif) = exif::Reader::new().read_raw(tiff.to_vec()) else {
        return ExifFacts::default();
    };
    let orientation = exif
        .get_field(exif::Tag::Orientation, exif::In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .filter(|o| (1..=8).contains(o))
        .map(|o| o as u8)
        .unwrap_or(1);
    let has_location = exif
        .fields()
        .any(|f| f.tag.context() == exif::Context::Gps && f.tag != exif::Tag::GPSVersionID);
    ExifFacts {
        orientation,
        has_location,
    }
}

/// The EXIF block of a JPEG: the first APP1 segment that starts with `Exif\0\0`, found by
/// walking the segments up to the image data.
pub fn jpeg_exif(bytes: &[u8]) -> Option<&[u8]> {
    let mut at = 2;
    loop {
        while bytes.get(at) == Some(&0xFF) {
            at += 1;
        }
        let marker = *bytes.get(at)?;
        at += 1;
        // Start of scan or end of image: the metadata segments are all before.
        if marker == 0xDA || marker == 0xD9 {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]));
        let segment = bytes.get(at + 2..at + len.max(2))?;
        if marker == 0xE1 && segment.starts_with(b"Exif\0\0") {
            return Some(segment);
        }
        at += len.max(2);
    }
}

/// Whether an orientation turns the picture by a quarter (width and height swap).
pub fn swaps_axes(orientation: u8) -> bool {
    matches!(orientation, 5..=8)
}

/// `pixels` turned upright according to the EXIF `orientation`.
pub fn apply(pixels: Pixels, orientation: u8) -> Pixels {
    if !(2..=8).contains(&orientation) {
        return pixels;
    }
    let (w, h, c) = (
        pixels.width as usize,
        pixels.height as usize,
        pixels.channels as usize,
    );
    let (ow, oh) = if swaps_axes(orientation) {
        (h, w)
    } else {
        (w, h)
    };
    let mut out = vec![0u8; pixels.data.len()];
    for y in 0..oh {
        for x in 0..ow {
            // Where the pixel at (x, y) of the upright picture is in the stored one.
            let (sx, sy) = match orientation {
                2 => (w - 1 - x, y),
                3 => (w - 1 - x, h - 1 - y),
                4 => (x, h - 1 - y),
                5 => (y, x),
                6 => (y, h - 1 - x),
                7 => (w - 1 - y, h - 1 - x),
                _ => (w - 1 - y, x),
            };
            let from = (sy * w + sx) * c;
            let to = (y * ow + x) * c;
            out[to..to + c].copy_from_slice(&pixels.data[from..from + c]);
        }
    }
    Pixels {
        width: ow as u32,
        height: oh as u32,
        channels: pixels.channels,
        data: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3×2 picture whose pixels are numbered 0..6 row by row.
    fn numbered() -> Pixels {
        Pixels {
            width: 3,
            height: 2,
            channels: 1,
            data: vec![0, 1, 2, 3, 4, 5],
        }
    }

    #[test]
    fn each_orientation_moves_the_pixels_where_exif_says() {
        // Stored:  0 1 2
        //          3 4 5
        let cases: [(u8, (u32, u32), [u8; 6]); 8] = [
            (1, (3, 2), [0, 1, 2, 3, 4, 5]),
            (2, (3, 2), [2, 1, 0, 5, 4, 3]),
            (3, (3, 2), [5, 4, 3, 2, 1, 0]),
            (4, (3, 2), [3, 4, 5, 0, 1, 2]),
            (5, (2, 3), [0, 3, 1, 4, 2, 5]),
            (6, (2, 3), [3, 0, 4, 1, 5, 2]),
            (7, (2, 3), [5, 2, 4, 1, 3, 0]),
            (8, (2, 3), [2, 5, 1, 4, 0, 3]),
        ];
        for (orientation, size, expected) in cases {
            let turned = apply(numbered(), orientation);
            assert_eq!(
                (turned.width, turned.height),
                size,
                "orientation {orientation}"
            );
            assert_eq!(turned.data, expected, "orientation {orientation}");
        }
    }

    #[test]
    fn broken_exif_reads_as_upright_without_location() {
        for block in [
            &b""[..],
            b"Exif\0\0",
            b"Exif\0\0MM\0*\0\0\0\x08\xFF\xFF",
            &[0xFF; 64],
        ] {
            assert_eq!(exif_facts(block), ExifFacts::default());
        }
        assert_eq!(jpeg_exif(&[0xFF, 0xD8, 0xFF, 0xE1, 0xFF]), None);
        assert_eq!(jpeg_exif(&[0xFF, 0xD8, 0xFF]), None);
    }
}
