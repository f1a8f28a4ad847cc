//! An app connection's webhook door over real HTTP: each signature mode
//! (right, wrong, missing, replayed), each kind of bad input, and that
//! every request naming the connection is kept with its reason.

use crate::common;
use crate::webhooks_support::add_team;

use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde_json::{json, Value};
use switchboard::apps::connections::signing::sign;
use switchboard::apps::connections::store::{self, Connection, NewConnection};
use switchboard::apps::connections::{Encoding, EventTypeFrom, Signing};

const LOCATION: &str = "loc-apps";

async fn connect(
    app: &common::TestApp,
    signing: Signing,
    event_type_from: EventTypeFrom,
) -> (Connection, String) {
    add_team(&app.db, LOCATION).await;
    sqlx::query("INSERT INTO users (highlevel_user_id, name, email) VALUES ('u-apps', 'Owner', 'o@example.com') ON CONFLICT DO NOTHING")
        .execute(&app.db)
        .await
        .unwrap();
    let owner: i64 = sqlx::query_scalar("SELECT id FROM users WHERE highlevel_user_id = 'u-apps'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let new = NewConnection {
        location_id: LOCATION.into(),
        app: "clubworx".into(),
        name: "Clubworx".into(),
        signing,
        event_type_from,
        created_by: owner,
    };
    let (connection, secret) = store::create(&app.db, &app.vault, &new).await.unwrap();
    (connection, secret.expose_secret().to_owned())
}

fn hmac_signing() -> Signing {
    Signing::HmacSha256 {
        header: "X-Clubworx-Signature".into(),
        encoding: Encoding::Hex,
        prefix: "sha256=".into(),
    }
}

async fn post(
    app: &common::TestApp,
    connection: &Connection,
    body: Vec<u8>,
    headers: &[(&str, String)],
) -> (StatusCode, Value) {
    let mut request = common::http()
        .post(format!("{}/hooks/{}", app.base, connection.public_id))
        .header("content-type", "application/json")
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn signed(secret: &str, body: &[u8]) -> Vec<(&'static str, String)> {
    vec![(
        "X-Clubworx-Signature",
        sign(secret, Encoding::Hex, "sha256=", body),
    )]
}

/// The connection's kept requests, oldest first: (status, event type, problem).
async fn kept(
    app: &common::TestApp,
    connection: &Connection,
) -> Vec<(String, Option<String>, String)> {
    sqlx::query_as(
        "SELECT status, event_type, problem FROM app_events WHERE connection_id = $1 ORDER BY id",
    )
    .bind(connection.id)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_signed_event_is_received_once_and_every_refusal_is_kept_with_its_reason() {
    let app = common::spawn_app(common::test_db().await).await;
    let (connection, secret) = connect(
        &app,
        hmac_signing(),
        EventTypeFrom::BodyField("event".into()),
    )
    .await;
    let body = json!({"event": "member.created", "data": {"member": {"email": "ann@example.com"}}})
        .to_string()
        .into_bytes();

    let (status, answer) = post(&app, &connection, body.clone(), &signed(&secret, &body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["status"], "received");
    assert!(!answer.to_string().contains(&secret));

    // The same body again: a replay.
    let (status, answer) = post(&app, &connection, body.clone(), &signed(&secret, &body)).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (StatusCode::CONFLICT, Some("replayed"))
    );
    // Wrong secret, body changed in transit, no header.
    let (status, answer) = post(
        &app,
        &connection,
        body.clone(),
        &signed("not-the-secret", &body),
    )
    .await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("bad_signature"))
    );
    let mut changed = body.clone();
    changed[2] = b'E';
    assert_eq!(
        post(&app, &connection, changed, &signed(&secret, &body))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post(&app, &connection, body.clone(), &[]).await.0,
        StatusCode::UNAUTHORIZED
    );

    let rows = kept(&app, &connection).await;
    assert_eq!(rows.len(), 5);
    assert_eq!(
        rows[0],
        (
            "received".into(),
            Some("member.created".into()),
            String::new()
        )
    );
    assert!(rows[1..]
        .iter()
        .all(|(status, event_type, problem)| status == "rejected"
            && event_type.is_none()
            && !problem.is_empty()));
    assert!(rows[4].2.contains("no signature header"), "{:?}", rows[4]);
}

#[tokio::test]
async fn bad_input_gets_a_4xx_with_a_json_reason_and_is_kept() {
    let app = common::spawn_app(common::test_db().await).await;
    let (connection, secret) = connect(
        &app,
        hmac_signing(),
        EventTypeFrom::BodyField("event".into()),
    )
    .await;
    let cases: Vec<(Vec<u8>, StatusCode, &str)> = vec![
        (
            b"{\"event\": ".to_vec(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (b"[1, 2]".to_vec(), StatusCode::BAD_REQUEST, "not_an_object"),
        (
            b"{\"kind\": \"member.created\"}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "no_event_type",
        ),
        (
            b"{\"event\": \"member.deleted\"}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_event_type",
        ),
        (
            vec![b' '; 1024 * 1024 + 1],
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
    ];
    for (body, expected, code) in &cases {
        let headers = signed(&secret, body);
        let (status, answer) = post(&app, &connection, body.clone(), &headers).await;
        assert_eq!(status, *expected, "{code}: {answer}");
        assert_eq!(answer["error"], *code);
        assert!(!answer["message"].as_str().unwrap().is_empty());
    }
    let rows = kept(&app, &connection).await;
    assert_eq!(rows.len(), cases.len(), "each refusal is kept: {rows:?}");
    assert!(rows.iter().all(|(status, _, _)| status == "rejected"));
    assert!(rows[2].2.contains("`event`"), "{:?}", rows[2]);

    let unknown = common::http()
        .post(format!("{}/hooks/no-such-connection", app.base))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let answer: Value = unknown.json().await.unwrap();
    assert_eq!(answer["error"], "unknown_connection");
}

#[tokio::test]
async fn a_secret_header_and_a_header_event_type_work_the_same_way() {
    let app = common::spawn_app(common::test_db().await).await;
    let signing = Signing::SecretHeader {
        header: "X-ClubOS-Secret".into(),
    };
    let (connection, secret) = connect(
        &app,
        signing,
        EventTypeFrom::Header("X-ClubOS-Event".into()),
    )
    .await;
    let body = br#"{"memberId": "m-1"}"#.to_vec();
    let right = [
        ("X-ClubOS-Secret", secret.clone()),
        ("X-ClubOS-Event", "member.created".to_owned()),
    ];
    assert_eq!(
        post(&app, &connection, body.clone(), &right).await.0,
        StatusCode::OK
    );
    let wrong = [
        ("X-ClubOS-Secret", format!("{secret}x")),
        ("X-ClubOS-Event", "member.created".to_owned()),
    ];
    assert_eq!(
        post(
            &app,
            &connection,
            br#"{"memberId": "m-2"}"#.to_vec(),
            &wrong
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
    let rows = kept(&app, &connection).await;
    assert_eq!(rows[0].1.as_deref(), Some("member.created"));
    // The secret is sealed at rest and never kept from the request's headers.
    let stored: String = sqlx::query_scalar("SELECT secret_sealed FROM app_connections")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(!stored.contains(&secret));
    let headers: Vec<Value> = sqlx::query_scalar("SELECT headers FROM app_events")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert!(
        headers
            .iter()
            .all(|kept| !kept.to_string().contains(&secret[..16])),
        "{headers:?}"
    );
}
