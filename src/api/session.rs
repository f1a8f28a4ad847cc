//! Who is signed in, for the layout and every page.

use leptos::prelude::*;

use crate::app_error::AppError;

use crate::auth::CurrentUser;

#[server(endpoint = "session/current-user", output = crate::api::codec::JsonText)]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    use crate::auth::roles::Role;
    match crate::api::guard::require(Role::Viewer).await {
        Ok((_, caller)) => Ok(Some(caller.me)),
        // Signed out, or no longer a member of the team (every role is at
        // least a viewer): the page offers to sign in.
        Err(AppError::Unauthorized | AppError::Forbidden(_)) => Ok(None),
        Err(error) => Err(error),
    }
}
