//! `POST /webhooks/highlevel`: check, store, answer. Applying the event is
//! left to the workers, so HighLevel gets its answer fast (it retries only a
//! 429 and drops the event on any other failure).
//!
//! The order matters for a flood: the source's rate first, then the
//! signature header before the body is read, then the signature over the
//! body before it is parsed. Only a request HighLevel signed is stored; any
//! other leaves a short record in `refused_requests`.

use std::net::IpAddr;

use axum::body::{to_bytes, Body};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{json, Map, Value};
use sqlx::PgPool;

use super::keys::{Scheme, NO_SIGNATURE};
use super::kinds::Kind;
use super::store::{self, EventStatus, NewEvent, Stored};
use super::WebhookKeys;
use crate::inbound::refused::{self, Refusal};
use crate::inbound::{declared_length, Busy, DoorLimits};

/// Largest body accepted. HighLevel's events are a few kilobytes.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// How far an event's `timestamp` may be from now, either way.
const MAX_AGE: TimeDelta = TimeDelta::minutes(5);

/// The door's name in `refused_requests`.
const DOOR: &str = "highlevel";

/// What the HighLevel webhook door works with.
pub struct HighLevelDoor<'a> {
    pub db: &'a PgPool,
    pub keys: &'a WebhookKeys,
    pub limits: &'a DoorLimits,
}

impl HighLevelDoor<'_> {
    /// Checks the request from `source`, stores it when HighLevel signed it,
    /// and answers HighLevel.
    pub async fn receive(&self, source: IpAddr, headers: &HeaderMap, body: Body) -> Response {
        if let Err(busy) = self.limits.admit_source(source) {
            return busy.answer("Too many requests from this address.");
        }
        let refusal = |reason| Refusal {
            door: DOOR,
            source,
            reason,
            body: None,
            declared_bytes: declared_length(headers),
            headers,
        };
        if declared_length(headers).is_some_and(|length| length > MAX_BODY_BYTES as u64) {
            refused::record(self.db, &refusal("body too large")).await;
            return too_large();
        }
        if Scheme::of(headers).is_none() {
            refused::record(self.db, &refusal("no signature")).await;
            return bad_signature(NO_SIGNATURE);
        }
        let Some(_reading) = self.limits.reading(source).await else {
            return Busy::NOW.answer("The server is busy reading other requests.");
        };
        let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
            refused::record(self.db, &refusal("body too large")).await;
            return too_large();
        };
        if let Err(problem) = self.keys.verify(headers, &bytes) {
            let read = Refusal {
                body: Some(&bytes),
                ..refusal(problem.reason)
            };
            refused::record(self.db, &read).await;
            return bad_signature(problem.reason);
        }
        self.store_signed(headers, &bytes).await
    }

    /// A body HighLevel signed: checked, counted against its location, stored.
    async fn store_signed(&self, headers: &HeaderMap, bytes: &[u8]) -> Response {
        let checked = check(bytes);
        if let Some(location) = &checked.location_id {
            if let Err(busy) = self.limits.admit_connection(location) {
                return busy.answer("Too many events for this location.");
            }
        }
        let event = NewEvent {
            webhook_id: checked.webhook_id.clone(),
            raw_body: bytes,
            headers: refused::headers_kept(headers),
            scheme: Scheme::of(headers).map(Scheme::name),
            verified: true,
            location_id: checked.location_id.clone(),
            event_type: checked.event_type.clone(),
            event_at: checked.event_at,
            status: checked.status,
            status_detail: checked.refusal.as_ref().map_or_else(
                || checked.detail.to_owned(),
                |(_, _, message)| message.clone(),
            ),
        };
        match store::insert(self.db, &event).await {
            Ok(Stored::Saved(id)) => answer(id, &checked),
            Ok(Stored::Repeated) => repeated(self.db, event).await,
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
}

/// What the checks of a signed body found: the fields to store and, for a
/// refusal, the answer.
struct Checked {
    webhook_id: Option<String>,
    location_id: Option<String>,
    event_type: Option<String>,
    event_at: Option<DateTime<Utc>>,
    status: EventStatus,
    detail: &'static str,
    refusal: Option<(StatusCode, &'static str, String)>,
}

fn check(body: &[u8]) -> Checked {
    let parsed = serde_json::from_slice::<Value>(body);
    let object = parsed.as_ref().ok().and_then(Value::as_object);
    let field = |name: &str| {
        object
            .and_then(|map| map.get(name))
            .and_then(Value::as_str)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };
    let mut checked = Checked {
        webhook_id: field("webhookId"),
        location_id: field("locationId"),
        event_type: field("type"),
        event_at: object
            .and_then(|map| map.get("timestamp"))
            .and_then(crate::cache::parse_time),
        status: EventStatus::Queued,
        detail: "",
        refusal: None,
    };
    checked.refusal = refusal(&parsed, object, &checked);
    if checked.refusal.is_some() {
        checked.status = EventStatus::Rejected;
    } else if checked.event_type.as_deref().and_then(Kind::of).is_none() {
        checked.status = EventStatus::Ignored;
        checked.detail = "unknown type";
    }
    checked
}

/// Why a signed body is refused, in order: JSON, envelope, age.
fn refusal(
    parsed: &Result<Value, serde_json::Error>,
    object: Option<&Map<String, Value>>,
    checked: &Checked,
) -> Option<(StatusCode, &'static str, String)> {
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

fn bad_signature(reason: &str) -> Response {
    reply(
        StatusCode::UNAUTHORIZED,
        json!({"error": "bad_signature", "message": reason, "stored": false}),
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
