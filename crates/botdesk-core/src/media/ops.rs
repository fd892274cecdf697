//! Media: upload (base64 JSON or a stream), read, list, serve files, delete, link to products,
//! and the `media_processing` job that makes an image's variants. The rules are the media
//! capability's (`botdesk-media`); this composes them with the store, the blob store, the queue
//! and the event bus.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine as _;
use botdesk_media::library::{self, LibraryError, MediaFilter, Upload, UseKind};
use botdesk_media::process::{self, Encoding, Fit, ProcessOptions, VariantSpec};
use botdesk_media::{Blob, BlobStore, Inspected, MediaError, inspect, inspect_file};
use botdesk_queue::{
    Job, JobContext, JobError, JobOptions, QueueConfig, QueueName, Registry, jobs,
};
use botdesk_store::tables::media_files::{MediaFile, MediaKind, MediaStatus};
use botdesk_store::tables::merchants::{Merchant, MerchantStatus};
use botdesk_store::tables::products::{Product, ProductStatus};
use botdesk_store::{Actor, Filter, Id, PageRequest, Store, Stored};
use serde::{Deserialize, Serialize};

use crate::ctx::Ctx;
use crate::dto::{
    Event, MediaDetailDto, MediaDto, MediaOptionsDto, MediaPageDto, MediaQuery, MediaRemovedDto,
    MediaUploadRequest, MediaUseDto, MediaVariantDto, MediaVariantFileDto, MerchantCreate,
    MerchantDto, ProductCreate, ProductDto, ProductLinkRequest,
};
use crate::error::CoreError;
use crate::events::EventBus;

/// The job that makes an image's variants (the original design's
/// `queueMediaProcessing(mediaId, path, {sizes, quality})`; the path is the content's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessMedia {
    pub media_id: String,
    #[serde(default)]
    pub options: Option<MediaOptionsDto>,
}

/// What the processing job needs (not the whole `Ctx`: the engine that runs it lives in `Ctx`).
#[derive(Debug)]
pub struct MediaJobState {
    store: Arc<Store>,
    events: Arc<EventBus>,
    blobs: Arc<BlobStore>,
}

impl Job for ProcessMedia {
    type State = MediaJobState;
    const QUEUE: QueueName = QueueName::MediaProcessing;
    const NAME: &'static str = "process";

    fn options(&self) -> JobOptions {
        JobOptions {
            max_attempts: 3,
            // A 100-megapixel PNG takes seconds; anything near this is stuck.
            timeout_ms: 120_000,
            ..JobOptions::default()
        }
    }

    async fn run(
        self,
        state: Arc<MediaJobState>,
        cx: JobContext,
    ) -> Result<serde_json::Value, JobError> {
        run_processing(self, state, cx).await
    }
}

/// Registers the processing job, one image per core at a time (it is CPU-bound).
pub fn register(registry: &mut Registry, ctx: &Ctx) {
    let state = Arc::new(MediaJobState {
        store: Arc::clone(ctx.store_arc()),
        events: Arc::clone(ctx.events_arc()),
        blobs: Arc::clone(ctx.blobs()),
    });
    registry.register::<ProcessMedia>(state);
    let cores = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    registry.configure(
        QueueName::MediaProcessing,
        QueueConfig {
            concurrency: cores,
            ..QueueConfig::default()
        },
    );
}

/// Turns the API's options into the pipeline's, or says what is wrong with them.
fn process_options(options: Option<&MediaOptionsDto>) -> Result<ProcessOptions, MediaError> {
    let mut out = ProcessOptions::default();
    let Some(options) = options else {
        return Ok(out);
    };
    let bad = |detail: String| MediaError::BadOptions { detail };
    if let Some(quality) = options.quality {
        out.quality = quality;
    }
    if let Some(sizes) = &options.sizes {
        if sizes.is_empty() || sizes.len() > 8 {
            return Err(bad(format!("give 1 to 8 sizes, not {}", sizes.len())));
        }
        let mut variants = Vec::new();
        for size in sizes {
            let name_ok = !size.name.is_empty()
                && size.name.len() <= 32
                && size
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !name_ok {
                return Err(bad(format!(
                    "a size name is 1–32 letters, digits, _ or -, not {:?}",
                    size.name.chars().take(40).collect::<String>()
                )));
            }
            if variants.iter().any(|v: &VariantSpec| v.name == size.name) {
                return Err(bad(format!("the size {} is named twice", size.name)));
            }
            let fit = match size.fit.as_deref() {
                None | Some("inside") => Fit::Inside,
                Some("cover") => Fit::Cover,
                Some(other) => {
                    return Err(bad(format!(
                        "fit is cover or inside, not {:?}",
                        other.chars().take(40).collect::<String>()
                    )));
                }
            };
            variants.push(VariantSpec {
                name: size.name.clone(),
                width: size.width,
                height: size.height,
                fit,
                enlarge: fit == Fit::Cover,
                max_bytes: Some(process::WHATSAPP_IMAGE_MAX_BYTES),
            });
        }
        out.variants = variants;
    }
    // The checks the pipeline makes (quality range, sizes), before anything is stored.
    let probe = Inspected {
        kind: botdesk_media::MediaKind::Png,
        dimensions: Some((1, 1)),
    };
    if let Err(e @ MediaError::BadOptions { .. }) = process::process(&[], &probe, &out) {
        return Err(e);
    }
    Ok(out)
}

fn kind_name(kind: MediaKind) -> &'static str {
    kind.as_str()
}

fn status_name(status: MediaStatus) -> &'static str {
    status.as_str()
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
        url: format!("/api/media/{id}/file"),
        variants: variants
            .into_iter()
            .map(|(name, v)| MediaVariantDto {
                files: v
                    .files
                    .iter()
                    .map(|(format, f)| MediaVariantFileDto {
                        format: format.clone(),
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
        kind: kind_name(file.data.kind).to_owned(),
        size_bytes: file.data.size_bytes,
        width: file.data.width,
        height: file.data.height,
        status: status_name(file.data.status).to_owned(),
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

/// Records a stored upload and, for an image, enqueues its processing in the same transaction,
/// so that a crash never leaves an image that nothing will process.
fn record_upload(
    ctx: &Ctx,
    actor: &Actor,
    blob: &Blob,
    inspected: &Inspected,
    upload: &Upload,
    options: Option<MediaOptionsDto>,
) -> Result<(Stored<MediaFile>, Option<botdesk_queue::Enqueued>), CoreError> {
    ctx.store().with_tx(actor, |tx| {
        let file = library::add(tx, blob, inspected, upload)?;
        if file.data.status != MediaStatus::Pending {
            return Ok((file, None));
        }
        let job = ProcessMedia {
            media_id: file.meta.id.to_string(),
            options,
        };
        let new = botdesk_queue::new_job(&job, job.options())?;
        let enqueued = jobs::enqueue(tx, tx.now().unix_millis(), &new)?;
        Ok((file, Some(enqueued)))
    })
}

fn after_upload(
    ctx: &Ctx,
    file: &Stored<MediaFile>,
    enqueued: Option<botdesk_queue::Enqueued>,
) -> MediaDto {
    if let (Some(engine), Some(e)) = (ctx.queue_engine(), enqueued) {
        engine.enqueued(QueueName::MediaProcessing, &[e]);
    }
    let media = dto(file, enqueued.map(|e| e.id));
    ctx.events().publish(Event::MediaUploaded {
        media: media.clone(),
    });
    media
}

/// Removes a just-stored content again when its upload was refused (unless it was already
/// there for another record).
fn forget(ctx: &Ctx, blob: &Blob) {
    if blob.created
        && let Err(e) = ctx.blobs().remove(&blob.sha256)
    {
        tracing::warn!(sha256 = %blob.sha256, error = %e, "could not remove a refused upload");
    }
}

/// `POST /api/media/upload`: base64 in JSON.
pub async fn upload_base64(
    ctx: &Ctx,
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
    let (file, enqueued) = ctx
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
    Ok(after_upload(ctx, &file, enqueued))
}

/// A streamed upload (multipart): the bytes go to disk as they arrive, hashed on the way; the
/// file is then judged from disk. `reader` is read on a blocking thread.
pub async fn upload_stream(
    ctx: &Ctx,
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
    let (file, enqueued) = ctx
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
    Ok(after_upload(ctx, &file, enqueued))
}

fn media_id(id: &str) -> Result<Id, CoreError> {
    Ok(library::parse_id(id)?)
}

/// The processing job of each record that has one waiting or running.
fn jobs_of(ctx: &Ctx, files: &[Stored<MediaFile>]) -> HashMap<String, i64> {
    let wanted: Vec<String> = files
        .iter()
        .filter(|f| {
            matches!(
                f.data.status,
                MediaStatus::Pending | MediaStatus::Processing
            )
        })
        .map(|f| f.meta.id.to_string())
        .collect();
    if wanted.is_empty() {
        return HashMap::new();
    }
    ctx.store()
        .read(|c| {
            let mut out = HashMap::new();
            let mut stmt = c.prepare_cached(
                "SELECT id, json_extract(payload, '$.media_id') FROM queue_jobs
                 WHERE queue = 'media_processing' AND name = 'process'
                   AND json_extract(payload, '$.media_id') = ?1
                 ORDER BY id DESC LIMIT 1",
            )?;
            for media in &wanted {
                if let Ok((id, _)) = stmt.query_row([media], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                }) {
                    out.insert(media.clone(), id);
                }
            }
            Ok::<_, botdesk_store::StoreError>(out)
        })
        .unwrap_or_default()
}

pub fn get(ctx: &Ctx, id: &str) -> Result<MediaDetailDto, CoreError> {
    let id = media_id(id)?;
    let (file, uses) = ctx
        .store()
        .read(|c| Ok::<_, LibraryError>((library::get(c, id)?, library::uses(c, id)?)))?;
    let jobs = jobs_of(ctx, std::slice::from_ref(&file));
    let job = jobs.get(&file.meta.id.to_string()).copied();
    Ok(MediaDetailDto {
        media: dto(&file, job),
        uses: uses
            .into_iter()
            .map(|u| MediaUseDto {
                kind: match u.kind {
                    UseKind::Product => "product",
                    UseKind::TemplateHeader => "template_header",
                }
                .to_owned(),
                id: u.id,
                name: u.name,
            })
            .collect(),
    })
}

fn parse_filter<T: std::str::FromStr>(
    value: Option<&str>,
    field: &'static str,
    allowed: &str,
) -> Result<Option<T>, CoreError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| {
            CoreError::invalid_field(
                "request.invalid_filter",
                field,
                format!(
                    "{field} must be one of {allowed}, not {:?}",
                    text.chars().take(40).collect::<String>()
                ),
            )
        }),
    }
}

fn parse_ref(value: Option<&str>, field: &'static str) -> Result<Option<Id>, CoreError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| {
            CoreError::invalid_field(
                "request.invalid_filter",
                field,
                format!("{field} is not an id"),
            )
        }),
    }
}

pub fn list(ctx: &Ctx, query: MediaQuery) -> Result<MediaPageDto, CoreError> {
    let filter = MediaFilter {
        kind: parse_filter(
            query.kind.as_deref(),
            "kind",
            "image, video, audio, document",
        )?,
        status: parse_filter(
            query.status.as_deref(),
            "status",
            "pending, processing, ready, failed",
        )?,
        merchant_id: parse_ref(query.merchant_id.as_deref(), "merchant_id")?,
        product_id: parse_ref(query.product_id.as_deref(), "product_id")?,
        unused: query.unused.unwrap_or(false),
    };
    let page = PageRequest {
        limit: query.limit.unwrap_or(60),
        cursor: query.cursor.filter(|c| !c.is_empty()),
    };
    let page = ctx.store().read(|c| library::list(c, &filter, &page))?;
    let jobs = jobs_of(ctx, &page.items);
    Ok(MediaPageDto {
        items: page
            .items
            .iter()
            .map(|f| dto(f, jobs.get(&f.meta.id.to_string()).copied()))
            .collect(),
        next_cursor: page.next_cursor,
    })
}

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
/// project's Storage bucket first (see `ops::sync::fetch_file`).
pub async fn file(
    ctx: &Ctx,
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
        found.path = crate::ops::sync::fetch_file(ctx, &found.sha256).await?;
    }
    Ok(found)
}

/// Which file a request names, and where it would be on this device.
fn locate(
    ctx: &Ctx,
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
                            format!(
                                "this file has no variants (it is {})",
                                status_name(file.data.status)
                            )
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

pub fn remove(
    ctx: &Ctx,
    actor: &Actor,
    id: &str,
    force: bool,
) -> Result<MediaRemovedDto, CoreError> {
    let id = media_id(id)?;
    let (file, orphans) = ctx.store().with_tx(actor, |tx| {
        library::remove(tx, id, force).map_err(CoreError::from)
    })?;
    let mut removed = 0;
    for sha in &orphans {
        match ctx.blobs().remove(sha) {
            Ok(true) => removed += 1,
            Ok(false) => {}
            // The record is gone; a leftover file costs space, not correctness.
            Err(e) => tracing::warn!(sha256 = %sha, error = %e, "could not remove a media file"),
        }
    }
    let id = file.meta.id.to_string();
    ctx.events().publish(Event::MediaDeleted { id: id.clone() });
    Ok(MediaRemovedDto {
        id,
        files_removed: removed,
    })
}

/// Processes a record again (after a failure, or with other options).
pub async fn reprocess(
    ctx: &Ctx,
    actor: &Actor,
    id: &str,
    options: Option<MediaOptionsDto>,
) -> Result<MediaDto, CoreError> {
    let id = media_id(id)?;
    process_options(options.as_ref())?;
    let actor = actor.clone();
    let (file, enqueued) = ctx
        .blocking(move |ctx| {
            ctx.store().with_tx(&actor, |tx| {
                let file = library::get(tx, id)?;
                if file.data.kind != MediaKind::Image {
                    return Err(CoreError::invalid(
                        "media.not_an_image",
                        "only images are processed",
                    ));
                }
                let file = library::set_status(tx, id, MediaStatus::Pending)?;
                let job = ProcessMedia {
                    media_id: id.to_string(),
                    options,
                };
                let new = botdesk_queue::new_job(&job, job.options())?;
                let enqueued = jobs::enqueue(tx, tx.now().unix_millis(), &new)?;
                Ok((file, Some(enqueued)))
            })
        })
        .await?;
    if let (Some(engine), Some(e)) = (ctx.queue_engine(), enqueued) {
        engine.enqueued(QueueName::MediaProcessing, &[e]);
    }
    Ok(dto(&file, enqueued.map(|e| e.id)))
}

pub fn link_product(
    ctx: &Ctx,
    actor: &Actor,
    id: &str,
    product_id: &str,
    link: ProductLinkRequest,
) -> Result<MediaDetailDto, CoreError> {
    let media = media_id(id)?;
    ctx.store().with_tx(actor, |tx| {
        library::link_product(
            tx,
            media,
            product_id,
            link.position,
            link.primary.unwrap_or(false),
        )
        .map_err(CoreError::from)
    })?;
    get(ctx, id)
}

pub fn unlink_product(
    ctx: &Ctx,
    actor: &Actor,
    id: &str,
    product_id: &str,
) -> Result<MediaDetailDto, CoreError> {
    let media = media_id(id)?;
    let product: Id = product_id.parse().map_err(|_| {
        CoreError::from(LibraryError::UnknownProduct(
            product_id.chars().take(100).collect(),
        ))
    })?;
    ctx.store().with_tx(actor, |tx| {
        library::unlink_product(tx, media, product).map_err(CoreError::from)
    })?;
    get(ctx, id)
}

/// Every live row of a table, in pages (a shop may have more products than one page holds),
/// sorted by name for a picker.
fn all_by_name<R: botdesk_store::Record, D>(
    ctx: &Ctx,
    dto: impl Fn(Stored<R>) -> D,
    name: impl Fn(&D) -> String,
) -> Result<Vec<D>, CoreError> {
    let rows = ctx
        .store()
        .read(|c| botdesk_store::list_all::<R>(c, &Filter::live()))?;
    let mut out: Vec<D> = rows.into_iter().map(dto).collect();
    out.sort_by_cached_key(|d| name(d).to_lowercase());
    Ok(out)
}

/// A trimmed name of 1–`max` characters, or `code`.
fn valid_name(raw: &str, max: usize, code: &'static str, what: &str) -> Result<String, CoreError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > max {
        return Err(CoreError::invalid_field(
            code,
            "name",
            format!("a {what} name is 1–{max} characters"),
        ));
    }
    Ok(name.to_owned())
}

impl From<Stored<Product>> for ProductDto {
    fn from(p: Stored<Product>) -> ProductDto {
        ProductDto {
            id: p.meta.id.to_string(),
            name: p.data.name,
            sku: p.data.sku,
            merchant_id: p.data.merchant_id.map(|m| m.to_string()),
        }
    }
}

impl From<Stored<Merchant>> for MerchantDto {
    fn from(m: Stored<Merchant>) -> MerchantDto {
        MerchantDto {
            id: m.meta.id.to_string(),
            name: m.data.name,
        }
    }
}

pub fn products(ctx: &Ctx) -> Result<Vec<ProductDto>, CoreError> {
    all_by_name(ctx, ProductDto::from, |p| p.name.clone())
}

pub fn create_product(
    ctx: &Ctx,
    actor: &Actor,
    request: ProductCreate,
) -> Result<ProductDto, CoreError> {
    let name = valid_name(&request.name, 300, "product.invalid_name", "product")?;
    let upload = Upload {
        merchant_id: request.merchant_id.clone(),
        ..Upload::default()
    };
    let product = ctx.store().with_tx(actor, |tx| {
        library::check_merchant(tx, &upload)?;
        let merchant_id = match request
            .merchant_id
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
        {
            Some(m) => Some(media_id(m)?),
            None => None,
        };
        Ok::<_, CoreError>(botdesk_store::insert(
            tx,
            Product {
                merchant_id,
                sku: request.sku.clone().filter(|s| !s.trim().is_empty()),
                name: name.clone(),
                description: String::new(),
                price_minor: 0,
                currency: "USD".into(),
                stock: None,
                status: ProductStatus::Active,
            },
        )?)
    })?;
    Ok(product.into())
}

pub fn merchants(ctx: &Ctx) -> Result<Vec<MerchantDto>, CoreError> {
    all_by_name(ctx, MerchantDto::from, |m| m.name.clone())
}

pub fn create_merchant(
    ctx: &Ctx,
    actor: &Actor,
    request: MerchantCreate,
) -> Result<MerchantDto, CoreError> {
    let name = valid_name(&request.name, 200, "merchant.invalid_name", "merchant")?;
    let merchant = ctx.store().with_tx(actor, |tx| {
        botdesk_store::insert(
            tx,
            Merchant {
                name: name.clone(),
                phone: None,
                email: None,
                status: MerchantStatus::Active,
                settings: serde_json::json!({}),
            },
        )
    })?;
    Ok(merchant.into())
}

/// One attempt of the processing job.
async fn run_processing(
    job: ProcessMedia,
    state: Arc<MediaJobState>,
    cx: JobContext,
) -> Result<serde_json::Value, JobError> {
    let Ok(id) = job.media_id.parse::<Id>() else {
        return Err(JobError::permanent(format!(
            "{:?} is not a media id",
            job.media_id
        )));
    };
    let options =
        process_options(job.options.as_ref()).map_err(|e| JobError::permanent(e.to_string()))?;
    let actor = Actor::Job {
        queue: cx.queue.as_str().to_owned(),
        id: cx.id.to_string(),
    };
    let publish = |file: &Stored<MediaFile>, event: fn(MediaDto) -> Event| {
        state.events.publish(event(dto(file, Some(cx.id))));
    };
    let progress = |percent: u8, step: &str| {
        cx.progress(percent, Some(step));
        state.events.publish(Event::MediaProgress {
            id: job.media_id.clone(),
            percent,
            step: step.to_owned(),
        });
    };

    // Claim the record: a deleted one needs nothing.
    let st = Arc::clone(&state);
    let file = tokio::task::spawn_blocking(move || {
        st.store.with_tx(&actor, |tx| match library::get(tx, id) {
            Ok(_) => library::set_status(tx, id, MediaStatus::Processing).map(Some),
            Err(LibraryError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        })
    })
    .await
    .map_err(|e| JobError::retry(e.to_string()))?
    .map_err(|e| JobError::retry(e.to_string()))?;
    let Some(file) = file else {
        return Ok(serde_json::json!({ "skipped": "the media file was deleted" }));
    };
    publish(&file, |media| Event::MediaProgress {
        id: media.id,
        percent: 0,
        step: "started".into(),
    });
    progress(5, "reading the original");

    let path = state
        .blobs
        .path(&file.data.sha256)
        .map_err(|e| JobError::permanent(e.to_string()))?;
    let declared = None::<String>;
    let st = Arc::clone(&state);
    let outcome = tokio::task::spawn_blocking(move || -> Result<_, (bool, String)> {
        let bytes = std::fs::read(&path)
            .map_err(|e| (true, format!("reading the stored original: {e}")))?;
        let inspected = inspect(
            &bytes,
            declared.as_deref(),
            &botdesk_media::Limits {
                max_image_bytes: u64::MAX,
                ..botdesk_media::Limits::default()
            },
        )
        .map_err(|e| (false, e.to_string()))?;
        let processed =
            process::process(&bytes, &inspected, &options).map_err(|e| (false, e.to_string()))?;
        drop(bytes);
        let mut files = Vec::with_capacity(processed.outputs.len());
        for (index, output) in processed.outputs.iter().enumerate() {
            let blob = st
                .blobs
                .put(&output.bytes)
                .map_err(|e| (true, e.to_string()))?;
            files.push((index, blob));
        }
        Ok((processed, files))
    });
    progress(20, "decoding and resizing");
    let outcome = outcome
        .await
        .map_err(|e| JobError::retry(format!("processing stopped: {e}")))?;
    let actor = Actor::Job {
        queue: cx.queue.as_str().to_owned(),
        id: cx.id.to_string(),
    };
    match outcome {
        Ok((processed, files)) => {
            progress(90, "saving");
            let st = Arc::clone(&state);
            let summary = serde_json::json!({
                "variants": processed.outputs.len(),
                "bytes": processed.outputs.iter().map(|o| o.bytes.len()).sum::<usize>(),
                "had_location": processed.had_location,
            });
            let saved = tokio::task::spawn_blocking(move || {
                st.store
                    .with_tx(&actor, |tx| library::processed(tx, id, &processed, &files))
            })
            .await
            .map_err(|e| JobError::retry(e.to_string()))?;
            match saved {
                Ok(file) => {
                    publish(&file, |media| Event::MediaProcessed { media });
                    Ok(summary)
                }
                Err(LibraryError::NotFound(_)) => {
                    Ok(serde_json::json!({ "skipped": "deleted while processing" }))
                }
                Err(e) => Err(JobError::retry(e.to_string())),
            }
        }
        // Something of ours (the disk): another attempt may succeed.
        Err((true, reason)) if cx.attempt < 3 => Err(JobError::retry(reason)),
        // The file itself: no attempt will do better.
        Err((_, reason)) => {
            let st = Arc::clone(&state);
            let why = reason.clone();
            let failed = tokio::task::spawn_blocking(move || {
                st.store.with_tx(&actor, |tx| library::failed(tx, id, &why))
            })
            .await
            .map_err(|e| JobError::retry(e.to_string()))?;
            if let Ok(file) = failed {
                publish(&file, |media| Event::MediaFailed { media });
            }
            Err(JobError::permanent(reason))
        }
    }
}
