//! Businesses of a location.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::auth::{Access, V2021_07_28};
use super::errors::{ApiError, ApiResult};
use super::params::QueryMap;
use super::render;
use super::Sandbox;

const READ: Access = Access::new(V2021_07_28, "businesses.readonly");

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/businesses/", get(list))
        .route("/businesses", get(list))
        .route("/businesses/{business_id}", get(read))
}

async fn list(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, READ)?;
    let location_id = query.require("locationId")?;
    grant.require_location(location_id)?;
    let limit = query.number("limit", 100)?;
    let skip = query.number("skip", 0)?;
    sandbox.look(location_id, |location| {
        let businesses: Vec<Value> = location
            .businesses
            .iter()
            .skip(skip)
            .take(limit)
            .map(|business| render::business(business, location_id))
            .collect();
        Ok(Json(json!({ "businesses": businesses })))
    })
}

async fn read(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path(business_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, READ)?;
    sandbox.look(&grant.location_id, |location| {
        location
            .businesses
            .iter()
            .find(|business| business.id == business_id)
            .map(|business| {
                Json(json!({ "business": render::business(business, &grant.location_id) }))
            })
            .ok_or_else(|| ApiError::BadRequest("Business not found".into()))
    })
}
