//! The bell: how many alerts the signed-in person has not read, rendered
//! with every page; the newest of them, fetched when the bell opens; and
//! reading them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::app_error::AppError;

/// What the opened bell shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bell {
    pub unread: i64,
    /// The newest first.
    pub recent: Vec<AlertItem>,
}

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

/// How many alerts the caller has not read: all a page needs to render
/// the bell.
#[server(endpoint = "alerts/count", output = crate::api::codec::JsonText)]
pub async fn unread_alerts() -> Result<i64, AppError> {
    use crate::auth::roles::Role;
    let (_, caller) = crate::api::guard::require(Role::Viewer).await?;
    Ok(caller.unread_alerts)
}

/// What the opened bell shows.
#[server(endpoint = "alerts/bell", output = crate::api::codec::JsonText)]
pub async fn bell_alerts() -> Result<Bell, AppError> {
    use crate::auth::roles::Role;
    const BELL_HOLDS: i64 = 20;
    let (state, caller) = crate::api::guard::require(Role::Viewer).await?;
    let recent = crate::alerts::recent(
        &state.db,
        &caller.who.location_id,
        caller.who.user_id,
        BELL_HOLDS,
    )
    .await?
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
    .collect();
    Ok(Bell {
        unread: caller.unread_alerts,
        recent,
    })
}

/// Reads the alerts up to `newest`, the newest one the opened bell showed:
/// one raised since stays unread.
#[server(endpoint = "alerts/read", output = crate::api::codec::JsonText)]
pub async fn read_alerts(newest: i64) -> Result<(), AppError> {
    use crate::auth::roles::Role;
    let (state, caller) = crate::api::guard::require(Role::Viewer).await?;
    let location_id = &caller.who.location_id;
    let user_id = caller.who.user_id;
    // Never past the newest alert there is: later ones must still count.
    let Some(latest) = crate::alerts::recent(&state.db, location_id, user_id, 1)
        .await?
        .first()
        .map(|alert| alert.id)
    else {
        return Ok(());
    };
    crate::alerts::mark_read(&state.db, location_id, user_id, newest.min(latest)).await?;
    Ok(())
}
