//! The `/_sandbox/` control API: simulated change, faults, the ledger and the
//! webhook log.

use crate::support as sandbox_support;

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use sandbox_support::*;

async fn total(api: &Api, token: &str) -> u64 {
    let (_, answer) = api
        .post(
            "/contacts/search",
            token,
            json!({"locationId": api.location_id, "pageLimit": 1}),
        )
        .await;
    answer["total"].as_u64().unwrap()
}

#[tokio::test]
async fn simulated_contact_changes_show_in_the_api_and_the_webhook_log() {
    let api = start().await;
    let token = api.full_token().await;
    let simulate =
        |action: &str, count: u64| json!({"entity": "contacts", "action": action, "count": count});
    let (_, created) = api
        .control(
            Method::POST,
            "/_sandbox/simulate",
            Some(simulate("create", 5)),
        )
        .await;
    assert_eq!(created["done"], 5);
    assert_eq!(total(&api, &token).await, 65);
    let new_id = created["ids"][0].as_str().unwrap();
    assert_eq!(api.get(&format!("/contacts/{new_id}"), &token).await.0, 200);
    api.control(
        Method::POST,
        "/_sandbox/simulate",
        Some(simulate("delete", 2)),
    )
    .await;
    assert_eq!(total(&api, &token).await, 63);
    api.control(
        Method::POST,
        "/_sandbox/simulate",
        Some(simulate("update", 3)),
    )
    .await;
    let kinds: Vec<String> = api
        .deliveries()
        .await
        .iter()
        .map(|d| d["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds.iter().filter(|k| *k == "ContactCreate").count(), 5);
    assert_eq!(kinds.iter().filter(|k| *k == "ContactDelete").count(), 2);
    assert_eq!(kinds.iter().filter(|k| *k == "ContactUpdate").count(), 3);
    assert!(api
        .deliveries()
        .await
        .iter()
        .all(|d| d["status"] == "undelivered"));
}

#[tokio::test]
async fn simulated_task_and_note_changes_fire_their_events() {
    let api = start().await;
    for (entity, action, kind) in [
        ("tasks", "create", "TaskCreate"),
        ("tasks", "update", "TaskComplete"),
        ("tasks", "delete", "TaskDelete"),
        ("notes", "create", "NoteCreate"),
        ("notes", "update", "NoteUpdate"),
        ("notes", "delete", "NoteDelete"),
    ] {
        let (status, done) = api
            .control(
                Method::POST,
                "/_sandbox/simulate",
                Some(json!({"entity": entity, "action": action, "count": 2})),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(done["done"], 2, "{entity} {action}");
        let count = api
            .deliveries()
            .await
            .iter()
            .filter(|d| d["type"] == kind)
            .count();
        assert_eq!(count, 2, "{kind}");
    }
}

#[tokio::test]
async fn changes_at_a_rate_arrive_over_time() {
    let api = start().await;
    let token = api.full_token().await;
    let started = Instant::now();
    let (status, _) = api
        .control(
            Method::POST,
            "/_sandbox/simulate",
            Some(json!({"entity": "contacts", "action": "create", "count": 4, "perSecond": 20.0})),
        )
        .await;
    assert_eq!(status, 202);
    eventually("four contacts are added", || async {
        total(&api, &token).await == 64
    })
    .await;
    assert!(
        started.elapsed() >= Duration::from_millis(140),
        "spaced at 20 per second"
    );
}

#[tokio::test]
async fn the_ledger_records_each_write_once_with_its_location() {
    let api = start().await;
    let token = api.full_token().await;
    let id = &api.contact_ids(&token, 1).await[0];
    api.post(
        &format!("/contacts/{id}/notes"),
        &token,
        json!({"body": "once"}),
    )
    .await;
    api.get(&format!("/contacts/{id}/notes"), &token).await;
    let entries = api.ledger().await;
    let writes: Vec<_> = entries
        .iter()
        .filter(|e| e["path"] == format!("/contacts/{id}/notes"))
        .collect();
    assert_eq!(writes.len(), 1, "reads are not writes: {entries:?}");
    let entry = writes[0];
    assert_eq!(entry["method"], "POST");
    assert_eq!(entry["body"]["body"], "once");
    assert_eq!(entry["locationId"], api.location_id.as_str());
    assert_eq!(entry["status"], 201);
    assert!(entry["time"].as_str().unwrap().ends_with('Z'));
    let seq = entry["seq"].as_u64().unwrap();
    let (_, later) = api
        .control(Method::GET, &format!("/_sandbox/ledger?since={seq}"), None)
        .await;
    assert!(later["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["seq"].as_u64().unwrap() > seq));
    assert_eq!(
        api.control(Method::DELETE, "/_sandbox/ledger", None)
            .await
            .0,
        204
    );
    assert!(api.ledger().await.is_empty());
}

#[tokio::test]
async fn injected_errors_follow_their_ratio_and_reset() {
    let api = start().await;
    let token = api.full_token().await;
    let (status, _) = api
        .control(
            Method::POST,
            "/_sandbox/faults",
            Some(json!({"errorRatio": 0.5, "errorStatus": 503})),
        )
        .await;
    assert_eq!(status, 200);
    let path = format!("/locations/{}/tags", api.location_id);
    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(api.get(&path, &token).await.0.as_u16());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 503).count(), 5);
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 5);
    api.control(Method::DELETE, "/_sandbox/faults", None).await;
    assert_eq!(api.get(&path, &token).await.0, 200);
    assert_eq!(api.get(&path, &token).await.0, 200);
}

#[tokio::test]
async fn a_burst_of_429s_and_added_latency() {
    let api = start().await;
    let token = api.full_token().await;
    api.control(
        Method::POST,
        "/_sandbox/faults",
        Some(json!({"rateLimitedRequests": 2})),
    )
    .await;
    let path = format!("/locations/{}/tags", api.location_id);
    assert_eq!(api.get(&path, &token).await.0, 429);
    assert_eq!(api.get(&path, &token).await.0, 429);
    assert_eq!(api.get(&path, &token).await.0, 200);

    api.control(
        Method::POST,
        "/_sandbox/faults",
        Some(json!({"latencyMs": 300})),
    )
    .await;
    let started = Instant::now();
    assert_eq!(api.get(&path, &token).await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let (_, faults) = api.control(Method::GET, "/_sandbox/faults", None).await;
    assert_eq!(faults["latencyMs"], 300);
}

#[tokio::test]
async fn dropped_webhooks_never_reach_the_receiver() {
    let receiver = Receiver::start(Vec::new()).await;
    let api = start().await;
    api.control(
        Method::PUT,
        "/_sandbox/webhook-url",
        Some(json!({"url": receiver.url})),
    )
    .await;
    api.control(
        Method::POST,
        "/_sandbox/faults",
        Some(json!({"dropWebhookRatio": 0.5})),
    )
    .await;
    api.control(
        Method::POST,
        "/_sandbox/simulate",
        Some(json!({"entity": "notes", "action": "create", "count": 4})),
    )
    .await;
    eventually("the kept events arrive", || async {
        receiver.received().len() == 2
    })
    .await;
    let dropped = api
        .deliveries()
        .await
        .iter()
        .filter(|d| d["status"] == "dropped")
        .count();
    assert_eq!(dropped, 2);
}

#[tokio::test]
async fn the_ledger_masks_oauth_secrets() {
    let api = start().await;
    let form = [
        ("client_id", "sandbox-client-id"),
        ("client_secret", "sandbox-client-secret"),
        ("grant_type", "refresh_token"),
        ("refresh_token", "some-refresh-token"),
    ];
    let (status, _) = send(api.client.post(api.url("/oauth/token")).form(&form)).await;
    assert_eq!(status, 400);
    let entries = api.ledger().await;
    let entry = entries
        .iter()
        .find(|e| e["path"] == "/oauth/token")
        .unwrap();
    assert_eq!(entry["body"]["grant_type"], "refresh_token");
    assert_eq!(entry["body"]["client_secret"], "[redacted]");
    assert_eq!(entry["body"]["refresh_token"], "[redacted]");
    assert_eq!(entry["status"], 400);
}

#[tokio::test]
async fn the_app_can_point_webhooks_at_itself_after_start() {
    let receiver = Receiver::start(Vec::new()).await;
    let api = start().await;
    api.running
        .sandbox()
        .set_webhook_url(Some(receiver.url.clone()));
    api.control(
        Method::POST,
        "/_sandbox/simulate",
        Some(json!({"entity": "contacts", "action": "create", "count": 1})),
    )
    .await;
    eventually("the event arrives", || async {
        receiver.received().len() == 1
    })
    .await;
    assert_eq!(receiver.received()[0].json()["type"], "ContactCreate");
}
