//! How fresh the cache of a team is, and whether there is anything in it.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::memo::Version;
use super::model::DataState;
use crate::cache::rollups;
use crate::sync;

/// What an answer kept for the location depends on at `now`: the newest
/// write to its cache, and when it was last brought in step with HighLevel
/// (the start of the last successful sync run; none while the first runs).
pub async fn version(db: &PgPool, location_id: &str, now: DateTime<Utc>) -> sqlx::Result<Version> {
    static STATEMENT: LazyLock<String> = LazyLock::new(|| format!("SELECT {}", *VERSION_COLUMNS));
    let (newest_write, last_run): (Option<DateTime<Utc>>, Option<DateTime<Utc>>) =
        sqlx::query_as(STATEMENT.as_str())
            .bind(location_id)
            .fetch_one(db)
            .await?;
    Ok(Version::new([newest_write, last_run], now))
}

/// The two columns a [`Version`] of location `$1` is read from, for a
/// statement that reads other things too (the caller's look-up, which every
/// page makes first): the newest `synced_at` of each cache table, each
/// through its `(location_id, synced_at)` index, and the last run as
/// [`sync::last_synced_at`] reads it.
pub static VERSION_COLUMNS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "(SELECT max(at) FROM (
            SELECT max(synced_at) AS at FROM cache_contacts WHERE location_id = $1
            UNION ALL SELECT max(synced_at) FROM cache_tasks WHERE location_id = $1
            UNION ALL SELECT max(synced_at) FROM cache_appointments WHERE location_id = $1
            UNION ALL SELECT max(synced_at) FROM cache_notes WHERE location_id = $1
            UNION ALL SELECT max(synced_at) FROM cache_users WHERE location_id = $1
            UNION ALL SELECT max(synced_at) FROM cache_calendars WHERE location_id = $1
            UNION ALL SELECT max(synced_at) FROM cache_businesses WHERE location_id = $1
          ) AS tables),
         {}",
        sync::LAST_SYNCED_AT_SQL
    )
});

/// Not connected, connected but not yet counted, or ready to report on.
pub async fn data_state(
    db: &PgPool,
    location_id: &str,
    synced: Option<DateTime<Utc>>,
) -> sqlx::Result<DataState> {
    if synced.is_some() {
        // A first sync writes the whole cache before it counts the rollups
        // the reports read: until then every figure would show zero.
        return Ok(if rollups::deferred(db, location_id).await? {
            DataState::NotSynced
        } else {
            DataState::Ready
        });
    }
    let connected: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM connections WHERE location_id = $1)")
            .bind(location_id)
            .fetch_one(db)
            .await?;
    Ok(if connected {
        DataState::NotSynced
    } else {
        DataState::NotConnected
    })
}
