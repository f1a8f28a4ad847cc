//! Load of signed-in clients on the server, as the dashboard benches make
//! it: each scenario runs [`ROUNDS`] times and the worst round counts, so
//! one lucky round proves nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use crate::cpu_time::MachineCpu;

/// Concurrent clients of a load.
pub const CLIENTS: usize = 20;
/// Rounds of each scenario; the worst is reported.
pub const ROUNDS: usize = 3;

pub fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "NOT met"
    }
}

/// Runs `targets` under load [`ROUNDS`] times and prints the round with
/// the highest p99 beside every round's p99 and the machine's CPU time per
/// request in that round (server, clients and Postgres share the machine,
/// so a slow round with more CPU per request is a slower machine, not more
/// work); returns that p99.
pub async fn worst_round(
    name: &str,
    client: &reqwest::Client,
    base: &str,
    targets: &[Target],
    duration: Duration,
) -> u64 {
    let mut rounds = Vec::with_capacity(ROUNDS);
    let (mut p99s, mut cpu, mut stolen) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let before = MachineCpu::now();
        let round = load(client, base, targets, duration).await;
        let used = MachineCpu::now().since(&before);
        p99s.push(round.p99_ms.to_string());
        cpu.push(format!(
            "{:.2}",
            used.busy_ms() / round.requests.max(1) as f64
        ));
        stolen.push(format!("{:.0}", used.stolen_percent()));
        rounds.push(round);
    }
    let (p99s, cpu, stolen) = (p99s.join(" / "), cpu.join(" / "), stolen.join(" / "));
    let figures = rounds
        .into_iter()
        .max_by_key(|round| round.p99_ms)
        .expect("rounds");
    println!(
        "  {name:<40} p50 {:>4} ms  p99 {:>4} ms  {:>6.0} req/s  ({} requests, {} failed; each round: p99 {p99s} ms, machine CPU {cpu} ms a request, {stolen}% stolen by the host)",
        figures.p50_ms,
        figures.p99_ms,
        figures.per_second,
        figures.requests,
        figures.failed,
    );
    figures.p99_ms
}

/// The first views of `targets`, [`ROUNDS`] times, each round after a
/// write to the cache (so nothing kept from before serves it): all the
/// times together, and the slowest view.
pub async fn worst_first_views(
    pool: &sqlx::PgPool,
    location: &str,
    client: &reqwest::Client,
    base: &str,
    targets: &[Target],
) -> FirstViews {
    let mut all = FirstViews::new();
    for _ in 0..ROUNDS {
        touch_cache(pool, location).await;
        all.round_slowest.push(0);
        first_views(client, base, targets, &mut all).await;
    }
    all
}

/// Times of first views, which view was the slowest, and the slowest of
/// each round (the first round reads pages no earlier round brought into
/// memory).
pub struct FirstViews {
    times: Histogram<u64>,
    slowest: Option<(u64, String)>,
    round_slowest: Vec<u64>,
}

impl FirstViews {
    fn new() -> Self {
        Self {
            times: Histogram::<u64>::new(3).expect("a histogram"),
            slowest: None,
            round_slowest: Vec::new(),
        }
    }

    fn record(&mut self, target: &Target, micros: u64) {
        self.times.record(micros).expect("recorded");
        if let Some(round) = self.round_slowest.last_mut() {
            *round = (*round).max(micros);
        }
        if self.slowest.as_ref().is_none_or(|(most, _)| micros > *most) {
            self.slowest = Some((micros, target.label()));
        }
    }
}

/// Prints the first views' p50 and slowest; returns the slowest, in ms.
pub fn print_first_views(what: &str, views: &FirstViews) -> u64 {
    let slowest = views
        .slowest
        .as_ref()
        .map_or(String::new(), |(_, label)| format!(" ({label})"));
    let rounds: Vec<String> = views
        .round_slowest
        .iter()
        .map(|micros| (micros / 1000).to_string())
        .collect();
    println!(
        "first view of a {what} filter (computed, not yet kept), {} views one after another in {ROUNDS} rounds: p50 {} ms, max {} ms{slowest}; max of each round {}",
        views.times.len(),
        views.times.value_at_quantile(0.5) / 1000,
        views.times.max() / 1000,
        rounds.join(" / ")
    );
    views.times.max() / 1000
}

#[derive(Clone)]
pub enum Target {
    Page(String),
    Function(&'static str, String),
}

impl Target {
    /// What the target asks for, as a person reads it.
    pub fn label(&self) -> String {
        match self {
            Target::Page(path) => path.clone(),
            Target::Function(endpoint, form) => format!("{endpoint}?{form}"),
        }
    }

    pub fn request(&self, client: &reqwest::Client, base: &str) -> reqwest::RequestBuilder {
        match self {
            Target::Page(path) => client.get(format!("{base}{path}")),
            Target::Function(endpoint, form) => client
                .post(format!("{base}/api/{endpoint}"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form.clone()),
        }
    }
}

pub struct Figures {
    pub p50_ms: u64,
    pub p99_ms: u64,
    pub per_second: f64,
    pub requests: u64,
    pub failed: u64,
}

/// Asks for each target once, one after another, and times each answer:
/// what the first person to view a filter waits, before anything is kept.
async fn first_views(
    client: &reqwest::Client,
    base: &str,
    targets: &[Target],
    views: &mut FirstViews,
) {
    for target in targets {
        let started = Instant::now();
        let answer = target
            .request(client, base)
            .send()
            .await
            .expect("an answer");
        assert!(
            answer.status().is_success(),
            "a first view answers: {}",
            answer.status()
        );
        let _ = answer.bytes().await;
        views.record(target, started.elapsed().as_micros() as u64);
    }
}

/// `CLIENTS` clients asking for `targets` as fast as answers come, for
/// `duration`; each client takes the targets in turn, starting at its own.
pub async fn load(
    client: &reqwest::Client,
    base: &str,
    targets: &[Target],
    duration: Duration,
) -> Figures {
    let requests: Arc<Vec<reqwest::Request>> = Arc::new(
        targets
            .iter()
            .map(|target| target.request(client, base).build().expect("a request"))
            .collect(),
    );
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let workers: Vec<_> = (0..CLIENTS)
        .map(|worker| {
            let client = client.clone();
            let requests = requests.clone();
            tokio::spawn(async move {
                let mut histogram = Histogram::<u64>::new(3).expect("a histogram");
                let mut failed = 0;
                let mut turn = worker;
                while Instant::now() < deadline {
                    let target = &requests[turn % requests.len()];
                    turn += 1;
                    let request = target.try_clone().expect("a repeatable request");
                    let sent = Instant::now();
                    let ok = match client.execute(request).await {
                        Ok(response) => {
                            response.status().is_success() && response.bytes().await.is_ok()
                        }
                        Err(_) => false,
                    };
                    histogram
                        .record(sent.elapsed().as_micros() as u64)
                        .expect("recorded");
                    failed += u64::from(!ok);
                }
                (histogram, failed)
            })
        })
        .collect();
    gather(workers, started).await
}

/// Each client's latencies (µs) and failures, merged into the load's figures.
pub async fn gather(
    workers: Vec<tokio::task::JoinHandle<(Histogram<u64>, u64)>>,
    started: Instant,
) -> Figures {
    let mut histogram = Histogram::<u64>::new(3).expect("a histogram");
    let mut failed = 0;
    for worker in workers {
        let (one, failures) = worker.await.expect("a client");
        histogram.add(one).expect("merged");
        failed += failures;
    }
    let elapsed = started.elapsed().as_secs_f64();
    Figures {
        p50_ms: histogram.value_at_quantile(0.5).div_ceil(1000),
        p99_ms: histogram.value_at_quantile(0.99).div_ceil(1000),
        per_second: histogram.len() as f64 / elapsed,
        requests: histogram.len(),
        failed,
    }
}

/// A write to the location's cache, as a webhook makes: what the reports
/// kept before no longer answers.
pub async fn touch_cache(pool: &sqlx::PgPool, location: &str) {
    sqlx::query(
        "UPDATE cache_contacts SET synced_at = now()
          WHERE location_id = $1 AND id = (SELECT min(id) FROM cache_contacts WHERE location_id = $1)",
    )
    .bind(location)
    .execute(pool)
    .await
    .expect("a write");
}
