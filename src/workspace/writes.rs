//! Writes of the workspace: each goes to HighLevel first, and the cache is
//! then updated from HighLevel's answer (or marked deleted once HighLevel
//! confirms a delete). A failure says in plain words what happened.

use chrono::Utc;
use serde_json::Value;
use sqlx::{PgConnection, PgExecutor};

use super::model::BulkTagOutcome;
use super::{Team, WorkspaceError};
use crate::cache::{self, Cached, ContactRecord, NoteRecord, TaskRecord};
use crate::highlevel::HighLevelError;

/// Caches a contact answer of HighLevel.
pub async fn cache_contact(
    team: &Team,
    contact: &impl serde::Serialize,
) -> Result<(), WorkspaceError> {
    store_contact(&team.db, &team.location_id, contact).await
}

/// [`cache_contact`] on any connection, e.g. in a transaction.
pub async fn store_contact<'e>(
    db: impl PgExecutor<'e>,
    location_id: &str,
    contact: &impl serde::Serialize,
) -> Result<(), WorkspaceError> {
    let record = ContactRecord::from_model(location_id, contact)
        .ok_or(WorkspaceError::Unusable("contact"))?;
    cache::upsert(db, &[record]).await?;
    Ok(())
}

/// Caches the tags HighLevel answered for a contact, on top of what the
/// cache knows of it; a contact the cache does not hold yet is read whole.
pub async fn cache_tags(
    team: &Team,
    contact_id: &str,
    tags: &[String],
) -> Result<(), WorkspaceError> {
    let mut conn = team.db.acquire().await?;
    if store_tags(&mut conn, &team.location_id, contact_id, tags).await? {
        return Ok(());
    }
    let answer = team
        .client
        .get_contact(&team.location_id, contact_id)
        .await?;
    cache_contact(team, &answer.contact).await
}

/// Sets the cached contact's tags; false when the cache does not hold it.
pub async fn store_tags(
    conn: &mut PgConnection,
    location_id: &str,
    contact_id: &str,
    tags: &[String],
) -> Result<bool, WorkspaceError> {
    let tags = Value::from(tags.to_vec());
    store_contact_field(conn, location_id, contact_id, "tags", &tags).await
}

/// Sets one field of the cached contact's HighLevel document (such as its
/// `tags` or `followers`, as HighLevel answered a change of them); false
/// when the cache does not hold the contact.
pub async fn store_contact_field(
    conn: &mut PgConnection,
    location_id: &str,
    contact_id: &str,
    field: &str,
    value: &Value,
) -> Result<bool, WorkspaceError> {
    let raw: Option<Value> =
        sqlx::query_scalar("SELECT raw FROM cache_contacts WHERE location_id = $1 AND id = $2")
            .bind(location_id)
            .bind(contact_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(mut raw) = raw else {
        return Ok(false);
    };
    raw[field] = value.clone();
    let record = ContactRecord::from_document(location_id, raw)
        .ok_or(WorkspaceError::Unusable("contact"))?;
    cache::upsert(conn, &[record]).await?;
    Ok(true)
}

/// Adds or removes one tag on one contact in HighLevel, then caches the
/// contact's tags as HighLevel answered them.
pub async fn retag(
    team: &Team,
    contact_id: &str,
    tag: &str,
    add: bool,
) -> Result<(), WorkspaceError> {
    let tags = send_tag(team, contact_id, tag, add).await?;
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
    team: &Team,
    contact_ids: &[String],
    tag: &str,
    add: bool,
) -> Result<BulkTagOutcome, WorkspaceError> {
    let mut changed = 0;
    let mut refusals = Vec::new();
    for contact_id in contact_ids {
        match send_tag(team, contact_id, tag, add).await {
            Ok(tags) => {
                cache_tags(team, contact_id, &tags).await?;
                changed += 1;
            }
            Err(error) => refusals.push(error),
        }
    }
    if changed == 0 {
        if let Some(first) = refusals.first() {
            return Err(first.clone().into());
        }
    }
    let mut failures: Vec<String> = refusals.iter().map(HighLevelError::user_message).collect();
    failures.dedup();
    Ok(BulkTagOutcome { changed, failures })
}

pub async fn cache_task(team: &Team, task: &impl serde::Serialize) -> Result<(), WorkspaceError> {
    store_task(&team.db, &team.location_id, task).await
}

/// [`cache_task`] on any connection, e.g. in a transaction.
pub async fn store_task<'e>(
    db: impl PgExecutor<'e>,
    location_id: &str,
    task: &impl serde::Serialize,
) -> Result<(), WorkspaceError> {
    let record = TaskRecord::from_model(location_id, task, Utc::now())
        .ok_or(WorkspaceError::Unusable("task"))?;
    cache::upsert(db, &[record]).await?;
    Ok(())
}

pub async fn cache_notes(
    team: &Team,
    notes: &[impl serde::Serialize],
) -> Result<(), WorkspaceError> {
    store_notes(&team.db, &team.location_id, notes).await
}

/// [`cache_notes`] on any connection, e.g. in a transaction.
pub async fn store_notes<'e>(
    db: impl PgExecutor<'e>,
    location_id: &str,
    notes: &[impl serde::Serialize],
) -> Result<(), WorkspaceError> {
    let records: Vec<NoteRecord> = notes
        .iter()
        .filter_map(|note| NoteRecord::from_model(location_id, note))
        .collect();
    cache::upsert(db, &records).await?;
    Ok(())
}

/// Marks one row of `T`'s table deleted, after HighLevel confirmed the delete.
pub async fn forget<T: Cached>(team: &Team, id: &str) -> Result<(), WorkspaceError> {
    cache::mark_deleted(
        &team.db,
        T::TABLE,
        &team.location_id,
        &[id.to_owned()],
        Utc::now(),
    )
    .await?;
    Ok(())
}
