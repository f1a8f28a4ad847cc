//! A contact's tags, one contact at a time or in bulk.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::contacts::{body_location, dedupe, BULK, WRITE};
use super::errors::{ApiError, ApiResult};
use super::events::{self, Event};
use super::ids::fresh_id;
use super::lookup::contact_mut;
use super::params::{json_object, Fields};
use super::store::LocationData;
use super::Sandbox;

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route(
            "/contacts/{contact_id}/tags",
            post(add_tags).delete(remove_tags),
        )
        .route("/contacts/bulk/tags/update/{kind}", post(bulk_tags))
}

async fn add_tags(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path(contact_id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let tags = change_tags(&sandbox, &headers, &contact_id, &body, true)?;
    Ok((StatusCode::CREATED, Json(json!({ "tags": tags }))))
}

async fn remove_tags(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path(contact_id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let tags = change_tags(&sandbox, &headers, &contact_id, &body, false)?;
    Ok(Json(json!({ "tags": tags })))
}

fn change_tags(
    sandbox: &Sandbox,
    headers: &HeaderMap,
    contact_id: &str,
    body: &[u8],
    add: bool,
) -> ApiResult<Vec<String>> {
    let grant = sandbox.authorize(headers, WRITE)?;
    let body = json_object(body)?;
    let mut fields = Fields::new(&body);
    let tags = fields.required_strings("tags");
    fields.finish()?;
    let tags = dedupe(tags.unwrap_or_default());
    sandbox.change_contact(&grant, contact_id, |location, id| {
        let events = retag(location, id, &tags, add, false);
        let now = contact_mut(location, id)?.tags.clone();
        Ok((now, events))
    })
}

/// Adds or removes tags of one contact; ContactTagUpdate when they changed.
fn retag(
    location: &mut LocationData,
    id: &str,
    tags: &[String],
    add: bool,
    remove_all: bool,
) -> Vec<Event> {
    let Some(contact) = location.contacts.get_mut(id) else {
        return Vec::new();
    };
    let before = contact.tags.clone();
    if remove_all {
        contact.tags.clear();
    } else if add {
        for tag in tags {
            if !contact.tags.contains(tag) {
                contact.tags.push(tag.clone());
            }
        }
    } else {
        contact.tags.retain(|tag| !tags.contains(tag));
    }
    if contact.tags == before {
        return Vec::new();
    }
    contact.date_updated = chrono::Utc::now();
    let event = events::contact("ContactTagUpdate", contact);
    if add {
        location.register_tags(tags, fresh_id);
    }
    vec![event]
}

async fn bulk_tags(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path(kind): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let grant = sandbox.authorize(&headers, BULK)?;
    let add = match kind.as_str() {
        "add" => true,
        "remove" => false,
        _ => {
            return Err(ApiError::unprocessable(
                "type must be one of the following values: add, remove",
            ))
        }
    };
    let body = json_object(&body)?;
    let mut fields = Fields::new(&body);
    body_location(&mut fields, &grant)?;
    let contacts = fields.required_strings("contacts").unwrap_or_default();
    let tags = dedupe(fields.required_strings("tags").unwrap_or_default());
    let remove_all = !add && fields.boolean("removeAllTags").unwrap_or(false);
    fields.finish()?;
    let (errors, responses) = sandbox.change(&grant.location_id, |location| {
        let mut events = Vec::new();
        let mut responses = Vec::new();
        for id in &contacts {
            if location.contacts.contains_key(id) {
                events.extend(retag(location, id, &tags, add, remove_all));
            } else {
                responses.push(format!("Contact {id} not found"));
            }
        }
        Ok(((responses.len(), responses), events))
    })?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "succeded": errors == 0, "errorCount": errors, "responses": responses })),
    ))
}
