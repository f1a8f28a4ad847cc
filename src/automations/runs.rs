//! The run queue `automation_runs`: queueing, claiming under a lease, how a
//! run ended, and the run history pages read.
//!
//! A run is claimed only when no earlier run of the same automation about
//! the same subject is still queued or running, so runs about one person
//! start in the order their events arrived, while runs about different
//! people go side by side. A run of a paused automation waits in the queue.

use chrono::{DateTime, Utc};
use serde_json::Value as Json;
use sqlx::{PgConnection, PgExecutor, PgPool};

use super::model::RunStatus;

/// The channel a queued run is announced on, so idle workers wake at once.
pub const CHANNEL: &str = "automation_runs";

/// Failed tries before a run needs attention, and the waits between them:
/// about 1 min, 5 min, 30 min, 2 h and 6 h.
pub const RETRY_WAITS_SECS: [f64; 5] = [60.0, 300.0, 1_800.0, 7_200.0, 21_600.0];

/// Claims of one run (its process stopping each time) before it is given up.
const MAX_CLAIMS: i32 = 10;

/// A run to queue.
#[derive(Debug, Clone)]
pub struct NewRun {
    pub automation_id: i64,
    pub location_id: String,
    pub version: i32,
    /// `manual`, `test` or `schedule`; app events are queued with the
    /// request they came with.
    pub trigger_kind: &'static str,
    pub trigger_body: Json,
    pub subject: Option<String>,
    pub dry_run: bool,
}

/// Queues `run` and wakes the workers; its id.
pub async fn enqueue(db: &PgPool, run: &NewRun) -> sqlx::Result<i64> {
    enqueue_on(&mut *db.acquire().await?, run).await
}

/// Queues `run` on `conn` and wakes the workers, at once or, in a
/// transaction, when it commits; its id.
pub async fn enqueue_on(conn: &mut PgConnection, run: &NewRun) -> sqlx::Result<i64> {
    let id = sqlx::query_scalar(
        r"INSERT INTO automation_runs (automation_id, location_id, version, trigger_kind,
              trigger_body, subject, dry_run)
          VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(run.automation_id)
    .bind(&run.location_id)
    .bind(run.version)
    .bind(run.trigger_kind)
    .bind(&run.trigger_body)
    .bind(&run.subject)
    .bind(run.dry_run)
    .fetch_one(&mut *conn)
    .await?;
    announce(&mut *conn).await?;
    Ok(id)
}

/// Stores `run` already claimed by `worker`, to run it at once in this
/// process (a test from the builder, whose page waits for it).
pub async fn claim_new(
    db: &PgPool,
    run: &NewRun,
    worker: &str,
    lease_secs: f64,
) -> sqlx::Result<ClaimedRun> {
    sqlx::query_as(
        r"INSERT INTO automation_runs (automation_id, location_id, version, trigger_kind,
              trigger_body, subject, dry_run, status, claimed_by, attempts, lease_until, started_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, 'running', $8, 1, now() + make_interval(secs => $9), now())
          RETURNING id, automation_id, location_id, version, trigger_kind, app_event_id, trigger_body,
                    dry_run, tries",
    )
    .bind(run.automation_id)
    .bind(&run.location_id)
    .bind(run.version)
    .bind(run.trigger_kind)
    .bind(&run.trigger_body)
    .bind(&run.subject)
    .bind(run.dry_run)
    .bind(worker)
    .bind(lease_secs)
    .fetch_one(db)
    .await
}

/// Wakes the workers listening on [`CHANNEL`].
pub async fn announce<'e>(db: impl PgExecutor<'e>) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_notify($1, '')")
        .bind(CHANNEL)
        .execute(db)
        .await?;
    Ok(())
}

/// A run a worker holds until its lease runs out.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimedRun {
    pub id: i64,
    pub automation_id: i64,
    pub location_id: String,
    pub version: i32,
    pub trigger_kind: String,
    pub app_event_id: Option<i64>,
    pub trigger_body: Option<Json>,
    pub dry_run: bool,
    pub tries: i32,
}

/// Claims up to `limit` due runs for `worker`: queued runs of automations
/// that are on, and runs whose claimer let the lease run out, but for the
/// runs `running` the worker has still in hand. A run held by a Wait step
/// is due at its moment and holds back no later run of the same person.
///
/// The earliest waiting or running run of each automation and subject is
/// found in one pass over the queue's index, whose result the planner
/// hashes: a check of each due run against the runs before it (a correlated
/// `NOT EXISTS`) was planned as a scan of the queue per due run when the
/// table's statistics lagged behind a burst, which made each claim take a
/// second with 2,000 runs queued.
pub async fn claim(
    db: &PgPool,
    worker: &str,
    limit: i64,
    lease_secs: f64,
    running: &[i64],
) -> sqlx::Result<Vec<ClaimedRun>> {
    sqlx::query_as(
        r"UPDATE automation_runs r
          SET status = 'running', claimed_by = $1, attempts = r.attempts + 1, waiting = false,
              lease_until = now() + make_interval(secs => $3), started_at = COALESCE(r.started_at, now())
          FROM (SELECT q.id FROM automation_runs q JOIN automations a ON a.id = q.automation_id
                WHERE ((q.status = 'queued' AND q.next_attempt_at <= now() AND (a.state = 'on' OR q.dry_run))
                    OR (q.status = 'running' AND q.lease_until < now() AND q.attempts < $4
                        AND q.id <> ALL($5)))
                  AND (q.subject IS NULL OR q.waiting OR q.id IN (
                      SELECT DISTINCT ON (automation_id, subject) id FROM automation_runs
                       WHERE status IN ('queued', 'running') AND subject IS NOT NULL AND NOT waiting
                       ORDER BY automation_id, subject, id))
                ORDER BY q.next_attempt_at, q.id LIMIT $2 FOR UPDATE OF q SKIP LOCKED) due
          WHERE r.id = due.id
          RETURNING r.id, r.automation_id, r.location_id, r.version, r.trigger_kind, r.app_event_id,
                    r.trigger_body, r.dry_run, r.tries",
    )
    .bind(worker)
    .bind(limit)
    .bind(lease_secs)
    .bind(MAX_CLAIMS)
    .bind(running)
    .fetch_all(db)
    .await
}

/// Extends the leases of runs `running` that `worker` holds.
pub async fn renew_leases(
    db: &PgPool,
    worker: &str,
    running: &[i64],
    lease_secs: f64,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        r"UPDATE automation_runs SET lease_until = now() + make_interval(secs => $2)
          WHERE id = ANY($3) AND claimed_by = $1 AND status = 'running'",
    )
    .bind(worker)
    .bind(lease_secs)
    .bind(running)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Gives up on runs whose process stopped every time it ran them.
pub async fn abandon_crashing(db: &PgPool) -> sqlx::Result<u64> {
    let done = sqlx::query(
        r"UPDATE automation_runs SET status = 'needs_attention', claimed_by = NULL, lease_until = NULL,
              finished_at = now(),
              error = 'The server stopped while running this on every attempt. Look at its last step, then retry it.'
          WHERE status = 'running' AND lease_until < now() AND attempts >= $1",
    )
    .bind(MAX_CLAIMS)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// How a run ended, or why it waits.
#[derive(Debug, Clone, PartialEq)]
pub enum Ending {
    Succeeded,
    Filtered(String),
    /// Trying again cannot help.
    Failed(String),
    /// Try again after the next wait, or need attention when the waits are used up.
    Retry(String),
    /// A wait step holds the run until then: queued again, with no retry
    /// used up.
    Waiting(DateTime<Utc>),
}

/// Records how `worker`'s run `id` ended; false when its lease was lost to
/// another worker meanwhile.
pub async fn finish(
    conn: &mut PgConnection,
    run: &ClaimedRun,
    worker: &str,
    ending: &Ending,
) -> sqlx::Result<bool> {
    let (status, error, wait) = match ending {
        Ending::Waiting(_) => (RunStatus::Queued, None, 0.0),
        Ending::Succeeded => (RunStatus::Succeeded, None, 0.0),
        Ending::Filtered(why) => (RunStatus::Filtered, Some(why.as_str()), 0.0),
        Ending::Failed(why) => (RunStatus::Failed, Some(why.as_str()), 0.0),
        Ending::Retry(why) => match usize::try_from(run.tries)
            .ok()
            .and_then(|tries| RETRY_WAITS_SECS.get(tries))
        {
            Some(wait) => (RunStatus::Queued, Some(why.as_str()), *wait),
            None => (RunStatus::NeedsAttention, Some(why.as_str()), 0.0),
        },
    };
    let retrying = matches!(ending, Ending::Retry(_));
    let until = match ending {
        Ending::Waiting(until) => Some(*until),
        _ => None,
    };
    // A claim that ended in a wait ended as planned: the claims before it
    // are not the crash loop `attempts` counts, however many waits a run has.
    let done = sqlx::query(
        r"UPDATE automation_runs SET status = $3, error = $4,
              tries = tries + CASE WHEN $6 THEN 1 ELSE 0 END,
              next_attempt_at = COALESCE($7, now() + make_interval(secs => $5)),
              attempts = CASE WHEN $7 IS NULL THEN attempts ELSE 0 END,
              waiting = $7 IS NOT NULL,
              finished_at = CASE WHEN $3 = 'queued' THEN NULL ELSE now() END,
              claimed_by = NULL, lease_until = NULL
          WHERE id = $1 AND claimed_by = $2 AND status = 'running'",
    )
    .bind(run.id)
    .bind(worker)
    .bind(status.key())
    .bind(error)
    .bind(wait)
    .bind(retrying)
    .bind(until)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One run as the history lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listed {
    pub id: i64,
    pub automation_id: i64,
    pub automation_name: String,
    pub version: i32,
    pub status: String,
    pub trigger_kind: String,
    pub event_type: Option<String>,
    pub subject: Option<String>,
    /// The cached name of the contact a HighLevel event was about.
    pub contact_name: Option<String>,
    /// How many automations started each other before this run.
    pub depth: i32,
    pub dry_run: bool,
    pub tries: i32,
    pub error: Option<String>,
    pub queued_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub next_attempt_at: DateTime<Utc>,
}

/// Filters of the run history.
#[derive(Debug, Clone, Default)]
pub struct RunFilter {
    pub automation_id: Option<i64>,
    pub status: Option<RunStatus>,
    /// Part of the run's subject (an e-mail, a phone, an id).
    pub subject: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub limit: i64,
}

const LISTED: &str = r"SELECT r.id, r.automation_id, a.name AS automation_name, r.version, r.status,
       r.trigger_kind, COALESCE(e.event_type, r.trigger_body->>'event') AS event_type, r.subject,
       c.display_name AS contact_name, r.depth, r.dry_run, r.tries, r.error, r.queued_at,
       r.started_at, r.finished_at, r.next_attempt_at
  FROM automation_runs r JOIN automations a ON a.id = r.automation_id
  LEFT JOIN app_events e ON e.id = r.app_event_id
  LEFT JOIN cache_contacts c ON r.trigger_kind = 'highlevel' AND c.location_id = r.location_id
                            AND c.id = r.subject";

/// The team's runs, newest first.
pub async fn list(db: &PgPool, location_id: &str, filter: &RunFilter) -> sqlx::Result<Vec<Listed>> {
    sqlx::query_as(&format!(
        r"{LISTED}
          WHERE r.location_id = $1 AND ($2::bigint IS NULL OR r.automation_id = $2)
            AND ($3::text IS NULL OR r.status = $3)
            AND ($4::text IS NULL OR r.subject ILIKE '%' || $4 || '%'
                 OR c.search_text LIKE '%' || lower($4) || '%')
            AND ($5::timestamptz IS NULL OR r.queued_at >= $5)
          ORDER BY r.id DESC LIMIT $6"
    ))
    .bind(location_id)
    .bind(filter.automation_id)
    .bind(filter.status.map(RunStatus::key))
    .bind(&filter.subject)
    .bind(filter.since)
    .bind(filter.limit)
    .fetch_all(db)
    .await
}

/// One run of the team.
pub async fn of_team_by_id(
    db: &PgPool,
    location_id: &str,
    id: i64,
) -> sqlx::Result<Option<Listed>> {
    sqlx::query_as(&format!("{LISTED} WHERE r.location_id = $1 AND r.id = $2"))
        .bind(location_id)
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The data a run started with: the app request's body, or what was given.
pub async fn trigger_data(db: &PgPool, run_id: i64) -> sqlx::Result<Option<Json>> {
    let found: Option<(Option<Json>, Option<Vec<u8>>)> = sqlx::query_as(
        r"SELECT r.trigger_body, e.body FROM automation_runs r
          LEFT JOIN app_events e ON e.id = r.app_event_id WHERE r.id = $1",
    )
    .bind(run_id)
    .fetch_optional(db)
    .await?;
    Ok(found.and_then(|(given, body)| {
        given.or_else(|| body.and_then(|bytes| serde_json::from_slice(&bytes).ok()))
    }))
}

/// The number of runs of the team `$1` that need someone: failed or
/// needing attention.
pub const ATTENTION_COUNT_SQL: &str = r"SELECT count(*) FROM automation_runs
    WHERE location_id = $1 AND status IN ('failed', 'needs_attention') AND NOT dry_run";

/// Runs of the team that need someone: failed or needing attention.
pub async fn attention_count(db: &PgPool, location_id: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar(ATTENTION_COUNT_SQL)
        .bind(location_id)
        .fetch_one(db)
        .await
}

/// Queues a failed run of the team again from its failed step (the steps
/// done stay done, and the failed one is checked before it is sent again);
/// `current` runs the automation's current version instead of the one it
/// ran. False when there is no such failed run.
pub async fn retry(db: &PgPool, location_id: &str, id: i64, current: bool) -> sqlx::Result<bool> {
    let done = sqlx::query(
        r"UPDATE automation_runs r SET status = 'queued', tries = 0, error = NULL, finished_at = NULL,
              next_attempt_at = now(), attempts = 0,
              version = CASE WHEN $3 THEN (SELECT version FROM automations WHERE id = r.automation_id)
                             ELSE r.version END
          WHERE r.location_id = $1 AND r.id = $2 AND r.status IN ('failed', 'needs_attention')",
    )
    .bind(location_id)
    .bind(id)
    .bind(current)
    .execute(db)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    announce(db).await?;
    Ok(true)
}

/// Queues again every failed run of the team's automation; how many.
pub async fn retry_all_failed(
    db: &PgPool,
    location_id: &str,
    automation_id: i64,
) -> sqlx::Result<u64> {
    let ids: Vec<i64> = sqlx::query_scalar(
        r"SELECT id FROM automation_runs WHERE location_id = $1 AND automation_id = $2
            AND status IN ('failed', 'needs_attention') AND NOT dry_run ORDER BY id",
    )
    .bind(location_id)
    .bind(automation_id)
    .fetch_all(db)
    .await?;
    let mut queued = 0;
    for id in ids {
        if retry(db, location_id, id, false).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

/// A run held by a wait step: it is part-way through, not waiting to start.
const IN_A_WAIT: &str = r"EXISTS (SELECT 1 FROM automation_run_steps s
    WHERE s.run_id = automation_runs.id AND s.status = 'waiting')";

/// Drops the runs waiting for the team's automation, on purpose, with a
/// record of who did; how many. Runs part-way through, held by a wait step
/// (a follow-up due in three days), are not dropped with them: they go on
/// after their wait once the automation is on.
pub async fn skip_waiting(
    db: &PgPool,
    location_id: &str,
    automation_id: i64,
    who: &str,
) -> sqlx::Result<u64> {
    let done = sqlx::query(&format!(
        r"UPDATE automation_runs SET status = 'skipped', finished_at = now(),
              error = 'Skipped by ' || $3 || ' while the automation was paused.'
          WHERE location_id = $1 AND automation_id = $2 AND status = 'queued'
            AND NOT {IN_A_WAIT}"
    ))
    .bind(location_id)
    .bind(automation_id)
    .bind(who)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// The automation's queued runs: those [`skip_waiting`] drops, and those
/// held by a wait step.
pub async fn queued_counts(db: &PgPool, automation_id: i64) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(&format!(
        r"SELECT count(*) FILTER (WHERE NOT {IN_A_WAIT}), count(*) FILTER (WHERE {IN_A_WAIT})
          FROM automation_runs WHERE automation_id = $1 AND status = 'queued'"
    ))
    .bind(automation_id)
    .fetch_one(db)
    .await
}

/// Deletes finished runs older than `days`.
pub async fn prune(db: &PgPool, days: u32) -> sqlx::Result<u64> {
    let done = sqlx::query(
        r"DELETE FROM automation_runs
          WHERE status NOT IN ('queued', 'running') AND queued_at < now() - make_interval(days => $1)",
    )
    .bind(i32::try_from(days).unwrap_or(i32::MAX))
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// The time a run waits for its next try, when it waits for one.
pub fn waiting_until(listed: &Listed) -> Option<DateTime<Utc>> {
    (listed.status == RunStatus::Queued.key() && listed.next_attempt_at > Utc::now())
        .then_some(listed.next_attempt_at)
}
