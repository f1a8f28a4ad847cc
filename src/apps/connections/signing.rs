//! Checking that a request comes from the app: its secret in a header, or
//! an HMAC-SHA256 of the raw body. Both comparisons take the same time
//! whatever the bytes, so a caller cannot find the secret by timing.

use axum::http::HeaderMap;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::hmac;
use secrecy::{ExposeSecret, SecretString};

use super::{Encoding, Signing};

/// Why a request's signature was not accepted, in plain words.
pub type Refusal = &'static str;

pub fn verify(
    signing: &Signing,
    secret: &SecretString,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), Refusal> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.expose_secret().as_bytes());
    match signing {
        Signing::SecretHeader { header } => {
            let given = header_value(headers, header)?;
            // Equal HMACs under the secret mean equal values.
            let expected = hmac::sign(&key, secret.expose_secret().as_bytes());
            hmac::verify(&key, given.as_bytes(), expected.as_ref())
                .map_err(|_| "The secret in the header is not this connection's.")
        }
        Signing::HmacSha256 {
            header,
            encoding,
            prefix,
        } => {
            let given = header_value(headers, header)?;
            let encoded = given
                .strip_prefix(prefix.as_str())
                .ok_or("The signature header does not start as the connection's form says.")?;
            let tag = decode(*encoding, encoded.trim())
                .ok_or("The signature is not in the encoding the connection's form says.")?;
            hmac::verify(&key, body, &tag)
                .map_err(|_| "The signature does not match the body and this connection's secret.")
        }
    }
}

/// What an app would send: `prefix` + the encoded HMAC of `body` (for the
/// sandbox's apps, test deliveries and tests).
pub fn sign(secret: &str, encoding: Encoding, prefix: &str, body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let tag = hmac::sign(&key, body);
    let encoded = match encoding {
        Encoding::Hex => crate::format::hex(tag.as_ref()),
        Encoding::Base64 => STANDARD.encode(tag.as_ref()),
    };
    format!("{prefix}{encoded}")
}

fn header_value<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, Refusal> {
    headers
        .get(name)
        .ok_or("The request has no signature header.")?
        .to_str()
        .map_err(|_| "The signature header is not text.")
}

fn decode(encoding: Encoding, text: &str) -> Option<Vec<u8>> {
    match encoding {
        Encoding::Base64 => STANDARD.decode(text).ok(),
        Encoding::Hex => {
            if !text.len().is_multiple_of(2) {
                return None;
            }
            (0..text.len())
                .step_by(2)
                .map(|at| u8::from_str_radix(text.get(at..at + 2)?, 16).ok())
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: &'static str, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, value.parse().unwrap());
        headers
    }

    #[test]
    fn an_hmac_in_either_encoding_and_with_a_prefix_is_checked_over_the_raw_body() {
        let secret = SecretString::from("s3cret");
        for (encoding, prefix) in [
            (Encoding::Hex, ""),
            (Encoding::Base64, ""),
            (Encoding::Hex, "sha256="),
        ] {
            let signing = Signing::HmacSha256 {
                header: "x-signature".into(),
                encoding,
                prefix: prefix.into(),
            };
            let signed = sign("s3cret", encoding, prefix, b"{\"a\":1}");
            let request = headers("x-signature", &signed);
            assert_eq!(verify(&signing, &secret, &request, b"{\"a\":1}"), Ok(()));
            assert!(verify(&signing, &secret, &request, b"{\"a\":2}").is_err());
            assert!(verify(
                &signing,
                &SecretString::from("other"),
                &request,
                b"{\"a\":1}"
            )
            .is_err());
            assert!(verify(&signing, &secret, &HeaderMap::new(), b"{\"a\":1}").is_err());
        }
        assert_eq!(
            sign(
                "key",
                Encoding::Hex,
                "",
                b"The quick brown fox jumps over the lazy dog"
            ),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }

    #[test]
    fn a_secret_header_must_hold_the_secret_exactly() {
        let signing = Signing::SecretHeader {
            header: "x-token".into(),
        };
        let secret = SecretString::from("s3cret");
        assert_eq!(
            verify(&signing, &secret, &headers("x-token", "s3cret"), b""),
            Ok(())
        );
        assert!(verify(&signing, &secret, &headers("x-token", "s3cre"), b"").is_err());
        assert!(verify(&signing, &secret, &headers("x-other", "s3cret"), b"").is_err());
    }
}
