//! An agency on one Postgres: `AGENCY_LOCATIONS` locations (500 by default)
//! with 10,000 contacts each, and tasks and appointments in the proportions
//! of the dashboard bench (2 and 0.5 per contact). The dashboard of one
//! location is measured alone, then again with every other location filled
//! beside it, with 20 signed-in clients; then the memory of the process
//! (server and clients) and the size of the database.
//!
//! `cargo bench --features ssr --bench agency` (BENCH_SECONDS sets the time
//! per round, 10 by default; AGENCY_LOCATIONS and AGENCY_CONTACTS the size).

// The bench signs in and starts servers like the tests do; it needs only part of their helpers.
#[allow(dead_code)]
#[path = "../tests/integration/common/mod.rs"]
mod common;
#[allow(dead_code)]
#[path = "support/cpu_time.rs"]
mod cpu_time;
#[path = "support/first_sync.rs"]
mod first_sync;
#[allow(dead_code)]
#[path = "support/load.rs"]
mod load;
#[path = "support/quiet.rs"]
mod quiet;
#[path = "support/settings.rs"]
mod settings;

use std::time::{Duration, Instant};

use load::{print_first_views, verdict, worst_first_views, worst_round, Target, CLIENTS, ROUNDS};
use settings::setting;

const TARGET_P99_MS: u64 = 50;
/// What one process may hold resident.
const TARGET_MEMORY_MB: u64 = 150;

fn main() {
    let database = quiet::run(run());
    // Dropped at once (about 38 GB at 500 locations), on a runtime of its
    // own: the server's tasks ended with the first one.
    quiet::run(common::drop_database(&database));
}

/// Measures, then answers the name of the database it filled.
async fn run() -> String {
    let locations = setting("AGENCY_LOCATIONS", 500) as usize;
    let contacts = setting("AGENCY_CONTACTS", 10_000) as usize;
    let duration = Duration::from_secs(setting("BENCH_SECONDS", 10));
    let (url, database) = common::test_db_url().await;
    let pool = switchboard::db::connect_server(&url, 24)
        .await
        .expect("the bench database");
    switchboard::db::migrate(&pool).await.expect("migrations");
    let filling = filling_pool(&url).await;
    let app = common::spawn_app(pool.clone()).await;
    let (location, users) = common::browser::demo_people(&app.base).await;
    let browser = common::browser::Browser::new(&app.base);
    let consent = browser.start_sign_in(false).await;
    browser.consent(&consent, &location, &users[0]).await;

    let started = Instant::now();
    fill_location(&filling, &location, contacts).await;
    println!(
        "filled the measured location ({contacts} contacts, {} tasks, {} appointments) in {:.1} s",
        contacts * 2,
        contacts / 2,
        started.elapsed().as_secs_f64()
    );
    first_sync::vacuum_analyze(&filling).await;
    let measured = Measured {
        pool: pool.clone(),
        location: location.clone(),
        client: browser.http.clone(),
        base: app.base.clone(),
        targets: scenarios("staff-3"),
        duration,
    };
    let alone = measured.measure("alone in its database").await;

    let started = Instant::now();
    for n in 1..locations {
        let other = format!("agency-location-{n}");
        add_team(&filling, &other, n).await;
        fill_location(&filling, &other, contacts).await;
        if n % 50 == 0 {
            println!(
                "  {n} locations filled beside it, {:.0} s",
                started.elapsed().as_secs_f64()
            );
        }
    }
    println!(
        "filled {} more locations ({} contacts in all) in {:.0} s",
        locations - 1,
        locations * contacts,
        started.elapsed().as_secs_f64()
    );
    first_sync::vacuum_analyze(&filling).await;
    print_database_size(&pool).await;
    let among = measured
        .measure(&format!("among {locations} locations"))
        .await;

    let (resident, peak) = cpu_time::memory_mb(std::process::id());
    println!(
        "memory of the process (server, {CLIENTS} clients and the filling): {resident} MB resident now, {peak} MB at its peak (target {TARGET_MEMORY_MB} MB): {}",
        verdict(peak <= TARGET_MEMORY_MB)
    );
    println!(
        "worst p99 alone {alone} ms, among {locations} locations {among} ms (target {TARGET_P99_MS} ms): {}",
        verdict(alone.max(among) <= TARGET_P99_MS)
    );
    database
}

/// Connections for filling the database, without sqlx's warnings on slow
/// statements: counting a location's rollups takes about 2 s by design, and
/// 500 such warnings would bury the figures.
async fn filling_pool(url: &str) -> sqlx::PgPool {
    use sqlx::ConnectOptions;
    let options = url
        .parse::<sqlx::postgres::PgConnectOptions>()
        .expect("the bench database's URL")
        .disable_statement_logging();
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .expect("the filling's connections")
}

/// The dashboard's page and report calls of one location, as people open them.
fn scenarios(assignee: &str) -> Vec<(&'static str, Vec<Target>)> {
    vec![
        ("dashboard page GET /", vec![Target::Page("/".into())]),
        (
            "POST /api/reports/overview, 4 filters in turn",
            ["period=7d", "period=30d", "period=365d&tag=vip"]
                .into_iter()
                .map(String::from)
                .chain([format!("period=90d&assignee={assignee}")])
                .map(|form| Target::Function("reports/overview", form))
                .collect(),
        ),
        (
            "POST /api/reports/team",
            vec![Target::Function("reports/team", "period=90d".into())],
        ),
    ]
}

/// The measured location and how it is measured.
struct Measured {
    pool: sqlx::PgPool,
    location: String,
    client: reqwest::Client,
    base: String,
    targets: Vec<(&'static str, Vec<Target>)>,
    duration: Duration,
}

impl Measured {
    /// First views and load of the targets; the worst p99.
    async fn measure(&self, when: &str) -> u64 {
        println!("the measured location {when}:");
        let all: Vec<Target> = self
            .targets
            .iter()
            .flat_map(|(_, targets)| targets.iter().cloned())
            .collect();
        let firsts =
            worst_first_views(&self.pool, &self.location, &self.client, &self.base, &all).await;
        print_first_views("report", &firsts);
        println!(
            "{CLIENTS} concurrent clients, {ROUNDS} rounds of {} s each; the worst round:",
            self.duration.as_secs()
        );
        let mut worst = 0;
        for (name, targets) in &self.targets {
            let p99 = worst_round(name, &self.client, &self.base, targets, self.duration).await;
            worst = worst.max(p99);
        }
        worst
    }
}

/// A team as signing in makes it, in one of a few time zones.
async fn add_team(pool: &sqlx::PgPool, location: &str, n: usize) {
    const ZONES: [&str; 4] = [
        "America/Chicago",
        "America/New_York",
        "Europe/London",
        "Australia/Sydney",
    ];
    sqlx::query("INSERT INTO teams (location_id, name, time_zone) VALUES ($1, $2, $3)")
        .bind(location)
        .bind(format!("Gym {n}"))
        .bind(ZONES[n % ZONES.len()])
        .execute(pool)
        .await
        .expect("a team");
}

/// Contacts, their tasks and appointments and the location's users, written
/// in one statement each, spread over the last year; then the rollups
/// counted once, as a first sync does.
async fn fill_location(pool: &sqlx::PgPool, location: &str, contacts: usize) {
    let contacts = i64::try_from(contacts).expect("a count");
    let filling = async {
        for (what, sql) in FILL {
            sqlx::query(sql)
                .bind(location)
                .bind(contacts)
                .execute(pool)
                .await
                .unwrap_or_else(|error| panic!("filling {what}: {error}"));
        }
    };
    first_sync::fill_then_count(pool, location, filling).await;
}

/// `$1` the location, `$2` its number of contacts.
const FILL: [(&str, &str); 4] = [
    (
        "users",
        "INSERT INTO cache_users (location_id, id, name, email, raw)
         SELECT $1, 'staff-' || n, 'Coach ' || n, 'coach' || n || '@example.com', '{}'
           FROM generate_series(0, 9) AS n
         ON CONFLICT DO NOTHING",
    ),
    (
        "contacts",
        "INSERT INTO cache_contacts (location_id, id, first_name, last_name, display_name, email, phone,
                                     source, tags, assigned_to, business_id, date_added, date_updated, raw)
         SELECT $1, 'contact-' || n, 'First' || n % 997, 'Last' || n % 1009,
                'First' || n % 997 || ' Last' || n % 1009, 'person' || n || '@example.com',
                '+1512555' || lpad((n % 10000)::text, 4, '0'),
                (ARRAY['Website form', 'Facebook ad', 'Instagram', 'Walk-in', 'Referral',
                       'Google search', 'Free trial page', 'Event'])[1 + n % 8],
                ARRAY[CASE WHEN random() < 0.6 THEN 'member' ELSE 'lead' END]
                  || ARRAY(SELECT DISTINCT (ARRAY['trial', 'lapsed', 'vip', 'personal-training', 'yoga', 'spin',
                                                  'morning', 'evening', 'family-plan', 'student'])[1 + floor(random() * 10)::int]
                             FROM generate_series(1, floor(random() * 3)::int + n * 0)),
                'staff-' || floor(random() * 10)::int,
                CASE WHEN random() < 0.1 THEN 'biz-' || floor(random() * 40)::int END,
                added, added, jsonb_build_object('id', 'contact-' || n)
           FROM (SELECT n, now() - random() * interval '365 days' AS added
                   FROM generate_series(1, $2) AS n) AS c",
    ),
    (
        "tasks",
        "INSERT INTO cache_tasks (location_id, id, contact_id, title, assigned_to, due_date, completed,
                                  completed_at, completion_estimated, date_added, date_updated, raw)
         SELECT $1, 'task-' || n, 'contact-' || (1 + floor(random() * $2)::int), 'Follow up',
                'staff-' || floor(random() * 10)::int, due, done, CASE WHEN done THEN seen END, false,
                added, seen, jsonb_build_object('id', 'task-' || n)
           FROM (SELECT n, added, due, due < now() AND random() < 0.8 AS done,
                        least(now(), added + random() * interval '10 days') AS seen
                   FROM (SELECT n, added, added + (1 + floor(random() * 13)::int) * interval '1 day' AS due
                           FROM (SELECT n, now() - random() * interval '365 days' AS added
                                   FROM generate_series(1, 2 * $2) AS n) AS a) AS b) AS t",
    ),
    (
        "appointments",
        "INSERT INTO cache_appointments (location_id, id, calendar_id, contact_id, title, status,
                                         assigned_user_id, start_time, end_time, date_added, date_updated, raw)
         SELECT $1, 'appointment-' || n, 'calendar-1', 'contact-' || (1 + floor(random() * $2)::int),
                'Intro session',
                CASE WHEN start > now() THEN (ARRAY['confirmed', 'new'])[1 + floor(random() * 2)::int]
                     ELSE (ARRAY['showed', 'showed', 'noshow', 'cancelled'])[1 + floor(random() * 4)::int] END,
                'staff-' || floor(random() * 10)::int, start, start + interval '45 minutes',
                start - interval '3 days', start - interval '3 days', jsonb_build_object('id', 'appointment-' || n)
           FROM (SELECT n, now() + (random() * 365 - 330) * interval '1 day' AS start
                   FROM generate_series(1, $2 / 2) AS n) AS a",
    ),
];

async fn print_database_size(pool: &sqlx::PgPool) {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT relname::text, pg_total_relation_size(oid) / 1048576
           FROM pg_class WHERE relname IN ('cache_contacts', 'cache_tasks', 'cache_appointments')
              OR relname IN (SELECT rollup FROM report_rollup_tables())
          ORDER BY 2 DESC",
    )
    .fetch_all(pool)
    .await
    .expect("sizes");
    let total: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database()) / 1048576")
        .fetch_one(pool)
        .await
        .expect("the database size");
    let tables: Vec<String> = rows
        .iter()
        .map(|(name, mb)| format!("{name} {mb} MB"))
        .collect();
    println!("database {total} MB: {}", tables.join(", "));
}
