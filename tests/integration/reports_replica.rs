//! With `REPORTS_DATABASE_URL`, the dashboards read from a real streaming
//! replica of the test cluster, and show what it has replayed.

use chrono::Utc;
use clap::Parser;
use serde_json::json;
use switchboard::cache::{self, ContactRecord};
use switchboard::config::Config;
use switchboard::db::{self, Database};
use switchboard::reports::model::Overview;

use crate::common::{self, browser::demo_locations, browser::Browser};

async fn contacts_shown(browser: &Browser) -> i64 {
    let response = browser.call("reports/overview", &[("period", "30d")]).await;
    assert_eq!(response.status(), 200);
    let overview: Overview = response.json().await.unwrap();
    overview.figures.contacts_total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_read_what_the_replica_has_replayed() {
    let (url, name) = common::test_db_url().await;
    let db = db::connect(&url, 5).await.unwrap();
    db::migrate(&db).await.unwrap();
    let standby = db::connect(&common::replica().url("postgres"), 1)
        .await
        .unwrap();
    common::caught_up(&db, &standby).await;
    let replica_url = common::replica().url(&name);
    let app = common::spawn_app_with(db.clone(), &["--reports-database-url", &replica_url]).await;
    let (location, users) = demo_locations(&app.base).await.swap_remove(0);
    let browser = Browser::new(&app.base);
    let consent = browser.start_sign_in(false).await;
    browser.consent(&consent, &location, &users[0]).await;
    app.full_sync(&location).await;
    common::caught_up(&db, &standby).await;
    let counted: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cache_contacts WHERE location_id = $1 AND deleted_at IS NULL",
    )
    .bind(&location)
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(counted > 0);
    assert_eq!(contacts_shown(&browser).await, counted);

    // With the replay paused, a contact written on the primary is not on
    // the replica yet, and the dashboard shows what the replica has.
    sqlx::query("SELECT pg_wal_replay_pause()")
        .execute(&standby)
        .await
        .unwrap();
    let newcomer = ContactRecord::from_document(
        &location,
        json!({"id": "replica-newcomer", "firstName": "Nina", "dateAdded": Utc::now().to_rfc3339()}),
    )
    .unwrap();
    cache::upsert(&db, &[newcomer]).await.unwrap();
    assert_eq!(
        contacts_shown(&browser).await,
        counted,
        "read from the replica"
    );
    let health = common::json_of(common::http().get(format!("{}/healthz", app.base))).await;
    assert_eq!(health["status"], "ok");
    assert_eq!(health["reports_replica"]["reachable"], true);
    let lag = health["reports_replica"]["replay_lag_bytes"]
        .as_i64()
        .unwrap();
    assert!(lag > 0, "{health}");

    sqlx::query("SELECT pg_wal_replay_resume()")
        .execute(&standby)
        .await
        .unwrap();
    common::caught_up(&db, &standby).await;
    assert_eq!(contacts_shown(&browser).await, counted + 1, "replayed");
}

#[tokio::test]
async fn a_primary_given_as_the_replica_is_refused() {
    #[derive(Parser)]
    struct Settings {
        #[command(flatten)]
        config: Config,
    }
    let (url, _) = common::test_db_url().await;
    let scratch = tempfile::tempdir().unwrap();
    let data_dir = scratch.path().to_string_lossy().into_owned();
    let settings = Settings::parse_from([
        "switchboard",
        "--database-url",
        &url,
        "--reports-database-url",
        &url,
        "--data-dir",
        &data_dir,
    ]);
    let Err(error) = Database::open(&settings.config).await else {
        panic!("a primary was taken for a replica");
    };
    let message = format!("{error:#}");
    assert!(
        message.contains("REPORTS_DATABASE_URL is not a read replica"),
        "{message}"
    );
}
