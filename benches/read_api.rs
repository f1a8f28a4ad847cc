//! The Read API under load: a team of 100,000 cached contacts with 200,000
//! tasks and 100,000 notes (synthetic), the real server on loopback, and 20
//! clients with one connection's key reading random contacts with their
//! tasks and notes, then looking contacts up by email, for a fixed time
//! each. Prints p50, p99 and requests per second.
//!
//! `cargo bench --features ssr --bench read_api` (BENCH_SECONDS sets the
//! time per scenario, 10 by default).

// The bench starts servers like the tests do; it needs only part of their helpers.
#[allow(dead_code)]
#[path = "../tests/integration/common/mod.rs"]
mod common;
#[allow(dead_code)]
#[path = "support/cpu_time.rs"]
mod cpu_time;
#[allow(dead_code)]
#[path = "support/load.rs"]
mod load;
#[path = "support/quiet.rs"]
mod quiet;

use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use secrecy::ExposeSecret;
use serde_json::json;
use switchboard::apps::connections::store::{self, NewConnection};
use switchboard::apps::connections::{EventTypeFrom, Signing};
use switchboard::apps::read_api::keys;
use switchboard::cache::{self, ContactRecord, NoteRecord, TaskRecord};

use load::{gather, Figures};

const LOCATION: &str = "bench-location";
const CONTACTS: usize = 100_000;
const TASKS: usize = 200_000;
const NOTES: usize = 100_000;
const BATCH: usize = 2_000;
const CLIENTS: usize = 20;
const TARGET_P99_MS: u64 = 20;
/// The bench measures the reads, not the rate limits.
const NO_LIMIT: &str = "1000000000";

fn main() {
    quiet::run(run());
}

async fn run() {
    let (url, _) = common::test_db_url().await;
    let pool = switchboard::db::connect_server(&url, 24)
        .await
        .expect("the bench database");
    switchboard::db::migrate(&pool).await.expect("migrations");
    let settings = [
        "--per-source-per-minute",
        NO_LIMIT,
        "--per-connection-per-minute",
        NO_LIMIT,
    ];
    let app = common::spawn_app_with(pool.clone(), &settings).await;
    let key = connection_key(&app).await;

    let started = Instant::now();
    fill(&pool).await;
    sqlx::query("ANALYZE")
        .execute(&pool)
        .await
        .expect("analyze");
    println!(
        "filled {CONTACTS} contacts, {TASKS} tasks, {NOTES} notes in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let seconds = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(10);
    let duration = Duration::from_secs(seconds);
    let base = format!("{}/apps/api/v1", app.base);
    let scenarios: [(&str, PathOf); 2] = [
        ("GET /contacts/{random id}?include=tasks,notes", |n| {
            format!("/contacts/contact-{n}?include=tasks,notes")
        }),
        ("GET /contacts?email={random email}", |n| {
            format!("/contacts?email=person{n}%40example.com")
        }),
    ];
    println!("{CLIENTS} concurrent clients, {seconds} s each, loopback:");
    let mut worst = 0;
    for (name, path) in scenarios {
        let figures = load(&base, &key, path, duration).await;
        worst = worst.max(figures.p99_ms);
        println!(
            "  {name:<48} p50 {:>4} ms  p99 {:>4} ms  {:>6.0} req/s  ({} requests, {} failed)",
            figures.p50_ms, figures.p99_ms, figures.per_second, figures.requests, figures.failed
        );
    }
    println!(
        "worst p99 {worst} ms (target {TARGET_P99_MS} ms): {}",
        if worst <= TARGET_P99_MS {
            "met"
        } else {
            "NOT met"
        }
    );
}

/// The team, an app connection of it, and the connection's key.
async fn connection_key(app: &common::TestApp) -> String {
    sqlx::query("INSERT INTO teams (location_id, name) VALUES ($1, 'Bench gym')")
        .bind(LOCATION)
        .execute(&app.db)
        .await
        .expect("the team");
    let owner: i64 = sqlx::query_scalar(
        "INSERT INTO users (highlevel_user_id, name, email) VALUES ('bench-owner', 'Owner', 'o@example.com') RETURNING id",
    )
    .fetch_one(&app.db)
    .await
    .expect("the owner");
    let new = NewConnection {
        location_id: LOCATION.into(),
        app: "workiom".into(),
        name: "Workiom".into(),
        signing: Signing::SecretHeader {
            header: "X-Workiom-Secret".into(),
        },
        event_type_from: EventTypeFrom::Fixed("record.updated".into()),
        created_by: owner,
    };
    let (connection, _) = store::create(&app.db, &app.vault, &new)
        .await
        .expect("the connection");
    let key = keys::issue(&app.db, connection.id).await.expect("a key");
    key.expose_secret().to_owned()
}

/// Fills the team's cache through the cache's own batched upserts.
async fn fill(pool: &sqlx::PgPool) {
    let mut rng = StdRng::seed_from_u64(11);
    for chunk in (0..CONTACTS).collect::<Vec<_>>().chunks(BATCH) {
        let records: Vec<ContactRecord> = chunk
            .iter()
            .filter_map(|&n| ContactRecord::from_document(LOCATION, contact(n)))
            .collect();
        cache::upsert(pool, &records).await.expect("contacts");
    }
    let now = chrono::Utc::now();
    for chunk in (0..TASKS).collect::<Vec<_>>().chunks(BATCH) {
        let records: Vec<TaskRecord> = chunk
            .iter()
            .filter_map(|&n| {
                let owner = rng.gen_range(0..CONTACTS);
                let due = now + chrono::Duration::hours(rng.gen_range(-2000..2000));
                let document = json!({
                    "id": format!("task-{n}"),
                    "contactId": format!("contact-{owner}"),
                    "title": "Follow up",
                    "body": "Ask how the first week went.",
                    "dueDate": due.to_rfc3339(),
                    "completed": due < now,
                });
                TaskRecord::from_document(LOCATION, document, now)
            })
            .collect();
        cache::upsert(pool, &records).await.expect("tasks");
    }
    for chunk in (0..NOTES).collect::<Vec<_>>().chunks(BATCH) {
        let records: Vec<NoteRecord> = chunk
            .iter()
            .filter_map(|&n| {
                let owner = rng.gen_range(0..CONTACTS);
                let document = json!({
                    "id": format!("note-{n}"),
                    "contactId": format!("contact-{owner}"),
                    "body": "Prefers morning classes.",
                    "dateAdded": now.to_rfc3339(),
                });
                NoteRecord::from_document(LOCATION, document)
            })
            .collect();
        cache::upsert(pool, &records).await.expect("notes");
    }
}

fn contact(n: usize) -> serde_json::Value {
    json!({
        "id": format!("contact-{n}"),
        "firstName": format!("First{}", n % 997),
        "lastName": format!("Last{}", n % 1009),
        "email": format!("person{n}@example.com"),
        "phone": format!("+1512555{:04}", n % 10_000),
        "companyName": format!("Company {}", n % 500),
        "source": "Website form",
        "tags": ["member"],
        "city": "Austin",
        "country": "US",
        "dateAdded": "2026-01-05T10:00:00Z",
    })
}

/// The path a scenario asks for, of a contact's number.
type PathOf = fn(usize) -> String;

/// `CLIENTS` clients asking for `path(random contact number)` with the key
/// as fast as answers come, for `duration`.
async fn load(base: &str, key: &str, path: PathOf, duration: Duration) -> Figures {
    let client = common::http();
    let authorization = Arc::new(format!("Bearer {key}"));
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let workers: Vec<_> = (0..CLIENTS)
        .map(|worker| {
            let client = client.clone();
            let base = base.to_owned();
            let authorization = authorization.clone();
            tokio::spawn(async move {
                let mut rng = StdRng::seed_from_u64(worker as u64);
                let mut histogram = Histogram::<u64>::new(3).expect("a histogram");
                let mut failed = 0;
                while Instant::now() < deadline {
                    let url = format!("{base}{}", path(rng.gen_range(0..CONTACTS)));
                    let sent = Instant::now();
                    let answer = client
                        .get(url)
                        .header("authorization", authorization.as_str())
                        .send()
                        .await;
                    let ok = match answer {
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
