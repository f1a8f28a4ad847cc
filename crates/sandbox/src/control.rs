//! The control API under `/_sandbox/`, which only the sandbox has: demo
//! locations, minted tokens, simulated change, faults, the ledger of writes
//! and the webhook log.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::errors::{ApiError, ApiResult};
use super::faults::FaultSettings;
use super::params::QueryMap;
use super::signing;
use super::simulate::{new_rng, SimulateRequest};
use super::Sandbox;

/// Simulations run at a rate may not take longer than this.
const MAX_SIMULATION: Duration = Duration::from_secs(3600);
/// The fastest pace of a simulation: a thousand changes a second.
const MIN_PAUSE: Duration = Duration::from_millis(1);
/// Changes one simulation may ask for.
const MAX_SIMULATED_CHANGES: usize = 100_000;

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/_sandbox/locations", get(locations))
        .route("/_sandbox/tokens", post(mint_token))
        .route("/_sandbox/tokens/revoke", post(revoke_tokens))
        .route("/_sandbox/webhook-keys", get(webhook_keys))
        .route("/_sandbox/webhook-url", put(set_webhook_url))
        .route(
            "/_sandbox/webhooks",
            get(webhook_log).delete(clear_webhook_log),
        )
        .route(
            "/_sandbox/faults",
            get(faults).post(set_faults).delete(reset_faults),
        )
        .route("/_sandbox/ledger", get(ledger).delete(clear_ledger))
        .route("/_sandbox/simulate", post(simulate))
        .route("/_sandbox/stats", get(stats))
}

fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> ApiResult<T> {
    serde_json::from_slice(body).map_err(|error| ApiError::unprocessable(error.to_string()))
}

async fn locations(State(sandbox): State<Sandbox>) -> Json<Value> {
    let company_id = sandbox.shared.store.read().company_id.clone();
    let locations: Vec<Value> = sandbox
        .locations()
        .into_iter()
        .map(|(id, name)| json!({"id": id, "name": name, "companyId": company_id}))
        .collect();
    Json(Value::Array(locations))
}

/// Counts per location, for dashboards and tests.
async fn stats(State(sandbox): State<Sandbox>) -> Json<Value> {
    let now = chrono::Utc::now();
    let store = sandbox.shared.store.read();
    let locations: Vec<Value> = store
        .order
        .iter()
        .filter_map(|id| store.locations.get(id))
        .map(|location| {
            let tasks = location.contacts.values().flat_map(|c| c.tasks.iter());
            let completed = tasks.clone().filter(|t| t.completed).count();
            let overdue = tasks
                .clone()
                .filter(|t| !t.completed && t.due_date < now)
                .count();
            json!({
                "locationId": location.info.id,
                "name": location.info.name,
                "contacts": location.contacts.len(),
                "tasks": tasks.count(),
                "completedTasks": completed,
                "overdueTasks": overdue,
                "notes": location.contacts.values().map(|c| c.notes.len()).sum::<usize>(),
                "appointments": location.appointments.len(),
                "users": location.users.len(),
                "calendars": location.calendars.len(),
                "businesses": location.businesses.len(),
            })
        })
        .collect();
    Json(json!({ "locations": locations }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MintRequest {
    location_id: String,
    scopes: Vec<String>,
}

async fn mint_token(
    State(sandbox): State<Sandbox>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let request: MintRequest = parse(&body)?;
    let token = sandbox
        .mint_token(&request.location_id, &request.scopes)
        .ok_or_else(|| ApiError::NotFound("Unknown location".into()))?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "access_token": token,
            "locationId": request.location_id,
            "scope": request.scopes.join(" "),
        })),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RevokeRequest {
    location_id: Option<String>,
    token: Option<String>,
}

/// Revokes access and refresh tokens: one token, a location's, or all.
async fn revoke_tokens(State(sandbox): State<Sandbox>, body: Bytes) -> ApiResult<Json<Value>> {
    let request: RevokeRequest = if body.is_empty() {
        RevokeRequest {
            location_id: None,
            token: None,
        }
    } else {
        parse(&body)?
    };
    let revoked = sandbox
        .shared
        .auth
        .lock()
        .revoke(request.location_id.as_deref(), request.token.as_deref());
    Ok(Json(json!({ "revoked": revoked })))
}

async fn webhook_keys() -> Json<Value> {
    Json(json!({
        "ed25519PublicKeyPem": signing::ed25519_public_key_pem(),
        "rsaPublicKeyPem": signing::rsa_public_key_pem(),
    }))
}

#[derive(Deserialize)]
struct WebhookUrl {
    url: Option<String>,
}

async fn set_webhook_url(State(sandbox): State<Sandbox>, body: Bytes) -> ApiResult<Json<Value>> {
    let request: WebhookUrl = parse(&body)?;
    sandbox.shared.webhooks.set_url(request.url.clone());
    Ok(Json(json!({ "url": request.url })))
}

async fn webhook_log(State(sandbox): State<Sandbox>) -> Json<Value> {
    Json(json!({ "deliveries": sandbox.shared.webhooks.records() }))
}

async fn clear_webhook_log(State(sandbox): State<Sandbox>) -> StatusCode {
    sandbox.shared.webhooks.clear_records();
    StatusCode::NO_CONTENT
}

async fn faults(State(sandbox): State<Sandbox>) -> Json<FaultSettings> {
    Json(sandbox.shared.faults.lock().settings())
}

async fn set_faults(State(sandbox): State<Sandbox>, body: Bytes) -> ApiResult<Json<FaultSettings>> {
    let settings: FaultSettings = parse(&body)?;
    let mut faults = sandbox.shared.faults.lock();
    faults.apply(&settings);
    Ok(Json(faults.settings()))
}

/// Clears every fault and the rate-limit counters.
async fn reset_faults(State(sandbox): State<Sandbox>) -> Json<FaultSettings> {
    *sandbox.shared.faults.lock() = Default::default();
    sandbox.shared.limits.lock().reset();
    Json(sandbox.shared.faults.lock().settings())
}

async fn ledger(State(sandbox): State<Sandbox>, query: QueryMap) -> ApiResult<Json<Value>> {
    let since = query.number("since", 0)? as u64;
    Ok(Json(
        json!({ "entries": sandbox.shared.ledger.lock().since(since) }),
    ))
}

async fn clear_ledger(State(sandbox): State<Sandbox>) -> StatusCode {
    sandbox.shared.ledger.lock().clear();
    StatusCode::NO_CONTENT
}

/// Applies `count` changes now, or schedules them at `perSecond`.
async fn simulate(
    State(sandbox): State<Sandbox>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let request: SimulateRequest = parse(&body)?;
    if request.count > MAX_SIMULATED_CHANGES {
        return Err(ApiError::unprocessable(
            "count must not be greater than 100000",
        ));
    }
    let location_id = sandbox.simulation_location(request.location_id.as_deref())?;
    match request.per_second {
        None => {
            let mut rng = new_rng();
            let mut ids = Vec::new();
            for _ in 0..request.count {
                if let Some(id) =
                    sandbox.simulate_one(&location_id, request.entity, request.action, &mut rng)?
                {
                    ids.push(id);
                }
            }
            Ok((
                StatusCode::OK,
                Json(json!({ "done": ids.len(), "ids": ids, "locationId": location_id })),
            ))
        }
        Some(rate) => {
            let pause = Duration::try_from_secs_f64(1.0 / rate)
                .ok()
                .filter(|pause| *pause >= MIN_PAUSE)
                .filter(|pause| {
                    let count = u32::try_from(request.count).unwrap_or(u32::MAX);
                    pause.saturating_mul(count) <= MAX_SIMULATION
                })
                .ok_or_else(|| {
                    ApiError::unprocessable("perSecond is out of range for this count")
                })?;
            tokio::spawn(run_at_rate(
                sandbox.clone(),
                location_id.clone(),
                request,
                pause,
            ));
            Ok((
                StatusCode::ACCEPTED,
                Json(json!({ "scheduled": true, "locationId": location_id })),
            ))
        }
    }
}

async fn run_at_rate(
    sandbox: Sandbox,
    location_id: String,
    request: SimulateRequest,
    pause: Duration,
) {
    let mut rng = new_rng();
    let mut ticker = tokio::time::interval(pause);
    for _ in 0..request.count {
        ticker.tick().await;
        if let Err(error) =
            sandbox.simulate_one(&location_id, request.entity, request.action, &mut rng)
        {
            tracing::warn!("simulated change failed: {error:?}");
        }
    }
}
