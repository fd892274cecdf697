//! What a file is, from its bytes: the type by its magic numbers (a name or a declared type never
//! decides), an image's dimensions from its header, and the checks that refuse a file before any
//! decoder sees it: size, pixel count (a 74-byte PNG can declare 40 GB of pixels), truncation, a
//! damaged structure, another file hidden inside.

use crate::MediaError;

/// The kinds botdesk accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    Jpeg,
    Png,
    Gif,
    Webp,
    /// HEIC/HEIF (iPhone photos): decoded on ingest, sent as the JPEG variants.
    Heic,
    Pdf,
    Mp4,
    ThreeGpp,
    /// AAC in ADTS frames.
    Aac,
    /// AAC in an MP4 container (`.m4a`).
    M4a,
    Mp3,
    OggOpus,
}

/// What WhatsApp calls the kind of a media message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    Image,
    Document,
    Video,
    Audio,
}

impl MediaKind {
    pub fn mime(self) -> &'static str {
        match self {
            MediaKind::Jpeg => "image/jpeg",
            MediaKind::Png => "image/png",
            MediaKind::Gif => "image/gif",
            MediaKind::Webp => "image/webp",
            MediaKind::Heic => "image/heic",
            MediaKind::Pdf => "application/pdf",
            MediaKind::Mp4 => "video/mp4",
            MediaKind::ThreeGpp => "video/3gpp",
            MediaKind::Aac => "audio/aac",
            MediaKind::M4a => "audio/mp4",
            MediaKind::Mp3 => "audio/mpeg",
            MediaKind::OggOpus => "audio/ogg",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            MediaKind::Jpeg => "JPEG",
            MediaKind::Png => "PNG",
            MediaKind::Gif => "GIF",
            MediaKind::Webp => "WebP",
            MediaKind::Heic => "HEIC",
            MediaKind::Pdf => "PDF",
            MediaKind::Mp4 => "MP4",
            MediaKind::ThreeGpp => "3GPP",
            MediaKind::Aac => "AAC",
            MediaKind::M4a => "M4A",
            MediaKind::Mp3 => "MP3",
            MediaKind::OggOpus => "OGG Opus",
        }
    }

    pub fn category(self) -> Category {
        match self {
            MediaKind::Jpeg
            | MediaKind::Png
            | MediaKind::Gif
            | MediaKind::Webp
            | MediaKind::Heic => Category::Image,
            MediaKind::Pdf => Category::Document,
            MediaKind::Mp4 | MediaKind::ThreeGpp => Category::Video,
            MediaKind::Aac | MediaKind::M4a | MediaKind::Mp3 | MediaKind::OggOpus => {
                Category::Audio
            }
        }
    }

    /// The kind a declared MIME type names, if it names one botdesk knows.
    fn from_mime(mime: &str) -> Option<MediaKind> {
        let essence = mime
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        Some(match essence.as_str() {
            "image/jpeg" | "image/jpg" | "image/pjpeg" => MediaKind::Jpeg,
            "image/png" => MediaKind::Png,
            "image/gif" => MediaKind::Gif,
            "image/webp" => MediaKind::Webp,
            "image/heic" | "image/heif" | "image/heic-sequence" | "image/heif-sequence" => {
                MediaKind::Heic
            }
            "application/pdf" => MediaKind::Pdf,
            "video/mp4" => MediaKind::Mp4,
            "video/3gpp" => MediaKind::ThreeGpp,
            "audio/aac" | "audio/x-aac" => MediaKind::Aac,
            "audio/mp4" | "audio/x-m4a" => MediaKind::M4a,
            "audio/mpeg" | "audio/mp3" => MediaKind::Mp3,
            "audio/ogg" | "audio/opus" => MediaKind::OggOpus,
            _ => return None,
        })
    }
}

/// How large a file may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Images are optimised on the way in, so their input may be larger than what is sent.
    pub max_image_bytes: u64,
    /// Stored and sent as they are: WhatsApp's own limits (100 MB documents, 16 MB video and
    /// audio).
    pub max_document_bytes: u64,
    pub max_video_bytes: u64,
    pub max_audio_bytes: u64,
    /// The most pixels an image may declare (checked from its header, before decoding).
    pub max_pixels: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_image_bytes: 50 * 1024 * 1024,
            max_document_bytes: 100 * 1024 * 1024,
            max_video_bytes: 16 * 1024 * 1024,
            max_audio_bytes: 16 * 1024 * 1024,
            max_pixels: 100_000_000,
        }
    }
}

impl Limits {
    fn max_bytes(&self, category: Category) -> u64 {
        match category {
            Category::Image => self.max_image_bytes,
            Category::Document => self.max_document_bytes,
            Category::Video => self.max_video_bytes,
            Category::Audio => self.max_audio_bytes,
        }
    }
}

/// What a file turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inspected {
    pub kind: MediaKind,
    /// An image's width and height in pixels (as stored, before any EXIF orientation; a HEIC's
    /// after its own rotation, which is the one that counts).
    pub dimensions: Option<(u32, u32)>,
}

/// The kind of file `bytes` hold, from their first bytes alone.
pub fn sniff(bytes: &[u8]) -> Result<MediaKind, MediaError> {
    if bytes.is_empty() {
        return Err(MediaError::Empty);
    }
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Ok(MediaKind::Jpeg);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Ok(MediaKind::Png);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Ok(MediaKind::Gif);
    }
    if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        return Ok(MediaKind::Webp);
    }
    if starts(b"%PDF-") {
        return Ok(MediaKind::Pdf);
    }
    if bytes.get(4..8) == Some(b"ftyp") {
        return iso_media(bytes);
    }
    if starts(b"OggS") {
        // The codec is named in the first page's packet, after the 27-byte header and the
        // segment table.
        let segments = usize::from(*bytes.get(26).unwrap_or(&0));
        let packet = bytes.get(27 + segments..).unwrap_or(&[]);
        return if packet.starts_with(b"OpusHead") {
            Ok(MediaKind::OggOpus)
        } else {
            Err(MediaError::UnsupportedType {
                what: "OGG audio other than Opus",
                why: "WhatsApp plays OGG files only with the Opus codec",
            })
        };
    }
    if starts(b"ID3") {
        return Ok(MediaKind::Mp3);
    }
    if bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] & 0xF0 == 0xF0 {
        // An MPEG audio sync word: layer bits 00 are AAC's ADTS, anything else is MPEG audio.
        return if bytes[1] & 0x06 == 0 {
            Ok(MediaKind::Aac)
        } else {
            Ok(MediaKind::Mp3)
        };
    }
    Err(refused_kind(bytes))
}

/// The kinds botdesk recognises in order to refuse them by name.
fn refused_kind(bytes: &[u8]) -> MediaError {
    let unsupported = |what, why| MediaError::UnsupportedType { what, why };
    if bytes.starts_with(b"BM") && bytes.len() > 14 {
        return unsupported("BMP", "convert the image to JPEG or PNG");
    }
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        return unsupported("TIFF", "convert the image to JPEG or PNG");
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return unsupported("ZIP archives", "send the files inside one by one");
    }
    // Text-based formats: look past a byte-order mark and leading white space.
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // An entity declaration can push the root element far down: look through 64 KiB.
    let head: Vec<u8> = text
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(64 * 1024)
        .map(u8::to_ascii_lowercase)
        .collect();
    let contains = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if head.starts_with(b"<") && contains(b"<svg") {
        return unsupported(
            "SVG",
            "an SVG image can carry scripts and links to other files; send a JPEG or PNG",
        );
    }
    if head.starts_with(b"<!doctype html") || head.starts_with(b"<html") {
        return unsupported("HTML", "web pages are not media");
    }
    if head.starts_with(b"<?xml") {
        return unsupported("XML", "XML documents are not media");
    }
    MediaError::UnknownType
}

/// An ISO base media file (`ftyp` box): MP4 video, M4A audio, 3GPP, or HEIF/AVIF images.
fn iso_media(bytes: &[u8]) -> Result<MediaKind, MediaError> {
    let box_len = bytes
        .get(0..4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .unwrap_or(0);
    let mut brands: Vec<&[u8]> = bytes.get(8..12).into_iter().collect();
    // The compatible brands follow the major brand and its version.
    let end = box_len.clamp(16, 256).min(bytes.len());
    let mut at = 16;
    while at + 4 <= end {
        brands.push(&bytes[at..at + 4]);
        at += 4;
    }
    let has = |wanted: &[&[u8]]| brands.iter().any(|b| wanted.contains(b));
    // AVIF files name the generic HEIF brands too: look for AVIF first.
    if has(&[b"avif", b"avis"]) {
        return Err(MediaError::UnsupportedType {
            what: "AVIF",
            why: "WhatsApp does not take AVIF images; send a JPEG or PNG",
        });
    }
    if has(&[
        b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1",
    ]) {
        return Ok(MediaKind::Heic);
    }
    match bytes.get(8..12) {
        Some(b"M4A ") | Some(b"M4B ") => return Ok(MediaKind::M4a),
        Some(major) if major.starts_with(b"3g") => return Ok(MediaKind::ThreeGpp),
        _ => {}
    }
    if has(&[
        b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash",
    ]) {
        return Ok(MediaKind::Mp4);
    }
    if has(&[b"3gp4", b"3gp5", b"3gp6", b"3g2a"]) {
        return Ok(MediaKind::ThreeGpp);
    }
    if has(&[b"qt  "]) {
        return Err(MediaError::UnsupportedType {
            what: "QuickTime (.mov) video",
            why: "WhatsApp takes MP4 or 3GPP video; export the video as MP4",
        });
    }
    Err(MediaError::UnknownType)
}

/// Decides what `bytes` are and whether botdesk takes them: the type from the bytes, the
/// declared type (if any) checked against it, the size and, for images, the pixel count read
/// from the header and the structure checked end to end, all before any decoding.
pub fn inspect(
    bytes: &[u8],
    declared_mime: Option<&str>,
    limits: &Limits,
) -> Result<Inspected, MediaError> {
    let kind = sniff(bytes)?;
    if let Some(declared) = declared_mime
        && let Some(claimed) = MediaKind::from_mime(declared)
        && claimed != kind
        // An M4A is an MP4 file: either name is fair.
        && !matches!((claimed, kind), (MediaKind::Mp4, MediaKind::M4a) | (MediaKind::M4a, MediaKind::Mp4))
    {
        return Err(MediaError::TypeMismatch {
            declared: declared.chars().take(100).collect(),
            actual: kind.mime(),
        });
    }
    let max = limits.max_bytes(kind.category());
    if bytes.len() as u64 > max {
        return Err(MediaError::TooLarge {
            kind: kind.name(),
            bytes: bytes.len() as u64,
            max,
        });
    }
    let dimensions = match kind {
        MediaKind::Jpeg => Some(jpeg(bytes)?),
        MediaKind::Png => Some(png(bytes)?),
        MediaKind::Gif => Some(gif(bytes)?),
        MediaKind::Webp => Some(webp(bytes)?),
        MediaKind::Heic => Some(crate::heif::dimensions(bytes)?),
        _ => None,
    };
    if let Some((width, height)) = dimensions {
        if width == 0 || height == 0 {
            return Err(MediaError::ZeroDimensions { width, height });
        }
        let pixels = u64::from(width) * u64::from(height);
        if pixels > limits.max_pixels {
            return Err(MediaError::TooManyPixels {
                width,
                height,
                megapixels: pixels / 1_000_000,
                max_megapixels: limits.max_pixels / 1_000_000,
            });
        }
    }
    Ok(Inspected { kind, dimensions })
}

/// [`inspect`] for a file on disk (a streamed upload): an image is read whole (its structure is
/// walked end to end and its size is bounded by the image limit, checked first); anything else
/// is judged by its first 64 KiB and its length, so a large video is never read into memory.
pub fn inspect_file(
    path: &std::path::Path,
    declared_mime: Option<&str>,
    limits: &Limits,
) -> Result<Inspected, MediaError> {
    use std::io::Read;
    let storage = |e: std::io::Error| MediaError::Storage {
        detail: format!("reading {}: {e}", path.display()),
    };
    let mut file = std::fs::File::open(path).map_err(storage)?;
    let len = file.metadata().map_err(storage)?.len();
    let mut head = Vec::with_capacity(64 * 1024);
    (&mut file)
        .take(64 * 1024)
        .read_to_end(&mut head)
        .map_err(storage)?;
    let kind = sniff(&head)?;
    let max = limits.max_bytes(kind.category());
    if len > max {
        return Err(MediaError::TooLarge {
            kind: kind.name(),
            bytes: len,
            max,
        });
    }
    if kind.category() == Category::Image {
        let bytes = std::fs::read(path).map_err(storage)?;
        return inspect(&bytes, declared_mime, limits);
    }
    inspect(&head, declared_mime, limits)
}

fn u16_be(bytes: &[u8], at: usize) -> Option<u16> {
    bytes
        .get(at..at + 2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
}

fn u32_be(bytes: &[u8], at: usize) -> Option<u32> {
    bytes
        .get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn u16_le(bytes: &[u8], at: usize) -> Option<u16> {
    bytes
        .get(at..at + 2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
}

fn u24_le(bytes: &[u8], at: usize) -> Option<u32> {
    bytes
        .get(at..at + 3)
        .map(|b| u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16)
}

/// Markup or code that has no business inside an image's metadata.
const ACTIVE_CONTENT: &[&[u8]] = &[b"<script", b"<?php", b"<html", b"<iframe", b"javascript:"];

fn active_content(segment: &[u8]) -> bool {
    let lower: Vec<u8> = segment.iter().map(u8::to_ascii_lowercase).collect();
    ACTIVE_CONTENT
        .iter()
        .any(|needle| lower.windows(needle.len()).any(|w| w == *needle))
}

/// A JPEG's dimensions (from its frame header), after walking its segments to the image data
/// and checking that the data ends (a cut-off JPEG decodes "successfully" into grey in some
/// decoders) and that nothing but camera data follows it.
fn jpeg(bytes: &[u8]) -> Result<(u32, u32), MediaError> {
    let cut = |detail: &str| MediaError::Truncated {
        kind: "JPEG",
        detail: detail.into(),
    };
    let broken = |detail: String| MediaError::Corrupt {
        kind: "JPEG",
        detail,
    };
    let mut at = 2;
    let mut size = None;
    loop {
        let Some(&first) = bytes.get(at) else {
            return Err(cut("it ends before its image data"));
        };
        if first != 0xFF {
            return Err(broken(format!("expected a segment marker at byte {at}")));
        }
        // Fill bytes may pad before a marker.
        while bytes.get(at) == Some(&0xFF) {
            at += 1;
        }
        let Some(&marker) = bytes.get(at) else {
            return Err(cut("it ends inside a segment marker"));
        };
        at += 1;
        match marker {
            0xD8 | 0x01 | 0xD0..=0xD7 => continue,
            0xD9 => return Err(broken("it ends before any image data".into())),
            _ => {}
        }
        let Some(len) = u16_be(bytes, at) else {
            return Err(cut("it ends inside a segment header"));
        };
        let len = usize::from(len);
        if len < 2 {
            return Err(broken(format!(
                "a segment at byte {at} declares a length of {len}"
            )));
        }
        let Some(segment) = bytes.get(at + 2..at + len) else {
            return Err(cut("it ends inside a segment"));
        };
        match marker {
            // Start of frame (every coding but the DHT/JPG/DAC markers in the same range).
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                let (Some(height), Some(width)) = (u16_be(segment, 1), u16_be(segment, 3)) else {
                    return Err(broken("its frame header is too short".into()));
                };
                size = Some((u32::from(width), u32::from(height)));
            }
            // Comments and application data: a script or page hidden in them is a polyglot.
            0xFE | 0xE0..=0xEF if active_content(segment) => {
                return Err(MediaError::Polyglot {
                    what: "markup or script in its metadata",
                });
            }
            0xDA => {
                let Some(size) = size else {
                    return Err(broken("image data comes before the frame header".into()));
                };
                let data = &bytes[at + len..];
                // In entropy-coded data 0xFF is always followed by 0x00, a restart marker or
                // another segment (progressive JPEGs have several scans); the first FF D9 is the end.
                let Some(end) = data.windows(2).position(|w| w == [0xFF, 0xD9]) else {
                    return Err(cut("its image data stops before the end-of-image marker"));
                };
                check_jpeg_trailer(&data[end + 2..])?;
                return Ok(size);
            }
            _ => {}
        }
        at += len;
    }
}

/// What may follow a JPEG's end: nothing, padding, or more camera images (multi-picture files
/// from phones and stereo cameras, Samsung's trailer). An archive, a document or markup makes
/// the file a polyglot.
fn check_jpeg_trailer(trailer: &[u8]) -> Result<(), MediaError> {
    let first = trailer
        .iter()
        .position(|b| *b != 0 && !b.is_ascii_whitespace());
    let Some(start) = first else {
        return Ok(());
    };
    let rest = &trailer[start..];
    let hidden: &[(&[u8], &'static str)] = &[
        (b"PK\x03\x04", "a ZIP archive after the image"),
        (b"PK\x05\x06", "a ZIP archive after the image"),
        (b"%PDF", "a PDF document after the image"),
        (b"Rar!", "a RAR archive after the image"),
        (b"7z\xBC\xAF", "a 7-Zip archive after the image"),
    ];
    for (magic, what) in hidden {
        if rest.windows(magic.len()).any(|w| w == *magic) {
            return Err(MediaError::Polyglot { what });
        }
    }
    if active_content(&rest[..rest.len().min(64 * 1024)]) {
        return Err(MediaError::Polyglot {
            what: "markup or script after the image",
        });
    }
    Ok(())
}

/// A PNG's dimensions, after walking every chunk to IEND and checking each one's CRC.
fn png(bytes: &[u8]) -> Result<(u32, u32), MediaError> {
    let cut = |detail: &str| MediaError::Truncated {
        kind: "PNG",
        detail: detail.into(),
    };
    let broken = |detail: String| MediaError::Corrupt {
        kind: "PNG",
        detail,
    };
    let mut at = 8;
    let mut size = None;
    loop {
        let (Some(len), Some(kind)) = (u32_be(bytes, at), bytes.get(at + 4..at + 8)) else {
            return Err(cut("it ends before its last chunk"));
        };
        let len = len as usize;
        let Some(data) = bytes.get(at + 8..at + 8 + len) else {
            return Err(cut("it ends inside a chunk"));
        };
        let Some(crc) = u32_be(bytes, at + 8 + len) else {
            return Err(cut("it ends inside a chunk"));
        };
        if crc32(&bytes[at + 4..at + 8 + len]) != crc {
            let name = String::from_utf8_lossy(kind).into_owned();
            return Err(broken(format!("its {name} chunk fails its checksum")));
        }
        match kind {
            b"IHDR" => {
                let (Some(width), Some(height)) = (u32_be(data, 0), u32_be(data, 4)) else {
                    return Err(broken("its header chunk is too short".into()));
                };
                size = Some((width, height));
            }
            _ if size.is_none() => {
                return Err(broken("it does not start with its header chunk".into()));
            }
            b"IEND" => return size.ok_or_else(|| broken("it has no header chunk".into())),
            b"tEXt" | b"zTXt" | b"iTXt" if active_content(data) => {
                return Err(MediaError::Polyglot {
                    what: "markup or script in its text chunks",
                });
            }
            _ => {}
        }
        at += 12 + len;
    }
}

/// CRC-32 (IEEE 802.3), as PNG chunks carry it.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// A GIF's logical screen size.
fn gif(bytes: &[u8]) -> Result<(u32, u32), MediaError> {
    match (u16_le(bytes, 6), u16_le(bytes, 8)) {
        (Some(w), Some(h)) => Ok((u32::from(w), u32::from(h))),
        _ => Err(MediaError::Truncated {
            kind: "GIF",
            detail: "it ends inside its header".into(),
        }),
    }
}

/// A WebP's canvas size, from its VP8X, VP8 or VP8L header.
fn webp(bytes: &[u8]) -> Result<(u32, u32), MediaError> {
    let cut = || MediaError::Truncated {
        kind: "WebP",
        detail: "it ends inside its header".into(),
    };
    let declared = u32_le_at(bytes, 4).ok_or_else(cut)? as usize;
    if declared + 8 > bytes.len() {
        return Err(MediaError::Truncated {
            kind: "WebP",
            detail: format!("it declares {} bytes and has {}", declared + 8, bytes.len()),
        });
    }
    match bytes.get(12..16) {
        Some(b"VP8X") => {
            let w = u24_le(bytes, 24).ok_or_else(cut)? + 1;
            let h = u24_le(bytes, 27).ok_or_else(cut)? + 1;
            Ok((w, h))
        }
        Some(b"VP8 ") => {
            if bytes.get(23..26) != Some(&[0x9D, 0x01, 0x2A]) {
                return Err(MediaError::Corrupt {
                    kind: "WebP",
                    detail: "its VP8 frame has no start code".into(),
                });
            }
            let w = u16_le(bytes, 26).ok_or_else(cut)? & 0x3FFF;
            let h = u16_le(bytes, 28).ok_or_else(cut)? & 0x3FFF;
            Ok((u32::from(w), u32::from(h)))
        }
        Some(b"VP8L") => {
            if bytes.get(20) != Some(&0x2F) {
                return Err(MediaError::Corrupt {
                    kind: "WebP",
                    detail: "its lossless header has no signature".into(),
                });
            }
            let bits = u32_le_at(bytes, 21).ok_or_else(cut)?;
            Ok(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        _ => Err(MediaError::Corrupt {
            kind: "WebP",
            detail: "its first chunk is not an image header".into(),
        }),
    }
}

fn u32_le_at(bytes: &[u8], at: usize) -> Option<u32> {
    bytes
        .get(at..at + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

#[cfg(test)]
pub(crate) mod tests;
