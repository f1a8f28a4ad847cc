//! Two server processes (two engines, each with its own pool) on one
//! Postgres: one sync of a location at a time, and together they stay
//! inside the location's rate budget, so the sandbox never answers 429.

use crate::common;
use crate::sync_support;

use std::time::Duration;

use futures::future::join;
use secrecy::SecretString;
use switchboard::highlevel::{HighLevelClient, RateBudget, RateLimiter, RequestLog, StaticToken};
use switchboard::sync::{SyncEngine, SyncError, SyncKind};
use sync_support::{assert_cache_matches, sandbox};

/// The sandbox's limits, which the processes' budget also starts from.
const BURST: u32 = 40;
const WINDOW: Duration = Duration::from_secs(2);

fn budget() -> RateBudget {
    RateBudget {
        per_window: BURST,
        window: WINDOW,
        ..RateBudget::default()
    }
}

fn client(pool: &sqlx::PgPool, sandbox: &sync_support::Sandbox) -> HighLevelClient {
    HighLevelClient::builder(
        sandbox.base(),
        StaticToken::new(SecretString::from(sandbox.token.clone())),
    )
    .rate_limiter(RateLimiter::shared(pool.clone(), budget()))
    .request_log(RequestLog::new(pool.clone()))
    .build()
    .unwrap()
}

#[tokio::test]
async fn two_processes_never_sync_a_location_twice_nor_exceed_its_budget() {
    let (url, _) = common::test_db_url().await;
    let first_pool = switchboard::db::connect(&url, 5).await.unwrap();
    switchboard::db::migrate(&first_pool).await.unwrap();
    let second_pool = switchboard::db::connect(&url, 5).await.unwrap();
    let sandbox = sandbox(120, Some((BURST, WINDOW))).await;
    let location = sandbox.location_id.clone();
    let first = SyncEngine::new(first_pool.clone(), client(&first_pool, &sandbox));
    let second = SyncEngine::new(second_pool.clone(), client(&second_pool, &sandbox));

    let (a, b) = join(first.run(&location, SyncKind::Full, "test"), async {
        // Let the first one take the lock.
        tokio::time::sleep(Duration::from_millis(300)).await;
        second.run(&location, SyncKind::Full, "test").await
    })
    .await;
    let summary = a.unwrap();
    assert!(summary.succeeded, "{:?}", summary.error);
    assert!(matches!(b, Err(SyncError::Busy)), "{b:?}");

    // Both processes at once: one polls while the other reads contacts for
    // its pages, all from the same budget.
    let reader = client(&second_pool, &sandbox);
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM cache_contacts WHERE location_id = $1 LIMIT 60")
            .bind(&location)
            .fetch_all(&second_pool)
            .await
            .unwrap();
    let all_notes: Vec<String> =
        sqlx::query_scalar("SELECT id FROM cache_contacts WHERE location_id = $1")
            .bind(&location)
            .fetch_all(&first_pool)
            .await
            .unwrap();
    switchboard::sync::request_contact_refresh(&first_pool, &location, &all_notes)
        .await
        .unwrap();
    let reads = async {
        futures::future::join_all(ids.iter().map(|id| reader.get_contact(&location, id))).await
    };
    let (poll, reads) = join(first.run(&location, SyncKind::Incremental, "test"), reads).await;
    let poll = poll.unwrap();
    assert!(poll.succeeded, "{:?}", poll.error);
    assert!(reads.iter().all(Result::is_ok));

    let refused: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM highlevel_request_log WHERE status = 429 OR error_kind = 'rate_limited'",
    )
    .fetch_one(&first_pool)
    .await
    .unwrap();
    let sent: i64 = sqlx::query_scalar("SELECT count(*) FROM highlevel_request_log")
        .fetch_one(&first_pool)
        .await
        .unwrap();
    assert!(sent > 300, "{sent} requests");
    assert_eq!(
        refused, 0,
        "the sandbox answered 429 to {refused} of {sent} requests"
    );
    assert_cache_matches(&first_pool, &sandbox).await;
}
