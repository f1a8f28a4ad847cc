//! Shared by the integration tests: a throw-away Postgres started from the
//! machine's binaries, once per test binary, with a fresh database per test.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use sqlx::PgPool;
use switchboard::db::{self, EmbeddedPostgres};

static CLUSTER: OnceLock<EmbeddedPostgres> = OnceLock::new();

fn cluster() -> &'static EmbeddedPostgres {
    CLUSTER.get_or_init(|| {
        switchboard::telemetry::init();
        let dir = scratch_dir();
        EmbeddedPostgres::start(&dir).expect("the test Postgres starts")
    })
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
