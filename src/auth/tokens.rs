//! Fresh access tokens for each team's connection.
//!
//! A token is renewed ahead of its expiry, or when HighLevel rejects it. The
//! renewal holds the connection's row lock for the whole exchange, so across
//! every server process exactly one refresh happens at a time, and the new
//! refresh token (HighLevel's refresh tokens work once) is stored in the same
//! transaction that consumed the old one. A refused refresh marks the
//! connection "needs reconnecting" once; nothing retries it in a loop.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use oauth2::{RefreshToken, TokenResponse};
use secrecy::{ExposeSecret, SecretString};
use sqlx::PgPool;

use super::accounts::token_context;
use super::token_endpoint;
use super::vault::Vault;
use crate::config::HighLevelTarget;
use crate::highlevel::{AccessToken, HighLevelError};

/// Renew tokens that expire within this long.
const REFRESH_AHEAD: Duration = Duration::from_secs(10 * 60);
/// A token renewed this recently is not renewed again because of one 401.
const RECENTLY_RENEWED: Duration = Duration::from_secs(30);
/// What the owner is told when HighLevel refuses to renew access.
const REFUSED_DETAIL: &str =
    "HighLevel refused to renew access (the app was uninstalled or access was revoked). Sign in again to reconnect.";

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("this location has no HighLevel connection")]
    NotConnected,
    #[error("the HighLevel connection needs reconnecting")]
    NeedsReconnect,
    #[error("HighLevel's token service could not be reached; try again shortly")]
    Unavailable,
    #[error("the stored connection could not be read")]
    Storage,
}

/// Hands out access tokens of OAuth and Private Integration Token connections.
#[derive(Clone)]
pub struct ConnectionTokens {
    pool: PgPool,
    vault: Vault,
    target: Arc<HighLevelTarget>,
    http: reqwest::Client,
}

#[derive(sqlx::FromRow)]
struct StoredConnection {
    kind: String,
    access_token_sealed: String,
    refresh_token_sealed: Option<String>,
    expires_at: Option<DateTime<Utc>>,
    refreshed_at: Option<DateTime<Utc>>,
    status: String,
}

impl ConnectionTokens {
    pub fn new(
        pool: PgPool,
        vault: Vault,
        target: Arc<HighLevelTarget>,
        http: reqwest::Client,
    ) -> Self {
        Self {
            pool,
            vault,
            target,
            http,
        }
    }

    /// A usable access token, renewed first when it is about to expire.
    pub async fn access_token(&self, location_id: &str) -> Result<SecretString, TokenError> {
        let stored = self.load(&self.pool, location_id, false).await?;
        if stored.status != "active" {
            return Err(TokenError::NeedsReconnect);
        }
        if stored.kind == "oauth" && expires_soon(stored.expires_at) {
            return self.renew(location_id, false).await;
        }
        self.open(location_id, "access", &stored.access_token_sealed)
    }

    /// Renews the token of `location_id`. Without `forced`, a token that is
    /// no longer about to expire (another process renewed it while this one
    /// waited for the lock) is returned as it is.
    pub async fn renew(&self, location_id: &str, forced: bool) -> Result<SecretString, TokenError> {
        let mut tx = crate::db::begin(&self.pool).await.map_err(storage)?;
        let stored = self.load(&mut *tx, location_id, true).await?;
        if stored.status != "active" {
            return Err(TokenError::NeedsReconnect);
        }
        let renewed_meanwhile = if forced {
            stored
                .refreshed_at
                .is_some_and(|at| Utc::now() - at < chrono_duration(RECENTLY_RENEWED))
        } else {
            !expires_soon(stored.expires_at)
        };
        if stored.kind != "oauth" || renewed_meanwhile {
            return self.open(location_id, "access", &stored.access_token_sealed);
        }
        let refresh_sealed = stored
            .refresh_token_sealed
            .as_deref()
            .ok_or(TokenError::NeedsReconnect)?;
        let refresh = self.open(location_id, "refresh", refresh_sealed)?;
        match self.exchange(&refresh).await {
            Ok(answer) => {
                let access = SecretString::from(answer.access_token().secret().clone());
                self.store_renewal(&mut tx, location_id, &answer).await?;
                tx.commit().await.map_err(storage)?;
                tracing::info!(location = %location_id, "renewed the HighLevel access token");
                Ok(access)
            }
            Err(Refusal::Refused) => {
                mark_needs_reconnect(&mut tx, location_id).await?;
                tx.commit().await.map_err(storage)?;
                tracing::warn!(location = %location_id, "HighLevel refused to renew access; the connection needs reconnecting");
                Err(TokenError::NeedsReconnect)
            }
            Err(Refusal::Unavailable) => Err(TokenError::Unavailable),
        }
    }

    /// Renews every active OAuth connection that expires soon, skipping those
    /// another process is renewing right now. Returns how many were renewed.
    pub async fn renew_expiring(&self) -> Result<usize, TokenError> {
        let due: Vec<String> = sqlx::query_scalar(
            "SELECT location_id FROM connections
              WHERE kind = 'oauth' AND status = 'active' AND expires_at < now() + $1::interval",
        )
        .bind(format!("{} seconds", REFRESH_AHEAD.as_secs()))
        .fetch_all(&self.pool)
        .await
        .map_err(storage)?;
        let mut renewed = 0;
        for location_id in due {
            match self.renew(&location_id, false).await {
                Ok(_) => renewed += 1,
                Err(error) => tracing::warn!(location = %location_id, %error, "renewing a token"),
            }
        }
        Ok(renewed)
    }

    async fn exchange(
        &self,
        refresh: &SecretString,
    ) -> Result<token_endpoint::TokenAnswer, Refusal> {
        let client = token_endpoint::client(&self.target).map_err(|_| Refusal::Unavailable)?;
        let http = self.http.clone();
        client
            .exchange_refresh_token(&RefreshToken::new(refresh.expose_secret().to_owned()))
            .request_async(&|request| token_endpoint::send(http.clone(), request))
            .await
            .map_err(|error| match error {
                oauth2::RequestTokenError::ServerResponse(_) => Refusal::Refused,
                other => {
                    tracing::warn!(error = %token_endpoint::error_summary(&other), "renewing a token");
                    Refusal::Unavailable
                }
            })
    }

    async fn store_renewal(
        &self,
        tx: &mut sqlx::PgConnection,
        location_id: &str,
        answer: &token_endpoint::TokenAnswer,
    ) -> Result<(), TokenError> {
        let access = self.vault.seal(
            &token_context(location_id, "access"),
            answer.access_token().secret(),
        );
        let refresh = answer.refresh_token().map(|token| {
            self.vault
                .seal(&token_context(location_id, "refresh"), token.secret())
        });
        let expires_at = answer
            .expires_in()
            .and_then(|lifetime| chrono::Duration::from_std(lifetime).ok())
            .map(|lifetime| Utc::now() + lifetime);
        sqlx::query(
            "UPDATE connections
                SET access_token_sealed = $2,
                    refresh_token_sealed = COALESCE($3, refresh_token_sealed),
                    expires_at = $4, refreshed_at = now(), updated_at = now()
              WHERE location_id = $1",
        )
        .bind(location_id)
        .bind(access)
        .bind(refresh)
        .bind(expires_at)
        .execute(tx)
        .await
        .map_err(storage)?;
        Ok(())
    }

    async fn load<'e, E>(
        &self,
        executor: E,
        location_id: &str,
        lock: bool,
    ) -> Result<StoredConnection, TokenError>
    where
        E: sqlx::PgExecutor<'e>,
    {
        let sql = if lock {
            "SELECT kind, access_token_sealed, refresh_token_sealed, expires_at, refreshed_at, status
               FROM connections WHERE location_id = $1 FOR UPDATE"
        } else {
            "SELECT kind, access_token_sealed, refresh_token_sealed, expires_at, refreshed_at, status
               FROM connections WHERE location_id = $1"
        };
        sqlx::query_as::<_, StoredConnection>(sql)
            .bind(location_id)
            .fetch_optional(executor)
            .await
            .map_err(storage)?
            .ok_or(TokenError::NotConnected)
    }

    fn open(
        &self,
        location_id: &str,
        purpose: &str,
        sealed: &str,
    ) -> Result<SecretString, TokenError> {
        self.vault
            .open_sealed(&token_context(location_id, purpose), sealed)
            .map_err(|error| {
                tracing::error!(location = %location_id, %error, "opening a stored token");
                TokenError::Storage
            })
    }
}

enum Refusal {
    /// The token endpoint answered with an OAuth error (e.g. `invalid_grant`).
    Refused,
    /// No usable answer: network, timeout, 5xx.
    Unavailable,
}

async fn mark_needs_reconnect(
    tx: &mut sqlx::PgConnection,
    location_id: &str,
) -> Result<(), TokenError> {
    sqlx::query(
        "UPDATE connections SET status = 'needs_reconnect', status_detail = $2, updated_at = now()
          WHERE location_id = $1",
    )
    .bind(location_id)
    .bind(REFUSED_DETAIL)
    .execute(tx)
    .await
    .map_err(storage)?;
    Ok(())
}

fn expires_soon(expires_at: Option<DateTime<Utc>>) -> bool {
    expires_at.is_some_and(|at| at - Utc::now() < chrono_duration(REFRESH_AHEAD))
}

fn chrono_duration(duration: Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}

fn storage(error: sqlx::Error) -> TokenError {
    tracing::error!(%error, "reading or writing a connection");
    TokenError::Storage
}

impl AccessToken for ConnectionTokens {
    fn bearer<'a>(
        &'a self,
        location_id: &'a str,
    ) -> BoxFuture<'a, Result<SecretString, HighLevelError>> {
        Box::pin(async move {
            self.access_token(location_id)
                .await
                .map_err(|error| token_error(location_id, error))
        })
    }

    fn rejected<'a>(&'a self, location_id: &'a str) -> BoxFuture<'a, Result<bool, HighLevelError>> {
        Box::pin(async move {
            match self.renew(location_id, true).await {
                Ok(_) => Ok(true),
                Err(TokenError::NeedsReconnect) => Ok(false),
                Err(error) => Err(token_error(location_id, error)),
            }
        })
    }
}

fn token_error(location_id: &str, error: TokenError) -> HighLevelError {
    HighLevelError::Token {
        location_id: location_id.to_owned(),
        reason: error.to_string(),
    }
}

/// Renews tokens ahead of expiry, once a minute, until the server stops.
pub async fn renew_forever(tokens: ConnectionTokens) {
    let mut ticks = tokio::time::interval(Duration::from_secs(60));
    loop {
        ticks.tick().await;
        if let Err(error) = tokens.renew_expiring().await {
            tracing::warn!(%error, "renewing expiring tokens");
        }
    }
}
