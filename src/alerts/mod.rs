//! In-app alerts: raised by automations for the whole team or one person,
//! read behind the bell. Each person's read state is how far they have
//! read, so opening the bell is one write whatever the count.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// An alert to raise.
#[derive(Debug, Clone)]
pub struct NewAlert<'a> {
    pub location_id: &'a str,
    /// One person of the team; `None` for everyone.
    pub user_id: Option<i64>,
    pub title: &'a str,
    pub body: &'a str,
    pub run_id: Option<i64>,
    /// Raises it once: a second raise with the same origin is the first.
    pub origin: &'a str,
}

/// Raises `alert` unless its origin already did; the alert's id.
pub async fn raise(db: &PgPool, alert: &NewAlert<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        r"WITH made AS (
              INSERT INTO alerts (location_id, user_id, title, body, run_id, origin)
              VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (origin) DO NOTHING RETURNING id)
          SELECT id FROM made UNION ALL SELECT id FROM alerts WHERE origin = $6 LIMIT 1",
    )
    .bind(alert.location_id)
    .bind(alert.user_id)
    .bind(alert.title)
    .bind(alert.body)
    .bind(alert.run_id)
    .bind(alert.origin)
    .fetch_one(db)
    .await
}

/// One alert, as the bell lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Alert {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub run_id: Option<i64>,
    pub personal: bool,
    pub unread: bool,
    pub created_at: DateTime<Utc>,
}

/// How many alerts person `$2` of team `$1` has not read, as a scalar
/// subquery: a request reads it with its caller (`caller::look_up`)
/// rather than in a statement of its own.
pub const UNREAD_COUNT: &str = r"(SELECT count(*) FROM alerts a
      WHERE a.location_id = $1 AND (a.user_id IS NULL OR a.user_id = $2)
        AND a.id > COALESCE((SELECT read_up_to FROM alert_reads
                              WHERE user_id = $2 AND location_id = $1), 0))";

/// The newest `limit` alerts of `user_id` in the team, newest first.
pub async fn recent(
    db: &PgPool,
    location_id: &str,
    user_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<Alert>> {
    sqlx::query_as(
        r"SELECT a.id, a.title, a.body, a.run_id, a.user_id IS NOT NULL AS personal,
                 a.id > COALESCE(r.read_up_to, 0) AS unread, a.created_at
            FROM alerts a
            LEFT JOIN alert_reads r ON r.user_id = $2 AND r.location_id = $1
           WHERE a.location_id = $1 AND (a.user_id IS NULL OR a.user_id = $2)
           ORDER BY a.id DESC LIMIT $3",
    )
    .bind(location_id)
    .bind(user_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Marks read every alert of the team up to `up_to` for `user_id`.
pub async fn mark_read(
    db: &PgPool,
    location_id: &str,
    user_id: i64,
    up_to: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        r"INSERT INTO alert_reads (user_id, location_id, read_up_to) VALUES ($1, $2, $3)
          ON CONFLICT (user_id, location_id)
          DO UPDATE SET read_up_to = GREATEST(alert_reads.read_up_to, EXCLUDED.read_up_to)",
    )
    .bind(user_id)
    .bind(location_id)
    .bind(up_to)
    .execute(db)
    .await?;
    Ok(())
}
