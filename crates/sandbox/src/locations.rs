//! Location-level reads sync needs: the location itself, its custom fields
//! and its tags.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::auth::{Access, V2021_07_28};
use super::errors::ApiResult;
use super::render;
use super::Sandbox;

const LOCATION: Access = Access::new(V2021_07_28, "locations.readonly");
const CUSTOM_FIELDS: Access = Access::new(V2021_07_28, "locations/customFields.readonly");
const TAGS: Access = Access::new(V2021_07_28, "locations/tags.readonly");

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/locations/{location_id}", get(location))
        .route("/locations/{location_id}/customFields", get(custom_fields))
        .route("/locations/{location_id}/tags", get(tags))
}

async fn location(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path(location_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, LOCATION)?;
    grant.require_location(&location_id)?;
    let company_id = sandbox.shared.store.read().company_id.clone();
    sandbox.look(&location_id, |location| {
        let info = &location.info;
        let slug = info.name.to_lowercase().replace([' ', '&'], "");
        Ok(Json(json!({ "location": {
            "id": info.id,
            "companyId": company_id,
            "name": info.name,
            "city": info.city,
            "state": info.state,
            "country": "US",
            "timezone": info.timezone,
            "website": format!("https://{slug}.example.com"),
            "email": format!("frontdesk@{slug}.example.com"),
        }})))
    })
}

async fn custom_fields(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path(location_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, CUSTOM_FIELDS)?;
    grant.require_location(&location_id)?;
    sandbox.look(&location_id, |location| {
        let fields: Vec<Value> = location
            .custom_fields
            .iter()
            .enumerate()
            .map(|(position, field)| render::custom_field(field, &location_id, position))
            .collect();
        Ok(Json(json!({ "customFields": fields })))
    })
}

async fn tags(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path(location_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, TAGS)?;
    grant.require_location(&location_id)?;
    sandbox.look(&location_id, |location| {
        let tags: Vec<Value> = location
            .tags
            .iter()
            .map(|tag| json!({"id": tag.id, "name": tag.name, "locationId": location_id}))
            .collect();
        Ok(Json(json!({ "tags": tags })))
    })
}
