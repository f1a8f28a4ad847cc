//! The sandbox HighLevel: an in-memory stand-in for HighLevel's OAuth, Contacts
//! API (plus the location, calendar, user and business reads sync needs) and
//! webhooks, built from the official API documents. It is the demo default of
//! the app and the test double of every feature that talks to HighLevel.
//! It also simulates the other apps a gym connects (`apps`): they send
//! events on request and keep an inbox for what Switchboard sends them.
//!
//! See the crate's `README.md` for the behaviours, the control API under
//! `/_sandbox/` and the deliberate deviations from the documents.

mod apps;
mod auth;
mod businesses;
mod calendars;
mod contact_businesses;
mod contact_tags;
mod contacts;
mod control;
mod errors;
mod events;
mod faults;
mod html;
mod ids;
mod ledger;
mod limits;
mod locations;
mod lookup;
mod loopback;
mod memberships;
mod middleware;
mod notes;
mod oauth;
mod params;
mod render;
mod search;
mod seed;
mod signing;
mod simulate;
mod store;
mod tasks;
mod users;
mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use parking_lot::{Mutex, RwLock};

pub use signing::{ed25519_public_key_pem, rsa_public_key_pem, sign, Signatures};

/// reqwest is built without a crypto provider (ring is chosen once for
/// reqwest and sqlx alike); an error means one is installed already.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// An OAuth client the sandbox accepts at `/oauth/token` and on its consent page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthClient {
    pub client_id: String,
    pub client_secret: String,
}

impl OAuthClient {
    /// The client every sandbox knows unless told otherwise.
    pub fn sandbox_default() -> Self {
        Self {
            client_id: "sandbox-client-id".into(),
            client_secret: "sandbox-client-secret".into(),
        }
    }
}

/// How the sandbox is seeded and how it behaves.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Contacts seeded in the first demo location (the others get a tenth each).
    pub contacts: usize,
    /// Demo locations: the three gyms, then as many branches of them as it
    /// takes (an agency's sub-accounts).
    pub locations: usize,
    /// Seed of the data generator: the same seed gives the same data.
    pub seed: u64,
    /// Where webhook events are posted; none means events are only logged.
    pub webhook_url: Option<String>,
    /// Lifetime of OAuth access tokens.
    pub token_ttl: Duration,
    /// OAuth clients accepted at the token endpoint.
    pub clients: Vec<OAuthClient>,
    /// The callbacks registered for the OAuth clients, as a marketplace app
    /// registers its redirect URLs: the consent page sends codes only to a
    /// `redirect_uri` exactly equal to one of them, and to none when empty.
    pub redirect_uris: Vec<String>,
    /// Requests per burst window per app and location.
    pub burst_limit: u32,
    /// Length of the burst window.
    pub burst_window: Duration,
    /// Requests per day per app and location.
    pub daily_limit: u32,
    /// Webhook deliveries waiting to be sent before new events are dropped.
    pub webhook_queue: usize,
    /// Retries of a delivery the receiver answered with 429.
    pub webhook_max_retries: u32,
    /// Wait before the first retry; it doubles on each further retry.
    pub webhook_retry_delay: Duration,
    /// Absolute URL the sandbox is reached at, for links it returns
    /// (`meta.nextPageUrl`); the request's Host header is used when absent.
    pub public_base_url: Option<String>,
    /// The "now" seeded dates are spread around; the start of the current UTC
    /// day when absent, so that a seed gives the same data all day.
    pub anchor: Option<chrono::DateTime<chrono::Utc>>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            contacts: 500,
            locations: 3,
            seed: 42,
            webhook_url: None,
            token_ttl: Duration::from_secs(86_399),
            clients: vec![OAuthClient::sandbox_default()],
            redirect_uris: Vec::new(),
            burst_limit: 100,
            burst_window: Duration::from_secs(10),
            daily_limit: 200_000,
            webhook_queue: 10_000,
            webhook_max_retries: 6,
            webhook_retry_delay: Duration::from_secs(600),
            public_base_url: None,
            anchor: None,
        }
    }
}

/// Everything the sandbox knows, shared by its handlers and background tasks.
struct Shared {
    config: SandboxConfig,
    store: RwLock<store::Store>,
    auth: Mutex<auth::AuthState>,
    limits: Mutex<limits::RateLimits>,
    faults: Mutex<faults::Faults>,
    ledger: Mutex<ledger::Ledger>,
    webhooks: webhooks::WebhookHub,
    apps: apps::Inboxes,
}

/// A cloneable handle to one sandbox's state.
#[derive(Clone)]
pub struct Sandbox {
    shared: Arc<Shared>,
}

impl Sandbox {
    /// Seeds a new sandbox from `config`.
    pub fn new(config: SandboxConfig) -> Self {
        let store = seed::seed(&config);
        let webhooks = webhooks::WebhookHub::new(&config);
        Self {
            shared: Arc::new(Shared {
                store: RwLock::new(store),
                auth: Mutex::new(auth::AuthState::default()),
                limits: Mutex::new(limits::RateLimits::default()),
                faults: Mutex::new(faults::Faults::default()),
                ledger: Mutex::new(ledger::Ledger::default()),
                webhooks,
                apps: apps::Inboxes::default(),
                config,
            }),
        }
    }

    /// The sandbox's routes: the HighLevel API, OAuth and `/_sandbox/` control.
    /// Works at the root or nested under a prefix.
    ///
    /// The consent page and the control API answer loopback callers only, and
    /// they learn the caller from `ConnectInfo<SocketAddr>`: the server must
    /// be run with `into_make_service_with_connect_info::<SocketAddr>()`.
    /// Without it those routes refuse every caller with 403.
    pub fn router(&self) -> Router {
        let api = Router::new()
            .merge(contacts::routes())
            .merge(contact_tags::routes())
            .merge(contact_businesses::routes())
            .merge(memberships::routes())
            .merge(tasks::routes())
            .merge(notes::routes())
            .merge(search::routes())
            .merge(locations::routes())
            .merge(calendars::routes())
            .merge(users::routes())
            .merge(businesses::routes())
            .merge(oauth::token_routes())
            .layer(axum::middleware::from_fn_with_state(
                self.clone(),
                middleware::api_layer,
            ));
        let local = Router::new()
            .merge(oauth::consent_routes())
            .merge(control::routes())
            .merge(apps::routes())
            .route_layer(axum::middleware::from_fn(loopback::loopback_only));
        Router::new()
            .merge(api)
            .merge(local)
            .fallback(errors::not_found_route)
            .layer(axum::middleware::from_fn(middleware::trace_id_layer))
            .with_state(self.clone())
    }

    /// The demo locations as `(id, name)`; the first holds `contacts`
    /// contacts, the others a tenth as many.
    pub fn locations(&self) -> Vec<(String, String)> {
        let store = self.shared.store.read();
        store
            .order
            .iter()
            .filter_map(|id| store.locations.get(id))
            .map(|location| (location.info.id.clone(), location.info.name.clone()))
            .collect()
    }

    /// Mints a token like a Private Integration Token: no expiry, no refresh.
    pub fn mint_token(&self, location_id: &str, scopes: &[String]) -> Option<String> {
        if !self.shared.store.read().locations.contains_key(location_id) {
            return None;
        }
        let scopes = scopes.iter().cloned().collect();
        Some(self.shared.auth.lock().mint_pit(location_id, scopes))
    }

    /// The company the demo locations belong to (`companyId` of
    /// `GET /users/search`).
    pub fn company_id(&self) -> String {
        self.shared.store.read().company_id.clone()
    }

    /// Points webhooks somewhere else, or nowhere; for an app that mounts the
    /// sandbox and learns its own address only once it listens.
    pub fn set_webhook_url(&self, url: Option<String>) {
        self.shared.webhooks.set_url(url);
    }

    fn config(&self) -> &SandboxConfig {
        &self.shared.config
    }
}

/// A sandbox serving on a local port from a background task.
pub struct RunningSandbox {
    addr: SocketAddr,
    sandbox: Sandbox,
    server: tokio::task::JoinHandle<()>,
}

impl RunningSandbox {
    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Seeds a sandbox and serves it on `127.0.0.1` at a free port.
pub async fn spawn(config: SandboxConfig) -> anyhow::Result<RunningSandbox> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("binding the sandbox to a local port")?;
    let addr = listener.local_addr()?;
    let sandbox = Sandbox::new(config);
    let app = sandbox
        .router()
        .into_make_service_with_connect_info::<SocketAddr>();
    let server = tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::error!("sandbox server stopped: {error}");
        }
    });
    Ok(RunningSandbox {
        addr,
        sandbox,
        server,
    })
}

/// `switchboard sandbox`: the sandbox HighLevel as a standalone server.
#[derive(Debug, Clone, clap::Args)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:4010", env = "SANDBOX_ADDR")]
    pub addr: SocketAddr,
    /// Contacts to seed in the first demo location.
    #[arg(long, default_value_t = 500)]
    pub contacts: usize,
    /// Demo locations: three gyms, and branches of them beyond three.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub locations: u32,
    /// Seed of the data generator.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Where to post webhook events.
    #[arg(long)]
    pub webhook_url: Option<String>,
    /// Lifetime of OAuth access tokens, in seconds.
    #[arg(long, default_value_t = 86_399)]
    pub token_ttl_secs: u64,
    /// An OAuth client to accept, as `CLIENT_ID:CLIENT_SECRET`; repeatable.
    /// Without any, `sandbox-client-id:sandbox-client-secret` is accepted.
    #[arg(long = "client", value_parser = parse_client)]
    pub clients: Vec<OAuthClient>,
    /// A callback the consent page may send codes to, matched exactly;
    /// repeatable. Without any, the consent page refuses every request.
    #[arg(long = "redirect-uri")]
    pub redirect_uris: Vec<String>,
    /// Requests per 10-second window per app and location; more get 429.
    /// HighLevel's limit is 100; a load test may want more.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub burst_limit: u32,
}

fn parse_client(text: &str) -> Result<OAuthClient, String> {
    match text.split_once(':') {
        Some((id, secret)) if !id.is_empty() && !secret.is_empty() => Ok(OAuthClient {
            client_id: id.into(),
            client_secret: secret.into(),
        }),
        _ => Err("expected CLIENT_ID:CLIENT_SECRET".into()),
    }
}

/// Runs the standalone sandbox until `stop` completes (Ctrl-C or SIGTERM
/// from the command line).
pub async fn run(
    args: SandboxArgs,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let config = SandboxConfig {
        contacts: args.contacts,
        locations: args.locations as usize,
        seed: args.seed,
        webhook_url: args.webhook_url,
        token_ttl: Duration::from_secs(args.token_ttl_secs),
        clients: if args.clients.is_empty() {
            vec![OAuthClient::sandbox_default()]
        } else {
            args.clients
        },
        redirect_uris: args.redirect_uris,
        burst_limit: args.burst_limit,
        ..SandboxConfig::default()
    };
    let started = std::time::Instant::now();
    let sandbox = Sandbox::new(config);
    tracing::info!(
        "sandbox seeded {} contacts in {:?}",
        args.contacts,
        started.elapsed()
    );
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    let bound = listener.local_addr()?;
    tracing::info!("sandbox HighLevel is ready at http://{bound}");
    let app = sandbox
        .router()
        .into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await
        .context("serving the sandbox")
}
