//! The worker every server process runs: it claims due events from the
//! inbox, applies each in a transaction with the record of its outcome, and
//! retries database failures with a growing wait.
//!
//! A stored event wakes the workers through Postgres LISTEN/NOTIFY, so any
//! process may pick it up at once; they also poll, which covers a missed
//! notification, a retry coming due, and a claim left behind by a stopped process.
//!
//! A claim is a lease: while a batch is being applied the worker renews the
//! leases of its claims, so a slow event is never taken over by another
//! worker and applied twice; only a stopped process lets its leases run out.

use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::task::JoinHandle;

use super::apply::{apply, Applied, ApplyError};
use super::store::{self, ClaimedEvent, Ending, CHANNEL};

/// Events claimed at a time.
const BATCH: i64 = 20;

/// How a worker holds and looks for events.
#[derive(Debug, Clone, Copy)]
pub struct WorkerTiming {
    /// How long a claim holds unless renewed; renewed every third of it.
    pub lease: Duration,
    /// How often an idle worker looks for due events without being woken.
    pub poll: Duration,
}

impl Default for WorkerTiming {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(5),
        }
    }
}

/// Starts a worker with the usual timing; it runs until the pool closes.
pub fn spawn_worker(db: PgPool) -> JoinHandle<()> {
    spawn_worker_with(db, WorkerTiming::default())
}

pub fn spawn_worker_with(db: PgPool, timing: WorkerTiming) -> JoinHandle<()> {
    tokio::spawn(work(db, timing))
}

/// A worker under a name of its own, until the pool closes.
pub async fn work(db: PgPool, timing: WorkerTiming) {
    run(db, worker_name(), timing).await
}

/// Host, process and a random part: unique among the workers sharing a database.
fn worker_name() -> String {
    let host = nix::unistd::gethostname()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tag = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}:{}:{}", std::process::id(), &tag[..8])
}

async fn run(db: PgPool, name: String, timing: WorkerTiming) {
    let mut listener = listen(&db).await;
    // The pool closes when the server shuts down; so does the worker.
    while !db.is_closed() {
        drain(&db, &name, timing.lease).await;
        match listener.as_mut() {
            Some(active) => {
                if let Ok(Err(error)) = tokio::time::timeout(timing.poll, active.recv()).await {
                    tracing::warn!(%error, "webhook notifications stopped; polling instead");
                    listener = None;
                }
            }
            None => {
                tokio::time::sleep(timing.poll).await;
                listener = listen(&db).await;
            }
        }
    }
}

/// The listener keeps one of the pool's connections for itself.
async fn listen(db: &PgPool) -> Option<PgListener> {
    let mut listener = PgListener::connect_with(db)
        .await
        .map_err(|error| tracing::warn!(%error, "listening for webhook notifications"))
        .ok()?;
    listener
        .listen(CHANNEL)
        .await
        .map_err(|error| tracing::warn!(%error, "listening for webhook notifications"))
        .ok()?;
    Some(listener)
}

/// Applies due events until none is left.
async fn drain(db: &PgPool, name: &str, lease: Duration) {
    if let Err(error) = store::fail_abandoned(db).await {
        tracing::warn!(%error, "looking for abandoned webhook events");
        return;
    }
    loop {
        let claimed = match store::claim(db, name, BATCH, lease.as_secs_f64()).await {
            Ok(claimed) => claimed,
            Err(error) => {
                tracing::warn!(%error, "claiming webhook events");
                return;
            }
        };
        if claimed.is_empty() {
            return;
        }
        let applying = async {
            for event in claimed {
                if let Err(error) = process(db, name, &event).await {
                    tracing::warn!(%error, event = event.id, "recording a webhook event's outcome");
                }
            }
        };
        tokio::select! {
            () = applying => {}
            () = keep_leases(db, name, lease) => {}
        }
    }
}

/// Renews this worker's leases every third of a lease; never ends by itself.
async fn keep_leases(db: &PgPool, name: &str, lease: Duration) {
    let mut ticks = tokio::time::interval(lease / 3);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        if let Err(error) = store::renew_leases(db, name, lease.as_secs_f64()).await {
            tracing::warn!(%error, "renewing the leases of webhook events");
        }
    }
}

/// One attempt: the cache change and the event's outcome commit together.
async fn process(db: &PgPool, name: &str, event: &ClaimedEvent) -> Result<(), sqlx::Error> {
    let mut tx = crate::db::begin(db).await?;
    let ending = match apply(&mut tx, event).await {
        Ok(Applied::Done(outcome)) => Ending::Done(outcome),
        Ok(Applied::Ignored(detail)) => Ending::Ignored(detail),
        Err(ApplyError::Invalid(message)) => Ending::Failed(message),
        Err(error @ ApplyError::Database(_)) => {
            tx.rollback().await?;
            tracing::warn!(%error, event = event.id, attempt = event.attempts, "applying a webhook event");
            let ending = Ending::Error {
                message: format!("Attempt {} failed: {error}", event.attempts),
                retry_in_secs: backoff_secs(event.attempts),
            };
            let mut conn = db.acquire().await?;
            store::finish(&mut conn, event.id, name, &ending).await?;
            return Ok(());
        }
    };
    if store::finish(&mut tx, event.id, name, &ending).await? {
        tx.commit().await
    } else {
        // Another worker took the event over after the lease ran out.
        tx.rollback().await
    }
}

/// 10 s, 20 s, 40 s, … after attempts 1, 2, 3, …
fn backoff_secs(attempts: i32) -> f64 {
    10.0 * 2f64.powi(attempts.clamp(1, 10) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow() {
        assert_eq!(backoff_secs(1), 10.0);
        assert_eq!(backoff_secs(3), 40.0);
        assert!(backoff_secs(100) <= 10.0 * 512.0);
    }
}
