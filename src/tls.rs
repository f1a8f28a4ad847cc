//! TLS set-up shared by every HTTPS client in the process (reqwest, sqlx).
//!
//! reqwest is built without a bundled crypto provider so that the binary
//! carries one (ring) instead of two; it must be installed before the first
//! client is made.

pub fn install_crypto_provider() {
    // An error means a provider is already installed, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
