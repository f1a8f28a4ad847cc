//! `POST /webhooks/highlevel`: check, store, answer. Applying the event is
//! left to the workers, so HighLevel gets its answer fast (it retries only a
//! 429 and drops the event on any other failure).

use axum::body::{to_bytes, Body};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{json, Map, Value};

use sqlx::PgPool;

use super::kinds::Kind;
use super::store::{self, EventStatus, NewEvent, Stored};
use super::WebhookKeys;

/// Largest body accepted. HighLevel's events are a few kilobytes.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// How far an event's `timestamp` may be from now, either way.
const MAX_AGE: TimeDelta = TimeDelta::minutes(5);

/// Headers never stored: credentials a client might send along.
const UNSTORED_HEADERS: [header::HeaderName; 3] = [
    header::AUTHORIZATION,
    header::COOKIE,
    header::PROXY_AUTHORIZATION,
];

/// Reads the body under [`MAX_BODY_BYTES`], checks it with `keys`, stores it
/// in `db` and answers HighLevel.
pub async fn receive(db: &PgPool, keys: &WebhookKeys, headers: &HeaderMap, body: Body) -> Response {
    let declared_too_big = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.parse::<usize>().ok())
        .is_some_and(|length| length > MAX_BODY_BYTES);
    if declared_too_big {
        return too_large();
    }
    let bytes = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return too_large(),
    };
    let checked = check(keys, headers, &bytes);
    let event = NewEvent {
        webhook_id: checked.webhook_id.clone(),
        raw_body: &bytes,
        headers: stored_headers(headers),
        scheme: checked.scheme,
        verified: checked.verified,
        location_id: checked.location_id.clone(),
        event_type: checked.event_type.clone(),
        event_at: checked.event_at,
        status: checked.status,
        status_detail: checked.refusal.as_ref().map_or_else(
            || checked.detail.to_owned(),
            |(_, _, message)| message.clone(),
        ),
    };
    match store::insert(db, &event).await {
        Ok(Stored::Saved(id)) => answer(id, &checked),
        Ok(Stored::Repeated) => repeated(db, event).await,
        Err(error) => {
            tracing::error!(%error, "storing a HighLevel webhook");
            // 429 is the one answer HighLevel retries: the event comes back later.
            reply(
                StatusCode::TOO_MANY_REQUESTS,
                json!({"error": "not_stored", "message": "The event could not be stored; please send it again."}),
            )
        }
    }
}

/// What the checks found: the fields to store and, for a refusal, the answer.
struct Checked {
    scheme: Option<&'static str>,
    verified: bool,
    webhook_id: Option<String>,
    location_id: Option<String>,
    event_type: Option<String>,
    event_at: Option<DateTime<Utc>>,
    status: EventStatus,
    detail: &'static str,
    refusal: Option<(StatusCode, &'static str, String)>,
}

fn check(keys: &WebhookKeys, headers: &HeaderMap, body: &[u8]) -> Checked {
    let signature = keys.verify(headers, body);
    let parsed = serde_json::from_slice::<Value>(body);
    let object = parsed.as_ref().ok().and_then(Value::as_object);
    let field = |name: &str| {
        object
            .and_then(|map| map.get(name))
            .and_then(Value::as_str)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };
    let verified = signature.is_ok();
    let mut checked = Checked {
        scheme: match &signature {
            Ok(scheme) => Some(scheme.name()),
            Err(problem) => problem.scheme.map(|scheme| scheme.name()),
        },
        verified,
        webhook_id: field("webhookId"),
        // An unverified body could claim any location.
        location_id: field("locationId").filter(|_| verified),
        event_type: field("type"),
        event_at: object
            .and_then(|map| map.get("timestamp"))
            .and_then(crate::cache::parse_time),
        status: EventStatus::Queued,
        detail: "",
        refusal: None,
    };
    checked.refusal = refusal(&signature, &parsed, object, &checked);
    if checked.refusal.is_some() {
        checked.status = EventStatus::Rejected;
    } else if checked.event_type.as_deref().and_then(Kind::of).is_none() {
        checked.status = EventStatus::Ignored;
        checked.detail = "unknown type";
    }
    checked
}

/// Why the request is refused, in order: signature, JSON, envelope, age.
fn refusal(
    signature: &Result<super::Scheme, super::keys::SignatureProblem>,
    parsed: &Result<Value, serde_json::Error>,
    object: Option<&Map<String, Value>>,
    checked: &Checked,
) -> Option<(StatusCode, &'static str, String)> {
    if let Err(problem) = signature {
        return Some((
            StatusCode::UNAUTHORIZED,
            "bad_signature",
            problem.reason.to_owned(),
        ));
    }
    if let Err(error) = parsed {
        return Some((
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("The body is not valid JSON: {error}."),
        ));
    }
    if object.is_none() {
        return Some((
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "The body is not a JSON object.".into(),
        ));
    }
    if checked.webhook_id.is_none() {
        return Some((
            StatusCode::BAD_REQUEST,
            "missing_webhook_id",
            "The body has no webhookId.".into(),
        ));
    }
    let Some(at) = checked.event_at else {
        return Some((
            StatusCode::BAD_REQUEST,
            "missing_timestamp",
            "The body has no readable timestamp.".into(),
        ));
    };
    let age = Utc::now() - at;
    if age > MAX_AGE {
        return Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            "stale_timestamp",
            format!("The event's timestamp is {} minutes old; events older than 5 minutes are refused as possible replays.", age.num_minutes()),
        ));
    }
    if -age > MAX_AGE {
        return Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            "future_timestamp",
            "The event's timestamp is more than 5 minutes ahead of this server's clock.".into(),
        ));
    }
    None
}

fn answer(id: i64, checked: &Checked) -> Response {
    match &checked.refusal {
        Some((status, code, message)) => reply(
            *status,
            json!({"error": code, "message": message, "stored": true, "eventId": id}),
        ),
        None if checked.status == EventStatus::Ignored => reply(
            StatusCode::OK,
            json!({"status": "ignored", "message": "Stored, but not applied: Switchboard does not use this event type.", "eventId": id}),
        ),
        None => reply(
            StatusCode::OK,
            json!({"status": "queued", "message": "Stored; it is applied in the background.", "eventId": id}),
        ),
    }
}

/// A webhookId that an accepted event already took: kept as rejected, for
/// inspection, and never applied.
async fn repeated(db: &PgPool, mut event: NewEvent<'_>) -> Response {
    event.status = EventStatus::Rejected;
    event.status_detail = "The webhookId was already received; the repeat was not applied.".into();
    if let Err(error) = store::insert(db, &event).await {
        tracing::error!(%error, "storing a repeated HighLevel webhook");
    }
    reply(
        StatusCode::CONFLICT,
        json!({"error": "repeated_webhook_id", "message": "This webhookId was already received; the event is not applied twice.", "stored": true}),
    )
}

fn too_large() -> Response {
    reply(
        StatusCode::PAYLOAD_TOO_LARGE,
        json!({
            "error": "body_too_large",
            "message": format!("The body is larger than {} MB; it was not stored.", MAX_BODY_BYTES / (1024 * 1024)),
            "stored": false,
        }),
    )
}

fn reply(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

/// The request headers as a JSON object, without credentials.
fn stored_headers(headers: &HeaderMap) -> Value {
    let kept: Map<String, Value> = headers
        .iter()
        .filter(|(name, _)| !UNSTORED_HEADERS.contains(name))
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                Value::String(String::from_utf8_lossy(value.as_bytes()).into_owned()),
            )
        })
        .collect();
    Value::Object(kept)
}
