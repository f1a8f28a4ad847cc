//! The inbox table `highlevel_webhooks`: storing what arrived, claiming due
//! events, and recording how each attempt ended.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgExecutor, PgPool};

/// The channel a stored event is announced on, so idle workers in every
/// process wake at once instead of at their next poll.
pub const CHANNEL: &str = "highlevel_webhooks";

/// Attempts before an event is marked failed.
pub const MAX_ATTEMPTS: i32 = 5;

/// Where a stored event stands: the `status` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum EventStatus {
    /// Accepted, waiting for a worker (again, after a failed attempt).
    Queued,
    /// Claimed by a worker under a lease.
    Processing,
    /// Applied to the cache.
    Done,
    /// Every attempt failed; an owner or admin can retry it.
    Failed,
    /// Refused at the door (signature, JSON, age, a repeated webhookId).
    Rejected,
    /// Stored, but of a type Switchboard does not use.
    Ignored,
}

impl EventStatus {
    /// The column's text, which the Events page filters and labels by.
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Queued => "queued",
            EventStatus::Processing => "processing",
            EventStatus::Done => "done",
            EventStatus::Failed => "failed",
            EventStatus::Rejected => "rejected",
            EventStatus::Ignored => "ignored",
        }
    }
}

/// A request to keep, accepted or not.
#[derive(Debug)]
pub struct NewEvent<'a> {
    pub webhook_id: Option<String>,
    pub raw_body: &'a [u8],
    pub headers: Value,
    pub scheme: Option<&'static str>,
    pub verified: bool,
    pub location_id: Option<String>,
    pub event_type: Option<String>,
    pub event_at: Option<DateTime<Utc>>,
    pub status: EventStatus,
    pub status_detail: String,
}

/// How storing went.
#[derive(Debug, PartialEq, Eq)]
pub enum Stored {
    Saved(i64),
    /// An accepted event with the same webhookId is already stored.
    Repeated,
}

/// Stores `event`. An accepted event whose webhookId is taken is not stored
/// again: the caller records the repeat as rejected.
pub async fn insert(db: &PgPool, event: &NewEvent<'_>) -> Result<Stored, sqlx::Error> {
    let id: Option<i64> = sqlx::query_scalar(
        r"INSERT INTO highlevel_webhooks (webhook_id, raw_body, headers, signature_scheme, verified,
         location_id, event_type, event_at, status, status_detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (webhook_id) WHERE status <> 'rejected' DO NOTHING RETURNING id",
    )
    .bind(&event.webhook_id)
    .bind(event.raw_body)
    .bind(&event.headers)
    .bind(event.scheme)
    .bind(event.verified)
    .bind(&event.location_id)
    .bind(&event.event_type)
    .bind(event.event_at)
    .bind(event.status)
    .bind(&event.status_detail)
    .fetch_optional(db)
    .await?;
    let Some(id) = id else {
        return Ok(Stored::Repeated);
    };
    // The event is stored either way; a worker that misses the call finds it
    // at its next poll.
    if event.status == EventStatus::Queued {
        if let Err(error) = announce(db).await {
            tracing::warn!(%error, "announcing a stored webhook event");
        }
    }
    Ok(Stored::Saved(id))
}

/// Wakes the workers listening on [`CHANNEL`].
pub async fn announce<'e>(db: impl PgExecutor<'e>) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, '')")
        .bind(CHANNEL)
        .execute(db)
        .await?;
    Ok(())
}

/// An event a worker holds until its lease runs out.
#[derive(Debug, sqlx::FromRow)]
pub struct ClaimedEvent {
    pub id: i64,
    pub raw_body: Vec<u8>,
    pub location_id: Option<String>,
    pub event_type: Option<String>,
    pub event_at: Option<DateTime<Utc>>,
    pub received_at: DateTime<Utc>,
    pub attempts: i32,
}

/// Claims up to `limit` due events for `worker`: queued ones whose time has
/// come, and ones whose claimer let the lease run out (its process stopped).
/// Other workers skip the rows being claimed instead of waiting for them.
pub async fn claim(
    db: &PgPool,
    worker: &str,
    limit: i64,
    lease_secs: f64,
) -> Result<Vec<ClaimedEvent>, sqlx::Error> {
    sqlx::query_as(
        r"UPDATE highlevel_webhooks w
         SET status = 'processing', claimed_by = $1, attempts = w.attempts + 1,
             lease_until = now() + make_interval(secs => $3)
         FROM (SELECT id FROM highlevel_webhooks
               WHERE (status = 'queued' AND next_attempt_at <= now())
                  OR (status = 'processing' AND lease_until < now() AND attempts < $4)
               ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED) due
         WHERE w.id = due.id
         RETURNING w.id, w.raw_body, w.location_id, w.event_type, w.event_at, w.received_at, w.attempts",
    )
    .bind(worker)
    .bind(limit)
    .bind(lease_secs)
    .bind(MAX_ATTEMPTS)
    .fetch_all(db)
    .await
}

/// Extends the leases of the events `worker` is applying.
pub async fn renew_leases(db: &PgPool, worker: &str, lease_secs: f64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        r"UPDATE highlevel_webhooks SET lease_until = now() + make_interval(secs => $2)
         WHERE claimed_by = $1 AND status = 'processing'",
    )
    .bind(worker)
    .bind(lease_secs)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Gives up on events whose process stopped while applying them on every
/// attempt: something in them stops the server, so they are not tried again
/// until someone retries them from the Events page.
pub async fn fail_abandoned(db: &PgPool) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        r"UPDATE highlevel_webhooks SET status = 'failed', claimed_by = NULL, lease_until = NULL,
         error = 'The server stopped while applying this event on every attempt.'
         WHERE status = 'processing' AND lease_until < now() AND attempts >= $1",
    )
    .bind(MAX_ATTEMPTS)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// How an attempt ended.
#[derive(Debug)]
pub enum Ending {
    Done(Value),
    Ignored(String),
    /// Try again after `retry_in_secs`, or fail when attempts are used up.
    Error {
        message: String,
        retry_in_secs: f64,
    },
    /// Trying again cannot help.
    Failed(String),
}

/// Records how `worker`'s attempt at event `id` ended; false when the lease
/// was lost to another worker meanwhile (the caller then rolls back).
pub async fn finish(
    conn: &mut PgConnection,
    id: i64,
    worker: &str,
    ending: &Ending,
) -> Result<bool, sqlx::Error> {
    let (status, detail, error, outcome, delay) = match ending {
        Ending::Done(outcome) => (EventStatus::Done, "", None, Some(outcome), 0.0),
        Ending::Ignored(detail) => (EventStatus::Ignored, detail.as_str(), None, None, 0.0),
        Ending::Error {
            message,
            retry_in_secs,
        } => (EventStatus::Queued, "", Some(message), None, *retry_in_secs),
        Ending::Failed(message) => (EventStatus::Failed, "", Some(message), None, 0.0),
    };
    let done = sqlx::query(
        r"UPDATE highlevel_webhooks SET
           status = CASE WHEN $3 = 'queued' AND attempts >= $8 THEN 'failed' ELSE $3 END,
           status_detail = $4, error = $5, outcome = $6,
           next_attempt_at = now() + make_interval(secs => $7),
           processed_at = CASE WHEN $3 = 'queued' THEN processed_at ELSE now() END,
           claimed_by = NULL, lease_until = NULL
         WHERE id = $1 AND claimed_by = $2 AND status = 'processing'",
    )
    .bind(id)
    .bind(worker)
    .bind(status)
    .bind(detail)
    .bind(error)
    .bind(outcome)
    .bind(delay)
    .bind(MAX_ATTEMPTS)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Which events a team sees: those of its own location, and no other.
/// Events of a location no team uses are seen by no team (the operator's
/// `switchboard events` lists them).
const VISIBLE: &str = "w.location_id = $1";

/// One stored event as the Events page lists it (no body, no headers).
#[derive(Debug, sqlx::FromRow)]
pub struct Listed {
    pub id: i64,
    pub received_at: DateTime<Utc>,
    pub event_type: Option<String>,
    pub location_id: Option<String>,
    pub signature_scheme: Option<String>,
    pub verified: bool,
    pub status: EventStatus,
    pub status_detail: String,
    pub attempts: i32,
    pub error: Option<String>,
    pub outcome: Option<Value>,
}

/// Filters of the Events page.
#[derive(Debug, Default)]
pub struct Filter {
    pub status: Option<String>,
    pub event_type: Option<String>,
    pub limit: i64,
}

/// The events of `location_id`'s team, newest first.
pub async fn list(
    db: &PgPool,
    location_id: &str,
    filter: &Filter,
) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query_as(&format!(
        r"SELECT id, received_at, event_type, location_id, signature_scheme, verified, status,
         status_detail, attempts, error, outcome FROM highlevel_webhooks w
         WHERE {VISIBLE} AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR event_type = $3)
         ORDER BY received_at DESC, id DESC LIMIT $4"
    ))
    .bind(location_id)
    .bind(&filter.status)
    .bind(&filter.event_type)
    .bind(filter.limit)
    .fetch_all(db)
    .await
}

/// The event types among the team's events, for the type filter.
pub async fn types(db: &PgPool, location_id: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(&format!(
        r"SELECT DISTINCT event_type FROM highlevel_webhooks w
         WHERE {VISIBLE} AND event_type IS NOT NULL ORDER BY event_type"
    ))
    .bind(location_id)
    .fetch_all(db)
    .await
}

/// The raw body of one event of `location_id`'s team, and its outcome.
pub async fn body(
    db: &PgPool,
    location_id: &str,
    id: i64,
) -> Result<Option<(Vec<u8>, Option<Value>)>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT raw_body, outcome FROM highlevel_webhooks w WHERE {VISIBLE} AND id = $2"
    ))
    .bind(location_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Puts a failed event of the team back in the queue, with fresh attempts.
pub async fn retry(db: &PgPool, location_id: &str, id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(&format!(
        r"UPDATE highlevel_webhooks w SET status = 'queued', attempts = 0, error = NULL,
         next_attempt_at = now() WHERE {VISIBLE} AND id = $2 AND status = 'failed'"
    ))
    .bind(location_id)
    .bind(id)
    .execute(db)
    .await?;
    if done.rows_affected() == 1 {
        announce(db).await?;
    }
    Ok(done.rows_affected() == 1)
}

/// Deletes events handled (applied, ignored, refused or failed) more than
/// `days` ago; queued ones and ones being applied stay whatever their age.
pub async fn prune_handled(db: &PgPool, days: u32) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        r"DELETE FROM highlevel_webhooks
         WHERE status IN ('done', 'ignored', 'rejected', 'failed')
           AND received_at < now() - make_interval(days => $1)",
    )
    .bind(i32::try_from(days).unwrap_or(i32::MAX))
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Events no team sees: of a location no team uses, for the operator.
pub async fn unassigned(db: &PgPool, limit: i64) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query_as(
        r"SELECT id, received_at, event_type, location_id, signature_scheme, verified, status,
         status_detail, attempts, error, outcome FROM highlevel_webhooks w
         WHERE NOT EXISTS (SELECT 1 FROM teams t WHERE t.location_id = w.location_id)
         ORDER BY received_at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await
}
