//! OAuth of the sandbox over HTTP: the consent page, the authorization-code
//! and refresh-token grants, rotation, expiry and the errors a client meets.

use crate::support as sandbox_support;

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;
use switchboard_sandbox::{Sandbox, SandboxConfig};

use sandbox_support::*;

const CLIENT_ID: &str = "sandbox-client-id";
const CLIENT_SECRET: &str = "sandbox-client-secret";

/// Follows the consent page like a browser: picks the first location's form
/// and returns the redirect it answers with.
async fn consent(api: &Api, path: &str, scopes: &str) -> reqwest::Url {
    let query = [
        ("response_type", "code"),
        ("client_id", CLIENT_ID),
        ("redirect_uri", CALLBACK),
        ("scope", scopes),
        ("state", "xyz-123"),
    ];
    let page = api
        .client
        .get(api.url(path))
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Riverside Fitness Club"));
    for scope in scopes.split(' ') {
        assert!(html.contains(scope), "the page lists {scope}");
    }
    assert!(
        html.contains("action=\"chooselocation\""),
        "relative form action"
    );
    let answer = api
        .client
        .post(api.url(path))
        .form(&[
            ("client_id", CLIENT_ID),
            ("redirect_uri", CALLBACK),
            ("scope", scopes),
            ("state", "xyz-123"),
            ("location_id", api.location_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_redirection());
    let location = answer.headers()["location"].to_str().unwrap();
    reqwest::Url::parse(location).unwrap()
}

fn query_value(url: &reqwest::Url, key: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

async fn token_request(api: &Api, form: &[(&str, &str)]) -> (reqwest::StatusCode, Value) {
    send(api.client.post(api.url("/oauth/token")).form(form)).await
}

async fn exchange(api: &Api, code: &str) -> (reqwest::StatusCode, Value) {
    token_request(
        api,
        &[
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("grant_type", "authorization_code"),
            ("code", code),
            ("user_type", "Location"),
            ("redirect_uri", CALLBACK),
        ],
    )
    .await
}

async fn refresh(api: &Api, token: &str) -> (reqwest::StatusCode, Value) {
    token_request(
        api,
        &[
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("grant_type", "refresh_token"),
            ("refresh_token", token),
        ],
    )
    .await
}

#[tokio::test]
async fn the_consent_page_redirects_with_a_code_that_buys_tokens_once() {
    let api = start().await;
    for path in ["/oauth/chooselocation", "/v2/oauth/chooselocation"] {
        let redirect = consent(&api, path, "contacts.readonly contacts.write").await;
        assert!(redirect.as_str().starts_with(CALLBACK));
        assert_eq!(query_value(&redirect, "state").as_deref(), Some("xyz-123"));
        let code = query_value(&redirect, "code").unwrap();
        let (status, tokens) = exchange(&api, &code).await;
        assert_eq!(status, 200, "{tokens}");
        assert_eq!(tokens["token_type"], "Bearer");
        assert_eq!(tokens["expires_in"], 86_399);
        assert_eq!(tokens["userType"], "Location");
        assert_eq!(tokens["locationId"], api.location_id.as_str());
        assert_eq!(tokens["scope"], "contacts.readonly contacts.write");
        assert!(tokens["userId"].as_str().is_some_and(|u| !u.is_empty()));
        assert!(tokens["refresh_token"].is_string());
        let access = tokens["access_token"].as_str().unwrap();
        let (status, _) = api
            .get(
                &format!("/contacts/?locationId={}", api.location_id),
                access,
            )
            .await;
        assert_eq!(status, 200);

        let (status, error) = exchange(&api, &code).await;
        assert_eq!(status, 400, "a code works once");
        assert_eq!(error["error"], "invalid_grant");
    }
}

#[tokio::test]
async fn a_refresh_token_rotates_and_works_once() {
    let api = start().await;
    let code = query_value(
        &consent(&api, "/oauth/chooselocation", "contacts.readonly").await,
        "code",
    )
    .unwrap();
    let (_, first) = exchange(&api, &code).await;
    let first_refresh = first["refresh_token"].as_str().unwrap();
    let (status, second) = refresh(&api, first_refresh).await;
    assert_eq!(status, 200);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_ne!(second["access_token"], first["access_token"]);
    assert_eq!(second["scope"], "contacts.readonly");
    let (status, error) = refresh(&api, first_refresh).await;
    assert_eq!(status, 400);
    assert_eq!(error["error"], "invalid_grant");
    assert_eq!(error["statusCode"], 400);
    let (status, _) = refresh(&api, second["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn bad_codes_clients_and_forms_get_the_documented_errors() {
    let api = start().await;
    let (status, error) = exchange(&api, "no-such-code").await;
    assert_eq!(
        (status.as_u16(), error["error"].clone()),
        (400, "invalid_grant".into())
    );

    let (status, error) = token_request(
        &api,
        &[
            ("client_id", CLIENT_ID),
            ("client_secret", "wrong"),
            ("grant_type", "refresh_token"),
            ("refresh_token", "x"),
        ],
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(error["error"], "invalid_client");

    let (status, error) = token_request(&api, &[("client_id", CLIENT_ID)]).await;
    assert_eq!(status, 422);
    assert_eq!(error["message"].as_array().unwrap().len(), 2);

    let json_body = api
        .client
        .post(api.url("/oauth/token"))
        .json(&serde_json::json!({"client_id": CLIENT_ID}));
    assert_eq!(send(json_body).await.0, 422, "the endpoint is form-encoded");

    let unknown_client = api
        .client
        .get(api.url("/oauth/chooselocation"))
        .query(&[("client_id", "stranger"), ("redirect_uri", CALLBACK)]);
    assert_eq!(send(unknown_client).await.0, 400);
    let bad_redirect = api.client.post(api.url("/oauth/chooselocation")).form(&[
        ("client_id", CLIENT_ID),
        ("redirect_uri", "https://app.example.com/\r\nSet-Cookie: x"),
        ("location_id", api.location_id.as_str()),
    ]);
    assert_eq!(send(bad_redirect).await.0, 400);
}

/// Asks the consent page, both its GET and its form POST, to send a code to
/// `redirect_uri`: the statuses, and the page that refused if it did.
async fn ask_for_a_code(api: &Api, path: &str, redirect_uri: &str) -> Vec<(u16, String)> {
    let fields = [
        ("client_id", CLIENT_ID),
        ("redirect_uri", redirect_uri),
        ("scope", "contacts.readonly"),
        ("state", "xyz-123"),
        ("location_id", api.location_id.as_str()),
    ];
    let page = api.client.get(api.url(path)).query(&fields[..4]);
    let form = api.client.post(api.url(path)).form(&fields);
    let mut answers = Vec::new();
    for request in [page, form] {
        let answer = request.send().await.unwrap();
        assert!(
            answer.headers().get("location").is_none(),
            "no redirect to {redirect_uri}"
        );
        answers.push((answer.status().as_u16(), answer.text().await.unwrap()));
    }
    answers
}

#[tokio::test]
async fn the_consent_page_sends_codes_only_to_a_registered_callback() {
    let local_callback = "http://127.0.0.1:3000/auth/callback";
    let api = start_with(SandboxConfig {
        redirect_uris: vec![CALLBACK.to_owned(), local_callback.to_owned()],
        ..test_config()
    })
    .await;
    let strangers = [
        "https://attacker.example/oauth/callback",
        "https://app.example.com/oauth/callbacks",
        "https://app.example.com/oauth/callback/../../attacker",
        "https://app.example.com/oauth/callback?next=https://attacker.example",
        "http://app.example.com/oauth/callback",
        "https://app.example.com.attacker.example/oauth/callback",
    ];
    for path in ["/oauth/chooselocation", "/v2/oauth/chooselocation"] {
        for stranger in strangers {
            for (status, page) in ask_for_a_code(&api, path, stranger).await {
                assert_eq!(status, 400, "{path} with {stranger}");
                assert!(page.contains("not registered"), "{page}");
            }
        }
    }
    let answer = api
        .client
        .post(api.url("/oauth/chooselocation"))
        .form(&[
            ("client_id", CLIENT_ID),
            ("redirect_uri", local_callback),
            ("location_id", api.location_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_redirection());
    let location = answer.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(&format!("{local_callback}?code=")));
}

#[tokio::test]
async fn without_registered_callbacks_the_consent_page_sends_codes_nowhere() {
    let api = start_with(SandboxConfig {
        redirect_uris: Vec::new(),
        ..test_config()
    })
    .await;
    for (status, page) in ask_for_a_code(&api, "/oauth/chooselocation", CALLBACK).await {
        assert_eq!(status, 400);
        assert!(page.contains("No redirect_uri is registered"), "{page}");
    }
}

#[tokio::test]
async fn access_tokens_expire_after_their_ttl() {
    let api = start_with(SandboxConfig {
        token_ttl: Duration::from_millis(300),
        ..test_config()
    })
    .await;
    let code = query_value(
        &consent(&api, "/oauth/chooselocation", "contacts.readonly").await,
        "code",
    )
    .unwrap();
    let (_, tokens) = exchange(&api, &code).await;
    assert_eq!(tokens["expires_in"], 0);
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let path = format!("/contacts/?locationId={}", api.location_id);
    eventually("the access token expires", || async {
        api.get(&path, &access).await.0 == 401
    })
    .await;
    let (status, renewed) = refresh(&api, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let fresh = renewed["access_token"].as_str().unwrap();
    assert_eq!(api.get(&path, fresh).await.0, 200);
}

#[tokio::test]
async fn the_sandbox_works_nested_under_a_prefix() {
    switchboard_sandbox::install_crypto_provider();
    let sandbox = Sandbox::new(test_config());
    let app = axum::Router::new().nest("/sandbox", sandbox.router());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/sandbox", listener.local_addr().unwrap());
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client
        .get(format!("{base}/oauth/chooselocation"))
        .query(&[
            ("client_id", CLIENT_ID),
            ("redirect_uri", CALLBACK),
            ("scope", "contacts.readonly"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("action=\"chooselocation\""));
    let (location_id, _) = sandbox.locations()[0].clone();
    // A browser resolves the relative action against the page's URL.
    let action = reqwest::Url::parse(&format!("{base}/oauth/chooselocation"))
        .unwrap()
        .join("chooselocation")
        .unwrap();
    assert_eq!(action.path(), "/sandbox/oauth/chooselocation");
    let answer = client
        .post(action)
        .form(&[
            ("client_id", CLIENT_ID),
            ("redirect_uri", CALLBACK),
            ("scope", "contacts.readonly"),
            ("location_id", location_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_redirection());
    let token = sandbox
        .mint_token(&location_id, &["contacts.readonly".to_owned()])
        .unwrap();
    let (status, _) = send(
        client
            .request(
                Method::GET,
                format!("{base}/contacts/?locationId={location_id}"),
            )
            .bearer_auth(token)
            .header("Version", V_CONTACTS),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn control_tokens_are_scoped_like_private_integration_tokens() {
    let api = start().await;
    let (status, minted) = api
        .control(
            Method::POST,
            "/_sandbox/tokens",
            Some(serde_json::json!({"locationId": api.location_id, "scopes": ["contacts.readonly", "users.readonly"]})),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(minted["locationId"], api.location_id.as_str());
    assert_eq!(minted["scope"], "contacts.readonly users.readonly");
    assert!(minted["access_token"].as_str().unwrap().starts_with("pit-"));
    let (status, _) = api
        .control(
            Method::POST,
            "/_sandbox/tokens",
            Some(serde_json::json!({"locationId": "nowhere", "scopes": []})),
        )
        .await;
    assert_eq!(status, 404);
    let (_, locations) = api.control(Method::GET, "/_sandbox/locations", None).await;
    let locations = locations.as_array().unwrap();
    assert_eq!(locations.len(), 3);
    assert!(locations
        .iter()
        .all(|l| l["id"].is_string() && l["name"].is_string()));
}
