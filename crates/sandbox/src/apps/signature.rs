//! How a simulated app proves a request is its own: nothing, the shared
//! secret in a header, or HMAC-SHA256 of the raw body keyed with the secret,
//! hex or base64, maybe prefixed. Also the check of Switchboard's own
//! `X-Switchboard-Signature: sha256=<hex>` on what it delivers.

use axum::http::{HeaderName, HeaderValue};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::hmac;
use serde::Deserialize;

use crate::errors::{ApiError, ApiResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    None,
    SecretHeader,
    HmacSha256,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    Hex,
    Base64,
}

/// How an app signs when nobody says otherwise.
pub struct Convention {
    pub mode: Mode,
    pub header: &'static str,
    pub encoding: Encoding,
    pub prefix: &'static str,
}

/// `signing` of `POST /_sandbox/apps/{app}/send`. Left out, `header`,
/// `encoding` and `prefix` are the app's own when `mode` is the app's mode.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningRequest {
    mode: Mode,
    header: Option<String>,
    secret: Option<String>,
    encoding: Option<Encoding>,
    prefix: Option<String>,
}

/// A checked way of signing.
pub enum Signing {
    None,
    SecretHeader {
        header: HeaderName,
        secret: String,
    },
    Hmac {
        header: HeaderName,
        secret: String,
        encoding: Encoding,
        prefix: String,
    },
}

impl Signing {
    pub fn resolve(request: Option<SigningRequest>, own: &Convention) -> ApiResult<Signing> {
        let Some(request) = request else {
            return Ok(Signing::None);
        };
        if request.mode == Mode::None {
            return Ok(Signing::None);
        }
        let same = request.mode == own.mode;
        let header = match request.header {
            Some(header) => header,
            None if same => own.header.to_owned(),
            None => return Err(bad("signing.header is required for this mode")),
        };
        let header = HeaderName::from_bytes(header.as_bytes())
            .map_err(|_| bad("signing.header is not a valid header name"))?;
        let secret = request
            .secret
            .filter(|secret| !secret.is_empty())
            .ok_or_else(|| bad("signing.secret is required for this mode"))?;
        if request.mode == Mode::SecretHeader {
            HeaderValue::from_str(&secret)
                .map_err(|_| bad("signing.secret cannot be sent in a header"))?;
            return Ok(Signing::SecretHeader { header, secret });
        }
        let prefix = match request.prefix {
            Some(prefix) => prefix,
            None if same => own.prefix.to_owned(),
            None => String::new(),
        };
        HeaderValue::from_str(&prefix)
            .map_err(|_| bad("signing.prefix cannot be sent in a header"))?;
        let encoding = request
            .encoding
            .unwrap_or(if same { own.encoding } else { Encoding::Hex });
        Ok(Signing::Hmac {
            header,
            secret,
            encoding,
            prefix,
        })
    }

    /// The header that signs `body`, if any.
    pub fn header(&self, body: &[u8]) -> Option<(HeaderName, String)> {
        match self {
            Signing::None => None,
            Signing::SecretHeader { header, secret } => Some((header.clone(), secret.clone())),
            Signing::Hmac {
                header,
                secret,
                encoding,
                prefix,
            } => {
                let tag = hmac_sha256(secret, body);
                let encoded = match encoding {
                    Encoding::Hex => hex(&tag),
                    Encoding::Base64 => STANDARD.encode(&tag),
                };
                Some((header.clone(), format!("{prefix}{encoded}")))
            }
        }
    }
}

fn bad(message: &str) -> ApiError {
    ApiError::BadRequest(message.into())
}

fn hmac_sha256(secret: &str, body: &[u8]) -> Vec<u8> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    hmac::sign(&key, body).as_ref().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).ok())
        .collect()
}

/// Whether `value` is `sha256=<hex>` of `body` keyed with `secret`,
/// compared in constant time.
pub fn verifies(secret: &str, value: Option<&str>, body: &[u8]) -> bool {
    let Some(tag) = value
        .and_then(|value| value.strip_prefix("sha256="))
        .and_then(unhex)
    else {
        return false;
    };
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    hmac::verify(&key, body, &tag).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_switchboard_signature_verifies_only_with_its_secret_and_body() {
        let value = format!("sha256={}", hex(&hmac_sha256("s3cret", b"{}")));
        assert!(verifies("s3cret", Some(&value), b"{}"));
        assert!(!verifies("other", Some(&value), b"{}"));
        assert!(!verifies("s3cret", Some(&value), b"{ }"));
        assert!(!verifies(
            "s3cret",
            Some(value.trim_start_matches("sha256=")),
            b"{}"
        ));
        assert!(!verifies("s3cret", Some("sha256=zz"), b"{}"));
        assert!(!verifies("s3cret", None, b"{}"));
    }

    #[test]
    fn hex_reads_back() {
        assert_eq!(unhex(&hex(&[0, 15, 255])), Some(vec![0, 15, 255]));
        assert_eq!(unhex("abc"), None);
    }
}
