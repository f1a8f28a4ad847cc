//! A contact's followers and its campaign and workflow memberships.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::contacts::WRITE;
use super::errors::ApiResult;
use super::lookup::contact_mut;
use super::params::{json_object, Fields};
use super::store::Contact;
use super::Sandbox;

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route(
            "/contacts/{contact_id}/followers",
            post(add_followers).delete(remove_followers),
        )
        .route(
            "/contacts/{contact_id}/campaigns/removeAll",
            delete(leave_all_campaigns),
        )
        .route(
            "/contacts/{contact_id}/campaigns/{campaign_id}",
            post(join_campaign).delete(leave_campaign),
        )
        .route(
            "/contacts/{contact_id}/workflow/{workflow_id}",
            post(join_workflow).delete(leave_workflow),
        )
}

async fn add_followers(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path(contact_id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (followers, changed) = change_followers(&sandbox, &headers, &contact_id, &body, true)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "followers": followers, "followersAdded": changed })),
    ))
}

async fn remove_followers(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path(contact_id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let (followers, changed) = change_followers(&sandbox, &headers, &contact_id, &body, false)?;
    Ok(Json(
        json!({ "followers": followers, "followersRemoved": changed }),
    ))
}

fn change_followers(
    sandbox: &Sandbox,
    headers: &HeaderMap,
    contact_id: &str,
    body: &[u8],
    add: bool,
) -> ApiResult<(Vec<String>, Vec<String>)> {
    let grant = sandbox.authorize(headers, WRITE)?;
    let body = json_object(body)?;
    let mut fields = Fields::new(&body);
    let requested = fields.required_strings("followers").unwrap_or_default();
    fields.finish()?;
    sandbox.change_contact(&grant, contact_id, |location, id| {
        let contact = contact_mut(location, id)?;
        let mut changed = Vec::new();
        for follower in requested {
            let known = contact.followers.contains(&follower);
            if add && !known {
                contact.followers.push(follower.clone());
                changed.push(follower);
            } else if !add && known {
                contact.followers.retain(|f| f != &follower);
                changed.push(follower);
            }
        }
        Ok(((contact.followers.clone(), changed), Vec::new()))
    })
}

/// Campaign and workflow membership: recorded on the contact, no event.
fn change_membership(
    sandbox: &Sandbox,
    headers: &HeaderMap,
    contact_id: &str,
    body: &[u8],
    change: impl FnOnce(&mut Contact),
) -> ApiResult<()> {
    let grant = sandbox.authorize(headers, WRITE)?;
    let body = json_object(body)?;
    let mut fields = Fields::new(&body);
    if fields.has("eventStartTime") {
        fields.date("eventStartTime");
    }
    fields.finish()?;
    sandbox.change_contact(&grant, contact_id, |location, id| {
        change(contact_mut(location, id)?);
        Ok(((), Vec::new()))
    })
}

async fn join_campaign(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path((contact_id, campaign_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    change_membership(&sandbox, &headers, &contact_id, &body, |contact| {
        if !contact.campaigns.contains(&campaign_id) {
            contact.campaigns.push(campaign_id);
        }
    })?;
    Ok((StatusCode::CREATED, Json(json!({ "succeded": true }))))
}

async fn leave_campaign(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path((contact_id, campaign_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    change_membership(&sandbox, &headers, &contact_id, &body, |contact| {
        contact.campaigns.retain(|id| id != &campaign_id);
    })?;
    Ok(Json(json!({ "succeded": true })))
}

async fn leave_all_campaigns(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path(contact_id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    change_membership(&sandbox, &headers, &contact_id, &body, |contact| {
        contact.campaigns.clear();
    })?;
    Ok(Json(json!({ "succeded": true })))
}

async fn join_workflow(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path((contact_id, workflow_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    change_membership(&sandbox, &headers, &contact_id, &body, |contact| {
        if !contact.workflows.contains(&workflow_id) {
            contact.workflows.push(workflow_id);
        }
    })?;
    Ok(Json(json!({ "succeded": true })))
}

async fn leave_workflow(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path((contact_id, workflow_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    change_membership(&sandbox, &headers, &contact_id, &body, |contact| {
        contact.workflows.retain(|id| id != &workflow_id);
    })?;
    Ok(Json(json!({ "succeded": true })))
}
