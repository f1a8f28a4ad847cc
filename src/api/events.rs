//! The Events page: the HighLevel webhooks the team received, how each was
//! handled, its body, and retrying a failed one.
//!
//! Answers never carry request headers: only the name of the signature
//! scheme that was checked.

use leptos::prelude::*;

use crate::app_error::AppError;
use serde::{Deserialize, Serialize};

/// One received webhook as the page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventView {
    pub id: i64,
    /// `2026-11-24 19:02:03 CST`, in the team's time zone.
    pub received_at: String,
    pub event_type: String,
    pub location_id: Option<String>,
    /// `Ed25519`, `RSA`, or `Unsigned` when the request carried no signature.
    pub signature: String,
    pub verified: bool,
    /// queued, processing, done, failed, rejected or ignored.
    pub status: String,
    /// Why it was rejected, ignored or failed; empty otherwise.
    pub problem: String,
    /// What applying it changed, in words.
    pub outcome: String,
    pub attempts: i32,
    /// Whether the caller may put it back in the queue.
    pub can_retry: bool,
}

/// The page's data: the events, the types to filter by, and the URL to
/// give HighLevel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventsOverview {
    pub events: Vec<EventView>,
    pub types: Vec<String>,
    pub webhook_url: String,
    /// Whether any event exists for the caller at all, filters aside.
    pub any: bool,
}

/// The body of one event, pretty-printed when it is JSON, and its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventDetail {
    pub body: String,
    pub outcome: Option<String>,
}

/// Most events listed at once.
pub const PAGE_SIZE: i64 = 200;

#[server(endpoint = "events/list", output = crate::api::codec::JsonText)]
pub async fn list_events(
    status: Option<String>,
    event_type: Option<String>,
) -> Result<EventsOverview, AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;
    use crate::webhooks::store;

    let (state, caller) = guard::require(Role::Viewer).await?;
    let manager = caller.role().can_manage();
    let location = &caller.who.location_id;
    let filter = store::Filter {
        status: status.filter(|s| !s.is_empty()),
        event_type: event_type.filter(|t| !t.is_empty()),
        limit: PAGE_SIZE,
    };
    let db = &state.db;
    let rows = store::list(db, location, &filter).await?;
    let types = store::types(db, location).await?;
    let any = !types.is_empty() || !rows.is_empty() || has_any(db, location).await?;
    Ok(EventsOverview {
        events: rows
            .into_iter()
            .map(|row| view(row, manager, caller.zone))
            .collect(),
        types,
        webhook_url: webhook_url(&state.highlevel.redirect_uri),
        any,
    })
}

/// The stored body of one event the caller sees.
#[server(endpoint = "events/body", output = crate::api::codec::JsonText)]
pub async fn event_body(id: i64) -> Result<EventDetail, AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    let (state, caller) = guard::require(Role::Viewer).await?;
    let (raw, outcome) = crate::webhooks::store::body(&state.db, &caller.who.location_id, id)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such event.".into()))?;
    Ok(EventDetail {
        body: crate::format::pretty_json(&raw),
        outcome: outcome.and_then(|value| serde_json::to_string_pretty(&value).ok()),
    })
}

/// Puts a failed event back in the queue (owners and admins).
#[server(endpoint = "events/retry", output = crate::api::codec::JsonText)]
pub async fn retry_event(id: i64) -> Result<(), AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    let (state, caller) = guard::require(Role::Admin).await?;
    let queued = crate::webhooks::store::retry(&state.db, &caller.who.location_id, id).await?;
    if !queued {
        return Err(AppError::invalid(
            "Only a failed event can be retried, and this one is not failed (any more).",
        ));
    }
    tracing::info!(
        event = id,
        user_id = caller.who.user_id,
        "webhook event queued again"
    );
    Ok(())
}

#[cfg(feature = "ssr")]
async fn has_any(db: &sqlx::PgPool, location: &str) -> Result<bool, AppError> {
    let filter = crate::webhooks::store::Filter {
        limit: 1,
        ..Default::default()
    };
    let rows = crate::webhooks::store::list(db, location, &filter).await?;
    Ok(!rows.is_empty())
}

/// The app's own address (the redirect URL points at it) + the webhook path.
#[cfg(feature = "ssr")]
fn webhook_url(redirect_uri: &str) -> String {
    format!(
        "{}{}",
        crate::config::origin_of(redirect_uri),
        crate::webhooks::PATH
    )
}

#[cfg(feature = "ssr")]
fn view(
    row: crate::webhooks::store::Listed,
    manager: bool,
    zone: crate::zone::TeamZone,
) -> EventView {
    let signature = match row.signature_scheme.as_deref() {
        Some("ed25519") => "Ed25519",
        Some("rsa") => "RSA",
        _ => "Unsigned",
    };
    use crate::webhooks::store::EventStatus;
    let problem = match row.status {
        EventStatus::Failed | EventStatus::Queued => row.error.unwrap_or_default(),
        _ => row.status_detail,
    };
    EventView {
        id: row.id,
        received_at: zone.to_the_second(row.received_at),
        event_type: row.event_type.unwrap_or_else(|| "(no type)".into()),
        location_id: row.location_id,
        signature: signature.into(),
        verified: row.verified,
        can_retry: manager && row.status == EventStatus::Failed,
        status: row.status.as_str().to_owned(),
        problem,
        outcome: row.outcome.as_ref().map(describe).unwrap_or_default(),
        attempts: row.attempts,
    }
}

/// The outcome in words: what changed in the cache.
#[cfg(feature = "ssr")]
fn describe(outcome: &serde_json::Value) -> String {
    use serde_json::Value;
    let list = |name: &str| crate::cache::text_list(outcome, name);
    let mut parts = Vec::new();
    if outcome.get("deleted").is_some() {
        parts.push("Marked deleted".to_owned());
    } else if outcome.get("newContact").and_then(Value::as_bool) == Some(true) {
        parts.push("New contact cached".to_owned());
    } else if outcome.get("applied").and_then(Value::as_bool) == Some(false) {
        parts.push("Already up to date".to_owned());
    } else {
        parts.push("Cache updated".to_owned());
    }
    let (added, removed) = (list("tagsAdded"), list("tagsRemoved"));
    if !added.is_empty() {
        parts.push(format!("tags added: {}", added.join(", ")));
    }
    if !removed.is_empty() {
        parts.push(format!("tags removed: {}", removed.join(", ")));
    }
    if outcome.get("completed").and_then(Value::as_bool) == Some(true) {
        parts.push("task completed".to_owned());
    }
    if let Some(note) = outcome.get("contactMissing").and_then(Value::as_str) {
        parts.push(note.to_owned());
    }
    parts.join("; ")
}

/// JSON bodies indented; anything else as text.
#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn the_webhook_url_is_on_the_apps_own_origin() {
        assert_eq!(
            webhook_url("https://hub.example.com/auth/callback"),
            "https://hub.example.com/webhooks/highlevel"
        );
        assert_eq!(
            webhook_url("http://127.0.0.1:3000/auth/callback"),
            "http://127.0.0.1:3000/webhooks/highlevel"
        );
    }

    #[test]
    fn a_tag_change_is_described() {
        let outcome = serde_json::json!({"applied": true, "newContact": false, "tagsAdded": ["vip"], "tagsRemoved": ["trial"]});
        assert_eq!(
            describe(&outcome),
            "Cache updated; tags added: vip; tags removed: trial"
        );
    }
}
