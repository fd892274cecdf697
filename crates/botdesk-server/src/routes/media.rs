//! The media routes that are not JSON: the multipart upload, streamed to disk as it arrives,
//! and a media file served with its type, a strong ETag and ranges.

use axum::body::Body;
use axum::extract::{Multipart, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use botdesk_core::dto::{ErrorBodyDto, MediaDto, MediaOptionsDto};
use botdesk_core::media::{MediaError, Upload};
use botdesk_core::system::keys::Access;
use botdesk_core::{CoreError, ErrorKind};
use serde::Deserialize;
use tower::ServiceExt;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::ApiQuery;

/// A `Read` over chunks that an async task hands over: lets the blocking blob writer consume
/// a request body as it arrives.
struct ChunkReader {
    chunks: tokio::sync::mpsc::Receiver<Result<axum::body::Bytes, String>>,
    current: axum::body::Bytes,
}

impl std::io::Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.chunks.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(e)) => return Err(std::io::Error::other(e)),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current = self.current.slice(n..);
        Ok(n)
    }
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    ApiError::from(CoreError::from(
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            MediaError::UploadTooLarge
        } else {
            MediaError::UploadInterrupted {
                detail: format!("it could not be read: {e}"),
            }
        },
    ))
}

/// Uploads one file as `multipart/form-data`, streamed to disk as it arrives (a 50 MB video is
/// never held in memory). Text fields `merchant_id`, `mime_type` and `options` (JSON) come
/// first, then the `file` field, whose name and type are the file's.
#[utoipa::path(post, path = "/api/media", tag = "media", operation_id = "upload_media_stream",
    request_body(content = String, content_type = "multipart/form-data", description = "fields merchant_id?, options? (JSON), then file"),
    responses((status = 201, body = MediaDto), (status = 400, body = ErrorBodyDto), (status = 413, body = ErrorBodyDto),
              (status = 415, body = ErrorBodyDto)))]
pub async fn upload_multipart(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    request: Request,
) -> Result<(StatusCode, Json<MediaDto>), ApiError> {
    use axum::extract::FromRequest;
    let mut multipart = Multipart::from_request(request, &()).await.map_err(|e| {
        ApiError::new(
            ErrorKind::UnsupportedMediaType,
            "request.unsupported_media_type",
            format!("send the file as multipart/form-data: {e}"),
        )
    })?;
    let mut upload = Upload::default();
    let mut options: Option<MediaOptionsDto> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or("") {
            "merchant_id" => {
                upload.merchant_id = Some(field.text().await.map_err(multipart_error)?)
            }
            "mime_type" => {
                upload.declared_mime = Some(field.text().await.map_err(multipart_error)?)
            }
            "options" => {
                let text = field.text().await.map_err(multipart_error)?;
                options = Some(botdesk_core::request::parse_json(text.as_bytes())?);
            }
            "file" => {
                // The part's own Content-Type is a browser's guess from the file name, not a
                // claim: only the `mime_type` field is checked against the bytes.
                upload.file_name = field.file_name().unwrap_or("").to_owned();
                let (tx, rx) = tokio::sync::mpsc::channel(8);
                let reader = ChunkReader {
                    chunks: rx,
                    current: axum::body::Bytes::new(),
                };
                let ctx = state.ctx.clone();
                let actor = access.actor();
                let stored = tokio::spawn(async move {
                    botdesk_core::media::upload_stream(&ctx, &actor, upload, options, reader).await
                });
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            if tx.send(Ok(chunk)).await.is_err() {
                                // The writer stopped (refused the file): its answer says why.
                                break;
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            let _ = tx.send(Err(e.to_string())).await;
                            break;
                        }
                    }
                }
                drop(tx);
                let media = stored
                    .await
                    .map_err(|e| CoreError::Internal(format!("the upload task failed: {e}")))??;
                return Ok((StatusCode::CREATED, Json(media)));
            }
            other => {
                return Err(ApiError::new(
                    ErrorKind::Invalid,
                    "request.invalid_body",
                    format!(
                        "unknown field {:?}: send merchant_id, mime_type, options, then file",
                        other.chars().take(40).collect::<String>()
                    ),
                ));
            }
        }
    }
    Err(CoreError::from(MediaError::NoFile).into())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FileQuery {
    /// `original` (default) or a variant's name (`thumbnail`, `medium`, `optimised`, …).
    #[serde(default)]
    variant: Option<String>,
    /// `jpeg` or `webp` (default: WebP, the smaller).
    #[serde(default)]
    format: Option<String>,
    /// `1` to download (`Content-Disposition: attachment`).
    #[serde(default)]
    download: Option<u8>,
}

/// The original or a variant's file, with its type, a strong ETag (its SHA-256) and range
/// support. A file added on another device is fetched from the project's Storage bucket first
/// (404 `media.file_not_on_this_device` without a bucket; 503 `sync.file_not_in_storage` while
/// its device has not sent it, `sync.storage_unreachable` when the bucket does not answer).
#[utoipa::path(get, path = "/api/media/{id}/file", tag = "media", operation_id = "media_file",
    params(("id" = String, Path, description = "The media file's id"), FileQuery),
    responses((status = 200, description = "the file"), (status = 206, description = "a range of it"),
              (status = 304, description = "unchanged"), (status = 404, body = ErrorBodyDto),
              (status = 503, description = "not on this device, and Storage cannot give it now",
               body = ErrorBodyDto)))]
pub async fn file(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<FileQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (variant, format) = (query.variant.clone(), query.format.clone());
    let found =
        botdesk_core::media::file(&state.ctx, &id, variant.as_deref(), format.as_deref()).await?;
    let etag = format!("\"{}\"", found.sha256);
    let common = |response: &mut Response| {
        let h = response.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&etag) {
            h.insert(header::ETAG, v);
        }
        // Content-addressed: a given URL's bytes change only when the record does.
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, max-age=0, must-revalidate"),
        );
        // Never run as a page, whatever a browser would guess.
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; sandbox"),
        );
    };
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if unchanged {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        common(&mut response);
        return Ok(response);
    }
    let mime: mime::Mime = found
        .mime_type
        .parse()
        .unwrap_or(mime::APPLICATION_OCTET_STREAM);
    let mut forward = Request::new(Body::empty());
    for name in [header::RANGE, header::IF_RANGE] {
        if let Some(v) = headers.get(&name) {
            forward.headers_mut().insert(name, v.clone());
        }
    }
    let served = tower_http::services::ServeFile::new_with_mime(&found.path, &mime)
        .oneshot(forward)
        .await
        .map_err(|e| CoreError::Internal(format!("serving a media file: {e}")))?;
    let mut response = served.map(Body::new);
    common(&mut response);
    let disposition = if query.download == Some(1) {
        "attachment"
    } else {
        "inline"
    };
    let ascii: String = found
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("{disposition}; filename=\"{ascii}\"")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}
