//! An app connection's webhook door under load: 50 concurrent senders post
//! signed Clubworx-style events (each body different, so none is a replay)
//! for a fixed time to the real server on loopback; every answer is a
//! durable write. Prints accepted events per second and p50/p99 latency.
//!
//! The door's rate limits are raised for the run: they exist to stop one
//! address or one connection from flooding the server, and would otherwise
//! be what this measures.
//!
//! `cargo bench --features ssr --bench apps_inbound` (BENCH_SECONDS sets the
//! time, 10 by default).

#[allow(dead_code)]
#[path = "../tests/integration/common/mod.rs"]
mod common;
#[path = "support/quiet.rs"]
mod quiet;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use secrecy::ExposeSecret;
use serde_json::json;
use switchboard::apps::connections::signing::sign;
use switchboard::apps::connections::store::{self, NewConnection};
use switchboard::apps::connections::{Encoding, EventTypeFrom, Signing};

const SENDERS: usize = 50;
const LOCATION: &str = "loc-bench-apps";

fn main() {
    quiet::run(run());
}

async fn run() {
    let (url, _) = common::test_db_url().await;
    let pool = switchboard::db::connect_server(&url, 24)
        .await
        .expect("the bench database");
    switchboard::db::migrate(&pool).await.expect("migrations");
    let unlimited = "100000000";
    let app = common::spawn_app_with(
        pool.clone(),
        &[
            "--per-source-per-minute",
            unlimited,
            "--per-connection-per-minute",
            unlimited,
        ],
    )
    .await;
    let (hook, secret) = connection(&app).await;
    let seconds = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(10);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let counter = Arc::new(AtomicU64::new(0));
    let client = common::http();
    let senders: Vec<_> = (0..SENDERS)
        .map(|_| {
            let (client, hook, secret, counter) = (
                client.clone(),
                hook.clone(),
                secret.clone(),
                counter.clone(),
            );
            tokio::spawn(async move { send_until(client, hook, secret, counter, deadline).await })
        })
        .collect();
    let mut latencies = Histogram::<u64>::new(3).expect("a histogram");
    let mut failed = 0u64;
    for sender in senders {
        let (histogram, failures) = sender.await.expect("a sender");
        latencies.add(histogram).expect("same bounds");
        failed += failures;
    }
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM app_events WHERE status = 'received'")
            .fetch_one(&pool)
            .await
            .expect("a count");
    println!(
        "{SENDERS} senders, {seconds} s, loopback: {:.0} events/s accepted and stored ({stored} events, {failed} failed)",
        stored as f64 / seconds as f64
    );
    println!(
        "  latency p50 {:.1} ms  p99 {:.1} ms  (targets: >= 2,000 events/s, p99 <= 50 ms)",
        latencies.value_at_quantile(0.5) as f64 / 1000.0,
        latencies.value_at_quantile(0.99) as f64 / 1000.0
    );
}

async fn connection(app: &common::TestApp) -> (String, String) {
    sqlx::query("INSERT INTO teams (location_id, name) VALUES ($1, 'Bench gym')")
        .bind(LOCATION)
        .execute(&app.db)
        .await
        .expect("a team");
    let owner: i64 = sqlx::query_scalar(
        "INSERT INTO users (highlevel_user_id, name, email) VALUES ('u-bench', 'Owner', 'o@example.com') RETURNING id",
    )
    .fetch_one(&app.db)
    .await
    .expect("a user");
    let new = NewConnection {
        location_id: LOCATION.into(),
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
    let (connection, secret) = store::create(&app.db, &app.vault, &new)
        .await
        .expect("a connection");
    (
        format!("{}/hooks/{}", app.base, connection.public_id),
        secret.expose_secret().to_owned(),
    )
}

/// Posts events until `deadline`; the latencies in microseconds, and failures.
async fn send_until(
    client: reqwest::Client,
    hook: String,
    secret: String,
    counter: Arc<AtomicU64>,
    deadline: Instant,
) -> (Histogram<u64>, u64) {
    let mut latencies = Histogram::<u64>::new(3).expect("a histogram");
    let mut failed = 0;
    while Instant::now() < deadline {
        let n = counter.fetch_add(1, Ordering::Relaxed);
        let body = json!({
            "event": "member.created",
            "event_id": format!("evt_{n}"),
            "data": {"member": {"id": n, "first_name": "Bench", "last_name": format!("Member {n}"),
                     "email": format!("member{n}@example.com"), "mobile": "0412 345 678"}},
        })
        .to_string();
        let signature = sign(&secret, Encoding::Hex, "", body.as_bytes());
        let sent = Instant::now();
        let answer = client
            .post(&hook)
            .header("X-Clubworx-Signature", signature)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await;
        let micros = sent.elapsed().as_micros() as u64;
        match answer {
            Ok(answer) if answer.status().is_success() => {
                latencies.record(micros.max(1)).expect("in range");
            }
            _ => failed += 1,
        }
    }
    (latencies, failed)
}
