//! Webhook signatures: `x-ghl-signature` (Ed25519) and the older
//! `x-wh-signature` (RSA PKCS#1 v1.5 with SHA-256), both base64 over the raw
//! request body. When `x-ghl-signature` is present only it is checked, as
//! HighLevel's own SDK does.

use axum::http::HeaderMap;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::signature::{UnparsedPublicKey, ED25519, RSA_PKCS1_2048_8192_SHA256};
use spki::der::DecodePem;
use spki::{ObjectIdentifier, SubjectPublicKeyInfoOwned};

use crate::config::WebhookKeyPems;

const ED25519_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const RSA_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

const ED25519_HEADER: &str = "x-ghl-signature";
const RSA_HEADER: &str = "x-wh-signature";

/// A public key that is not what it should be.
#[derive(Debug, thiserror::Error)]
#[error("the webhook key {name} is not a PEM {expected} public key")]
pub struct KeyError {
    name: &'static str,
    expected: &'static str,
}

/// The two public keys webhooks are checked with, as ring reads them: the raw
/// 32-byte Ed25519 key, and the RSA key as a PKCS#1 `RSAPublicKey`.
#[derive(Debug, Clone, Default)]
pub struct WebhookKeys {
    ed25519: Vec<u8>,
    rsa: Vec<u8>,
}

/// Which signature header was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Ed25519,
    Rsa,
}

impl Scheme {
    /// The name stored with the event and shown on the Events page.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Ed25519 => "ed25519",
            Scheme::Rsa => "rsa",
        }
    }

    /// The signature a request carries; Ed25519 is checked when it has both.
    pub fn of(headers: &HeaderMap) -> Option<Self> {
        if headers.contains_key(ED25519_HEADER) {
            Some(Scheme::Ed25519)
        } else if headers.contains_key(RSA_HEADER) {
            Some(Scheme::Rsa)
        } else {
            None
        }
    }
}

/// Why a request without either signature header is refused.
pub const NO_SIGNATURE: &str = "The request has no x-ghl-signature or x-wh-signature header.";

/// Why a request's signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureProblem {
    pub scheme: Option<Scheme>,
    pub reason: &'static str,
}

impl WebhookKeys {
    /// Keys from PEM text (SubjectPublicKeyInfo, `BEGIN PUBLIC KEY`).
    pub fn from_pem(ed25519_pem: &str, rsa_pem: &str) -> Result<Self, KeyError> {
        Ok(Self {
            ed25519: key_bits(ed25519_pem, ED25519_OID).ok_or(KeyError {
                name: "HIGHLEVEL_WEBHOOK_ED25519_KEY",
                expected: "Ed25519",
            })?,
            rsa: key_bits(rsa_pem, RSA_OID).ok_or(KeyError {
                name: "HIGHLEVEL_WEBHOOK_RSA_KEY",
                expected: "RSA",
            })?,
        })
    }

    /// The keys of `pems`, as the configuration holds them.
    pub fn of(pems: &WebhookKeyPems) -> Result<Self, KeyError> {
        Self::from_pem(&pems.ed25519, &pems.rsa)
    }

    /// Checks the request's signature over `body`.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<Scheme, SignatureProblem> {
        let Some(scheme) = Scheme::of(headers) else {
            return Err(SignatureProblem {
                scheme: None,
                reason: NO_SIGNATURE,
            });
        };
        let (header, key) = match scheme {
            Scheme::Ed25519 => (
                ED25519_HEADER,
                UnparsedPublicKey::new(&ED25519, self.ed25519.as_slice()),
            ),
            Scheme::Rsa => (
                RSA_HEADER,
                UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, self.rsa.as_slice()),
            ),
        };
        let problem = |reason| SignatureProblem {
            scheme: Some(scheme),
            reason,
        };
        let signature = headers
            .get(header)
            .and_then(|value| value.to_str().ok())
            .and_then(|text| STANDARD.decode(text.trim()).ok())
            .ok_or_else(|| problem("The signature header is not base64."))?;
        key.verify(body, &signature)
            .map_err(|_| problem("The signature does not match the body."))?;
        Ok(scheme)
    }
}

/// The key bits of a PEM public key whose algorithm is `algorithm`.
fn key_bits(pem: &str, algorithm: ObjectIdentifier) -> Option<Vec<u8>> {
    let info = SubjectPublicKeyInfoOwned::from_pem(pem.trim()).ok()?;
    (info.algorithm.oid == algorithm)
        .then(|| info.subject_public_key.as_bytes().map(<[u8]>::to_vec))
        .flatten()
}

#[cfg(all(test, feature = "sandbox"))]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    /// The keys a server started with `args` checks webhooks with.
    fn keys_of(args: &[&str]) -> WebhookKeys {
        #[derive(clap::Parser)]
        struct Probe {
            #[command(flatten)]
            highlevel: crate::config::HighLevelConfig,
        }
        let probe = <Probe as clap::Parser>::try_parse_from(
            std::iter::once("switchboard").chain(args.iter().copied()),
        )
        .expect("arguments parse");
        let target = probe.highlevel.target("http://127.0.0.1:3000").unwrap();
        WebhookKeys::of(&target.webhook_keys).expect("keys parse")
    }

    fn sandbox_keys() -> WebhookKeys {
        keys_of(&[])
    }

    #[test]
    fn published_and_sandbox_keys_parse() {
        let published = keys_of(&["--client-id", "id", "--client-secret", "secret"]);
        assert_eq!(published.ed25519.len(), 32);
        assert_eq!(published.ed25519[0], 0x8b);
        // A 4096-bit modulus makes a PKCS#1 key of a little over 512 bytes.
        assert!(published.rsa.len() > 512, "{}", published.rsa.len());
        let sandbox = sandbox_keys();
        assert_eq!(sandbox.ed25519.len(), 32);
        assert_ne!(sandbox.ed25519, published.ed25519);
    }

    #[test]
    fn configured_keys_replace_the_published_ones() {
        // `=`: a PEM starts with dashes, like a flag.
        let ed25519 = format!(
            "--webhook-ed25519-key={}",
            switchboard_sandbox::ed25519_public_key_pem()
        );
        let rsa = format!(
            "--webhook-rsa-key={}",
            switchboard_sandbox::rsa_public_key_pem()
        );
        let configured = keys_of(&[
            "--client-id",
            "id",
            "--client-secret",
            "secret",
            &ed25519,
            &rsa,
        ]);
        let sandbox = sandbox_keys();
        assert_eq!(configured.ed25519, sandbox.ed25519);
        assert_eq!(configured.rsa, sandbox.rsa);
    }

    #[test]
    fn a_key_of_the_wrong_kind_is_refused() {
        use crate::config::HIGHLEVEL_RSA_PEM;
        assert!(WebhookKeys::from_pem(HIGHLEVEL_RSA_PEM, HIGHLEVEL_RSA_PEM).is_err());
        assert!(WebhookKeys::from_pem("not a key", HIGHLEVEL_RSA_PEM).is_err());
    }

    #[test]
    fn both_schemes_verify_and_ed25519_wins_when_present() {
        let keys = sandbox_keys();
        let body = br#"{"type":"ContactCreate"}"#;
        let signed = switchboard_sandbox::sign(body).expect("sandbox keys sign");
        let mut headers = HeaderMap::new();
        headers.insert(RSA_HEADER, HeaderValue::from_str(&signed.rsa).unwrap());
        assert_eq!(keys.verify(&headers, body), Ok(Scheme::Rsa));
        assert!(keys.verify(&headers, b"{}").is_err());
        // A present but wrong Ed25519 signature is not rescued by a good RSA one.
        headers.insert(ED25519_HEADER, HeaderValue::from_static("AAAA"));
        assert_eq!(
            keys.verify(&headers, body).map_err(|p| p.scheme),
            Err(Some(Scheme::Ed25519))
        );
        headers.insert(
            ED25519_HEADER,
            HeaderValue::from_str(&signed.ed25519).unwrap(),
        );
        assert_eq!(keys.verify(&headers, body), Ok(Scheme::Ed25519));
    }
}
