//! The media area's wire types: uploads, records with their variants, listing, links.

pub use botdesk_store::tables::media_files::{MediaKind, MediaStatus};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::{IntoParams, ToSchema};

/// One size to make of an image (the original design's `sizes` option).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MediaSizeDto {
    /// Letters, digits, `_` and `-` (e.g. `thumbnail`, `catalogue`).
    pub name: String,
    pub width: u32,
    pub height: u32,
    /// `cover` (fill the box, crop the centre) or `inside` (the whole picture); `inside` when
    /// left out.
    #[serde(default)]
    #[ts(optional)]
    pub fit: Option<String>,
}

/// How to process an image (the original design's `queueMediaProcessing` options). Left out:
/// thumbnail 200×200 cover, medium 600×600 inside and an optimised original (longest side at
/// most 1600 px, under 5 MB), JPEG and WebP at quality 85.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MediaOptionsDto {
    #[serde(default)]
    #[ts(optional)]
    pub sizes: Option<Vec<MediaSizeDto>>,
    /// 1–100.
    #[serde(default)]
    #[ts(optional)]
    pub quality: Option<u8>,
}

/// `POST /api/media/upload`: a file as base64 in JSON (the original design's call). Large files
/// go through `POST /api/media` (multipart), which never holds them in memory.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MediaUploadRequest {
    /// The file's bytes, base64 (standard alphabet; a `data:…;base64,` prefix is accepted).
    pub file_data: String,
    pub file_name: String,
    /// What the client says the file is; the bytes decide, and a lie is refused.
    #[serde(default)]
    #[ts(optional)]
    pub mime_type: Option<String>,
    /// Without it the file is the owner's; an unknown one is refused.
    #[serde(default)]
    #[ts(optional)]
    pub merchant_id: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub options: Option<MediaOptionsDto>,
}

/// One file of a variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct MediaVariantFileDto {
    pub format: ImageFormat,
    pub mime_type: String,
    #[ts(type = "number")]
    pub bytes: u64,
    pub quality: u8,
    /// Its content hash (its ETag; identical variants share one file).
    pub sha256: String,
    /// Where to fetch it (relative to the API root).
    pub url: String,
}

/// A derived picture and its files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct MediaVariantDto {
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub files: Vec<MediaVariantFileDto>,
}

/// Something that shows a media file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct MediaUseDto {
    pub kind: MediaUseKind,
    pub id: String,
    pub name: String,
}

/// A media file: the record, its variants and its processing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct MediaDto {
    pub id: String,
    pub file_name: String,
    /// The type decided from the bytes.
    pub mime_type: String,
    pub declared_mime_type: Option<String>,
    pub kind: MediaKind,
    #[ts(type = "number")]
    pub size_bytes: i64,
    /// Upright, once processed.
    #[ts(type = "number | null")]
    pub width: Option<i64>,
    #[ts(type = "number | null")]
    pub height: Option<i64>,
    pub status: MediaStatus,
    pub failed_reason: Option<String>,
    /// No derived file carries metadata (EXIF, GPS, camera data).
    pub metadata_stripped: bool,
    /// The original carried GPS coordinates, which none of the derived files do.
    pub had_location: bool,
    pub merchant_id: Option<String>,
    pub sha256: String,
    pub created_at: String,
    pub updated_at: String,
    pub variants: Vec<MediaVariantDto>,
    /// The original's URL.
    pub url: String,
    /// The processing job, while one is known.
    #[ts(type = "number | null")]
    pub job_id: Option<i64>,
    /// On an upload's answer only: the same file (same content, same merchant) was already in
    /// the library, and this is that record; nothing new was added.
    pub already_in_library: bool,
}

/// A media file with what uses it (`GET /api/media/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct MediaDetailDto {
    #[serde(flatten)]
    #[ts(flatten)]
    pub media: MediaDto,
    pub uses: Vec<MediaUseDto>,
}

/// A page of media, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct MediaPageDto {
    pub items: Vec<MediaDto>,
    pub next_cursor: Option<String>,
}

/// `GET /api/media`: filters and paging.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS, ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MediaQuery {
    #[serde(default)]
    #[ts(optional)]
    pub kind: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub status: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub merchant_id: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub product_id: Option<String>,
    /// Only files no product and no template uses.
    #[serde(default)]
    #[ts(optional)]
    pub unused: Option<bool>,
    #[serde(default)]
    #[ts(optional)]
    pub cursor: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// What a delete removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct MediaRemovedDto {
    pub id: String,
    /// Stored files deleted (content no other record holds).
    #[ts(type = "number")]
    pub files_removed: i64,
}

/// `PUT /api/media/{id}/products/{product_id}`: show the file on a product.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductLinkRequest {
    /// Display order; after the product's other media when left out.
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub position: Option<i64>,
    /// The product's main picture (the one before stops being it).
    #[serde(default)]
    #[ts(optional)]
    pub primary: Option<bool>,
}

/// `DELETE /api/media/{id}` query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MediaRemoveQuery {
    /// Delete even when products or templates use the file (product links end with it).
    #[serde(default)]
    #[ts(optional)]
    pub force: Option<bool>,
    /// The id of a file of the same kind that takes this one's place: templates whose header
    /// showed it get a new version showing that one, products show that one instead.
    #[serde(default)]
    #[ts(optional)]
    pub replace_with: Option<String>,
}

/// The file format of a variant's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    /// What WhatsApp takes.
    Jpeg,
    /// Smaller, for the UI.
    Webp,
}

/// What shows a media file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MediaUseKind {
    Product,
    TemplateHeader,
}
