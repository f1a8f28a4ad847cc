//! End to end: changes made in the sandbox HighLevel reach the cache through
//! signed webhooks, and the Events page's server functions show the team
//! what arrived.

use crate::common;
use crate::webhooks_support;

use common::browser::{demo_locations, Browser};
use reqwest::StatusCode;
use serde_json::{json, Value};
use webhooks_support::*;

async fn signed_in(app: &common::TestApp, location_id: &str, user_id: &str) -> Browser {
    let browser = Browser::new(&app.base);
    let consent = browser.start_sign_in(false).await;
    browser.consent(&consent, location_id, user_id).await;
    browser
}

async fn simulate(app: &common::TestApp, entity: &str, action: &str, count: usize) -> Vec<String> {
    let answer = common::json_of(
        common::http()
            .post(format!("{}/sandbox/_sandbox/simulate", app.base))
            .json(&json!({"entity": entity, "action": action, "count": count})),
    )
    .await;
    answer["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect()
}

async fn cached(app: &common::TestApp, table: &str, ids: &[String]) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table} WHERE id = ANY($1)"))
        .bind(ids)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn changes_in_the_sandbox_reach_the_cache_through_webhooks() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_locations(&app.base).await.swap_remove(0);
    signed_in(&app, &location_id, &users[0]).await;
    let response = common::http()
        .put(format!("{}/sandbox/_sandbox/webhook-url", app.base))
        .json(&json!({"url": format!("{}/webhooks/highlevel", app.base)}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let contacts = simulate(&app, "contacts", "create", 3).await;
    assert_eq!(contacts.len(), 3);
    eventually("the new contacts in the cache", || async {
        (cached(&app, "cache_contacts", &contacts).await == 3).then_some(())
    })
    .await;

    let tasks = simulate(&app, "tasks", "create", 2).await;
    eventually("the new tasks in the cache", || async {
        (cached(&app, "cache_tasks", &tasks).await == 2).then_some(())
    })
    .await;

    // Seeded contacts are not cached until a sync: delete one the webhooks brought in.
    let gone = simulate_delete_of_cached(&app, &contacts).await;
    eventually("the soft delete", || async {
        let deleted: Option<bool> =
            sqlx::query_scalar("SELECT deleted_at IS NOT NULL FROM cache_contacts WHERE id = $1")
                .bind(&gone)
                .fetch_optional(&app.db)
                .await
                .unwrap();
        deleted.filter(|d| *d)
    })
    .await;

    let verified: Vec<(bool, String)> =
        sqlx::query_as("SELECT verified, status FROM highlevel_webhooks")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert!(verified.len() >= 6, "{verified:?}");
    assert!(
        verified.iter().all(|(verified, _)| *verified),
        "{verified:?}"
    );
}

/// Deletes one of `ids` through the sandbox's API with a minted token.
async fn simulate_delete_of_cached(app: &common::TestApp, ids: &[String]) -> String {
    let (location_id, _) = demo_locations(&app.base).await.swap_remove(0);
    let token = common::sandbox_token(&app.base, &location_id, &["contacts.write"]).await;
    let response = common::http()
        .delete(format!("{}/sandbox/contacts/{}", app.base, ids[0]))
        .header("Version", "2021-07-28")
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    ids[0].clone()
}

async fn list(browser: &Browser, filters: &[(&str, &str)]) -> Value {
    let response = browser.call("events/list", filters).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_events_page_shows_the_team_its_own_events_only_and_no_headers() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_locations(&app.base).await.swap_remove(0);
    let owner = signed_in(&app, &location_id, &users[0]).await;
    let empty = list(&owner, &[]).await;
    assert_eq!(empty["any"], false);
    assert_eq!(
        empty["webhook_url"],
        format!("{}/webhooks/highlevel", app.base).as_str()
    );

    let unknown = event("OpportunityCreate", &location_id, json!({"id": "opp-1"}));
    assert_eq!(
        post(&app.base, &unknown, Sign::Ed25519).await.0,
        StatusCode::OK
    );
    let broken = event("AppointmentCreate", &location_id, json!({"id": "a-1"}));
    assert_eq!(
        post(&app.base, &broken, Sign::Ed25519).await.0,
        StatusCode::OK
    );
    settled(&app.db, &webhook_id(&broken)).await;
    let forged = event("ContactCreate", &location_id, json!({"id": "c-x"}));
    assert_eq!(
        post(&app.base, &forged, Sign::Unsigned).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Signed, but for a location no team uses: stored, and seen by no team.
    let teamless = event("ContactCreate", "loc-no-team", json!({"id": "c-y"}));
    assert_eq!(
        post(&app.base, &teamless, Sign::Ed25519).await.0,
        StatusCode::OK
    );
    settled(&app.db, &webhook_id(&teamless)).await;

    let page = list(&owner, &[]).await;
    let text = page.to_string();
    let signature = switchboard_sandbox::sign(unknown.to_string().as_bytes()).unwrap();
    assert!(!text.contains(&signature.ed25519), "{text}");
    assert!(
        !text.contains("content-type") && !text.contains("reqwest"),
        "{text}"
    );
    let events = page["events"].as_array().unwrap();
    // Newest first; neither the forged request nor the other location's event.
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0]["status"], "failed");
    assert_eq!(events[0]["can_retry"], true);
    assert_eq!(events[1]["event_type"], "OpportunityCreate");
    assert_eq!(events[1]["status"], "ignored");
    assert_eq!(events[1]["problem"], "unknown type");
    assert_eq!(events[1]["signature"], "Ed25519");
    let ignored = list(&owner, &[("status", "ignored")]).await;
    assert_eq!(ignored["events"].as_array().unwrap().len(), 1);
    let typed = list(&owner, &[("event_type", "AppointmentCreate")]).await;
    assert_eq!(typed["events"].as_array().unwrap().len(), 1);

    let teamless_id: i64 =
        sqlx::query_scalar("SELECT id FROM highlevel_webhooks WHERE location_id = 'loc-no-team'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let hidden = owner
        .call("events/body", &[("id", &teamless_id.to_string())])
        .await;
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    let unknown_id = events[1]["id"].to_string();
    let body: Value = owner
        .call("events/body", &[("id", &unknown_id)])
        .await
        .json()
        .await
        .unwrap();
    assert!(
        body["body"]
            .as_str()
            .unwrap()
            .contains("\n  \"type\": \"OpportunityCreate\""),
        "{body}"
    );

    // A viewer sees the same events, and cannot retry.
    let viewer = signed_in(&app, &location_id, &users[1]).await;
    sqlx::query("UPDATE memberships SET role = 'viewer' WHERE role = 'member'")
        .execute(&app.db)
        .await
        .unwrap();
    let seen = list(&viewer, &[]).await;
    let seen = seen["events"].as_array().unwrap();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|event| event["can_retry"] == false));
    let failed_id = events[0]["id"].to_string();
    let refused = viewer.call("events/retry", &[("id", &failed_id)]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // The owner retries: it is queued again and tried afresh.
    let retried = owner.call("events/retry", &[("id", &failed_id)]).await;
    assert_eq!(retried.status(), StatusCode::OK);
    let (status, _, _) = settled(&app.db, &webhook_id(&broken)).await;
    assert_eq!(status, "failed");
    let processed_twice: i32 = sqlx::query_scalar(
        "SELECT attempts FROM highlevel_webhooks WHERE webhook_id = $1 AND status = 'failed'",
    )
    .bind(webhook_id(&broken))
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(processed_twice, 1);

    // Another team's owner sees none of them, nor their bodies.
    let (other_location, other_users) = demo_locations(&app.base).await.swap_remove(1);
    let stranger = signed_in(&app, &other_location, &other_users[0]).await;
    let theirs = list(&stranger, &[]).await;
    assert_eq!(theirs["events"], json!([]), "{theirs}");
    assert_eq!(theirs["any"], false);
    for id in [unknown_id, teamless_id.to_string()] {
        let body = stranger.call("events/body", &[("id", &id)]).await;
        assert_eq!(body.status(), StatusCode::NOT_FOUND);
    }
}
