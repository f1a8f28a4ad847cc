//! Background syncs of every connected location: the first full sync as soon
//! as a team connects, each location's poll when due, and the nightly
//! reconciliation. Every process of an installation runs this loop; the
//! location lock makes sure one of them does each run.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveTime, Utc};
use sqlx::PgPool;
use tokio::sync::Semaphore;

use super::engine::{SyncEngine, SyncError, HEARTBEAT};
use super::view::SyncKind;
use crate::zone::TeamZone;

/// How often the scheduler looks for due work: a poll starts at most this
/// late. Looking costs one indexed query over the connected locations.
const TICK: Duration = Duration::from_secs(1);
/// The nightly reconciliation starts after this time of the team's day.
pub const RECONCILE_AFTER: NaiveTime = match NaiveTime::from_hms_opt(3, 0, 0) {
    Some(time) => time,
    None => NaiveTime::MIN,
};

/// Syncs one process runs at once. Each holds a Postgres connection of its
/// own for its location's lock, and their writes share the process's four
/// sync connections: more at once would only queue, and an agency's
/// hundreds of locations would exhaust Postgres's connections. The rest
/// start as slots free up, longest-waiting first.
const MAX_RUNNING: usize = 16;

/// The wait before a location whose last run failed is tried again.
const RETRY_AFTER_FAILURE: chrono::Duration = chrono::Duration::minutes(1);

/// A location and where its sync stands.
#[derive(Debug, sqlx::FromRow)]
struct Due {
    location_id: String,
    /// A run is going on: its process keeps its heartbeat fresh.
    busy: bool,
    /// A run was left unfinished; unless busy, its process stopped.
    unfinished: bool,
    poll_minutes: Option<i32>,
    last_full_at: Option<DateTime<Utc>>,
    last_poll_at: Option<DateTime<Utc>>,
    last_reconcile_at: Option<DateTime<Utc>>,
    last_failed_at: Option<DateTime<Utc>>,
    time_zone: String,
}

impl Due {
    /// The run this location needs now, if any.
    fn kind(&self, now: DateTime<Utc>) -> Option<SyncKind> {
        if self.busy {
            return None;
        }
        if self.unfinished {
            return Some(SyncKind::Full);
        }
        // A failing location (HighLevel down, access revoked) is retried a
        // minute later, not on every tick.
        if self
            .last_failed_at
            .is_some_and(|at| at + RETRY_AFTER_FAILURE > now)
        {
            return None;
        }
        if self.last_full_at.is_none() {
            return Some(SyncKind::Full);
        }
        let zone = TeamZone::named(&self.time_zone);
        let tonight = zone.at(zone.date(now).and_time(RECONCILE_AFTER));
        let baseline = self.last_reconcile_at.max(self.last_full_at);
        if now >= tonight && baseline.is_some_and(|at| at < tonight) {
            return Some(SyncKind::Reconcile);
        }
        let every = chrono::Duration::minutes(self.poll_minutes.unwrap_or(5).into());
        match self.last_poll_at {
            Some(at) if at + every > now => None,
            _ => Some(SyncKind::Incremental),
        }
    }
}

/// The scheduler's loop: every tick, starts the syncs that are due.
pub async fn run(engine: SyncEngine) {
    let running: Arc<Mutex<HashSet<String>>> = Arc::default();
    let slots = Arc::new(Semaphore::new(MAX_RUNNING));
    let mut ticks = tokio::time::interval(TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match due_locations(engine.pool()).await {
            Ok(locations) => start_due(&engine, &running, &slots, locations).await,
            Err(error) => tracing::warn!(%error, "looking for due syncs"),
        }
    }
}

/// Starts the due syncs, each as soon as a slot is free, while the list is
/// at most a tick old: past that, another process may have run what it
/// names, and the next tick looks again.
async fn start_due(
    engine: &SyncEngine,
    running: &Arc<Mutex<HashSet<String>>>,
    slots: &Arc<Semaphore>,
    locations: Vec<Due>,
) {
    let listed_at = Instant::now();
    for due in locations {
        if due.kind(Utc::now()).is_none() || lock(running).contains(&due.location_id) {
            continue;
        }
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        if listed_at.elapsed() > TICK {
            return;
        }
        // The list may be a second old: what it says is due may just have
        // been run, here or by another process.
        let kind = match due_now(engine.pool(), &due.location_id).await {
            Ok(now) => now.and_then(|due| due.kind(Utc::now())),
            Err(error) => {
                tracing::warn!(%error, "looking whether a sync is still due");
                None
            }
        };
        let Some(kind) = kind else {
            continue;
        };
        lock(running).insert(due.location_id.clone());
        let engine = engine.clone();
        let running = running.clone();
        tokio::spawn(async move {
            let location_id = due.location_id;
            match engine.run(&location_id, kind, "schedule").await {
                Ok(summary) if summary.succeeded => {
                    tracing::info!(location_id, kind = summary.kind.as_str(), "sync done");
                }
                Ok(_) | Err(SyncError::Busy) => {}
                Err(error) => tracing::warn!(location_id, %error, "sync"),
            }
            lock(&running).remove(&location_id);
            drop(slot);
        });
    }
}

fn lock(running: &Mutex<HashSet<String>>) -> std::sync::MutexGuard<'_, HashSet<String>> {
    running.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Every connected location with its sync state, the one synced longest
/// ago first.
async fn due_locations(pool: &PgPool) -> sqlx::Result<Vec<Due>> {
    sqlx::query_as(&format!(
        "{DUE} ORDER BY greatest(s.last_full_at, s.last_poll_at, s.last_reconcile_at) NULLS FIRST"
    ))
    .bind(stopped_after())
    .fetch_all(pool)
    .await
}

/// One location's sync state as it is now, if it is still connected.
async fn due_now(pool: &PgPool, location_id: &str) -> sqlx::Result<Option<Due>> {
    sqlx::query_as(&format!("{DUE} AND c.location_id = $2"))
        .bind(stopped_after())
        .bind(location_id)
        .fetch_optional(pool)
        .await
}

/// Seconds without a heartbeat after which a running run's process is
/// taken to have stopped: three missed heartbeats.
fn stopped_after() -> f64 {
    (HEARTBEAT * 3).as_secs_f64()
}

/// The sync state of connected locations; `$1` is [`stopped_after`].
const DUE: &str = r"SELECT c.location_id,
       coalesce((SELECT r.heartbeat_at > now() - make_interval(secs => $1) FROM sync_runs r
                  WHERE r.location_id = c.location_id AND r.status = 'running'), false) AS busy,
       EXISTS (SELECT 1 FROM sync_runs r WHERE r.location_id = c.location_id AND r.status = 'running') AS unfinished,
       (SELECT max(r.finished_at) FROM sync_runs r WHERE r.location_id = c.location_id AND r.status = 'failed') AS last_failed_at,
       s.poll_minutes, s.last_full_at, s.last_poll_at, s.last_reconcile_at, t.time_zone
     FROM connections c JOIN teams t ON t.location_id = c.location_id
     LEFT JOIN sync_settings s ON s.location_id = c.location_id
     WHERE c.status = 'active'";

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|time| time.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn synced(full: &str, poll: &str, reconcile: Option<&str>) -> Due {
        Due {
            location_id: "loc".into(),
            busy: false,
            unfinished: false,
            poll_minutes: Some(5),
            last_full_at: Some(at(full)),
            last_poll_at: Some(at(poll)),
            last_reconcile_at: reconcile.map(at),
            last_failed_at: None,
            time_zone: "UTC".into(),
        }
    }

    #[test]
    fn a_location_never_synced_gets_a_full_sync_and_an_unfinished_run_resumes() {
        let mut due = synced("2026-11-24T10:00:00Z", "2026-11-24T10:00:00Z", None);
        due.last_full_at = None;
        assert_eq!(due.kind(at("2026-11-24T10:00:05Z")), Some(SyncKind::Full));
        let mut due = synced("2026-11-24T10:00:00Z", "2026-11-24T10:00:00Z", None);
        due.unfinished = true;
        assert_eq!(due.kind(at("2026-11-24T10:00:05Z")), Some(SyncKind::Full));
        // Unless its process is still at it.
        due.busy = true;
        assert_eq!(due.kind(at("2026-11-24T10:00:05Z")), None);
    }

    #[test]
    fn polls_come_at_their_interval_and_reconciliation_once_a_night() {
        let due = synced("2026-11-24T10:00:00Z", "2026-11-24T10:00:00Z", None);
        assert_eq!(due.kind(at("2026-11-24T10:04:00Z")), None);
        assert_eq!(
            due.kind(at("2026-11-24T10:05:00Z")),
            Some(SyncKind::Incremental)
        );
        // The full sync of the day counts as that night's baseline.
        assert_eq!(
            due.kind(at("2026-11-24T23:00:00Z")),
            Some(SyncKind::Incremental)
        );
        assert_eq!(
            due.kind(at("2026-11-25T03:00:01Z")),
            Some(SyncKind::Reconcile)
        );
        let done = synced(
            "2026-11-24T10:00:00Z",
            "2026-11-25T03:10:00Z",
            Some("2026-11-25T03:00:01Z"),
        );
        assert_eq!(done.kind(at("2026-11-25T03:12:00Z")), None);
    }

    #[test]
    fn reconciliation_waits_for_the_night_of_the_team() {
        let mut due = synced("2026-11-24T10:00:00Z", "2026-11-25T03:10:00Z", None);
        due.time_zone = "America/Chicago".into();
        // 03:00 UTC is 21:00 in Chicago; its night begins at 09:00 UTC.
        assert_eq!(
            due.kind(at("2026-11-25T03:15:00Z")),
            Some(SyncKind::Incremental)
        );
        assert_eq!(
            due.kind(at("2026-11-25T09:00:01Z")),
            Some(SyncKind::Reconcile)
        );
    }

    #[test]
    fn a_failing_location_waits_a_minute() {
        let mut due = synced("2026-11-24T10:00:00Z", "2026-11-24T10:00:00Z", None);
        due.last_failed_at = Some(at("2026-11-24T10:10:00Z"));
        assert_eq!(due.kind(at("2026-11-24T10:10:30Z")), None);
        assert_eq!(
            due.kind(at("2026-11-24T10:11:01Z")),
            Some(SyncKind::Incremental)
        );
    }
}
