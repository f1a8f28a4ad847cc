//! Contacts and businesses: the contacts of a business, and linking contacts
//! to a business in bulk.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::contacts::{body_location, matches_text, BULK, READ};
use super::errors::{ApiError, ApiResult};
use super::events;
use super::params::{json_object, Fields, QueryMap};
use super::render;
use super::store::Contact;
use super::Sandbox;

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/contacts/business/{business_id}", get(by_business))
        .route("/contacts/bulk/business", post(bulk_business))
}

async fn by_business(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path(business_id): Path<String>,
    query: QueryMap,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, READ)?;
    grant.require_location(query.require("locationId")?)?;
    let limit = query.number("limit", 25)?;
    let skip = query.number("skip", 0)?;
    let text = query.get("query").map(str::to_lowercase);
    sandbox.look(&grant.location_id, |location| {
        let matching: Vec<&Contact> = location
            .contacts
            .values()
            .filter(|c| c.business_id.as_deref() == Some(business_id.as_str()))
            .filter(|c| text.as_deref().is_none_or(|text| matches_text(c, text)))
            .collect();
        let page: Vec<Value> = matching
            .iter()
            .skip(skip)
            .take(limit)
            .map(|c| render::listed_contact(c))
            .collect();
        Ok(Json(json!({ "contacts": page, "count": matching.len() })))
    })
}

async fn bulk_business(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, BULK)?;
    let body = json_object(&body)?;
    let mut fields = Fields::new(&body);
    body_location(&mut fields, &grant)?;
    let ids = fields.required_strings("ids").unwrap_or_default();
    if !fields.has("businessId") {
        fields.problem("businessId must be a string or null");
    }
    let business = fields.string("businessId");
    fields.finish()?;
    let changed = sandbox.change(&grant.location_id, |location| {
        if let Some(business) = &business {
            if !location
                .businesses
                .iter()
                .any(|known| &known.id == business)
            {
                return Err(ApiError::BadRequest("Business not found".into()));
            }
        }
        let mut changed = Vec::new();
        let mut events = Vec::new();
        for id in &ids {
            if let Some(contact) = location.contacts.get_mut(id) {
                contact.business_id = business.clone();
                contact.date_updated = chrono::Utc::now();
                events.push(events::contact("ContactUpdate", contact));
                changed.push(id.clone());
            }
        }
        Ok((changed, events))
    })?;
    Ok(Json(json!({ "success": true, "ids": changed })))
}
