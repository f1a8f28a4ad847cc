//! Notes: a contact's note (`GetNoteSchema`) or a Note* webhook payload.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::time::parse_opt;
use super::upsert::{CacheTable, Cached};
use super::{document_id, text};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoteRecord {
    pub location_id: String,
    pub id: String,
    pub contact_id: Option<String>,
    pub body: String,
    pub title: Option<String>,
    pub user_id: Option<String>,
    pub pinned: bool,
    pub raw: Value,
    pub date_added: Option<DateTime<Utc>>,
}

impl Cached for NoteRecord {
    const TABLE: CacheTable = CacheTable::new(
        "cache_notes",
        &[
            "location_id",
            "id",
            "contact_id",
            "body",
            "title",
            "user_id",
            "pinned",
            "raw",
            "date_added",
        ],
    )
    .merging(&[("contact_id", "coalesce(EXCLUDED.contact_id, t.contact_id)")]);
}

impl NoteRecord {
    /// The record of a HighLevel note document. `None` without an id.
    pub fn from_document(location_id: &str, raw: Value) -> Option<Self> {
        let field = |name: &str| text(&raw, name);
        Some(Self {
            location_id: field("locationId").unwrap_or_else(|| location_id.to_owned()),
            id: document_id(&raw)?,
            contact_id: field("contactId"),
            body: field("body").unwrap_or_default(),
            title: field("title"),
            user_id: field("userId"),
            pinned: raw.get("pinned").and_then(Value::as_bool).unwrap_or(false),
            date_added: parse_opt(field("dateAdded").as_deref()),
            raw,
        })
    }

    /// The record of a typed note answer of the client.
    pub fn from_model(location_id: &str, note: &impl Serialize) -> Option<Self> {
        Self::from_document(location_id, serde_json::to_value(note).ok()?)
    }
}
