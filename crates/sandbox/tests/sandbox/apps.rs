//! The simulated apps: every event type with its type where the app puts it,
//! signatures a receiver can check byte for byte, the inbox with its
//! signature check and its chosen answer, and 400s for bad input.

use crate::support as sandbox_support;

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::Method;
use ring::hmac;
use serde_json::{json, Value};

use sandbox_support::*;

fn hmac_sha256(secret: &str, body: &[u8]) -> Vec<u8> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    hmac::sign(&key, body).as_ref().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

type Check = Arc<dyn Fn(&HeaderMap, &[u8]) -> bool + Send + Sync>;

/// A receiver that answers 204 to requests `check` accepts and 401 to
/// others, keeping every body it got.
struct Checking {
    url: String,
    bodies: Arc<Mutex<Vec<Bytes>>>,
}

impl Checking {
    async fn start(check: Check) -> Self {
        let bodies: Arc<Mutex<Vec<Bytes>>> = Arc::default();
        let app = Router::new()
            .route("/hook", post(judge))
            .with_state((check, bodies.clone()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            url: format!("http://{addr}/hook"),
            bodies,
        }
    }
}

async fn judge(
    State((check, bodies)): State<(Check, Arc<Mutex<Vec<Bytes>>>)>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let accepted = check(&headers, &body);
    bodies.lock().unwrap().push(body);
    if accepted {
        (StatusCode::NO_CONTENT, "")
    } else {
        (StatusCode::UNAUTHORIZED, "bad signature")
    }
}

/// A check that `header` is `prefix` + HMAC-SHA256 of the raw body.
fn hmac_check(
    header: &'static str,
    secret: &'static str,
    prefix: &'static str,
    base64: bool,
) -> Check {
    Arc::new(move |headers, body| {
        let tag = hmac_sha256(secret, body);
        let encoded = if base64 {
            STANDARD.encode(&tag)
        } else {
            hex(&tag)
        };
        headers.get(header).and_then(|value| value.to_str().ok())
            == Some(format!("{prefix}{encoded}").as_str())
    })
}

async fn send(api: &Api, app: &str, request: Value) -> (StatusCode, Value) {
    api.control(
        Method::POST,
        &format!("/_sandbox/apps/{app}/send"),
        Some(request),
    )
    .await
}

fn statuses(answer: &Value) -> Vec<Value> {
    answer["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|delivery| delivery["status"].clone())
        .collect()
}

#[tokio::test]
async fn every_event_type_of_every_app_carries_its_type_where_the_app_puts_it() {
    let api = start().await;
    let (_, apps) = api.control(Method::GET, "/_sandbox/apps", None).await;
    let apps = apps.as_array().unwrap();
    assert_eq!(apps.len(), 6);
    for app in apps {
        let key = app["key"].as_str().unwrap();
        for event in app["eventTypes"].as_array().unwrap() {
            let receiver = Receiver::start(Vec::new()).await;
            let (status, answer) = send(
                &api,
                key,
                json!({"url": receiver.url, "eventType": event, "count": 2}),
            )
            .await;
            assert_eq!(status, 200, "{key} {event}: {answer}");
            assert_eq!(answer["eventType"], *event);
            assert_eq!(statuses(&answer), [json!(200), json!(200)]);
            let received = receiver.received();
            assert_eq!(received.len(), 2, "{key} {event}");
            for (got, reported) in received
                .iter()
                .zip(answer["deliveries"].as_array().unwrap())
            {
                assert_eq!(got.body, reported["sentBody"].as_str().unwrap().as_bytes());
                let body = got.json();
                assert!(body.is_object(), "{key} {event}");
                assert_eq!(got.headers["content-type"], "application/json");
                if let Some(field) = app["eventTypeIn"]["bodyField"].as_str() {
                    assert_eq!(body[field], *event, "{key} {event}");
                } else {
                    let header = app["eventTypeIn"]["header"].as_str().unwrap();
                    assert_eq!(
                        got.headers[header],
                        event.as_str().unwrap(),
                        "{key} {event}"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn without_an_event_type_the_first_is_sent() {
    let api = start().await;
    let receiver = Receiver::start(Vec::new()).await;
    let (_, answer) = send(&api, "gymflow", json!({"url": receiver.url})).await;
    assert_eq!(answer["eventType"], "contact.created");
    assert_eq!(receiver.received()[0].json()["type"], "contact.created");
}

#[tokio::test]
async fn hmac_signatures_are_exact_in_hex_and_base64_with_and_without_a_prefix() {
    let api = start().await;
    let cases = [
        (
            "clubworx",
            json!({"mode": "hmac_sha256", "secret": "cw-secret"}),
            hmac_check("x-clubworx-signature", "cw-secret", "", false),
        ),
        (
            "gymflow",
            json!({"mode": "hmac_sha256", "secret": "gf-secret"}),
            hmac_check("x-gymflow-signature", "gf-secret", "sha256=", false),
        ),
        (
            "convertcalculator",
            json!({"mode": "hmac_sha256", "secret": "cc-secret"}),
            hmac_check("x-cc-signature", "cc-secret", "", true),
        ),
        (
            "generic",
            json!({"mode": "hmac_sha256", "secret": "g-secret"}),
            hmac_check("x-signature", "g-secret", "sha256=", false),
        ),
        (
            "generic",
            json!({"mode": "hmac_sha256", "secret": "g-secret", "header": "X-Hub-Signature", "encoding": "base64", "prefix": "v1="}),
            hmac_check("x-hub-signature", "g-secret", "v1=", true),
        ),
        (
            "club_os",
            json!({"mode": "hmac_sha256", "secret": "os-secret", "header": "X-ClubOS-Signature"}),
            hmac_check("x-clubos-signature", "os-secret", "", false),
        ),
    ];
    for (app, signing, check) in cases {
        let receiver = Checking::start(check).await;
        let (status, answer) = send(
            &api,
            app,
            json!({"url": receiver.url, "count": 3, "signing": signing}),
        )
        .await;
        assert_eq!(status, 200, "{app}: {answer}");
        assert_eq!(
            statuses(&answer),
            [json!(204), json!(204), json!(204)],
            "{app} {signing}"
        );
        assert_eq!(receiver.bodies.lock().unwrap().len(), 3);
    }
}

#[tokio::test]
async fn a_receiver_with_another_secret_refuses_and_the_answer_says_so() {
    let api = start().await;
    let receiver = Checking::start(hmac_check("x-clubworx-signature", "other", "", false)).await;
    let (_, answer) = send(
        &api,
        "clubworx",
        json!({"url": receiver.url, "signing": {"mode": "hmac_sha256", "secret": "cw-secret"}}),
    )
    .await;
    assert_eq!(answer["deliveries"][0]["status"], 401);
    assert_eq!(answer["deliveries"][0]["responseBody"], "bad signature");
}

#[tokio::test]
async fn the_secret_header_carries_the_secret_as_is_and_none_signs_nothing() {
    let api = start().await;
    for (app, header) in [
        ("club_os", "x-clubos-secret"),
        ("workiom", "x-workiom-token"),
    ] {
        let check: Check = Arc::new(move |headers, _| {
            headers.get(header).and_then(|value| value.to_str().ok()) == Some("tok-123")
        });
        let receiver = Checking::start(check).await;
        let (_, answer) = send(
            &api,
            app,
            json!({"url": receiver.url, "signing": {"mode": "secret_header", "secret": "tok-123"}}),
        )
        .await;
        assert_eq!(statuses(&answer), [json!(204)], "{app}");
    }
    let receiver = Receiver::start(Vec::new()).await;
    send(
        &api,
        "clubworx",
        json!({"url": receiver.url, "signing": {"mode": "none"}}),
    )
    .await;
    send(&api, "clubworx", json!({"url": receiver.url})).await;
    for got in receiver.received() {
        assert!(got.headers.get("x-clubworx-signature").is_none());
    }
}

#[tokio::test]
async fn redirects_are_reported_not_followed() {
    let api = start().await;
    let receiver = Receiver::start(vec![307]).await;
    let (_, answer) = send(&api, "generic", json!({"url": receiver.url})).await;
    assert_eq!(statuses(&answer), [json!(307)]);
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn an_unreachable_url_is_an_error_in_the_answer() {
    let api = start().await;
    // Nothing listens on port 1 of a test machine: the connection is refused.
    let url = "http://127.0.0.1:1/hook";
    let (status, answer) = send(&api, "generic", json!({"url": url})).await;
    assert_eq!(status, 200);
    assert_eq!(answer["deliveries"][0]["status"], Value::Null);
    assert!(answer["deliveries"][0]["error"].is_string());
    assert!(answer["deliveries"][0]["sentBody"].is_string());
}

async fn deliver(
    api: &Api,
    path: &str,
    body: &str,
    signature: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = api
        .client
        .post(api.url(path))
        .header("content-type", "application/json")
        .header("x-switchboard-event", "contact.created")
        .body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header("x-switchboard-signature", signature);
    }
    sandbox_support::send(request).await
}

async fn inbox(api: &Api, app: &str) -> Vec<Value> {
    let (_, answer) = api
        .control(Method::GET, &format!("/_sandbox/apps/{app}/inbox"), None)
        .await;
    answer["deliveries"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_inbox_keeps_deliveries_and_checks_their_signature() {
    let api = start().await;
    let body = r#"{"contact":{"email":"ava@example.com"}}"#;
    deliver(&api, "/_sandbox/apps/workiom/inbox", body, None).await;
    let (status, answer) = api
        .control(
            Method::PUT,
            "/_sandbox/apps/workiom/inbox-secret",
            Some(json!({"secret": "out-secret"})),
        )
        .await;
    assert_eq!((status.as_u16(), answer), (200, json!({"checking": true})));
    let good = format!(
        "sha256={}",
        hex(&hmac_sha256("out-secret", body.as_bytes()))
    );
    let bad = format!("sha256={}", hex(&hmac_sha256("wrong", body.as_bytes())));
    let (status, answer) = deliver(
        &api,
        "/_sandbox/apps/workiom/inbox/records/new?list=Contacts",
        body,
        Some(&good),
    )
    .await;
    assert_eq!((status.as_u16(), answer), (200, json!({"received": true})));
    deliver(&api, "/_sandbox/apps/workiom/inbox", body, Some(&bad)).await;
    deliver(&api, "/_sandbox/apps/workiom/inbox", body, None).await;

    let kept = inbox(&api, "workiom").await;
    let verdicts: Vec<&Value> = kept.iter().map(|d| &d["signatureValid"]).collect();
    assert_eq!(
        verdicts,
        [&Value::Null, &json!(true), &json!(false), &json!(false)]
    );
    assert_eq!(
        kept[1]["path"],
        "/_sandbox/apps/workiom/inbox/records/new?list=Contacts"
    );
    assert_eq!(kept[1]["body"], body);
    assert_eq!(kept[1]["headers"]["x-switchboard-event"], "contact.created");
    assert_eq!(kept[1]["answered"], 200);
    assert!(kept[1]["time"].is_string());
    assert!(
        inbox(&api, "clubworx").await.is_empty(),
        "each app has its own inbox"
    );

    let (status, _) = api
        .control(Method::DELETE, "/_sandbox/apps/workiom/inbox", None)
        .await;
    assert_eq!(status, 204);
    assert!(inbox(&api, "workiom").await.is_empty());
}

#[tokio::test]
async fn the_inbox_answers_the_status_it_is_told() {
    let api = start().await;
    let (status, _) = api
        .control(
            Method::PUT,
            "/_sandbox/apps/gymflow/inbox-answer",
            Some(json!({"status": 503})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, answer) = deliver(&api, "/_sandbox/apps/gymflow/inbox", "{}", None).await;
    assert_eq!((status.as_u16(), answer), (503, json!({"received": false})));
    assert_eq!(inbox(&api, "gymflow").await[0]["answered"], 503);
    api.control(
        Method::PUT,
        "/_sandbox/apps/gymflow/inbox-answer",
        Some(json!({"status": 200})),
    )
    .await;
    assert_eq!(
        deliver(&api, "/_sandbox/apps/gymflow/inbox", "{}", None)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn the_page_shows_deliveries_escaped() {
    let api = start().await;
    deliver(
        &api,
        "/_sandbox/apps/clubworx/inbox",
        "<script>alert(1)</script>",
        None,
    )
    .await;
    let response = api
        .client
        .get(api.url("/_sandbox/apps/clubworx"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("Clubworx"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.contains("<script>"));
}

#[tokio::test]
async fn bad_input_is_a_400_that_says_what_is_wrong() {
    let api = start().await;
    let url = "http://127.0.0.1:9/hook";
    let cases = [
        ("hubspot", json!({"url": url}), "Unknown app"),
        (
            "clubworx",
            json!({"url": url, "eventType": "member.deleted"}),
            "member.created",
        ),
        ("clubworx", json!({"url": url, "count": 0}), "count"),
        ("clubworx", json!({"url": url, "count": 101}), "count"),
        ("clubworx", json!({"url": "ftp://example.com/x"}), "url"),
        ("clubworx", json!({"url": "not a url"}), "url"),
        ("clubworx", json!({"eventType": "member.created"}), "url"),
        ("clubworx", json!({"url": url, "colour": "red"}), "colour"),
        (
            "clubworx",
            json!({"url": url, "signing": {"mode": "hmac_sha256"}}),
            "secret",
        ),
        (
            "clubworx",
            json!({"url": url, "signing": {"mode": "rsa", "secret": "x"}}),
            "rsa",
        ),
        (
            "clubworx",
            json!({"url": url, "signing": {"mode": "secret_header", "secret": "x"}}),
            "header",
        ),
        (
            "clubworx",
            json!({"url": url, "signing": {"mode": "hmac_sha256", "secret": "x", "header": "bad header"}}),
            "header",
        ),
        (
            "clubworx",
            json!({"url": url, "signing": {"mode": "hmac_sha256", "secret": "x", "encoding": "hex2"}}),
            "hex2",
        ),
    ];
    for (app, request, mentioned) in cases {
        let (status, answer) = send(&api, app, request.clone()).await;
        assert_eq!(status, 400, "{app} {request}: {answer}");
        let message = answer["message"].as_str().unwrap_or_default();
        assert!(message.contains(mentioned), "{request}: {message}");
    }
    let (status, _) = api
        .control(Method::GET, "/_sandbox/apps/hubspot/inbox", None)
        .await;
    assert_eq!(status, 400);
    let (status, _) = api
        .control(
            Method::PUT,
            "/_sandbox/apps/clubworx/inbox-answer",
            Some(json!({"status": 700})),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = api
        .control(
            Method::PUT,
            "/_sandbox/apps/clubworx/inbox-secret",
            Some(json!({"key": "x"})),
        )
        .await;
    assert_eq!(status, 400);
    let response = api
        .client
        .post(api.url("/_sandbox/apps/clubworx/send"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}
