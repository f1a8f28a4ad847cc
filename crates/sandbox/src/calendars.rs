//! Calendars and their events (`Version: 2021-04-15`, like every calendars
//! operation).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::auth::{Access, V2021_04_15};
use super::errors::{ApiError, ApiResult};
use super::params::QueryMap;
use super::render;
use super::Sandbox;

const CALENDARS: Access = Access::new(V2021_04_15, "calendars.readonly");
const EVENTS: Access = Access::new(V2021_04_15, "calendars/events.readonly");

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/calendars/", get(calendars))
        .route("/calendars", get(calendars))
        .route("/calendars/events", get(events))
        .route("/calendars/events/appointments/{event_id}", get(event))
}

async fn event(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    axum::extract::Path(event_id): axum::extract::Path<String>,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, EVENTS)?;
    sandbox.look(&grant.location_id, |location| {
        location
            .appointments
            .get(&event_id)
            .map(|appointment| Json(json!({ "event": render::calendar_event(appointment) })))
            .ok_or_else(|| ApiError::NotFound("Event not found".into()))
    })
}

async fn calendars(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, CALENDARS)?;
    let location_id = query.require("locationId")?;
    grant.require_location(location_id)?;
    sandbox.look(location_id, |location| {
        let calendars: Vec<Value> = location
            .calendars
            .iter()
            .filter(|calendar| {
                query
                    .get("groupId")
                    .is_none_or(|group| group == calendar.group_id)
            })
            .map(|calendar| render::calendar(calendar, location_id))
            .collect();
        Ok(Json(json!({ "calendars": calendars })))
    })
}

fn millis(query: &QueryMap, key: &str) -> ApiResult<i64> {
    query
        .require(key)?
        .parse()
        .map_err(|_| ApiError::unprocessable(format!("{key} must be a number of milliseconds")))
}

/// Every event that starts in the window, for one calendar, user or group;
/// there is no paging.
async fn events(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, EVENTS)?;
    let location_id = query.require("locationId")?;
    grant.require_location(location_id)?;
    let start = millis(&query, "startTime")?;
    let end = millis(&query, "endTime")?;
    let calendar = query.get("calendarId");
    let user = query.get("userId");
    let group = query.get("groupId");
    if calendar.is_none() && user.is_none() && group.is_none() {
        return Err(ApiError::unprocessable(
            "Either of calendarId, userId or groupId is required",
        ));
    }
    sandbox.look(location_id, |location| {
        let mut found: Vec<_> = location
            .appointments
            .values()
            .filter(|a| calendar.is_none_or(|id| id == a.calendar_id))
            .filter(|a| user.is_none_or(|id| id == a.assigned_user_id))
            .filter(|a| group.is_none_or(|id| id == a.group_id))
            .filter(|a| (start..=end).contains(&a.start_time.timestamp_millis()))
            .collect();
        found.sort_by_key(|a| (a.start_time, a.id.clone()));
        let events: Vec<Value> = found.into_iter().map(render::calendar_event).collect();
        Ok(Json(json!({ "events": events })))
    })
}
