//! The worker every server process runs: it claims due runs from the queue
//! and runs them, renewing its leases while it does, so a slow run is never
//! taken over; only a stopped process lets its leases run out, and then
//! another worker resumes its runs from their step records.

use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio::task::JoinHandle;

use super::execute::{execute, Services};
use super::runs::{self, ClaimedRun, CHANNEL};

/// Runs claimed at a time.
const BATCH: i64 = 10;

/// How a worker holds and looks for runs.
#[derive(Debug, Clone, Copy)]
pub struct RunTiming {
    /// How long a claim holds unless renewed; renewed every third of it.
    pub lease: Duration,
    /// How often an idle worker looks for due runs without being woken.
    pub poll: Duration,
}

impl Default for RunTiming {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(5),
        }
    }
}

pub fn spawn(services: Services, timing: RunTiming) -> JoinHandle<()> {
    tokio::spawn(work(services, timing))
}

/// Claims and runs until the pool closes.
pub async fn work(services: Services, timing: RunTiming) {
    let name = format!("runs:{}", uuid::Uuid::new_v4().simple());
    let mut listener = listen(&services).await;
    while !services.db.is_closed() {
        drain(&services, &name, timing.lease).await;
        match listener.as_mut() {
            Some(active) => {
                if let Ok(Err(error)) = tokio::time::timeout(timing.poll, active.recv()).await {
                    tracing::warn!(%error, "run notifications stopped; polling instead");
                    listener = None;
                }
            }
            None => {
                tokio::time::sleep(timing.poll).await;
                listener = listen(&services).await;
            }
        }
    }
}

async fn listen(services: &Services) -> Option<PgListener> {
    let mut listener = PgListener::connect_with(&services.db)
        .await
        .map_err(|error| tracing::warn!(%error, "listening for queued runs"))
        .ok()?;
    listener
        .listen(CHANNEL)
        .await
        .map_err(|error| tracing::warn!(%error, "listening for queued runs"))
        .ok()?;
    Some(listener)
}

/// Runs due runs until none is left.
async fn drain(services: &Services, name: &str, lease: Duration) {
    if let Err(error) = runs::abandon_crashing(&services.db).await {
        tracing::warn!(%error, "looking for runs that stop the server");
        return;
    }
    loop {
        let claimed = match runs::claim(&services.db, name, BATCH, lease.as_secs_f64()).await {
            Ok(claimed) => claimed,
            Err(error) => {
                tracing::warn!(%error, "claiming runs");
                return;
            }
        };
        if claimed.is_empty() {
            return;
        }
        let running = async {
            for run in &claimed {
                if let Err(error) = run_one(services, name, run).await {
                    tracing::warn!(%error, run = run.id, "recording how a run ended");
                }
            }
        };
        tokio::select! {
            () = running => {}
            () = keep_leases(services, name, lease) => {}
        }
    }
}

async fn run_one(services: &Services, name: &str, run: &ClaimedRun) -> sqlx::Result<()> {
    let ending = execute(services, run).await;
    tracing::info!(run = run.id, automation = run.automation_id, ending = ?ending, "a run ended");
    let mut conn = services.db.acquire().await?;
    if !runs::finish(&mut conn, run, name, &ending).await? {
        tracing::warn!(run = run.id, "another worker took this run over");
    }
    Ok(())
}

/// Renews this worker's leases every third of a lease; never ends by itself.
async fn keep_leases(services: &Services, name: &str, lease: Duration) {
    let mut ticks = tokio::time::interval(lease / 3);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        if let Err(error) = runs::renew_leases(&services.db, name, lease.as_secs_f64()).await {
            tracing::warn!(%error, "renewing the leases of runs");
        }
    }
}
