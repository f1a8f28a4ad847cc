//! The health endpoint, served by the real router against a real Postgres.

use crate::common;

async fn spawn_app(db: sqlx::PgPool) -> String {
    common::spawn_app(db).await.base
}

#[tokio::test]
async fn healthz_reports_a_reachable_database() {
    let db = common::test_db().await;
    let base = spawn_app(db).await;
    let response = common::http()
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"]["reachable"], true);
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn healthz_says_degraded_when_the_database_is_gone() {
    let db = common::test_db().await;
    let name = db.connect_options().get_database().unwrap().to_owned();
    let base = spawn_app(db.clone()).await;
    db.close().await;
    // The server's own pool loses its database.
    common::drop_database(&name).await;
    let response = common::http()
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["database"]["reachable"], false);
}

#[tokio::test]
async fn unknown_pages_answer_404_with_the_product_page() {
    let db = common::test_db().await;
    let base = spawn_app(db).await;
    let response = common::http()
        .get(format!("{base}/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("We couldn&#x27;t find that page")
            || html.contains("We couldn't find that page"),
        "{html}"
    );
}
