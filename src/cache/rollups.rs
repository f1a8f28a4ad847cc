//! The rollup tables behind the reports (see the migration
//! `report_rollups`): triggers append deltas as the cache is written; this
//! module folds them into settled rows, counts a location again (or for the
//! first time, after its first sync), and checks that what the triggers
//! kept equals a recount.

use std::collections::BTreeMap;

use sqlx::{Connection, PgPool};

/// Folds the deltas of `location_id` into its settled rows, so a report
/// reads one row per key.
pub async fn settle(db: &PgPool, location_id: &str) -> sqlx::Result<()> {
    sqlx::query("SELECT report_settle($1)")
        .bind(location_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Counts every rollup row of `location_id` again from the cache (the
/// nightly reconciliation does). Deltas written meanwhile by others are
/// kept: the recount reads one snapshot, and a session lock keeps settlers
/// of the location out until it is done.
pub async fn rebuild(db: &PgPool, location_id: &str) -> sqlx::Result<()> {
    let mut connection = locked(db, location_id, &[SETTLERS]).await?;
    recount(&mut connection, location_id, false).await
}

/// Stops the triggers from keeping the rollups of `location_id`, until
/// [`count_deferred`]: a first sync writes the whole cache in batches, and
/// counting it once at the end writes each rollup row once instead of a
/// pile of deltas to fold.
pub async fn defer(db: &PgPool, location_id: &str) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO report_uncounted (location_id) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind(location_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Whether the rollups of `location_id` wait for [`count_deferred`].
pub async fn deferred(db: &PgPool, location_id: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT NOT report_counted($1)")
        .bind(location_id)
        .fetch_one(db)
        .await
}

/// Counts the location's rollups from its cache, as settled rows, and has
/// the triggers keep them again from there. Writers of the location wait
/// meanwhile (once in its life, for a few seconds): a writer whose trigger
/// ran before saw the location uncounted, so its rows must be in the count's
/// snapshot; one that runs after must see it counted.
pub async fn count_deferred(db: &PgPool, location_id: &str) -> sqlx::Result<()> {
    // Writers first: a writer that changes the time zone takes the
    // settlers' lock after its own (see `report_rebuild`).
    let mut connection = locked(db, location_id, &[WRITERS, SETTLERS]).await?;
    recount(&mut connection, location_id, true).await
}

/// The advisory lock keys (with the location's) of who folds deltas, and
/// of who writes them (see `report_take_turn`).
const SETTLERS: &str = "report_rollups";
const WRITERS: &str = "report_links";

/// A connection holding the session locks `keys` of the location, taken
/// before any snapshot of its work. Closing it afterwards releases them,
/// whatever fails.
async fn locked(
    db: &PgPool,
    location_id: &str,
    keys: &[&str],
) -> sqlx::Result<sqlx::pool::PoolConnection<sqlx::Postgres>> {
    let mut connection = db.acquire().await?;
    connection.close_on_drop();
    for key in keys {
        sqlx::query("SELECT pg_advisory_lock(hashtext($1), hashtext($2))")
            .bind(key)
            .bind(location_id)
            .execute(&mut *connection)
            .await?;
    }
    Ok(connection)
}

async fn recount(
    connection: &mut sqlx::PgConnection,
    location_id: &str,
    first: bool,
) -> sqlx::Result<()> {
    let mut transaction = connection.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        .execute(&mut *transaction)
        .await?;
    sqlx::query("SELECT report_rebuild($1)")
        .bind(location_id)
        .execute(&mut *transaction)
        .await?;
    if first {
        sqlx::query("DELETE FROM report_uncounted WHERE location_id = $1")
            .bind(location_id)
            .execute(&mut *transaction)
            .await?;
    }
    transaction.commit().await
}

/// Each rollup row whose kept count differs from a recount of the cache,
/// as `table key: kept → recounted`. Nothing is changed: the recount is
/// rolled back.
pub async fn mismatches(db: &PgPool, location_id: &str) -> sqlx::Result<Vec<String>> {
    let mut connection = locked(db, location_id, &[SETTLERS]).await?;
    let mut transaction = connection.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        .execute(&mut *transaction)
        .await?;
    let kept = counts(&mut transaction, location_id).await?;
    sqlx::query("SELECT report_rebuild($1)")
        .bind(location_id)
        .execute(&mut *transaction)
        .await?;
    let recounted = counts(&mut transaction, location_id).await?;
    transaction.rollback().await?;
    let mut keys: Vec<&String> = kept.keys().chain(recounted.keys()).collect();
    keys.sort();
    keys.dedup();
    Ok(keys
        .into_iter()
        .filter_map(|key| {
            let (was, is) = (kept.get(key), recounted.get(key));
            (was != is).then(|| format!("{key}: {} → {}", or_zero(was), or_zero(is)))
        })
        .collect())
}

fn or_zero(count: Option<&i64>) -> i64 {
    count.copied().unwrap_or(0)
}

/// Every non-zero count of the location's rollups (in each table
/// `report_rollup_tables` lists), by table and key.
async fn counts(
    connection: &mut sqlx::PgConnection,
    location_id: &str,
) -> sqlx::Result<BTreeMap<String, i64>> {
    let tables: Vec<(String, String, String)> =
        sqlx::query_as("SELECT rollup, keys, counted FROM report_rollup_tables()")
            .fetch_all(&mut *connection)
            .await?;
    let mut all = BTreeMap::new();
    for (table, key, count) in tables {
        let sql = format!(
            "SELECT concat_ws(' / ', {key}), sum({count})::BIGINT FROM {table}
              WHERE location_id = $1 GROUP BY {key} HAVING sum({count}) <> 0"
        );
        let rows: Vec<(String, i64)> = sqlx::query_as(&sql)
            .bind(location_id)
            .fetch_all(&mut *connection)
            .await?;
        all.extend(
            rows.into_iter()
                .map(|(key, count)| (format!("{table} {key}"), count)),
        );
    }
    Ok(all)
}
