//! The one check every server function starts with: who is calling, for
//! which team, and may their role do this.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use leptos::prelude::use_context;
use tokio::sync::OnceCell;

use crate::app_error::AppError;
use crate::auth::roles::Role;
use crate::caller::Caller;
use crate::state::AppState;
use crate::workspace::Team;

/// The server's state, which every server function runs with.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("a server function ran without the server state");
        AppError::Unavailable("The server is not ready yet. Try again in a moment.".into())
    })
}

/// The caller of one request, looked up once: a page runs several server
/// functions while it renders, and each would otherwise read the team
/// membership again. Every request gets a fresh one (`server::router`).
#[derive(Clone, Default)]
pub struct RequestCaller(Arc<OnceCell<Caller>>);

/// The server's state and the caller, known to be signed in with at least
/// the role asked for.
pub async fn require(least: Role) -> Result<(AppState, Caller), AppError> {
    let state = app_state()?;
    let RequestCaller(once) = use_context::<RequestCaller>().unwrap_or_default();
    let caller = once.get_or_try_init(|| look_up(&state)).await?.clone();
    caller.require(least)?;
    Ok((state, caller))
}

async fn look_up(state: &AppState) -> Result<Caller, AppError> {
    let mut parts = use_context::<Parts>().ok_or_else(|| {
        tracing::error!("a server function ran outside a request");
        AppError::Unavailable("The server could not read the request.".into())
    })?;
    Caller::from_request_parts(&mut parts, state).await
}

/// The caller's team as the workspace works with it: its data, and a client
/// that speaks to HighLevel for it.
pub fn team(state: &AppState, caller: &Caller) -> Result<Team, AppError> {
    Ok(Team {
        db: state.db.clone(),
        location_id: caller.who.location_id.clone(),
        client: crate::api::highlevel::team_client(state)?,
        zone: caller.zone,
        user_id: caller.who.user_id,
        can_write: caller.can_write(),
    })
}
