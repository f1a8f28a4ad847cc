//! Shared by the webhook tests: events shaped like HighLevel's, signed with
//! the sandbox's keys (which the app trusts in sandbox mode), and polling.

use std::future::Future;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

/// Which signature header a request carries.
#[derive(Clone, Copy)]
pub enum Sign {
    Ed25519,
    Rsa,
    Both,
    Unsigned,
}

/// An event of `kind` for `location_id` with a fresh webhookId and the
/// current time, plus the fields of `fields`.
pub fn event(kind: &str, location_id: &str, fields: Value) -> Value {
    let mut event = json!({
        "type": kind,
        "locationId": location_id,
        "webhookId": uuid::Uuid::new_v4().to_string(),
        "timestamp": chrono::Utc::now().to_rfc3339(),
    });
    if let (Some(event), Some(fields)) = (event.as_object_mut(), fields.as_object()) {
        event.extend(fields.clone());
    }
    event
}

/// Posts `body` to the app's webhook URL, signed as asked.
pub async fn post_raw(base: &str, body: Vec<u8>, sign: Sign) -> (StatusCode, Value) {
    let signatures = switchboard_sandbox::sign(&body).expect("the sandbox keys sign");
    let mut request = crate::common::http()
        .post(format!("{base}/webhooks/highlevel"))
        .header("content-type", "application/json");
    if matches!(sign, Sign::Ed25519 | Sign::Both) {
        request = request.header("x-ghl-signature", signatures.ed25519);
    }
    if matches!(sign, Sign::Rsa | Sign::Both) {
        request = request.header("x-wh-signature", signatures.rsa);
    }
    let response = request.body(body).send().await.expect("the app answers");
    let status = response.status();
    let answer = response.json().await.unwrap_or(Value::Null);
    (status, answer)
}

pub async fn post(base: &str, event: &Value, sign: Sign) -> (StatusCode, Value) {
    post_raw(base, event.to_string().into_bytes(), sign).await
}

/// Polls `check` until it gives `Some`, or fails the test after 20 s.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A stored event by its webhookId: (status, status_detail, outcome).
pub async fn stored(db: &PgPool, webhook_id: &str) -> Option<(String, String, Option<Value>)> {
    sqlx::query_as(
        "SELECT status, status_detail, outcome FROM highlevel_webhooks \
         WHERE webhook_id = $1 AND status <> 'rejected'",
    )
    .bind(webhook_id)
    .fetch_optional(db)
    .await
    .unwrap()
}

/// Waits until the event with `webhook_id` is done or ignored; its row.
pub async fn settled(db: &PgPool, webhook_id: &str) -> (String, String, Option<Value>) {
    eventually("the event to be handled", || async {
        stored(db, webhook_id)
            .await
            .filter(|(status, _, _)| !matches!(status.as_str(), "queued" | "processing"))
    })
    .await
}

/// A team for `location_id`, as signing in would create.
pub async fn add_team(db: &PgPool, location_id: &str) {
    sqlx::query(
        "INSERT INTO teams (location_id, name) VALUES ($1, 'Test gym') ON CONFLICT DO NOTHING",
    )
    .bind(location_id)
    .execute(db)
    .await
    .unwrap();
}

pub fn webhook_id(event: &Value) -> String {
    event["webhookId"].as_str().unwrap().to_owned()
}
