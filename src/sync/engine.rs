//! [`SyncEngine`]: runs one sync of one location at a time, under the
//! location's lock, recording the run as it goes.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::lock::LocationLock;
use super::passes::Pass;
use super::store;
use super::view::SyncKind;
use crate::cache::rollups;
use crate::highlevel::{HighLevelClient, HighLevelError};

/// How a run fetches.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Requests in flight at once. The shared rate budget paces them; enough
    /// of them keep the budget busy while answers are on their way.
    pub concurrency: usize,
    /// Contacts per search page (HighLevel allows up to 500).
    pub contact_page: u32,
    /// Tasks per page of the location task search.
    pub task_page: u32,
    /// How far before the last poll the next one looks again: search results
    /// lag writes by a few seconds, and clocks differ.
    pub overlap: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            concurrency: 16,
            contact_page: 500,
            task_page: 100,
            overlap: Duration::from_secs(120),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("a sync of this location is already running")]
    Busy,
    #[error("the sync could not read or write its database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{}", .0.user_message())]
    HighLevel(#[from] HighLevelError),
}

/// What a run ended with.
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub run_id: i64,
    pub kind: SyncKind,
    /// Whether the run finished; false when it failed (see the run's error).
    pub succeeded: bool,
    pub error: Option<String>,
}

/// Syncs locations into the cache. Cheap to clone.
#[derive(Clone)]
pub struct SyncEngine {
    pub(super) pool: PgPool,
    pub(super) client: HighLevelClient,
    pub(super) options: SyncOptions,
}

impl SyncEngine {
    pub fn new(pool: PgPool, client: HighLevelClient) -> Self {
        SyncEngine {
            pool,
            client,
            options: SyncOptions::default(),
        }
    }

    pub fn with_options(mut self, options: SyncOptions) -> Self {
        self.options = options;
        self
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub fn client(&self) -> &HighLevelClient {
        &self.client
    }

    /// Runs a sync of `location_id`. A run some process left unfinished is
    /// resumed first, whatever `kind` asks (its summary says which ran).
    /// Fails with [`SyncError::Busy`] when another run holds the location.
    pub async fn run(
        &self,
        location_id: &str,
        kind: SyncKind,
        trigger: &str,
    ) -> Result<RunSummary, SyncError> {
        let lock = LocationLock::try_acquire(&self.pool, location_id)
            .await?
            .ok_or(SyncError::Busy)?;
        let outcome = self.run_locked(location_id, kind, trigger).await;
        lock.release().await;
        outcome
    }

    async fn run_locked(
        &self,
        location_id: &str,
        kind: SyncKind,
        trigger: &str,
    ) -> Result<RunSummary, SyncError> {
        let settings = store::settings(&self.pool, location_id).await?;
        if settings.last_full_at.is_none() {
            rollups::defer(&self.pool, location_id).await?;
        }
        let run = match store::unfinished_run(&self.pool, location_id).await? {
            Some(run) => {
                tracing::info!(location_id, run_id = run.id, "resuming an unfinished sync");
                run
            }
            None => {
                let window = appointment_window(&settings, Utc::now());
                store::start_run(&self.pool, location_id, kind, trigger, window).await?
            }
        };
        let kind = SyncKind::parse(&run.kind).unwrap_or(kind);
        let _heartbeat = Heartbeat::start(self.pool.clone(), run.id);
        let pass = Pass {
            engine: self,
            location_id,
            run: &run,
            settings: &settings,
        };
        // The reports are counted before the run shows as over, so they
        // never show a first sync's cache uncounted; a count that fails
        // fails the run.
        let outcome = match pass.execute(kind).await {
            Ok(()) => settle_reports(&self.pool, location_id, kind)
                .await
                .map_err(SyncError::from),
            failed => failed,
        };
        let error = outcome.as_ref().err().map(ToString::to_string);
        store::finish_run(&self.pool, run.id, error.as_deref()).await?;
        if error.is_none() {
            store::record_success(&self.pool, location_id, kind, run.started_at).await?;
        } else {
            tracing::warn!(location_id, run_id = run.id, error = ?error, "sync failed");
        }
        Ok(RunSummary {
            run_id: run.id,
            kind,
            succeeded: error.is_none(),
            error,
        })
    }
}

/// After a run the reports' rollups read one row per key again: the end of
/// a first sync counts them for the first time, a reconciliation counts them
/// anew, other runs fold in their deltas.
async fn settle_reports(pool: &PgPool, location_id: &str, kind: SyncKind) -> sqlx::Result<()> {
    if rollups::deferred(pool, location_id).await? {
        return rollups::count_deferred(pool, location_id).await;
    }
    match kind {
        SyncKind::Reconcile => rollups::rebuild(pool, location_id).await,
        SyncKind::Full | SyncKind::Incremental => rollups::settle(pool, location_id).await,
    }
}

/// The appointments a run keeps in step: from `days_back` before now to
/// `days_ahead` after.
fn appointment_window(
    settings: &store::Settings,
    now: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let back = chrono::Duration::days(settings.appointments_days_back.into());
    let ahead = chrono::Duration::days(settings.appointments_days_ahead.into());
    (now - back, now + ahead)
}

/// How often a working run refreshes its heartbeat.
pub(super) const HEARTBEAT: Duration = Duration::from_secs(5);

/// Keeps a run's heartbeat fresh while it works; stops when dropped.
struct Heartbeat(tokio::task::JoinHandle<()>);

impl Heartbeat {
    fn start(pool: PgPool, run_id: i64) -> Self {
        Heartbeat(tokio::spawn(async move {
            let mut ticks = tokio::time::interval(HEARTBEAT);
            loop {
                ticks.tick().await;
                if let Err(error) = store::heartbeat(&pool, run_id).await {
                    tracing::warn!(%error, run_id, "sync heartbeat");
                }
            }
        }))
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}
