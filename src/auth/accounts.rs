//! Storage of teams, people, roles and each team's HighLevel connection.

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use sqlx::PgPool;

use super::keep_connection::{self, TeamConnection};
use super::members::{self, Standing};
use super::vault::Vault;
use crate::zone::TeamZone;

/// Everything a completed HighLevel consent tells us.
pub struct SignInRecord {
    pub location_id: String,
    pub location_name: String,
    /// The location's IANA time zone; a name HighLevel gives that the time
    /// zone database does not know is stored as UTC.
    pub time_zone: String,
    pub highlevel_user_id: String,
    pub name: String,
    pub email: String,
    pub tokens: OAuthTokens,
}

pub struct OAuthTokens {
    pub access: SecretString,
    pub refresh: Option<SecretString>,
    pub expires_at: Option<DateTime<Utc>>,
    pub scopes: Vec<String>,
}

/// Records a sign-in: the team and person (created on first sight), where
/// the person stands in the team (see `members::join`), and, for a member,
/// the fresh tokens, sealed, as the team's connection when the sign-in may
/// replace it (see `keep_connection`). Returns the user's id and standing.
pub async fn record_sign_in(
    pool: &PgPool,
    vault: &Vault,
    record: &SignInRecord,
    wants_to_connect: bool,
) -> sqlx::Result<(i64, Standing)> {
    let mut tx = crate::db::begin(pool).await?;
    sqlx::query(
        "INSERT INTO teams (location_id, name, time_zone) VALUES ($1, $2, $3)
         ON CONFLICT (location_id) DO UPDATE SET name = EXCLUDED.name, time_zone = EXCLUDED.time_zone",
    )
    .bind(&record.location_id)
    .bind(&record.location_name)
    .bind(TeamZone::named(&record.time_zone).name())
    .execute(&mut *tx)
    .await?;
    members::hold_team(&mut tx, &record.location_id).await?;
    let user_id: i64 = sqlx::query_scalar(
        "INSERT INTO users (highlevel_user_id, name, email, last_sign_in_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (highlevel_user_id)
         DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, last_sign_in_at = now()
         RETURNING id",
    )
    .bind(&record.highlevel_user_id)
    .bind(&record.name)
    .bind(&record.email)
    .fetch_one(&mut *tx)
    .await?;
    let standing = members::join(&mut tx, user_id, &record.location_id).await?;
    if let Standing::Member(role) = standing {
        // Decided with the team row held: a disconnect at the same moment
        // either waits for this sign-in or is seen by it.
        let connection = team_connection(&mut tx, &record.location_id).await?;
        if keep_connection::sign_in_replaces(connection, role, wants_to_connect) {
            store_oauth_connection(&mut tx, vault, &record.location_id, user_id, &record.tokens)
                .await?;
            tracing::info!(location = %record.location_id, user_id, "the sign-in connected the team");
        }
    }
    tx.commit().await?;
    Ok((user_id, standing))
}

async fn team_connection(
    tx: &mut sqlx::PgConnection,
    location_id: &str,
) -> sqlx::Result<TeamConnection> {
    let (status, disconnected_on_purpose): (Option<String>, bool) = sqlx::query_as(
        "SELECT c.status, t.disconnected_at IS NOT NULL
           FROM teams t LEFT JOIN connections c USING (location_id)
          WHERE t.location_id = $1",
    )
    .bind(location_id)
    .fetch_one(tx)
    .await?;
    Ok(TeamConnection::from_stored(
        status.as_deref(),
        disconnected_on_purpose,
    ))
}

/// A connection made on purpose ends a disconnect made on purpose.
async fn clear_disconnect(tx: &mut sqlx::PgConnection, location_id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE teams SET disconnected_at = NULL WHERE location_id = $1")
        .bind(location_id)
        .execute(tx)
        .await?;
    Ok(())
}

/// Forgets the team's connection and its tokens, and remembers that this was
/// wanted, so that no ordinary sign-in connects the team again.
pub async fn disconnect(pool: &PgPool, location_id: &str) -> sqlx::Result<()> {
    let mut tx = crate::db::begin(pool).await?;
    sqlx::query("UPDATE teams SET disconnected_at = now() WHERE location_id = $1")
        .bind(location_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM connections WHERE location_id = $1")
        .bind(location_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

async fn store_oauth_connection(
    tx: &mut sqlx::PgConnection,
    vault: &Vault,
    location_id: &str,
    user_id: i64,
    tokens: &OAuthTokens,
) -> sqlx::Result<()> {
    let access = vault.seal(
        &token_context(location_id, "access"),
        tokens.access.expose_secret(),
    );
    let refresh = tokens.refresh.as_ref().map(|refresh| {
        vault.seal(
            &token_context(location_id, "refresh"),
            refresh.expose_secret(),
        )
    });
    sqlx::query(
        "INSERT INTO connections (location_id, kind, access_token_sealed, refresh_token_sealed, scopes,
                                  expires_at, refreshed_at, status, status_detail, connected_by)
         VALUES ($1, 'oauth', $2, $3, $4, $5, now(), 'active', '', $6)
         ON CONFLICT (location_id) DO UPDATE SET
             kind = 'oauth', access_token_sealed = EXCLUDED.access_token_sealed,
             refresh_token_sealed = EXCLUDED.refresh_token_sealed, scopes = EXCLUDED.scopes,
             expires_at = EXCLUDED.expires_at, refreshed_at = now(), status = 'active',
             status_detail = '', connected_by = EXCLUDED.connected_by, updated_at = now()",
    )
    .bind(location_id)
    .bind(access)
    .bind(refresh)
    .bind(&tokens.scopes)
    .bind(tokens.expires_at)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    clear_disconnect(tx, location_id).await
}

/// What a sealed token of a location is for; binds the ciphertext to its row.
pub fn token_context(location_id: &str, purpose: &str) -> String {
    format!("connection:{location_id}:{purpose}")
}

/// A connection as stored, without its tokens.
#[derive(sqlx::FromRow)]
pub struct ConnectionRow {
    pub location_id: String,
    pub location_name: String,
    pub kind: String,
    pub scopes: Vec<String>,
    pub status: String,
    pub status_detail: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub refreshed_at: Option<DateTime<Utc>>,
    pub connected_at: DateTime<Utc>,
}

pub async fn connections_of(pool: &PgPool, location_id: &str) -> sqlx::Result<Vec<ConnectionRow>> {
    sqlx::query_as(
        "SELECT c.location_id, t.name AS location_name, c.kind, c.scopes, c.status, c.status_detail,
                c.expires_at, c.refreshed_at, c.connected_at
           FROM connections c JOIN teams t ON t.location_id = c.location_id
          WHERE c.location_id = $1",
    )
    .bind(location_id)
    .fetch_all(pool)
    .await
}

/// Stores a checked Private Integration Token as the team's connection.
pub async fn store_private_token(
    pool: &PgPool,
    vault: &Vault,
    location_id: &str,
    user_id: i64,
    token: &SecretString,
) -> sqlx::Result<()> {
    let sealed = vault.seal(&token_context(location_id, "access"), token.expose_secret());
    let mut tx = crate::db::begin(pool).await?;
    sqlx::query(
        "INSERT INTO connections (location_id, kind, access_token_sealed, refresh_token_sealed, scopes,
                                  expires_at, status, status_detail, connected_by)
         VALUES ($1, 'private_token', $2, NULL, '{}', NULL, 'active', '', $3)
         ON CONFLICT (location_id) DO UPDATE SET
             kind = 'private_token', access_token_sealed = EXCLUDED.access_token_sealed,
             refresh_token_sealed = NULL, scopes = '{}', expires_at = NULL, refreshed_at = NULL,
             status = 'active', status_detail = '', connected_by = EXCLUDED.connected_by,
             connected_at = now(), updated_at = now()",
    )
    .bind(location_id)
    .bind(sealed)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    clear_disconnect(&mut tx, location_id).await?;
    tx.commit().await
}
