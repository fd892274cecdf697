//! TLS for the connection to the project's Postgres, with libpq's `sslmode` meanings, which a
//! Supabase connection string may carry:
//!
//! - `disable`: plain TCP;
//! - `prefer` (the default) and `require`: encrypted when the server offers it (`require`:
//!   always), the certificate not checked (libpq's meaning; Supabase's databases use their own
//!   certificate authority);
//! - `verify-ca` / `verify-full`: the certificate checked against `sslrootcert` (the
//!   project's CA file, from its Database settings) or, without one, the system's roots; the
//!   host name too (`verify-ca` is treated as `verify-full`, the stricter of the two).
//!
//! tokio-postgres knows only `disable`, `prefer` and `require` and no `sslrootcert`: both are
//! taken out of the connection string here, in either of its forms (a URL or `key=value`).

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::error::SyncError;

/// What the connection string asks of TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsPolicy {
    Disable,
    /// Encrypt; `required`: refuse a server without TLS.
    Encrypt {
        required: bool,
    },
    /// Encrypt and check the certificate and the host name.
    Verify {
        root: Option<PathBuf>,
    },
}

/// The connection string without `sslmode` and `sslrootcert`, and what they asked.
pub fn split_tls(connection_string: &str) -> Result<(String, TlsPolicy), SyncError> {
    let text = connection_string.trim();
    let (rest, mode, root) = if text.starts_with("postgres://") || text.starts_with("postgresql://")
    {
        split_url(text)
    } else {
        split_key_values(text)?
    };
    let bad = |what: &str| SyncError::BadConnectionString(what.to_owned());
    let policy = match mode.as_deref() {
        None | Some("prefer") | Some("allow") => TlsPolicy::Encrypt { required: false },
        Some("disable") => TlsPolicy::Disable,
        Some("require") => match root {
            // libpq: a root file given with `require` means verify-ca.
            Some(r) => TlsPolicy::Verify { root: Some(r) },
            None => TlsPolicy::Encrypt { required: true },
        },
        Some("verify-ca") | Some("verify-full") => TlsPolicy::Verify { root },
        Some(other) => {
            return Err(bad(&format!(
                "sslmode {other:?} is not disable, prefer, require, verify-ca or verify-full"
            )));
        }
    };
    Ok((rest, policy))
}

fn split_url(text: &str) -> (String, Option<String>, Option<PathBuf>) {
    let Some((base, query)) = text.split_once('?') else {
        return (text.to_owned(), None, None);
    };
    let mut mode = None;
    let mut root = None;
    let mut kept = Vec::new();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        match k.as_ref() {
            "sslmode" => mode = Some(v.into_owned()),
            "sslrootcert" => root = Some(PathBuf::from(v.into_owned())),
            _ => kept.push((k.into_owned(), v.into_owned())),
        }
    }
    let rest = if kept.is_empty() {
        base.to_owned()
    } else {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(kept)
            .finish();
        format!("{base}?{query}")
    };
    (rest, mode, root)
}

/// `key=value` pairs, values optionally in single quotes with `\` escapes (libpq's syntax).
fn split_key_values(text: &str) -> Result<(String, Option<String>, Option<PathBuf>), SyncError> {
    let mut mode = None;
    let mut root = None;
    let mut kept: Vec<String> = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next() != Some('=') {
            return Err(SyncError::BadConnectionString(format!(
                "{key:?} has no value (key=value)"
            )));
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut raw = String::new();
        let mut value = String::new();
        if chars.peek() == Some(&'\'') {
            raw.push(chars.next().unwrap_or('\''));
            let mut closed = false;
            while let Some(c) = chars.next() {
                raw.push(c);
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            raw.push(n);
                            value.push(n);
                        }
                    }
                    '\'' => {
                        closed = true;
                        break;
                    }
                    c => value.push(c),
                }
            }
            if !closed {
                return Err(SyncError::BadConnectionString(format!(
                    "the value of {key:?} has no closing quote"
                )));
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                raw.push(c);
                value.push(c);
                chars.next();
            }
        }
        match key.as_str() {
            "sslmode" => mode = Some(value),
            "sslrootcert" => root = Some(PathBuf::from(value)),
            _ => kept.push(format!("{key}={raw}")),
        }
    }
    Ok((kept.join(" "), mode, root))
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The rustls configuration for a policy that encrypts (`None` for `Disable`).
pub fn client_config(policy: &TlsPolicy) -> Result<Option<rustls::ClientConfig>, SyncError> {
    let provider = provider();
    let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| SyncError::BadConnectionString(format!("TLS: {e}")))?;
    match policy {
        TlsPolicy::Disable => Ok(None),
        TlsPolicy::Encrypt { .. } => Ok(Some(
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider)))
                .with_no_client_auth(),
        )),
        TlsPolicy::Verify { root } => {
            let mut roots = rustls::RootCertStore::empty();
            match root {
                Some(path) => {
                    let certs = CertificateDer::pem_file_iter(path)
                        .map_err(|e| {
                            SyncError::BadConnectionString(format!(
                                "sslrootcert {}: {e}",
                                path.display()
                            ))
                        })?
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|e| {
                            SyncError::BadConnectionString(format!(
                                "sslrootcert {}: {e}",
                                path.display()
                            ))
                        })?;
                    let (added, _) = roots.add_parsable_certificates(certs);
                    if added == 0 {
                        return Err(SyncError::BadConnectionString(format!(
                            "sslrootcert {} holds no certificate",
                            path.display()
                        )));
                    }
                }
                None => {
                    let found = rustls_native_certs::load_native_certs();
                    roots.add_parsable_certificates(found.certs);
                }
            }
            Ok(Some(
                builder.with_root_certificates(roots).with_no_client_auth(),
            ))
        }
    }
}

/// libpq's `require`: the connection is encrypted, whoever's certificate it is. The handshake's
/// signatures are still checked, so the session key belongs to the certificate presented.
#[derive(Debug)]
struct EncryptOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_and_sslrootcert_are_taken_out_of_both_forms() {
        let (rest, policy) = split_tls(
            "postgresql://u:p%40ss@db.example.co:5432/postgres?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.crt&application_name=x",
        )
        .unwrap();
        assert_eq!(
            rest,
            "postgresql://u:p%40ss@db.example.co:5432/postgres?application_name=x"
        );
        assert_eq!(
            policy,
            TlsPolicy::Verify {
                root: Some("/tmp/ca.crt".into())
            }
        );
        let (rest, policy) =
            split_tls("host=127.0.0.1 password='a b\\'c' sslmode=require user=me").unwrap();
        assert_eq!(rest, "host=127.0.0.1 password='a b\\'c' user=me");
        assert_eq!(policy, TlsPolicy::Encrypt { required: true });
        assert_eq!(
            split_tls("host=h").unwrap().1,
            TlsPolicy::Encrypt { required: false }
        );
        assert_eq!(
            split_tls("postgres://h/db?sslmode=disable").unwrap(),
            ("postgres://h/db".into(), TlsPolicy::Disable)
        );
        assert!(split_tls("host=h sslmode=sometimes").is_err());
        assert!(split_tls("host=h password='open").is_err());
        assert!(split_tls("host").is_err());
    }
}
