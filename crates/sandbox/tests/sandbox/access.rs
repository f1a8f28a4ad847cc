//! What every API call of the sandbox checks: `Version`, the Bearer token,
//! scopes, the token's location, validation, rate limits and `traceId`.

use crate::support as sandbox_support;

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use switchboard_sandbox::SandboxConfig;

use sandbox_support::*;

#[tokio::test]
async fn a_missing_or_wrong_version_header_is_a_400() {
    let api = start().await;
    let token = api.full_token().await;
    let path = format!("/contacts/?locationId={}", api.location_id);
    let (status, body) = send(api.client.get(api.url(&path)).bearer_auth(&token)).await;
    assert_eq!(status, 400);
    assert_eq!(body["statusCode"], 400);
    assert!(body["message"].is_string());

    let wrong = api
        .client
        .get(api.url(&path))
        .bearer_auth(&token)
        .header("Version", V_CALENDARS);
    assert_eq!(send(wrong).await.0, 400);

    let calendars = format!("/calendars/?locationId={}", api.location_id);
    let (status, _) = api.get(&calendars, &token).await;
    assert_eq!(status, 400, "calendars want 2021-04-15");
    let right = api
        .client
        .get(api.url(&calendars))
        .bearer_auth(&token)
        .header("Version", V_CALENDARS);
    assert_eq!(send(right).await.0, 200);
}

#[tokio::test]
async fn a_missing_or_unknown_token_is_a_401_unauthorized_dto() {
    let api = start().await;
    let path = format!("/contacts/?locationId={}", api.location_id);
    let bare = api.client.get(api.url(&path)).header("Version", V_CONTACTS);
    let (status, body) = send(bare).await;
    assert_eq!(status, 401);
    assert_eq!(body["statusCode"], 401);
    assert_eq!(body["error"], "Unauthorized");
    assert!(body["message"].is_string());
    let (status, _) = api.get(&path, "not-a-token").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_readonly_token_cannot_write_and_the_403_names_the_scope() {
    let api = start().await;
    let token = api.token(&["contacts.readonly"]).await;
    let (status, _) = api
        .get(
            &format!("/contacts/?locationId={}", api.location_id),
            &token,
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = api
        .post(
            "/contacts/",
            &token,
            json!({"locationId": api.location_id, "firstName": "Ada"}),
        )
        .await;
    assert_eq!(status, 403);
    assert!(body["message"].as_str().unwrap().contains("contacts.write"));
    let (status, body) = api
        .get(&format!("/locations/{}/tags", api.location_id), &token)
        .await;
    assert_eq!(status, 403);
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("locations/tags.readonly"));
}

#[tokio::test]
async fn a_token_reaches_only_its_own_location() {
    let api = start().await;
    let token = api.full_token().await;
    let other = api.other_location_id.clone();
    let (status, _) = api
        .get(&format!("/contacts/?locationId={other}"), &token)
        .await;
    assert_eq!(status, 403);
    let (status, _) = api
        .post(
            "/contacts/search",
            &token,
            json!({"locationId": other, "pageLimit": 5}),
        )
        .await;
    assert_eq!(status, 403);

    let other_token = api.token_for(&other, &ALL_SCOPES).await;
    let (_, found) = api
        .post(
            "/contacts/search",
            &other_token,
            json!({"locationId": other, "pageLimit": 1}),
        )
        .await;
    let foreign = found["contacts"][0]["id"].as_str().unwrap().to_owned();
    let (status, _) = api.get(&format!("/contacts/{foreign}"), &token).await;
    assert_eq!(status, 403);
    let (status, _) = api.get(&format!("/contacts/{foreign}"), &other_token).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn invalid_bodies_get_a_422_listing_every_problem() {
    let api = start().await;
    let token = api.full_token().await;
    let id = &api.contact_ids(&token, 1).await[0];
    let (status, body) = api
        .post(&format!("/contacts/{id}/tasks"), &token, json!({"body": 5}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["statusCode"], 422);
    assert_eq!(body["error"], "Unprocessable Entity");
    let messages: Vec<&str> = body["message"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    for field in ["title", "dueDate", "completed", "body"] {
        assert!(
            messages.iter().any(|m| m.starts_with(field)),
            "{field} in {messages:?}"
        );
    }
    let (status, body) = api
        .post("/contacts/", &token, json!({"firstName": "Ada"}))
        .await;
    assert_eq!(status, 422);
    assert!(body["message"][0].as_str().unwrap().contains("locationId"));
}

#[tokio::test]
async fn malformed_json_is_a_400_and_never_crashes_the_server() {
    let api = start().await;
    let token = api.full_token().await;
    let request = api
        .request(Method::POST, "/contacts/", &token)
        .header("content-type", "application/json")
        .body("{not json");
    let (status, body) = send(request).await;
    assert_eq!(status, 400);
    assert_eq!(body["statusCode"], 400);
    let (status, _) = api.get("/contacts/%FF%FE", &token).await;
    assert!(status.is_client_error());
    let (status, _) = api.get("/locations/x/nothing-here", &token).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn rate_limit_headers_count_down_and_a_429_follows_the_burst() {
    let api = start_with(SandboxConfig {
        burst_limit: 5,
        burst_window: Duration::from_secs(60),
        daily_limit: 1000,
        ..test_config()
    })
    .await;
    let token = api.full_token().await;
    let path = format!("/locations/{}/tags", api.location_id);
    for expected in (0..5).rev() {
        let response = api
            .request(Method::GET, &path, &token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let header = |name: &str| {
            response.headers()[name]
                .to_str()
                .unwrap()
                .parse::<u64>()
                .unwrap()
        };
        assert_eq!(header("x-ratelimit-remaining"), expected);
        assert_eq!(header("x-ratelimit-max"), 5);
        assert_eq!(header("x-ratelimit-interval-milliseconds"), 60_000);
        assert_eq!(header("x-ratelimit-limit-daily"), 1000);
        assert_eq!(header("x-ratelimit-daily-remaining"), 1000 - (5 - expected));
    }
    let response = api
        .request(Method::GET, &path, &token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["x-ratelimit-remaining"], "0");

    let other = api.token_for(&api.other_location_id, &ALL_SCOPES).await;
    let other_path = format!("/locations/{}/tags", api.other_location_id);
    let (status, _) = api.get(&other_path, &other).await;
    assert_eq!(status, 200, "limits are per location");
}

#[tokio::test]
async fn the_daily_budget_is_enforced_too() {
    let api = start_with(SandboxConfig {
        burst_limit: 100,
        daily_limit: 3,
        ..test_config()
    })
    .await;
    let token = api.full_token().await;
    let path = format!("/locations/{}/tags", api.location_id);
    for _ in 0..3 {
        assert_eq!(api.get(&path, &token).await.0, 200);
    }
    let response = api
        .request(Method::GET, &path, &token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["x-ratelimit-daily-remaining"], "0");
}

#[tokio::test]
async fn every_response_carries_a_trace_id() {
    let api = start().await;
    let token = api.full_token().await;
    let ok = api
        .request(
            Method::GET,
            &format!("/locations/{}/tags", api.location_id),
            &token,
        )
        .send()
        .await
        .unwrap();
    let unauthorized = api.client.get(api.url("/contacts/x")).send().await.unwrap();
    let control = api
        .client
        .get(api.url("/_sandbox/locations"))
        .send()
        .await
        .unwrap();
    let ids: Vec<String> = [ok, unauthorized, control]
        .iter()
        .map(|response| response.headers()["traceid"].to_str().unwrap().to_owned())
        .collect();
    assert!(ids.iter().all(|id| id.len() >= 16));
    assert_ne!(ids[0], ids[1]);
}

#[tokio::test]
async fn revoked_tokens_stop_working() {
    let api = start().await;
    let token = api.full_token().await;
    let path = format!("/locations/{}/tags", api.location_id);
    assert_eq!(api.get(&path, &token).await.0, 200);
    let (status, body) = api
        .control(
            Method::POST,
            "/_sandbox/tokens/revoke",
            Some(json!({"locationId": api.location_id})),
        )
        .await;
    assert_eq!(status, 200);
    assert!(body["revoked"].as_u64().unwrap() >= 1);
    assert_eq!(api.get(&path, &token).await.0, 401);
}
