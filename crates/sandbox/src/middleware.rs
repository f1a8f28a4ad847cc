//! What every API request passes through before its handler: injected faults,
//! rate limits and the ledger of writes; and a `traceId` on every response.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::auth::{bearer, Grant};
use super::errors::ApiError;
use super::ledger::{body_value, LedgerEntry};
use super::limits::{Limits, Verdict};
use super::Sandbox;

/// The header HighLevel's `traceId` travels in.
pub const TRACE_ID: HeaderName = HeaderName::from_static("traceid");

/// Request bodies larger than this are refused.
const BODY_LIMIT: usize = 4 * 1024 * 1024;

/// The trace id of the current request, for bodies that carry it.
#[derive(Debug, Clone)]
pub struct TraceId(pub String);

pub async fn trace_id_layer(mut request: Request, next: Next) -> Response {
    let trace_id = uuid::Uuid::new_v4().to_string();
    request.extensions_mut().insert(TraceId(trace_id.clone()));
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&trace_id) {
        response.headers_mut().insert(TRACE_ID, value);
    }
    response
}

pub async fn api_layer(State(sandbox): State<Sandbox>, request: Request, next: Next) -> Response {
    let grant = bearer(request.headers())
        .and_then(|token| sandbox.shared.auth.lock().check(token).ok().cloned());
    let is_write = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let is_form = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => return ApiError::BadRequest("request body is too large".into()).into_response(),
    };
    let entry = is_write.then(|| LedgerEntry {
        seq: 0,
        time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        body: body_value(&bytes, is_form),
        location_id: grant.as_ref().map(|grant| grant.location_id.clone()),
        status: 0,
    });
    let request = Request::from_parts(parts, Body::from(bytes));
    let response = answer(&sandbox, grant.as_ref(), request, next).await;
    if let Some(mut entry) = entry {
        entry.status = response.status().as_u16();
        sandbox.shared.ledger.lock().record(entry);
    }
    response
}

async fn answer(
    sandbox: &Sandbox,
    grant: Option<&Grant>,
    request: Request,
    next: Next,
) -> Response {
    let (latency, forced_429, injected) = {
        let mut faults = sandbox.shared.faults.lock();
        let forced_429 = faults.take_rate_limited();
        let injected = faults.errors.fires().then(|| faults.error_status());
        (faults.latency, forced_429, injected)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let verdict = grant.map(|grant| count_request(sandbox, grant));
    let mut response = if forced_429 || verdict.is_some_and(|verdict| !verdict.allowed) {
        ApiError::TooManyRequests.into_response()
    } else if let Some(status) = injected {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError::Injected(status).into_response()
    } else {
        next.run(request).await
    };
    if let Some(verdict) = verdict {
        verdict.write_headers(response.headers_mut());
    }
    response
}

fn count_request(sandbox: &Sandbox, grant: &Grant) -> Verdict {
    let config = sandbox.config();
    let limits = Limits {
        burst: config.burst_limit,
        window: config.burst_window,
        daily: config.daily_limit,
    };
    sandbox
        .shared
        .limits
        .lock()
        .count(&grant.client_id, &grant.location_id, limits)
}
