//! `POST /_sandbox/apps/{app}/send`: the simulated app posts new events to
//! a URL, one after the other, and reports what each receiver answered.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::HeaderName;
use axum::Json;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::fake::Fake;
use super::signature::{Signing, SigningRequest};
use super::{App, TypePlace};
use crate::errors::{ApiError, ApiResult};
use crate::simulate::new_rng;

const MAX_COUNT: usize = 100;
const TIMEOUT: Duration = Duration::from_secs(10);
/// Enough of a receiver's answer to see what it said.
const MAX_ANSWER_CHARS: usize = 16_384;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SendRequest {
    url: String,
    /// The app's first event type when absent.
    event_type: Option<String>,
    #[serde(default = "one")]
    count: usize,
    signing: Option<SigningRequest>,
    /// Makes the fake data repeatable.
    seed: Option<u64>,
}

fn one() -> usize {
    1
}

/// What became of one event.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Outcome {
    /// The receiver's status; None when it could not be reached.
    status: Option<u16>,
    response_body: Option<String>,
    error: Option<String>,
    /// Exactly the bytes sent, as text.
    sent_body: String,
    sent_headers: BTreeMap<String, String>,
}

pub async fn send(Path(app): Path<String>, body: Bytes) -> ApiResult<Json<Value>> {
    let app = App::parse(&app)?;
    let request: SendRequest = serde_json::from_slice(&body)
        .map_err(|error| ApiError::BadRequest(format!("Invalid request: {error}")))?;
    let event = event_type(app, request.event_type.as_deref())?;
    if !(1..=MAX_COUNT).contains(&request.count) {
        return Err(ApiError::BadRequest(format!(
            "count must be between 1 and {MAX_COUNT}"
        )));
    }
    let url = reqwest::Url::parse(&request.url)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .ok_or_else(|| ApiError::BadRequest("url must be an http or https URL".into()))?;
    let signing = Signing::resolve(request.signing, &app.signing())?;
    let mut fake = Fake {
        rng: request.seed.map_or_else(new_rng, ChaCha8Rng::seed_from_u64),
        now: chrono::Utc::now(),
    };
    let client = client();
    let mut outcomes = Vec::with_capacity(request.count);
    for _ in 0..request.count {
        let body = app.body(event, &mut fake).unwrap_or_default().to_string();
        let headers = headers(app, event, &signing, body.as_bytes());
        outcomes.push(post(&client, &url, headers, body).await);
    }
    Ok(Json(json!({
        "app": app.key(),
        "eventType": event,
        "deliveries": outcomes,
    })))
}

fn event_type(app: App, requested: Option<&str>) -> ApiResult<&'static str> {
    let events = app.events();
    let found = match requested {
        Some(requested) => events.iter().find(|event| **event == requested),
        None => events.first(),
    };
    found.copied().ok_or_else(|| {
        ApiError::BadRequest(format!(
            "{} sends no event type \"{}\"; it sends {}",
            app.name(),
            requested.unwrap_or_default(),
            events.join(", ")
        ))
    })
}

/// Redirects are not followed: a signed body goes only where it was sent.
fn client() -> Result<reqwest::Client, String> {
    crate::install_crypto_provider();
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|error| format!("no HTTP client: {error}"))
}

fn headers(app: App, event: &str, signing: &Signing, body: &[u8]) -> Vec<(HeaderName, String)> {
    let mut headers = vec![
        (
            HeaderName::from_static("content-type"),
            "application/json".to_owned(),
        ),
        (
            HeaderName::from_static("user-agent"),
            format!(
                "{}-Webhooks/1.0 (Switchboard sandbox)",
                app.name().replace(' ', "")
            ),
        ),
    ];
    if let TypePlace::Header(name) = app.type_place() {
        if let Ok(name) = HeaderName::from_bytes(name.as_bytes()) {
            headers.push((name, event.to_owned()));
        }
    }
    headers.extend(signing.header(body));
    headers
}

async fn post(
    client: &Result<reqwest::Client, String>,
    url: &reqwest::Url,
    headers: Vec<(HeaderName, String)>,
    body: String,
) -> Outcome {
    let sent_headers = headers
        .iter()
        .map(|(name, value)| (name.to_string(), value.clone()))
        .collect();
    let mut outcome = Outcome {
        status: None,
        response_body: None,
        error: None,
        sent_body: body.clone(),
        sent_headers,
    };
    let client = match client {
        Ok(client) => client,
        Err(error) => {
            outcome.error = Some(error.clone());
            return outcome;
        }
    };
    let mut request = client.post(url.clone()).body(body);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    match request.send().await {
        Ok(response) => {
            outcome.status = Some(response.status().as_u16());
            match response.text().await {
                Ok(text) => {
                    outcome.response_body = Some(text.chars().take(MAX_ANSWER_CHARS).collect())
                }
                Err(error) => outcome.error = Some(format!("reading the answer: {error}")),
            }
        }
        Err(error) => outcome.error = Some(error.to_string()),
    }
    outcome
}
