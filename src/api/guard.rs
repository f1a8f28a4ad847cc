//! The one check every server function starts with: who is calling, for
//! which team, and may their role do this.

use axum::http::StatusCode;
use leptos::prelude::{use_context, ServerFnError};

use crate::auth::roles::Role;
use crate::auth::session::{self, SignedIn};
use crate::server::AppState;
use crate::zone::TeamZone;

/// The caller, known to be signed in with at least the role asked for.
pub struct Caller {
    pub state: AppState,
    pub who: SignedIn,
    pub role: Role,
    /// The team's time zone, for the moments the answer shows.
    pub zone: TeamZone,
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
    let membership = crate::auth::accounts::membership(&state.db, who.user_id, &who.location_id)
        .await
        .map_err(database)?;
    let (role, zone) = membership.ok_or_else(|| {
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
    Ok(Caller {
        state,
        who,
        role,
        zone,
    })
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

/// Bad input from the browser: 400 with the reason.
pub fn bad_request(message: &str) -> ServerFnError {
    refuse(StatusCode::BAD_REQUEST, message)
}

/// The database failed: logged here, told to the caller in plain words.
pub fn database(error: sqlx::Error) -> ServerFnError {
    tracing::error!(%error, "a database query failed");
    ServerFnError::new("the database did not answer")
}
