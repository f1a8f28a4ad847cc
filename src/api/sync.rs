//! The Sync page's server functions: where the sync stands (every role),
//! "Sync now" and the poll interval (owners and admins).

use leptos::prelude::*;

use crate::app_error::AppError;

use crate::sync::SyncOverview;

/// The current run, the history, the rate budget and the settings of the
/// caller's location.
#[server(endpoint = "sync/overview", output = crate::api::codec::JsonText)]
pub async fn get_sync_overview() -> Result<SyncOverview, AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    let (state, caller) = guard::require(Role::Viewer).await?;
    crate::sync::overview(
        &state.db,
        &caller.who.location_id,
        caller.zone,
        caller.role().can_manage(),
    )
    .await
    .map_err(AppError::from)
}

/// Starts a sync of the caller's location in the background: a full sync
/// if the location was never synced, else a poll.
#[server(endpoint = "sync/now", output = crate::api::codec::JsonText)]
pub async fn sync_now() -> Result<(), AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;
    use crate::sync::{SyncError, SyncKind};

    let (state, caller) = guard::require(Role::Admin).await?;
    let location_id = caller.who.location_id.clone();
    let state = &state;
    let never_synced = crate::sync::last_synced_at(&state.db, &location_id)
        .await?
        .is_none();
    let kind = if never_synced {
        SyncKind::Full
    } else {
        SyncKind::Incremental
    };
    let engine = crate::sync::engine_for(
        &state.db,
        state.highlevel.api_base.clone(),
        state.connection_tokens(),
    )
    .map_err(|error| {
        tracing::error!(%error, "starting a sync");
        AppError::Unavailable("The sync could not be started.".into())
    })?;
    tracing::info!(location = %location_id, user_id = caller.who.user_id, kind = kind.as_str(), "sync requested");
    tokio::spawn(async move {
        match engine.run(&location_id, kind, "manual").await {
            Ok(_) | Err(SyncError::Busy) => {}
            Err(error) => tracing::warn!(location = %location_id, %error, "requested sync"),
        }
    });
    Ok(())
}

/// Sets the minutes between two polls of the caller's location (1 to 15).
#[server(endpoint = "sync/poll-interval", output = crate::api::codec::JsonText)]
pub async fn set_poll_interval(minutes: u32) -> Result<(), AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    let (state, caller) = guard::require(Role::Admin).await?;
    crate::sync::set_poll_minutes(&state.db, &caller.who.location_id, minutes)
        .await
        .map_err(AppError::invalid)
}
