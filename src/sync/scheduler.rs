//! Background syncs of every connected location: the first full sync as soon
//! as a team connects, each location's poll when due, and the nightly
//! reconciliation. Every process of an installation runs this loop; the
//! location lock makes sure one of them does each run.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, NaiveTime, Utc};
use sqlx::PgPool;

use super::engine::{SyncEngine, SyncError};
use super::view::SyncKind;

/// How often the scheduler looks for due work.
const TICK: Duration = Duration::from_secs(5);
/// The nightly reconciliation starts after this time of day (UTC).
const RECONCILE_AFTER: NaiveTime = match NaiveTime::from_hms_opt(3, 0, 0) {
    Some(time) => time,
    None => NaiveTime::MIN,
};

/// The wait before a location whose last run failed is tried again.
const RETRY_AFTER_FAILURE: chrono::Duration = chrono::Duration::minutes(1);

/// A location and where its sync stands.
#[derive(Debug, sqlx::FromRow)]
struct Due {
    location_id: String,
    unfinished: bool,
    poll_minutes: Option<i32>,
    last_full_at: Option<DateTime<Utc>>,
    last_poll_at: Option<DateTime<Utc>>,
    last_reconcile_at: Option<DateTime<Utc>>,
    last_failed_at: Option<DateTime<Utc>>,
}

impl Due {
    /// The run this location needs now, if any.
    fn kind(&self, now: DateTime<Utc>) -> Option<SyncKind> {
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
        let tonight = now.date_naive().and_time(RECONCILE_AFTER).and_utc();
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

/// Starts the loop; it runs until the server stops.
pub fn spawn(engine: SyncEngine) -> tokio::task::JoinHandle<()> {
    let running: Arc<Mutex<HashSet<String>>> = Arc::default();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(TICK);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match due_locations(engine.pool()).await {
                Ok(locations) => start_due(&engine, &running, locations),
                Err(error) => tracing::warn!(%error, "looking for due syncs"),
            }
        }
    })
}

fn start_due(engine: &SyncEngine, running: &Arc<Mutex<HashSet<String>>>, locations: Vec<Due>) {
    let now = Utc::now();
    for due in locations {
        let Some(kind) = due.kind(now) else { continue };
        let fresh = running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(due.location_id.clone());
        if !fresh {
            continue;
        }
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
            running
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&location_id);
        });
    }
}

/// Every connected location with its sync state.
async fn due_locations(pool: &PgPool) -> sqlx::Result<Vec<Due>> {
    sqlx::query_as(
        "SELECT c.location_id, \
           EXISTS (SELECT 1 FROM sync_runs r WHERE r.location_id = c.location_id AND r.status = 'running') AS unfinished, \
           (SELECT max(r.finished_at) FROM sync_runs r WHERE r.location_id = c.location_id AND r.status = 'failed') AS last_failed_at, \
           s.poll_minutes, s.last_full_at, s.last_poll_at, s.last_reconcile_at \
         FROM connections c LEFT JOIN sync_settings s ON s.location_id = c.location_id \
         WHERE c.status = 'active'",
    )
    .fetch_all(pool)
    .await
}
