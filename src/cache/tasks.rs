//! Tasks: a contact's task (`TaskSchema`), an item of the location task
//! search, or a Task* webhook payload.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::time::{parse_opt, parse_time};
use super::upsert::{CacheTable, Cached};
use super::{document_id, text};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskRecord {
    pub location_id: String,
    pub id: String,
    pub contact_id: Option<String>,
    pub title: String,
    pub body: Option<String>,
    pub assigned_to: Option<String>,
    pub due_date: Option<DateTime<Utc>>,
    pub completed: bool,
    /// When the task was seen completed; kept from the first sighting.
    pub completed_at: Option<DateTime<Utc>>,
    /// `completed_at` is an estimate: the task was already completed when
    /// the first sync read it.
    pub completion_estimated: bool,
    pub raw: Value,
    pub date_added: Option<DateTime<Utc>>,
    pub date_updated: Option<DateTime<Utc>>,
}

impl Cached for TaskRecord {
    const TABLE: CacheTable = CacheTable::new(
        "cache_tasks",
        &[
            "location_id", "id", "contact_id", "title", "body", "assigned_to", "due_date",
            "completed", "completed_at", "completion_estimated", "raw", "date_added",
            "date_updated",
        ],
    )
    .versioned()
    .merging(&[
        // A task keeps its first completion time; reopening clears it.
        (
            "completed_at",
            "CASE WHEN EXCLUDED.completed THEN coalesce(t.completed_at, EXCLUDED.completed_at, now()) END",
        ),
        (
            "completion_estimated",
            "EXCLUDED.completed AND CASE WHEN t.completed_at IS NULL \
             THEN EXCLUDED.completion_estimated ELSE t.completion_estimated END",
        ),
        // A payload without the contact keeps the one already known.
        ("contact_id", "coalesce(EXCLUDED.contact_id, t.contact_id)"),
    ]);
}

impl TaskRecord {
    /// The record of a HighLevel task document. `completed_at` is `seen_at`
    /// when the document says the task is completed. `None` without an id.
    pub fn from_document(location_id: &str, raw: Value, seen_at: DateTime<Utc>) -> Option<Self> {
        let field = |name: &str| text(&raw, name);
        let id = document_id(&raw)?;
        let completed = raw
            .get("completed")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let contact_id = field("contactId").or_else(|| {
            raw.get("contactDetails")
                .and_then(|details| text(details, "id"))
        });
        Some(Self {
            location_id: field("locationId").unwrap_or_else(|| location_id.to_owned()),
            id,
            contact_id,
            title: field("title").unwrap_or_default(),
            body: field("body"),
            assigned_to: field("assignedTo"),
            due_date: raw.get("dueDate").and_then(parse_time),
            completed,
            completed_at: completed.then_some(seen_at),
            completion_estimated: false,
            date_added: parse_opt(field("dateAdded").as_deref()),
            date_updated: parse_opt(field("dateUpdated").as_deref()),
            raw,
        })
    }

    /// This record as read by a team's first sync, which cannot know when
    /// an already completed task was done: it counts as done on its due
    /// date, or when seen if that is earlier, and is marked estimated.
    pub fn completed_before_watching(mut self) -> Self {
        if let Some(seen) = self.completed_at {
            self.completed_at = Some(self.due_date.map_or(seen, |due| due.min(seen)));
            self.completion_estimated = true;
        }
        self
    }

    /// The record of a typed task answer of the client.
    pub fn from_model(
        location_id: &str,
        task: &impl Serialize,
        seen_at: DateTime<Utc>,
    ) -> Option<Self> {
        Self::from_document(location_id, serde_json::to_value(task).ok()?, seen_at)
    }
}
