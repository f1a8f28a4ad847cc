//! The worker every server process runs: it claims due runs from the queue
//! and runs several side by side, renewing its leases while it does, so a
//! slow run is never taken over; only a stopped process lets its leases run
//! out, and then another worker resumes its runs from their step records.
//!
//! Runs about one person never overlap: the queue hands out a person's next
//! run only once the earlier one is over or held by a Wait step (see
//! [`runs::claim`]). Most of a
//! run's time is spent waiting for HighLevel, the app and Postgres, so runs
//! side by side keep the process busy where one at a time would leave it
//! idle.

use std::collections::HashMap;
use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio::task::{self, JoinHandle, JoinSet};
use tokio::time::MissedTickBehavior;

use super::execute::{execute, Services};
use super::runs::{self, ClaimedRun, CHANNEL};

/// How a worker holds and looks for runs.
#[derive(Debug, Clone, Copy)]
pub struct RunTiming {
    /// How long a claim holds unless renewed; renewed every third of it.
    pub lease: Duration,
    /// How often a worker looks for due runs without being woken (retries
    /// that came due, runs another process let go).
    pub poll: Duration,
    /// Runs a worker runs side by side.
    pub concurrency: usize,
}

impl Default for RunTiming {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(5),
            concurrency: 16,
        }
    }
}

pub fn spawn(services: Services, timing: RunTiming) -> JoinHandle<()> {
    tokio::spawn(work(services, timing))
}

/// Claims and runs until the pool closes.
pub async fn work(services: Services, timing: RunTiming) {
    let name = format!("runs:{}", uuid::Uuid::new_v4().simple());
    let capacity = timing.concurrency.max(1);
    let mut listener = listen(&services).await;
    // Each run is a task of its own, so runs go on while the worker waits
    // for the queue; they stop with the worker. Only the leases of runs in
    // hand are renewed: a run whose task failed is let go, to be resumed.
    let mut running = JoinSet::new();
    let mut in_hand: HashMap<task::Id, i64> = HashMap::new();
    let mut polls = tokio::time::interval(timing.poll);
    polls.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let renew_every = timing.lease / 3;
    let mut renewals =
        tokio::time::interval_at(tokio::time::Instant::now() + renew_every, renew_every);
    renewals.set_missed_tick_behavior(MissedTickBehavior::Delay);
    // Whether due runs may wait in the queue unclaimed.
    let mut may_be_due = true;
    while !services.db.is_closed() {
        if may_be_due && running.len() < capacity {
            let free = capacity - running.len();
            let held: Vec<i64> = in_hand.values().copied().collect();
            let lease = timing.lease.as_secs_f64();
            match runs::claim(&services.db, &name, to_i64(free), lease, &held).await {
                Ok(claimed) => {
                    // A full batch may have left more behind.
                    may_be_due = claimed.len() == free;
                    for run in claimed {
                        let id = run.id;
                        let task = running.spawn(run_one(services.clone(), name.clone(), run));
                        in_hand.insert(task.id(), id);
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "claiming runs");
                    may_be_due = false;
                }
            }
        }
        tokio::select! {
            Some(ended) = running.join_next_with_id(), if !running.is_empty() => {
                let task = match ended {
                    Ok((task, ())) => task,
                    Err(error) => {
                        let run = in_hand.get(&error.id());
                        tracing::error!(%error, ?run, "a run stopped before it ended");
                        error.id()
                    }
                };
                in_hand.remove(&task);
                // The person's next run, if any, may go now.
                may_be_due = true;
            }
            woken = notified(&mut listener) => {
                may_be_due = true;
                if let Err(error) = woken {
                    tracing::warn!(%error, "run notifications stopped; polling instead");
                    listener = None;
                }
            }
            _ = polls.tick() => {
                may_be_due = true;
                if let Err(error) = runs::abandon_crashing(&services.db).await {
                    tracing::warn!(%error, "looking for runs that stop the server");
                }
                if listener.is_none() {
                    listener = listen(&services).await;
                }
            }
            _ = renewals.tick(), if !running.is_empty() => {
                let held: Vec<i64> = in_hand.values().copied().collect();
                if let Err(error) =
                    runs::renew_leases(&services.db, &name, &held, timing.lease.as_secs_f64()).await
                {
                    tracing::warn!(%error, "renewing the leases of runs");
                }
            }
        }
    }
}

fn to_i64(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
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

/// The next announcement of queued runs, with the ones already buffered
/// behind it (one look at the queue serves them all); never, without a
/// listener.
async fn notified(listener: &mut Option<PgListener>) -> sqlx::Result<()> {
    let Some(active) = listener.as_mut() else {
        return std::future::pending().await;
    };
    active.recv().await?;
    while active.next_buffered().is_some() {}
    Ok(())
}

async fn run_one(services: Services, name: String, run: ClaimedRun) {
    let ending = execute(&services, &run).await;
    tracing::info!(run = run.id, automation = run.automation_id, ending = ?ending, "a run ended");
    let finished = match services.db.acquire().await {
        Ok(mut conn) => runs::finish(&mut conn, &run, &name, &ending).await,
        Err(error) => Err(error),
    };
    match finished {
        Ok(true) => {}
        Ok(false) => tracing::warn!(run = run.id, "another worker took this run over"),
        Err(error) => tracing::warn!(%error, run = run.id, "recording how a run ended"),
    }
}
