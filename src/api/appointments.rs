//! Appointments: the team's week, day by day.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

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

/// The appointments of the week `week` weeks from this one (in the team's
/// time zone, Monday first).
/// This week starts today: what is over is not upcoming.
#[server(endpoint = "appointments/week")]
pub async fn appointments_week(week: i32) -> Result<AppointmentWeek, ServerFnError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    let caller = guard::require(Role::Viewer).await?;
    if !(-520..=520).contains(&week) {
        return Err(guard::bad_request(
            "Choose a week within ten years of today.",
        ));
    }
    crate::workspace::appointments::week(
        &caller.state.db,
        &caller.who.location_id,
        caller.zone,
        week,
    )
    .await
    .map_err(guard::database)
}
