//! The one check every server function starts with: who is calling, for
//! which team, and may their role do this.

use axum::http::StatusCode;
use leptos::prelude::{use_context, ServerFnError};

use crate::auth::roles::Role;
use crate::auth::session::{self, SignedIn};
use crate::server::AppState;

/// The caller, known to be signed in with at least the role asked for.
pub struct Caller {
    pub state: AppState,
    pub who: SignedIn,
    pub role: Role,
}

/// The server's state, which every server function runs with.
pub fn app_state() -> Result<AppState, ServerFnError> {
    use_context::<AppState>().ok_or_else(|| ServerFnError::new("server state missing"))
}

/// Refuses callers who are not signed in, or whose role is below `least`
/// (Owner > Admin > Member > Viewer).
pub async fn require(least: Role) -> Result<Caller, ServerFnError> {
    let state = app_state()?;
    let session: tower_sessions::Session = leptos_axum::extract().await?;
    let Some(who) = session::signed_in(&session).await else {
        return Err(refuse(StatusCode::UNAUTHORIZED, "Please sign in first."));
    };
    let role: Option<Role> =
        sqlx::query_scalar("SELECT role FROM memberships WHERE user_id = $1 AND location_id = $2")
            .bind(who.user_id)
            .bind(&who.location_id)
            .fetch_optional(&state.db)
            .await
            .map_err(|error| {
                tracing::error!(%error, "checking a role");
                ServerFnError::new("the database did not answer")
            })?;
    let role = role.ok_or_else(|| {
        ServerFnError::new("You are no longer a member of this team. Please sign in again.")
    })?;
    // Roles are declared most powerful first, so "at least" is "at most" in order.
    if role > least {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            &format!(
                "Your role ({}) cannot do this; ask an owner or admin.",
                role.label()
            ),
        ));
    }
    Ok(Caller { state, who, role })
}

/// A refusal answered with `status` (401 or 403) instead of a server error,
/// when the function was called over HTTP. While a page renders on the
/// server the same context holds the page's response, whose status stays.
pub fn refuse(status: StatusCode, message: &str) -> ServerFnError {
    let called_over_http = use_context::<axum::http::request::Parts>()
        .is_some_and(|request| request.uri.path().starts_with("/api/"));
    if let Some(response) =
        use_context::<leptos_axum::ResponseOptions>().filter(|_| called_over_http)
    {
        response.set_status(status);
    }
    ServerFnError::new(message)
}

/// A moment as pages show it: `2026-11-24 23:34 UTC`.
pub fn minutes_utc(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}
