//! The dashboard under load: a database of 100,000 contacts, 200,000 tasks
//! and 50,000 appointments (synthetic, spread over a year), the real server
//! on loopback, and 20 signed-in clients asking for the dashboard page, the
//! reports endpoints and the filtered contact list for a fixed time. Each
//! scenario runs three times in one run and the worst round is printed
//! (p50, p99, requests per second), so one lucky round proves nothing.
//!
//! `cargo bench --features ssr --bench dashboard` (BENCH_SECONDS sets the
//! time per round, 10 by default).

// The bench signs in and starts servers like the tests do; it needs only part of their helpers.
#[allow(dead_code)]
#[path = "../tests/integration/common/mod.rs"]
mod common;
#[allow(dead_code)]
#[path = "support/cpu_time.rs"]
mod cpu_time;
#[path = "support/first_sync.rs"]
mod first_sync;
#[path = "support/load.rs"]
mod load;
#[path = "support/quiet.rs"]
mod quiet;
#[path = "support/replica.rs"]
mod replica;
#[path = "support/settings.rs"]
mod settings;
#[path = "support/signed_in.rs"]
mod signed_in;
#[path = "support/synthetic.rs"]
mod synthetic;

use std::time::{Duration, Instant};

use load::{print_first_views, verdict, worst_first_views, worst_round, Target, CLIENTS, ROUNDS};
use settings::setting;

use chrono::Utc;
use rand::rngs::StdRng;
use rand::SeedableRng;
use switchboard::cache::{self, ContactRecord};
use synthetic::{Size, BATCH, TAGS};

const SIZE: Size = Size::of(100_000);
const TARGET_P99_MS: u64 = 50;
const TARGET_FIRST_VIEW_MS: u64 = 100;

fn main() {
    quiet::run(run());
}

async fn run() {
    let signed_in::SignedIn {
        pool,
        database,
        app,
        location,
        users,
        browser,
    } = signed_in::start().await;

    let started = Instant::now();
    let filling = async {
        let assignees = synthetic::fill(&pool, &location, &users, SIZE).await;
        println!(
            "filled {} contacts, {} tasks, {} appointments in {:.1} s",
            SIZE.contacts,
            SIZE.tasks,
            SIZE.appointments,
            started.elapsed().as_secs_f64()
        );
        assignees
    };
    let (assignees, counting) = first_sync::fill_then_count(&pool, &location, filling).await;
    println!(
        "counted the report rollups in {:.1} s",
        counting.as_secs_f64()
    );
    first_sync::vacuum_analyze(&pool).await;

    let seconds = setting("BENCH_SECONDS", 10);
    let duration = Duration::from_secs(seconds);
    let client = browser.http.clone();
    let base = app.base.clone();
    let mut worst = 0;
    let reports = worst_first_views(
        &pool,
        &location,
        &client,
        &base,
        &report_filters(&assignees),
    )
    .await;
    let mut worst_first = print_first_views("report", &reports);
    for path in ["/", "/reports", "/contacts?q=a"] {
        print_page_weight(&client, &base, path).await;
    }
    let scenarios: [(&str, Vec<Target>); 5] = [
        ("dashboard page GET /", vec![Target::Page("/".into())]),
        (
            "dashboard page, 12 months, a tag",
            vec![Target::Page("/?period=365d&tag=vip".into())],
        ),
        (
            "reports page GET /reports",
            vec![Target::Page("/reports".into())],
        ),
        (
            "POST /api/reports/overview",
            vec![Target::Function("reports/overview", "period=30d".into())],
        ),
        (
            "POST /api/reports/team",
            vec![Target::Function("reports/team", "period=90d".into())],
        ),
    ];
    println!("{CLIENTS} concurrent clients, {ROUNDS} rounds of {seconds} s each, loopback; the worst round:");
    for (name, targets) in &scenarios {
        worst = worst.max(worst_round(name, &client, &base, targets, duration).await);
    }
    let filters: Vec<Target> = synthetic::contact_filters(&assignees)
        .into_iter()
        .map(Target::Page)
        .collect();
    let lists = worst_first_views(&pool, &location, &client, &base, &filters).await;
    worst_first = worst_first.max(print_first_views("contact list", &lists));
    let lists: [(&str, Vec<Target>); 2] = [
        (
            "contact list GET /contacts?q=a",
            vec![Target::Page("/contacts?q=a".into())],
        ),
        ("contact list, 12 filters in turn", filters),
    ];
    for (name, targets) in &lists {
        worst = worst.max(worst_round(name, &client, &base, targets, duration).await);
    }
    print_each_computed(&pool, &location, &client, &base, &lists[1].1).await;
    println!(
        "worst p99 {worst} ms (target {TARGET_P99_MS} ms): {}",
        verdict(worst <= TARGET_P99_MS)
    );
    println!(
        "slowest first view {worst_first} ms (target {TARGET_FIRST_VIEW_MS} ms): {}",
        verdict(worst_first <= TARGET_FIRST_VIEW_MS)
    );
    reports_from_a_replica(
        &pool,
        &database,
        (&location, &users[0]),
        &assignees,
        duration,
    )
    .await;
}

/// Contacts changed in a burst while the replica's lag is sampled.
const CHANGED: usize = 20_000;

/// A streaming replica of the bench database: how far behind it stays
/// while a sync rewrites contacts on the primary, and the reports' load
/// served from it by a second server (`REPORTS_DATABASE_URL`).
async fn reports_from_a_replica(
    pool: &sqlx::PgPool,
    database: &str,
    (location, user): (&str, &str),
    people: &[String],
    duration: Duration,
) {
    println!("reports from a streaming replica (REPORTS_DATABASE_URL):");
    let started = Instant::now();
    let replica = tokio::task::spawn_blocking(common::replica)
        .await
        .expect("the replica starts");
    println!(
        "  the bench database copied (pg_basebackup) and its replica ready in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let standby = switchboard::db::connect(&replica.url("postgres"), 1)
        .await
        .expect("the replica");
    let writing = Instant::now();
    let (rows, lag) =
        replica::staleness_during(pool, &standby, change_contacts(pool, location, people)).await;
    println!(
        "  {rows} contacts rewritten on the primary in batches of {BATCH} ({:.0} rows/s): the replica replayed them at most {:.0} ms after they were written (p99 {:.0} ms over {} samples), {:.1} MB behind at most",
        rows as f64 / writing.elapsed().as_secs_f64(),
        lag.max_ms,
        lag.p99_ms,
        lag.samples,
        lag.max_bytes as f64 / 1e6
    );
    let app = common::spawn_app_with(
        pool.clone(),
        &["--reports-database-url", &replica.url(database)],
    )
    .await;
    let browser = common::browser::Browser::new(&app.base);
    let consent = browser.start_sign_in(false).await;
    browser.consent(&consent, location, user).await;
    let scenarios: [(&str, Vec<Target>); 2] = [
        (
            "dashboard page GET /, replica",
            vec![Target::Page("/".into())],
        ),
        (
            "POST /api/reports/overview, replica",
            vec![Target::Function("reports/overview", "period=30d".into())],
        ),
    ];
    for (name, targets) in &scenarios {
        worst_round(name, &browser.http, &app.base, targets, duration).await;
    }
}

/// Rewrites the first [`CHANGED`] contacts (new tags, sources and
/// assignees) through the cache's batched upsert, as a sync does.
async fn change_contacts(pool: &sqlx::PgPool, location: &str, people: &[String]) -> usize {
    let mut rng = StdRng::seed_from_u64(11);
    let now = Utc::now();
    for chunk in (0..CHANGED).collect::<Vec<_>>().chunks(BATCH) {
        let records: Vec<ContactRecord> = chunk
            .iter()
            .filter_map(|&n| {
                let added = now - chrono::Duration::days(i64::try_from(n % 365).unwrap_or(0));
                ContactRecord::from_document(
                    location,
                    synthetic::contact(&mut rng, n, added, people),
                )
            })
            .collect();
        cache::upsert(pool, &records)
            .await
            .expect("changed contacts");
    }
    CHANGED
}

/// How much HTML a page sends, and how much of it is the data the browser
/// hydrates from (the scripts that fill Leptos' resolved resources).
async fn print_page_weight(client: &reqwest::Client, base: &str, path: &str) {
    let html = client
        .get(format!("{base}{path}"))
        .send()
        .await
        .expect("an answer")
        .text()
        .await
        .expect("a page");
    let data: usize = html
        .split("<script")
        .filter(|script| script.contains("__RESOLVED_RESOURCES"))
        .map(|script| script.find("</script>").unwrap_or(script.len()))
        .sum();
    println!(
        "page {path}: {:.0} kB of HTML, {:.0} kB of it hydration data",
        html.len() as f64 / 1000.0,
        data as f64 / 1000.0
    );
}

/// Where a mix's time goes: each target asked for by one client, one
/// request after another, each right after a write to the cache (so it is
/// computed, not kept); the mean time of an answer.
async fn print_each_computed(
    pool: &sqlx::PgPool,
    location: &str,
    client: &reqwest::Client,
    base: &str,
    targets: &[Target],
) {
    const TIMES: u32 = 20;
    let mut means = Vec::with_capacity(targets.len());
    for target in targets {
        let mut spent = Duration::ZERO;
        for _ in 0..TIMES {
            load::touch_cache(pool, location).await;
            let started = Instant::now();
            let answer = target
                .request(client, base)
                .send()
                .await
                .expect("an answer");
            let _ = answer.bytes().await;
            spent += started.elapsed();
        }
        means.push((spent / TIMES, target.label()));
    }
    means.sort();
    let slowest: Vec<String> = means
        .iter()
        .rev()
        .map(|(mean, label)| format!("{label} {:.1}", mean.as_secs_f64() * 1000.0))
        .collect();
    println!(
        "  each filter computed alone (right after a write), one client, mean ms: {}",
        slowest.join(", ")
    );
}
/// The report filters whose first view is timed: four periods, alone and
/// with a tag or an assignee.
fn report_filters(assignees: &[String]) -> Vec<Target> {
    let mut targets = Vec::new();
    for period in ["7d", "30d", "90d", "365d"] {
        let mut forms = vec![format!("period={period}")];
        forms.extend(
            TAGS.iter()
                .take(4)
                .map(|tag| format!("period={period}&tag={tag}")),
        );
        forms.extend(
            assignees
                .iter()
                .take(3)
                .map(|who| format!("period={period}&assignee={who}")),
        );
        targets.extend(
            forms
                .into_iter()
                .map(|form| Target::Function("reports/overview", form)),
        );
    }
    targets
}
