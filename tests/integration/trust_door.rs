//! The webhook door under pressure: rates per source and per connection,
//! a bounded record of refusals, retention, and a flood of unsigned 2 MB
//! requests while genuine events keep arriving.

use crate::common;
use crate::webhooks_support;

use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures::StreamExt;
use rand::RngCore;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use webhooks_support::*;

const LOCATION: &str = "loc-door";
const FLOOD: usize = 10_000;
const FLOOD_BODY: usize = 2 * 1024 * 1024;
const GENUINE: usize = 100;

/// A client whose requests come from `address` (any of 127.0.0.0/8 is this machine).
fn client_from(address: &str) -> reqwest::Client {
    switchboard::tls::install_crypto_provider();
    // A request the server never answers fails the test rather than
    // holding it forever.
    reqwest::Client::builder()
        .local_address(address.parse::<IpAddr>().unwrap())
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap()
}

/// Posts a signed event from `http`; (status, Retry-After).
async fn send_signed(
    http: &reqwest::Client,
    base: &str,
    event: &Value,
) -> (StatusCode, Option<String>) {
    let body = event.to_string();
    let signature = switchboard_sandbox::sign(body.as_bytes()).unwrap().ed25519;
    let response = http
        .post(format!("{base}/webhooks/highlevel"))
        .header("x-ghl-signature", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|value| value.to_str().unwrap().to_owned());
    (response.status(), retry_after)
}

async fn count(db: &PgPool, query: &str) -> i64 {
    sqlx::query_scalar(query).fetch_one(db).await.unwrap()
}

#[tokio::test]
async fn a_source_past_its_rate_is_answered_429_and_other_sources_are_not() {
    let app = common::spawn_app_with(
        common::test_db().await,
        &[
            "--per-source-per-minute",
            "60",
            "--per-connection-per-minute",
            "6",
        ],
    )
    .await;
    add_team(&app.db, LOCATION).await;
    add_team(&app.db, "loc-door-2").await;
    let noisy = client_from("127.0.0.1");
    // 60 a minute: a burst of 10, then 429 with a time to come back.
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let response = noisy
            .post(format!("{}/webhooks/highlevel", app.base))
            .body("{}")
            .send()
            .await
            .unwrap();
        let retry_after = response.headers().get("retry-after").cloned();
        statuses.push((response.status(), retry_after));
    }
    assert!(statuses[..10]
        .iter()
        .all(|(status, _)| *status == StatusCode::UNAUTHORIZED));
    let (status, retry_after) = &statuses[11];
    assert_eq!(*status, StatusCode::TOO_MANY_REQUESTS);
    let seconds: u64 = retry_after
        .as_ref()
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(seconds >= 1);

    // Another address is not held back; a location past its rate is.
    let highlevel = client_from("127.0.0.2");
    let first = event("ContactCreate", LOCATION, json!({"id": "c-1"}));
    assert_eq!(
        send_signed(&highlevel, &app.base, &first).await.0,
        StatusCode::OK
    );
    let second = event("ContactCreate", LOCATION, json!({"id": "c-2"}));
    let (status, retry_after) = send_signed(&highlevel, &app.base, &second).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after.is_some());
    let elsewhere = event("ContactCreate", "loc-door-2", json!({"id": "c-3"}));
    assert_eq!(
        send_signed(&highlevel, &app.base, &elsewhere).await.0,
        StatusCode::OK
    );
    // The refused event was not stored: HighLevel sends it again.
    assert_eq!(
        count(&app.db, "SELECT count(*) FROM highlevel_webhooks").await,
        2
    );
}

#[tokio::test]
async fn refusals_are_recorded_up_to_a_cap_per_source() {
    let app = common::spawn_app(common::test_db().await).await;
    let refusals = futures::stream::iter(0..150)
        .map(|n| {
            common::http()
                .post(format!("{}/webhooks/highlevel", app.base))
                .body(format!("{{\"n\": {n}}}"))
                .send()
        })
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await;
    assert!(refusals
        .into_iter()
        .all(|answer| answer.unwrap().status() == StatusCode::UNAUTHORIZED));
    let kept = count(
        &app.db,
        "SELECT count(*) FROM refused_requests WHERE source = '127.0.0.1'",
    )
    .await;
    assert!(
        (switchboard::inbound::refused::PER_SOURCE..=switchboard::inbound::refused::PER_SOURCE + 8)
            .contains(&kept),
        "{kept} records kept"
    );
}

#[tokio::test]
async fn handled_events_refusals_and_sync_runs_past_their_retention_are_deleted() {
    let db = common::test_db().await;
    for (webhook_id, status, days) in [
        ("old-done", "done", 40),
        ("old-failed", "failed", 40),
        ("old-queued", "queued", 40),
        ("new-done", "done", 1),
    ] {
        sqlx::query(
            "INSERT INTO highlevel_webhooks (webhook_id, raw_body, verified, location_id, status, received_at) \
             VALUES ($1, '{}', true, $2, $3, now() - make_interval(days => $4))",
        )
        .bind(webhook_id)
        .bind(LOCATION)
        .bind(status)
        .bind(days)
        .execute(&db)
        .await
        .unwrap();
    }
    for days in [8, 1] {
        sqlx::query(
            "INSERT INTO refused_requests (door, source, reason, received_at) \
             VALUES ('highlevel', '192.0.2.1', 'no signature', now() - make_interval(days => $1))",
        )
        .bind(days)
        .execute(&db)
        .await
        .unwrap();
    }
    // Sync runs: an old poll and an old failure go, an old run still
    // running (cut short, to be resumed) and a recent poll stay.
    for (status, days) in [
        ("succeeded", 40),
        ("failed", 40),
        ("running", 40),
        ("succeeded", 1),
    ] {
        sqlx::query(
            "INSERT INTO sync_runs (location_id, kind, status, started_at, finished_at) \
             VALUES ($1, 'incremental', $2, now() - make_interval(days => $3), \
                     CASE WHEN $2 <> 'running' THEN now() - make_interval(days => $3) END)",
        )
        .bind(LOCATION)
        .bind(status)
        .bind(days)
        .execute(&db)
        .await
        .unwrap();
    }
    let pruned = switchboard::retention::prune(
        &db,
        switchboard::retention::Retention {
            event_days: 30,
            run_days: 30,
        },
    )
    .await
    .unwrap();
    assert_eq!((pruned.events, pruned.refused, pruned.syncs), (2, 1, 2));
    let left: Vec<String> =
        sqlx::query_scalar("SELECT webhook_id FROM highlevel_webhooks ORDER BY webhook_id")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(left, ["new-done", "old-queued"]);
    assert_eq!(count(&db, "SELECT count(*) FROM refused_requests").await, 1);
    let runs_left: Vec<(String, bool)> = sqlx::query_as(
        "SELECT status, started_at > now() - interval '2 days' FROM sync_runs ORDER BY status",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        runs_left,
        [
            ("running".to_owned(), false),
            ("succeeded".to_owned(), true)
        ]
    );
}

/// Resident memory of this process (the server runs in it), in MB.
fn resident_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .unwrap();
    let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb / 1024
}

/// Sends the flood from 127.0.0.1: unsigned bodies of 2 MB of random bytes,
/// each made unique; one in fifty carries a forged signature, so that it is
/// read and checked. Calls `answered` after each answer. Returns how many
/// were accepted.
async fn flood(base: &str, answered: impl Fn(usize)) -> usize {
    let mut noise = vec![0u8; FLOOD_BODY];
    rand::thread_rng().fill_bytes(&mut noise);
    let http = client_from("127.0.0.1");
    let done = AtomicUsize::new(0);
    let accepted = AtomicUsize::new(0);
    futures::stream::iter(0..FLOOD)
        .map(|n| {
            let mut body = Vec::with_capacity(FLOOD_BODY + 8);
            body.extend_from_slice(&(n as u64).to_be_bytes());
            body.extend_from_slice(&noise[8..]);
            let mut request = http.post(format!("{base}/webhooks/highlevel")).body(body);
            if n % 50 == 0 {
                request = request.header("x-ghl-signature", "Zm9yZ2Vk");
            }
            request.send()
        })
        .buffer_unordered(32)
        .for_each(|answer| {
            if answer.is_ok_and(|answer| answer.status().is_success()) {
                accepted.fetch_add(1, Ordering::Relaxed);
            }
            answered(done.fetch_add(1, Ordering::Relaxed) + 1);
            async {}
        })
        .await;
    accepted.into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_unsigned_2_mb_requests_stays_bounded_while_genuine_events_flow() {
    let app = common::spawn_app(common::test_db().await).await;
    add_team(&app.db, LOCATION).await;
    let size = "SELECT pg_database_size(current_database())";
    let database_before = count(&app.db, size).await;
    let memory_before = resident_mb();
    let peak_memory = Arc::new(AtomicUsize::new(0));

    // One genuine event after every hundredth answer to the flood.
    let (tick, mut ticks) = tokio::sync::mpsc::unbounded_channel::<()>();
    let base = app.base.clone();
    let genuine = tokio::spawn(async move {
        let highlevel = client_from("127.0.0.2");
        let mut ids = Vec::new();
        let mut first_answers = Vec::new();
        while ticks.recv().await.is_some() {
            let sent = event(
                "ContactCreate",
                LOCATION,
                json!({"id": format!("c-{}", ids.len()), "firstName": "Genuine"}),
            );
            first_answers.push(send_signed(&highlevel, &base, &sent).await.0);
            ids.push(webhook_id(&sent));
        }
        (ids, first_answers)
    });
    let peak = peak_memory.clone();
    let accepted = flood(&app.base, move |answered| {
        peak.fetch_max(resident_mb() as usize, Ordering::Relaxed);
        if answered % (FLOOD / GENUINE) == 0 {
            let _ = tick.send(());
        }
    })
    .await;
    let (ids, first_answers) = genuine.await.unwrap();

    assert_eq!(accepted, 0, "no flood request was accepted");
    assert_eq!(ids.len(), GENUINE);
    assert!(
        first_answers.iter().all(|status| *status == StatusCode::OK),
        "every genuine event was taken at its first try: {first_answers:?}"
    );
    for id in &ids {
        assert_eq!(settled(&app.db, id).await.0, "done");
    }
    assert_eq!(
        count(
            &app.db,
            &format!("SELECT count(*) FROM cache_contacts WHERE location_id = '{LOCATION}'")
        )
        .await,
        GENUINE as i64
    );
    let grown_mb = (count(&app.db, size).await - database_before) / (1024 * 1024);
    let peak_growth = (peak_memory.load(Ordering::Relaxed) as u64).saturating_sub(memory_before);
    println!(
        "flood of {FLOOD} x 2 MB: database grew {grown_mb} MB, peak resident memory grew {peak_growth} MB"
    );
    assert!(grown_mb <= 4, "the database grew {grown_mb} MB");
    assert!(peak_growth <= 400, "resident memory grew {peak_growth} MB");
    assert!(
        count(&app.db, "SELECT count(*) FROM highlevel_webhooks").await == GENUINE as i64,
        "only the genuine events were stored"
    );
}
