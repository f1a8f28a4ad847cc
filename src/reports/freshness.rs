//! How fresh the cache of a team is, and whether there is anything in it.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::model::DataState;

/// When the location's cache was last brought in step with HighLevel: the
/// start of the last successful sync run, else (rows written by webhooks
/// only) the newest write.
pub async fn last_synced(
    db: &PgPool,
    location_id: &str,
    newest_write: Option<DateTime<Utc>>,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    let run = crate::sync::last_synced_at(db, location_id).await?;
    Ok(run.or(newest_write))
}

/// When anything last reached the location's cache (a sync or a webhook):
/// the newest `synced_at` of its tables, each read through its
/// `(location_id, synced_at)` index. A report computed before it is stale.
pub async fn newest_write(db: &PgPool, location_id: &str) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar(
        "SELECT max(at) FROM (
            SELECT max(synced_at) AS at FROM cache_contacts WHERE location_id = $1
            UNION ALL SELECT max(synced_at) FROM cache_tasks WHERE location_id = $1
            UNION ALL SELECT max(synced_at) FROM cache_appointments WHERE location_id = $1
            UNION ALL SELECT max(synced_at) FROM cache_notes WHERE location_id = $1
            UNION ALL SELECT max(synced_at) FROM cache_users WHERE location_id = $1
            UNION ALL SELECT max(synced_at) FROM cache_calendars WHERE location_id = $1
            UNION ALL SELECT max(synced_at) FROM cache_businesses WHERE location_id = $1
         ) AS tables",
    )
    .bind(location_id)
    .fetch_one(db)
    .await
}

/// Not connected, connected but empty, or ready to report on.
pub async fn data_state(
    db: &PgPool,
    location_id: &str,
    synced: Option<DateTime<Utc>>,
) -> sqlx::Result<DataState> {
    if synced.is_some() {
        return Ok(DataState::Ready);
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
