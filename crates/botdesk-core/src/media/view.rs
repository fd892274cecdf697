//! How a media record looks to clients: its kind, status, variants and their URLs.

use botdesk_media::library;
use botdesk_store::Stored;
use botdesk_store::tables::media_files::MediaFile;

use crate::media::wire::{ImageFormat, MediaDto, MediaVariantDto, MediaVariantFileDto};

/// The format a variant's file is stored under (its key in the record), when it is one.
fn format_of(key: &str) -> Option<ImageFormat> {
    match key {
        "jpeg" => Some(ImageFormat::Jpeg),
        "webp" => Some(ImageFormat::Webp),
        _ => None,
    }
}

/// The API's view of a record.
pub fn dto(file: &Stored<MediaFile>, job_id: Option<i64>) -> MediaDto {
    let id = file.meta.id.to_string();
    let variants = library::variants_of(&file.data).unwrap_or_default();
    // The standard sizes in their usual order, then any others by name.
    let rank = |name: &str| match name {
        "thumbnail" => 0,
        "medium" => 1,
        "optimised" => 2,
        _ => 3,
    };
    let mut variants: Vec<_> = variants.into_iter().collect();
    variants.sort_by(|(a, _), (b, _)| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
    MediaDto {
        already_in_library: false,
        url: format!("/api/media/{id}/file"),
        variants: variants
            .into_iter()
            .map(|(name, v)| MediaVariantDto {
                files: v
                    .files
                    .iter()
                    // Only the formats botdesk writes; a key it does not know names no file
                    // a client could fetch.
                    .filter_map(|(format, f)| Some((format, format_of(format)?, f)))
                    .map(|(format, known, f)| MediaVariantFileDto {
                        format: known,
                        mime_type: f.mime_type.clone(),
                        bytes: f.bytes,
                        quality: f.quality,
                        sha256: f.sha256.clone(),
                        url: format!("/api/media/{id}/file?variant={name}&format={format}"),
                    })
                    .collect(),
                name,
                width: v.width,
                height: v.height,
            })
            .collect(),
        id,
        file_name: file.data.file_name.clone(),
        mime_type: file.data.mime_type.clone(),
        declared_mime_type: file.data.declared_mime_type.clone(),
        kind: file.data.kind,
        size_bytes: file.data.size_bytes,
        width: file.data.width,
        height: file.data.height,
        status: file.data.status,
        failed_reason: file.data.failed_reason.clone(),
        metadata_stripped: file.data.metadata_stripped,
        had_location: file.data.had_location,
        merchant_id: file.data.merchant_id.map(|m| m.to_string()),
        sha256: file.data.sha256.clone(),
        created_at: file.meta.created_at.to_string(),
        updated_at: file.meta.updated_at.to_string(),
        job_id,
    }
}
