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

/// Where every outgoing HTTP client of the app starts: the crypto provider
/// installed, and redirects not followed (an OAuth token endpoint that
/// redirects is a misconfiguration to report; HighLevel's Authorization
/// header must never follow a redirect to another host).
pub fn client_builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none())
}

/// The app's outgoing HTTP client.
pub fn http_client() -> anyhow::Result<reqwest::Client> {
    use anyhow::Context;
    client_builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .context("building the HTTP client")
}
