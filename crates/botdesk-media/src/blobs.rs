//! The media files on disk: `DATA_DIR/media/<2 hex>/<sha-256 hex>`, named by their content, so
//! the same bytes uploaded twice are stored once. A file is written to `media/tmp/`, synced and
//! renamed into place: a crash or a refused upload never leaves a half file under a real name,
//! and what is left in `tmp/` is swept on the next start.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::MediaError;

/// The content-addressed file store.
#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

/// A file in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    /// Hex SHA-256 of the content: its name.
    pub sha256: String,
    pub bytes: u64,
    /// False when the same content was already stored.
    pub created: bool,
}

fn io(action: &str, path: &Path, e: std::io::Error) -> MediaError {
    if e.raw_os_error() == Some(28) {
        // ENOSPC
        return MediaError::DiskFull;
    }
    MediaError::Storage {
        detail: format!("cannot {action} {}: {e}", path.display()),
    }
}

impl BlobStore {
    /// The store under `data_dir/media`, created if needed; leftovers of interrupted writes
    /// are removed.
    pub fn open(data_dir: &Path) -> Result<BlobStore, MediaError> {
        let root = data_dir.join("media");
        let tmp = root.join("tmp");
        fs::create_dir_all(&tmp).map_err(|e| io("create", &tmp, e))?;
        let store = BlobStore { root };
        store.sweep()?;
        Ok(store)
    }

    fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// Where the content named `sha256` lives. Only a 64-character lowercase hex name is a name:
    /// nothing from outside can point elsewhere.
    pub fn path(&self, sha256: &str) -> Result<PathBuf, MediaError> {
        let valid = sha256.len() == 64
            && sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !valid {
            return Err(MediaError::BadName {
                name: sha256.chars().take(80).collect(),
            });
        }
        Ok(self.root.join(&sha256[..2]).join(sha256))
    }

    /// Stores `bytes`.
    pub fn put(&self, bytes: &[u8]) -> Result<Blob, MediaError> {
        self.put_stream(bytes, u64::MAX)
    }

    /// Stores what `reader` gives, hashing it on the way, without holding it in memory. More
    /// than `max` bytes is `media.too_large`, and nothing is kept.
    pub fn put_stream(&self, mut reader: impl Read, max: u64) -> Result<Blob, MediaError> {
        let (tmp_path, mut file) = self.temp_file()?;
        let outcome = (|| {
            let mut hasher = Sha256::new();
            let mut total = 0u64;
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    Err(e) => {
                        return Err(MediaError::UploadInterrupted {
                            detail: e.to_string(),
                        });
                    }
                };
                total += n as u64;
                if total > max {
                    return Err(MediaError::TooLarge {
                        kind: "upload",
                        bytes: total,
                        max,
                    });
                }
                hasher.update(&buf[..n]);
                file.write_all(&buf[..n])
                    .map_err(|e| io("write", &tmp_path, e))?;
            }
            file.sync_all().map_err(|e| io("sync", &tmp_path, e))?;
            Ok((hex::encode(hasher.finalize()), total))
        })();
        drop(file);
        let (sha256, bytes) = match outcome {
            Ok(done) => done,
            Err(e) => {
                let _ = fs::remove_file(&tmp_path);
                return Err(e);
            }
        };
        let dest = self.path(&sha256)?;
        if dest.exists() {
            let _ = fs::remove_file(&tmp_path);
            return Ok(Blob {
                sha256,
                bytes,
                created: false,
            });
        }
        let dir = dest.parent().unwrap_or(&self.root).to_path_buf();
        let placed = fs::create_dir_all(&dir)
            .map_err(|e| io("create", &dir, e))
            .and_then(|()| fs::rename(&tmp_path, &dest).map_err(|e| io("move into", &dest, e)));
        if let Err(e) = placed {
            let _ = fs::remove_file(&tmp_path);
            return Err(e);
        }
        // The rename is durable once its directory is.
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(Blob {
            sha256,
            bytes,
            created: true,
        })
    }

    fn temp_file(&self) -> Result<(PathBuf, File), MediaError> {
        let dir = self.tmp_dir();
        for attempt in 0..16u32 {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            let path = dir.join(format!("{}-{nanos:x}-{attempt}.part", std::process::id()));
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => return Ok((path, file)),
                Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io("create", &path, e)),
            }
        }
        Err(MediaError::Storage {
            detail: format!("cannot create a temporary file in {}", dir.display()),
        })
    }

    /// Where a file being fetched from elsewhere (the project's Storage bucket) collects until
    /// it is whole: `media/incoming/<sha-256>.partial`, kept across restarts so that a fetch cut
    /// off goes on from where it stopped.
    pub fn incoming_path(&self, sha256: &str) -> Result<PathBuf, MediaError> {
        self.path(sha256)?;
        let dir = self.root.join("incoming");
        fs::create_dir_all(&dir).map_err(|e| io("create", &dir, e))?;
        Ok(dir.join(format!("{sha256}.partial")))
    }

    /// Takes a fetched file into the store under `sha256` when its content is that, else
    /// removes it and returns `None` (what arrived is not what was asked for).
    pub fn adopt(&self, fetched: &Path, sha256: &str) -> Result<Option<Blob>, MediaError> {
        let dest = self.path(sha256)?;
        let mut file = File::open(fetched).map_err(|e| io("read", fetched, e))?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 256 * 1024];
        let mut bytes = 0u64;
        loop {
            let n = match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(io("read", fetched, e)),
            };
            hasher.update(&buf[..n]);
            bytes += n as u64;
        }
        drop(file);
        if hex::encode(hasher.finalize()) != sha256 {
            let _ = fs::remove_file(fetched);
            return Ok(None);
        }
        let dir = dest.parent().unwrap_or(&self.root).to_path_buf();
        fs::create_dir_all(&dir).map_err(|e| io("create", &dir, e))?;
        fs::rename(fetched, &dest).map_err(|e| io("move into", &dest, e))?;
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(Some(Blob {
            sha256: sha256.to_owned(),
            bytes,
            created: true,
        }))
    }

    /// Deletes a stored file; false when it was not there.
    pub fn remove(&self, sha256: &str) -> Result<bool, MediaError> {
        let path = self.path(sha256)?;
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io("remove", &path, e)),
        }
    }

    /// Removes what interrupted writes left in `tmp/`, and fetches cut off and not asked for
    /// again within a week (a fetch goes on from its partial file only while it is wanted).
    fn sweep(&self) -> Result<(), MediaError> {
        let dir = self.tmp_dir();
        let entries = fs::read_dir(&dir).map_err(|e| io("read", &dir, e))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|x| x == "part") {
                let _ = fs::remove_file(&path);
            }
        }
        let week = std::time::Duration::from_secs(7 * 24 * 3600);
        if let Ok(entries) = fs::read_dir(self.root.join("incoming")) {
            for entry in entries.flatten() {
                let stale = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age > week);
                if stale {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_bytes_are_stored_once_under_their_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let first = store.put(b"a product photo").unwrap();
        assert!(first.created);
        assert_eq!(first.bytes, 15);
        assert_eq!(
            first.sha256,
            hex::encode(Sha256::digest(b"a product photo"))
        );
        let again = store.put(b"a product photo").unwrap();
        assert_eq!(
            (again.sha256.as_str(), again.created),
            (first.sha256.as_str(), false)
        );
        let path = store.path(&first.sha256).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"a product photo");
        assert!(path.starts_with(dir.path().join("media").join(&first.sha256[..2])));
        assert_eq!(
            fs::read_dir(dir.path().join("media/tmp")).unwrap().count(),
            0
        );
        assert!(store.remove(&first.sha256).unwrap());
        assert!(!store.remove(&first.sha256).unwrap());
    }

    #[test]
    fn a_refused_or_cut_off_upload_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let err = store.put_stream(&[7u8; 200_000][..], 100_000).unwrap_err();
        assert_eq!(err.code(), "media.too_large");
        struct CutOff(usize);
        impl Read for CutOff {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0 == 0 {
                    return Err(std::io::Error::new(
                        ErrorKind::ConnectionReset,
                        "the client went away",
                    ));
                }
                let n = buf.len().min(self.0);
                self.0 -= n;
                buf[..n].fill(1);
                Ok(n)
            }
        }
        let err = store.put_stream(CutOff(100_000), u64::MAX).unwrap_err();
        assert_eq!(err.code(), "media.upload_interrupted");
        let stored: usize = fs::read_dir(dir.path().join("media"))
            .unwrap()
            .flatten()
            .map(|e| {
                if e.file_name() == "tmp" {
                    fs::read_dir(e.path()).unwrap().count()
                } else {
                    1
                }
            })
            .sum();
        assert_eq!(stored, 0, "no file kept for a refused upload");
    }

    #[test]
    fn names_from_outside_cannot_point_elsewhere() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        for name in [
            "../../etc/passwd",
            "",
            "ab",
            &"A".repeat(64),
            &format!("{}/..", "a".repeat(61)),
        ] {
            assert_eq!(
                store.path(name).unwrap_err().code(),
                "media.bad_name",
                "{name}"
            );
        }
    }

    #[test]
    fn a_fetched_file_is_taken_only_when_its_content_is_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let sha = hex::encode(Sha256::digest(b"from another device"));
        let partial = store.incoming_path(&sha).unwrap();
        fs::write(&partial, b"from another device, damaged").unwrap();
        assert_eq!(store.adopt(&partial, &sha).unwrap(), None);
        assert!(!partial.exists(), "a damaged fetch is not kept");
        fs::write(&partial, b"from another device").unwrap();
        let blob = store.adopt(&partial, &sha).unwrap().unwrap();
        assert_eq!(blob.bytes, 19);
        assert_eq!(
            fs::read(store.path(&sha).unwrap()).unwrap(),
            b"from another device"
        );
        assert!(store.incoming_path("../x").is_err());
    }

    #[test]
    fn a_cut_off_fetch_is_kept_to_go_on_with_unless_nobody_asked_for_a_week() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let fresh = store.incoming_path(&"a".repeat(64)).unwrap();
        let stale = store.incoming_path(&"b".repeat(64)).unwrap();
        fs::write(&fresh, b"half").unwrap();
        fs::write(&stale, b"half").unwrap();
        let eight_days_ago =
            std::time::SystemTime::now() - std::time::Duration::from_secs(8 * 24 * 3600);
        File::options()
            .write(true)
            .open(&stale)
            .unwrap()
            .set_modified(eight_days_ago)
            .unwrap();
        BlobStore::open(dir.path()).unwrap();
        assert!(fresh.exists());
        assert!(!stale.exists());
    }

    #[test]
    fn leftovers_of_an_interrupted_write_are_swept_on_open() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("media/tmp")).unwrap();
        fs::write(dir.path().join("media/tmp/123-abc-0.part"), b"half").unwrap();
        BlobStore::open(dir.path()).unwrap();
        assert_eq!(
            fs::read_dir(dir.path().join("media/tmp")).unwrap().count(),
            0
        );
    }
}
