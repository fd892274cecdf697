//! What an endpoint may be: its URL, its custom headers and its timeout, checked when the owner
//! saves it (the addresses a name resolves to are checked again at each delivery: see `ssrf`).

use serde_json::{Map, Value};

use crate::WebhookError;
use crate::send::{self, RESERVED_HEADERS};
use crate::ssrf::AddressPolicy;

/// The most custom headers an endpoint may add.
pub const MAX_CUSTOM_HEADERS: usize = 20;
pub const DEFAULT_TIMEOUT_MS: i64 = 10_000;

/// A URL deliveries may go to: http(s), a host, no credentials, at most 2048 characters, not a
/// refused literal address. Returned normalised (as `url` serialises it), fragment dropped.
pub fn check_url(raw: &str, policy: AddressPolicy) -> Result<String, WebhookError> {
    let invalid = |reason: &str| WebhookError::InvalidUrl {
        reason: reason.to_owned(),
    };
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(invalid("the URL is empty"));
    }
    if raw.len() > 2048 {
        return Err(invalid("the URL is longer than 2048 characters"));
    }
    let mut url = url::Url::parse(raw).map_err(|e| invalid(&format!("{e}")))?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(invalid("the URL must start with https:// (or http://)"));
    }
    if url.host().is_none() {
        return Err(invalid("the URL has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "credentials in the URL would be written to the delivery log; put them in a custom \
             header (Authorization), whose value is redacted",
        ));
    }
    url.set_fragment(None);
    if let Some(blocked) = send::literal_refusal(url.as_str(), policy) {
        return Err(WebhookError::BlockedAddress {
            host: blocked.host,
            reason: blocked.reason,
        });
    }
    Ok(url.to_string())
}

/// Custom headers: at most 20, valid names and values, none the protocol owns.
pub fn check_headers(headers: &Map<String, Value>) -> Result<Value, WebhookError> {
    if headers.len() > MAX_CUSTOM_HEADERS {
        return Err(WebhookError::InvalidHeader {
            name: format!("({} headers)", headers.len()),
            reason: format!("at most {MAX_CUSTOM_HEADERS} custom headers"),
        });
    }
    let mut out = Map::new();
    for (name, value) in headers {
        let bad = |reason: &str| WebhookError::InvalidHeader {
            name: name.chars().take(100).collect(),
            reason: reason.to_owned(),
        };
        let lower = name.trim().to_ascii_lowercase();
        if reqwest::header::HeaderName::from_bytes(lower.as_bytes()).is_err() {
            return Err(bad("not a valid header name"));
        }
        if RESERVED_HEADERS.contains(&lower.as_str()) {
            return Err(bad("botdesk sets this header itself"));
        }
        let Some(text) = value.as_str() else {
            return Err(bad("its value must be a string"));
        };
        if text.len() > 4096 || reqwest::header::HeaderValue::from_str(text).is_err() {
            return Err(bad(
                "its value must be visible ASCII text of at most 4096 characters",
            ));
        }
        if out.insert(lower, Value::from(text)).is_some() {
            return Err(bad("it is given twice (names ignore case)"));
        }
    }
    Ok(Value::Object(out))
}

pub fn check_timeout(timeout_ms: i64) -> Result<i64, WebhookError> {
    if (100..=60_000).contains(&timeout_ms) {
        Ok(timeout_ms)
    } else {
        Err(WebhookError::InvalidTimeout { given: timeout_ms })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn urls_are_checked_and_normalised() {
        let strict = AddressPolicy::default();
        assert_eq!(
            check_url(" https://Shop.example.com/hooks#x ", strict).unwrap(),
            "https://shop.example.com/hooks"
        );
        let code = |u: &str| check_url(u, strict).unwrap_err().code();
        assert_eq!(code(""), "webhook.invalid_url");
        assert_eq!(code("ftp://example.com/"), "webhook.invalid_url");
        assert_eq!(code("https://user:pw@example.com/"), "webhook.invalid_url");
        assert_eq!(code("not a url"), "webhook.invalid_url");
        assert_eq!(
            code(&format!("https://e.com/{}", "a".repeat(2100))),
            "webhook.invalid_url"
        );
        for blocked in [
            "http://127.0.0.1:8080/",
            "http://10.1.2.3/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/",
            "http://localhost:3000/",
            "http://[::ffff:10.0.0.1]/",
        ] {
            assert_eq!(code(blocked), "webhook.blocked_address", "{blocked}");
        }
        let dev = AddressPolicy {
            allow_loopback: true,
        };
        assert!(check_url("http://127.0.0.1:8080/in", dev).is_ok());
        assert!(check_url("http://localhost:8080/in", dev).is_ok());
        assert!(check_url("http://10.1.2.3/", dev).is_err());
    }

    #[test]
    fn custom_headers_are_checked() {
        let ok = check_headers(
            json!({"Authorization": "Bearer x", "X-Shop": "1"})
                .as_object()
                .unwrap(),
        );
        assert_eq!(
            ok.unwrap(),
            json!({"authorization": "Bearer x", "x-shop": "1"})
        );
        for bad in [
            json!({"webhook-signature": "v1,forged"}),
            json!({"Content-Type": "text/plain"}),
            json!({"bad name": "x"}),
            json!({"x-a": 5}),
            json!({"x-a": "line\nbreak"}),
            json!({"X-A": "1", "x-a": "2"}),
        ] {
            let err = check_headers(bad.as_object().unwrap()).unwrap_err();
            assert_eq!(err.code(), "webhook.invalid_header", "{bad}");
        }
        let many: Map<String, Value> = (0..21).map(|i| (format!("x-{i}"), json!("v"))).collect();
        assert!(check_headers(&many).is_err());
    }

    #[test]
    fn timeouts_are_bounded() {
        assert_eq!(check_timeout(100), Ok(100));
        assert_eq!(check_timeout(60_000), Ok(60_000));
        assert!(check_timeout(99).is_err());
        assert!(check_timeout(60_001).is_err());
    }
}
