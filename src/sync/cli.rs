//! `switchboard sync`: one sync of a location from the command line, with a
//! progress bar per kind of record.
//!
//! It uses the team's stored connection (the same database and
//! `APP_SECRET_KEY` as the server), or a static token with `--token`. It
//! draws from the same Postgres rate budget as the servers and takes the
//! same location lock, so it never runs beside a server's sync of the
//! location.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{anyhow, Context};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use secrecy::SecretString;
use sqlx::PgPool;

use super::engine::{SyncEngine, SyncError, SyncOptions};
use super::store;
use super::view::{RunView, SyncKind};
use crate::auth::tokens::ConnectionTokens;
use crate::auth::vault::Vault;
use crate::config::{Config, ServeConfig};
use crate::highlevel::{HighLevelClient, StaticToken};

/// How often the bars are redrawn from the run's recorded progress.
const REFRESH: Duration = Duration::from_millis(250);

#[derive(Debug, Clone, clap::Args)]
#[command(
    about = "Sync a location's HighLevel data into the cache, with progress",
    after_help = "Examples:\n  switchboard sync --location LOC                 (the team's stored connection)\n  \
                  switchboard sync --location LOC --mode reconcile\n  \
                  switchboard sync --location LOC --base-url http://127.0.0.1:4010 --token TOKEN"
)]
pub struct SyncArgs {
    /// The location (sub-account) id.
    #[arg(long)]
    pub location: String,

    /// full (everything), incremental (changes since the last poll) or
    /// reconcile (everything, then soft-delete what HighLevel no longer has).
    #[arg(long, default_value = "full", value_parser = ["full", "incremental", "reconcile"])]
    pub mode: String,

    /// Base URL of the HighLevel API; default: the configured one.
    #[arg(long)]
    pub base_url: Option<String>,

    /// A static access token or Private Integration Token instead of the
    /// team's stored connection.
    #[arg(long, env = "HIGHLEVEL_TOKEN", hide_env_values = true, value_parser = secret)]
    pub token: Option<SecretString>,

    /// Contacts per search page (1 to 500).
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=500))]
    pub contact_page: u32,

    /// No progress bars (for logs and scripts).
    #[arg(long)]
    pub quiet: bool,

    #[command(flatten)]
    pub serve: ServeConfig,
}

/// Runs the command; fails when the sync fails.
pub async fn run(config: &Config, args: SyncArgs) -> anyhow::Result<()> {
    let kind = SyncKind::parse(&args.mode).ok_or_else(|| anyhow!("unknown --mode"))?;
    let database = crate::db::Database::open(config).await?;
    let pool = database.pool.clone();
    let outcome = sync(config, &args, kind, pool).await;
    database.close().await;
    outcome
}

async fn sync(
    config: &Config,
    args: &SyncArgs,
    kind: SyncKind,
    pool: PgPool,
) -> anyhow::Result<()> {
    let engine = engine(config, args, pool.clone())?;
    let location_id = args.location.clone();
    let running = tokio::spawn({
        let engine = engine.clone();
        let location_id = location_id.clone();
        async move { engine.run(&location_id, kind, "cli").await }
    });
    let bars = (!args.quiet).then(Bars::new);
    let mut running = std::pin::pin!(running);
    let outcome = loop {
        tokio::select! {
            joined = &mut running => break joined.context("the sync task stopped")?,
            () = tokio::time::sleep(REFRESH) => {
                if let Some(bars) = &bars {
                    if let Some(run) = latest_run(&pool, &location_id).await {
                        bars.show(&run);
                    }
                }
            }
        }
    };
    let latest = latest_run(&pool, &location_id).await;
    if let (Some(bars), Some(run)) = (&bars, &latest) {
        bars.show(run);
        bars.finish();
    }
    match outcome {
        Ok(summary) if summary.succeeded => {
            let requests = latest.map_or(0, |run| run.requests);
            println!(
                "{} of {location_id} done: run {}, {requests} requests.",
                summary.kind.label(),
                summary.run_id
            );
            Ok(())
        }
        Ok(summary) => Err(anyhow!(
            "the sync failed (run {}): {}",
            summary.run_id,
            summary.error.unwrap_or_default()
        )),
        Err(SyncError::Busy) => Err(anyhow!(
            "a sync of {location_id} is already running (in a server or another command); try again when it ends"
        )),
        Err(error) => Err(error.into()),
    }
}

fn engine(config: &Config, args: &SyncArgs, pool: PgPool) -> anyhow::Result<SyncEngine> {
    let target = args.serve.highlevel.target(&args.serve.public_url())?;
    let base_url = args.base_url.clone().unwrap_or(target.api_base.clone());
    let client = match &args.token {
        Some(token) => HighLevelClient::builder(base_url, StaticToken::new(token.clone()))
            .shared_through(&pool)
            .in_background()
            .build()?,
        None => {
            let vault = Vault::open(config.app_secret_key.as_ref(), &config.data_dir)?;
            let http = crate::tls::http_client()?;
            let tokens = ConnectionTokens::new(pool.clone(), vault, target.into(), http);
            HighLevelClient::builder(base_url, tokens)
                .shared_through(&pool)
                .in_background()
                .build()?
        }
    };
    let options = SyncOptions {
        contact_page: args.contact_page,
        ..SyncOptions::default()
    };
    Ok(SyncEngine::new(pool, client).with_options(options))
}

async fn latest_run(pool: &PgPool, location_id: &str) -> Option<RunView> {
    store::recent_runs(pool, location_id, 1, crate::zone::TeamZone::default())
        .await
        .ok()?
        .into_iter()
        .next()
}

/// One progress bar per kind of record.
struct Bars {
    multi: MultiProgress,
    bars: std::sync::Mutex<HashMap<String, ProgressBar>>,
}

impl Bars {
    fn new() -> Self {
        Bars {
            multi: MultiProgress::new(),
            bars: std::sync::Mutex::default(),
        }
    }

    fn show(&self, run: &RunView) {
        let mut bars = self
            .bars
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for entity in &run.progress {
            let bar = bars.entry(entity.entity.clone()).or_insert_with(|| {
                let bar = self.multi.add(ProgressBar::new(0));
                bar.set_style(style());
                bar.set_prefix(entity.entity.clone());
                bar
            });
            bar.set_length(entity.total.unwrap_or(entity.done).max(entity.done));
            bar.set_position(entity.done);
        }
    }

    fn finish(&self) {
        let bars = self
            .bars
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for bar in bars.values() {
            bar.finish();
        }
    }
}

fn style() -> ProgressStyle {
    ProgressStyle::with_template("{prefix:>12} [{bar:40}] {pos}/{len} {per_sec}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

fn secret(value: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(SecretString::from(value))
}
