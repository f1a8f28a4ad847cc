//! One typed configuration, read from the environment (and `.env`) with defaults.
//!
//! Every variable is also a command-line flag, so `switchboard serve --help`
//! documents them. Secrets are wrapped in [`SecretString`]: their `Debug` output
//! is redacted, so the config can be logged safely.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;

use secrecy::SecretString;

/// The server's connections to Postgres unless told otherwise: a few per
/// core, since each answer's statements are short.
pub const DEFAULT_DB_CONNECTIONS: u32 = 10;

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

    /// The connections the server keeps open to Postgres.
    #[arg(long, env = "SWITCHBOARD_DB_MAX_CONNECTIONS", default_value_t = DEFAULT_DB_CONNECTIONS)]
    pub db_max_connections: u32,

    /// Postgres connection string of a read replica (a hot standby of
    /// `DATABASE_URL`'s database) that the dashboards and the team report
    /// read from, as many connections again. Unset: they read from the primary.
    #[arg(long, env = "REPORTS_DATABASE_URL", hide_env_values = true, value_parser = secret)]
    pub reports_database_url: Option<SecretString>,
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

    /// The address people use to reach Switchboard (scheme, host, port), for
    /// OAuth redirects and secure cookies. Default: `http://` + the listen address.
    #[arg(long, env = "SWITCHBOARD_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Run the background work in this process: token renewal, the webhook
    /// queue's worker and the sync scheduler. Turn it off for processes
    /// that only serve pages when several run side by side.
    #[arg(
        long,
        env = "SWITCHBOARD_BACKGROUND",
        default_value_t = true,
        action = clap::ArgAction::Set
    )]
    pub background: bool,

    /// Seconds an automation run stays claimed by the process running it,
    /// renewed every third of that while it runs. When that process stops,
    /// another takes its runs over once this has passed.
    #[arg(
        long,
        env = "SWITCHBOARD_RUN_LEASE_SECS",
        default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(3..)
    )]
    pub run_lease_secs: u64,

    /// Seconds between two looks of the automations' scheduler for
    /// schedules that are due: a tick runs at most this long after its
    /// minute. Every process with background work looks, and each tick
    /// still runs once.
    #[arg(
        long,
        env = "SWITCHBOARD_SCHEDULE_POLL_SECS",
        default_value_t = 5,
        value_parser = clap::value_parser!(u64).range(1..=60)
    )]
    pub schedule_poll_secs: u64,

    #[command(flatten)]
    pub inbound: InboundConfig,

    #[command(flatten)]
    pub outbound: OutboundConfig,

    #[command(flatten)]
    pub highlevel: HighLevelConfig,
}

/// The limits of the doors other systems knock at (webhooks), and how long
/// what they leave is kept.
#[derive(Debug, Clone, clap::Args)]
pub struct InboundConfig {
    /// Header a reverse proxy writes the client's address in (e.g.
    /// `X-Forwarded-For`; its last address is used). Unset: the TCP peer.
    #[arg(long, env = "SWITCHBOARD_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<String>,

    /// Webhook requests a minute from one address, with bursts of ten
    /// seconds' worth; more are answered 429 (HighLevel retries those).
    #[arg(
        long,
        env = "SWITCHBOARD_INBOUND_PER_SOURCE_PER_MINUTE",
        default_value_t = 3000
    )]
    pub per_source_per_minute: u32,

    /// Signed webhook events a minute for one connection, with bursts of ten
    /// seconds' worth; more are answered 429.
    #[arg(
        long,
        env = "SWITCHBOARD_INBOUND_PER_CONNECTION_PER_MINUTE",
        default_value_t = 6000
    )]
    pub per_connection_per_minute: u32,

    /// Days a handled event (applied, ignored, refused, failed) is kept.
    #[arg(long, env = "SWITCHBOARD_EVENT_RETENTION_DAYS", default_value_t = 30)]
    pub event_retention_days: u32,

    /// Days a finished automation run, with its steps, and a finished sync run are kept.
    #[arg(long, env = "SWITCHBOARD_RUN_RETENTION_DAYS", default_value_t = 30)]
    pub run_retention_days: u32,
}

/// Where deliveries to other apps may go.
#[derive(Debug, Clone, clap::Args)]
pub struct OutboundConfig {
    /// Let app connections send to private addresses: loopback, private
    /// networks, link-local (cloud metadata services), CGNAT and the like.
    /// Off, a base URL whose host resolves to any of them is refused, when
    /// saved and again before each delivery, so a connection's form cannot
    /// reach what only the server sees. Turn it on only when the apps live
    /// on your own network.
    #[arg(
        long = "outbound-allow-private",
        env = "SWITCHBOARD_OUTBOUND_ALLOW_PRIVATE",
        default_value_t = false,
        action = clap::ArgAction::Set
    )]
    pub allow_private: bool,
}

impl ServeConfig {
    /// The public URL without a trailing slash.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.site_addr))
            .trim_end_matches('/')
            .to_owned()
    }
}

/// How to reach HighLevel. With no OAuth client configured, Switchboard runs
/// in sandbox mode: it serves a simulated HighLevel itself under `/sandbox`.
#[derive(Debug, Clone, clap::Args)]
pub struct HighLevelConfig {
    /// Client id of your HighLevel Marketplace app. Unset: sandbox mode.
    #[arg(long, env = "HIGHLEVEL_CLIENT_ID")]
    pub client_id: Option<String>,

    /// Client secret of your HighLevel Marketplace app.
    #[arg(long, env = "HIGHLEVEL_CLIENT_SECRET", hide_env_values = true, value_parser = secret)]
    pub client_secret: Option<SecretString>,

    /// Redirect URL registered with your app. Default: the public URL + `/auth/callback`.
    #[arg(long, env = "HIGHLEVEL_REDIRECT_URI")]
    pub redirect_uri: Option<String>,

    /// Base URL of the HighLevel API.
    #[arg(
        long,
        env = "HIGHLEVEL_API_BASE",
        default_value = "https://services.leadconnectorhq.com"
    )]
    pub api_base: String,

    /// Base URL of HighLevel's consent page (`/oauth/chooselocation` is appended).
    #[arg(
        long,
        env = "HIGHLEVEL_AUTH_BASE",
        default_value = "https://marketplace.gohighlevel.com/v2"
    )]
    pub auth_base: String,

    /// Public key (PEM) that checks webhooks' `x-ghl-signature` (Ed25519).
    /// Default: the key HighLevel publishes. Sandbox mode uses the sandbox's.
    #[arg(long, env = "HIGHLEVEL_WEBHOOK_ED25519_KEY")]
    pub webhook_ed25519_key: Option<String>,

    /// Public key (PEM) that checks webhooks' `x-wh-signature` (RSA).
    /// Default: the key HighLevel publishes. Sandbox mode uses the sandbox's.
    #[arg(long, env = "HIGHLEVEL_WEBHOOK_RSA_KEY")]
    pub webhook_rsa_key: Option<String>,

    /// Contacts in the sandbox's first demo location.
    #[arg(long, env = "SWITCHBOARD_SANDBOX_CONTACTS", default_value_t = 2_000)]
    pub sandbox_contacts: usize,

    /// Seed of the sandbox's demo data: the same seed gives the same data.
    #[arg(long, env = "SWITCHBOARD_SANDBOX_SEED", default_value_t = 42)]
    pub sandbox_seed: u64,

    /// Serve sandbox mode on an address other than loopback. The sandbox
    /// lets anyone sign in to its demo data, so this must be asked for.
    #[arg(
        long,
        env = "SWITCHBOARD_SANDBOX_ON_NETWORK",
        default_value_t = false,
        action = clap::ArgAction::Set
    )]
    pub sandbox_on_network: bool,
}

/// HighLevel's published key for `x-ghl-signature` (Webhook Integration Guide).
pub const HIGHLEVEL_ED25519_PEM: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAi2HR1srL4o18O8BRa7gVJY7G7bupbN3H9AwJrHCDiOg=
-----END PUBLIC KEY-----";

/// HighLevel's published key for `x-wh-signature` (WebhookAuthentication.md).
pub const HIGHLEVEL_RSA_PEM: &str = "-----BEGIN PUBLIC KEY-----
MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAokvo/r9tVgcfZ5DysOSC
Frm602qYV0MaAiNnX9O8KxMbiyRKWeL9JpCpVpt4XHIcBOK4u3cLSqJGOLaPuXw6
dO0t6Q/ZVdAV5Phz+ZtzPL16iCGeK9po6D6JHBpbi989mmzMryUnQJezlYJ3DVfB
csedpinheNnyYeFXolrJvcsjDtfAeRx5ByHQmTnSdFUzuAnC9/GepgLT9SM4nCpv
uxmZMxrJt5Rw+VUaQ9B8JSvbMPpez4peKaJPZHBbU3OdeCVx5klVXXZQGNHOs8gF
3kvoV5rTnXV0IknLBXlcKKAQLZcY/Q9rG6Ifi9c+5vqlvHPCUJFT5XUGG5RKgOKU
J062fRtN+rLYZUV+BjafxQauvC8wSWeYja63VSUruvmNj8xkx2zE/Juc+yjLjTXp
IocmaiFeAO6fUtNjDeFVkhf5LNb59vECyrHD2SQIrhgXpO4Q3dVNA5rw576PwTzN
h/AMfHKIjE4xQA1SZuYJmNnmVZLIZBlQAF9Ntd03rfadZ+yDiOXCCs9FkHibELhC
HULgCsnuDJHcrGNd5/Ddm5hxGQ0ASitgHeMZ0kcIOwKDOzOU53lDza6/Y09T7sYJ
PQe7z0cvj7aE4B+Ax1ZoZGPzpJlZtGXCsu9aTEGEnKzmsFqwcSsnw3JB31IGKAyk
T1hhTiaCeIY/OwwwNUY2yvcCAwEAAQ==
-----END PUBLIC KEY-----";

/// The public keys (PEM) that webhook signatures are checked with.
#[derive(Debug, Clone)]
pub struct WebhookKeyPems {
    pub ed25519: String,
    pub rsa: String,
}

/// Where HighLevel sends people back after they consent.
pub const CALLBACK_PATH: &str = "/auth/callback";

/// Where the sandbox is mounted inside the app in sandbox mode.
pub const SANDBOX_PREFIX: &str = "/sandbox";

/// The HighLevel this server talks to, resolved from [`HighLevelConfig`].
#[derive(Debug, Clone)]
pub struct HighLevelTarget {
    pub sandbox: bool,
    pub api_base: String,
    pub auth_base: String,
    pub client_id: String,
    pub client_secret: SecretString,
    pub redirect_uri: String,
    /// The public keys webhook signatures are checked with.
    pub webhook_keys: WebhookKeyPems,
}

#[cfg(feature = "sandbox")]
impl HighLevelTarget {
    /// The sandbox served by this app at `public_url` + [`SANDBOX_PREFIX`].
    pub fn sandbox(public_url: &str) -> Self {
        let sandbox_base = format!("{public_url}{SANDBOX_PREFIX}");
        let client = switchboard_sandbox::OAuthClient::sandbox_default();
        Self {
            sandbox: true,
            api_base: sandbox_base.clone(),
            auth_base: sandbox_base,
            client_id: client.client_id,
            client_secret: SecretString::from(client.client_secret),
            redirect_uri: format!("{public_url}{CALLBACK_PATH}"),
            webhook_keys: WebhookKeyPems {
                ed25519: switchboard_sandbox::ed25519_public_key_pem().to_owned(),
                rsa: switchboard_sandbox::rsa_public_key_pem().to_owned(),
            },
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("HIGHLEVEL_CLIENT_ID is set, so {0} must be set too (or unset HIGHLEVEL_CLIENT_ID to use the sandbox)")]
pub struct IncompleteHighLevelConfig(&'static str);

impl HighLevelConfig {
    pub fn target(&self, public_url: &str) -> anyhow::Result<HighLevelTarget> {
        let Some(client_id) = self.client_id.clone() else {
            #[cfg(feature = "sandbox")]
            return Ok(HighLevelTarget::sandbox(public_url));
            #[cfg(not(feature = "sandbox"))]
            anyhow::bail!(
                "this build has no sandbox: set HIGHLEVEL_CLIENT_ID and HIGHLEVEL_CLIENT_SECRET"
            );
        };
        let redirect_uri = self
            .redirect_uri
            .clone()
            .unwrap_or_else(|| format!("{public_url}{CALLBACK_PATH}"));
        let client_secret = self
            .client_secret
            .clone()
            .ok_or(IncompleteHighLevelConfig("HIGHLEVEL_CLIENT_SECRET"))?;
        let webhook_keys = WebhookKeyPems {
            ed25519: self
                .webhook_ed25519_key
                .clone()
                .unwrap_or_else(|| HIGHLEVEL_ED25519_PEM.to_owned()),
            rsa: self
                .webhook_rsa_key
                .clone()
                .unwrap_or_else(|| HIGHLEVEL_RSA_PEM.to_owned()),
        };
        Ok(HighLevelTarget {
            sandbox: false,
            api_base: self.api_base.trim_end_matches('/').to_owned(),
            auth_base: self.auth_base.trim_end_matches('/').to_owned(),
            client_id,
            client_secret,
            redirect_uri,
            webhook_keys,
        })
    }
}

/// `scheme://host:port` of a URL, without its path.
pub fn origin_of(url: &str) -> &str {
    let host_start = url.find("://").map_or(0, |scheme| scheme + 3);
    url[host_start..]
        .find('/')
        .map_or(url, |path| &url[..host_start + path])
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
