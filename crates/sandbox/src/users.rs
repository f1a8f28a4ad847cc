//! Users of a location: `GET /users/search`, `GET /users/{userId}` and the
//! deprecated `GET /users/`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::auth::{Access, V2021_07_28};
use super::errors::{ApiError, ApiResult};
use super::params::QueryMap;
use super::render;
use super::Sandbox;

const READ: Access = Access::new(V2021_07_28, "users.readonly");

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/users/search", get(search))
        .route("/users/", get(by_location))
        .route("/users", get(by_location))
        .route("/users/{user_id}", get(read))
}

async fn read(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    axum::extract::Path(user_id): axum::extract::Path<String>,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, READ)?;
    sandbox.look(&grant.location_id, |location| {
        location
            .users
            .iter()
            .find(|user| user.id == user_id)
            .map(|user| Json(render::user(user, &grant.location_id)))
            .ok_or_else(|| ApiError::BadRequest("User not found".into()))
    })
}

/// `companyId` is required; a location token may only look at its location.
async fn search(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, READ)?;
    let company_id = query.require("companyId")?;
    if company_id != sandbox.shared.store.read().company_id {
        return Err(ApiError::Forbidden(
            "The token does not have access to this company".into(),
        ));
    }
    let location_id = query.get("locationId").unwrap_or(&grant.location_id);
    grant.require_location(location_id)?;
    let skip = query.number("skip", 0)?;
    let limit = query.number("limit", 25)?;
    let text = query.get("query").map(str::to_lowercase);
    let ids: Option<Vec<&str>> = query.get("ids").map(|ids| ids.split(',').collect());
    sandbox.look(location_id, |location| {
        let matching: Vec<Value> = location
            .users
            .iter()
            .filter(|user| {
                ids.as_ref()
                    .is_none_or(|ids| ids.contains(&user.id.as_str()))
            })
            .filter(|user| query.get("role").is_none_or(|role| role == user.role))
            .filter(|user| {
                text.as_deref().is_none_or(|text| {
                    format!("{} {} {}", user.first_name, user.last_name, user.email)
                        .to_lowercase()
                        .contains(text)
                })
            })
            .map(|user| render::user(user, location_id))
            .collect();
        let count = matching.len();
        let users: Vec<Value> = matching.into_iter().skip(skip).take(limit).collect();
        Ok(Json(json!({ "users": users, "count": count })))
    })
}

async fn by_location(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, READ)?;
    let location_id = query.require("locationId")?;
    grant.require_location(location_id)?;
    sandbox.look(location_id, |location| {
        let users: Vec<Value> = location
            .users
            .iter()
            .map(|user| render::user(user, location_id))
            .collect();
        Ok(Json(json!({ "users": users })))
    })
}
