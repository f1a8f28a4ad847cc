//! Each simulated app's inbox: what Switchboard delivers to
//! `/_sandbox/apps/{app}/inbox[/…]`, kept in memory with the check of its
//! `X-Switchboard-Signature` against the secret the test or demo set. The
//! status the inbox answers can be changed, to make Switchboard retry. Like
//! an app that honours `Idempotency-Key`, it marks a delivery whose key it
//! already accepted as a repeat, which a demo or a test counts apart.

use std::collections::{BTreeMap, HashMap, VecDeque};

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::signature::verifies;
use super::App;
use crate::errors::{ApiError, ApiResult};
use crate::render::iso;
use crate::Sandbox;

/// Deliveries kept per app; the oldest go first. Room for a load test's
/// thousands, each a few kilobytes.
const CAPACITY: usize = 10_000;

const SIGNATURE_HEADER: &str = "x-switchboard-signature";
const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// One request the inbox got.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub seq: u64,
    pub time: String,
    pub path: String,
    pub headers: BTreeMap<String, String>,
    pub body: String,
    /// Whether the signature verifies; None when no secret is set.
    pub signature_valid: Option<bool>,
    pub answered: u16,
    /// An earlier delivery with the same `Idempotency-Key` was accepted.
    pub repeat: bool,
}

#[derive(Default)]
struct Inbox {
    deliveries: VecDeque<Delivery>,
    next_seq: u64,
    secret: Option<String>,
    answer: Option<StatusCode>,
    /// The idempotency keys of accepted deliveries.
    accepted_keys: std::collections::HashSet<String>,
}

/// The inboxes of all simulated apps.
#[derive(Default)]
pub struct Inboxes {
    by_app: Mutex<HashMap<App, Inbox>>,
}

impl Inboxes {
    /// Keeps a delivery and gives the status to answer it with.
    fn record(&self, app: App, path: String, headers: &HeaderMap, body: &[u8]) -> StatusCode {
        let mut inboxes = self.by_app.lock();
        let inbox = inboxes.entry(app).or_default();
        let answer = inbox.answer.unwrap_or(StatusCode::OK);
        let signature = headers
            .get(SIGNATURE_HEADER)
            .and_then(|value| value.to_str().ok());
        inbox.next_seq += 1;
        let key = headers
            .get(IDEMPOTENCY_HEADER)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let repeat = key
            .as_ref()
            .is_some_and(|key| inbox.accepted_keys.contains(key));
        if let Some(key) = key.filter(|_| answer.is_success()) {
            inbox.accepted_keys.insert(key);
        }
        let delivery = Delivery {
            seq: inbox.next_seq,
            time: iso(&chrono::Utc::now()),
            path,
            headers: header_map(headers),
            body: String::from_utf8_lossy(body).into_owned(),
            signature_valid: inbox
                .secret
                .as_deref()
                .map(|secret| verifies(secret, signature, body)),
            answered: answer.as_u16(),
            repeat,
        };
        if inbox.deliveries.len() >= CAPACITY {
            inbox.deliveries.pop_front();
        }
        inbox.deliveries.push_back(delivery);
        answer
    }

    /// Oldest first.
    pub fn deliveries(&self, app: App) -> Vec<Delivery> {
        self.by_app
            .lock()
            .get(&app)
            .map(|inbox| inbox.deliveries.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn clear(&self, app: App) {
        if let Some(inbox) = self.by_app.lock().get_mut(&app) {
            inbox.deliveries.clear();
            inbox.accepted_keys.clear();
        }
    }

    fn set_secret(&self, app: App, secret: Option<String>) {
        self.by_app.lock().entry(app).or_default().secret = secret;
    }

    fn set_answer(&self, app: App, status: StatusCode) {
        self.by_app.lock().entry(app).or_default().answer = Some(status);
    }

    /// Whether a secret is set, and the status answered.
    pub fn settings(&self, app: App) -> (bool, u16) {
        let inboxes = self.by_app.lock();
        let inbox = inboxes.get(&app);
        (
            inbox.is_some_and(|inbox| inbox.secret.is_some()),
            inbox
                .and_then(|inbox| inbox.answer)
                .unwrap_or(StatusCode::OK)
                .as_u16(),
        )
    }
}

/// Headers as a map; repeated ones joined with ", ".
fn header_map(headers: &HeaderMap) -> BTreeMap<String, String> {
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        map.entry(name.to_string())
            .and_modify(|known| {
                known.push_str(", ");
                known.push_str(&value);
            })
            .or_insert(value);
    }
    map
}

/// The app of a path with `{app}` and maybe `{*rest}`.
fn app_of(params: &HashMap<String, String>) -> ApiResult<App> {
    App::parse(params.get("app").map(String::as_str).unwrap_or_default())
}

pub async fn receive(
    State(sandbox): State<Sandbox>,
    Path(params): Path<HashMap<String, String>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let app = app_of(&params)?;
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |path| path.as_str().to_owned());
    let status = sandbox.shared.apps.record(app, path, &headers, &body);
    Ok((status, Json(json!({ "received": status.is_success() }))))
}

pub async fn list(
    State(sandbox): State<Sandbox>,
    Path(params): Path<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let app = app_of(&params)?;
    Ok(Json(
        json!({ "deliveries": sandbox.shared.apps.deliveries(app) }),
    ))
}

pub async fn clear(
    State(sandbox): State<Sandbox>,
    Path(params): Path<HashMap<String, String>>,
) -> ApiResult<StatusCode> {
    let app = app_of(&params)?;
    sandbox.shared.apps.clear(app);
    Ok(StatusCode::NO_CONTENT)
}

fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> ApiResult<T> {
    serde_json::from_slice(body)
        .map_err(|error| ApiError::BadRequest(format!("Invalid request: {error}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretRequest {
    secret: Option<String>,
}

/// Sets the secret deliveries are checked with; null or "" stops checking.
pub async fn set_secret(
    State(sandbox): State<Sandbox>,
    Path(params): Path<HashMap<String, String>>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let app = app_of(&params)?;
    let request: SecretRequest = parse(&body)?;
    let secret = request.secret.filter(|secret| !secret.is_empty());
    let checking = secret.is_some();
    sandbox.shared.apps.set_secret(app, secret);
    Ok(Json(json!({ "checking": checking })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerRequest {
    status: u16,
}

/// Sets the status every delivery is answered with.
pub async fn set_answer(
    State(sandbox): State<Sandbox>,
    Path(params): Path<HashMap<String, String>>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let app = app_of(&params)?;
    let request: AnswerRequest = parse(&body)?;
    let status = StatusCode::from_u16(request.status)
        .ok()
        .filter(|status| (200..600).contains(&status.as_u16()))
        .ok_or_else(|| ApiError::BadRequest("status must be from 200 to 599".into()))?;
    sandbox.shared.apps.set_answer(app, status);
    Ok(Json(json!({ "status": status.as_u16() })))
}
