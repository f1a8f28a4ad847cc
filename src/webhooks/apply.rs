//! Applying one event to the cache, through `crate::cache` like every other
//! writer. Applying the same event twice leaves the cache as applying it once.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use sqlx::PgConnection;

use super::kinds::Kind;
use super::store::ClaimedEvent;
use crate::cache::{self, AppointmentRecord, Cached, ContactRecord, NoteRecord, TaskRecord};

/// What applying an event did, or why it was not applied.
#[derive(Debug)]
pub enum Applied {
    /// The outcome shown on the Events page.
    Done(Value),
    Ignored(String),
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The database failed: worth another attempt.
    #[error("the database failed: {0}")]
    Database(#[from] sqlx::Error),
    /// The event cannot be applied as it is.
    #[error("{0}")]
    Invalid(String),
}

/// Fields of the envelope rather than of the document they carry.
const ENVELOPE: [&str; 3] = ["type", "webhookId", "timestamp"];

const LIFECYCLE: &str = "app install events change nothing in the cache";

/// Applies `event` inside the caller's transaction.
pub async fn apply(conn: &mut PgConnection, event: &ClaimedEvent) -> Result<Applied, ApplyError> {
    let event_type = event.event_type.as_deref().unwrap_or_default();
    let Some(kind) = Kind::of(event_type) else {
        return Ok(Applied::Ignored("unknown type".into()));
    };
    if kind == Kind::AppLifecycle {
        return Ok(Applied::Ignored(LIFECYCLE.into()));
    }
    let Some(location_id) = event.location_id.as_deref() else {
        return Err(invalid("The event names no location (locationId)."));
    };
    if !team_exists(conn, location_id).await? {
        return Ok(Applied::Ignored(format!(
            "no team uses location {location_id}: sign in from that location to receive its changes"
        )));
    }
    let mut document: Map<String, Value> = serde_json::from_slice(&event.raw_body)
        .map_err(|_| invalid("The stored body is not a JSON object."))?;
    for field in ENVELOPE {
        document.remove(field);
    }
    let at = event.event_at.unwrap_or(event.received_at);
    let outcome = match kind {
        Kind::Contact { partial } => contact(conn, location_id, document, partial).await?,
        Kind::ContactDelete => {
            delete(conn, ContactRecord::TABLE, location_id, &document, at).await?
        }
        Kind::Task { completes } => task(conn, location_id, document, completes, at).await?,
        Kind::TaskDelete => delete(conn, TaskRecord::TABLE, location_id, &document, at).await?,
        Kind::Note => note(conn, location_id, document).await?,
        Kind::NoteDelete => {
            let mut outcome = delete(conn, NoteRecord::TABLE, location_id, &document, at).await?;
            outcome["notesChangedFor"] = json!(document.get("contactId"));
            outcome
        }
        Kind::Appointment => appointment(conn, location_id, &document).await?,
        Kind::AppointmentDelete => {
            let inner = nested_appointment(&document)?;
            delete(conn, AppointmentRecord::TABLE, location_id, inner, at).await?
        }
        Kind::AppLifecycle => return Ok(Applied::Ignored(LIFECYCLE.into())),
    };
    Ok(Applied::Done(outcome))
}

fn invalid(message: &str) -> ApplyError {
    ApplyError::Invalid(message.to_owned())
}

async fn team_exists(conn: &mut PgConnection, location_id: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM teams WHERE location_id = $1)")
        .bind(location_id)
        .fetch_one(conn)
        .await
}

/// The cached document and tags of a contact, locked until the transaction
/// ends so two events of one contact are merged one after the other.
async fn cached_contact(
    conn: &mut PgConnection,
    location_id: &str,
    id: &str,
) -> Result<Option<(Value, Vec<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT raw, tags FROM cache_contacts WHERE location_id = $1 AND id = $2 FOR UPDATE",
    )
    .bind(location_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

async fn contact(
    conn: &mut PgConnection,
    location_id: &str,
    document: Map<String, Value>,
    partial: bool,
) -> Result<Value, ApplyError> {
    let id = document_id(&document)?;
    let cached = cached_contact(conn, location_id, &id).await?;
    let previous_tags = cached.as_ref().map(|(_, tags)| tags.clone());
    let merged = match cached {
        Some((Value::Object(mut raw), _)) if partial => {
            raw.extend(document);
            raw
        }
        _ => document,
    };
    let record = ContactRecord::from_document(location_id, Value::Object(merged))
        .ok_or_else(|| invalid("The contact has no id."))?;
    let (added, removed) = tag_diff(previous_tags.as_deref().unwrap_or_default(), &record.tags);
    let changed = cache::upsert(&mut *conn, std::slice::from_ref(&record)).await?;
    Ok(json!({
        "contactId": id,
        "applied": changed > 0,
        "newContact": previous_tags.is_none(),
        "tagsAdded": added,
        "tagsRemoved": removed,
    }))
}

/// Tags in `now` and not in `before`, and the reverse.
fn tag_diff(before: &[String], now: &[String]) -> (Vec<String>, Vec<String>) {
    let added = now
        .iter()
        .filter(|tag| !before.contains(tag))
        .cloned()
        .collect();
    let removed = before
        .iter()
        .filter(|tag| !now.contains(tag))
        .cloned()
        .collect();
    (added, removed)
}

async fn task(
    conn: &mut PgConnection,
    location_id: &str,
    mut document: Map<String, Value>,
    completes: bool,
    at: DateTime<Utc>,
) -> Result<Value, ApplyError> {
    if completes {
        document.insert("completed".into(), Value::Bool(true));
    }
    let record = TaskRecord::from_document(location_id, Value::Object(document), at)
        .ok_or_else(|| invalid("The task has no id."))?;
    let changed = cache::upsert(&mut *conn, std::slice::from_ref(&record)).await?;
    let mut outcome = json!({
        "taskId": record.id,
        "applied": changed > 0,
        "completed": record.completed,
    });
    match &record.contact_id {
        Some(contact_id) => outcome["contactId"] = json!(contact_id),
        // HighLevel documents contactId on every task event but does not
        // always send it: the task is kept, and the contact already known
        // for it (or the next sync) fills the gap.
        None => {
            outcome["contactMissing"] = json!(
                "The event did not say whose task this is; the task is kept and the next sync fills in the contact."
            )
        }
    }
    Ok(outcome)
}

async fn note(
    conn: &mut PgConnection,
    location_id: &str,
    document: Map<String, Value>,
) -> Result<Value, ApplyError> {
    let record = NoteRecord::from_document(location_id, Value::Object(document))
        .ok_or_else(|| invalid("The note has no id."))?;
    let changed = cache::upsert(&mut *conn, std::slice::from_ref(&record)).await?;
    Ok(json!({
        "noteId": record.id,
        "applied": changed > 0,
        // The sync refreshes this contact's notes when it next runs.
        "notesChangedFor": record.contact_id,
    }))
}

fn nested_appointment(document: &Map<String, Value>) -> Result<&Map<String, Value>, ApplyError> {
    document
        .get("appointment")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("The event has no appointment object."))
}

async fn appointment(
    conn: &mut PgConnection,
    location_id: &str,
    document: &Map<String, Value>,
) -> Result<Value, ApplyError> {
    let inner = nested_appointment(document)?.clone();
    let record = AppointmentRecord::from_document(location_id, Value::Object(inner))
        .ok_or_else(|| invalid("The appointment has no id."))?;
    let changed = cache::upsert(&mut *conn, std::slice::from_ref(&record)).await?;
    Ok(json!({
        "appointmentId": record.id,
        "applied": changed > 0,
        "status": record.status,
    }))
}

/// A soft delete: the row stays, marked deleted at the event's time.
async fn delete(
    conn: &mut PgConnection,
    table: cache::CacheTable,
    location_id: &str,
    document: &Map<String, Value>,
    at: DateTime<Utc>,
) -> Result<Value, ApplyError> {
    let id = document_id(document)?;
    let marked = cache::mark_deleted(
        &mut *conn,
        table,
        location_id,
        std::slice::from_ref(&id),
        at,
    )
    .await?;
    Ok(json!({
        "deleted": id,
        "markedDeleted": marked > 0,
    }))
}

fn document_id(document: &Map<String, Value>) -> Result<String, ApplyError> {
    document
        .get("id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| invalid("The event has no id."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_diff_names_added_and_removed() {
        let before = vec!["vip".to_owned(), "trial".to_owned()];
        let now = vec!["vip".to_owned(), "yoga".to_owned()];
        assert_eq!(
            tag_diff(&before, &now),
            (vec!["yoga".to_owned()], vec!["trial".to_owned()])
        );
    }
}
