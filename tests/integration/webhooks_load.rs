//! How fast the intake answers and the queue drains, measured on this
//! machine over real HTTP and Postgres; every event is applied exactly once.

use crate::common;
use crate::webhooks_support;

use std::time::Instant;

use futures::StreamExt;
use reqwest::StatusCode;
use serde_json::json;
use webhooks_support::*;

const EVENTS: usize = 400;
const CONCURRENCY: usize = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundreds_of_events_are_answered_fast_and_each_applied_once() {
    let app = common::spawn_app(common::test_db().await).await;
    add_team(&app.db, "loc-load").await;
    // Signed before the clock starts: signing is HighLevel's work, not ours.
    let signed: Vec<(String, String)> = (0..EVENTS)
        .map(|n| {
            let body = event(
                "ContactCreate",
                "loc-load",
                json!({"id": format!("c-{n}"), "firstName": format!("Member {n}")}),
            )
            .to_string();
            let signature = switchboard_sandbox::sign(body.as_bytes()).unwrap().ed25519;
            (body, signature)
        })
        .collect();
    let http = common::http();
    let url = format!("{}/webhooks/highlevel", app.base);
    let started = Instant::now();
    let answers: Vec<(StatusCode, f64)> = futures::stream::iter(signed)
        .map(|(body, signature)| {
            let request = http
                .post(&url)
                .header("x-ghl-signature", signature)
                .body(body);
            async move {
                let sent = Instant::now();
                let status = request.send().await.unwrap().status();
                (status, sent.elapsed().as_secs_f64() * 1000.0)
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let answered = started.elapsed();
    assert!(answers.iter().all(|(status, _)| *status == StatusCode::OK));
    let mut latencies: Vec<f64> = answers.iter().map(|(_, ms)| *ms).collect();
    latencies.sort_by(f64::total_cmp);
    eventually("every event to be applied", || async {
        let done: i64 =
            sqlx::query_scalar("SELECT count(*) FROM highlevel_webhooks WHERE status = 'done'")
                .fetch_one(&app.db)
                .await
                .unwrap();
        (done == EVENTS as i64).then_some(())
    })
    .await;
    let drained = started.elapsed();
    let (cached, attempts): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM cache_contacts), (SELECT sum(attempts) FROM highlevel_webhooks)",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!((cached, attempts), (EVENTS as i64, EVENTS as i64));
    println!(
        "{EVENTS} signed events, {CONCURRENCY} at a time: answered in {:.2} s ({:.0}/s), \
         p50 {:.1} ms, p95 {:.1} ms; all applied after {:.2} s",
        answered.as_secs_f64(),
        EVENTS as f64 / answered.as_secs_f64(),
        latencies[latencies.len() / 2],
        latencies[latencies.len() * 95 / 100],
        drained.as_secs_f64(),
    );
}
