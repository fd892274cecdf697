//! Serving a media file: the original or one variant's file, found on this device or fetched
//! from the project's Storage bucket first (a photo added on another device).

use std::path::PathBuf;

use botdesk_media::library;
use botdesk_media::process::Encoding;

use crate::error::CoreError;
use crate::media::records::media_id;
use crate::services::Services;

/// A file to serve: where it is, its type, its name and its tag.
#[derive(Debug, Clone)]
pub struct MediaFileRef {
    pub path: PathBuf,
    pub mime_type: String,
    pub bytes: u64,
    /// The content hash: a strong ETag.
    pub sha256: String,
    /// For `Content-Disposition`.
    pub file_name: String,
}

/// The original (`variant` none or `original`) or one variant's file (`format` jpeg or webp,
/// WebP when left out: it is the smaller). A file added on another device is fetched from the
/// project's Storage bucket first (see `sync::fetch_file`).
pub async fn file(
    ctx: &Services,
    id: &str,
    variant: Option<&str>,
    format: Option<&str>,
) -> Result<MediaFileRef, CoreError> {
    let (id, variant, format) = (
        id.to_owned(),
        variant.map(str::to_owned),
        format.map(str::to_owned),
    );
    let mut found = ctx
        .blocking(move |ctx| locate(ctx, &id, variant.as_deref(), format.as_deref()))
        .await?;
    if !found.path.exists() {
        found.path = crate::sync::fetch_file(ctx, &found.sha256).await?;
    }
    Ok(found)
}

/// Which file a request names, and where it would be on this device.
fn locate(
    ctx: &Services,
    id: &str,
    variant: Option<&str>,
    format: Option<&str>,
) -> Result<MediaFileRef, CoreError> {
    let id = media_id(id)?;
    let file = ctx.store().read(|c| library::get(c, id))?;
    let (sha256, mime_type, bytes, suffix) =
        match variant.filter(|v| !v.is_empty() && *v != "original") {
            None => (
                file.data.sha256.clone(),
                file.data.mime_type.clone(),
                u64::try_from(file.data.size_bytes).unwrap_or(0),
                String::new(),
            ),
            Some(name) => {
                let variants = library::variants_of(&file.data)?;
                let Some(v) = variants.get(name) else {
                    let known: Vec<&str> = variants.keys().map(String::as_str).collect();
                    return Err(CoreError::NotFound {
                        code: "media.variant_not_found",
                        message: if known.is_empty() {
                            format!("this file has no variants (it is {})", file.data.status)
                        } else {
                            format!(
                                "this file has no variant {name:?}; it has {}",
                                known.join(", ")
                            )
                        },
                    });
                };
                let wanted = format.filter(|f| !f.is_empty()).unwrap_or("webp");
                let Some(f) = v.files.get(wanted).or_else(|| {
                    if format.is_none() {
                        v.files.values().next()
                    } else {
                        None
                    }
                }) else {
                    return Err(CoreError::NotFound {
                        code: "media.variant_not_found",
                        message: format!("the {name} variant has no {wanted:?} file"),
                    });
                };
                let ext = Encoding::parse(wanted).map_or("bin", Encoding::extension);
                (
                    f.sha256.clone(),
                    f.mime_type.clone(),
                    f.bytes,
                    format!("-{name}.{ext}"),
                )
            }
        };
    let path = ctx.blobs().path(&sha256)?;
    let stem = file
        .data
        .file_name
        .rsplit_once('.')
        .map_or(file.data.file_name.as_str(), |(s, _)| s);
    Ok(MediaFileRef {
        path,
        mime_type,
        bytes,
        sha256,
        file_name: if suffix.is_empty() {
            file.data.file_name.clone()
        } else {
            format!("{stem}{suffix}")
        },
    })
}
