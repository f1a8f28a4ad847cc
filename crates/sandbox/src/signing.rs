//! Webhook signatures with the sandbox's own key pairs (see `keys/README.md`):
//! `x-ghl-signature` is Ed25519 over the raw body, `x-wh-signature` is
//! RSA-SHA256 PKCS#1 v1.5 over the raw body, both base64.
//!
//! The keys are committed rather than generated because RSA key generation is
//! slow, and because the app must be able to trust them ahead of time.

use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, RsaKeyPair, RSA_PKCS1_SHA256};

const ED25519_PRIVATE: &str = include_str!("keys/ed25519-private.pem");
const ED25519_PUBLIC: &str = include_str!("keys/ed25519-public.pem");
const RSA_PRIVATE: &str = include_str!("keys/rsa-private.pem");
const RSA_PUBLIC: &str = include_str!("keys/rsa-public.pem");

/// The public key that verifies the sandbox's `x-ghl-signature` (SPKI PEM).
pub fn ed25519_public_key_pem() -> &'static str {
    ED25519_PUBLIC
}

/// The public key that verifies the sandbox's `x-wh-signature` (SPKI PEM).
pub fn rsa_public_key_pem() -> &'static str {
    RSA_PUBLIC
}

/// Both signature headers of one body.
pub struct Signatures {
    pub ed25519: String,
    pub rsa: String,
}

struct Signer {
    ed25519: Ed25519KeyPair,
    rsa: RsaKeyPair,
    random: SystemRandom,
}

fn signer() -> Option<&'static Signer> {
    static SIGNER: OnceLock<Option<Signer>> = OnceLock::new();
    SIGNER.get_or_init(load_signer).as_ref()
}

fn load_signer() -> Option<Signer> {
    let ed25519 = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&pem_der(ED25519_PRIVATE)?)
        .map_err(|error| tracing::error!("sandbox Ed25519 key: {error}"))
        .ok()?;
    let rsa = RsaKeyPair::from_pkcs8(&pem_der(RSA_PRIVATE)?)
        .map_err(|error| tracing::error!("sandbox RSA key: {error}"))
        .ok()?;
    Some(Signer {
        ed25519,
        rsa,
        random: SystemRandom::new(),
    })
}

/// The DER inside a PEM block.
fn pem_der(pem: &str) -> Option<Vec<u8>> {
    let body: String = pem
        .lines()
        .skip_while(|line| !line.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|line| !line.starts_with("-----END"))
        .collect();
    STANDARD.decode(body).ok()
}

/// Signs `body` with both sandbox keys; None only if the keys fail to load.
pub fn sign(body: &[u8]) -> Option<Signatures> {
    let signer = signer()?;
    let ed25519 = STANDARD.encode(signer.ed25519.sign(body).as_ref());
    let mut rsa = vec![0; signer.rsa.public().modulus_len()];
    signer
        .rsa
        .sign(&RSA_PKCS1_SHA256, &signer.random, body, &mut rsa)
        .map_err(|error| tracing::error!("signing a webhook: {error}"))
        .ok()?;
    Some(Signatures {
        ed25519,
        rsa: STANDARD.encode(rsa),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{UnparsedPublicKey, ED25519};

    #[test]
    fn the_ed25519_signature_verifies_with_the_published_public_key() {
        let body = br#"{"type":"ContactCreate"}"#;
        let signatures = sign(body).expect("the committed keys load");
        let spki = pem_der(ed25519_public_key_pem()).expect("public key PEM");
        // An Ed25519 SPKI ends with the 32-byte raw key.
        let raw = &spki[spki.len() - 32..];
        let signature = STANDARD.decode(signatures.ed25519).expect("base64");
        assert!(UnparsedPublicKey::new(&ED25519, raw)
            .verify(body, &signature)
            .is_ok());
        assert!(UnparsedPublicKey::new(&ED25519, raw)
            .verify(b"tampered", &signature)
            .is_err());
    }
}
