//! Sessions live in Postgres (tower-sessions), so any server process can
//! serve any request. The cookie is HttpOnly and SameSite=Lax, and Secure
//! when Switchboard is reached over https.

use serde::{Deserialize, Serialize};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

const COOKIE_NAME: &str = "switchboard_session";
const SIGNED_IN_KEY: &str = "signed_in";
const SIGN_IN_STATE_KEY: &str = "sign_in_state";
const IDLE_DAYS: i64 = 14;

/// What the session remembers about who is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub user_id: i64,
    pub location_id: String,
}

pub fn layer(pool: sqlx::PgPool, secure: bool) -> SessionManagerLayer<PostgresStore> {
    SessionManagerLayer::new(PostgresStore::new(pool))
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::days(IDLE_DAYS),
        ))
}

pub async fn signed_in(session: &Session) -> Option<SignedIn> {
    session.get(SIGNED_IN_KEY).await.ok().flatten()
}

/// Starts a fresh session id for the signed-in user, so an id planted
/// before sign-in is worthless afterwards.
pub async fn sign_in(
    session: &Session,
    who: &SignedIn,
) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session.insert(SIGNED_IN_KEY, who).await
}

pub async fn sign_out(session: &Session) -> Result<(), tower_sessions::session::Error> {
    session.flush().await
}

/// Remembers the OAuth `state` (and what the person asked for).
pub async fn remember_sign_in_state(
    session: &Session,
    state: &SignInState,
) -> Result<(), tower_sessions::session::Error> {
    session.insert(SIGN_IN_STATE_KEY, state).await
}

/// The remembered state, usable once.
pub async fn take_sign_in_state(session: &Session) -> Option<SignInState> {
    session.remove(SIGN_IN_STATE_KEY).await.ok().flatten()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignInState {
    pub csrf: String,
    pub write: bool,
    /// The person chose to connect the team (or replace its connection)
    /// with their sign-in; only owners and admins may.
    #[serde(default)]
    pub connect: bool,
}
