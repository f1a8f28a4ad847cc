//! Appointments: the team's week, day by day.

use leptos::prelude::*;

use crate::app_error::AppError;
use crate::workspace::model::AppointmentWeek;

/// The appointments of the week `week` weeks from this one (in the team's
/// time zone, Monday first).
/// This week starts today: what is over is not upcoming.
#[server(endpoint = "appointments/week", output = crate::api::codec::JsonText)]
pub async fn appointments_week(week: i32) -> Result<AppointmentWeek, AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    let (state, caller) = guard::require(Role::Viewer).await?;
    if !(-520..=520).contains(&week) {
        return Err(AppError::invalid(
            "Choose a week within ten years of today.",
        ));
    }
    crate::workspace::appointments::week(&state.db, &caller.who.location_id, caller.zone, week)
        .await
        .map_err(AppError::from)
}
