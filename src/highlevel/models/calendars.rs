//! Calendars and their events (`Version: 2021-04-15`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Extra;

/// `CalendarDTO`, with the fields this app reads; the many booking settings
/// stay in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Calendar {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub location_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub is_active: Option<bool>,
    #[serde(default)]
    pub calendar_type: Option<String>,
    #[serde(default)]
    pub event_type: Option<String>,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub team_members: Vec<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `CalendarsGetSuccessfulResponseDTO`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CalendarsResponse {
    #[serde(default)]
    pub calendars: Vec<Calendar>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `CreatedOrUpdatedBy`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedBy {
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
}

/// `CalendarEventDTO`. The document types the times as `object`, its examples
/// are ISO-8601 strings, and `isRecurring` examples are strings: those fields
/// stay JSON rather than failing on either form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalendarEvent {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub calendar_id: Option<String>,
    #[serde(default)]
    pub location_id: Option<String>,
    #[serde(default)]
    pub contact_id: Option<String>,
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(default)]
    pub appointment_status: Option<String>,
    #[serde(default)]
    pub assigned_user_id: Option<String>,
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub is_recurring: Option<Value>,
    #[serde(default)]
    pub rrule: Option<String>,
    #[serde(default)]
    pub start_time: Option<Value>,
    #[serde(default)]
    pub end_time: Option<Value>,
    #[serde(default)]
    pub date_added: Option<Value>,
    #[serde(default)]
    pub date_updated: Option<Value>,
    #[serde(default)]
    pub assigned_resources: Vec<String>,
    #[serde(default)]
    pub created_by: Option<CreatedBy>,
    #[serde(default)]
    pub master_event_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `GetCalendarEventsSuccessfulResponseDTO`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CalendarEventsResponse {
    #[serde(default)]
    pub events: Vec<CalendarEvent>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `GetCalendarEventSuccessfulResponseDTO`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CalendarEventResponse {
    pub event: CalendarEvent,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Which events to list: the location, the window in epoch milliseconds, and
/// one of a calendar, a user or a calendar group (the document requires one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEventsQuery {
    pub location_id: String,
    pub start_time_ms: i64,
    pub end_time_ms: i64,
    pub owner: EventOwner,
}

/// The one filter `GET /calendars/events` needs besides the location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventOwner {
    Calendar(String),
    User(String),
    Group(String),
}
