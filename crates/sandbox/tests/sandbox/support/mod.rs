//! Shared by the sandbox tests: a running sandbox with tokens at hand, request
//! helpers that send the right `Version`, a webhook receiver, and polling
//! with a deadline instead of sleeps.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use chrono::TimeZone;
use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};
use switchboard_sandbox::{spawn, RunningSandbox, SandboxConfig};

pub const V_CONTACTS: &str = "2021-07-28";
pub const V_CALENDARS: &str = "2021-04-15";

/// The OAuth callback the tests' app uses.
pub const CALLBACK: &str = "https://app.example.com/oauth/callback";

/// Every scope the sandbox's endpoints check.
pub const ALL_SCOPES: [&str; 10] = [
    "contacts.readonly",
    "locations.readonly",
    "contacts.write",
    "locations/tasks.readonly",
    "locations/customFields.readonly",
    "locations/tags.readonly",
    "calendars.readonly",
    "calendars/events.readonly",
    "users.readonly",
    "businesses.readonly",
];

/// A small, fully deterministic configuration.
pub fn test_config() -> SandboxConfig {
    SandboxConfig {
        contacts: 60,
        seed: 7,
        anchor: chrono::Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).single(),
        webhook_retry_delay: Duration::from_millis(50),
        redirect_uris: vec![CALLBACK.to_owned()],
        ..SandboxConfig::default()
    }
}

pub struct Api {
    pub running: RunningSandbox,
    pub base: String,
    pub client: reqwest::Client,
    /// The first demo location, which holds `contacts` contacts.
    pub location_id: String,
    /// Another demo location, for cross-location checks.
    pub other_location_id: String,
    pub company_id: String,
}

pub async fn start() -> Api {
    start_with(test_config()).await
}

pub async fn start_with(config: SandboxConfig) -> Api {
    switchboard_sandbox::install_crypto_provider();
    let running = spawn(config).await.expect("the sandbox starts");
    let base = running.base_url();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client");
    let locations: Value = client
        .get(format!("{base}/_sandbox/locations"))
        .send()
        .await
        .expect("locations")
        .json()
        .await
        .expect("locations json");
    let id = |index: usize| {
        locations[index]["id"]
            .as_str()
            .expect("location id")
            .to_owned()
    };
    let company_id = locations[0]["companyId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    Api {
        location_id: id(0),
        other_location_id: id(1),
        running,
        base,
        client,
        company_id,
    }
}

impl Api {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn token_for(&self, location_id: &str, scopes: &[&str]) -> String {
        let answer: Value = self
            .client
            .post(self.url("/_sandbox/tokens"))
            .json(&json!({"locationId": location_id, "scopes": scopes}))
            .send()
            .await
            .expect("mint a token")
            .json()
            .await
            .expect("token json");
        answer["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    pub async fn token(&self, scopes: &[&str]) -> String {
        self.token_for(&self.location_id, scopes).await
    }

    pub async fn full_token(&self) -> String {
        self.token(&ALL_SCOPES).await
    }

    /// A request with a bearer token and the contacts `Version`.
    pub fn request(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.versioned(method, path, token, V_CONTACTS)
    }

    /// A request with a bearer token and the given `Version`.
    pub fn versioned(
        &self,
        method: Method,
        path: &str,
        token: &str,
        version: &str,
    ) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
            .header("Version", version)
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.request(method, path, token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        send(request).await
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, token, Some(body)).await
    }

    pub async fn delete(
        &self,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, token, body).await
    }

    pub async fn control(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.client.request(method, self.url(path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        send(request).await
    }

    /// Some contact ids of the first location, newest first.
    pub async fn contact_ids(&self, token: &str, count: usize) -> Vec<String> {
        let (_, found) = self
            .post(
                "/contacts/search",
                token,
                json!({"locationId": self.location_id, "pageLimit": count}),
            )
            .await;
        found["contacts"]
            .as_array()
            .expect("contacts")
            .iter()
            .map(|c| c["id"].as_str().expect("id").to_owned())
            .collect()
    }

    pub async fn ledger(&self) -> Vec<Value> {
        let (_, ledger) = self.control(Method::GET, "/_sandbox/ledger", None).await;
        ledger["entries"].as_array().cloned().unwrap_or_default()
    }

    pub async fn deliveries(&self) -> Vec<Value> {
        let (_, log) = self.control(Method::GET, "/_sandbox/webhooks", None).await;
        log["deliveries"].as_array().cloned().unwrap_or_default()
    }
}

pub async fn send(request: RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("request sent");
    let status = response.status();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

/// Polls `check` until it holds, failing after ten seconds.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting until {what}");
}

/// One webhook request as the receiver got it.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("webhook body is JSON")
    }
}

#[derive(Clone, Default)]
struct ReceiverState {
    received: Arc<Mutex<Vec<Received>>>,
    /// Statuses to answer with, in order; 200 once they run out.
    script: Arc<Mutex<VecDeque<u16>>>,
}

/// A local HTTP server that records webhook deliveries.
pub struct Receiver {
    pub url: String,
    state: ReceiverState,
}

impl Receiver {
    pub async fn start(script: Vec<u16>) -> Self {
        let state = ReceiverState {
            received: Arc::default(),
            script: Arc::new(Mutex::new(script.into())),
        };
        let app = Router::new()
            .route("/hook", post(record))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("receiver binds");
        let addr = listener.local_addr().expect("receiver address");
        tokio::spawn(async move { axum::serve(listener, app).await.expect("receiver serves") });
        Self {
            url: format!("http://{addr}/hook"),
            state,
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().expect("receiver lock").clone()
    }

    /// Bodies of the received events of one type.
    pub fn of_type(&self, kind: &str) -> Vec<Value> {
        self.received()
            .iter()
            .map(Received::json)
            .filter(|event| event["type"] == kind)
            .collect()
    }
}

async fn record(State(state): State<ReceiverState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    state
        .received
        .lock()
        .expect("receiver lock")
        .push(Received { headers, body });
    let next = state.script.lock().expect("script lock").pop_front();
    StatusCode::from_u16(next.unwrap_or(200)).unwrap_or(StatusCode::OK)
}
