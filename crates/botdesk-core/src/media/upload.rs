//! Uploads: base64 in JSON (the original design's call) or a stream (multipart, or a file the
//! desktop app reads from disk). The bytes are judged before anything is recorded; an image's
//! processing job is queued in the same transaction as its record.

use base64::Engine as _;
use botdesk_media::library::{self, Upload};
use botdesk_media::{Blob, Inspected, inspect, inspect_file};
use botdesk_queue::{Job, QueueName, jobs};
use botdesk_store::tables::media_files::{MediaFile, MediaStatus};
use botdesk_store::{Actor, Stored};

use crate::error::CoreError;
use crate::events::Event;
use crate::media::job::{ProcessMedia, process_options};
use crate::media::records::jobs_of;
use crate::media::view::dto;
use crate::media::wire::{MediaDto, MediaOptionsDto, MediaUploadRequest};
use crate::services::Services;

/// Decodes the base64 of a JSON upload (a `data:` URL prefix is accepted, line breaks too).
fn decode_base64(data: &str) -> Result<Vec<u8>, CoreError> {
    let body = match data.split_once(";base64,") {
        Some((prefix, rest)) if prefix.starts_with("data:") => rest,
        _ => data,
    };
    // Most clients send one unbroken line: decode it in place; only text with line breaks is
    // copied without them first (a 20 MB photo is 27 MB of base64).
    let engine = &base64::engine::general_purpose::STANDARD;
    let decoded = if body.bytes().any(|b| b.is_ascii_whitespace()) {
        let compact: Vec<u8> = body.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        engine.decode(compact)
    } else {
        engine.decode(body.as_bytes())
    };
    decoded.map_err(|e| {
        CoreError::invalid_field(
            "media.bad_base64",
            "file_data",
            format!("file_data is not valid base64: {e}"),
        )
    })
}

/// The record an upload made or found, its processing job, and whether it was already there.
type Recorded = (Stored<MediaFile>, Option<botdesk_queue::Enqueued>, bool);

/// Records a stored upload and, for an image, enqueues its processing in the same transaction,
/// so that a crash never leaves an image that nothing will process.
fn record_upload(
    ctx: &Services,
    actor: &Actor,
    blob: &Blob,
    inspected: &Inspected,
    upload: &Upload,
    options: Option<MediaOptionsDto>,
) -> Result<Recorded, CoreError> {
    ctx.store().with_tx(actor, |tx| {
        if let Some(existing) = library::already_there(tx, &blob.sha256, upload)? {
            return Ok((existing, None, true));
        }
        let file = library::add(tx, blob, inspected, upload)?;
        if file.data.status != MediaStatus::Pending {
            return Ok((file, None, false));
        }
        let job = ProcessMedia {
            media_id: file.meta.id.to_string(),
            options,
        };
        let new = botdesk_queue::new_job(&job, job.options())?;
        let enqueued = jobs::enqueue(tx, tx.now().unix_millis(), &new)?;
        Ok((file, Some(enqueued), false))
    })
}

fn after_upload(ctx: &Services, (file, enqueued, already): Recorded) -> MediaDto {
    if already {
        // Still being processed, it keeps its job (a failed look-up only hides the progress).
        let job = jobs_of(ctx, std::slice::from_ref(&file))
            .ok()
            .and_then(|jobs| jobs.get(&file.meta.id.to_string()).copied());
        let mut media = dto(&file, job);
        media.already_in_library = true;
        return media;
    }
    if let (Some(engine), Some(e)) = (ctx.queue_engine(), enqueued) {
        engine.enqueued(QueueName::MediaProcessing, &[e]);
    }
    let media = dto(&file, enqueued.map(|e| e.id));
    ctx.events().publish(Event::MediaUploaded {
        media: media.clone(),
    });
    media
}

/// Removes a just-stored content again when its upload was refused (unless it was already
/// there for another record).
fn forget(ctx: &Services, blob: &Blob) {
    if blob.created
        && let Err(e) = ctx.blobs().remove(&blob.sha256)
    {
        tracing::warn!(sha256 = %blob.sha256, error = %e, "could not remove a refused upload");
    }
}

/// `POST /api/media/upload`: base64 in JSON.
pub async fn upload_base64(
    ctx: &Services,
    actor: &Actor,
    request: MediaUploadRequest,
) -> Result<MediaDto, CoreError> {
    let upload = Upload {
        file_name: library::clean_file_name(&request.file_name)?,
        declared_mime: request.mime_type.clone(),
        merchant_id: request.merchant_id.clone(),
    };
    process_options(request.options.as_ref())?;
    let actor = actor.clone();
    let recorded = ctx
        .blocking(move |ctx| {
            ctx.store().read(|c| library::check_merchant(c, &upload))?;
            let bytes = decode_base64(&request.file_data)?;
            let inspected = inspect(
                &bytes,
                upload.declared_mime.as_deref(),
                &ctx.config().media_limits(),
            )?;
            let blob = ctx.blobs().put(&bytes)?;
            record_upload(ctx, &actor, &blob, &inspected, &upload, request.options)
                .inspect_err(|_| forget(ctx, &blob))
        })
        .await?;
    Ok(after_upload(ctx, recorded))
}

/// A streamed upload (multipart): the bytes go to disk as they arrive, hashed on the way; the
/// file is then judged from disk. `reader` is read on a blocking thread.
pub async fn upload_stream(
    ctx: &Services,
    actor: &Actor,
    upload: Upload,
    options: Option<MediaOptionsDto>,
    reader: impl std::io::Read + Send + 'static,
) -> Result<MediaDto, CoreError> {
    let upload = Upload {
        file_name: library::clean_file_name(&upload.file_name)?,
        ..upload
    };
    process_options(options.as_ref())?;
    let actor = actor.clone();
    let recorded = ctx
        .blocking(move |ctx| {
            ctx.store().read(|c| library::check_merchant(c, &upload))?;
            let limits = ctx.config().media_limits();
            let max = limits
                .max_image_bytes
                .max(limits.max_document_bytes)
                .max(limits.max_video_bytes);
            let blob = ctx.blobs().put_stream(reader, max)?;
            let judged = ctx
                .blobs()
                .path(&blob.sha256)
                .map_err(CoreError::from)
                .and_then(|path| {
                    inspect_file(&path, upload.declared_mime.as_deref(), &limits)
                        .map_err(CoreError::from)
                });
            let inspected = judged.inspect_err(|_| forget(ctx, &blob))?;
            record_upload(ctx, &actor, &blob, &inspected, &upload, options)
                .inspect_err(|_| forget(ctx, &blob))
        })
        .await?;
    Ok(after_upload(ctx, recorded))
}

/// A file on this machine (dropped on the desktop window), read from disk and streamed into the
/// store like an upload.
pub async fn upload_path(
    ctx: &Services,
    actor: &Actor,
    path: &std::path::Path,
    merchant_id: Option<String>,
) -> Result<MediaDto, CoreError> {
    let file = std::fs::File::open(path).map_err(|e| {
        CoreError::from(botdesk_media::MediaError::UnreadableFile {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
    })?;
    let upload = Upload {
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        declared_mime: None,
        merchant_id,
    };
    upload_stream(ctx, actor, upload, None, file).await
}
