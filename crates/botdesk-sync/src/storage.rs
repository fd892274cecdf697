//! The project's Storage bucket, through its S3-compatible API (Supabase Storage:
//! `https://<ref>.supabase.co/storage/v1/s3`, path-style, SigV4 with the project's S3 access
//! keys): the calls the file sync needs, each one HTTP request signed by `rusty-s3` and sent by
//! reqwest. Objects are named by their content (`media/<sha-256>`), so a name never has to be
//! escaped and the same bytes are stored once, whichever device sends them.

use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use tokio::io::AsyncWriteExt;
use url::Url;

use crate::error::SyncError;

/// How long a signed request stays valid: long enough for a slow part on a slow uplink.
const SIGNED_FOR: Duration = Duration::from_secs(3600);
/// The longest any one request may take (a 5 MiB part at 100 kB/s takes under a minute).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(600);

/// Where the bucket is and the keys that open it, as the owner gave them (checked by
/// [`StorageConfig::validate`]); kept sealed by the app.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StorageConfig {
    /// The S3 endpoint (`https://<ref>.supabase.co/storage/v1/s3`).
    pub endpoint: String,
    pub region: String,
    pub bucket: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

// The secret stays out of logs and panics.
impl std::fmt::Debug for StorageConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StorageConfig")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("bucket", &self.bucket)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// What is wrong with a setting: the field and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadSetting {
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

fn bad(field: &'static str, code: &'static str, message: impl Into<String>) -> BadSetting {
    BadSetting {
        field,
        code,
        message: message.into(),
    }
}

/// The S3 endpoint for what the owner pasted: a hosted project's URL
/// (`https://<ref>.supabase.co`) gets Storage's S3 path; any other URL is the endpoint itself
/// (a self-hosted Supabase's is `…/storage/v1/s3`; another S3 service's may be its root).
pub fn endpoint_for(text: &str) -> Result<String, BadSetting> {
    let text = text.trim();
    let url = Url::parse(text).map_err(|e| {
        bad(
            "url",
            "sync.invalid_storage_url",
            format!(
                "{text:?} is not a URL ({e}); give the project URL (https://<ref>.supabase.co) or \
                 the S3 endpoint from Storage → Settings"
            ),
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad(
            "url",
            "sync.invalid_storage_url",
            format!("{text:?} is not an http(s) URL with a host"),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(bad(
            "url",
            "sync.invalid_storage_url",
            "the Storage URL takes no query, fragment or user name: the keys go in their own fields",
        ));
    }
    let path = url.path().trim_end_matches('/');
    let hosted = url
        .host_str()
        .is_some_and(|h| h.ends_with(".supabase.co") || h.ends_with(".supabase.in"));
    let mut endpoint = url.clone();
    if path.is_empty() && hosted {
        endpoint.set_path("/storage/v1/s3");
    } else {
        endpoint.set_path(path);
    }
    // The bucket goes after the endpoint's path: it must end with '/' to be kept.
    let text = endpoint.to_string();
    Ok(text.trim_end_matches('/').to_owned())
}

impl StorageConfig {
    /// Checks every field, naming the first one that is wrong.
    pub fn validate(&self) -> Result<(), BadSetting> {
        endpoint_for(&self.endpoint)?;
        // S3's bucket names: 3–63 lowercase letters, digits, dots and hyphens, a letter or
        // digit at each end (Supabase also allows underscores).
        let b = self.bucket.as_str();
        let bucket_ok = (3..=63).contains(&b.len())
            && b.bytes().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'-' | b'.' | b'_')
            })
            && b.bytes().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && b.bytes().last().is_some_and(|c| c.is_ascii_alphanumeric());
        if !bucket_ok {
            return Err(bad(
                "bucket",
                "sync.invalid_storage_bucket",
                format!(
                    "{:?} is not a bucket name: 3–63 lowercase letters, digits, '-', '.' or '_'",
                    b.chars().take(80).collect::<String>()
                ),
            ));
        }
        let region_ok = !self.region.is_empty()
            && self.region.len() <= 64
            && self
                .region
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
        if !region_ok {
            return Err(bad(
                "region",
                "sync.invalid_storage_region",
                if self.region.is_empty() {
                    "give the project's region (Storage → Settings → S3 Connection shows it, e.g. \
                     eu-central-1)"
                } else {
                    "the region is the project's (e.g. eu-central-1): letters, digits and '-'"
                },
            ));
        }
        let key_ok =
            |k: &str| !k.is_empty() && k.len() <= 256 && k.bytes().all(|c| c.is_ascii_graphic());
        if !key_ok(&self.access_key_id) {
            return Err(bad(
                "access_key_id",
                "sync.invalid_storage_key",
                "the access key id is missing or has spaces (Storage → Settings → S3 access keys)",
            ));
        }
        if !key_ok(&self.secret_access_key) {
            return Err(bad(
                "secret_access_key",
                "sync.invalid_storage_key",
                "the secret access key is missing or has spaces (it is shown once, when the key is made)",
            ));
        }
        Ok(())
    }
}

/// The object a content hash is stored as.
pub fn object_key(sha256: &str) -> String {
    format!("media/{sha256}")
}

/// One part of a multipart upload the bucket holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartHeld {
    pub number: u16,
    pub etag: String,
    pub size: u64,
}

/// The parts in a ListParts answer (number, size and, when the server gives it, ETag), and
/// the marker of the next page when it is truncated. Read leniently: a server that leaves the
/// ETag out (some do) still says which parts it holds.
fn parse_list_parts(body: &str) -> (Vec<PartHeld>, Option<u16>) {
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("<Part>") {
        let after = &rest[start + "<Part>".len()..];
        let Some(end) = after.find("</Part>") else {
            break;
        };
        let part = &after[..end];
        rest = &after[end..];
        let number = xml_field(part, "PartNumber").and_then(|n| n.parse().ok());
        let size = xml_field(part, "Size").and_then(|n| n.parse().ok());
        if let (Some(number), Some(size)) = (number, size) {
            let etag = xml_field(part, "ETag")
                .unwrap_or_default()
                .replace("&quot;", "\"")
                .replace("&#34;", "\"");
            parts.push(PartHeld { number, etag, size });
        }
    }
    let truncated = xml_field(body, "IsTruncated") == Some("true");
    let next = xml_field(body, "NextPartNumberMarker").and_then(|n| n.parse().ok());
    (parts, if truncated { next } else { None })
}

/// A connection to the bucket (a reqwest client: connections are kept and reused).
#[derive(Debug, Clone)]
pub struct Storage {
    bucket: Bucket,
    credentials: Credentials,
    http: reqwest::Client,
}

/// The `<Code>` and `<Message>` of an S3 error body.
fn s3_error(body: &str) -> (Option<String>, Option<String>) {
    let field = |tag| xml_field(body, tag).map(|v| v.chars().take(300).collect::<String>());
    (field("Code"), field("Message"))
}

/// The text of the first `<tag>…</tag>` in an S3 answer (they are flat enough for this).
fn xml_field<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&close)? + start;
    Some(xml[start..end].trim())
}

/// The whole size in a `Content-Range: bytes a-b/size` answer.
fn content_range_total(response: &reqwest::Response) -> Option<u64> {
    response
        .headers()
        .get(reqwest::header::CONTENT_RANGE)?
        .to_str()
        .ok()?
        .rsplit('/')
        .next()?
        .parse()
        .ok()
}

fn unreachable(e: &reqwest::Error) -> SyncError {
    // The chain names what failed (connection refused, reset, timed out).
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    SyncError::StorageUnreachable(text)
}

impl Storage {
    pub fn new(config: &StorageConfig) -> Result<Storage, SyncError> {
        config
            .validate()
            .map_err(|b| SyncError::BadStorageSettings(b.message))?;
        let endpoint =
            endpoint_for(&config.endpoint).map_err(|b| SyncError::BadStorageSettings(b.message))?;
        let endpoint: Url = format!("{endpoint}/")
            .parse()
            .map_err(|e| SyncError::BadStorageSettings(format!("the Storage URL: {e}")))?;
        let bucket = Bucket::new(
            endpoint,
            UrlStyle::Path,
            config.bucket.clone(),
            config.region.clone(),
        )
        .map_err(|e| SyncError::BadStorageSettings(format!("the Storage URL: {e}")))?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(60))
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| SyncError::StorageUnreachable(format!("no HTTP client: {e}")))?;
        Ok(Storage {
            bucket,
            credentials: Credentials::new(
                config.access_key_id.clone(),
                config.secret_access_key.clone(),
            ),
            http,
        })
    }

    /// An answer that is not a success, as an error: a 5xx or 429 is the server's passing
    /// trouble (try again later), anything else a refusal the owner must see.
    async fn refusal(what: &str, response: reqwest::Response) -> SyncError {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        Self::refusal_of(what, status, &body)
    }

    /// [`Storage::refusal`] of an answer already read.
    fn refusal_of(what: &str, status: StatusCode, body: &str) -> SyncError {
        let (code, message) = s3_error(body);
        let detail = match (&code, &message) {
            (Some(c), Some(m)) => format!("{c}: {m}"),
            (Some(c), None) => c.clone(),
            (None, Some(m)) => m.clone(),
            (None, None) => status
                .canonical_reason()
                .unwrap_or("no reason given")
                .to_owned(),
        };
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            return SyncError::StorageUnreachable(format!("{what}: HTTP {status}: {detail}"));
        }
        SyncError::StorageRefused {
            status: status.as_u16(),
            s3_code: code.unwrap_or_default(),
            message: format!("{what}: {detail}"),
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response, SyncError> {
        request.send().await.map_err(|e| unreachable(&e))
    }

    /// Whether the bucket is there and the keys open it (one listing of at most one object).
    pub async fn check(&self) -> Result<(), SyncError> {
        let mut action = self.bucket.list_objects_v2(Some(&self.credentials));
        action.with_max_keys(1);
        let url = action.sign(SIGNED_FOR);
        let response = self.send(self.http.get(url)).await?;
        if response.status().is_success() {
            return Ok(());
        }
        Err(Self::refusal(&format!("the bucket {:?}", self.bucket.name()), response).await)
    }

    /// The size of the object, or `None` when the bucket does not hold it.
    pub async fn head(&self, key: &str) -> Result<Option<u64>, SyncError> {
        let url = self
            .bucket
            .head_object(Some(&self.credentials), key)
            .sign(SIGNED_FOR);
        let response = self.send(self.http.head(url)).await?;
        match response.status() {
            StatusCode::NOT_FOUND => Ok(None),
            s if s.is_success() => Ok(response.content_length()),
            _ => Err(Self::refusal("looking for a file", response).await),
        }
    }

    /// Stores `bytes` as `key` in one request.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), SyncError> {
        let url = self
            .bucket
            .put_object(Some(&self.credentials), key)
            .sign(SIGNED_FOR);
        let response = self
            .send(
                self.http
                    .put(url)
                    .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                    .body(bytes),
            )
            .await?;
        if response.status().is_success() {
            return Ok(());
        }
        Err(Self::refusal("sending a file", response).await)
    }

    /// Starts a multipart upload of `key`; its id.
    pub async fn create_multipart(&self, key: &str) -> Result<String, SyncError> {
        let url = self
            .bucket
            .create_multipart_upload(Some(&self.credentials), key)
            .sign(SIGNED_FOR);
        let response = self.send(self.http.post(url)).await?;
        if !response.status().is_success() {
            return Err(Self::refusal("starting an upload in parts", response).await);
        }
        let body = response.bytes().await.map_err(|e| unreachable(&e))?;
        let parsed = rusty_s3::actions::CreateMultipartUpload::parse_response(&body)
            .map_err(|e| SyncError::StorageUnreachable(format!("an unreadable answer: {e}")))?;
        Ok(parsed.upload_id().to_owned())
    }

    /// Sends part `number` (from 1) of an upload; its ETag.
    pub async fn upload_part(
        &self,
        key: &str,
        upload_id: &str,
        number: u16,
        bytes: Vec<u8>,
    ) -> Result<String, SyncError> {
        let url = self
            .bucket
            .upload_part(Some(&self.credentials), key, number, upload_id)
            .sign(SIGNED_FOR);
        let response = self.send(self.http.put(url).body(bytes)).await?;
        if !response.status().is_success() {
            return Err(Self::refusal("sending a part", response).await);
        }
        response
            .headers()
            .get(reqwest::header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or_else(|| SyncError::StorageUnreachable("a part was taken without an ETag".into()))
    }

    /// The parts the bucket holds of an upload, in order; `None` when the upload is gone
    /// (completed, aborted or expired).
    pub async fn list_parts(
        &self,
        key: &str,
        upload_id: &str,
    ) -> Result<Option<Vec<PartHeld>>, SyncError> {
        let mut held = Vec::new();
        let mut marker: Option<u16> = None;
        loop {
            let mut action = rusty_s3::actions::ListParts::new(
                &self.bucket,
                Some(&self.credentials),
                key,
                upload_id,
            );
            if let Some(m) = marker {
                action.set_part_number_marker(m);
            }
            let url = action.sign(SIGNED_FOR);
            let response = self.send(self.http.get(url)).await?;
            if response.status() == StatusCode::NOT_FOUND {
                return Ok(None);
            }
            if !response.status().is_success() {
                return Err(Self::refusal("listing the parts sent", response).await);
            }
            let body = response.text().await.map_err(|e| unreachable(&e))?;
            let (parts, next) = parse_list_parts(&body);
            held.extend(parts);
            match next {
                Some(next) if marker != Some(next) => marker = Some(next),
                _ => break,
            }
        }
        held.sort_by_key(|p| p.number);
        Ok(Some(held))
    }

    /// Puts the parts (ETags in part order, from part 1) together as the object.
    pub async fn complete_multipart(
        &self,
        key: &str,
        upload_id: &str,
        etags: &[String],
    ) -> Result<(), SyncError> {
        let action = rusty_s3::actions::CompleteMultipartUpload::new(
            &self.bucket,
            Some(&self.credentials),
            key,
            upload_id,
            etags.iter().map(String::as_str),
        );
        let url = action.sign(SIGNED_FOR);
        let body = action.body();
        let response = self.send(self.http.post(url).body(body)).await?;
        let status = response.status();
        // S3 may answer 200 with an error in the body when completing fails late.
        let text = response.text().await.map_err(|e| unreachable(&e))?;
        if status.is_success() && !text.contains("<Error>") {
            return Ok(());
        }
        Err(Self::refusal_of(
            "putting the parts together",
            status,
            &text,
        ))
    }

    /// Fetches `key` into `partial`, going on from what `partial` already holds (a download
    /// cut off before), and returns the file's size.
    pub async fn download(&self, key: &str, partial: &Path) -> Result<u64, SyncError> {
        let io =
            |e: std::io::Error| SyncError::LocalFile(format!("writing {}: {e}", partial.display()));
        let have = match tokio::fs::metadata(partial).await {
            Ok(m) => m.len(),
            Err(_) => 0,
        };
        let url = self
            .bucket
            .get_object(Some(&self.credentials), key)
            .sign(SIGNED_FOR);
        let mut request = self.http.get(url);
        if have > 0 {
            request = request.header(reqwest::header::RANGE, format!("bytes={have}-"));
        }
        let mut response = self.send(request).await?;
        let status = response.status();
        if status == StatusCode::RANGE_NOT_SATISFIABLE && have > 0 {
            // The partial file already holds all of it (or more: start again).
            if content_range_total(&response) == Some(have) {
                return Ok(have);
            }
            let _ = tokio::fs::remove_file(partial).await;
            return Err(SyncError::StorageUnreachable(
                "the file in Storage changed while it was being fetched".into(),
            ));
        }
        if status == StatusCode::NOT_FOUND {
            let body = response.text().await.unwrap_or_default();
            let (code, _) = s3_error(&body);
            if code.as_deref() == Some("NoSuchBucket") {
                return Err(SyncError::StorageRefused {
                    status: 404,
                    s3_code: "NoSuchBucket".into(),
                    message: format!("the bucket {:?} does not exist", self.bucket.name()),
                });
            }
            return Err(SyncError::FileNotInStorage(key.to_owned()));
        }
        if !status.is_success() {
            return Err(Self::refusal("fetching a file", response).await);
        }
        // 206 goes on from `have`; 200 is the whole file (the server ignored the range).
        let resuming = status == StatusCode::PARTIAL_CONTENT;
        let total = if resuming {
            content_range_total(&response)
        } else {
            response.content_length()
        };
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(resuming)
            .truncate(!resuming)
            .open(partial)
            .await
            .map_err(io)?;
        let mut held = if resuming { have } else { 0 };
        loop {
            let chunk = match response.chunk().await {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(e) => {
                    // Keep what arrived: the next try asks for the rest.
                    let _ = file.flush().await;
                    let _ = file.sync_data().await;
                    return Err(unreachable(&e));
                }
            };
            file.write_all(&chunk).await.map_err(io)?;
            held += chunk.len() as u64;
        }
        file.flush().await.map_err(io)?;
        file.sync_all().await.map_err(io)?;
        if let Some(t) = total
            && t != held
        {
            return Err(SyncError::StorageUnreachable(format!(
                "the download ended at {held} of {t} bytes"
            )));
        }
        Ok(held)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> StorageConfig {
        StorageConfig {
            endpoint: "https://abcd.supabase.co".into(),
            region: "eu-central-1".into(),
            bucket: "botdesk-media".into(),
            access_key_id: "0123abcd".into(),
            secret_access_key: "s3cr3t".into(),
        }
    }

    #[test]
    fn a_project_url_becomes_its_storage_endpoint() {
        assert_eq!(
            endpoint_for("https://abcd.supabase.co").unwrap(),
            "https://abcd.supabase.co/storage/v1/s3"
        );
        assert_eq!(
            endpoint_for(" https://abcd.supabase.co/storage/v1/s3/ ").unwrap(),
            "https://abcd.supabase.co/storage/v1/s3"
        );
        assert_eq!(
            endpoint_for("http://127.0.0.1:54321/storage/v1/s3").unwrap(),
            "http://127.0.0.1:54321/storage/v1/s3"
        );
        assert_eq!(
            endpoint_for("http://127.0.0.1:9000/").unwrap(),
            "http://127.0.0.1:9000"
        );
        for bad in [
            "",
            "abcd.supabase.co",
            "ftp://x.y",
            "https://u:p@x.y",
            "https://x.y/?a=1",
        ] {
            assert_eq!(
                endpoint_for(bad).unwrap_err().code,
                "sync.invalid_storage_url",
                "{bad}"
            );
        }
    }

    #[test]
    fn each_bad_setting_is_named() {
        assert!(config().validate().is_ok());
        assert!(
            !format!("{:?}", config()).contains("s3cr3t"),
            "the secret is never shown"
        );
        type Change = fn(&mut StorageConfig);
        let cases: [(Change, &str); 6] = [
            (|c| c.bucket = "AB".into(), "bucket"),
            (|c| c.bucket = "-media".into(), "bucket"),
            (|c| c.bucket = "media/../x".into(), "bucket"),
            (|c| c.region = "eu central".into(), "region"),
            (|c| c.access_key_id = String::new(), "access_key_id"),
            (|c| c.secret_access_key = "a b".into(), "secret_access_key"),
        ];
        for (change, field) in cases {
            let mut c = config();
            change(&mut c);
            assert_eq!(c.validate().unwrap_err().field, field);
        }
    }

    #[test]
    fn a_list_of_parts_is_read_with_or_without_etags() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
            <ListPartsResult><Bucket>b</Bucket><Key>media/x</Key><UploadId>u</UploadId>
            <IsTruncated>true</IsTruncated><NextPartNumberMarker>2</NextPartNumberMarker>
            <Part><PartNumber>1</PartNumber><ETag>&quot;abc&quot;</ETag><Size>5242880</Size></Part>
            <Part><PartNumber>2</PartNumber><Size>100</Size></Part>
            </ListPartsResult>"#;
        let (parts, next) = parse_list_parts(body);
        assert_eq!(
            parts,
            vec![
                PartHeld {
                    number: 1,
                    etag: "\"abc\"".into(),
                    size: 5_242_880
                },
                PartHeld {
                    number: 2,
                    etag: String::new(),
                    size: 100
                },
            ]
        );
        assert_eq!(next, Some(2));
        assert_eq!(parse_list_parts("<ListPartsResult/>"), (vec![], None));
    }

    #[test]
    fn an_s3_error_body_gives_its_code_and_message() {
        let body = "<?xml version=\"1.0\"?><Error><Code>NoSuchBucket</Code>\
                    <Message>The specified bucket does not exist</Message></Error>";
        assert_eq!(
            s3_error(body),
            (
                Some("NoSuchBucket".into()),
                Some("The specified bucket does not exist".into())
            )
        );
        assert_eq!(s3_error("<html>bad gateway</html>"), (None, None));
    }
}
