//! The `media_processing` job: an image's variants made from its original (the original
//! design's `queueMediaProcessing(mediaId, path, {sizes, quality})`), one image per core at a
//! time. A file that does not decode ends `failed` with the decoder's reason (no attempt will
//! do better); a storage error is retried.

use std::sync::Arc;

use botdesk_media::library::{self, LibraryError};
use botdesk_media::process::{self, Fit, ProcessOptions, VariantSpec};
use botdesk_media::{Inspected, MediaError, inspect};
use botdesk_queue::{Job, JobContext, JobError, JobOptions, QueueConfig, QueueName, Registry};
use botdesk_store::tables::media_files::{MediaFile, MediaStatus};
use botdesk_store::{Id, Stored};
use serde::{Deserialize, Serialize};

use crate::caller::job_actor;
use crate::events::Event;
use crate::media::view::dto;
use crate::media::wire::{MediaDto, MediaOptionsDto};
use crate::services::{Services, WeakServices};

/// The job that makes an image's variants (the original design's
/// `queueMediaProcessing(mediaId, path, {sizes, quality})`; the path is the content's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessMedia {
    pub media_id: String,
    #[serde(default)]
    pub options: Option<MediaOptionsDto>,
}

impl Job for ProcessMedia {
    type State = WeakServices;
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
        state: Arc<WeakServices>,
        cx: JobContext,
    ) -> Result<serde_json::Value, JobError> {
        run_processing(self, Arc::new(state.for_job()?), cx).await
    }
}

/// Registers the processing job, one image per core at a time (it is CPU-bound).
pub(crate) fn register(registry: &mut Registry, services: &Services) {
    registry.register::<ProcessMedia>(Arc::new(services.downgrade()));
    let cores = crate::services::cores();
    registry.configure(
        QueueName::MediaProcessing,
        QueueConfig {
            concurrency: cores,
            ..QueueConfig::default()
        },
    );
}

/// Turns the API's options into the pipeline's, or says what is wrong with them.
pub(crate) fn process_options(
    options: Option<&MediaOptionsDto>,
) -> Result<ProcessOptions, MediaError> {
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

/// One attempt of the processing job.
async fn run_processing(
    job: ProcessMedia,
    state: Arc<Services>,
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
    let actor = job_actor(&cx);
    let publish = |file: &Stored<MediaFile>, event: fn(MediaDto) -> Event| {
        state.events().publish(event(dto(file, Some(cx.id))));
    };
    let progress = |percent: u8, step: &str| {
        cx.progress(percent, Some(step));
        state.events().publish(Event::MediaProgress {
            id: job.media_id.clone(),
            percent,
            step: step.to_owned(),
        });
    };

    // Claim the record: a deleted one needs nothing.
    let file = state
        .blocking(move |s| {
            Ok(s.store().with_tx(&actor, |tx| match library::get(tx, id) {
                Ok(_) => library::set_status(tx, id, MediaStatus::Processing).map(Some),
                Err(LibraryError::NotFound(_)) => Ok(None),
                Err(e) => Err(e),
            })?)
        })
        .await
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
        .blobs()
        .path(&file.data.sha256)
        .map_err(|e| JobError::permanent(e.to_string()))?;
    let declared = None::<String>;
    let outcome = state.compute(move |s| -> Result<_, (bool, String)> {
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
            let blob = s
                .blobs()
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
    let actor = job_actor(&cx);
    match outcome {
        Ok((processed, files)) => {
            progress(90, "saving");
            let summary = serde_json::json!({
                "variants": processed.outputs.len(),
                "bytes": processed.outputs.iter().map(|o| o.bytes.len()).sum::<usize>(),
                "had_location": processed.had_location,
            });
            let saved = state
                .blocking(move |s| {
                    Ok(s.store()
                        .with_tx(&actor, |tx| library::processed(tx, id, &processed, &files)))
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
            let why = reason.clone();
            let failed = state
                .blocking(move |s| {
                    Ok(s.store()
                        .with_tx(&actor, |tx| library::failed(tx, id, &why)))
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
