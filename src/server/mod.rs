//! The web server: one router for pages, server functions and plain endpoints,
//! wrapped in the middleware every request passes through.

mod assets;
mod browser_safety;
mod middleware;
pub mod routes;
pub mod shutdown;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::Router;
use leptos::config::{get_configuration, LeptosOptions};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use sqlx::PgPool;

use crate::app::{shell, App};
use crate::apps::outbound::deliver::Courier;
use crate::apps::outbound::guard::Reach;
use crate::auth::vault::Vault;
use crate::automations::worker::RunTiming;
use crate::config::{Config, HighLevelTarget, InboundConfig, ServeConfig, SANDBOX_PREFIX};
use crate::db::Database;
use crate::inbound::{ClientAddress, DoorLimits, DoorSettings};
use crate::retention::Retention;
use crate::state::{AppState, InstanceInfo};
use crate::supervise::supervise;
use crate::webhooks::{WebhookKeys, WorkerTiming};

/// Builds the whole application router; in sandbox mode the simulated
/// HighLevel is served under [`SANDBOX_PREFIX`].
pub fn router(state: AppState, request_timeout: Duration, sandbox: Option<Router>) -> Router {
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let shell_options = state.leptos_options.clone();
    let session_layer = crate::auth::session::layer(state.db.clone(), state.info.secure_cookies);
    let router = Router::new()
        .route("/healthz", get(routes::health::healthz))
        .route(
            crate::reports::CHART_FONT_PATH,
            get(crate::reports::font_file),
        )
        .route("/auth/login", get(routes::auth::login))
        .route("/auth/callback", get(routes::auth::callback))
        .route("/auth/logout", post(routes::auth::logout))
        .route("/contacts/export.csv", get(routes::export::contacts_csv))
        .nest(
            &assets::route(&state.leptos_options),
            assets::router(&state.leptos_options),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(context_state.clone());
                provide_context(crate::api::guard::RequestCaller::default());
            },
            move || shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell));
    let router = match sandbox {
        Some(sandbox) => router.nest_service(SANDBOX_PREFIX, sandbox),
        None => router,
    };
    // The webhook door reads its own body under its own limit, so that an
    // oversized body gets a JSON answer saying why.
    let webhooks = Router::new()
        .route(crate::webhooks::PATH, post(routes::webhooks::highlevel))
        .route("/hooks/{public_id}", post(routes::hooks::app_event));
    let https = state.info.secure_cookies;
    let router = router
        .layer(session_layer)
        .layer(axum::middleware::from_fn(
            middleware::server_fn_error_status,
        ))
        .layer(axum::middleware::from_fn(
            browser_safety::same_origin_writes,
        ));
    middleware::wrap(router, request_timeout)
        .merge(middleware::wrap_reading_own_body(webhooks, request_timeout))
        // Apps' servers read with a key: no session, no origin check.
        .merge(middleware::wrap(
            routes::read_api::router(),
            request_timeout,
        ))
        .layer(axum::middleware::map_response(
            move |mut response: axum::response::Response| async move {
                browser_safety::add_security_headers(response.headers_mut(), https);
                response
            },
        ))
        .with_state(state)
}

/// The whole server around a bound listener, built from its configuration:
/// what `switchboard serve` runs, and what the integration tests start.
pub struct Application {
    listener: tokio::net::TcpListener,
    router: Router,
    state: AppState,
    database: Database,
}

impl Application {
    /// Opens the database (starting the embedded Postgres when there is no
    /// `DATABASE_URL`), runs the migrations, mounts the sandbox in sandbox
    /// mode and, unless told otherwise, starts the background work.
    pub async fn build(
        config: Config,
        mut serve: ServeConfig,
        listener: tokio::net::TcpListener,
    ) -> anyhow::Result<Self> {
        serve.site_addr = listener
            .local_addr()
            .context("reading the listen address")?;
        let vault = Vault::open(config.app_secret_key.as_ref(), &config.data_dir)?;
        let public_url = serve.public_url();
        let highlevel = serve.highlevel.target(&public_url)?;
        refuse_an_open_sandbox(&serve, &highlevel)?;
        if serve.outbound.allow_private {
            tracing::warn!("app connections may send to private addresses (SWITCHBOARD_OUTBOUND_ALLOW_PRIVATE=true)");
        }
        let sandbox = highlevel
            .sandbox
            .then(|| sandbox_router(&serve, &highlevel))
            .flatten();
        tokio::task::spawn_blocking(crate::workspace::phone::load_numbering_plans);
        let database = Database::open(&config).await?;
        record_start(&database.pool).await?;
        let state = AppState {
            leptos_options: leptos_options(serve.site_addr),
            db: database.pool.clone(),
            reports_db: database.reports(),
            vault,
            webhook_keys: Arc::new(WebhookKeys::of(&highlevel.webhook_keys)?),
            door: Arc::new(DoorLimits::new(door_settings(&serve.inbound))),
            client_address: ClientAddress::from_setting(serve.inbound.client_ip_header.as_deref())?,
            highlevel: Arc::new(highlevel),
            http: crate::tls::http_client()?,
            courier: Courier::new(Reach::allowing_private(serve.outbound.allow_private))
                .context("building the delivery client")?,
            info: Arc::new(InstanceInfo {
                embedded_database: config.database_url.is_none(),
                reports_on_replica: database.replica.is_some(),
                secure_cookies: public_url.starts_with("https://"),
            }),
        };
        forget_quiet_sources(&state);
        if serve.background {
            let retention = Retention {
                event_days: serve.inbound.event_retention_days,
                run_days: serve.inbound.run_retention_days,
            };
            let timing = RunTiming {
                lease: Duration::from_secs(serve.run_lease_secs),
                ..RunTiming::default()
            };
            let schedule_poll = Duration::from_secs(serve.schedule_poll_secs);
            start_background_work(&state, retention, timing, schedule_poll)?;
        }
        let router = router(
            state.clone(),
            Duration::from_secs(serve.request_timeout_secs),
            sandbox,
        );
        Ok(Self {
            listener,
            router,
            state,
            database,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.state.leptos_options.site_addr
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `stop` completes, lets requests in flight finish, then
    /// closes the database (stopping the embedded Postgres).
    pub async fn run_until(
        self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        // The webhook doors count requests per client address.
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        // Pages stream out in several writes; with Nagle's algorithm on, a
        // write waits for the browser's delayed ACK (40 ms on Linux).
        let listener = self.listener.tap_io(|tcp| {
            if let Err(error) = tcp.set_nodelay(true) {
                tracing::warn!(%error, "could not turn off Nagle's algorithm");
            }
        });
        let served = axum::serve(listener, service)
            .with_graceful_shutdown(stop)
            .await
            .context("serving HTTP");
        self.database.close().await;
        served
    }
}

/// Token renewal, the webhook queue's worker, the automation runs' worker,
/// the automations' scheduler, the sync scheduler and the retention pass
/// (old events, refusals, expired sessions), each restarted if it stops.
/// Each claims its work through Postgres, so any number of processes may
/// run them.
fn start_background_work(
    state: &AppState,
    retention: Retention,
    run_timing: RunTiming,
    schedule_poll: Duration,
) -> anyhow::Result<()> {
    let running = |db: &PgPool| {
        let db = db.clone();
        move || !db.is_closed()
    };
    let tokens = state.connection_tokens();
    supervise("token renewal", running(&state.db), move || {
        crate::auth::tokens::renew_forever(tokens.clone())
    });
    let db = state.db.clone();
    supervise("webhook worker", running(&state.db), move || {
        crate::webhooks::work(db.clone(), WorkerTiming::default())
    });
    let runs = state.automation_services()?;
    supervise("automation runs", running(&state.db), move || {
        crate::automations::worker::work(runs.clone(), run_timing)
    });
    let db = state.db.clone();
    supervise("automation schedules", running(&state.db), move || {
        crate::automations::scheduler::work(db.clone(), schedule_poll)
    });
    let engine = crate::sync::engine_for(
        &state.db,
        state.highlevel.api_base.clone(),
        state.connection_tokens(),
    )?;
    supervise("sync scheduler", running(&state.db), move || {
        crate::sync::scheduler::run(engine.clone())
    });
    let db = state.db.clone();
    supervise("retention", running(&state.db), move || {
        crate::retention::run(db.clone(), retention)
    });
    Ok(())
}

/// The webhook door's limiters forget addresses quiet for a minute.
fn forget_quiet_sources(state: &AppState) {
    let door = Arc::downgrade(&state.door);
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_secs(60));
        loop {
            ticks.tick().await;
            let Some(door) = door.upgrade() else { return };
            door.forget_quiet();
        }
    });
}

fn door_settings(inbound: &InboundConfig) -> DoorSettings {
    DoorSettings {
        per_source_per_minute: inbound.per_source_per_minute,
        per_connection_per_minute: inbound.per_connection_per_minute,
        ..DoorSettings::default()
    }
}

/// Sandbox mode lets anyone sign in to demo data and serves a simulated
/// HighLevel: on anything but loopback it must be asked for by name.
fn refuse_an_open_sandbox(serve: &ServeConfig, target: &HighLevelTarget) -> anyhow::Result<()> {
    let loopback = serve.site_addr.ip().is_loopback();
    if target.sandbox && !loopback && !serve.highlevel.sandbox_on_network {
        anyhow::bail!(
            "sandbox mode (no HIGHLEVEL_CLIENT_ID) lets anyone who can reach {} sign in to demo data; \
             listen on 127.0.0.1, configure HighLevel, or set SWITCHBOARD_SANDBOX_ON_NETWORK=true to serve it anyway",
            serve.site_addr
        );
    }
    Ok(())
}

/// `switchboard serve`: serves until a stop signal, then drains requests and
/// stops the embedded Postgres.
pub async fn serve(config: Config, serve: ServeConfig) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(serve.site_addr)
        .await
        .with_context(|| format!("listening on {}", serve.site_addr))?;
    let app = Application::build(config, serve, listener).await?;
    tracing::info!("Switchboard is ready at http://{}", app.address());
    app.run_until(shutdown::signal_received()).await?;
    tracing::info!("Switchboard stopped");
    Ok(())
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
    // cargo-leptos tells the server it started whether the bundle's file
    // names are hashed; a binary started any other way (the benches,
    // a deployment) goes by how it was built.
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        options.hash_files = option_env!("LEPTOS_HASH_FILES") == Some("true");
    }
    options.site_addr = site_addr;
    options
}

/// The simulated HighLevel for sandbox mode, seeded with the demo locations.
#[cfg(feature = "sandbox")]
fn sandbox_router(serve: &ServeConfig, target: &HighLevelTarget) -> Option<Router> {
    use switchboard_sandbox::{Sandbox, SandboxConfig};
    tracing::info!(
        "sandbox mode: no HIGHLEVEL_CLIENT_ID, so a simulated HighLevel with demo data is served at {}",
        target.api_base
    );
    let sandbox = Sandbox::new(SandboxConfig {
        contacts: serve.highlevel.sandbox_contacts,
        seed: serve.highlevel.sandbox_seed,
        public_base_url: Some(target.api_base.clone()),
        // Like a Marketplace app's registration: consent answers only here.
        redirect_uris: vec![target.redirect_uri.clone()],
        // The demo's changes come back to this app like HighLevel's would.
        webhook_url: Some(format!("{}{}", serve.public_url(), crate::webhooks::PATH)),
        ..SandboxConfig::default()
    });
    Some(sandbox.router())
}

/// A build without the sandbox never reaches sandbox mode (see `config`).
#[cfg(not(feature = "sandbox"))]
fn sandbox_router(_: &ServeConfig, _: &HighLevelTarget) -> Option<Router> {
    None
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
