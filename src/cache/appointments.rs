//! Appointments: a calendar event (`CalendarEventDTO`), a contact's
//! appointment (`GetEventSchema`), or the `appointment` of an Appointment*
//! webhook payload.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::time::parse_time;
use super::upsert::{CacheTable, Cached};
use super::{document_id, text};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppointmentRecord {
    pub location_id: String,
    pub id: String,
    pub calendar_id: Option<String>,
    pub contact_id: Option<String>,
    pub title: String,
    pub status: String,
    pub assigned_user_id: Option<String>,
    pub start_time: Option<DateTime<Utc>>,
    pub end_time: Option<DateTime<Utc>>,
    pub raw: Value,
    pub date_added: Option<DateTime<Utc>>,
    pub date_updated: Option<DateTime<Utc>>,
}

impl Cached for AppointmentRecord {
    const TABLE: CacheTable = CacheTable::new(
        "cache_appointments",
        &[
            "location_id",
            "id",
            "calendar_id",
            "contact_id",
            "title",
            "status",
            "assigned_user_id",
            "start_time",
            "end_time",
            "raw",
            "date_added",
            "date_updated",
        ],
    )
    .versioned();
}

impl AppointmentRecord {
    /// The record of a HighLevel appointment document. `None` without an id.
    pub fn from_document(location_id: &str, raw: Value) -> Option<Self> {
        let field = |name: &str| text(&raw, name);
        let time = |name: &str| raw.get(name).and_then(parse_time);
        Some(Self {
            location_id: field("locationId").unwrap_or_else(|| location_id.to_owned()),
            id: document_id(&raw)?,
            calendar_id: field("calendarId"),
            contact_id: field("contactId"),
            title: field("title").unwrap_or_default(),
            status: field("appointmentStatus")
                .or_else(|| field("status"))
                .unwrap_or_else(|| "new".to_owned()),
            assigned_user_id: field("assignedUserId"),
            start_time: time("startTime"),
            end_time: time("endTime"),
            date_added: time("dateAdded"),
            date_updated: time("dateUpdated"),
            raw,
        })
    }

    /// The record of a typed appointment answer of the client.
    pub fn from_model(location_id: &str, event: &impl Serialize) -> Option<Self> {
        Self::from_document(location_id, serde_json::to_value(event).ok()?)
    }
}
