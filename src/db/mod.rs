//! The database: the connection pool, migrations, and the embedded default.

pub mod embedded;

use std::time::Duration;

use anyhow::Context;
use secrecy::ExposeSecret;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgPool};

use crate::config::Config;
pub use embedded::{cluster_dir, EmbeddedPostgres};

/// Name of the application database inside the embedded cluster.
pub const DATABASE_NAME: &str = "switchboard";

/// The pool, and the embedded server behind it when there is one.
pub struct Database {
    pub pool: PgPool,
    /// The read replica's pool (`REPORTS_DATABASE_URL`), when there is one.
    pub replica: Option<PgPool>,
    embedded: Option<EmbeddedPostgres>,
}

impl Database {
    /// Connects to `DATABASE_URL`, or starts the embedded Postgres when it is
    /// unset. Runs pending migrations either way.
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        let (url, embedded) = match &config.database_url {
            Some(url) => (url.expose_secret().to_owned(), None),
            None => {
                let data_dir = config.data_dir.clone();
                let server =
                    tokio::task::spawn_blocking(move || EmbeddedPostgres::start(&data_dir))
                        .await
                        .context("starting the embedded Postgres")??;
                create_database_if_missing(&server.url("postgres"), DATABASE_NAME).await?;
                (server.url(DATABASE_NAME), Some(server))
            }
        };
        let pool = connect_server(&url, config.db_max_connections).await?;
        migrate(&pool).await?;
        let replica = match &config.reports_database_url {
            Some(url) => {
                Some(connect_replica(url.expose_secret(), config.db_max_connections).await?)
            }
            None => None,
        };
        Ok(Self {
            pool,
            replica,
            embedded,
        })
    }

    /// What reports read from: the replica's pool, or the primary's.
    pub fn reports(&self) -> PgPool {
        self.replica.as_ref().unwrap_or(&self.pool).clone()
    }

    /// Closes the pools, then stops the embedded server if this process started it.
    pub async fn close(self) {
        if let Some(replica) = &self.replica {
            replica.close().await;
        }
        self.pool.close().await;
        if let Some(server) = self.embedded {
            let _ = tokio::task::spawn_blocking(move || server.stop()).await;
        }
    }
}

/// How long a pooled connection may sit idle before it is pinged again on
/// its way out of the pool.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(5);

/// A pool whose connection errors never echo the password back; it opens
/// connections as they are needed.
pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    open(url, max_connections, 0).await
}

/// The server's pool, which keeps every connection open: a burst of page
/// views would otherwise wait for Postgres to start a backend per
/// connection and warm its caches, the slowest views of a busy minute.
pub async fn connect_server(url: &str, connections: u32) -> anyhow::Result<PgPool> {
    open(url, connections, connections).await
}

/// Starts a transaction on `pool` that a cancelled caller cannot leave open.
///
/// sqlx 0.8 counts a transaction as begun only once Postgres has answered
/// its `BEGIN`. A caller dropped while it waits (a person leaving the page
/// mid-request) returns the connection to the pool inside a transaction
/// nobody ends, and every later statement on that connection runs in it and
/// keeps its locks (sqlx issue 4385, fixed after 0.8). So the `BEGIN` runs
/// on a task of its own, which completes it either way; a transaction whose
/// caller has gone is then dropped and rolled back as usual.
pub async fn begin(pool: &PgPool) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Postgres>> {
    let pool = pool.clone();
    tokio::spawn(async move { pool.begin().await })
        .await
        .map_err(|_| sqlx::Error::WorkerCrashed)?
}

async fn open(url: &str, max_connections: u32, min_connections: u32) -> anyhow::Result<PgPool> {
    let options: PgConnectOptions = url.parse().map_err(|_| {
        anyhow::anyhow!("the database URL is not a valid Postgres connection string")
    })?;
    let host = options.get_host().to_owned();
    PgPoolOptions::new()
        .max_connections(max_connections)
        .min_connections(min_connections)
        .acquire_timeout(Duration::from_secs(10))
        // sqlx pings every connection it hands out by default: one more
        // round trip to Postgres per query, about a tenth of a page's CPU
        // under load. A connection in steady use is known to work; one that
        // sat idle (Postgres may have restarted since) is still checked.
        .test_before_acquire(false)
        .before_acquire(|connection, meta| {
            Box::pin(async move {
                if meta.idle_for > IDLE_BEFORE_PING {
                    connection.ping().await?;
                }
                Ok(true)
            })
        })
        .connect_with(options)
        .await
        .with_context(|| format!("connecting to Postgres at {host}"))
}

/// The pool of a read replica, refused unless it is one: reports read
/// there what the primary wrote, so a primary given by mistake would only
/// hide the mistake.
async fn connect_replica(url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    let pool = connect_server(url, max_connections)
        .await
        .context("connecting to REPORTS_DATABASE_URL")?;
    let standby: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()")
        .fetch_one(&pool)
        .await?;
    anyhow::ensure!(
        standby,
        "REPORTS_DATABASE_URL is not a read replica (pg_is_in_recovery() is false); \
         point it at a hot standby of DATABASE_URL, or leave it unset"
    );
    Ok(pool)
}

/// Our migrations, then the session store's own table.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    sqlx::migrate!("./migrations")
        .run(pool)
        .await
        .context("running database migrations")?;
    tower_sessions_sqlx_store::PostgresStore::new(pool.clone())
        .migrate()
        .await
        .context("creating the session table")
}

/// `CREATE DATABASE` has no `IF NOT EXISTS`; check the catalogue first.
pub async fn create_database_if_missing(maintenance_url: &str, name: &str) -> anyhow::Result<()> {
    let pool = connect(maintenance_url, 1).await?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(&pool)
            .await?;
    if !exists {
        sqlx::query(&format!(
            "CREATE DATABASE \"{}\"",
            name.replace('"', "\"\"")
        ))
        .execute(&pool)
        .await
        .with_context(|| format!("creating database {name}"))?;
    }
    pool.close().await;
    Ok(())
}

/// Whether the database answers, and how long it took.
pub async fn ping(pool: &PgPool) -> Result<Duration, sqlx::Error> {
    let started = std::time::Instant::now();
    sqlx::query("SELECT 1").execute(pool).await?;
    Ok(started.elapsed())
}
