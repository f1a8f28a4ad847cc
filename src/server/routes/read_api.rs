//! `/apps/api/v1/…`: the Read API, for apps that pull their team's
//! contacts with their connection's key. Servers call it, not browsers, so
//! it has no session and no origin check: the key is the credential. It is
//! never logged: the request log names the path only, and the middleware
//! marks both headers that carry it as sensitive.

use std::net::SocketAddr;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::apps::read_api::contacts::{self, Found};
use crate::apps::read_api::keys::{self, Reader};
use crate::apps::read_api::request::{self, Include, Lookup};
use crate::apps::read_api::{self as read_api, OPENAPI};
use crate::inbound::Busy;
use crate::state::AppState;

/// The routes, each answered with `Cache-Control: no-store`: contacts are
/// personal data, which no proxy should keep.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/apps/api/v1/openapi.json", get(openapi))
        .route("/apps/api/v1/contacts", get(find_contacts))
        .route("/apps/api/v1/contacts/{id}", get(contact))
        .route(
            "/apps/api/v1/businesses/{id}/contacts",
            get(business_contacts),
        )
        .layer(axum::middleware::map_response(
            |mut response: Response| async move {
                response
                    .headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                response
            },
        ))
}

type QueryPairs = Result<Query<Vec<(String, String)>>, QueryRejection>;

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

async fn contact(
    State(state): State<AppState>,
    Authorized(reader): Authorized,
    id: Result<Path<String>, PathRejection>,
    query: QueryPairs,
) -> Result<Json<Value>, Refusal> {
    let id = path_id("contact", id)?;
    let include = Include::from_pairs(&pairs(query)?).map_err(Refusal::BadRequest)?;
    read_api::contact(&state.db, &reader, &id, include)
        .await?
        .map(Json)
        .ok_or(Refusal::NotFound("This team has no contact with this id."))
}

async fn find_contacts(
    State(state): State<AppState>,
    Authorized(reader): Authorized,
    query: QueryPairs,
) -> Result<Json<Value>, Refusal> {
    let lookup = Lookup::from_pairs(&pairs(query)?).map_err(Refusal::BadRequest)?;
    let found = contacts::look_up(&state.db, &reader, &lookup).await?;
    Ok(Json(list(found)))
}

async fn business_contacts(
    State(state): State<AppState>,
    Authorized(reader): Authorized,
    id: Result<Path<String>, PathRejection>,
    query: QueryPairs,
) -> Result<Json<Value>, Refusal> {
    let id = path_id("business", id)?;
    request::only(&pairs(query)?, &[]).map_err(Refusal::BadRequest)?;
    let (name, found) = contacts::of_business(&state.db, &reader, &id)
        .await?
        .ok_or(Refusal::NotFound("This team has no business with this id."))?;
    let mut answer = list(found);
    answer["business"] = json!({"id": id, "name": name});
    Ok(Json(answer))
}

fn list(found: Found) -> Value {
    json!({"count": found.contacts.len(), "contacts": found.contacts, "more": found.more})
}

fn path_id(what: &str, id: Result<Path<String>, PathRejection>) -> Result<String, Refusal> {
    let Path(id) = id.map_err(|rejection| Refusal::BadRequest(rejection.body_text()))?;
    request::check_id(what, &id).map_err(Refusal::BadRequest)?;
    Ok(id)
}

fn pairs(query: QueryPairs) -> Result<Vec<(String, String)>, Refusal> {
    query
        .map(|Query(pairs)| pairs)
        .map_err(|rejection| Refusal::BadRequest(rejection.body_text()))
}

/// The connection whose key came with the request. Each request counts
/// against its address's rate before the key is looked up, and against
/// the key's own rate after.
struct Authorized(Reader);

impl FromRequestParts<AppState> for Authorized {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Refusal> {
        let ConnectInfo(peer) = ConnectInfo::<SocketAddr>::from_request_parts(parts, state)
            .await
            .map_err(|_| {
                tracing::error!("the read API was served without client addresses");
                Refusal::Unavailable
            })?;
        let source = state.client_address.of(peer, &parts.headers);
        state.door.admit_source(source).map_err(Refusal::TooMany)?;
        let presented = presented_key(&parts.headers).ok_or(Refusal::Unauthorized(
            "Send the connection's key: `Authorization: Bearer <key>` or `X-Api-Key: <key>`.",
        ))?;
        let reader = keys::authenticate(&state.db, presented)
            .await?
            .ok_or(Refusal::Unauthorized(
                "This key is not valid; a newer key may have replaced it. Copy the current key from the connection's page in Switchboard.",
            ))?;
        state
            .door
            .admit_connection(&format!("api:{}", reader.connection_id))
            .map_err(Refusal::TooMany)?;
        if let Err(error) = keys::note_use(&state.db, &reader).await {
            tracing::warn!(%error, connection = reader.connection_id, "noting a read API key's use");
        }
        Ok(Self(reader))
    }
}

/// The key of `Authorization: Bearer …` (any case of the scheme), else of `X-Api-Key`.
fn presented_key(headers: &HeaderMap) -> Option<&str> {
    let text = |name| {
        headers
            .get(name)
            .and_then(|value: &HeaderValue| value.to_str().ok())
    };
    let bearer = text(header::AUTHORIZATION.as_str())
        .and_then(|value| value.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key);
    bearer
        .or_else(|| text("x-api-key"))
        .map(str::trim)
        .filter(|key| !key.is_empty())
}

/// Why a request was not answered, as `{"error", "message"}`.
enum Refusal {
    Unauthorized(&'static str),
    BadRequest(String),
    NotFound(&'static str),
    TooMany(Busy),
    Unavailable,
}

impl From<sqlx::Error> for Refusal {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "a read API query failed");
        Refusal::Unavailable
    }
}

impl Refusal {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Refusal::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Refusal::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Refusal::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Refusal::TooMany(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
            Refusal::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        }
    }

    /// `Retry-After` for a rate, the scheme to use for a key.
    fn header(&self) -> Option<(header::HeaderName, HeaderValue)> {
        match self {
            Refusal::TooMany(busy) => Some((
                header::RETRY_AFTER,
                HeaderValue::from(busy.retry_after.as_secs().max(1)),
            )),
            Refusal::Unauthorized(_) => {
                Some((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")))
            }
            _ => None,
        }
    }

    fn message(self) -> String {
        match self {
            Refusal::Unauthorized(message) | Refusal::NotFound(message) => message.to_owned(),
            Refusal::BadRequest(message) => message,
            Refusal::TooMany(_) => {
                "Too many requests; try again after the seconds Retry-After says.".to_owned()
            }
            Refusal::Unavailable => {
                "The database did not answer; try again in a moment.".to_owned()
            }
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let header = self.header();
        let body = json!({"error": code, "message": self.message()});
        let mut response = (status, Json(body)).into_response();
        if let Some((name, value)) = header {
            response.headers_mut().insert(name, value);
        }
        response
    }
}
