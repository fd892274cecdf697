//! Standard Webhooks signatures (<https://www.standardwebhooks.com/>): the secret format
//! (`whsec_` + base64), `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
//! several space-separated signatures during a key rotation, and verification with a
//! constant-time compare and a timestamp tolerance against replays. The original design put a
//! `signature` field inside the very body it signed, which no receiver can check; these headers
//! replace it.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::WebhookError;

/// The prefix of a secret as Standard Webhooks libraries print and read it.
pub const SECRET_PREFIX: &str = "whsec_";
/// How far a timestamp may be from now (either way): five minutes, as the specification says.
pub const DEFAULT_TOLERANCE_S: i64 = 5 * 60;
/// The bytes of a secret botdesk generates (the specification allows 24–64).
const GENERATED_BYTES: usize = 32;

/// A signing secret. Its bytes are never printed (`Debug` is redacted).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret([redacted; {} bytes])", self.0.len())
    }
}

impl Secret {
    /// A new random secret.
    pub fn generate() -> Result<Secret, WebhookError> {
        let mut bytes = vec![0u8; GENERATED_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| WebhookError::Internal {
            detail: format!("the system's random generator failed: {e}"),
        })?;
        Ok(Secret(bytes))
    }

    /// Reads `whsec_<base64>` (the prefix may be left off, as libraries allow) of 24–64 bytes.
    pub fn parse(text: &str) -> Result<Secret, WebhookError> {
        let text = text.trim();
        let encoded = text.strip_prefix(SECRET_PREFIX).unwrap_or(text);
        let bytes = B64
            .decode(encoded)
            .map_err(|_| WebhookError::InvalidSecret {
                reason: "a secret is `whsec_` followed by base64".into(),
            })?;
        if !(24..=64).contains(&bytes.len()) {
            return Err(WebhookError::InvalidSecret {
                reason: format!(
                    "a secret holds 24 to 64 bytes; this one holds {}",
                    bytes.len()
                ),
            });
        }
        Ok(Secret(bytes))
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Result<Secret, WebhookError> {
        Secret::parse(&B64.encode(bytes))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The secret as the owner copies it into a receiver: `whsec_<base64>`.
    pub fn reveal(&self) -> String {
        format!("{SECRET_PREFIX}{}", B64.encode(&self.0))
    }

    fn mac(&self, id: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
        // Any key length is valid for HMAC: this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// One signature: `v1,<base64>`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let tag = self.mac(id, timestamp, body).finalize().into_bytes();
        format!("v1,{}", B64.encode(tag))
    }
}

/// The `webhook-signature` value for `secrets` (the current one first; during a rotation the
/// previous one too), space-separated as the specification says.
pub fn signature_header(secrets: &[&Secret], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .map(|s| s.sign(id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Why a signed message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the {0} header is missing")]
    Missing(&'static str),
    #[error("the webhook-timestamp header is not a number of seconds")]
    BadTimestamp,
    #[error("the message is too old: signed {age_s} s ago, at most {tolerance_s} s are accepted")]
    TooOld { age_s: i64, tolerance_s: i64 },
    #[error(
        "the message is signed {ahead_s} s in the future, at most {tolerance_s} s are accepted"
    )]
    TooNew { ahead_s: i64, tolerance_s: i64 },
    #[error("no v1 signature in the webhook-signature header matches")]
    NoMatch,
}

impl VerifyError {
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::Missing(_) => "webhook.signature_missing",
            VerifyError::BadTimestamp => "webhook.timestamp_invalid",
            VerifyError::TooOld { .. } | VerifyError::TooNew { .. } => "webhook.timestamp_stale",
            VerifyError::NoMatch => "webhook.signature_invalid",
        }
    }
}

/// What a signed message carried, as header values.
#[derive(Debug, Clone, Copy)]
pub struct Signed<'a> {
    pub id: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
    pub body: &'a [u8],
}

/// Checks a message against any of `secrets`: fresh (within `tolerance_s` of `now_s`) and
/// carrying at least one `v1` signature that matches (compared in constant time; other
/// versions are skipped, as the specification says).
pub fn verify(
    secrets: &[&Secret],
    message: Signed<'_>,
    now_s: i64,
    tolerance_s: i64,
) -> Result<(), VerifyError> {
    let id = message.id.ok_or(VerifyError::Missing("webhook-id"))?;
    let timestamp = message
        .timestamp
        .ok_or(VerifyError::Missing("webhook-timestamp"))?;
    let header = message
        .signature
        .ok_or(VerifyError::Missing("webhook-signature"))?;
    let timestamp: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| VerifyError::BadTimestamp)?;
    if now_s - timestamp > tolerance_s {
        return Err(VerifyError::TooOld {
            age_s: now_s - timestamp,
            tolerance_s,
        });
    }
    if timestamp - now_s > tolerance_s {
        return Err(VerifyError::TooNew {
            ahead_s: timestamp - now_s,
            tolerance_s,
        });
    }
    let candidates: Vec<Vec<u8>> = header
        .split_whitespace()
        .filter_map(|part| part.strip_prefix("v1,"))
        .filter_map(|sig| B64.decode(sig).ok())
        .collect();
    for secret in secrets {
        for candidate in &candidates {
            // `verify_slice` compares in constant time.
            if secret
                .mac(id, timestamp, message.body)
                .verify_slice(candidate)
                .is_ok()
            {
                return Ok(());
            }
        }
    }
    Err(VerifyError::NoMatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The specification's published example.
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TS: i64 = 1_614_265_330;
    const SPEC_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SPEC_SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn spec_message(signature: &str) -> Signed<'_> {
        Signed {
            id: Some(SPEC_ID),
            timestamp: Some("1614265330"),
            signature: Some(signature),
            body: SPEC_BODY,
        }
    }

    #[test]
    fn signs_the_specification_example() {
        let secret = Secret::parse(SPEC_SECRET).unwrap();
        assert_eq!(secret.sign(SPEC_ID, SPEC_TS, SPEC_BODY), SPEC_SIG);
        assert_eq!(secret.reveal(), SPEC_SECRET);
        // Without its prefix, as libraries accept it.
        assert_eq!(Secret::parse(&SPEC_SECRET[6..]).unwrap(), secret);
    }

    #[test]
    fn verifies_fresh_matching_messages_only() {
        let secret = Secret::parse(SPEC_SECRET).unwrap();
        let ok = |sig: &str, now: i64| verify(&[&secret], spec_message(sig), now, 300);
        assert_eq!(ok(SPEC_SIG, SPEC_TS), Ok(()));
        assert_eq!(ok(SPEC_SIG, SPEC_TS + 300), Ok(()));
        assert_eq!(ok(SPEC_SIG, SPEC_TS - 300), Ok(()));
        assert_eq!(
            ok(SPEC_SIG, SPEC_TS + 301).unwrap_err().code(),
            "webhook.timestamp_stale"
        );
        assert_eq!(
            ok(SPEC_SIG, SPEC_TS - 301).unwrap_err().code(),
            "webhook.timestamp_stale"
        );
        // Several signatures (a rotation), unknown versions skipped.
        let rotated = format!("v2,abc v1,AAAA {SPEC_SIG}");
        assert_eq!(ok(&rotated, SPEC_TS), Ok(()));
        // A changed body, id or signature does not pass.
        let forged = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF=";
        assert_eq!(ok(forged, SPEC_TS), Err(VerifyError::NoMatch));
        let other_body = Signed {
            body: br#"{"test": 2432232315}"#,
            ..spec_message(SPEC_SIG)
        };
        assert_eq!(
            verify(&[&secret], other_body, SPEC_TS, 300),
            Err(VerifyError::NoMatch)
        );
        let other_id = Signed {
            id: Some("msg_other"),
            ..spec_message(SPEC_SIG)
        };
        assert_eq!(
            verify(&[&secret], other_id, SPEC_TS, 300),
            Err(VerifyError::NoMatch)
        );
        let unsigned = Signed {
            signature: None,
            ..spec_message(SPEC_SIG)
        };
        assert_eq!(
            verify(&[&secret], unsigned, SPEC_TS, 300)
                .unwrap_err()
                .code(),
            "webhook.signature_missing"
        );
        let bad_ts = Signed {
            timestamp: Some("yesterday"),
            ..spec_message(SPEC_SIG)
        };
        assert_eq!(
            verify(&[&secret], bad_ts, SPEC_TS, 300),
            Err(VerifyError::BadTimestamp)
        );
    }

    #[test]
    fn a_rotation_signs_with_both_secrets() {
        let old = Secret::parse(SPEC_SECRET).unwrap();
        let new = Secret::generate().unwrap();
        let header = signature_header(&[&new, &old], SPEC_ID, SPEC_TS, SPEC_BODY);
        assert_eq!(header.split(' ').count(), 2);
        for secret in [&old, &new] {
            assert_eq!(
                verify(&[secret], spec_message(&header), SPEC_TS, 300),
                Ok(())
            );
        }
    }

    #[test]
    fn secrets_are_24_to_64_bytes_of_base64() {
        let generated = Secret::generate().unwrap();
        assert_eq!(generated.as_bytes().len(), 32);
        assert!(generated.reveal().starts_with("whsec_"));
        assert_ne!(generated, Secret::generate().unwrap());
        assert!(!format!("{generated:?}").contains(&generated.reveal()[6..]));
        for bad in ["whsec_not base64!", "whsec_c2hvcnQ=", "", "whsec_"] {
            let err = Secret::parse(bad).unwrap_err();
            assert_eq!(err.code(), "webhook.invalid_secret", "{bad}");
        }
        assert!(Secret::from_bytes(vec![7; 64]).is_ok());
        assert!(Secret::from_bytes(vec![7; 65]).is_err());
    }
}
