//! TLS set-up shared by every HTTPS client in the process (reqwest, sqlx),
//! and the app's one outgoing HTTP client.
//!
//! reqwest is built without a bundled crypto provider so that the binary
//! carries one (ring) instead of two; it must be installed before the first
//! client is made.

pub fn install_crypto_provider() {
    // An error means a provider is already installed, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The app's outgoing HTTP client. Redirects are not followed: an OAuth
/// token endpoint that redirects is a misconfiguration to report, not follow.
pub fn http_client() -> anyhow::Result<reqwest::Client> {
    use anyhow::Context;
    install_crypto_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .context("building the HTTP client")
}
