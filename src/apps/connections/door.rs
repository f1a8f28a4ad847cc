//! `POST /hooks/<public id>`: an app's webhook door. The same bounded door
//! as HighLevel's (rates per address and per connection, a few bodies read
//! at once), then the connection's own checks. Every request that names a
//! connection is kept on its Incoming tab with its reason; only a checked
//! one is kept as received, for the automations.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::LazyLock;

use axum::body::{to_bytes, Body};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use sqlx::PgPool;

use super::store::{self, Connection, Kept, NewAppEvent};
use super::{signing, EventTypeFrom, Signing};
use crate::apps::templates::{self, AppKind};
use crate::auth::vault::Vault;
use crate::inbound::refused::{self, Refusal};
use crate::inbound::{declared_length, Busy, DoorLimits};

/// Largest body accepted: apps' events are a few kilobytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// How much of a refused body is kept, to show what was sent.
const REFUSED_BODY_KEPT: usize = 16 * 1024;

pub struct AppDoor<'a> {
    pub db: &'a PgPool,
    pub vault: &'a Vault,
    pub limits: &'a DoorLimits,
}

/// A request's answer: its status, a code and plain words.
struct Answer {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Answer {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
}

impl AppDoor<'_> {
    pub async fn receive(
        &self,
        public_id: &str,
        source: IpAddr,
        headers: &HeaderMap,
        body: Body,
    ) -> Response {
        if let Err(busy) = self.limits.admit_source(source) {
            return busy.answer("Too many requests.");
        }
        let connection = match store::by_public_id(self.db, public_id).await {
            Ok(Some(connection)) => connection,
            Ok(None) => return self.unknown(source, headers).await,
            Err(error) => {
                tracing::error!(%error, "looking up an app connection");
                return reply(&Answer::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "not_stored",
                    "The request could not be stored; please send it again.",
                ));
            }
        };
        if let Err(busy) = self
            .limits
            .admit_connection(&format!("app:{}", connection.id))
        {
            return busy.answer("Too many requests.");
        }
        let request = Request {
            connection: &connection,
            source,
            headers,
        };
        self.check_and_keep(&request, body).await
    }

    async fn check_and_keep(&self, request: &Request<'_>, body: Body) -> Response {
        let declared = declared_length(request.headers);
        if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
            return self.refuse(request, None, declared, too_large()).await;
        }
        let Some(_reading) = self.limits.reading(request.source).await else {
            return Busy::NOW.answer("The server is busy reading other requests.");
        };
        let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
            return self.refuse(request, None, declared, too_large()).await;
        };
        let secret = match request.connection.secret(self.vault) {
            Ok(secret) => secret,
            Err(error) => {
                tracing::error!(%error, connection = request.connection.id, "opening an app connection's secret");
                return reply(&Answer::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "not_stored",
                    "The connection's secret could not be read on this server.",
                ));
            }
        };
        if let Err(reason) = signing::verify(
            &request.connection.signing,
            &secret,
            request.headers,
            &bytes,
        ) {
            let kept = &bytes[..bytes.len().min(REFUSED_BODY_KEPT)];
            let answer = Answer::new(StatusCode::UNAUTHORIZED, "bad_signature", reason);
            return self
                .refuse(request, Some(kept), Some(bytes.len() as u64), answer)
                .await;
        }
        let read = read_event(&request.connection.event_type_from, request.headers, &bytes)
            .and_then(|(event_type, subject)| {
                known(&request.connection.app, event_type).map(|event_type| (event_type, subject))
            });
        match read {
            Ok((event_type, subject)) => self.accept(request, &bytes, event_type, subject).await,
            Err(answer) => {
                self.refuse(request, Some(&bytes), Some(bytes.len() as u64), answer)
                    .await
            }
        }
    }

    async fn accept(
        &self,
        request: &Request<'_>,
        body: &[u8],
        event_type: String,
        subject: Option<String>,
    ) -> Response {
        let event = NewAppEvent {
            subject,
            ..request.event(
                Some(event_type),
                true,
                String::new(),
                Some(body),
                Some(body.len() as u64),
            )
        };
        match store::record(self.db, &event).await {
            Ok(Kept::Saved(id)) => (
                StatusCode::OK,
                Json(json!({"status": "received", "message": "Received; the connection's automations take it from here.", "eventId": id})),
            )
                .into_response(),
            Ok(Kept::Replayed) => {
                let answer = Answer::new(StatusCode::CONFLICT, "replayed", "This exact body was already received; it is not taken twice.");
                self.refuse(request, Some(body), Some(body.len() as u64), answer).await
            }
            Err(error) => {
                tracing::error!(%error, "storing an app event");
                reply(&Answer::new(StatusCode::SERVICE_UNAVAILABLE, "not_stored", "The event could not be stored; please send it again."))
            }
        }
    }

    /// Keeps a refused request on the connection's Incoming tab and answers.
    async fn refuse(
        &self,
        request: &Request<'_>,
        body: Option<&[u8]>,
        bytes: Option<u64>,
        answer: Answer,
    ) -> Response {
        let event = request.event(None, false, answer.message.clone(), body, bytes);
        if let Err(error) = store::record(self.db, &event).await {
            tracing::warn!(%error, "keeping a refused app request");
        }
        reply(&answer)
    }

    /// No connection has this URL: a short record, as for HighLevel's door.
    async fn unknown(&self, source: IpAddr, headers: &HeaderMap) -> Response {
        let refusal = Refusal {
            door: "apps",
            source,
            reason: "no such connection",
            body: None,
            declared_bytes: declared_length(headers),
            headers,
        };
        refused::record(self.db, &refusal).await;
        reply(&Answer::new(
            StatusCode::NOT_FOUND,
            "unknown_connection",
            "No connection has this URL. Copy it again from the connection's page in Switchboard.",
        ))
    }
}

/// One request to a known connection.
struct Request<'a> {
    connection: &'a Connection,
    source: IpAddr,
    headers: &'a HeaderMap,
}

impl<'a> Request<'a> {
    fn event(
        &self,
        event_type: Option<String>,
        accepted: bool,
        problem: String,
        body: Option<&'a [u8]>,
        body_bytes: Option<u64>,
    ) -> NewAppEvent<'a> {
        NewAppEvent {
            connection_id: self.connection.id,
            source: self.source.to_string(),
            event_type,
            accepted,
            problem,
            body,
            body_bytes,
            headers: self.headers_kept(),
            subject: None,
        }
    }

    /// The headers without credentials, nor the header carrying the secret.
    fn headers_kept(&self) -> Value {
        let mut kept = refused::headers_kept(self.headers);
        if let (Signing::SecretHeader { header }, Some(map)) =
            (&self.connection.signing, kept.as_object_mut())
        {
            map.remove(&header.to_ascii_lowercase());
        }
        kept
    }
}

/// The body's event type, where the form says, and who the event is about,
/// from the body parsed once.
fn read_event(
    from: &EventTypeFrom,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(String, Option<String>), Answer> {
    let parsed: Value = serde_json::from_slice(body).map_err(|error| {
        Answer::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("The body is not valid JSON: {error}."),
        )
    })?;
    if !parsed.is_object() {
        return Err(Answer::new(
            StatusCode::BAD_REQUEST,
            "not_an_object",
            "The body is JSON but not an object ({…}).",
        ));
    }
    let found = match from {
        EventTypeFrom::Fixed(name) => Some(name.clone()),
        EventTypeFrom::Header(name) => headers
            .get(name.as_str())
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned),
        EventTypeFrom::BodyField(path) => path
            .split('.')
            .try_fold(&parsed, |value, key| value.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned),
    };
    let found = found
        .filter(|name| !name.trim().is_empty())
        .ok_or_else(|| {
            let place = match from {
                EventTypeFrom::BodyField(path) => format!("the body field `{path}`"),
                EventTypeFrom::Header(name) => format!("the header `{name}`"),
                EventTypeFrom::Fixed(_) => "the connection's form".to_owned(),
            };
            Answer::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "no_event_type",
                format!("The request has no event type in {place}."),
            )
        })?;
    Ok((found, super::subject::of_event(&parsed)))
}

/// The event types each app's template names, looked up once.
static KNOWN_TYPES: LazyLock<HashMap<&'static str, Vec<String>>> = LazyLock::new(|| {
    AppKind::ALL
        .into_iter()
        .filter(|kind| *kind != AppKind::Generic)
        .map(|kind| {
            let keys = templates::template(kind)
                .events
                .into_iter()
                .map(|event| event.key)
                .collect();
            (kind.key(), keys)
        })
        .collect()
});

/// An app with a template sends the types it names; any app sends anything.
fn known(app: &str, event_type: String) -> Result<String, Answer> {
    match KNOWN_TYPES.get(app) {
        Some(keys) if !keys.contains(&event_type) => Err(Answer::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_event_type",
            format!(
                "\u{201c}{event_type}\u{201d} is not an event type this app is known to send ({}).",
                keys.join(", ")
            ),
        )),
        _ => Ok(event_type),
    }
}

fn too_large() -> Answer {
    Answer::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!(
            "The body is larger than {} MB.",
            MAX_BODY_BYTES / (1024 * 1024)
        ),
    )
}

fn reply(answer: &Answer) -> Response {
    (
        answer.status,
        Json(json!({"error": answer.code, "message": answer.message})),
    )
        .into_response()
}
