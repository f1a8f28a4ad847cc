//! The automation engine end to end: a Clubworx connection posts signed
//! `member.created` events to its webhook door; an automation upserts the
//! contact with the connection's mapping, creates a task for it and tells
//! Clubworx (the sandbox's simulated inbox). HighLevel is the standalone
//! sandbox (`switchboard sandbox`, its own process, so its memory is not
//! counted here); the app runs in this process against a throw-away Postgres,
//! as `switchboard serve` builds it, with the run worker every server runs.
//!
//! Three parts:
//!
//! 1. Closed loop, sandbox without its rate limit: 50 senders each send an
//!    event and wait until its run has finished before sending the next (as
//!    wrk's 50 connections do against an n8n webhook that answers when the
//!    workflow is done). Latency per event = the run's `finished_at` − the
//!    event's `received_at`, both from Postgres; throughput = events / (last
//!    finished − first received).
//! 2. Burst, same sandbox: 50 senders post every event as fast as the door
//!    takes them, then the runs drain; the same two measures.
//! 3. The budget: a new sandbox with HighLevel's limit (100 requests per
//!    10 s) and a new database; a burst of events, while a signed-in person
//!    reads a contact through the app (`/api/highlevel/call`, the people's
//!    side of the shared budget) every two seconds, and the contact list
//!    page (from the cache) and `/healthz`. Prints the request rate against
//!    the least time the budget allows, and what the person waited.
//!
//! The peak resident memory of this process (VmHWM: the app, its worker and
//! the senders) is read after parts 1 and 2, and the CPU each of this
//! process, the sandbox and Postgres spent per event during each.
//!
//! `cargo bench --features ssr --bench automations`. BENCH_EVENTS (2000) is
//! the number of events of parts 1 and 2, BENCH_BUDGET_EVENTS (200; 0 skips
//! part 3) that of part 3; BENCH_RUN_CONCURRENCY sets the runs the worker runs
//! side by side (the server's default otherwise). BENCH_BUDGET_STORE=memory
//! is a diagnosis: the worker keeps HighLevel's rate budget in this process
//! instead of sharing it with every process through Postgres.

// The poll bench reads other processes' CPU with the same helpers.
#[allow(dead_code)]
#[path = "support/cpu_time.rs"]
mod cpu_time;

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context};
use chrono::{DateTime, Utc};
use clap::Parser;
use hdrhistogram::Histogram;
use parking_lot::Mutex;
use secrecy::ExposeSecret;
use serde_json::{json, Value};
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use switchboard::apps::connections::signing::sign;
use switchboard::apps::connections::store::{self as connections, NewConnection};
use switchboard::apps::connections::{Encoding, EventTypeFrom, Signing};
use switchboard::apps::outbound::base_url::BaseUrl;
use switchboard::apps::outbound::settings::{self, Change};
use switchboard::apps::outbound::AuthMode;
use switchboard::automations::model::{Action, Definition, Filter, State, Step, Trigger};
use switchboard::automations::worker::RunTiming;
use switchboard::config::{Config, ServeConfig};
use switchboard::server::Application;
use tokio::sync::oneshot;

use cpu_time::{CpuTime, Processes};

const SENDERS: usize = 50;
/// HighLevel's budget: requests per window, and the window.
const BUDGET_REQUESTS: u64 = 100;
const BUDGET_WINDOW_SECS: f64 = 10.0;
/// As good as no limit, for parts 1 and 2 (requests per 10 s; the daily
/// allowance of 200,000 is far more than a run of the bench asks).
const UNLIMITED: &str = "1000000000";
/// The OAuth client every sandbox knows.
const CLIENT_ID: &str = "sandbox-client-id";
const CLIENT_SECRET: &str = "sandbox-client-secret";
/// The channel the bench's trigger announces finished runs on.
const FINISHED: &str = "bench_run_finished";

fn main() -> anyhow::Result<()> {
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "warn");
    }
    switchboard::telemetry::init();
    switchboard::tls::install_crypto_provider();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(bench())
}

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

async fn bench() -> anyhow::Result<()> {
    let events = setting("BENCH_EVENTS", 2000);
    let budget_events = setting("BENCH_BUDGET_EVENTS", 200);
    let scratch = tempfile::tempdir()?;
    let postgres = switchboard::db::EmbeddedPostgres::start(&scratch.path().join("pg"))?;

    let setup = Setup::start(
        &postgres,
        scratch.path(),
        "unlimited",
        &["--burst-limit", UNLIMITED],
    )
    .await?;
    println!(
        "Automation: member.created -> ApplyMapping (duplicate lookup + upsert) -> CreateTask -> SendToApp;"
    );
    println!(
        "  {SENDERS} senders, sandbox HighLevel in its own process without its rate limit, Postgres {}.",
        postgres_version(&setup.db).await?
    );
    let idle_rss = memory("VmRSS");
    setup.warm_up().await?;

    let processes = setup.processes().await?;
    let (before, started) = (CpuTime::now(processes), Instant::now());
    let closed = setup.closed_loop(events).await?;
    closed.print(&format!(
        "Closed loop ({events} events; each sender waits for its run to finish)"
    ));
    let closed_cpu = before.per_event(&CpuTime::now(processes), events, started.elapsed());
    println!("  {closed_cpu}");
    let (before, started) = (CpuTime::now(processes), Instant::now());
    let burst = setup.burst(events).await?;
    burst.print(&format!(
        "Burst ({events} events posted at once, then drained)"
    ));
    let burst_cpu = before.per_event(&CpuTime::now(processes), events, started.elapsed());
    println!("  {burst_cpu}");
    let peak = memory("VmHWM");
    println!();
    println!(
        "Resident memory of this process (app + worker + senders): {} MB idle, {} MB peak (VmHWM)",
        idle_rss / 1024,
        peak / 1024
    );
    println!(
        "SUMMARY switchboard closed_loop_events_per_s={:.1} p50_ms={:.1} p99_ms={:.1} burst_events_per_s={:.1} rss_idle_mb={} rss_peak_mb={} cpu_app_ms={:.2} cpu_sandbox_ms={:.2} cpu_pg_ms={:.2}",
        closed.throughput(),
        closed.quantile_ms(0.5),
        closed.quantile_ms(0.99),
        burst.throughput(),
        idle_rss / 1024,
        peak / 1024,
        closed_cpu.app.ms,
        closed_cpu.sandbox.ms,
        closed_cpu.postgres.ms
    );
    drop(setup);

    if budget_events > 0 {
        let setup = Setup::start(&postgres, scratch.path(), "budget", &[]).await?;
        setup.budget(budget_events).await?;
    }
    postgres.stop();
    Ok(())
}

/// A value from /proc/self/status, in kB.
fn memory(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with(field))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kb| kb.parse().ok())
        })
        .unwrap_or(0)
}

async fn postgres_version(db: &PgPool) -> anyhow::Result<String> {
    let version: String = sqlx::query_scalar("SHOW server_version")
        .fetch_one(db)
        .await?;
    Ok(version)
}

/// The sandbox process, stopped (by its id) when dropped.
struct SandboxProcess {
    child: Child,
    base: String,
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

impl SandboxProcess {
    async fn start(redirect_uri: &str, limits: &[&str]) -> anyhow::Result<Self> {
        let port = free_port()?;
        let child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .args(["sandbox", "--addr", &format!("127.0.0.1:{port}")])
            .args(["--contacts", "50", "--redirect-uri", redirect_uri])
            .args(limits)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting `switchboard sandbox`")?;
        let sandbox = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let http = reqwest::Client::new();
        let started = Instant::now();
        while http
            .get(format!("{}/_sandbox/locations", sandbox.base))
            .send()
            .await
            .is_err()
        {
            ensure!(
                started.elapsed() < Duration::from_secs(30),
                "the sandbox did not answer"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(sandbox)
    }

    /// The first demo location and its first user.
    async fn owner(&self) -> anyhow::Result<(String, String)> {
        let http = reqwest::Client::new();
        let locations: Value = http
            .get(format!("{}/_sandbox/locations", self.base))
            .send()
            .await?
            .json()
            .await?;
        let location = locations[0]["id"]
            .as_str()
            .context("a demo location")?
            .to_owned();
        let token = self.token(&location, &["users.readonly"]).await?;
        let users: Value = http
            .get(format!("{}/users/?locationId={location}", self.base))
            .header("Version", "2021-07-28")
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await?;
        let user = users["users"][0]["id"]
            .as_str()
            .context("a demo user")?
            .to_owned();
        Ok((location, user))
    }

    async fn token(&self, location: &str, scopes: &[&str]) -> anyhow::Result<String> {
        let minted: Value = reqwest::Client::new()
            .post(format!("{}/_sandbox/tokens", self.base))
            .json(&json!({"locationId": location, "scopes": scopes}))
            .send()
            .await?
            .json()
            .await?;
        Ok(minted["access_token"]
            .as_str()
            .context("a minted token")?
            .to_owned())
    }
}

#[derive(Parser)]
struct Settings {
    #[command(flatten)]
    config: Config,
    #[command(flatten)]
    serve: ServeConfig,
}

/// A sandbox, a database, the app signed in to by the location's owner, a
/// Clubworx connection that delivers to the sandbox's inbox, and the
/// automation, on.
struct Setup {
    sandbox: SandboxProcess,
    db: PgPool,
    app: String,
    location: String,
    browser: reqwest::Client,
    hook: String,
    secret: String,
}

impl Setup {
    async fn start(
        postgres: &switchboard::db::EmbeddedPostgres,
        scratch: &std::path::Path,
        name: &str,
        limits: &[&str],
    ) -> anyhow::Result<Self> {
        switchboard::db::create_database_if_missing(&postgres.url("postgres"), name).await?;
        let url = postgres.url(name);
        let db = switchboard::db::connect(&url, 4).await?;
        switchboard::db::migrate(&db).await?;
        observe_finished_runs(&db).await?;

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let app = format!("http://{}", listener.local_addr()?);
        let sandbox = SandboxProcess::start(&format!("{app}/auth/callback"), limits).await?;
        let data_dir = scratch.join(name);
        let data_dir = data_dir.to_string_lossy();
        let unlimited_door = "100000000";
        let settings = Settings::parse_from([
            "switchboard",
            "--database-url",
            &url,
            "--data-dir",
            &data_dir,
            "--background",
            "false",
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            CLIENT_SECRET,
            "--api-base",
            &sandbox.base,
            "--auth-base",
            &sandbox.base,
            "--outbound-allow-private",
            "true",
            "--per-source-per-minute",
            unlimited_door,
            "--per-connection-per-minute",
            unlimited_door,
        ]);
        let application = Application::build(settings.config, settings.serve, listener).await?;
        let state = application.state().clone();
        // The run worker, as `serve` starts it; the rest of the background
        // work (syncs, token renewal) would only add requests of its own.
        let timing = RunTiming {
            concurrency: setting("BENCH_RUN_CONCURRENCY", RunTiming::default().concurrency),
            ..RunTiming::default()
        };
        let mut services = state.automation_services()?;
        if std::env::var("BENCH_BUDGET_STORE").as_deref() == Ok("memory") {
            // A diagnosis, not how the server runs: the worker's budget kept
            // in this process instead of shared through Postgres.
            use switchboard::highlevel::{HighLevelClient, RateBudget, RateLimiter, RequestLog};
            services.client = HighLevelClient::builder(
                state.highlevel.api_base.clone(),
                state.connection_tokens(),
            )
            .rate_limiter(RateLimiter::in_process(RateBudget::default()))
            .request_log(RequestLog::new(state.db.clone()))
            .in_background()
            .build()?;
        }
        switchboard::automations::worker::spawn(services, timing);
        tokio::spawn(application.run_until(std::future::pending()));

        let (location, user) = sandbox.owner().await?;
        let browser = sign_in(&app, &location, &user).await?;
        let owner: i64 = sqlx::query_scalar("SELECT id FROM users WHERE highlevel_user_id = $1")
            .bind(&user)
            .fetch_one(&db)
            .await
            .context("the owner signed in")?;
        let new = NewConnection {
            location_id: location.clone(),
            app: "clubworx".into(),
            name: "Clubworx".into(),
            signing: Signing::HmacSha256 {
                header: "X-Clubworx-Signature".into(),
                encoding: Encoding::Hex,
                prefix: String::new(),
            },
            event_type_from: EventTypeFrom::BodyField("event".into()),
            created_by: owner,
        };
        let (connection, secret) = connections::create(&db, &state.vault, &new).await?;
        let change = Change {
            base_url: BaseUrl::parse(&format!("{}/_sandbox/apps/clubworx/inbox", sandbox.base))
                .map_err(|error| anyhow::anyhow!("{error:?}"))?,
            auth_mode: AuthMode::None,
            auth_header: String::new(),
            auth_value: None,
            timeout_secs: 10,
        };
        settings::save(&db, &state.vault, &connection, &change).await?;
        settings::rotate_signing_secret(&db, &state.vault, &connection).await?;
        let step = |name: &str, action: Action| Step {
            name: name.into(),
            action,
        };
        let definition = Definition {
            trigger: Trigger::AppEvent {
                connection_id: connection.id,
                event_type: "member.created".into(),
            },
            filter: Filter::default(),
            steps: vec![
                step(
                    "member",
                    Action::ApplyMapping {
                        connection_id: connection.id,
                        event_type: "member.created".into(),
                    },
                ),
                step(
                    "welcome",
                    Action::CreateTask {
                        contact_id: "{{ steps.member.contact_id }}".into(),
                        title: "Welcome call for {{ data.member.first_name }}".into(),
                        body: "New {{ data.member.membership_type }} member.".into(),
                        due: "2027-01-04T09:00:00Z".into(),
                    },
                ),
                step(
                    "tell",
                    Action::SendToApp {
                        connection_id: connection.id,
                        path: "/members".into(),
                        contact_id: String::new(),
                        with_records: false,
                    },
                ),
            ],
        };
        let automation = switchboard::automations::store::create(
            &db,
            &location,
            "Welcome new members",
            &definition,
            owner,
        )
        .await?;
        ensure!(
            switchboard::automations::store::set_state(&db, &location, automation, State::On)
                .await?,
            "the automation is on"
        );
        Ok(Self {
            sandbox,
            db,
            hook: format!("{app}/hooks/{}", connection.public_id),
            app,
            location,
            browser,
            secret: secret.expose_secret().to_owned(),
        })
    }

    /// The sandbox's process and Postgres's postmaster, whose CPU is counted.
    async fn processes(&self) -> anyhow::Result<Processes> {
        let backend: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&self.db)
            .await?;
        let postmaster = u32::try_from(backend)
            .ok()
            .and_then(cpu_time::parent_of)
            .context("Postgres's postmaster")?;
        Ok(Processes {
            sandbox: self.sandbox.child.id(),
            postmaster,
        })
    }

    /// A few events first: the first run reads the location's details and
    /// every pool fills, which the figures should not include.
    async fn warm_up(&self) -> anyhow::Result<()> {
        let warm = self.closed_loop_with(10, 5, 1_000_000).await?;
        ensure!(warm.failed == 0, "warm-up runs failed: {:?}", warm.statuses);
        Ok(())
    }

    async fn closed_loop(&self, events: usize) -> anyhow::Result<Measured> {
        self.closed_loop_with(events, SENDERS, 0).await
    }

    /// `senders` each send an event and wait for its run; numbers from `first`.
    async fn closed_loop_with(
        &self,
        events: usize,
        senders: usize,
        first: usize,
    ) -> anyhow::Result<Measured> {
        let waiters = Waiters::listen(&self.db).await?;
        let next = Arc::new(AtomicUsize::new(0));
        let http = reqwest::Client::new();
        let mut tasks = Vec::new();
        for _ in 0..senders {
            let (http, next, waiters) = (http.clone(), next.clone(), waiters.clone());
            let (hook, secret) = (self.hook.clone(), self.secret.clone());
            tasks.push(tokio::spawn(async move {
                let mut ids = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= events {
                        return Ok::<_, anyhow::Error>(ids);
                    }
                    let id = post(&http, &hook, &secret, first + n).await?;
                    waiters.wait(id).await?;
                    ids.push(id);
                }
            }));
        }
        let mut ids = Vec::new();
        for task in tasks {
            ids.extend(task.await??);
        }
        waiters.stop();
        Measured::of(&self.db, &ids).await
    }

    async fn burst(&self, events: usize) -> anyhow::Result<Measured> {
        self.burst_from(events, 2_000_000).await
    }

    /// Posts `events` from `SENDERS` senders as fast as the door answers,
    /// then waits for every run to finish.
    async fn burst_from(&self, events: usize, first: usize) -> anyhow::Result<Measured> {
        let waiters = Waiters::listen(&self.db).await?;
        let next = Arc::new(AtomicUsize::new(0));
        let http = reqwest::Client::new();
        let mut tasks = Vec::new();
        for _ in 0..SENDERS {
            let (http, next) = (http.clone(), next.clone());
            let (hook, secret) = (self.hook.clone(), self.secret.clone());
            tasks.push(tokio::spawn(async move {
                let mut ids = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= events {
                        return Ok::<_, anyhow::Error>(ids);
                    }
                    ids.push(post(&http, &hook, &secret, first + n).await?);
                }
            }));
        }
        let mut ids = Vec::new();
        for task in tasks {
            ids.extend(task.await??);
        }
        for id in &ids {
            waiters.wait(*id).await?;
        }
        waiters.stop();
        Measured::of(&self.db, &ids).await
    }

    /// Part 3: a burst under HighLevel's real budget while a person reads a
    /// contact through the app every two seconds.
    async fn budget(&self, events: usize) -> anyhow::Result<()> {
        println!();
        println!(
            "Budget: sandbox with HighLevel's limit ({BUDGET_REQUESTS} requests per {BUDGET_WINDOW_SECS} s), a burst of {events} events"
        );
        self.warm_up().await?;
        let contact = self.a_contact().await?;
        // The burst starts on an idle budget: past the window of the warm-up.
        tokio::time::sleep(Duration::from_secs_f64(BUDGET_WINDOW_SECS * 1.1)).await;
        let used_before = self.requests_today().await?;

        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let person = {
            let (browser, app, done) = (self.browser.clone(), self.app.clone(), done.clone());
            tokio::spawn(async move { person(browser, app, contact, done).await })
        };
        let burst = self.burst_from(events, 3_000_000).await?;
        done.store(true, Ordering::Relaxed);
        let person = person.await??;
        let used = self.requests_today().await? - used_before;

        let wall = burst.span_secs();
        let least = least_time(used);
        let rate = used as f64 / wall;
        println!(
            "  {} runs: {} succeeded, {} not ({:?})",
            burst.latencies.len(),
            burst.latencies.len() - burst.failed,
            burst.failed,
            burst.statuses
        );
        println!(
            "  HighLevel requests: {used} ({} by the person, the rest by the runs, {:.2} per run)",
            person.reads,
            used.saturating_sub(person.reads) as f64 / events as f64
        );
        println!(
            "  first event received -> last run finished: {wall:.1} s; the least the budget allows for {used} requests: {least:.1} s"
        );
        println!(
            "  achieved rate: {rate:.2} requests/s = {:.3} of what the budget allows (target >= 0.95)",
            least / wall
        );
        println!(
            "  person's contact read from HighLevel during the burst: p50 {:.0} ms, max {:.0} ms over {} reads ({} failed)",
            person.reads_ms.value_at_quantile(0.5) as f64 / 1000.0,
            person.reads_ms.max() as f64 / 1000.0,
            person.reads,
            person.read_failures,
        );
        println!(
            "  contact list page (from the cache): p50 {:.1} ms, max {:.1} ms; /healthz p50 {:.1} ms, max {:.1} ms",
            person.list_ms.value_at_quantile(0.5) as f64 / 1000.0,
            person.list_ms.max() as f64 / 1000.0,
            person.health_ms.value_at_quantile(0.5) as f64 / 1000.0,
            person.health_ms.max() as f64 / 1000.0,
        );
        println!(
            "SUMMARY budget events={events} requests={used} wall_s={wall:.1} least_s={least:.1} fraction={:.3} person_p50_ms={:.0} person_max_ms={:.0}",
            least / wall,
            person.reads_ms.value_at_quantile(0.5) as f64 / 1000.0,
            person.reads_ms.max() as f64 / 1000.0,
        );
        Ok(())
    }

    /// A seeded contact of the location, to read.
    async fn a_contact(&self) -> anyhow::Result<String> {
        let token = self
            .sandbox
            .token(&self.location, &["contacts.readonly"])
            .await?;
        let found: Value = reqwest::Client::new()
            .post(format!("{}/contacts/search", self.sandbox.base))
            .header("Version", "2021-07-28")
            .bearer_auth(token)
            .json(&json!({"locationId": self.location, "pageLimit": 1}))
            .send()
            .await?
            .json()
            .await?;
        Ok(found["contacts"][0]["id"]
            .as_str()
            .context("a seeded contact")?
            .to_owned())
    }

    /// Requests counted against the location's budget today.
    async fn requests_today(&self) -> anyhow::Result<u64> {
        let used: Option<i32> =
            sqlx::query_scalar("SELECT day_used FROM highlevel_rate_budget WHERE location_id = $1")
                .bind(&self.location)
                .fetch_optional(&self.db)
                .await?;
        Ok(u64::try_from(used.unwrap_or(0)).unwrap_or(0))
    }
}

/// The least time `requests` take from an idle budget of
/// [`BUDGET_REQUESTS`] per window: the first window's worth at once, then a
/// window's worth each window.
fn least_time(requests: u64) -> f64 {
    (requests.saturating_sub(1) / BUDGET_REQUESTS) as f64 * BUDGET_WINDOW_SECS
}

/// Signs in through the sandbox's consent page, as a browser would.
async fn sign_in(app: &str, location: &str, user: &str) -> anyhow::Result<reqwest::Client> {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let redirect = |response: reqwest::Response| -> anyhow::Result<String> {
        ensure!(
            response.status().is_redirection(),
            "expected a redirect, got {}",
            response.status()
        );
        let to = response.headers()[reqwest::header::LOCATION]
            .to_str()?
            .to_owned();
        Ok(if to.starts_with('/') {
            format!("{app}{to}")
        } else {
            to
        })
    };
    let consent = reqwest::Url::parse(&redirect(
        browser
            .get(format!("{app}/auth/login?write=1"))
            .send()
            .await?,
    )?)?;
    let query: HashMap<String, String> = consent.query_pairs().into_owned().collect();
    let form = [
        ("client_id", query["client_id"].as_str()),
        ("redirect_uri", query["redirect_uri"].as_str()),
        ("scope", query["scope"].as_str()),
        ("state", query["state"].as_str()),
        ("location_id", location),
        ("user_id", user),
    ];
    let mut action = consent.clone();
    action.set_query(None);
    let callback = redirect(browser.post(action).form(&form).send().await?)?;
    let signed_in = browser.get(callback).send().await?;
    ensure!(
        signed_in.status().is_redirection(),
        "sign-in failed: {}",
        signed_in.status()
    );
    Ok(browser)
}

/// One signed Clubworx `member.created` event, numbered `n`; the event's id.
async fn post(http: &reqwest::Client, hook: &str, secret: &str, n: usize) -> anyhow::Result<i64> {
    let body = member_created(n).to_string();
    let signature = sign(secret, Encoding::Hex, "", body.as_bytes());
    let answer = http
        .post(hook)
        .header("X-Clubworx-Signature", signature)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await?;
    let status = answer.status();
    let answer: Value = answer.json().await?;
    if !status.is_success() {
        bail!("the door answered {status}: {answer}");
    }
    answer["eventId"].as_i64().context("the event's id")
}

/// A member as Clubworx sends one: every e-mail and mobile different.
fn member_created(n: usize) -> Value {
    const FIRST: [&str; 8] = [
        "Chloe", "Liam", "Mia", "Noah", "Ava", "Jack", "Zoe", "Oscar",
    ];
    const LAST: [&str; 8] = [
        "Nguyen", "Smith", "Kelly", "Brown", "Wilson", "Taylor", "Martin", "Walker",
    ];
    let (first, last) = (FIRST[n % 8], LAST[(n / 8) % 8]);
    json!({
        "event": "member.created",
        "event_id": format!("evt_bench_{n}"),
        "created_at": "2026-05-14T09:12:44+10:00",
        "account": {"id": 4821, "name": "Bayside Martial Arts"},
        "data": {"member": {
            "id": 100_000 + n,
            "first_name": first,
            "last_name": last,
            "name": format!("{first} {last}"),
            "email": format!("{}.{}.{n}@example.com", first.to_lowercase(), last.to_lowercase()),
            "mobile": format!("04{:02} {:03} {:03}", (n / 1_000_000) % 100, (n / 1000) % 1000, n % 1000),
            "date_of_birth": "1991-03-27",
            "status": "Active",
            "membership_type": "Unlimited Adult",
            "address": {"street": "12 Beach Road", "suburb": "Brighton", "state": "VIC",
                        "postcode": "3186", "country": "Australia"},
            "tags": ["BJJ", "Newsletter"]
        }}
    })
}

/// A trigger that announces each run that has finished, with its event's
/// id, so a sender learns when its run is over without polling. It is the
/// bench's, not the app's: one notification per run.
async fn observe_finished_runs(db: &PgPool) -> anyhow::Result<()> {
    sqlx::query(&format!(
        r"CREATE FUNCTION {FINISHED}() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            PERFORM pg_notify('{FINISHED}', coalesce(NEW.app_event_id, 0)::text);
            RETURN NULL;
          END $$"
    ))
    .execute(db)
    .await?;
    sqlx::query(&format!(
        r"CREATE TRIGGER {FINISHED} AFTER UPDATE OF finished_at ON automation_runs
          FOR EACH ROW WHEN (NEW.finished_at IS NOT NULL AND OLD.finished_at IS NULL)
          EXECUTE FUNCTION {FINISHED}()"
    ))
    .execute(db)
    .await?;
    Ok(())
}

enum Waiting {
    Sender(oneshot::Sender<()>),
    /// Finished before anyone waited for it.
    Finished,
}

/// Wakes whoever waits for an event's run when it finishes.
#[derive(Clone)]
struct Waiters {
    by_event: Arc<Mutex<HashMap<i64, Waiting>>>,
    listening: Arc<tokio::task::JoinHandle<()>>,
}

impl Waiters {
    async fn listen(db: &PgPool) -> anyhow::Result<Self> {
        let mut listener = PgListener::connect_with(db).await?;
        listener.listen(FINISHED).await?;
        let by_event: Arc<Mutex<HashMap<i64, Waiting>>> = Arc::default();
        let listening = {
            let by_event = by_event.clone();
            tokio::spawn(async move {
                while let Ok(notification) = listener.recv().await {
                    let Ok(id) = notification.payload().parse::<i64>() else {
                        continue;
                    };
                    let mut waiting = by_event.lock();
                    match waiting.remove(&id) {
                        Some(Waiting::Sender(wake)) => {
                            let _ = wake.send(());
                        }
                        _ => {
                            waiting.insert(id, Waiting::Finished);
                        }
                    }
                }
            })
        };
        Ok(Self {
            by_event,
            listening: Arc::new(listening),
        })
    }

    async fn wait(&self, event: i64) -> anyhow::Result<()> {
        let (wake, woken) = oneshot::channel();
        {
            let mut waiting = self.by_event.lock();
            if let Some(Waiting::Finished) = waiting.remove(&event) {
                return Ok(());
            }
            waiting.insert(event, Waiting::Sender(wake));
        }
        tokio::time::timeout(Duration::from_secs(300), woken)
            .await
            .with_context(|| format!("the run of event {event} did not finish"))?
            .context("the listener stopped")
    }

    fn stop(&self) {
        self.listening.abort();
    }
}

/// What one part measured, from Postgres.
struct Measured {
    latencies: Vec<i64>,
    first_received: DateTime<Utc>,
    last_finished: DateTime<Utc>,
    failed: usize,
    statuses: Vec<(String, i64)>,
}

impl Measured {
    async fn of(db: &PgPool, events: &[i64]) -> anyhow::Result<Self> {
        let rows: Vec<(DateTime<Utc>, Option<DateTime<Utc>>, String)> = sqlx::query_as(
            r"SELECT e.received_at, r.finished_at, r.status FROM app_events e
              JOIN automation_runs r ON r.app_event_id = e.id WHERE e.id = ANY($1)",
        )
        .bind(events)
        .fetch_all(db)
        .await?;
        ensure!(
            rows.len() == events.len(),
            "{} events, {} runs",
            events.len(),
            rows.len()
        );
        let mut statuses: HashMap<String, i64> = HashMap::new();
        let mut latencies = Vec::new();
        let mut first_received = None::<DateTime<Utc>>;
        let mut last_finished = None::<DateTime<Utc>>;
        for (received, finished, status) in rows {
            *statuses.entry(status).or_default() += 1;
            let finished = finished.context("a run that did not finish")?;
            latencies.push((finished - received).num_microseconds().unwrap_or(i64::MAX));
            first_received = Some(first_received.map_or(received, |at| at.min(received)));
            last_finished = Some(last_finished.map_or(finished, |at| at.max(finished)));
        }
        let mut statuses: Vec<(String, i64)> = statuses.into_iter().collect();
        statuses.sort();
        let failed = statuses
            .iter()
            .filter(|(status, _)| status != "succeeded")
            .map(|(_, count)| usize::try_from(*count).unwrap_or(0))
            .sum();
        latencies.sort_unstable();
        Ok(Self {
            latencies,
            first_received: first_received.context("no events")?,
            last_finished: last_finished.context("no events")?,
            failed,
            statuses,
        })
    }

    fn span_secs(&self) -> f64 {
        (self.last_finished - self.first_received)
            .num_microseconds()
            .unwrap_or(0) as f64
            / 1e6
    }

    fn throughput(&self) -> f64 {
        self.latencies.len() as f64 / self.span_secs()
    }

    fn quantile_ms(&self, quantile: f64) -> f64 {
        let last = self.latencies.len().saturating_sub(1);
        let at = ((self.latencies.len() as f64 * quantile).ceil() as usize).saturating_sub(1);
        self.latencies[at.min(last)] as f64 / 1000.0
    }

    fn print(&self, title: &str) {
        println!();
        println!("{title}");
        println!(
            "  {:.1} events/s end to end ({} runs in {:.2} s; {} not succeeded: {:?})",
            self.throughput(),
            self.latencies.len(),
            self.span_secs(),
            self.failed,
            self.statuses
        );
        println!(
            "  event received -> run finished: p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
            self.quantile_ms(0.5),
            self.quantile_ms(0.99),
            self.quantile_ms(1.0)
        );
    }
}

/// What the person saw during the burst.
struct Person {
    reads: u64,
    read_failures: u64,
    reads_ms: Histogram<u64>,
    list_ms: Histogram<u64>,
    health_ms: Histogram<u64>,
}

/// Every two seconds until `done`: `/healthz`, the contact list page (read
/// from the cache) and `contact` read from HighLevel through the app (the
/// people's side of the budget).
async fn person(
    browser: reqwest::Client,
    app: String,
    contact: String,
    done: Arc<std::sync::atomic::AtomicBool>,
) -> anyhow::Result<Person> {
    let mut seen = Person {
        reads: 0,
        read_failures: 0,
        reads_ms: Histogram::new(3)?,
        list_ms: Histogram::new(3)?,
        health_ms: Histogram::new(3)?,
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    while !done.load(Ordering::Relaxed) {
        let started = Instant::now();
        let health = browser.get(format!("{app}/healthz")).send().await?;
        ensure!(
            health.status().is_success(),
            "/healthz: {}",
            health.status()
        );
        seen.health_ms
            .record(started.elapsed().as_micros().max(1) as u64)?;

        let started = Instant::now();
        let list = browser.get(format!("{app}/contacts")).send().await?;
        ensure!(list.status().is_success(), "/contacts: {}", list.status());
        let _ = list.bytes().await?;
        seen.list_ms
            .record(started.elapsed().as_micros().max(1) as u64)?;

        let started = Instant::now();
        let read = browser
            .post(format!("{app}/api/highlevel/call"))
            .json(&json!({
                "operation_id": "get-contact",
                "params": [["contactId", contact]],
                "body": null,
            }))
            .send()
            .await?;
        let ok = read.status().is_success();
        let _ = read.bytes().await;
        seen.reads += 1;
        if ok {
            seen.reads_ms
                .record(started.elapsed().as_micros().max(1) as u64)?;
        } else {
            seen.read_failures += 1;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    Ok(seen)
}
