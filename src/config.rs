//! One typed configuration, read from the environment (and `.env`) with defaults.
//!
//! Every variable is also a command-line flag, so `switchboard serve --help`
//! documents them. Secrets are wrapped in [`SecretString`]: their `Debug` output
//! is redacted, so the config can be logged safely.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;

use secrecy::SecretString;

/// Settings shared by every subcommand that touches the database.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Postgres connection string. Unset: Switchboard starts its own Postgres
    /// from the machine's binaries in `$SWITCHBOARD_DATA_DIR/postgres`.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_parser = secret)]
    pub database_url: Option<SecretString>,

    /// Folder for everything Switchboard keeps on disk (embedded Postgres, key file).
    #[arg(long, env = "SWITCHBOARD_DATA_DIR", default_value = ".data")]
    pub data_dir: PathBuf,

    /// Key that encrypts HighLevel tokens at rest. Unset: a random key is
    /// created once in `$SWITCHBOARD_DATA_DIR/secret.key` (mode 0600).
    #[arg(long, env = "APP_SECRET_KEY", hide_env_values = true, value_parser = secret)]
    pub app_secret_key: Option<SecretString>,

    /// Most connections the server keeps open to Postgres.
    #[arg(long, env = "SWITCHBOARD_DB_MAX_CONNECTIONS", default_value_t = 10)]
    pub db_max_connections: u32,
}

/// Settings of the web server.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeConfig {
    /// Address the web server listens on.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub site_addr: SocketAddr,

    /// Seconds a request may take before it is answered with 408.
    #[arg(long, env = "SWITCHBOARD_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
}

fn secret(value: &str) -> Result<SecretString, Infallible> {
    Ok(SecretString::from(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Probe {
        #[command(flatten)]
        config: Config,
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let probe = Probe::parse_from([
            "probe",
            "--database-url",
            "postgres://u:hunter2@db/x",
            "--app-secret-key",
            "k3y-material",
        ]);
        let printed = format!("{:?}", probe.config);
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(!printed.contains("k3y-material"), "{printed}");
    }
}
