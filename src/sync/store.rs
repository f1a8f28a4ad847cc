//! The sync tables: settings, runs and their progress, step cursors and
//! note requests.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgExecutor, PgPool, Postgres, Transaction};

use super::view::{EntityProgress, RunStatus, RunView, SyncKind};
use crate::zone::TeamZone;

/// A location's sync settings and high-water marks.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Settings {
    pub poll_minutes: i32,
    pub notes_on_first_sync: bool,
    pub appointments_days_back: i32,
    pub appointments_days_ahead: i32,
    pub last_full_at: Option<DateTime<Utc>>,
    pub last_poll_at: Option<DateTime<Utc>>,
    pub last_reconcile_at: Option<DateTime<Utc>>,
    pub contacts_updated_through: Option<DateTime<Utc>>,
}

/// The settings of a location, created with the defaults on first use.
pub async fn settings(pool: &PgPool, location_id: &str) -> sqlx::Result<Settings> {
    sqlx::query("INSERT INTO sync_settings (location_id) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind(location_id)
        .execute(pool)
        .await?;
    sqlx::query_as(
        r"SELECT poll_minutes, notes_on_first_sync, appointments_days_back, appointments_days_ahead,
         last_full_at, last_poll_at, last_reconcile_at, contacts_updated_through
         FROM sync_settings WHERE location_id = $1",
    )
    .bind(location_id)
    .fetch_one(pool)
    .await
}

/// A run in progress, as the engine needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Run {
    pub id: i64,
    pub kind: String,
    pub started_at: DateTime<Utc>,
    pub window_start: Option<DateTime<Utc>>,
    pub window_end: Option<DateTime<Utc>>,
}

/// The run a process left unfinished for this location, if any.
pub async fn unfinished_run(pool: &PgPool, location_id: &str) -> sqlx::Result<Option<Run>> {
    sqlx::query_as(
        r"SELECT id, kind, started_at, window_start, window_end FROM sync_runs
         WHERE location_id = $1 AND status = 'running'",
    )
    .bind(location_id)
    .fetch_optional(pool)
    .await
}

pub async fn start_run(
    pool: &PgPool,
    location_id: &str,
    kind: SyncKind,
    trigger: &str,
    window: (DateTime<Utc>, DateTime<Utc>),
) -> sqlx::Result<Run> {
    sqlx::query_as(
        r"INSERT INTO sync_runs (location_id, kind, trigger, window_start, window_end)
         VALUES ($1, $2, $3, $4, $5)
         RETURNING id, kind, started_at, window_start, window_end",
    )
    .bind(location_id)
    .bind(kind.as_str())
    .bind(trigger)
    .bind(window.0)
    .bind(window.1)
    .fetch_one(pool)
    .await
}

pub async fn heartbeat(pool: &PgPool, run_id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE sync_runs SET heartbeat_at = now() WHERE id = $1")
        .bind(run_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Adds `done` items (and `requests` requests) to an entity's progress.
pub async fn add_progress<'e>(
    executor: impl PgExecutor<'e>,
    run_id: i64,
    entity: &str,
    done: usize,
    requests: usize,
) -> sqlx::Result<()> {
    sqlx::query(
        r"UPDATE sync_runs SET requests = requests + $4, heartbeat_at = now(),
         progress = jsonb_set(progress, ARRAY[$2],
           coalesce(progress -> $2, '{}') || jsonb_build_object('done', coalesce((progress -> $2 ->> 'done')::int, 0) + $3))
         WHERE id = $1",
    )
    .bind(run_id)
    .bind(entity)
    .bind(to_i32(done))
    .bind(to_i32(requests))
    .execute(executor)
    .await?;
    Ok(())
}

/// Records how many items of an entity the run expects.
pub async fn set_total(pool: &PgPool, run_id: i64, entity: &str, total: u64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE sync_runs SET progress = jsonb_set(progress, ARRAY[$2], \
           coalesce(progress -> $2, '{\"done\": 0}') || jsonb_build_object('total', $3::bigint)) \
         WHERE id = $1",
    )
    .bind(run_id)
    .bind(entity)
    .bind(i64::try_from(total).unwrap_or(i64::MAX))
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn finish_run(pool: &PgPool, run_id: i64, error: Option<&str>) -> sqlx::Result<()> {
    sqlx::query(
        r"UPDATE sync_runs SET status = CASE WHEN $2::text IS NULL THEN 'succeeded' ELSE 'failed' END,
         error = $2, finished_at = now() WHERE id = $1",
    )
    .bind(run_id)
    .bind(error)
    .execute(pool)
    .await?;
    Ok(())
}

/// Notes what a successful run reached.
pub async fn record_success(
    pool: &PgPool,
    location_id: &str,
    kind: SyncKind,
    started_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    // A full pass also counts as a poll; a reconciliation also as a full sync.
    let sets = match kind {
        SyncKind::Full => "last_full_at = $2",
        SyncKind::Incremental => "last_full_at = last_full_at",
        SyncKind::Reconcile => "last_reconcile_at = $2, last_full_at = coalesce(last_full_at, $2)",
    };
    let sql = format!(
        r"UPDATE sync_settings SET {sets}, last_poll_at = greatest(last_poll_at, $2),
         contacts_updated_through = greatest(contacts_updated_through, $2), updated_at = now()
         WHERE location_id = $1"
    );
    sqlx::query(&sql)
        .bind(location_id)
        .bind(started_at)
        .execute(pool)
        .await?;
    Ok(())
}

/// The saved position of a step: `(cursor, done)`.
pub async fn cursor(
    pool: &PgPool,
    run_id: i64,
    step: &str,
) -> sqlx::Result<Option<(Option<Value>, bool)>> {
    sqlx::query_as("SELECT cursor, done FROM sync_cursors WHERE run_id = $1 AND step = $2")
        .bind(run_id)
        .bind(step)
        .fetch_optional(pool)
        .await
}

/// Steps of a run already done whose name starts with `prefix`, with their cursors.
pub async fn done_cursors(
    pool: &PgPool,
    run_id: i64,
    prefix: &str,
) -> sqlx::Result<Vec<(String, Option<Value>)>> {
    sqlx::query_as(
        "SELECT step, cursor FROM sync_cursors WHERE run_id = $1 AND done AND starts_with(step, $2)",
    )
    .bind(run_id)
    .bind(prefix)
    .fetch_all(pool)
    .await
}

/// Saves a step's position, in the transaction that wrote its page.
pub async fn save_cursor(
    tx: &mut Transaction<'_, Postgres>,
    run_id: i64,
    step: &str,
    cursor: Option<&Value>,
    done: bool,
) -> sqlx::Result<()> {
    sqlx::query(
        r"INSERT INTO sync_cursors (run_id, step, cursor, done) VALUES ($1, $2, $3, $4)
         ON CONFLICT (run_id, step) DO UPDATE SET cursor = EXCLUDED.cursor, done = EXCLUDED.done, updated_at = now()",
    )
    .bind(run_id)
    .bind(step)
    .bind(cursor)
    .bind(done)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Asks for the notes of these contacts to be read again on the location's
/// next run.
pub async fn request_contacts<'e>(
    executor: impl PgExecutor<'e>,
    location_id: &str,
    contact_ids: &[String],
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        r"INSERT INTO sync_contact_requests (location_id, contact_id) SELECT $1, unnest($2::text[])
         ON CONFLICT (location_id, contact_id) DO UPDATE SET requested_at = clock_timestamp()",
    )
    .bind(location_id)
    .bind(contact_ids)
    .execute(executor)
    .await?;
    Ok(done.rows_affected())
}

/// The oldest note requests of a location: `(contact id, requested at)`.
pub async fn pending_contacts(
    pool: &PgPool,
    location_id: &str,
    limit: i64,
) -> sqlx::Result<Vec<(String, DateTime<Utc>)>> {
    sqlx::query_as(
        r"SELECT contact_id, requested_at FROM sync_contact_requests WHERE location_id = $1
         ORDER BY requested_at, contact_id LIMIT $2",
    )
    .bind(location_id)
    .bind(limit)
    .fetch_all(pool)
    .await
}

pub async fn count_pending_contacts(pool: &PgPool, location_id: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM sync_contact_requests WHERE location_id = $1")
        .bind(location_id)
        .fetch_one(pool)
        .await
}

/// Drops a note request, unless it was asked again after it was read.
pub async fn settle_contact(
    tx: &mut Transaction<'_, Postgres>,
    location_id: &str,
    contact_id: &str,
    requested_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "DELETE FROM sync_contact_requests WHERE location_id = $1 AND contact_id = $2 AND requested_at <= $3",
    )
    .bind(location_id)
    .bind(contact_id)
    .bind(requested_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The latest runs of a location, newest first, their times told in `zone`.
pub async fn recent_runs(
    pool: &PgPool,
    location_id: &str,
    limit: i64,
    zone: TeamZone,
) -> sqlx::Result<Vec<RunView>> {
    let rows: Vec<RunRow> = sqlx::query_as(
        r"SELECT id, kind, trigger, status, started_at, heartbeat_at, finished_at, progress, requests, error
         FROM sync_runs WHERE location_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2",
    )
    .bind(location_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|row| row.into_view(zone)).collect())
}

#[derive(sqlx::FromRow)]
struct RunRow {
    id: i64,
    kind: String,
    trigger: String,
    status: RunStatus,
    started_at: DateTime<Utc>,
    heartbeat_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    progress: Value,
    requests: i32,
    error: Option<String>,
}

impl RunRow {
    fn into_view(self, zone: TeamZone) -> RunView {
        RunView {
            id: self.id,
            kind: SyncKind::parse(&self.kind),
            trigger: self.trigger,
            status: self.status,
            started_at: self.started_at,
            started: zone.moment(self.started_at),
            heartbeat_at: self.heartbeat_at,
            finished_at: self.finished_at,
            progress: EntityProgress::list(&self.progress),
            requests: u64::try_from(self.requests).unwrap_or(0),
            error: self.error,
        }
    }
}

fn to_i32(value: usize) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}
