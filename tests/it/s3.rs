//! A real S3-compatible server for the Storage tests, started by the test itself: s3s-fs (an
//! implementation of the S3 API over a folder, from crates.io; `make test` installs its binary
//! through scripts/ensure-system-deps.sh), on 127.0.0.1 with a free port, with SigV4 access
//! keys, killed when dropped. Its folder holds `<bucket>/<key>` as plain files, so a test can
//! look at what the bucket holds.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ACCESS_KEY: &str = "botdesk-test-access-key";
pub const SECRET_KEY: &str = "botdesk-test-secret-key-not-a-real-one";
pub const BUCKET: &str = "botdesk-media";

pub struct S3 {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Child,
}

fn binary() -> PathBuf {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .unwrap_or_default();
    let installed = cargo_home.join("bin/s3s-fs");
    if installed.exists() {
        return installed;
    }
    PathBuf::from("s3s-fs")
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    l.local_addr().expect("its address").port()
}

impl S3 {
    /// A server with one empty bucket, [`BUCKET`].
    pub fn start() -> S3 {
        let dir = tempfile::tempdir().expect("a temp dir");
        std::fs::create_dir(dir.path().join(BUCKET)).expect("the bucket's folder");
        // A port found free may be taken before the server binds it: a few tries.
        for _ in 0..5 {
            let port = free_port();
            let mut child = Command::new(binary())
                .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
                .arg(dir.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("s3s-fs starts (make test installs it: cargo install s3s-fs)");
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return S3 { port, dir, child };
                }
                if child.try_wait().ok().flatten().is_some() || Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!("s3s-fs did not start on 127.0.0.1");
    }

    /// The endpoint, as an owner would give it for a self-hosted S3.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// The bytes the bucket holds under `key`.
    pub fn object(&self, key: &str) -> Option<Vec<u8>> {
        std::fs::read(self.dir.path().join(BUCKET).join(key)).ok()
    }

    /// The keys the bucket holds under `media/`.
    pub fn media_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = std::fs::read_dir(self.dir.path().join(BUCKET).join("media"))
            .map(|d| {
                d.flatten()
                    .map(|e| format!("media/{}", e.file_name().to_string_lossy()))
                    .filter(|k| !k.contains(".s3s"))
                    .collect()
            })
            .unwrap_or_default();
        keys.sort();
        keys
    }
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
