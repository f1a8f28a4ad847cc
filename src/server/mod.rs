//! The web server: one router for pages, server functions and plain endpoints,
//! wrapped in the middleware every request passes through.

pub mod health;
mod middleware;
pub use middleware::wrap_reading_own_body;
pub mod shutdown;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::routing::{get, post};
use axum::Router;
use leptos::config::{get_configuration, LeptosOptions};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use sqlx::PgPool;

use crate::app::{shell, App};
use crate::auth::oauth;
use crate::auth::vault::Vault;
use crate::config::{Config, HighLevelTarget, ServeConfig, SANDBOX_PREFIX};
use crate::db::Database;
use crate::sandbox::{Sandbox, SandboxConfig};
pub use state::{AppState, InstanceInfo};

/// Builds the whole application router; in sandbox mode the simulated
/// HighLevel is served under [`SANDBOX_PREFIX`].
pub fn router(state: AppState, request_timeout: Duration, sandbox: Option<Sandbox>) -> Router {
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let shell_options = state.leptos_options.clone();
    let session_layer = crate::auth::session::layer(state.db.clone(), state.info.secure_cookies);
    let router = Router::new()
        .route("/healthz", get(health::healthz))
        .route(
            crate::reports::CHART_FONT_PATH,
            get(crate::reports::font_file),
        )
        .route("/auth/login", get(oauth::login))
        .route("/auth/callback", get(oauth::callback))
        .route("/auth/logout", post(oauth::logout))
        .route(
            "/contacts/export.csv",
            get(crate::workspace::export::contacts_csv),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell));
    let router = match sandbox {
        Some(sandbox) => router.nest_service(SANDBOX_PREFIX, sandbox.router()),
        None => router,
    };
    middleware::wrap(router.layer(session_layer), request_timeout)
        .merge(crate::webhooks::routes(request_timeout))
        .with_state(state)
}

/// `switchboard serve`: opens the database, serves until a stop signal, then
/// drains requests and stops the embedded Postgres.
pub async fn serve(config: Config, serve: ServeConfig) -> anyhow::Result<()> {
    let vault = Vault::open(config.app_secret_key.as_ref(), &config.data_dir)?;
    let public_url = serve.public_url();
    let highlevel = serve.highlevel.target(&public_url)?;
    let sandbox = highlevel.sandbox.then(|| mount_sandbox(&serve, &highlevel));
    let database = Database::open(&config).await?;
    let embedded_database = config.database_url.is_none();
    record_start(&database.pool).await?;
    let state = AppState {
        leptos_options: leptos_options(serve.site_addr),
        db: database.pool.clone(),
        vault,
        highlevel: Arc::new(highlevel),
        http: http_client()?,
        info: Arc::new(InstanceInfo {
            embedded_database,
            secure_cookies: public_url.starts_with("https://"),
        }),
    };
    crate::auth::tokens::spawn_renewer(state.connection_tokens());
    crate::webhooks::spawn_worker(state.db.clone());
    crate::sync::scheduler::spawn(crate::sync::engine_for(&state)?);
    let listener = tokio::net::TcpListener::bind(serve.site_addr)
        .await
        .with_context(|| format!("listening on {}", serve.site_addr))?;
    tracing::info!("Switchboard is ready at http://{}", serve.site_addr);
    let app = router(
        state,
        Duration::from_secs(serve.request_timeout_secs),
        sandbox,
    );
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown::signal_received())
        .await
        .context("serving HTTP");
    database.close().await;
    tracing::info!("Switchboard stopped");
    served
}

/// Options for pages and static files. cargo-leptos bakes them in at build
/// time; a plain `cargo build` gets the same defaults as `Cargo.toml`.
pub fn leptos_options(site_addr: SocketAddr) -> LeptosOptions {
    let built_by_cargo_leptos = option_env!("LEPTOS_OUTPUT_NAME").is_some()
        || std::env::var_os("LEPTOS_OUTPUT_NAME").is_some();
    let from_build = built_by_cargo_leptos
        .then(|| get_configuration(None).ok())
        .flatten();
    let mut options = match from_build {
        Some(conf) => conf.leptos_options,
        None => LeptosOptions::builder()
            .output_name(env!("CARGO_PKG_NAME"))
            .build(),
    };
    options.site_addr = site_addr;
    options
}

/// The app's outgoing HTTP client. Redirects are not followed: an OAuth
/// token endpoint that redirects is a misconfiguration to report, not follow.
pub fn http_client() -> anyhow::Result<reqwest::Client> {
    crate::tls::install_crypto_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .context("building the HTTP client")
}

/// The simulated HighLevel for sandbox mode, seeded with the demo locations.
fn mount_sandbox(serve: &ServeConfig, target: &HighLevelTarget) -> Sandbox {
    tracing::info!(
        "sandbox mode: no HIGHLEVEL_CLIENT_ID, so a simulated HighLevel with demo data is served at {}",
        target.api_base
    );
    Sandbox::new(SandboxConfig {
        contacts: serve.highlevel.sandbox_contacts,
        seed: serve.highlevel.sandbox_seed,
        public_base_url: Some(target.api_base.clone()),
        // The demo's changes come back to this app like HighLevel's would.
        webhook_url: Some(format!("{}{}", serve.public_url(), crate::webhooks::PATH)),
        ..SandboxConfig::default()
    })
}

async fn record_start(pool: &PgPool) -> anyhow::Result<()> {
    let host = nix::unistd::gethostname()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    sqlx::query("INSERT INTO server_starts (version, host, pid) VALUES ($1, $2, $3)")
        .bind(env!("CARGO_PKG_VERSION"))
        .bind(host)
        .bind(std::process::id() as i32)
        .execute(pool)
        .await
        .context("recording the server start")?;
    Ok(())
}
