//! The `switchboard` command line: `serve` (the default), `migrate` and
//! `sandbox`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{Config, ServeConfig};

#[derive(Debug, Parser)]
#[command(
    name = "switchboard",
    version,
    about = "Dashboard and automation hub for HighLevel"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    config: Config,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web app (what runs when no subcommand is given).
    Serve(ServeConfig),
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Send one HighLevel API operation and print the answer as JSON.
    Api(crate::highlevel::cli::ApiArgs),
    /// Serve the sandbox HighLevel on its own.
    #[cfg(feature = "sandbox")]
    Sandbox(switchboard_sandbox::SandboxArgs),
    /// Sync a location's HighLevel data into the cache.
    Sync(crate::sync::cli::SyncArgs),
    /// List the webhook events no team sees and the refused requests.
    Events(crate::webhooks::cli::EventsArgs),
}

/// Entry point of the binary: reads `.env`, parses arguments, runs the command.
pub fn main() -> ExitCode {
    // A missing .env is the normal case; the environment alone is enough.
    let _ = dotenvy::dotenv();
    crate::telemetry::init();
    crate::tls::install_crypto_provider();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => return fail(anyhow::Error::new(error)),
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(error),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Some(Command::Serve(serve)) => crate::server::serve(cli.config, serve).await,
        None => crate::server::serve(cli.config, ServeConfig::parse_from_env()).await,
        Some(Command::Api(args)) => crate::highlevel::cli::run(&cli.config, args).await,
        Some(Command::Migrate) => {
            let database = crate::db::Database::open(&cli.config).await?;
            tracing::info!("migrations are up to date");
            database.close().await;
            Ok(())
        }
        #[cfg(feature = "sandbox")]
        Some(Command::Sandbox(args)) => {
            switchboard_sandbox::run(args, crate::server::shutdown::signal_received()).await
        }
        Some(Command::Sync(args)) => crate::sync::cli::run(&cli.config, args).await,
        Some(Command::Events(args)) => crate::webhooks::cli::run(&cli.config, args).await,
    }
}

fn fail(error: anyhow::Error) -> ExitCode {
    tracing::error!("{error:#}");
    eprintln!("error: {error:#}");
    ExitCode::FAILURE
}

impl ServeConfig {
    /// The serve settings from the environment alone, for a bare `switchboard`.
    fn parse_from_env() -> Self {
        #[derive(Parser)]
        struct Env {
            #[command(flatten)]
            serve: ServeConfig,
        }
        Env::parse_from(["switchboard"]).serve
    }
}
