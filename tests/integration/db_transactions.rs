//! A transaction whose caller goes away while Postgres answers its `BEGIN`
//! (a person closing the page mid-request) leaves nothing open on the
//! pooled connection: later statements on it must not run, and hold their
//! locks, inside a transaction nobody will end.

use std::time::{Duration, Instant};

use futures::FutureExt;
use sqlx::PgPool;

use crate::common;

#[tokio::test]
async fn a_cancelled_begin_leaves_no_transaction_open() {
    let (url, _) = common::test_db_url().await;
    let pool = switchboard::db::connect(&url, 1).await.unwrap();
    let observer = switchboard::db::connect(&url, 1).await.unwrap();

    // Polled until Postgres has run the BEGIN, never after: a caller of
    // `pool.begin()` has not read the answer when it goes away. (The task
    // `db::begin` starts may read it between two looks, and end sooner.)
    let mut begin = switchboard::db::begin(&pool).boxed();
    let deadline = Instant::now() + Duration::from_secs(10);
    while in_transaction(&observer).await == 0 && futures::poll!(&mut begin).is_pending() {
        assert!(
            Instant::now() < deadline,
            "the BEGIN never reached Postgres"
        );
        tokio::task::yield_now().await;
    }
    drop(begin);

    // The pool's one connection, in use once more and then idle.
    sqlx::query("SELECT 1").execute(&pool).await.unwrap();
    assert_eq!(
        in_transaction(&observer).await,
        0,
        "the pool's connection was left inside a transaction"
    );
}

/// Sessions of this database, other than the observer's, inside a
/// transaction that waits for its next statement.
async fn in_transaction(observer: &PgPool) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()
            AND state LIKE 'idle in transaction%'",
    )
    .fetch_one(observer)
    .await
    .unwrap()
}
