//! Writes of the workspace: each goes to HighLevel first, and the cache is
//! then updated from HighLevel's answer (or marked deleted once HighLevel
//! confirms a delete). A failure says in plain words what happened.

use axum::http::StatusCode;
use chrono::Utc;
use leptos::prelude::ServerFnError;
use serde_json::Value;

use crate::api::contacts::BulkTagOutcome;
use crate::api::guard::{self, Caller};
use crate::cache::{self, Cached, ContactRecord, NoteRecord, TaskRecord};
use crate::highlevel::{HighLevelClient, HighLevelError};

/// The caller's team as the writes need it: its database, location and client.
pub struct Team {
    pub db: sqlx::PgPool,
    pub location_id: String,
    pub client: HighLevelClient,
    pub zone: crate::zone::TeamZone,
}

impl Team {
    pub fn of(caller: &Caller) -> Result<Self, ServerFnError> {
        Ok(Self {
            db: caller.state.db.clone(),
            location_id: caller.who.location_id.clone(),
            client: crate::api::highlevel::team_client(&caller.state)?,
            zone: caller.zone,
        })
    }
}

/// HighLevel's refusal in plain words, answered with a status that fits it.
pub fn refused(error: &HighLevelError) -> ServerFnError {
    let status = match error {
        HighLevelError::MissingScope { .. } | HighLevelError::Forbidden { .. } => {
            StatusCode::FORBIDDEN
        }
        HighLevelError::Invalid { .. } | HighLevelError::BadRequest { .. } => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        HighLevelError::NotFound { .. } => StatusCode::NOT_FOUND,
        HighLevelError::RateLimited { .. }
        | HighLevelError::BudgetSpent { .. }
        | HighLevelError::DailyBudgetSpent { .. } => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::BAD_GATEWAY,
    };
    tracing::warn!(%error, "HighLevel refused a write");
    guard::refuse(status, &error.user_message())
}

/// Caches a contact answer of HighLevel.
pub async fn cache_contact(
    team: &Team,
    contact: &impl serde::Serialize,
) -> Result<(), ServerFnError> {
    let record = ContactRecord::from_model(&team.location_id, contact)
        .ok_or_else(|| ServerFnError::new("HighLevel's answer had no contact id"))?;
    cache::upsert(&team.db, &[record])
        .await
        .map_err(guard::database)?;
    Ok(())
}

/// Caches the tags HighLevel answered for a contact, on top of what the
/// cache knows of it; a contact the cache does not hold yet is read whole.
pub async fn cache_tags(
    team: &Team,
    contact_id: &str,
    tags: &[String],
) -> Result<(), ServerFnError> {
    let raw: Option<Value> =
        sqlx::query_scalar("SELECT raw FROM cache_contacts WHERE location_id = $1 AND id = $2")
            .bind(&team.location_id)
            .bind(contact_id)
            .fetch_optional(&team.db)
            .await
            .map_err(guard::database)?;
    match raw {
        Some(mut raw) => {
            raw["tags"] = Value::from(tags.to_vec());
            let record = ContactRecord::from_document(&team.location_id, raw)
                .ok_or_else(|| ServerFnError::new("the cached contact has no id"))?;
            cache::upsert(&team.db, &[record])
                .await
                .map_err(guard::database)?;
            Ok(())
        }
        None => {
            let answer = team
                .client
                .get_contact(&team.location_id, contact_id)
                .await
                .map_err(|error| ServerFnError::new(error.user_message()))?;
            cache_contact(team, &answer.contact).await
        }
    }
}

/// Adds or removes one tag on one contact in HighLevel, then caches the
/// contact's tags as HighLevel answered them.
pub async fn retag(
    team: &Team,
    contact_id: &str,
    tag: &str,
    add: bool,
) -> Result<(), ServerFnError> {
    let tags = send_tag(team, contact_id, tag, add)
        .await
        .map_err(|error| refused(&error))?;
    cache_tags(team, contact_id, &tags).await
}

async fn send_tag(
    team: &Team,
    contact_id: &str,
    tag: &str,
    add: bool,
) -> Result<Vec<String>, HighLevelError> {
    let tags = [tag.to_owned()];
    let answer = if add {
        team.client
            .add_tags(&team.location_id, contact_id, &tags)
            .await
    } else {
        team.client
            .remove_tags(&team.location_id, contact_id, &tags)
            .await
    }?;
    Ok(answer.tags)
}

/// [`retag`] for each contact; one contact's failure does not stop the
/// others. When none could be changed, the first reason is the answer.
pub async fn retag_many(
    caller: &Caller,
    contact_ids: &[String],
    tag: &str,
    add: bool,
) -> Result<BulkTagOutcome, ServerFnError> {
    let team = Team::of(caller)?;
    let mut changed = 0;
    let mut refusals = Vec::new();
    for contact_id in contact_ids {
        match send_tag(&team, contact_id, tag, add).await {
            Ok(tags) => {
                cache_tags(&team, contact_id, &tags).await?;
                changed += 1;
            }
            Err(error) => refusals.push(error),
        }
    }
    if changed == 0 {
        if let Some(first) = refusals.first() {
            return Err(refused(first));
        }
    }
    let mut failures: Vec<String> = refusals.iter().map(HighLevelError::user_message).collect();
    failures.dedup();
    Ok(BulkTagOutcome { changed, failures })
}

pub async fn cache_task(team: &Team, task: &impl serde::Serialize) -> Result<(), ServerFnError> {
    let record = TaskRecord::from_model(&team.location_id, task, Utc::now())
        .ok_or_else(|| ServerFnError::new("HighLevel's answer had no task id"))?;
    cache::upsert(&team.db, &[record])
        .await
        .map_err(guard::database)?;
    Ok(())
}

pub async fn cache_notes(
    team: &Team,
    notes: &[impl serde::Serialize],
) -> Result<(), ServerFnError> {
    let records: Vec<NoteRecord> = notes
        .iter()
        .filter_map(|note| NoteRecord::from_model(&team.location_id, note))
        .collect();
    cache::upsert(&team.db, &records)
        .await
        .map_err(guard::database)?;
    Ok(())
}

/// Marks one row of `T`'s table deleted, after HighLevel confirmed the delete.
pub async fn forget<T: Cached>(team: &Team, id: &str) -> Result<(), ServerFnError> {
    cache::mark_deleted(
        &team.db,
        T::TABLE,
        &team.location_id,
        &[id.to_owned()],
        Utc::now(),
    )
    .await
    .map_err(guard::database)?;
    Ok(())
}

/// A server-function error's message without the framework's prefix.
pub fn plain(message: &str) -> String {
    message
        .trim_start_matches("error running server function: ")
        .to_owned()
}
