//! `POST /webhooks/highlevel` over real HTTP: what is accepted, what is
//! refused and why, and that everything that fits is stored before the answer.

use crate::common;
use crate::webhooks_support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use webhooks_support::*;

const LOCATION: &str = "loc-intake";

async fn rows(db: &PgPool) -> Vec<(String, bool, Option<String>, Option<String>, String)> {
    sqlx::query_as(
        "SELECT status, verified, signature_scheme, location_id, status_detail \
         FROM highlevel_webhooks ORDER BY id",
    )
    .fetch_all(db)
    .await
    .unwrap()
}

async fn cached_contact(db: &PgPool, id: &str) -> Option<(String, Vec<String>)> {
    sqlx::query_as(
        "SELECT display_name, tags FROM cache_contacts WHERE location_id = $1 AND id = $2",
    )
    .bind(LOCATION)
    .bind(id)
    .fetch_optional(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn events_signed_either_way_are_stored_and_applied() {
    let app = common::spawn_app(common::test_db().await).await;
    add_team(&app.db, LOCATION).await;
    let by_ed25519 = event(
        "ContactCreate",
        LOCATION,
        json!({"id": "c-ed", "firstName": "Ada", "lastName": "Byron", "tags": ["vip"]}),
    );
    let by_rsa = event(
        "ContactCreate",
        LOCATION,
        json!({"id": "c-rsa", "firstName": "Grace", "lastName": "Hopper"}),
    );

    let (status, answer) = post(&app.base, &by_ed25519, Sign::Ed25519).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["status"], "queued");
    let (status, answer) = post(&app.base, &by_rsa, Sign::Rsa).await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    assert_eq!(settled(&app.db, &webhook_id(&by_ed25519)).await.0, "done");
    assert_eq!(settled(&app.db, &webhook_id(&by_rsa)).await.0, "done");
    assert_eq!(
        cached_contact(&app.db, "c-ed").await,
        Some(("Ada Byron".to_owned(), vec!["vip".to_owned()]))
    );
    assert_eq!(
        cached_contact(&app.db, "c-rsa").await.unwrap().0,
        "Grace Hopper"
    );
    let schemes: Vec<Option<String>> = rows(&app.db).await.into_iter().map(|row| row.2).collect();
    assert_eq!(
        schemes,
        vec![Some("ed25519".to_owned()), Some("rsa".to_owned())]
    );
    // Both headers: the Ed25519 one is the one checked.
    let both = event("ContactCreate", LOCATION, json!({"id": "c-both"}));
    assert_eq!(post(&app.base, &both, Sign::Both).await.0, StatusCode::OK);
    assert_eq!(rows(&app.db).await[2].2.as_deref(), Some("ed25519"));
}

/// What `refused_requests` kept: (reason, body_bytes, body_digest, headers).
async fn refusals(db: &PgPool) -> Vec<(String, Option<i64>, Option<String>, Value)> {
    sqlx::query_as(
        "SELECT reason, body_bytes, body_digest, headers FROM refused_requests ORDER BY id",
    )
    .fetch_all(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_bad_or_missing_signature_is_refused_with_a_short_record_and_no_body() {
    let app = common::spawn_app(common::test_db().await).await;
    add_team(&app.db, LOCATION).await;
    let genuine = event(
        "ContactCreate",
        LOCATION,
        json!({"id": "c-1", "firstName": "Real"}),
    );
    let signatures = switchboard_sandbox::sign(genuine.to_string().as_bytes()).unwrap();
    // The same signature over a body changed in transit.
    let mut forged = genuine.clone();
    forged["firstName"] = json!("Forged");
    let response = common::http()
        .post(format!("{}/webhooks/highlevel", app.base))
        .header("x-ghl-signature", signatures.ed25519)
        .header("cookie", "session=not-for-the-record")
        .body(forged.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["error"], "bad_signature");
    assert_eq!(answer["stored"], false);

    let (status, answer) = post(&app.base, &genuine, Sign::Unsigned).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("x-ghl-signature"),
        "{answer}"
    );

    // Neither body was stored, nor parsed into an event.
    assert!(rows(&app.db).await.is_empty());
    let kept = refusals(&app.db).await;
    assert_eq!(kept.len(), 2);
    let (reason, bytes, digest, headers) = &kept[0];
    assert_eq!(reason, "The signature does not match the body.");
    assert_eq!(*bytes, Some(forged.to_string().len() as i64));
    assert_eq!(digest.as_ref().map(String::len), Some(16));
    assert!(headers.get("x-ghl-signature").is_some());
    assert!(headers.get("cookie").is_none(), "{headers}");
    // No signature header: refused before the body was read.
    assert_eq!(kept[1].0, "no signature");
    assert_eq!(kept[1].2, None);

    // The forged copies did not take the webhookId: the genuine event still gets in.
    assert_eq!(
        post(&app.base, &genuine, Sign::Ed25519).await.0,
        StatusCode::OK
    );
    assert_eq!(settled(&app.db, &webhook_id(&genuine)).await.0, "done");
    assert_eq!(cached_contact(&app.db, "c-1").await.unwrap().0, "Real");
}

#[tokio::test]
async fn a_repeated_webhook_id_is_refused_and_applied_once() {
    let app = common::spawn_app(common::test_db().await).await;
    add_team(&app.db, LOCATION).await;
    let first = event(
        "ContactCreate",
        LOCATION,
        json!({"id": "c-1", "tags": ["a"]}),
    );
    assert_eq!(
        post(&app.base, &first, Sign::Ed25519).await.0,
        StatusCode::OK
    );
    let (status, answer) = post(&app.base, &first, Sign::Ed25519).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(answer["error"], "repeated_webhook_id");
    // A replay signed the other way is the same event.
    assert_eq!(
        post(&app.base, &first, Sign::Rsa).await.0,
        StatusCode::CONFLICT
    );
    settled(&app.db, &webhook_id(&first)).await;
    let statuses: Vec<String> = rows(&app.db).await.into_iter().map(|row| row.0).collect();
    assert_eq!(statuses, vec!["done", "rejected", "rejected"]);
    let applied: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM highlevel_webhooks WHERE webhook_id = $1 AND processed_at IS NOT NULL",
    )
    .bind(webhook_id(&first))
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(applied, 1);
}

#[tokio::test]
async fn stale_and_future_timestamps_are_refused() {
    let app = common::spawn_app(common::test_db().await).await;
    add_team(&app.db, LOCATION).await;
    let mut old = event("ContactCreate", LOCATION, json!({"id": "c-old"}));
    old["timestamp"] = json!((chrono::Utc::now() - chrono::TimeDelta::minutes(6)).to_rfc3339());
    let (status, answer) = post(&app.base, &old, Sign::Ed25519).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["error"], "stale_timestamp");

    let mut future = event("ContactCreate", LOCATION, json!({"id": "c-future"}));
    future["timestamp"] = json!((chrono::Utc::now() + chrono::TimeDelta::minutes(10)).to_rfc3339());
    let (status, answer) = post(&app.base, &future, Sign::Ed25519).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer["error"], "future_timestamp");

    let mut missing = event("ContactCreate", LOCATION, json!({"id": "c-none"}));
    missing.as_object_mut().unwrap().remove("timestamp");
    assert_eq!(
        post(&app.base, &missing, Sign::Ed25519).await.0,
        StatusCode::BAD_REQUEST
    );

    let stored = rows(&app.db).await;
    assert_eq!(stored.len(), 3);
    assert!(stored.iter().all(|row| row.0 == "rejected" && row.1));
    // Verified, so the location is known and the team sees them.
    assert_eq!(stored[0].3.as_deref(), Some(LOCATION));
    let cached: i64 = sqlx::query_scalar("SELECT count(*) FROM cache_contacts")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(cached, 0);
}

#[tokio::test]
async fn malformed_json_is_refused_and_kept() {
    let app = common::spawn_app(common::test_db().await).await;
    let (status, answer) = post_raw(
        &app.base,
        b"{\"type\": \"ContactCreate\", ".to_vec(),
        Sign::Ed25519,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"], "malformed_json");
    let (status, _) = post_raw(&app.base, b"[1, 2]".to_vec(), Sign::Rsa).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let stored: Vec<(String, Vec<u8>)> =
        sqlx::query_as("SELECT status, raw_body FROM highlevel_webhooks ORDER BY id")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].0, "rejected");
    assert_eq!(stored[0].1, b"{\"type\": \"ContactCreate\", ");
}

#[tokio::test]
async fn a_body_over_2_mb_is_refused_unstored_but_a_large_one_under_it_is_taken() {
    let app = common::spawn_app(common::test_db().await).await;
    add_team(&app.db, LOCATION).await;
    let huge = vec![b' '; 2 * 1024 * 1024 + 1];
    let (status, answer) = post_raw(&app.base, huge, Sign::Ed25519).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer["error"], "body_too_large");
    assert_eq!(answer["stored"], false);
    assert!(rows(&app.db).await.is_empty());
    assert_eq!(refusals(&app.db).await[0].0, "body too large");

    // 1.5 MB: over the limit of other routes, under the webhook's.
    let large = event(
        "ContactCreate",
        LOCATION,
        json!({"id": "c-big", "website": "x".repeat(1_500_000)}),
    );
    let (status, answer) = post(&app.base, &large, Sign::Ed25519).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(settled(&app.db, &webhook_id(&large)).await.0, "done");
}

#[tokio::test]
async fn an_unknown_type_is_stored_and_ignored() {
    let app = common::spawn_app(common::test_db().await).await;
    add_team(&app.db, LOCATION).await;
    let unknown = event(
        "OpportunityStatusUpdate",
        LOCATION,
        json!({"id": "o-1", "status": "won"}),
    );
    let (status, answer) = post(&app.base, &unknown, Sign::Ed25519).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["status"], "ignored");
    let (status, detail, _) = stored(&app.db, &webhook_id(&unknown)).await.unwrap();
    assert_eq!(
        (status.as_str(), detail.as_str()),
        ("ignored", "unknown type")
    );
}
