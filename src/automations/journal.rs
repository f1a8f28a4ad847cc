//! The record of each step of a run, written before the step's request
//! leaves (`sending`) and again when it is answered (`done` or `failed`):
//! a run resumed after its process stopped knows which steps are done, and
//! which one may have been sent without its answer being kept. A wait step
//! is recorded as `waiting`, with the moment it waits for, until the run
//! goes on: a run claimed again waits for that same moment.

use chrono::{DateTime, Utc};
use serde_json::Value as Json;
use sqlx::PgPool;

use super::model::StepStatus;

/// One step's record.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StepRecord {
    pub position: i32,
    pub name: String,
    pub status: String,
    pub request: Option<Json>,
    pub answer: Option<Json>,
    pub output: Option<Json>,
    pub error: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl StepRecord {
    pub fn status(&self) -> Option<StepStatus> {
        StepStatus::from_key(&self.status)
    }
}

/// The run's step records, in step order.
pub async fn of_run(db: &PgPool, run_id: i64) -> sqlx::Result<Vec<StepRecord>> {
    sqlx::query_as(
        r"SELECT position, name, status, request, answer, output, error, started_at, finished_at
          FROM automation_run_steps WHERE run_id = $1 ORDER BY position",
    )
    .bind(run_id)
    .fetch_all(db)
    .await
}

/// Records that step `position` is about to send `request`.
pub async fn sending(
    db: &PgPool,
    run_id: i64,
    position: i32,
    name: &str,
    request: &Json,
) -> sqlx::Result<()> {
    sqlx::query(
        r"INSERT INTO automation_run_steps (run_id, position, name, status, request)
          VALUES ($1, $2, $3, 'sending', $4)
          ON CONFLICT (run_id, position) DO UPDATE SET name = $3, status = 'sending', request = $4,
              answer = NULL, output = NULL, error = NULL, finished_at = NULL,
              -- A resumed step keeps the time its lost request was recorded.
              started_at = CASE WHEN automation_run_steps.status = 'sending'
                                THEN automation_run_steps.started_at ELSE now() END",
    )
    .bind(run_id)
    .bind(position)
    .bind(name)
    .bind(request)
    .execute(db)
    .await?;
    Ok(())
}

/// Records that step `position` holds the run until the moment in `output`
/// (`{"until": …}`); the record keeps the time the wait began.
pub async fn waiting(
    db: &PgPool,
    run_id: i64,
    position: i32,
    name: &str,
    request: &Json,
    output: &Json,
) -> sqlx::Result<()> {
    sqlx::query(
        r"INSERT INTO automation_run_steps (run_id, position, name, status, request, output)
          VALUES ($1, $2, $3, 'waiting', $4, $5)
          ON CONFLICT (run_id, position) DO UPDATE SET name = $3, status = 'waiting', request = $4,
              answer = NULL, output = $5, error = NULL, finished_at = NULL",
    )
    .bind(run_id)
    .bind(position)
    .bind(name)
    .bind(request)
    .bind(output)
    .execute(db)
    .await?;
    Ok(())
}

/// The moments the runs `run_ids` wait for in a wait step, by run.
pub async fn waits(db: &PgPool, run_ids: &[i64]) -> sqlx::Result<Vec<(i64, DateTime<Utc>)>> {
    let found: Vec<(i64, Option<String>)> = sqlx::query_as(
        r"SELECT run_id, output->>'until' FROM automation_run_steps
          WHERE run_id = ANY($1) AND status = 'waiting'",
    )
    .bind(run_ids)
    .fetch_all(db)
    .await?;
    Ok(found
        .into_iter()
        .filter_map(|(run, until)| Some((run, moment(until.as_deref()?)?)))
        .collect())
}

/// A moment as a wait step records it (RFC 3339).
pub fn moment(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|at| at.with_timezone(&Utc))
}

/// How a step ended.
pub struct Finished<'a> {
    pub status: StepStatus,
    pub answer: Option<&'a Json>,
    pub output: Option<&'a Json>,
    pub error: Option<&'a str>,
}

/// Records how step `position` ended (a step with no request is recorded
/// here first).
pub async fn finished(
    db: &PgPool,
    run_id: i64,
    position: i32,
    name: &str,
    request: &Json,
    finished: &Finished<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        r"INSERT INTO automation_run_steps (run_id, position, name, status, request, answer, output,
              error, finished_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
          ON CONFLICT (run_id, position) DO UPDATE SET status = $4, request = $5, answer = $6,
              output = $7, error = $8, finished_at = now()",
    )
    .bind(run_id)
    .bind(position)
    .bind(name)
    .bind(finished.status.key())
    .bind(request)
    .bind(finished.answer)
    .bind(finished.output)
    .bind(finished.error)
    .execute(db)
    .await?;
    Ok(())
}
