//! One delivery attempt over HTTP: the signed POST, the answer read up to a cap, and what the
//! answer means (delivered, try again and when, endpoint gone). Redirects are not followed (a
//! 3xx is a failure: the owner fixes the URL), proxies from the environment are not used, and
//! every address passes the SSRF guard.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value};

use crate::schedule::{self, Failure};
use crate::signing::{self, Secret};
use crate::ssrf::{self, AddressPolicy, Blocked};

/// The most of a response body botdesk reads; the rest is dropped with the connection.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// The most of it kept in the log.
pub const EXCERPT_BYTES: usize = 2 * 1024;

/// What a request is made of.
#[derive(Debug)]
pub struct Request<'a> {
    pub url: &'a str,
    /// `webhook-id`: the same on every attempt of a delivery (receivers deduplicate by it).
    pub message_id: &'a str,
    /// Seconds since the epoch, for `webhook-timestamp`.
    pub timestamp: i64,
    pub body: &'a str,
    /// The current secret first; during a rotation, the previous one too.
    pub secrets: Vec<&'a Secret>,
    /// `{"name": "value"}`, already checked when the endpoint was saved.
    pub custom_headers: &'a Value,
    pub timeout: Duration,
}

/// What the attempt came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// 2xx.
    Delivered,
    /// 410 Gone: the receiver says the endpoint no longer exists.
    Gone,
    /// Anything else: try again.
    Retry {
        failure: Failure,
        retry_after: Option<Duration>,
    },
}

/// One attempt, as the log keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub verdict: Verdict,
    /// The request headers sent, sensitive custom header values redacted.
    pub request_headers: Value,
    pub status: Option<u16>,
    pub latency_ms: u64,
    pub response_excerpt: Option<String>,
    pub error: Option<String>,
}

/// The HTTP client deliveries share (connection pool, TLS), built once.
#[derive(Debug, Clone)]
pub struct Sender {
    client: reqwest::Client,
    policy: AddressPolicy,
}

/// Header names an endpoint may not set: the ones the protocol itself owns.
pub const RESERVED_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "content-type",
    "transfer-encoding",
    "connection",
    "user-agent",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
];

/// Whether a header's value is kept out of the log.
pub fn is_sensitive_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "authorization",
        "cookie",
        "token",
        "secret",
        "key",
        "password",
        "auth",
    ]
    .iter()
    .any(|word| name.contains(word))
}

impl Sender {
    pub fn new(policy: AddressPolicy) -> Result<Sender, crate::WebhookError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(ssrf::resolver(policy))
            .user_agent(concat!("botdesk-webhooks/", env!("CARGO_PKG_VERSION")))
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(32)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| crate::WebhookError::Internal {
                detail: format!("the HTTP client could not be built: {e}"),
            })?;
        Ok(Sender { client, policy })
    }

    pub fn policy(&self) -> AddressPolicy {
        self.policy
    }

    /// Sends one attempt; never fails: every outcome is an [`Attempt`].
    pub async fn send(&self, request: &Request<'_>) -> Attempt {
        let signature = signing::signature_header(
            &request.secrets,
            request.message_id,
            request.timestamp,
            request.body.as_bytes(),
        );
        let mut headers = HeaderMap::new();
        let mut logged = Map::new();
        let mut put = |name: &str, value: &str, logged_value: &str| {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                headers.insert(n, v);
                logged.insert(name.to_owned(), logged_value.into());
            }
        };
        if let Some(custom) = request.custom_headers.as_object() {
            for (name, value) in custom {
                let value = value.as_str().unwrap_or_default();
                let shown = if is_sensitive_header(name) {
                    "[redacted]"
                } else {
                    value
                };
                put(name, value, shown);
            }
        }
        put("content-type", "application/json", "application/json");
        put("webhook-id", request.message_id, request.message_id);
        let timestamp = request.timestamp.to_string();
        put("webhook-timestamp", &timestamp, &timestamp);
        put("webhook-signature", &signature, &signature);
        let request_headers = Value::Object(logged);

        // A literal address never meets the resolver: check it here.
        if let Some(blocked) = literal_refusal(request.url, self.policy) {
            return Attempt {
                verdict: Verdict::Retry {
                    failure: Failure::Plain,
                    retry_after: None,
                },
                request_headers,
                status: None,
                latency_ms: 0,
                response_excerpt: None,
                error: Some(blocked.to_string()),
            };
        }

        let started = Instant::now();
        let sent = self
            .client
            .post(request.url)
            .headers(headers)
            .timeout(request.timeout)
            .body(request.body.to_owned())
            .send()
            .await;
        let mut response = match sent {
            Ok(response) => response,
            Err(e) => {
                return Attempt {
                    verdict: Verdict::Retry {
                        failure: if e.is_timeout() {
                            Failure::Overloaded
                        } else {
                            Failure::Plain
                        },
                        retry_after: None,
                    },
                    request_headers,
                    status: None,
                    latency_ms: started.elapsed().as_millis() as u64,
                    response_excerpt: None,
                    error: Some(describe(&e, request.timeout)),
                };
            }
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64);
                schedule::parse_retry_after(v, now)
            });
        // The body, up to the cap and within what is left of the timeout.
        let mut body: Vec<u8> = Vec::new();
        let mut body_error = None;
        let deadline = request.timeout.saturating_sub(started.elapsed());
        let read = tokio::time::timeout(deadline, async {
            while body.len() < MAX_RESPONSE_BYTES {
                match response.chunk().await {
                    Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                    Ok(None) => break,
                    Err(e) => {
                        body_error = Some(format!("reading the answer failed: {e}"));
                        break;
                    }
                }
            }
        })
        .await;
        if read.is_err() {
            body_error = Some(format!(
                "the answer's body did not arrive within the {} ms timeout",
                request.timeout.as_millis()
            ));
        }
        let latency_ms = started.elapsed().as_millis() as u64;
        let excerpt = (!body.is_empty()).then(|| {
            let cut = &body[..body.len().min(EXCERPT_BYTES)];
            String::from_utf8_lossy(cut).into_owned()
        });
        let (verdict, error) = match status.as_u16() {
            200..=299 => (Verdict::Delivered, None),
            410 => (
                Verdict::Gone,
                Some("410 Gone: the receiver says this endpoint no longer exists".to_owned()),
            ),
            code @ 300..=399 => (
                Verdict::Retry {
                    failure: Failure::Plain,
                    retry_after: None,
                },
                Some(format!(
                    "{code}: redirects are not followed; point the endpoint at {}",
                    response
                        .headers()
                        .get(reqwest::header::LOCATION)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("the final URL")
                )),
            ),
            429 => (
                Verdict::Retry {
                    failure: Failure::Overloaded,
                    retry_after,
                },
                Some("429 Too Many Requests".to_owned()),
            ),
            code => (
                Verdict::Retry {
                    failure: Failure::Plain,
                    retry_after,
                },
                Some(format!(
                    "{code} {}",
                    status.canonical_reason().unwrap_or("(no reason)")
                )),
            ),
        };
        // A 2xx stays a success even if its body was cut: the receiver said yes.
        let error = match (error, body_error) {
            (Some(e), Some(b)) => Some(format!("{e}; {b}")),
            (e, None) => e,
            (None, Some(_)) => None,
        };
        Attempt {
            verdict,
            request_headers,
            status: Some(status.as_u16()),
            latency_ms,
            response_excerpt: excerpt,
            error,
        }
    }
}

/// A URL whose host is a refused literal address (or `localhost`).
pub fn literal_refusal(url: &str, policy: AddressPolicy) -> Option<Blocked> {
    let parsed = url::Url::parse(url).ok()?;
    let blocked = |host: &str, reason: &str| Blocked {
        host: host.to_owned(),
        reason: reason.to_owned(),
    };
    match parsed.host()? {
        url::Host::Ipv4(ip) => {
            ssrf::refusal(ip.into(), policy).map(|why| blocked(&ip.to_string(), why))
        }
        url::Host::Ipv6(ip) => {
            ssrf::refusal(ip.into(), policy).map(|why| blocked(&ip.to_string(), why))
        }
        url::Host::Domain(name) => (ssrf::is_localhost_name(name) && !policy.allow_loopback)
            .then(|| blocked(name, "localhost is this machine")),
    }
}

/// A client error in words, naming a refused address when that is the cause.
fn describe(e: &reqwest::Error, timeout: Duration) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(blocked) = err.downcast_ref::<Blocked>() {
            return blocked.to_string();
        }
        source = err.source();
    }
    if e.is_timeout() {
        return format!("no answer within the {} ms timeout", timeout.as_millis());
    }
    if e.is_connect() {
        let mut detail = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(err) = source {
            detail = err.to_string();
            source = err.source();
        }
        return format!("could not connect: {detail}");
    }
    e.to_string()
}
