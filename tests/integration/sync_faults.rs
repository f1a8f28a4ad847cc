//! A sync against a sandbox that fails one request in ten with a 5xx, sends
//! bursts of 429 and drops webhooks: after the full sync, changes, a poll
//! and a reconciliation, the cache equals the sandbox's data.

use crate::common;
use crate::sync_support;

use reqwest::Method;
use serde_json::json;
use switchboard::sync::SyncKind;
use sync_support::{assert_cache_matches, engine, fast_budget, sandbox};

#[tokio::test]
async fn errors_429_bursts_and_lost_webhooks_still_end_with_an_exact_cache() {
    let pool = common::test_db().await;
    let sandbox = sandbox(250, None).await;
    let location = sandbox.location_id.clone();
    let faults = json!({"errorRatio": 0.1, "errorStatus": 503, "rateLimitedRequests": 12, "dropWebhookRatio": 0.5});
    sandbox.control(Method::POST, "faults", faults).await;
    let engine = engine(&pool, &sandbox, fast_budget());

    let full = engine.run(&location, SyncKind::Full, "test").await.unwrap();
    assert!(full.succeeded, "{:?}", full.error);

    // Changes whose webhooks may be lost: nothing tells the engine which
    // contacts' tasks and notes changed, so only the reconciliation can
    // bring those in. Contacts and appointments come with the poll.
    sandbox.simulate("contacts", "update", 6).await;
    sandbox.simulate("contacts", "create", 4).await;
    sandbox.simulate("contacts", "delete", 3).await;
    sandbox.simulate("appointments", "update", 4).await;
    sandbox.simulate("tasks", "create", 3).await;
    sandbox.simulate("tasks", "delete", 2).await;
    sandbox
        .control(Method::POST, "faults", json!({"rateLimitedRequests": 12}))
        .await;

    let poll = engine
        .run(&location, SyncKind::Incremental, "test")
        .await
        .unwrap();
    assert!(poll.succeeded, "{:?}", poll.error);
    let reconcile = engine
        .run(&location, SyncKind::Reconcile, "test")
        .await
        .unwrap();
    assert!(reconcile.succeeded, "{:?}", reconcile.error);

    sandbox.control(Method::DELETE, "faults", json!({})).await;
    // Notes are read per contact: those of unchanged contacts are not
    // re-read by a reconciliation, and none changed here.
    assert_cache_matches(&pool, &sandbox).await;
    let failed_runs: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sync_runs WHERE status <> 'succeeded'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(failed_runs, 0);
}
