//! An app connection's outgoing deliveries through the real server and its
//! server functions, to a real receiver on loopback: the signature checks
//! over the raw body, each sign-in arrives as set, redirects and slow apps
//! fail in plain words, private addresses are refused when saved and when
//! sent to, and no secret is ever answered or stored in clear.

use crate::common;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::Engine;
use common::browser::{demo_locations, Browser};
use secrecy::SecretString;
use serde_json::Value;
use switchboard::apps::connections::signing::verify;
use switchboard::apps::connections::store::{self, Connection, NewConnection};
use switchboard::apps::connections::{Encoding, EventTypeFrom, Signing};
use switchboard::apps::outbound::base_url::BaseUrl;
use switchboard::apps::outbound::settings::{self, Change};
use switchboard::apps::outbound::AuthMode;
use tokio::sync::{watch, Mutex};

/// The server setting that lets deliveries reach the loopback receiver.
const ALLOW_PRIVATE: [&str; 2] = ["--outbound-allow-private", "true"];

/// What the receiver saw: each request's path, headers and raw body.
struct Seen {
    requests: Mutex<Vec<(String, HeaderMap, Bytes)>>,
    /// Never sent on: `/slow` waits on it for ever.
    never: watch::Receiver<()>,
}

/// An app on 127.0.0.1: `/in` answers 200 `thanks`, `/teapot` 418,
/// `/redirect` 302 to `/followed`, `/slow` never answers.
struct Receiver {
    base: String,
    seen: Arc<Seen>,
    _keep_waiting: watch::Sender<()>,
}

impl Receiver {
    async fn start() -> Self {
        let (keep_waiting, never) = watch::channel(());
        let seen = Arc::new(Seen {
            requests: Mutex::default(),
            never,
        });
        let router = Router::new()
            .route("/{*path}", post(receive))
            .with_state(seen.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self {
            base,
            seen,
            _keep_waiting: keep_waiting,
        }
    }

    async fn requests(&self) -> Vec<(String, HeaderMap, Bytes)> {
        self.seen.requests.lock().await.clone()
    }
}

async fn receive(
    State(seen): State<Arc<Seen>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    seen.requests
        .lock()
        .await
        .push((path.clone(), headers, body));
    match path.as_str() {
        "/teapot" => (StatusCode::IM_A_TEAPOT, "teapot here").into_response(),
        "/redirect" => (StatusCode::FOUND, [("location", "/followed")], "moved").into_response(),
        "/slow" => {
            let _ = seen.never.clone().changed().await;
            "too late".into_response()
        }
        _ => "thanks".into_response(),
    }
}

/// The app with a team whose owner is signed in, and an app connection of
/// that team.
async fn owner_with_connection(settings: &[&str]) -> (common::TestApp, Browser, Connection) {
    let app = common::spawn_app_with(common::test_db().await, settings).await;
    let (location_id, users) = demo_locations(&app.base).await.swap_remove(0);
    let owner = Browser::new(&app.base);
    let consent = owner.start_sign_in(false).await;
    owner.consent(&consent, &location_id, &users[0]).await;
    let connection = connect(&app, &location_id, &users[0]).await;
    (app, owner, connection)
}

async fn connect(app: &common::TestApp, location_id: &str, highlevel_user_id: &str) -> Connection {
    let created_by: i64 = sqlx::query_scalar("SELECT id FROM users WHERE highlevel_user_id = $1")
        .bind(highlevel_user_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let new = NewConnection {
        location_id: location_id.into(),
        app: "generic".into(),
        name: "Front desk app".into(),
        signing: Signing::SecretHeader {
            header: "X-Token".into(),
        },
        event_type_from: EventTypeFrom::Fixed("ping".into()),
        created_by,
    };
    store::create(&app.db, &app.vault, &new).await.unwrap().0
}

/// The save form: base URL, mode, header, value, timeout.
async fn save(browser: &Browser, connection: &Connection, fields: [&str; 5]) -> reqwest::Response {
    let id = connection.id.to_string();
    let [base_url, auth_mode, auth_header, auth_value, timeout_secs] = fields;
    browser
        .call(
            "apps/outbound/save",
            &[
                ("connection_id", id.as_str()),
                ("base_url", base_url),
                ("auth_mode", auth_mode),
                ("auth_header", auth_header),
                ("auth_value", auth_value),
                ("timeout_secs", timeout_secs),
            ],
        )
        .await
}

async fn saved(browser: &Browser, connection: &Connection, fields: [&str; 5]) {
    let response = save(browser, connection, fields).await;
    let status = response.status();
    assert!(
        status.is_success(),
        "{status}: {}",
        response.text().await.unwrap()
    );
}

/// Calls a server function that takes only the connection's id.
async fn call_for(
    browser: &Browser,
    endpoint: &str,
    connection: &Connection,
) -> (StatusCode, String) {
    let id = connection.id.to_string();
    let response = browser.call(endpoint, &[("connection_id", &id)]).await;
    (response.status(), response.text().await.unwrap())
}

async fn rotate(browser: &Browser, connection: &Connection) -> String {
    let (status, text) = call_for(browser, "apps/outbound/rotate-signing-secret", connection).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap()
}

async fn test_delivery(browser: &Browser, connection: &Connection) -> Value {
    let (status, text) = call_for(browser, "apps/outbound/test", connection).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_delivery_is_signed_over_its_raw_body_and_signs_in_as_set() {
    let (_app, owner, connection) = owner_with_connection(&ALLOW_PRIVATE).await;
    let receiver = Receiver::start().await;
    let url = format!("{}/in", receiver.base);
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("desk:pa:ss")
    );
    let modes = [
        (["bearer", "", "tok-123"], "authorization", "Bearer tok-123"),
        (["header", "X-Api-Key", "k3y"], "x-api-key", "k3y"),
        (["basic", "", "desk:pa:ss"], "authorization", basic.as_str()),
    ];
    saved(&owner, &connection, [&url, "none", "", "", "10"]).await;
    let secret = SecretString::from(rotate(&owner, &connection).await);
    // As an app checks it: Switchboard's own door would take it.
    let signed = Signing::HmacSha256 {
        header: "x-switchboard-signature".into(),
        encoding: Encoding::Hex,
        prefix: "sha256=".into(),
    };

    for ([mode, auth_header, value], name, expected) in modes {
        saved(&owner, &connection, [&url, mode, auth_header, value, "10"]).await;
        let outcome = test_delivery(&owner, &connection).await;
        assert_eq!(outcome["status"], 200, "{outcome}");
        assert_eq!(outcome["body_excerpt"], "thanks");
        assert_eq!(outcome["error"], Value::Null);

        let (path, headers, body) = receiver.requests().await.pop().unwrap();
        assert_eq!(path, "/in");
        assert_eq!(header(&headers, name), expected, "{mode}");
        assert_eq!(
            verify(&signed, &secret, &headers, &body),
            Ok(()),
            "the signature is the HMAC of the raw body"
        );
        let other = SecretString::from("another secret");
        assert!(verify(&signed, &other, &headers, &body).is_err());
        assert!(uuid::Uuid::parse_str(header(&headers, "x-switchboard-delivery")).is_ok());
        assert_eq!(header(&headers, "content-type"), "application/json");
        assert_eq!(header(&headers, "user-agent"), "Switchboard");
        let sent: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(sent["type"], "switchboard.test");
        assert_eq!(sent["connection"], "Front desk app");
        assert!(sent["sentAt"].as_str().is_some_and(|at| at.ends_with('Z')));
    }
    let deliveries = receiver.requests().await;
    let ids: std::collections::BTreeSet<&str> = deliveries
        .iter()
        .map(|(_, headers, _)| header(headers, "x-switchboard-delivery"))
        .collect();
    assert_eq!(ids.len(), 3, "every delivery has an id of its own");
}

#[tokio::test]
async fn the_test_delivery_returns_the_receivers_status_and_body() {
    let (_app, owner, connection) = owner_with_connection(&ALLOW_PRIVATE).await;
    let receiver = Receiver::start().await;
    saved(
        &owner,
        &connection,
        [&format!("{}/teapot", receiver.base), "none", "", "", "10"],
    )
    .await;
    let (status, answer) = call_for(&owner, "apps/outbound/test", &connection).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "no signing secret yet: {answer}"
    );
    assert!(answer.contains("signing secret"), "{answer}");
    assert!(receiver.requests().await.is_empty());

    rotate(&owner, &connection).await;
    let outcome = test_delivery(&owner, &connection).await;
    assert_eq!(outcome["status"], 418);
    assert_eq!(outcome["body_excerpt"], "teapot here");
    assert!(
        outcome["error"].as_str().unwrap().contains("418"),
        "{outcome}"
    );
    assert!(outcome["duration_ms"].as_u64().is_some());
    assert_eq!(receiver.requests().await.len(), 1);
}

#[tokio::test]
async fn a_redirect_fails_the_delivery_and_is_not_followed() {
    let (_app, owner, connection) = owner_with_connection(&ALLOW_PRIVATE).await;
    let receiver = Receiver::start().await;
    saved(
        &owner,
        &connection,
        [&format!("{}/redirect", receiver.base), "none", "", "", "10"],
    )
    .await;
    rotate(&owner, &connection).await;
    let outcome = test_delivery(&owner, &connection).await;
    assert_eq!(outcome["status"], 302);
    let error = outcome["error"].as_str().unwrap();
    assert!(
        error.contains("redirect") && error.contains("/followed"),
        "{error}"
    );
    let paths: Vec<String> = receiver
        .requests()
        .await
        .into_iter()
        .map(|(path, ..)| path)
        .collect();
    assert_eq!(
        paths,
        ["/redirect"],
        "the redirect's target was never asked"
    );
}

#[tokio::test]
async fn an_app_that_does_not_answer_in_time_gives_a_timeout() {
    let (_app, owner, connection) = owner_with_connection(&ALLOW_PRIVATE).await;
    let receiver = Receiver::start().await;
    saved(
        &owner,
        &connection,
        [&format!("{}/slow", receiver.base), "none", "", "", "1"],
    )
    .await;
    rotate(&owner, &connection).await;
    let started = std::time::Instant::now();
    let outcome = test_delivery(&owner, &connection).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(outcome["status"], Value::Null);
    assert!(
        outcome["error"].as_str().unwrap().starts_with("Timed out"),
        "{outcome}"
    );
    assert!(outcome["duration_ms"].as_u64().unwrap() >= 1_000);
}

#[tokio::test]
async fn nothing_answers_on_a_closed_port_and_the_outcome_says_so() {
    let (_app, owner, connection) = owner_with_connection(&ALLOW_PRIVATE).await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    saved(
        &owner,
        &connection,
        [&format!("http://{closed}/in"), "none", "", "", "5"],
    )
    .await;
    rotate(&owner, &connection).await;
    let outcome = test_delivery(&owner, &connection).await;
    assert_eq!(outcome["status"], Value::Null);
    assert!(
        outcome["error"]
            .as_str()
            .unwrap()
            .starts_with("Connection refused"),
        "{outcome}"
    );
}

/// The count of saved outgoing settings.
async fn saved_settings(app: &common::TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM app_outbound")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn private_and_malformed_base_urls_are_refused_next_to_the_field_and_nothing_is_saved() {
    let (app, owner, connection) = owner_with_connection(&[]).await;
    for (url, private) in [
        ("http://127.0.0.1:9/", true),
        ("http://10.0.0.1/", true),
        ("http://169.254.169.254/latest", true),
        ("http://[::1]/", true),
        ("http://[::ffff:192.168.0.1]/", true),
        ("http://100.64.0.1/", true),
        ("http://localhost/", true),
        ("ftp://example.com", false),
        ("http://user:pw@example.com", false),
        ("https://example.com/#part", false),
    ] {
        let response = save(&owner, &connection, [url, "none", "", "", "10"]).await;
        assert_eq!(response.status().as_u16(), 400, "{url}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["Invalid"]["field"], "base_url", "{url}: {problem}");
        let message = problem["Invalid"]["message"].as_str().unwrap();
        assert_eq!(
            message.contains("only sends to public addresses unless started with SWITCHBOARD_OUTBOUND_ALLOW_PRIVATE=true"),
            private,
            "{url}: {message}"
        );
    }
    assert_eq!(saved_settings(&app).await, 0, "nothing was saved");
}

#[tokio::test]
async fn each_field_problem_names_its_field() {
    let (app, owner, connection) = owner_with_connection(&ALLOW_PRIVATE).await;
    let url = "http://127.0.0.1:9/";
    for (fields, field) in [
        ([url, "header", "", "k", "10"], "auth_header"),
        ([url, "header", "Content-Type", "k", "10"], "auth_header"),
        ([url, "bearer", "", "", "10"], "auth_value"),
        ([url, "basic", "", "no-colon", "10"], "auth_value"),
        ([url, "none", "", "", "0"], "timeout_secs"),
        ([url, "none", "", "", "61"], "timeout_secs"),
    ] {
        let response = save(&owner, &connection, fields).await;
        assert_eq!(response.status().as_u16(), 400, "{fields:?}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["Invalid"]["field"], field, "{fields:?}: {problem}");
    }
    assert_eq!(saved_settings(&app).await, 0);
}

#[tokio::test]
async fn addresses_are_checked_again_when_sending() {
    let (app, owner, connection) = owner_with_connection(&[]).await;
    let receiver = Receiver::start().await;
    let port = receiver.base.rsplit(':').next().unwrap().to_owned();
    // As if saved while the name was public, or by a server that allowed it.
    for base_url in [
        format!("http://localhost:{port}/in"),
        format!("{}/in", receiver.base),
    ] {
        let change = Change {
            base_url: BaseUrl::parse(&base_url).unwrap(),
            auth_mode: AuthMode::None,
            auth_header: String::new(),
            auth_value: None,
            timeout_secs: 5,
        };
        settings::save(&app.db, &app.vault, &connection, &change)
            .await
            .unwrap();
        settings::rotate_signing_secret(&app.db, &app.vault, &connection)
            .await
            .unwrap()
            .unwrap();
        let outcome = test_delivery(&owner, &connection).await;
        let error = outcome["error"].as_str().unwrap();
        assert!(
            error.contains("loopback") && error.contains("SWITCHBOARD_OUTBOUND_ALLOW_PRIVATE=true"),
            "{base_url}: {error}"
        );
        assert_eq!(outcome["status"], Value::Null);
    }
    assert!(
        receiver.requests().await.is_empty(),
        "nothing reached the receiver"
    );
}

#[tokio::test]
async fn secrets_are_sealed_and_never_answered() {
    let (app, owner, connection) = owner_with_connection(&ALLOW_PRIVATE).await;
    let receiver = Receiver::start().await;
    let url = format!("{}/in", receiver.base);
    let token = "tok-Sup3r-s3cret-value";
    let save_answer = save(&owner, &connection, [&url, "bearer", "", token, "10"]).await;
    assert!(save_answer.status().is_success());
    let mut answers = save_answer.text().await.unwrap();
    let signing_secret = rotate(&owner, &connection).await;
    assert!(signing_secret.len() >= 40, "a long random secret");

    let (status, view) = call_for(&owner, "apps/outbound/settings", &connection).await;
    assert_eq!(status, StatusCode::OK);
    let parsed: Value = serde_json::from_str(&view).unwrap();
    assert_eq!(parsed["base_url"], url);
    assert_eq!(parsed["auth_mode"], "bearer");
    assert_eq!(parsed["has_auth_secret"], true);
    assert_eq!(parsed["signing_secret_set"], true);
    assert_eq!(parsed["timeout_secs"], 10);
    answers += &view;

    // An empty value keeps the stored token.
    saved(&owner, &connection, [&url, "bearer", "", "", "7"]).await;
    answers += &call_for(&owner, "apps/outbound/test", &connection).await.1;
    let (_, headers, _) = receiver.requests().await.pop().unwrap();
    assert_eq!(header(&headers, "authorization"), format!("Bearer {token}"));
    // Another mode needs its own secret.
    let problem: Value = save(&owner, &connection, [&url, "basic", "", "", "7"])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(problem["Invalid"]["field"], "auth_value");
    answers += &call_for(&owner, "apps/outbound/settings", &connection)
        .await
        .1;

    for secret in [token, signing_secret.as_str()] {
        assert!(
            !answers.contains(secret),
            "an answer carried a secret: {answers}"
        );
    }
    let (auth_sealed, signing_sealed): (String, String) = sqlx::query_as(
        "SELECT auth_sealed, signing_secret_sealed FROM app_outbound WHERE connection_id = $1",
    )
    .bind(connection.id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let row = format!("{auth_sealed} {signing_sealed}");
    assert!(auth_sealed.starts_with("v1:") && signing_sealed.starts_with("v1:"));
    assert!(!row.contains(token) && !row.contains(&signing_secret));

    // Without sign-in the sealed token goes.
    saved(&owner, &connection, [&url, "none", "", "", "7"]).await;
    let auth_sealed: Option<String> =
        sqlx::query_scalar("SELECT auth_sealed FROM app_outbound WHERE connection_id = $1")
            .bind(connection.id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(auth_sealed, None);
}

#[tokio::test]
async fn only_the_teams_owners_and_admins_change_or_send() {
    let (app, owner, connection) = owner_with_connection(&ALLOW_PRIVATE).await;
    let locations = demo_locations(&app.base).await;
    let (location_id, users) = &locations[0];
    let viewer = Browser::new(&app.base);
    let consent = viewer.start_sign_in(false).await;
    viewer.consent(&consent, location_id, &users[1]).await;
    sqlx::query("UPDATE memberships SET role = 'viewer' WHERE user_id = (SELECT id FROM users WHERE highlevel_user_id = $1)")
        .bind(&users[1])
        .execute(&app.db)
        .await
        .unwrap();
    let (other_location, other_users) = &locations[1];
    let stranger = Browser::new(&app.base);
    let consent = stranger.start_sign_in(false).await;
    stranger
        .consent(&consent, other_location, &other_users[0])
        .await;

    let receiver = Receiver::start().await;
    let url = format!("{}/in", receiver.base);
    saved(&owner, &connection, [&url, "none", "", "", "10"]).await;
    rotate(&owner, &connection).await;

    let (status, _) = call_for(&viewer, "apps/outbound/settings", &connection).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "anyone of the team reads the settings"
    );
    for endpoint in ["apps/outbound/rotate-signing-secret", "apps/outbound/test"] {
        assert_eq!(
            call_for(&viewer, endpoint, &connection).await.0,
            StatusCode::FORBIDDEN,
            "{endpoint}"
        );
    }
    assert_eq!(
        save(
            &viewer,
            &connection,
            ["http://127.0.0.2/", "none", "", "", "10"]
        )
        .await
        .status()
        .as_u16(),
        403
    );
    for endpoint in [
        "apps/outbound/settings",
        "apps/outbound/rotate-signing-secret",
        "apps/outbound/test",
    ] {
        assert_eq!(
            call_for(&stranger, endpoint, &connection).await.0,
            StatusCode::NOT_FOUND,
            "another team's {endpoint}"
        );
    }
    assert!(receiver.requests().await.is_empty());
    let base_url: String = sqlx::query_scalar("SELECT base_url FROM app_outbound")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(base_url, url);
}
