//! Sessions live in Postgres (tower-sessions), so any server process can
//! serve any request. The cookie is HttpOnly and SameSite=Lax, and Secure
//! when Switchboard is reached over https. Each signed-in session is filed
//! under its member (`member_sessions`), so that removing someone from a
//! team ends their sessions at once.

use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

const COOKIE_NAME: &str = "switchboard_session";
/// Over https the browser takes this name only from this exact host, with
/// `Secure` and `Path=/`: no subdomain can plant or overwrite it.
const HOST_COOKIE_NAME: &str = "__Host-switchboard_session";
const SIGNED_IN_KEY: &str = "signed_in";
const SIGN_IN_STATE_KEY: &str = "sign_in_state";
/// The day a signed-in session was last renewed (see [`renew_daily`]).
pub const RENEWED_ON_KEY: &str = "renewed_on";
const IDLE_DAYS: i64 = 14;

/// What the session remembers about who is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub user_id: i64,
    pub location_id: String,
}

pub fn layer(pool: PgPool, secure: bool) -> SessionManagerLayer<PostgresStore> {
    SessionManagerLayer::new(PostgresStore::new(pool))
        .with_name(cookie_name(secure))
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::days(IDLE_DAYS),
        ))
}

pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        HOST_COOKIE_NAME
    } else {
        COOKIE_NAME
    }
}

pub async fn signed_in(session: &Session) -> Option<SignedIn> {
    session.get(SIGNED_IN_KEY).await.ok().flatten()
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("the session store failed: {0}")]
    Store(#[from] tower_sessions::session::Error),
    #[error("filing the session under its member failed: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the session store gave the new session no id")]
    NoId,
}

/// Starts a fresh session id for the signed-in user, so an id planted
/// before sign-in is worthless afterwards, and files it under their
/// membership, so that removing them from the team ends it. The person is
/// signed in only once the session is filed.
pub async fn sign_in(db: &PgPool, session: &Session, who: &SignedIn) -> Result<(), SignInError> {
    session.cycle_id().await?;
    // The store names the new session only when it first saves it.
    session.save().await?;
    let id = session.id().ok_or(SignInError::NoId)?;
    sqlx::query(
        "INSERT INTO member_sessions (session_id, user_id, location_id) VALUES ($1, $2, $3)",
    )
    .bind(id.to_string())
    .bind(who.user_id)
    .bind(&who.location_id)
    .execute(db)
    .await?;
    session.insert(SIGNED_IN_KEY, who).await?;
    // Renewed today already: the next request need not write the session.
    renew_daily(session).await?;
    Ok(())
}

/// Pushes a signed-in session's end back to [`IDLE_DAYS`] from now, on the
/// first request of each day. tower-sessions writes a session (and sends its
/// cookie again) only when it changes: without this a session in daily use
/// would end 14 days after sign-in, and writing it on every request would
/// cost every page a statement.
pub async fn renew_daily(session: &Session) -> Result<(), tower_sessions::session::Error> {
    let today = Utc::now().date_naive();
    let renewed: Option<NaiveDate> = session.get(RENEWED_ON_KEY).await?;
    if renewed != Some(today) {
        session.insert(RENEWED_ON_KEY, today).await?;
    }
    Ok(())
}

/// Deletes the stored sessions of `user_id` in the team of `location_id`:
/// their next request finds no session and is signed out.
pub async fn end_sessions(
    tx: &mut PgConnection,
    user_id: i64,
    location_id: &str,
) -> sqlx::Result<()> {
    // `tower_sessions.session` is where `PostgresStore::new` keeps sessions.
    sqlx::query(
        "DELETE FROM tower_sessions.session WHERE id IN (
             SELECT session_id FROM member_sessions WHERE user_id = $1 AND location_id = $2)",
    )
    .bind(user_id)
    .bind(location_id)
    .execute(tx)
    .await?;
    Ok(())
}

/// Deletes the sessions past their expiry, and the filing of sessions that
/// are gone (expired, signed out or replaced at a new sign-in). Returns how
/// many sessions were deleted.
pub async fn delete_expired(db: &PgPool) -> sqlx::Result<u64> {
    // The store's own `delete_expired` compares with UTC wall-clock time read
    // in the connection's time zone; `now()` is right in any zone.
    let deleted = sqlx::query("DELETE FROM tower_sessions.session WHERE expiry_date < now()")
        .execute(db)
        .await?
        .rows_affected();
    sqlx::query(
        "DELETE FROM member_sessions m
          WHERE NOT EXISTS (SELECT 1 FROM tower_sessions.session s WHERE s.id = m.session_id)",
    )
    .execute(db)
    .await?;
    Ok(deleted)
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
