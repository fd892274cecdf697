//! What the system tests share: running the `botdesk` binary, and a server process that is
//! always stopped, within a time limit, when the test ends.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

/// `botdesk --data-dir DIR …`, run to completion (at most 60 s).
pub fn botdesk(data_dir: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_botdesk"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("BOTDESK_LISTEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("botdesk starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("botdesk {args:?} did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A running `botdesk serve`, killed on drop if the test did not stop it.
pub struct Server {
    child: Option<Child>,
    pub url: String,
    stderr: mpsc::Receiver<String>,
}

impl Server {
    /// Starts `botdesk --data-dir DIR serve --listen 127.0.0.1:0` and waits (at most 30 s) for
    /// the URL it prints.
    pub fn start(data_dir: &Path) -> Server {
        Server::start_on(data_dir, "127.0.0.1:0")
    }

    /// Starts `botdesk serve --listen ADDR`.
    pub fn start_on(data_dir: &Path, listen: &str) -> Server {
        Server::start_with(data_dir, listen, &[])
    }

    /// Starts `botdesk serve --listen ADDR` with extra environment variables.
    pub fn start_with(data_dir: &Path, listen: &str, env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_botdesk"))
            .arg("--data-dir")
            .arg(data_dir)
            .args(["serve", "--listen", listen])
            .env_remove("BOTDESK_LISTEN")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("botdesk serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let (url_tx, url_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("botdesk listening on ") {
                    let _ = url_tx.send(url.trim().to_owned());
                }
            }
        });
        let (err_tx, err_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = err_tx.send(line);
            }
        });
        let url = match url_rx.recv_timeout(Duration::from_secs(30)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                let log: Vec<String> = err_rx.try_iter().collect();
                panic!(
                    "botdesk serve printed no URL within 30 s; stderr:\n{}",
                    log.join("\n")
                );
            }
        };
        // A server on 0.0.0.0 is reached through loopback.
        let url = url.replace("://0.0.0.0:", "://127.0.0.1:");
        Server {
            child: Some(child),
            url,
            stderr: err_rx,
        }
    }

    /// What the server wrote to stderr so far.
    pub fn log(&self) -> String {
        self.stderr.try_iter().collect::<Vec<_>>().join("\n")
    }

    /// The `host:port` the server listens on.
    pub fn authority(&self) -> String {
        self.url.trim_start_matches("http://").to_owned()
    }

    pub fn get(&self, path: &str) -> reqwest::blocking::Response {
        http()
            .get(format!("{}{path}", self.url))
            .send()
            .expect("request")
    }

    /// Kills the server at once (SIGKILL: no shutdown, as a crash or a pulled plug).
    pub fn kill(mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("SIGKILL");
            child.wait().expect("wait");
        }
    }

    /// Sends `signal` (TERM, INT) and waits at most 20 s for the process to exit.
    pub fn stop_with(mut self, signal: &str) -> (ExitStatus, String) {
        let mut child = self.child.take().expect("running");
        let sent = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -{signal} worked");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                std::thread::sleep(Duration::from_millis(50));
                let log: Vec<String> = self.stderr.try_iter().collect();
                return (status, log.join("\n"));
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("botdesk did not exit within 20 s of SIG{signal}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

pub fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

/// POSTs `body` as JSON to the server's `path`.
pub fn post(server: &Server, path: &str, body: &serde_json::Value) -> reqwest::blocking::Response {
    http()
        .post(format!("{}{path}", server.url))
        .json(body)
        .send()
        .expect("request")
}

/// PUTs `body` as JSON to the server's `path`.
pub fn put(server: &Server, path: &str, body: &serde_json::Value) -> reqwest::blocking::Response {
    http()
        .put(format!("{}{path}", server.url))
        .json(body)
        .send()
        .expect("request")
}

/// `GET /api/sync`: where sync stands.
pub fn sync_status(server: &Server) -> serde_json::Value {
    let (code, body) = json_of(server.get("/api/sync"));
    assert_eq!(code, reqwest::StatusCode::OK, "{body}");
    body
}

/// Waits (at most `secs`) until the sync status satisfies `done`; the last status.
pub fn wait_for_sync(
    server: &Server,
    secs: u64,
    what: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let s = sync_status(server);
        if done(&s) {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: not within {secs} s; last {s}\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// An answer's status and JSON body.
pub fn json_of(response: reqwest::blocking::Response) -> (reqwest::StatusCode, serde_json::Value) {
    let status = response.status();
    (status, response.json().expect("a JSON body"))
}

/// An error answer's status and code (and it has a message for a person).
pub fn error_code(response: reqwest::blocking::Response) -> (reqwest::StatusCode, String) {
    let status = response.status();
    let body: serde_json::Value = response.json().expect("a JSON error body");
    let code = body["error"]["code"]
        .as_str()
        .expect("error.code")
        .to_owned();
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    (status, code)
}

/// A TCP proxy to `target` on 127.0.0.1 that, while `armed`, cuts a connection once one
/// direction of it has carried more than its budget of bytes: what the server sends
/// (`start`: the answer to a push, half-way) or what the client sends (`start_upstream`: an
/// upload, half-way). It counts the bytes each way, to tell what was sent again.
pub struct CuttingProxy {
    pub port: u16,
    pub armed: Arc<AtomicBool>,
    pub cuts: Arc<AtomicUsize>,
    /// Bytes the clients sent, and the server, over every connection.
    pub up_bytes: Arc<AtomicU64>,
    pub down_bytes: Arc<AtomicU64>,
}

/// One direction of a proxied connection: copies until either side closes or, while armed,
/// the budget runs out (then both sides are shut).
fn pipe(
    mut from: TcpStream,
    mut to: TcpStream,
    budget: Arc<AtomicUsize>,
    armed: Arc<AtomicBool>,
    cuts: Arc<AtomicUsize>,
    counted: Arc<AtomicU64>,
) {
    let mut sent = 0usize;
    let mut buf = [0u8; 16384];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 {
            break;
        }
        let limit = budget.load(Ordering::SeqCst);
        if armed.load(Ordering::SeqCst) && sent + n > limit {
            let part = limit.saturating_sub(sent);
            let _ = to.write_all(&buf[..part]);
            counted.fetch_add(part as u64, Ordering::SeqCst);
            cuts.fetch_add(1, Ordering::SeqCst);
            let _ = to.shutdown(Shutdown::Both);
            let _ = from.shutdown(Shutdown::Both);
            return;
        }
        sent += n;
        counted.fetch_add(n as u64, Ordering::SeqCst);
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Both);
}

impl CuttingProxy {
    /// Cuts once the server has sent `cut_after` bytes on a connection.
    pub fn start(target: u16, cut_after: Arc<AtomicUsize>) -> CuttingProxy {
        CuttingProxy::start_with(target, Arc::new(AtomicUsize::new(usize::MAX)), cut_after)
    }

    /// Cuts once the client has sent `cut_after` bytes on a connection.
    pub fn start_upstream(target: u16, cut_after: Arc<AtomicUsize>) -> CuttingProxy {
        CuttingProxy::start_with(target, cut_after, Arc::new(AtomicUsize::new(usize::MAX)))
    }

    fn start_with(target: u16, up: Arc<AtomicUsize>, down: Arc<AtomicUsize>) -> CuttingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = listener.local_addr().expect("its address").port();
        let proxy = CuttingProxy {
            port,
            armed: Arc::new(AtomicBool::new(true)),
            cuts: Arc::new(AtomicUsize::new(0)),
            up_bytes: Arc::new(AtomicU64::new(0)),
            down_bytes: Arc::new(AtomicU64::new(0)),
        };
        let (armed, cuts) = (Arc::clone(&proxy.armed), Arc::clone(&proxy.cuts));
        let (up_bytes, down_bytes) = (Arc::clone(&proxy.up_bytes), Arc::clone(&proxy.down_bytes));
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
                    continue;
                };
                let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) else {
                    continue;
                };
                let up = (
                    Arc::clone(&up),
                    Arc::clone(&armed),
                    Arc::clone(&cuts),
                    Arc::clone(&up_bytes),
                );
                std::thread::spawn(move || pipe(c2, s2, up.0, up.1, up.2, up.3));
                let down = (
                    Arc::clone(&down),
                    Arc::clone(&armed),
                    Arc::clone(&cuts),
                    Arc::clone(&down_bytes),
                );
                std::thread::spawn(move || pipe(server, client, down.0, down.1, down.2, down.3));
            }
        });
        proxy
    }
}
