//! The worker every server process runs: it claims due events from the
//! inbox, applies each in a transaction with the record of its outcome, and
//! retries database failures with a growing wait.
//!
//! A stored event wakes the workers through Postgres LISTEN/NOTIFY, so any
//! process may pick it up at once; they also poll, which covers a missed
//! notification, a retry coming due, and a claim left behind by a stopped process.

use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::task::JoinHandle;

use super::apply::{apply, Applied, ApplyError};
use super::store::{self, ClaimedEvent, Ending, CHANNEL};

/// How often an idle worker looks for due events without being woken.
const POLL: Duration = Duration::from_secs(5);
/// How long a claim holds before another worker may take the event over.
const LEASE_SECS: f64 = 60.0;
/// Events claimed at a time.
const BATCH: i64 = 20;

/// Starts this process's worker; it runs until the runtime stops.
pub fn spawn_worker(db: PgPool) -> JoinHandle<()> {
    tokio::spawn(run(db, worker_name()))
}

/// Host, process and a random part: unique among the workers sharing a database.
fn worker_name() -> String {
    let host = nix::unistd::gethostname()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tag = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}:{}:{}", std::process::id(), &tag[..8])
}

async fn run(db: PgPool, name: String) {
    let mut listener = listen(&db).await;
    // The pool closes when the server shuts down; so does the worker.
    while !db.is_closed() {
        drain(&db, &name).await;
        match listener.as_mut() {
            Some(active) => {
                if let Ok(Err(error)) = tokio::time::timeout(POLL, active.recv()).await {
                    tracing::warn!(%error, "webhook notifications stopped; polling instead");
                    listener = None;
                }
            }
            None => {
                tokio::time::sleep(POLL).await;
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
async fn drain(db: &PgPool, name: &str) {
    if let Err(error) = store::fail_abandoned(db).await {
        tracing::warn!(%error, "looking for abandoned webhook events");
        return;
    }
    loop {
        let claimed = match store::claim(db, name, BATCH, LEASE_SECS).await {
            Ok(claimed) => claimed,
            Err(error) => {
                tracing::warn!(%error, "claiming webhook events");
                return;
            }
        };
        if claimed.is_empty() {
            return;
        }
        for event in claimed {
            if let Err(error) = process(db, name, &event).await {
                tracing::warn!(%error, event = event.id, "recording a webhook event's outcome");
            }
        }
    }
}

/// One attempt: the cache change and the event's outcome commit together.
async fn process(db: &PgPool, name: &str, event: &ClaimedEvent) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
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
