//! A real HTTP receiver on 127.0.0.1 for the webhook tests: it records what arrives and answers
//! as told (2xx, an error status, slowly, with a huge or trickling body, a redirect, 410). Plain
//! threads and HTTP/1.1 by hand, so that every misbehaviour is exactly what the test asks for.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the receiver answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Status(u16),
    /// Waits this long before answering 200.
    Sleep(Duration),
    /// 200 with a body of this many bytes.
    Huge(usize),
    /// 200 whose body comes a byte every 200 ms, for ever (until the client hangs up).
    Trickle,
    /// 302 to another URL.
    Redirect,
    /// 429 with `Retry-After: <seconds>`.
    TooMany(u64),
}

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

struct Shared {
    answer: Mutex<Answer>,
    received: Mutex<Vec<Received>>,
    stop: AtomicBool,
}

pub struct Receiver {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Receiver {
    pub fn start(answer: Answer) -> Receiver {
        Receiver::start_on("127.0.0.1:0".parse().unwrap(), answer)
    }

    /// Starts on `addr` (a port a stopped receiver had: "the receiver comes back").
    pub fn start_on(addr: SocketAddr, answer: Answer) -> Receiver {
        let listener = {
            let mut tries = 0;
            loop {
                match TcpListener::bind(addr) {
                    Ok(l) => break l,
                    Err(e) if tries < 50 => {
                        tries += 1;
                        let _ = e;
                        std::thread::sleep(Duration::from_millis(100));
                    }
                    Err(e) => panic!("cannot bind {addr}: {e}"),
                }
            }
        };
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            answer: Mutex::new(answer),
            received: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
        });
        let for_thread = Arc::clone(&shared);
        let thread = std::thread::spawn(move || {
            while !for_thread.stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let shared = Arc::clone(&for_thread);
                        std::thread::spawn(move || serve(stream, &shared));
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Receiver {
            addr,
            shared,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// Answers `answer` from now on.
    pub fn set_answer(&self, answer: Answer) {
        *self.shared.answer.lock().unwrap() = answer;
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Stops listening (connections are refused from now on); returns the address to come back
    /// on.
    pub fn stop(mut self) -> SocketAddr {
        self.shutdown();
        self.addr
    }

    fn shutdown(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn serve(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
            }
        }
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        if shared.stop.load(Ordering::SeqCst) {
            let _ = writer.shutdown(Shutdown::Both);
            return;
        }
        let answer = shared.answer.lock().unwrap().clone();
        shared
            .received
            .lock()
            .unwrap()
            .push(Received { headers, body });
        let ok = |w: &mut TcpStream, status: &str, extra: &str, body: &[u8]| {
            // A 204 has no body: one sent anyway would be read as the start of the next answer
            // on this connection, and the client would send that request again elsewhere.
            let body = if status.starts_with("204") {
                &[][..]
            } else {
                body
            };
            let head = format!(
                "HTTP/1.1 {status}\r\ncontent-length: {}\r\n{extra}\r\n",
                body.len()
            );
            w.write_all(head.as_bytes())
                .and_then(|()| w.write_all(body))
        };
        let written = match answer {
            Answer::Status(code) => ok(&mut writer, &format!("{code} X"), "", b"{\"ok\":true}"),
            Answer::Sleep(d) => {
                std::thread::sleep(d);
                ok(&mut writer, "200 OK", "", b"late")
            }
            Answer::Huge(n) => ok(&mut writer, "200 OK", "", &vec![b'x'; n]),
            Answer::Redirect => ok(
                &mut writer,
                "302 Found",
                "location: http://127.0.0.1:9/elsewhere\r\n",
                b"",
            ),
            Answer::TooMany(s) => ok(
                &mut writer,
                "429 Too Many Requests",
                &format!("retry-after: {s}\r\n"),
                b"slow down",
            ),
            Answer::Trickle => {
                let _ = writer.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n");
                for _ in 0..500 {
                    if writer.write_all(b"x").is_err() || shared.stop.load(Ordering::SeqCst) {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
                return;
            }
        };
        if written.is_err() {
            return;
        }
    }
}
