//! The scheduler of an agency: `POLL_LOCATIONS` locations (500 by default)
//! in one `switchboard sandbox` process with HighLevel's real limits (100
//! requests per 10 s per app and location), each connected with a token of
//! its own and polled every minute, while the sandbox changes about one
//! contact per location per minute and answers each request after
//! `POLL_LATENCY_MS` (250 by default, a round trip to a distant API). A
//! one-minute interval, a fifth of the default, makes 500 locations the
//! polling load of 2,500.
//!
//! `switchboard serve` runs as its own process, then a second one beside it
//! on the same database. For each phase the bench reads from `sync_runs` how
//! long each location went between two polls, and from `/proc` what each
//! process cost in CPU and memory.
//!
//! `cargo bench --features ssr --bench polls` (POLL_LOCATIONS; POLL_SECONDS,
//! the time each phase is measured, 180 by default; POLL_LATENCY_MS).

// The bench uses the tests' database cluster, not the rest of their helpers.
#[allow(dead_code)]
#[path = "../tests/integration/common/mod.rs"]
mod common;
#[allow(dead_code)]
#[path = "support/cpu_time.rs"]
mod cpu_time;
#[path = "support/settings.rs"]
mod settings;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use common::{free_port, Running};
use secrecy::SecretString;
use serde_json::json;
use settings::setting;
use sqlx::PgPool;

/// The same key for both processes, so each opens the tokens the bench sealed.
const SECRET_KEY: &str = "the poll bench's vault key";
const POLL_MINUTES: i32 = 1;
/// How late past due a poll may start: the scheduler's tick (1 s), and a
/// second to start it.
const LATE_SECONDS: f64 = 2.0;
const TARGET_MEMORY_MB: u64 = 150;
/// The scheduler's bound on the syncs one process runs at once.
const SYNCS_AT_ONCE: usize = 16;

fn main() {
    switchboard::tls::install_crypto_provider();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(run());
}

async fn run() {
    let locations = setting("POLL_LOCATIONS", 500);
    let window = Duration::from_secs(setting("POLL_SECONDS", 180));
    let latency_ms = setting("POLL_LATENCY_MS", 250);
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let (database_url, _) = common::test_db_url().await;
    let pool = switchboard::db::connect(&database_url, 8)
        .await
        .expect("the bench database");
    switchboard::db::migrate(&pool).await.expect("migrations");
    let postmaster = postmaster(&pool).await;

    let sandbox = Sandbox::start(locations, &scratch.path().join("sandbox.log")).await;
    let ids = sandbox.location_ids().await;
    connect_all(&pool, &sandbox, &ids, scratch.path()).await;
    println!(
        "{} locations connected in one sandbox (HighLevel's limits: 100 requests per 10 s each), polled every {POLL_MINUTES} min",
        ids.len()
    );

    let first = Server::start(1, &database_url, &sandbox.base, scratch.path()).await;
    let started = Instant::now();
    all_synced(&pool, ids.len()).await;
    println!(
        "first full sync of every location by one process: {:.0} s",
        started.elapsed().as_secs_f64()
    );
    sandbox.answer_after(latency_ms).await;
    println!("from here the sandbox answers each request after {latency_ms} ms");
    let one = Phase::measure(&pool, &sandbox, &ids, window, &[&first], postmaster).await;
    one.print("one process");

    let second = Server::start(2, &database_url, &sandbox.base, scratch.path()).await;
    let two = Phase::measure(
        &pool,
        &sandbox,
        &ids,
        window,
        &[&first, &second],
        postmaster,
    )
    .await;
    two.print("two processes on the same database");

    for (name, phase) in [("one process", &one), ("two processes", &two)] {
        println!(
            "{name}: every location polled at most {LATE_SECONDS:.0} s past due: {}",
            verdict(phase.late == 0)
        );
    }
    let peak = one.peak_mb.iter().chain(&two.peak_mb).max().copied();
    println!(
        "memory of a process at its peak {} MB (target {TARGET_MEMORY_MB} MB): {}",
        peak.unwrap_or(0),
        verdict(peak.is_some_and(|mb| mb <= TARGET_MEMORY_MB))
    );
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "NOT met"
    }
}

fn log_to(path: &Path) -> (Stdio, Stdio) {
    let file = std::fs::File::create(path).expect("a log file");
    (file.try_clone().expect("a log file").into(), file.into())
}

/// Waits until `url` answers 2xx, or panics after a minute with `log`.
async fn answering(url: &str, log: &Path) {
    let http = common::http();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !http
        .get(url)
        .send()
        .await
        .is_ok_and(|answer| answer.status().is_success())
    {
        assert!(
            Instant::now() < deadline,
            "{url} did not answer within 60 s:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `switchboard sandbox` with the agency's locations: 200 contacts in the
/// first, 20 in each other (a poll costs the changes since the last one,
/// not the size of the location).
struct Sandbox {
    base: String,
    _process: Running,
}

impl Sandbox {
    async fn start(locations: u64, log: &Path) -> Self {
        let port = free_port();
        let (stdout, stderr) = log_to(log);
        let child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .args(["sandbox", "--addr", &format!("127.0.0.1:{port}")])
            .args(["--contacts", "200", "--locations", &locations.to_string()])
            .env_remove("SANDBOX_ADDR")
            .env("RUST_LOG", "warn")
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .expect("the sandbox starts");
        let base = format!("http://127.0.0.1:{port}");
        let sandbox = Self {
            base,
            _process: Running(child),
        };
        answering(&format!("{}/_sandbox/locations", sandbox.base), log).await;
        sandbox
    }

    async fn location_ids(&self) -> Vec<String> {
        let locations =
            common::json_of(common::http().get(format!("{}/_sandbox/locations", self.base))).await;
        locations
            .as_array()
            .expect("a list of locations")
            .iter()
            .filter_map(|location| location["id"].as_str().map(str::to_owned))
            .collect()
    }

    /// A token of `location`'s own with the scopes a sync reads with.
    async fn token(&self, location: &str) -> String {
        common::sandbox_token(&self.base, location, switchboard::auth::oauth::READ_SCOPES).await
    }

    /// Added latency on every API request from now on.
    async fn answer_after(&self, latency_ms: u64) {
        let answer = common::http()
            .post(format!("{}/_sandbox/faults", self.base))
            .json(&json!({ "latencyMs": latency_ms }))
            .send()
            .await
            .expect("the sandbox answers");
        assert!(answer.status().is_success(), "faults: {}", answer.status());
    }

    /// About one contact change per location per minute, spread over `window`.
    async fn change_steadily(&self, ids: &[String], window: Duration) {
        let per_location = window.as_secs().div_ceil(60).max(1);
        let http = common::http();
        for id in ids {
            let answer = http
                .post(format!("{}/_sandbox/simulate", self.base))
                .json(&json!({
                    "entity": "contacts",
                    "action": "update",
                    "count": per_location,
                    "locationId": id,
                    "perSecond": 1.0 / 60.0,
                }))
                .send()
                .await
                .expect("the sandbox answers");
            assert!(
                answer.status().is_success(),
                "simulate: {}",
                answer.status()
            );
        }
    }
}

/// Each location as connecting it with a Private Integration Token makes it:
/// a team, its sealed token, and a poll every [`POLL_MINUTES`].
async fn connect_all(pool: &PgPool, sandbox: &Sandbox, ids: &[String], data_dir: &Path) {
    let vault =
        switchboard::auth::vault::Vault::open(Some(&SecretString::from(SECRET_KEY)), data_dir)
            .expect("the vault");
    for (n, id) in ids.iter().enumerate() {
        let token = sandbox.token(id).await;
        let sealed = vault.seal(
            &switchboard::auth::accounts::token_context(id, "access"),
            &token,
        );
        let mut tx = pool.begin().await.expect("a transaction");
        for (sql, value) in [
            (
                "INSERT INTO teams (location_id, name, time_zone) VALUES ($1, $2, 'America/Chicago')",
                format!("Branch {}", n + 1),
            ),
            (
                "INSERT INTO connections (location_id, kind, access_token_sealed) VALUES ($1, 'private_token', $2)",
                sealed,
            ),
        ] {
            sqlx::query(sql)
                .bind(id)
                .bind(value)
                .execute(&mut *tx)
                .await
                .expect("a connected location");
        }
        sqlx::query("INSERT INTO sync_settings (location_id, poll_minutes) VALUES ($1, $2)")
            .bind(id)
            .bind(POLL_MINUTES)
            .execute(&mut *tx)
            .await
            .expect("sync settings");
        tx.commit().await.expect("committed");
    }
}

/// Waits until every location's first full sync is done.
async fn all_synced(pool: &PgPool, locations: usize) {
    loop {
        let synced: i64 =
            sqlx::query_scalar("SELECT count(*) FROM sync_settings WHERE last_full_at IS NOT NULL")
                .fetch_one(pool)
                .await
                .expect("sync settings");
        if synced >= locations as i64 {
            return;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// `switchboard serve` with its background work on (the scheduler among it).
struct Server {
    pid: u32,
    _process: Running,
}

impl Server {
    async fn start(n: usize, database_url: &str, sandbox: &str, scratch: &Path) -> Self {
        let data_dir: PathBuf = scratch.join(format!("server-{n}"));
        std::fs::create_dir_all(&data_dir).expect("a data folder");
        let log = scratch.join(format!("server-{n}.log"));
        let (stdout, stderr) = log_to(&log);
        let addr = format!("127.0.0.1:{}", free_port());
        let child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("SWITCHBOARD_DATA_DIR", &data_dir)
            .env("APP_SECRET_KEY", SECRET_KEY)
            .env("LEPTOS_SITE_ADDR", &addr)
            .env_remove("SWITCHBOARD_PUBLIC_URL")
            .env_remove("HIGHLEVEL_REDIRECT_URI")
            .env("HIGHLEVEL_API_BASE", sandbox)
            .env("HIGHLEVEL_AUTH_BASE", sandbox)
            .env("HIGHLEVEL_CLIENT_ID", "poll-bench")
            .env("HIGHLEVEL_CLIENT_SECRET", "poll-bench-secret")
            .env("SWITCHBOARD_BACKGROUND", "true")
            .env("RUST_LOG", "warn")
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .expect("the server starts");
        let pid = child.id();
        let server = Self {
            pid,
            _process: Running(child),
        };
        answering(&format!("http://{addr}/healthz"), &log).await;
        server
    }
}

async fn postmaster(pool: &PgPool) -> u32 {
    let backend: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(pool)
        .await
        .expect("a backend");
    u32::try_from(backend)
        .ok()
        .and_then(cpu_time::parent_of)
        .expect("the postmaster")
}

/// What one phase measured.
struct Phase {
    polls: i64,
    failed: i64,
    requests: i64,
    refused: i64,
    p50_seconds: f64,
    p99_seconds: f64,
    polling_seconds: f64,
    worst_gap_seconds: f64,
    late: i64,
    cpu_seconds: Vec<f64>,
    postgres_seconds: f64,
    peak_mb: Vec<u64>,
    window: Duration,
}

impl Phase {
    async fn measure(
        pool: &PgPool,
        sandbox: &Sandbox,
        ids: &[String],
        window: Duration,
        servers: &[&Server],
        postmaster: u32,
    ) -> Self {
        sandbox.change_steadily(ids, window).await;
        let from = database_now(pool).await;
        let cpu_before: Vec<f64> = servers
            .iter()
            .map(|s| cpu_time::seconds_of(s.pid))
            .collect();
        let postgres_before = cpu_time::seconds_of_tree(postmaster);
        tokio::time::sleep(window).await;
        let to = database_now(pool).await;
        let cpu_seconds = servers
            .iter()
            .zip(cpu_before)
            .map(|(server, before)| cpu_time::seconds_of(server.pid) - before)
            .collect();
        let postgres_seconds = cpu_time::seconds_of_tree(postmaster) - postgres_before;
        let allowed = f64::from(POLL_MINUTES) * 60.0 + LATE_SECONDS;
        let row: (i64, i64, i64, i64, f64, f64, f64, f64, i64) = sqlx::query_as(FIGURES)
            .bind(from)
            .bind(to)
            .bind(allowed)
            .fetch_one(pool)
            .await
            .expect("the figures of the phase");
        Self {
            polls: row.0,
            failed: row.1,
            requests: row.2,
            refused: row.3,
            p50_seconds: row.4,
            p99_seconds: row.5,
            polling_seconds: row.6,
            worst_gap_seconds: row.7,
            late: row.8,
            cpu_seconds,
            postgres_seconds,
            peak_mb: servers
                .iter()
                .map(|s| cpu_time::memory_mb(s.pid).1)
                .collect(),
            window,
        }
    }

    fn print(&self, name: &str) {
        let seconds = self.window.as_secs_f64();
        println!("{name}, {seconds:.0} s:");
        println!(
            "  polls {} ({} failed), {:.1} per second; a poll took p50 {:.2} s, p99 {:.2} s",
            self.polls,
            self.failed,
            self.polls as f64 / seconds,
            self.p50_seconds,
            self.p99_seconds
        );
        println!(
            "  HighLevel requests {} ({} answered 429)",
            self.requests, self.refused
        );
        println!(
            "  longest time between two polls of a location {:.1} s (due every {} s); locations polled more than {LATE_SECONDS:.0} s late: {}",
            self.worst_gap_seconds,
            POLL_MINUTES * 60,
            self.late
        );
        let polls = self.polls.max(1) as f64;
        for (n, (cpu, peak)) in self.cpu_seconds.iter().zip(&self.peak_mb).enumerate() {
            println!(
                "  process {}: {:.0}% of a core, {:.1} ms CPU per poll of all, memory peak {peak} MB",
                n + 1,
                cpu / seconds * 100.0,
                cpu * 1000.0 / polls
            );
        }
        let server_per_poll: f64 = self.cpu_seconds.iter().sum::<f64>() / polls;
        println!(
            "  Postgres: {:.0}% of a core, {:.1} ms CPU per poll",
            self.postgres_seconds / seconds * 100.0,
            self.postgres_seconds * 1000.0 / polls
        );
        let slots = (SYNCS_AT_ONCE * self.cpu_seconds.len()) as f64;
        let busy = self.polling_seconds / (seconds * slots);
        println!(
            "  sync slots busy {:.0}% ({SYNCS_AT_ONCE} per process); at that rate a process keeps {:.0} locations polled every 5 min, and one core of it {:.0}",
            busy * 100.0,
            self.polls as f64 / seconds / busy.max(f64::EPSILON) / self.cpu_seconds.len() as f64 * 300.0,
            300.0 / server_per_poll.max(f64::EPSILON)
        );
    }
}

async fn database_now(pool: &PgPool) -> DateTime<Utc> {
    sqlx::query_scalar("SELECT now()")
        .fetch_one(pool)
        .await
        .expect("the database clock")
}

/// `$1`..`$2` the phase, `$3` the longest a location may wait between two
/// polls (seconds). A gap counts if it ends in the phase; the last poll of a
/// location runs to the end of the phase.
const FIGURES: &str = r"
WITH polls AS (
    SELECT * FROM sync_runs
     WHERE kind = 'incremental' AND started_at >= $1 AND started_at < $2
), gaps AS (
    SELECT location_id, started_at,
           extract(epoch FROM coalesce(lead(started_at) OVER (PARTITION BY location_id ORDER BY started_at), $2)
                              - started_at)::float8 AS gap
      FROM sync_runs
     WHERE status = 'succeeded' AND started_at < $2
), worst AS (
    SELECT location_id, max(gap) AS gap FROM gaps
     WHERE started_at + gap * interval '1 second' > $1
     GROUP BY location_id
)
SELECT (SELECT count(*) FROM polls),
       (SELECT count(*) FROM polls WHERE status = 'failed'),
       (SELECT coalesce(sum(requests), 0)::int8 FROM polls),
       (SELECT count(*) FROM highlevel_request_log WHERE sent_at >= $1 AND sent_at < $2 AND status = 429),
       coalesce((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at)::float8)
                   FROM polls WHERE finished_at IS NOT NULL), 0),
       coalesce((SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at)::float8)
                   FROM polls WHERE finished_at IS NOT NULL), 0),
       (SELECT coalesce(sum(extract(epoch FROM finished_at - started_at)), 0)::float8 FROM polls),
       coalesce((SELECT max(gap) FROM worst), 0),
       (SELECT count(*) FROM worst WHERE gap > $3)";
