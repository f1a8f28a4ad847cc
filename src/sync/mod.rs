//! Keeps each location's cache in step with HighLevel.
//!
//! - [`SyncEngine::run`] runs one sync of a location: `Full` (everything),
//!   `Incremental` (the poll: contacts updated since the last poll with their
//!   tasks and notes, the appointment window, notes asked for) or
//!   `Reconcile` (everything again, then soft-deletes what HighLevel no
//!   longer has). One run per location at a time across every process (a
//!   Postgres advisory lock); every page is written with its cursor, so a run
//!   cut short resumes where it stopped.
//! - [`request_contact_refresh`] asks for a contact's notes and tasks to be
//!   read again on the location's next run (HighLevel lists notes per
//!   contact only, and tasks have no "updated since").
//! - [`last_synced_at`] and [`overview`] say where a location stands.
//! - [`scheduler::run`] runs the first sync, the polls and the nightly
//!   reconciliation of every connected location in the background.
//!
//! The view types compile for the browser too.

pub mod view;

#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
mod engine;
#[cfg(feature = "ssr")]
mod lock;
#[cfg(feature = "ssr")]
mod passes;
#[cfg(feature = "ssr")]
pub mod scheduler;
#[cfg(feature = "ssr")]
mod store;

#[cfg(feature = "ssr")]
pub use engine::{RunSummary, SyncEngine, SyncError, SyncOptions};
pub use view::{BudgetView, EntityProgress, RunStatus, RunView, SyncKind, SyncOverview};

#[cfg(feature = "ssr")]
pub use server_side::*;

#[cfg(feature = "ssr")]
mod server_side {
    use std::sync::LazyLock;

    use chrono::{DateTime, Utc};
    use sqlx::{PgExecutor, PgPool};

    use super::lock::LocationLock;
    use super::store;
    use super::view::{BudgetView, SyncOverview};
    use crate::highlevel::{HighLevelClient, RateBudget, RateLimiter};
    use crate::zone::TeamZone;

    /// Runs listed in the page's history.
    const HISTORY: i64 = 20;

    /// Asks for the notes and tasks of these contacts to be read again on
    /// the location's next run (the next poll at the latest). Safe to call
    /// inside the caller's own transaction.
    pub async fn request_contact_refresh<'e>(
        executor: impl PgExecutor<'e>,
        location_id: &str,
        contact_ids: &[String],
    ) -> sqlx::Result<u64> {
        store::request_contacts(executor, location_id, contact_ids).await
    }

    /// Deletes runs finished more than `days` ago; returns how many. A
    /// location's settings keep when it was last synced, whatever is pruned.
    pub async fn prune_runs(db: &PgPool, days: u32) -> sqlx::Result<u64> {
        let done = sqlx::query(
            r"DELETE FROM sync_runs
              WHERE status <> 'running' AND finished_at < now() - make_interval(days => $1)",
        )
        .bind(i32::try_from(days).unwrap_or(i32::MAX))
        .execute(db)
        .await?;
        Ok(done.rows_affected())
    }

    /// [`last_synced_at`] as an SQL expression of the location id `$1`, for
    /// a statement that reads it along with other things.
    pub const LAST_SYNCED_AT_SQL: &str =
        "(SELECT greatest(last_full_at, last_poll_at, last_reconcile_at)
           FROM sync_settings WHERE location_id = $1)";

    /// When the location's cache was last brought in step with HighLevel
    /// (the start of the last successful run), if ever.
    pub async fn last_synced_at(
        pool: &PgPool,
        location_id: &str,
    ) -> sqlx::Result<Option<DateTime<Utc>>> {
        static STATEMENT: LazyLock<String> =
            LazyLock::new(|| format!("SELECT {LAST_SYNCED_AT_SQL}"));
        sqlx::query_scalar(STATEMENT.as_str())
            .bind(location_id)
            .fetch_one(pool)
            .await
    }

    /// Sets the minutes between two polls of a location (1 to 15).
    pub async fn set_poll_minutes(
        pool: &PgPool,
        location_id: &str,
        minutes: u32,
    ) -> Result<(), String> {
        if !(1..=15).contains(&minutes) {
            return Err("The poll interval must be between 1 and 15 minutes.".into());
        }
        store::settings(pool, location_id)
            .await
            .map_err(|_| "The sync settings could not be read.".to_owned())?;
        sqlx::query(
            "UPDATE sync_settings SET poll_minutes = $2, updated_at = now() WHERE location_id = $1",
        )
        .bind(location_id)
        .bind(i32::try_from(minutes).unwrap_or(5))
        .execute(pool)
        .await
        .map_err(|_| "The poll interval could not be saved.".to_owned())?;
        Ok(())
    }

    /// Where the location's sync stands: the current run, the history, the
    /// rate budget and an estimate of the time left, its times told in `zone`.
    pub async fn overview(
        pool: &PgPool,
        location_id: &str,
        zone: TeamZone,
        can_manage: bool,
    ) -> sqlx::Result<SyncOverview> {
        let settings = store::settings(pool, location_id).await?;
        let history = store::recent_runs(pool, location_id, HISTORY, zone).await?;
        let budget = budget(pool, location_id).await?;
        let pending_contacts = store::count_pending_contacts(pool, location_id).await?;
        let connected: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM connections WHERE location_id = $1 AND status = 'active')",
        )
        .bind(location_id)
        .fetch_one(pool)
        .await?;
        let mut current = history.first().cloned();
        // A run whose process died shows as interrupted until it resumes.
        if let Some(run) = current.as_mut().filter(|run| run.is_running()) {
            if !LocationLock::is_held(pool, location_id).await? {
                run.status = super::RunStatus::Interrupted;
            }
        }
        let remaining_requests = current
            .as_ref()
            .filter(|run| run.is_running())
            .map(|run| remaining(run, pending_contacts));
        let per_second = budget.per_window.max(1) as f64 / budget.window_seconds.max(1) as f64;
        let eta_seconds =
            remaining_requests.map(|requests| (requests as f64 / per_second).ceil() as u64);
        let last_synced_at = [
            settings.last_full_at,
            settings.last_poll_at,
            settings.last_reconcile_at,
        ]
        .into_iter()
        .flatten()
        .max();
        Ok(SyncOverview {
            connected,
            poll_minutes: u32::try_from(settings.poll_minutes).unwrap_or(5),
            last_synced_at,
            last_reconcile_at: settings.last_reconcile_at,
            last_synced: last_synced_at.map(|at| zone.moment(at)),
            last_reconcile: settings.last_reconcile_at.map(|at| zone.moment(at)),
            nightly_after: format!(
                "{} {}",
                super::scheduler::RECONCILE_AFTER.format("%H:%M"),
                zone.abbreviation(Utc::now())
            ),
            current,
            history,
            budget,
            eta_seconds,
            remaining_requests,
            pending_contacts: u64::try_from(pending_contacts).unwrap_or(0),
            can_manage,
        })
    }

    /// Requests still to make: the contact pages left and one per contact
    /// whose notes are due (tasks and appointments run alongside the
    /// contacts and are not counted).
    fn remaining(run: &super::RunView, pending_contacts: i64) -> u64 {
        let contacts_left = run
            .progress
            .iter()
            .find(|entity| entity.entity == "contacts")
            .and_then(|entity| Some(entity.total?.saturating_sub(entity.done)))
            .unwrap_or(0);
        contacts_left.div_ceil(500) + u64::try_from(pending_contacts).unwrap_or(0)
    }

    async fn budget(pool: &PgPool, location_id: &str) -> sqlx::Result<BudgetView> {
        let defaults = RateBudget::default();
        let limiter = RateLimiter::shared(pool.clone(), defaults.clone());
        let used_today = limiter.used_today(location_id).await.unwrap_or(0);
        let learned: Option<(Option<i32>, Option<i32>, Option<i32>)> = sqlx::query_as(
            "SELECT window_max, window_ms, daily_max FROM highlevel_rate_budget WHERE location_id = $1",
        )
        .bind(location_id)
        .fetch_optional(pool)
        .await?;
        let (window_max, window_ms, daily_max) = learned.unwrap_or_default();
        let window_ms = window_ms
            .and_then(|ms| u64::try_from(ms).ok())
            .unwrap_or(u64::try_from(defaults.window.as_millis()).unwrap_or(10_000));
        let used_in_window: i64 = sqlx::query_scalar(
            r"SELECT count(*) FROM highlevel_rate_grants WHERE location_id = $1
             AND granted_at > clock_timestamp() - make_interval(secs => $2)",
        )
        .bind(location_id)
        .bind(window_ms as f64 / 1000.0)
        .fetch_one(pool)
        .await?;
        Ok(BudgetView {
            used_today: u64::from(used_today),
            per_day: daily_max
                .and_then(|max| u64::try_from(max).ok())
                .unwrap_or(u64::from(defaults.per_day)),
            used_in_window: u64::try_from(used_in_window).unwrap_or(0),
            per_window: window_max
                .and_then(|max| u64::try_from(max).ok())
                .unwrap_or(u64::from(defaults.per_window)),
            window_seconds: (window_ms / 1000).max(1),
        })
    }

    /// Database connections the syncs of one process use at most.
    const SYNC_CONNECTIONS: u32 = 4;

    /// The engine of a server: the teams' own tokens, the shared rate budget
    /// and the request log. Its writes go through a small pool of their own,
    /// so that a sync in full swing never keeps pages waiting for a
    /// connection.
    pub fn engine_for(
        db: &PgPool,
        api_base: String,
        tokens: crate::auth::tokens::ConnectionTokens,
    ) -> anyhow::Result<super::SyncEngine> {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(SYNC_CONNECTIONS)
            .connect_lazy_with((*db.connect_options()).clone());
        let client = HighLevelClient::builder(api_base, tokens)
            .shared_through(&pool)
            .in_background()
            .build()?;
        Ok(super::SyncEngine::new(pool, client))
    }
}
