//! Media files to the project's Storage bucket, once their records have synced: which files
//! wait (`sync_files`, filled when the server takes a record that names them), and sending
//! them, a large one in parts that survive a cut connection or a restart (the upload id and the
//! parts sent are kept; the bucket's own list of parts decides where to go on from).
//!
//! A file is named by its SHA-256 on both sides, so a file the bucket already holds (sent by
//! another device, or by this one before a crash) is never sent again, and what another device
//! fetches is checked against its name.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use botdesk_store::rusqlite::{self, OptionalExtension};
use botdesk_store::{Store, Tx};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::engine::blocking;
use crate::error::SyncError;
use crate::storage::{Storage, object_key};

/// Parts of this size (S3's smallest but the last), so that a cut connection costs at most
/// one part.
pub const PART_SIZE: u64 = 5 * 1024 * 1024;
/// Files up to this size go in one request.
pub const SINGLE_REQUEST_MAX: u64 = 8 * 1024 * 1024;
/// Pending files looked at per round.
const PAGE: i64 = 100;

/// Notes that `hashes` should reach the bucket (those already there or waiting are left).
pub(crate) fn want_uploaded(tx: &Tx<'_>, hashes: &[String]) -> Result<(), SyncError> {
    let now = tx.now().to_string();
    let mut stmt = tx.prepare_cached(
        "INSERT INTO sync_files (sha256, created_at, updated_at) VALUES (?1, ?2, ?2) \
         ON CONFLICT (sha256) DO NOTHING",
    )?;
    for h in hashes {
        stmt.execute([h.as_str(), now.as_str()])?;
    }
    Ok(())
}

/// A file waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pending {
    sha256: String,
    created_at: String,
    upload_id: Option<String>,
    parts: Vec<String>,
}

fn pending_page(
    store: &Store,
    after: Option<&(String, String)>,
) -> Result<Vec<Pending>, SyncError> {
    let (at, sha) = after.cloned().unwrap_or_default();
    Ok(store.read(|c| {
        let mut s = c.prepare_cached(
            "SELECT sha256, created_at, upload_id, parts FROM sync_files \
             WHERE state = 'pending' AND (created_at, sha256) > (?1, ?2) \
             ORDER BY created_at, sha256 LIMIT ?3",
        )?;
        let rows = s.query_map(rusqlite::params![at, sha, PAGE], |r| {
            Ok(Pending {
                sha256: r.get(0)?,
                created_at: r.get(1)?,
                upload_id: r.get(2)?,
                parts: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default(),
            })
        })?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(botdesk_store::StoreError::from)
    })?)
}

fn update(store: &Store, sql: &str, params: impl rusqlite::Params) -> Result<(), SyncError> {
    store.with_untracked_tx(|tx| {
        tx.execute(sql, params)?;
        Ok::<_, SyncError>(())
    })
}

fn save_progress(
    store: &Store,
    sha256: &str,
    bytes: u64,
    sent: u64,
    upload_id: Option<&str>,
    parts: &[String],
) -> Result<(), SyncError> {
    let parts = serde_json::to_string(parts).unwrap_or_else(|_| "[]".into());
    let now = store.now().to_string();
    update(
        store,
        "UPDATE sync_files SET bytes = ?2, sent_bytes = ?3, upload_id = ?4, parts = ?5, \
         updated_at = ?6 WHERE sha256 = ?1",
        rusqlite::params![sha256, bytes as i64, sent as i64, upload_id, parts, now],
    )
}

fn mark_uploaded(store: &Store, sha256: &str, bytes: u64) -> Result<(), SyncError> {
    let now = store.now().to_string();
    update(
        store,
        "UPDATE sync_files SET state = 'uploaded', bytes = ?2, sent_bytes = ?2, upload_id = NULL, \
         parts = '[]', last_error = NULL, updated_at = ?3 WHERE sha256 = ?1",
        rusqlite::params![sha256, bytes as i64, now],
    )
}

fn forget(store: &Store, sha256: &str) -> Result<(), SyncError> {
    update(
        store,
        "DELETE FROM sync_files WHERE sha256 = ?1 AND state = 'pending'",
        [sha256],
    )
}

fn record_failure(store: &Store, sha256: &str, reason: &str) -> Result<(), SyncError> {
    let now = store.now().to_string();
    update(
        store,
        "UPDATE sync_files SET attempts = attempts + 1, last_error = ?2, updated_at = ?3 \
         WHERE sha256 = ?1",
        rusqlite::params![sha256, reason, now],
    )
}

/// What the file half of a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FilesReport {
    /// Files sent.
    pub uploaded: usize,
    /// Files the bucket already held.
    pub already_there: usize,
    /// Bytes sent.
    pub bytes_sent: u64,
    /// Files this device does not hold (another device sends them).
    pub not_here: usize,
    /// Files that could not be sent (kept, tried again with the next sync).
    pub failed: usize,
}

/// The file being sent, for the progress shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileProgress {
    pub sha256: String,
    pub sent: u64,
    pub total: u64,
}

/// Where files wait, for the status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FilesSummary {
    pub pending: i64,
    pub pending_bytes: i64,
    pub sent_bytes: i64,
    pub uploaded: i64,
    /// Pending files whose last try failed, with the newest reason.
    pub failing: i64,
    pub last_error: Option<String>,
}

pub fn summary(store: &Store) -> Result<FilesSummary, SyncError> {
    Ok(store.read(|c| {
        let (pending, pending_bytes, sent_bytes, failing) = c.query_row(
            "SELECT count(*), ifnull(sum(bytes), 0), ifnull(sum(sent_bytes), 0), \
             count(last_error) FROM sync_files WHERE state = 'pending'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let uploaded = c.query_row(
            "SELECT count(*) FROM sync_files WHERE state = 'uploaded'",
            [],
            |r| r.get(0),
        )?;
        let last_error = c
            .query_row(
                "SELECT last_error FROM sync_files WHERE state = 'pending' AND last_error IS NOT NULL \
                 ORDER BY updated_at DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok::<_, botdesk_store::StoreError>(FilesSummary {
            pending,
            pending_bytes,
            sent_bytes,
            uploaded,
            failing,
            last_error,
        })
    })?)
}

/// Whether a refusal is about this file only (its size, a part the bucket lost), so the others
/// can still go; anything else (the keys, the bucket) stops the round.
fn about_this_file(e: &SyncError) -> bool {
    match e {
        SyncError::StorageRefused {
            status, s3_code, ..
        } => {
            *status == 413
                || matches!(
                    s3_code.as_str(),
                    "EntityTooLarge"
                        | "EntityTooSmall"
                        | "InvalidPart"
                        | "InvalidPartOrder"
                        | "InvalidArgument"
                        | "InvalidRequest"
                        | "KeyTooLongError"
                )
        }
        SyncError::LocalFile(_) => true,
        _ => false,
    }
}

fn local_error(path: &Path, what: &str, e: std::io::Error) -> SyncError {
    SyncError::LocalFile(format!("{what} {}: {e}", path.display()))
}

/// The file's SHA-256, read from disk (off the async runtime).
async fn hash_file(path: PathBuf) -> Result<String, SyncError> {
    tokio::task::spawn_blocking(move || {
        let mut file = std::fs::File::open(&path).map_err(|e| local_error(&path, "reading", e))?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = file
                .read(&mut buf)
                .map_err(|e| local_error(&path, "reading", e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        Ok(hex::encode(hasher.finalize()))
    })
    .await
    .map_err(|e| SyncError::LocalFile(format!("a file task failed: {e}")))?
}

/// `len` bytes of the file from `offset`.
async fn read_chunk(path: PathBuf, offset: u64, len: u64) -> Result<Vec<u8>, SyncError> {
    tokio::task::spawn_blocking(move || {
        let mut file = std::fs::File::open(&path).map_err(|e| local_error(&path, "reading", e))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| local_error(&path, "reading", e))?;
        let mut buf = Vec::with_capacity(len as usize);
        file.take(len)
            .read_to_end(&mut buf)
            .map_err(|e| local_error(&path, "reading", e))?;
        if buf.len() as u64 != len {
            return Err(SyncError::LocalFile(format!(
                "{} changed while it was being sent",
                path.display()
            )));
        }
        Ok(buf)
    })
    .await
    .map_err(|e| SyncError::LocalFile(format!("a file task failed: {e}")))?
}

/// Sends every pending file this device holds (`local_path` says where a hash is, when it is
/// here). Stops at the first error that is not about one file alone (unreachable, the keys);
/// a file refused for itself is kept with its reason and the round goes on.
pub async fn upload_pending(
    store: &Arc<Store>,
    storage: &Storage,
    local_path: &(dyn Fn(&str) -> Option<PathBuf> + Send + Sync),
    mut progress: impl FnMut(&FileProgress),
) -> Result<FilesReport, SyncError> {
    let mut report = FilesReport::default();
    let mut after: Option<(String, String)> = None;
    loop {
        let cursor = after.clone();
        let page = blocking(store, move |s| pending_page(s, cursor.as_ref())).await?;
        let Some(last) = page.last() else { break };
        after = Some((last.created_at.clone(), last.sha256.clone()));
        for file in page {
            let Some(path) = local_path(&file.sha256) else {
                let sha = file.sha256.clone();
                blocking(store, move |s| forget(s, &sha)).await?;
                report.not_here += 1;
                continue;
            };
            match upload_one(store, storage, &file, path, &mut progress).await {
                Ok(Sent::Sent(bytes)) => {
                    report.uploaded += 1;
                    report.bytes_sent += bytes;
                }
                Ok(Sent::AlreadyThere) => report.already_there += 1,
                Err(e) => {
                    // The network or the keys: the sync's failure, not this file's.
                    if !about_this_file(&e) {
                        return Err(e);
                    }
                    let sha = file.sha256.clone();
                    let reason = format!("{e} ({})", e.code());
                    blocking(store, move |s| record_failure(s, &sha, &reason)).await?;
                    tracing::warn!(sha256 = %file.sha256, error = %e, "a file could not be sent");
                    report.failed += 1;
                }
            }
        }
    }
    Ok(report)
}

enum Sent {
    Sent(u64),
    AlreadyThere,
}

async fn upload_one(
    store: &Arc<Store>,
    storage: &Storage,
    file: &Pending,
    path: PathBuf,
    progress: &mut impl FnMut(&FileProgress),
) -> Result<Sent, SyncError> {
    let key = object_key(&file.sha256);
    let size = tokio::fs::metadata(&path)
        .await
        .map_err(|e| local_error(&path, "reading", e))?
        .len();
    if storage.head(&key).await? == Some(size) {
        let sha = file.sha256.clone();
        blocking(store, move |s| mark_uploaded(s, &sha, size)).await?;
        return Ok(Sent::AlreadyThere);
    }
    // A damaged copy must not reach the bucket under the name of what it should be.
    let actual = hash_file(path.clone()).await?;
    if actual != file.sha256 {
        return Err(SyncError::LocalFile(format!(
            "the copy of {} on this device is damaged (its content hashes to {actual})",
            file.sha256
        )));
    }
    let mut tell = |sent: u64| {
        progress(&FileProgress {
            sha256: file.sha256.clone(),
            sent,
            total: size,
        });
    };
    if size <= SINGLE_REQUEST_MAX {
        tell(0);
        let bytes = read_chunk(path, 0, size).await?;
        storage.put(&key, bytes).await?;
        tell(size);
    } else {
        upload_in_parts(store, storage, file, &key, path, size, &mut tell).await?;
    }
    let sha = file.sha256.clone();
    blocking(store, move |s| mark_uploaded(s, &sha, size)).await?;
    Ok(Sent::Sent(size))
}

/// Parts 1..=n of a `size`-byte file: (offset, length) of each.
fn part_plan(size: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut offset = 0;
    while offset < size {
        let len = PART_SIZE.min(size - offset);
        out.push((offset, len));
        offset += len;
    }
    out
}

async fn upload_in_parts(
    store: &Arc<Store>,
    storage: &Storage,
    file: &Pending,
    key: &str,
    path: PathBuf,
    size: u64,
    tell: &mut impl FnMut(u64),
) -> Result<(), SyncError> {
    let plan = part_plan(size);
    // Go on with the upload under way when the bucket still has it: its list of parts (not
    // ours, which may miss a part taken just before a crash) says how far it got.
    let mut resumed: Option<(String, Vec<String>)> = None;
    if let Some(id) = &file.upload_id {
        match storage.list_parts(key, id).await {
            Ok(Some(held)) => {
                // The parts from 1 on that the bucket holds whole; an ETag it leaves out is the
                // one this device recorded, else the part is sent again.
                let mut etags = Vec::new();
                for (i, part) in held.iter().enumerate() {
                    let expected = plan.get(i).map(|p| p.1);
                    if usize::from(part.number) != i + 1 || Some(part.size) != expected {
                        break;
                    }
                    let etag = if part.etag.is_empty() {
                        match file.parts.get(i) {
                            Some(e) => e.clone(),
                            None => break,
                        }
                    } else {
                        part.etag.clone()
                    };
                    etags.push(etag);
                }
                resumed = Some((id.clone(), etags));
            }
            Ok(None) => {}
            // A bucket that cannot list parts: what this device recorded.
            Err(SyncError::StorageRefused { s3_code, .. }) if s3_code == "NotImplemented" => {
                resumed = Some((id.clone(), file.parts.clone()));
            }
            Err(e) => return Err(e),
        }
    }
    let (upload_id, mut etags) = match resumed {
        Some(r) => r,
        None => (storage.create_multipart(key).await?, Vec::new()),
    };
    let sent_so_far = |n: usize| plan.iter().take(n).map(|p| p.1).sum::<u64>();
    {
        let (sha, id, parts, sent) = (
            file.sha256.clone(),
            upload_id.clone(),
            etags.clone(),
            sent_so_far(etags.len()),
        );
        blocking(store, move |s| {
            save_progress(s, &sha, size, sent, Some(&id), &parts)
        })
        .await?;
    }
    tell(sent_so_far(etags.len()));
    for (i, (offset, len)) in plan.iter().enumerate().skip(etags.len()) {
        let number = u16::try_from(i + 1).map_err(|_| {
            SyncError::LocalFile(format!("{} is too large to send", path.display()))
        })?;
        let bytes = read_chunk(path.clone(), *offset, *len).await?;
        let etag = storage.upload_part(key, &upload_id, number, bytes).await?;
        etags.push(etag);
        let sent = sent_so_far(etags.len());
        let (sha, id, parts) = (file.sha256.clone(), upload_id.clone(), etags.clone());
        blocking(store, move |s| {
            save_progress(s, &sha, size, sent, Some(&id), &parts)
        })
        .await?;
        tell(sent);
    }
    match storage.complete_multipart(key, &upload_id, &etags).await {
        Ok(()) => Ok(()),
        Err(e) => {
            // The bucket lost the upload (expired, or a part): start again next time.
            if about_this_file(&e)
                || matches!(&e, SyncError::StorageRefused { s3_code, .. } if s3_code == "NoSuchUpload")
            {
                let sha = file.sha256.clone();
                blocking(store, move |s| save_progress(s, &sha, size, 0, None, &[])).await?;
            }
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_cut_into_parts_of_the_part_size_and_a_last_smaller_one() {
        assert!(part_plan(0).is_empty());
        assert_eq!(part_plan(10), vec![(0, 10)]);
        let twenty_mb = 20 * 1024 * 1024 + 7;
        let plan = part_plan(twenty_mb);
        assert_eq!(plan.len(), 5);
        assert!(plan[..4].iter().all(|p| p.1 == PART_SIZE));
        assert_eq!(plan[4], (4 * PART_SIZE, 7));
        assert_eq!(plan.iter().map(|p| p.1).sum::<u64>(), twenty_mb);
    }

    #[test]
    fn files_named_by_a_synced_record_wait_once_and_leave_when_sent() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            botdesk_store::Store::open(dir.path(), botdesk_store::StoreOptions::default()).unwrap();
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        store
            .with_untracked_tx(|tx| {
                want_uploaded(tx, &[a.clone(), b.clone()])?;
                want_uploaded(tx, std::slice::from_ref(&a))
            })
            .unwrap();
        assert_eq!(summary(&store).unwrap().pending, 2);
        mark_uploaded(&store, &a, 10).unwrap();
        // Named again by a later change: already sent, not sent again.
        store
            .with_untracked_tx(|tx| want_uploaded(tx, std::slice::from_ref(&a)))
            .unwrap();
        let s = summary(&store).unwrap();
        assert_eq!((s.pending, s.uploaded), (1, 1));
        record_failure(&store, &b, "gone (sync.local_file)").unwrap();
        let s = summary(&store).unwrap();
        assert_eq!(s.failing, 1);
        assert!(s.last_error.unwrap().contains("gone"));
        forget(&store, &b).unwrap();
        assert_eq!(summary(&store).unwrap().pending, 0);
    }
}
