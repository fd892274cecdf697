//! The media library as clients read and change it: one record with its uses, a filtered
//! page, deletes (with the files no record holds any more), processing again, product links.

use std::collections::HashMap;

use botdesk_media::library::{self, LibraryError, MediaFilter, UseKind};
use botdesk_queue::{Job, QueueName, jobs};
use botdesk_store::tables::media_files::{MediaFile, MediaKind, MediaStatus};
use botdesk_store::{Actor, Id, PageRequest, Stored};

use crate::error::CoreError;
use crate::events::Event;
use crate::media::job::{ProcessMedia, process_options};
use crate::media::replace::move_uses;
use crate::media::view::dto;
use crate::media::wire::{
    MediaDetailDto, MediaDto, MediaOptionsDto, MediaPageDto, MediaQuery, MediaRemovedDto,
    MediaUseDto, MediaUseKind, ProductLinkRequest,
};
use crate::services::Services;

pub(crate) fn media_id(id: &str) -> Result<Id, CoreError> {
    Ok(library::parse_id(id)?)
}

/// The processing job of each record that has one waiting or running.
pub(crate) fn jobs_of(
    ctx: &Services,
    files: &[Stored<MediaFile>],
) -> Result<HashMap<String, i64>, CoreError> {
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
        return Ok(HashMap::new());
    }
    Ok(ctx.store().read(|c| {
        let mut out = HashMap::new();
        for media in wanted {
            if let Some(job) = jobs::newest_with_payload(
                c,
                ProcessMedia::QUEUE,
                ProcessMedia::NAME,
                "media_id",
                &media,
            )? {
                out.insert(media, job);
            }
        }
        Ok::<_, botdesk_queue::QueueError>(out)
    })?)
}

pub fn get(ctx: &Services, id: &str) -> Result<MediaDetailDto, CoreError> {
    let id = media_id(id)?;
    let (file, uses) = ctx
        .store()
        .read(|c| Ok::<_, LibraryError>((library::get(c, id)?, library::uses(c, id)?)))?;
    let jobs = jobs_of(ctx, std::slice::from_ref(&file))?;
    let job = jobs.get(&file.meta.id.to_string()).copied();
    Ok(MediaDetailDto {
        media: dto(&file, job),
        uses: uses
            .into_iter()
            .map(|u| MediaUseDto {
                kind: match u.kind {
                    UseKind::Product => MediaUseKind::Product,
                    UseKind::TemplateHeader => MediaUseKind::TemplateHeader,
                },
                id: u.id,
                name: u.name,
            })
            .collect(),
    })
}

/// An optional filter of a listing: none when absent or blank, else `T`, or
/// `request.invalid_filter` naming the field with `what` it must be.
fn filter<T: std::str::FromStr>(
    value: Option<&str>,
    field: &'static str,
    what: impl FnOnce(&str) -> String,
) -> Result<Option<T>, CoreError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| {
            CoreError::invalid_field(
                "request.invalid_filter",
                field,
                format!("{field} {}", what(text)),
            )
        }),
    }
}

fn parse_filter<T: std::str::FromStr>(
    value: Option<&str>,
    field: &'static str,
    allowed: &str,
) -> Result<Option<T>, CoreError> {
    filter(value, field, |text| {
        format!(
            "must be one of {allowed}, not {:?}",
            text.chars().take(40).collect::<String>()
        )
    })
}

fn parse_ref(value: Option<&str>, field: &'static str) -> Result<Option<Id>, CoreError> {
    filter(value, field, |_| "is not an id".to_owned())
}

pub fn list(ctx: &Services, query: MediaQuery) -> Result<MediaPageDto, CoreError> {
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
    let jobs = jobs_of(ctx, &page.items)?;
    Ok(MediaPageDto {
        items: page
            .items
            .iter()
            .map(|f| dto(f, jobs.get(&f.meta.id.to_string()).copied()))
            .collect(),
        next_cursor: page.next_cursor,
    })
}

/// Deletes a file. Something still showing it refuses the delete with what it is, unless
/// `force` (product links end, templates show it missing) or `replace_with` names the file
/// that takes its place everywhere (see [`move_uses`]).
pub fn remove(
    ctx: &Services,
    actor: &Actor,
    id: &str,
    force: bool,
    replace_with: Option<&str>,
) -> Result<MediaRemovedDto, CoreError> {
    let id = media_id(id)?;
    let who = actor.to_string();
    let (file, orphans, announced) = ctx.store().with_tx(actor, |tx| {
        let announced = match replace_with.map(str::trim).filter(|r| !r.is_empty()) {
            Some(replacement) => {
                let old = library::get(tx, id)?;
                move_uses(tx, &old, replacement, &who)?.templates
            }
            None => Vec::new(),
        };
        let (file, orphans) =
            library::remove(tx, id, force || !announced.is_empty()).map_err(CoreError::from)?;
        Ok::<_, CoreError>((file, orphans, announced))
    })?;
    for event in announced {
        ctx.events().publish(event);
    }
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
    ctx: &Services,
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
    ctx: &Services,
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
    ctx: &Services,
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
