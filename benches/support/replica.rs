//! How far a streaming replica stays behind the primary: both sides' place
//! in the write-ahead log, sampled every few milliseconds while writes run.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::PgPool;

/// Bytes from the start of the log: written on the primary, replayed on the replica.
const WRITTEN: &str = "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::BIGINT";
const REPLAYED: &str = "SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::BIGINT";
const EVERY: Duration = Duration::from_millis(5);

/// How old the oldest write the replica had not replayed was, over the samples.
pub struct Staleness {
    pub max_ms: f64,
    pub p99_ms: f64,
    pub max_bytes: i64,
    pub samples: usize,
}

/// Runs `writes` on the primary and waits for the replica to replay them,
/// sampling both sides all along.
pub async fn staleness_during<T>(
    primary: &PgPool,
    replica: &PgPool,
    writes: impl Future<Output = T>,
) -> (T, Staleness) {
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = tokio::spawn(sample(primary.clone(), replica.clone(), stop.clone()));
    let written = writes.await;
    crate::common::caught_up(primary, replica).await;
    stop.store(true, Ordering::Relaxed);
    let samples = sampler.await.expect("the sampler");
    (written, samples.staleness())
}

async fn position(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(pool)
        .await
        .expect("a log position")
}

#[derive(Default)]
struct Samples {
    written: Vec<(Instant, i64)>,
    replayed: Vec<(Instant, i64)>,
}

async fn sample(primary: PgPool, replica: PgPool, stop: Arc<AtomicBool>) -> Samples {
    let mut samples = Samples::default();
    while !stop.load(Ordering::Relaxed) {
        samples
            .written
            .push((Instant::now(), position(&primary, WRITTEN).await));
        let replayed = position(&replica, REPLAYED).await;
        samples.replayed.push((Instant::now(), replayed));
        tokio::time::sleep(EVERY).await;
    }
    samples
}

impl Samples {
    /// For each replica sample, the age of the first primary sample past
    /// what it had replayed (none: it was up to date).
    fn staleness(&self) -> Staleness {
        let mut ages: Vec<f64> = Vec::with_capacity(self.replayed.len());
        let mut max_bytes = 0;
        for &(at, replayed) in &self.replayed {
            let ahead = self.written.partition_point(|&(_, lsn)| lsn <= replayed);
            let age = self.written.get(ahead).map_or(0.0, |&(since, _)| {
                at.saturating_duration_since(since).as_secs_f64() * 1000.0
            });
            ages.push(age);
            let known = self.written.partition_point(|&(when, _)| when <= at);
            if let Some(&(_, written)) = known.checked_sub(1).and_then(|i| self.written.get(i)) {
                max_bytes = max_bytes.max(written - replayed);
            }
        }
        ages.sort_by(f64::total_cmp);
        let p99 = ages
            .get((ages.len() * 99 / 100).min(ages.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0);
        Staleness {
            max_ms: ages.last().copied().unwrap_or(0.0),
            p99_ms: p99,
            max_bytes,
            samples: ages.len(),
        }
    }
}
