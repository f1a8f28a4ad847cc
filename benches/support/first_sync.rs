//! A location filled as its first sync fills it: the rollups deferred while
//! the cache is written, then counted once; and the database then left as
//! autovacuum leaves it soon after.

use std::time::{Duration, Instant};

use switchboard::cache::rollups;

/// Runs `fill` for `location` as a first sync writes its cache, then counts
/// the location's rollups; returns what `fill` gave and how long the count took.
pub async fn fill_then_count<T>(
    pool: &sqlx::PgPool,
    location: &str,
    fill: impl std::future::Future<Output = T>,
) -> (T, Duration) {
    rollups::defer(pool, location)
        .await
        .expect("rollups deferred");
    let filled = fill.await;
    let counting = Instant::now();
    rollups::count_deferred(pool, location)
        .await
        .expect("counted rollups");
    (filled, counting.elapsed())
}

/// What autovacuum does within a minute of a first sync (it vacuums a
/// table after inserts of a fifth of it): statistics, and pages marked all
/// visible so that reports read the rollups' indexes alone.
pub async fn vacuum_analyze(pool: &sqlx::PgPool) {
    sqlx::query("VACUUM ANALYZE")
        .execute(pool)
        .await
        .expect("vacuum");
}
