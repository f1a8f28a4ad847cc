//! Shared by the integration tests: a throw-away Postgres started from the
//! machine's binaries, once per test run, with a fresh database per test.

pub mod browser;

use std::path::PathBuf;
use std::sync::OnceLock;

use sqlx::PgPool;
use switchboard::db::{self, EmbeddedPostgres};

static CLUSTER: OnceLock<EmbeddedPostgres> = OnceLock::new();
static REPLICA: OnceLock<EmbeddedPostgres> = OnceLock::new();

fn cluster() -> &'static EmbeddedPostgres {
    CLUSTER.get_or_init(|| {
        switchboard::telemetry::init();
        let dir = scratch_dir();
        EmbeddedPostgres::start(&dir).expect("the test Postgres starts")
    })
}

/// A streaming replica of the test cluster (a hot standby), started once
/// per test run: every database made on the cluster appears on it.
pub fn replica() -> &'static EmbeddedPostgres {
    REPLICA.get_or_init(|| {
        let dir = scratch_dir().join("replica");
        EmbeddedPostgres::start_replica(&dir, cluster()).expect("the test replica starts")
    })
}

/// Waits until `replica` has replayed everything `primary` has written.
pub async fn caught_up(primary: &PgPool, replica: &PgPool) {
    let written: String = sqlx::query_scalar("SELECT pg_current_wal_lsn()::TEXT")
        .fetch_one(primary)
        .await
        .expect("the primary's place in its log");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let replayed: bool =
            sqlx::query_scalar("SELECT pg_last_wal_replay_lsn() >= $1::TEXT::pg_lsn")
                .bind(&written)
                .fetch_one(replica)
                .await
                .expect("the replica's place in its log");
        if replayed {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the replica did not replay {written}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

/// One folder per test process under the system temp folder; folders of
/// processes that are gone are removed first.
fn scratch_dir() -> PathBuf {
    let root = std::env::temp_dir().join("switchboard-tests");
    if let Ok(entries) = std::fs::read_dir(&root) {
        for entry in entries.flatten() {
            let pid = entry.file_name().to_string_lossy().parse::<u32>().ok();
            if pid.is_some_and(|pid| !PathBuf::from(format!("/proc/{pid}")).exists()) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let dir = root.join(std::process::id().to_string());
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// A child process (a sandbox, a server), killed when the test ends however
/// it ends.
pub struct Running(pub std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A loopback port nothing listens on, for a child process to serve on.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("an address").port()
}

/// A new, migrated database of its own for the calling test.
pub async fn test_db() -> PgPool {
    let (url, _) = test_db_url().await;
    let pool = db::connect(&url, 5)
        .await
        .expect("connect to the test database");
    db::migrate(&pool).await.expect("migrations apply");
    pool
}

/// A new empty database (not migrated): its URL and name.
pub async fn test_db_url() -> (String, String) {
    let cluster = cluster();
    let name = format!("test_{}", uuid::Uuid::new_v4().simple());
    db::create_database_if_missing(&cluster.url("postgres"), &name)
        .await
        .expect("create the test database");
    (cluster.url(&name), name)
}

/// An HTTP client for talking to servers under test.
pub fn http() -> reqwest::Client {
    switchboard::tls::install_crypto_provider();
    reqwest::Client::new()
}

/// Sends `request` and reads the answer as JSON.
pub async fn json_of(request: reqwest::RequestBuilder) -> serde_json::Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// An access token the sandbox mints for `location_id` with `scopes`,
/// without the consent flow.
pub async fn sandbox_token(base: &str, location_id: &str, scopes: &[&str]) -> String {
    let minted = json_of(
        http()
            .post(format!("{base}/sandbox/_sandbox/tokens"))
            .json(&serde_json::json!({"locationId": location_id, "scopes": scopes})),
    )
    .await;
    minted["access_token"].as_str().unwrap().to_owned()
}

/// Every request the sandbox has answered, oldest first.
pub async fn sandbox_ledger(base: &str) -> Vec<serde_json::Value> {
    let ledger = json_of(http().get(format!("{base}/sandbox/_sandbox/ledger"))).await;
    ledger["entries"].as_array().unwrap().clone()
}

/// A running app, served on a free loopback port.
pub struct TestApp {
    pub base: String,
    pub db: PgPool,
    pub vault: switchboard::auth::vault::Vault,
    pub highlevel: std::sync::Arc<switchboard::config::HighLevelTarget>,
    _scratch: tempfile::TempDir,
}

impl TestApp {
    /// A token store like the server's, over `pool` (another pool stands
    /// for another server process).
    pub fn tokens(&self, pool: PgPool) -> switchboard::auth::tokens::ConnectionTokens {
        switchboard::auth::tokens::ConnectionTokens::new(
            pool,
            self.vault.clone(),
            self.highlevel.clone(),
            switchboard::tls::http_client().unwrap(),
        )
    }

    /// Fills the cache the way the server does: a full sync of the location
    /// over HTTP, with the team's own token. Returns when the sync started
    /// and finished.
    pub async fn full_sync(
        &self,
        location_id: &str,
    ) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
        use switchboard::highlevel::{HighLevelClient, RateBudget, RateLimiter};
        let budget = RateBudget {
            per_window: 100_000,
            ..RateBudget::default()
        };
        let client = HighLevelClient::builder(
            self.highlevel.api_base.clone(),
            self.tokens(self.db.clone()),
        )
        .rate_limiter(RateLimiter::shared(self.db.clone(), budget))
        .build()
        .unwrap();
        let started = chrono::Utc::now();
        switchboard::sync::SyncEngine::new(self.db.clone(), client)
            .run(location_id, switchboard::sync::SyncKind::Full, "test")
            .await
            .unwrap();
        (started, chrono::Utc::now())
    }
}

/// Serves the app as `switchboard serve` builds it, in sandbox mode (the
/// simulated HighLevel, 50 contacts, mounted under `/sandbox`), over the
/// database of `db`, on a free loopback port. Background work is off but for
/// the webhook queue's and the automation runs' workers, so that tests decide when syncs and token
/// renewals happen.
pub async fn spawn_app(db: PgPool) -> TestApp {
    spawn_app_with(db, &[]).await
}

/// [`spawn_app`] with more command-line settings, e.g. lower limits.
pub async fn spawn_app_with(db: PgPool, settings: &[&str]) -> TestApp {
    use clap::Parser;
    use switchboard::config::{Config, ServeConfig};
    use switchboard::server::Application;

    #[derive(Parser)]
    struct Settings {
        #[command(flatten)]
        config: Config,
        #[command(flatten)]
        serve: ServeConfig,
    }

    let scratch = tempfile::tempdir().unwrap();
    let url = url_of(&db);
    let data_dir = scratch.path().to_string_lossy().into_owned();
    // As many connections as the caller's pool: the benches size it.
    let connections = db.options().get_max_connections().to_string();
    let mut arguments = vec![
        "switchboard",
        "--database-url",
        &url,
        "--data-dir",
        &data_dir,
        "--db-max-connections",
        &connections,
        "--background",
        "false",
        "--sandbox-contacts",
        "50",
    ];
    arguments.extend_from_slice(settings);
    let settings = Settings::parse_from(arguments);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app = Application::build(settings.config, settings.serve, listener)
        .await
        .unwrap();
    let base = format!("http://{}", app.address());
    let state = app.state().clone();
    switchboard::webhooks::spawn_worker(db.clone());
    switchboard::automations::worker::spawn(
        state.automation_services().unwrap(),
        switchboard::automations::worker::RunTiming::default(),
    );
    tokio::spawn(app.run_until(std::future::pending()));
    TestApp {
        base,
        db,
        vault: state.vault,
        highlevel: state.highlevel,
        _scratch: scratch,
    }
}

/// The connection URL of `db`'s database.
pub fn url_of(db: &PgPool) -> String {
    let options = db.connect_options();
    format!(
        "postgres://{}@{}:{}/{}",
        options.get_username(),
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap()
    )
}

/// The URL of database `name` in the shared test cluster.
pub fn cluster_url(name: &str) -> String {
    cluster().url(name)
}

/// Drops database `name` of the shared test cluster, ending whatever is
/// still connected to it.
pub async fn drop_database(name: &str) {
    let admin = sqlx::PgPool::connect(&cluster_url("postgres"))
        .await
        .expect("the cluster's own database");
    sqlx::query(&format!(r#"DROP DATABASE "{name}" WITH (FORCE)"#))
        .execute(&admin)
        .await
        .expect("drop the database");
}
