//! Secrets at rest (webhook signing secrets, the events-ingestion secret; Supabase credentials
//! next): sealed with ChaCha20-Poly1305 under a key kept beside the store, in
//! `DATA_DIR/secrets.key` (32 random bytes, mode 0600, created on first use). The store file,
//! its backups and what sync sends therefore never hold a secret in plain text; whoever can
//! read the data dir's key can, which is the same trust as the OS account itself.
//!
//! A sealed value is `version (1 byte) ‖ nonce (12) ‖ ciphertext+tag`; the associated data
//! names what the secret is for (`webhooks/<id>`), so a ciphertext copied onto another row does
//! not open.

use std::io::Write;
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};

use crate::error::CoreError;

pub const KEY_FILE: &str = "secrets.key";
const VERSION: u8 = 1;

/// Seals and opens secrets with the data dir's key.
pub struct SecretBox {
    cipher: ChaCha20Poly1305,
    path: PathBuf,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretBox")
            .field("key_file", &self.path)
            .finish_non_exhaustive()
    }
}

fn storage(path: &Path, what: &str, e: impl std::fmt::Display) -> CoreError {
    CoreError::Internal(format!("{what} {}: {e}", path.display()))
}

impl SecretBox {
    /// Opens the key in `data_dir`, creating it the first time (two processes racing to create
    /// it agree: the loser reads the winner's key).
    pub fn open(data_dir: &Path) -> Result<SecretBox, CoreError> {
        let path = data_dir.join(KEY_FILE);
        let key = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_key(&path)?,
            Err(e) => return Err(storage(&path, "cannot read the secrets key", e)),
        };
        if key.len() != 32 {
            return Err(CoreError::Internal(format!(
                "{} is damaged ({} bytes, not 32): secrets sealed with it cannot be opened",
                path.display(),
                key.len()
            )));
        }
        Ok(SecretBox {
            cipher: ChaCha20Poly1305::new(Key::from_slice(&key)),
            path,
        })
    }

    pub fn seal(&self, purpose: &str, secret: &[u8]) -> Result<Vec<u8>, CoreError> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce)
            .map_err(|e| CoreError::Internal(format!("the random generator failed: {e}")))?;
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret,
                    aad: purpose.as_bytes(),
                },
            )
            .map_err(|_| CoreError::Internal("sealing a secret failed".into()))?;
        let mut out = Vec::with_capacity(1 + 12 + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    pub fn open_sealed(&self, purpose: &str, sealed: &[u8]) -> Result<Vec<u8>, CoreError> {
        let unreadable = || {
            CoreError::Internal(format!(
                "a stored secret ({purpose}) cannot be opened with {}: it was sealed with \
                 another key or is damaged; set a new one",
                self.path.display()
            ))
        };
        let (&version, rest) = sealed.split_first().ok_or_else(unreadable)?;
        if version != VERSION || rest.len() < 12 + 16 {
            return Err(unreadable());
        }
        let (nonce, ciphertext) = rest.split_at(12);
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: purpose.as_bytes(),
                },
            )
            .map_err(|_| unreadable())
    }
}

fn create_key(path: &Path) -> Result<Vec<u8>, CoreError> {
    let mut key = vec![0u8; 32];
    getrandom::fill(&mut key)
        .map_err(|e| CoreError::Internal(format!("the random generator failed: {e}")))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(&key)
                .and_then(|()| file.sync_all())
                .map_err(|e| storage(path, "cannot write the secrets key", e))?;
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::read(path).map_err(|e| storage(path, "cannot read the secrets key", e))
        }
        Err(e) => Err(storage(path, "cannot create the secrets key", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_purpose() {
        let dir = tempfile::tempdir().unwrap();
        let vault = SecretBox::open(dir.path()).unwrap();
        let sealed = vault.seal("webhooks/a", b"whsec_abc").unwrap();
        assert!(!sealed.windows(9).any(|w| w == b"whsec_abc"));
        assert_eq!(
            vault.open_sealed("webhooks/a", &sealed).unwrap(),
            b"whsec_abc"
        );
        assert!(vault.open_sealed("webhooks/b", &sealed).is_err());
        // The same key on reopening; another data dir's key does not open it.
        let again = SecretBox::open(dir.path()).unwrap();
        assert_eq!(
            again.open_sealed("webhooks/a", &sealed).unwrap(),
            b"whsec_abc"
        );
        let other = tempfile::tempdir().unwrap();
        let stranger = SecretBox::open(other.path()).unwrap();
        assert!(stranger.open_sealed("webhooks/a", &sealed).is_err());
        let mut damaged = sealed.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        assert!(vault.open_sealed("webhooks/a", &damaged).is_err());
        assert!(vault.open_sealed("webhooks/a", &[]).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
