//! What the system tests share: running the `botdesk` binary, and a server process that is
//! always stopped, within a time limit, when the test ends.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
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
