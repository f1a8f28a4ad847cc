//! The bell: how many alerts the signed-in person has not read, and the
//! newest of them (opening the bell marks them read).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::app_error::AppError;

/// One alert behind the bell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertItem {
    pub id: i64,
    pub title: String,
    pub body: String,
    /// When, in the team's time zone.
    pub when: String,
    /// The run that raised it, to open.
    pub run_id: Option<i64>,
    /// For this person alone, not the whole team.
    pub personal: bool,
    pub unread: bool,
}

#[server(endpoint = "alerts/unread", output = crate::api::codec::JsonText)]
pub async fn unread_alerts() -> Result<i64, AppError> {
    use crate::auth::roles::Role;
    let (state, caller) = crate::api::guard::require(Role::Viewer).await?;
    Ok(crate::alerts::unread(&state.db, &caller.who.location_id, caller.who.user_id).await?)
}

/// The newest alerts, which are then read.
#[server(endpoint = "alerts/open", output = crate::api::codec::JsonText)]
pub async fn open_alerts() -> Result<Vec<AlertItem>, AppError> {
    use crate::auth::roles::Role;
    let (state, caller) = crate::api::guard::require(Role::Viewer).await?;
    let location_id = &caller.who.location_id;
    let user_id = caller.who.user_id;
    let recent = crate::alerts::recent(&state.db, location_id, user_id, 20).await?;
    if let Some(newest) = recent.first() {
        crate::alerts::mark_read(&state.db, location_id, user_id, newest.id).await?;
    }
    Ok(recent
        .into_iter()
        .map(|alert| AlertItem {
            id: alert.id,
            title: alert.title,
            body: alert.body,
            when: caller.zone.moment(alert.created_at),
            run_id: alert.run_id,
            personal: alert.personal,
            unread: alert.unread,
        })
        .collect())
}
