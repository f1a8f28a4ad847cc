//! The signed-in person behind a request: who, in which team, with which role,
//! and the team's time zone. One axum extractor, used by the server functions
//! (through `api::guard`) and by plain routes such as the CSV export alike.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tower_sessions::Session;

use crate::app_error::AppError;
use crate::auth::accounts;
use crate::auth::roles::Role;
use crate::auth::session::{self, SignedIn};
use crate::auth::CurrentUser;
use crate::state::AppState;
use crate::zone::TeamZone;

#[derive(Clone)]
pub struct Caller {
    pub who: SignedIn,
    /// Their name, role and team as the sidebar shows them.
    pub me: CurrentUser,
    pub zone: TeamZone,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| {
                tracing::error!("a request reached the caller check without a session");
                AppError::Unavailable("Sign-in is not available right now.".into())
            })?;
        let who = session::signed_in(&session)
            .await
            .ok_or(AppError::Unauthorized)?;
        let (me, zone) = accounts::membership(&state.db, who.user_id, &who.location_id)
            .await?
            .ok_or_else(|| {
                AppError::Forbidden(
                    "You are no longer a member of this team. Please sign in again.".into(),
                )
            })?;
        Ok(Self { who, me, zone })
    }
}

impl Caller {
    pub fn role(&self) -> Role {
        self.me.role
    }

    /// Refuses a role below `least` (Owner > Admin > Member > Viewer).
    pub fn require(&self, least: Role) -> Result<(), AppError> {
        // Roles are declared most powerful first, so "at least" is "at most" in order.
        if self.role() > least {
            return Err(AppError::Forbidden(format!(
                "Your role ({}) cannot do this; ask an owner or admin.",
                self.role().label()
            )));
        }
        Ok(())
    }

    /// Members and above change data; viewers only read.
    pub fn can_write(&self) -> bool {
        self.role() <= Role::Member
    }
}
