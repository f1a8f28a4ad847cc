//! What crosses the wire for the contact workspace: the pages' data, built
//! on the server from the cache and read by the pages in the browser.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Contacts per page of the list.
pub const PAGE_SIZE: u32 = 50;
/// The list counts matches up to this many; beyond it shows "10,000+".
pub const COUNT_CAP: i64 = 10_000;

/// One row of the contact list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactRow {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub source: Option<String>,
    pub assignee: Option<String>,
    pub tags: Vec<String>,
    /// `2026-11-24`.
    pub added: Option<String>,
}

/// A page of the filtered list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactList {
    /// Shared with the page the server keeps: a page viewed again is not copied.
    pub rows: Arc<[ContactRow]>,
    /// Matches, counted up to [`COUNT_CAP`] + 1.
    pub total: i64,
    pub page: u32,
    pub can_write: bool,
}

/// What the filter drop-downs offer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FilterChoices {
    pub tags: Vec<String>,
    pub sources: Vec<String>,
    /// HighLevel users: (id, name).
    pub users: Vec<(String, String)>,
}

/// What a tag change on many contacts did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkTagOutcome {
    pub changed: usize,
    /// Plain-words reasons for the contacts HighLevel did not change.
    pub failures: Vec<String>,
}

/// A contact's page: its fields and everything that happened with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactDetail {
    pub id: String,
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub company: Option<String>,
    pub source: String,
    pub contact_type: Option<String>,
    /// City, state, country.
    pub place: Option<String>,
    pub website: Option<String>,
    pub timezone: Option<String>,
    pub dnd: bool,
    pub assigned_to: Option<String>,
    pub assignee: Option<String>,
    pub tags: Vec<String>,
    /// (field name, value) pairs.
    pub custom_fields: Vec<(String, String)>,
    pub added: Option<String>,
    pub updated: Option<String>,
    pub timeline: Vec<TimelineItem>,
    /// HighLevel users: (id, name).
    pub users: Vec<(String, String)>,
    pub can_write: bool,
    /// Why notes could not be loaded from HighLevel, if they could not.
    pub notes_problem: Option<String>,
}

/// What a timeline entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimelineKind {
    Task,
    Note,
    Appointment,
}

/// One entry of a contact's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineItem {
    pub kind: TimelineKind,
    pub id: String,
    pub title: String,
    pub body: String,
    /// When it happens or happened, as pages show it.
    pub at: Option<String>,
    /// Tasks: the due moment as a `datetime-local` input takes it.
    pub due_input: String,
    pub completed: bool,
    pub overdue: bool,
    /// Appointments: HighLevel's status; tasks: "" .
    pub status: String,
    pub assigned_to: Option<String>,
    pub assignee: Option<String>,
    pub calendar: Option<String>,
}

/// Tasks on one page of the list.
pub const TASK_PAGE: i64 = 50;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskItem {
    pub id: String,
    pub contact_id: Option<String>,
    pub contact_name: Option<String>,
    pub title: String,
    pub body: String,
    pub due: Option<String>,
    pub overdue: bool,
    pub completed: bool,
    pub assignee: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskList {
    pub tasks: Vec<TaskItem>,
    /// Open tasks that match, overdue ones among them.
    pub open: i64,
    pub overdue: i64,
    /// From 0.
    pub page: u32,
    /// Whether a next page has tasks.
    pub more: bool,
    pub can_write: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentItem {
    pub id: String,
    pub title: String,
    /// `09:00–10:00`.
    pub time: String,
    pub status: String,
    pub contact_id: Option<String>,
    pub contact_name: Option<String>,
    pub calendar: Option<String>,
    pub assignee: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentDay {
    /// `Monday 30 November`.
    pub label: String,
    pub today: bool,
    pub appointments: Vec<AppointmentItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentWeek {
    /// Weeks from the current one (0 = this week).
    pub week: i32,
    /// `30 Nov – 6 Dec 2026`.
    pub label: String,
    /// Days with appointments only.
    pub days: Vec<AppointmentDay>,
    pub total: usize,
}
