//! The sync under HighLevel's real limits: a sandbox seeded with 10,000
//! contacts (100 requests per 10 s), one full sync into a fresh Postgres,
//! then 100 changes and one poll.
//!
//! `cargo bench --features ssr --bench sync` (`BENCH_CONTACTS=N` to change
//! the seed size). Prints requests made, the fewest the data allows, wall
//! time, how busy the sync kept the budget, records missing, and the poll's
//! cost and delay.

use std::time::Instant;

use anyhow::{ensure, Context};
use secrecy::SecretString;
use serde_json::{json, Value};
use sqlx::PgPool;
use switchboard::highlevel::{HighLevelClient, RateBudget, RateLimiter, RequestLog, StaticToken};
use switchboard::sync::{SyncEngine, SyncKind, SyncOptions};
use switchboard_sandbox::SandboxConfig;

/// HighLevel's burst pace: requests per second.
const PACE: f64 = 10.0;

fn main() -> anyhow::Result<()> {
    switchboard::tls::install_crypto_provider();
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(bench())
}

/// What the sandbox holds, from `/_sandbox/stats`.
struct Counts(Value);

impl Counts {
    fn get(&self, name: &str) -> u64 {
        self.0[name].as_u64().unwrap_or(0)
    }
}

async fn bench() -> anyhow::Result<()> {
    let contacts: usize = std::env::var("BENCH_CONTACTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let scratch = tempfile::tempdir()?;
    let postgres = switchboard::db::EmbeddedPostgres::start(scratch.path())?;
    switchboard::db::create_database_if_missing(&postgres.url("postgres"), "bench").await?;
    let pool = switchboard::db::connect(&postgres.url("bench"), 20).await?;
    switchboard::db::migrate(&pool).await?;

    let sandbox = switchboard_sandbox::spawn(SandboxConfig {
        contacts,
        ..SandboxConfig::default()
    })
    .await?;
    let base = sandbox.base_url();
    let location = sandbox.sandbox().locations()[0].0.clone();
    let scopes: Vec<String> = switchboard::auth::oauth::READ_SCOPES
        .iter()
        .map(|scope| (*scope).to_owned())
        .collect();
    let token = sandbox
        .sandbox()
        .mint_token(&location, &scopes)
        .context("a token for the bench location")?;
    let counts = stats(&base, &location).await?;
    // Every seeded appointment lies 180 days back to 60 ahead: keep them all
    // in the window so that the cache can be compared with the sandbox.
    sqlx::query(
        "INSERT INTO sync_settings (location_id, appointments_days_back, appointments_days_ahead) \
         VALUES ($1, 200, 70)",
    )
    .bind(&location)
    .execute(&pool)
    .await?;

    let client =
        HighLevelClient::builder(base.clone(), StaticToken::new(SecretString::from(token)))
            .rate_limiter(RateLimiter::shared(pool.clone(), RateBudget::default()))
            .request_log(RequestLog::new(pool.clone()))
            .build()?;
    let options = SyncOptions::default();
    let engine = SyncEngine::new(pool.clone(), client).with_options(options.clone());

    println!("Sandbox: {contacts} contacts seeded; real limits (100 requests per 10 s).");
    println!(
        "  holds {} contacts, {} tasks, {} notes, {} appointments, {} users, {} calendars, {} businesses",
        counts.get("contacts"),
        counts.get("tasks"),
        counts.get("notes"),
        counts.get("appointments"),
        counts.get("users"),
        counts.get("calendars"),
        counts.get("businesses"),
    );
    let fewest = fewest_requests(&counts, &options);

    let started = Instant::now();
    let summary = engine.run(&location, SyncKind::Full, "bench").await?;
    let wall = started.elapsed().as_secs_f64();
    ensure!(
        summary.succeeded,
        "the full sync failed: {:?}",
        summary.error
    );
    let (made, failed) = requests_since(&pool, &location, 0).await?;
    let efficiency = (made as f64 / PACE) / wall;
    let missing = missing(&pool, &location, &counts).await?;
    println!();
    println!("Full sync");
    println!("  requests made:              {made}");
    println!("  fewest the data allows:     {fewest}");
    println!("  wall time:                  {wall:.1} s");
    println!("  efficiency (req/10/s/wall): {efficiency:.3}   (target >= 0.9)");
    println!("  answers other than 2xx:     {failed} (retried); failed requests after retries: 0");
    println!("  records missing:            {missing}   (target 0)");

    poll(&engine, &pool, &base, &location).await?;
    drop(sandbox);
    pool.close().await;
    postgres.stop();
    Ok(())
}

/// One page of contacts per 500, one task page per 100, one notes request
/// per contact, one events request per calendar, the location, and the lists
/// of users, calendars and businesses.
fn fewest_requests(counts: &Counts, options: &SyncOptions) -> u64 {
    let contacts = counts.get("contacts");
    let tasks = counts.get("tasks");
    contacts.div_ceil(u64::from(options.contact_page))
        + tasks.div_ceil(u64::from(options.task_page))
        + contacts
        + counts.get("calendars")
        + 4
}

async fn stats(base: &str, location: &str) -> anyhow::Result<Counts> {
    let answer: Value = reqwest::get(format!("{base}/_sandbox/stats"))
        .await?
        .json()
        .await?;
    let found = answer["locations"]
        .as_array()
        .and_then(|all| all.iter().find(|l| l["locationId"] == location))
        .cloned()
        .context("the bench location in the sandbox stats")?;
    Ok(Counts(found))
}

/// Requests logged for the location after log id `after`: all, and those
/// answered with something other than 2xx.
async fn requests_since(pool: &PgPool, location: &str, after: i64) -> anyhow::Result<(i64, i64)> {
    Ok(sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE status IS NULL OR status >= 300) \
         FROM highlevel_request_log WHERE location_id = $1 AND id > $2",
    )
    .bind(location)
    .bind(after)
    .fetch_one(pool)
    .await?)
}

/// Records the sandbox has that the cache lacks, over every kind.
async fn missing(pool: &PgPool, location: &str, counts: &Counts) -> anyhow::Result<i64> {
    let mut missing = 0;
    for (table, name) in [
        ("cache_contacts", "contacts"),
        ("cache_tasks", "tasks"),
        ("cache_notes", "notes"),
        ("cache_appointments", "appointments"),
        ("cache_users", "users"),
        ("cache_calendars", "calendars"),
        ("cache_businesses", "businesses"),
    ] {
        let cached: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM {table} WHERE location_id = $1 AND deleted_at IS NULL"
        ))
        .bind(location)
        .fetch_one(pool)
        .await?;
        let expected = i64::try_from(counts.get(name)).unwrap_or(i64::MAX);
        if cached != expected {
            println!("  {name}: {expected} in the sandbox, {cached} cached");
        }
        missing += (expected - cached).max(0);
    }
    Ok(missing)
}

/// 100 changes through the control API, then one poll: its cost, and the
/// seconds from the changes until all of them are in the cache.
async fn poll(
    engine: &SyncEngine,
    pool: &PgPool,
    base: &str,
    location: &str,
) -> anyhow::Result<()> {
    let last_log: i64 =
        sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM highlevel_request_log")
            .fetch_one(pool)
            .await?;
    let http = reqwest::Client::new();
    let changed_at = Instant::now();
    let mut contacts = std::collections::BTreeSet::new();
    let mut appointments = std::collections::BTreeSet::new();
    for (entity, action, count) in [
        ("contacts", "update", 50),
        ("contacts", "create", 20),
        ("appointments", "update", 20),
        ("appointments", "create", 10),
    ] {
        let answer: Value = http
            .post(format!("{base}/_sandbox/simulate"))
            .json(&json!({"entity": entity, "action": action, "count": count, "locationId": location}))
            .send()
            .await?
            .json()
            .await?;
        let ids = answer["ids"].as_array().cloned().unwrap_or_default();
        let ids = ids.iter().filter_map(|id| id.as_str().map(str::to_owned));
        if entity == "contacts" {
            contacts.extend(ids);
        } else {
            appointments.extend(ids);
        }
    }
    // A change may touch a record twice: count records, not changes.
    let contacts: Vec<String> = contacts.into_iter().collect();
    let appointments: Vec<String> = appointments.into_iter().collect();
    let records = contacts.len() + appointments.len();
    let since = chrono::Utc::now() - chrono::Duration::seconds(5);
    let summary = engine.run(location, SyncKind::Incremental, "bench").await?;
    ensure!(summary.succeeded, "the poll failed: {:?}", summary.error);
    let visible = visible(pool, location, &contacts, &appointments, since).await?;
    let delay = changed_at.elapsed().as_secs_f64();
    let (cost, _) = requests_since(pool, location, last_log).await?;
    println!();
    println!("Poll after 100 changes (70 contacts, 30 appointments)");
    println!("  requests:                   {cost}");
    println!("  changed records visible:    {visible} of {records} after {delay:.1} s (from the first change to the poll's end)");
    Ok(())
}

/// How many of the changed records the cache holds in their new version.
async fn visible(
    pool: &PgPool,
    location: &str,
    contacts: &[String],
    appointments: &[String],
    since: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<i64> {
    let found: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM cache_contacts WHERE location_id = $1 AND id = ANY($2) AND date_updated >= $4) \
              + (SELECT count(*) FROM cache_appointments WHERE location_id = $1 AND id = ANY($3) AND date_updated >= $4)",
    )
    .bind(location)
    .bind(contacts)
    .bind(appointments)
    .bind(since)
    .fetch_one(pool)
    .await?;
    Ok(found)
}
