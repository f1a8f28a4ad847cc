//! Who is signed in, for the layout and every page.

use leptos::prelude::*;

use crate::app_error::AppError;

use crate::auth::CurrentUser;

#[server(endpoint = "session/current-user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    use crate::auth::{accounts, session};
    let state = crate::api::guard::app_state()?;
    let session: tower_sessions::Session = leptos_axum::extract().await.map_err(|error| {
        tracing::error!(%error, "a server function ran without a session");
        AppError::Unavailable("Sign-in is not available right now.".into())
    })?;
    let Some(who) = session::signed_in(&session).await else {
        return Ok(None);
    };
    accounts::current_user(&state.db, who.user_id, &who.location_id)
        .await
        .map_err(AppError::from)
}
