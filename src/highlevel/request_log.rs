//! The history of requests sent to HighLevel, in Postgres: what was asked
//! (method, path, operation), of which location, how it went (status,
//! latency, HighLevel's trace id). Never a token, a header or a body, and no
//! query string, which can carry an email or a phone number.
//!
//! Old rows are pruned as new ones are written, so the table stays bounded.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::error::HighLevelError;

/// How long entries are kept unless configured otherwise.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// Prune once every this many writes: often enough to stay bounded, rarely
/// enough to cost nothing noticeable.
const PRUNE_EVERY: u64 = 500;

/// One attempt at one request, as it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub location_id: String,
    pub operation_id: String,
    pub method: String,
    /// The path only, without query string.
    pub path: String,
    /// `None` when no answer came.
    pub status: Option<u16>,
    pub latency: Duration,
    pub attempt: u32,
    pub trace_id: Option<String>,
    pub error_kind: Option<&'static str>,
}

/// An entry read back from the log.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LoggedRequest {
    pub id: i64,
    pub sent_at: DateTime<Utc>,
    pub location_id: String,
    pub operation_id: String,
    pub method: String,
    pub path: String,
    pub status: Option<i16>,
    pub latency_ms: i32,
    pub attempt: i16,
    pub trace_id: Option<String>,
    pub error_kind: Option<String>,
}

/// Writes the request log; cheap to clone.
#[derive(Debug, Clone)]
pub struct RequestLog {
    pool: PgPool,
    retention: Duration,
    writes: Arc<AtomicU64>,
}

impl RequestLog {
    pub fn new(pool: PgPool) -> Self {
        RequestLog {
            pool,
            retention: DEFAULT_RETENTION,
            writes: Arc::default(),
        }
    }

    /// Keep entries this long.
    pub fn with_retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// Writes one entry, pruning old ones every so often.
    pub async fn record(&self, record: &RequestRecord) -> Result<(), HighLevelError> {
        sqlx::query(
            r"INSERT INTO highlevel_request_log
             (location_id, operation_id, method, path, status, latency_ms, attempt, trace_id, error_kind)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&record.location_id)
        .bind(&record.operation_id)
        .bind(&record.method)
        .bind(&record.path)
        .bind(record.status.and_then(|status| i16::try_from(status).ok()))
        .bind(i32::try_from(record.latency.as_millis()).unwrap_or(i32::MAX))
        .bind(i16::try_from(record.attempt).unwrap_or(i16::MAX))
        .bind(&record.trace_id)
        .bind(record.error_kind)
        .execute(&self.pool)
        .await?;
        if self.writes.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.prune().await?;
        }
        Ok(())
    }

    /// Deletes entries older than the retention; returns how many.
    pub async fn prune(&self) -> Result<u64, HighLevelError> {
        let deleted = sqlx::query(
            "DELETE FROM highlevel_request_log WHERE sent_at < now() - make_interval(secs => $1)",
        )
        .bind(self.retention.as_secs_f64())
        .execute(&self.pool)
        .await?;
        Ok(deleted.rows_affected())
    }

    /// The newest entries of a location, newest first.
    pub async fn recent(
        &self,
        location_id: &str,
        limit: u32,
    ) -> Result<Vec<LoggedRequest>, HighLevelError> {
        let rows = sqlx::query_as::<_, LoggedRequest>(
            r"SELECT id, sent_at, location_id, operation_id, method, path, status, latency_ms,
             attempt, trace_id, error_kind
             FROM highlevel_request_log WHERE location_id = $1
             ORDER BY sent_at DESC, id DESC LIMIT $2",
        )
        .bind(location_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}
