//! Storage of a connection's outgoing settings. The sign-in secret and the
//! signing secret are sealed by the vault, each bound to its connection and
//! its purpose, and are opened only to send.

use std::time::Duration;

use reqwest::header::HeaderName;
use secrecy::SecretString;
use sqlx::PgPool;

use super::base_url::BaseUrl;
use super::deliver::{Auth, Target};
use super::model::AuthMode;
use crate::apps::connections::store::{random_text, Connection};
use crate::auth::vault::{Vault, VaultError};

/// Seconds a delivery waits for an answer unless the form says otherwise.
pub const DEFAULT_TIMEOUT_SECS: u32 = 10;
/// The most the form may set.
pub const MAX_TIMEOUT_SECS: u32 = 60;

/// A connection's settings as stored, secrets still sealed.
#[derive(Debug, Clone)]
pub struct Settings {
    pub base_url: BaseUrl,
    pub auth_mode: AuthMode,
    /// The sign-in header's name in [`AuthMode::Header`]; empty otherwise.
    pub auth_header: String,
    pub timeout_secs: u32,
    public_id: String,
    auth_sealed: Option<String>,
    signing_secret_sealed: Option<String>,
}

/// What the settings form saves, read by [`super::form`].
pub struct Change {
    pub base_url: BaseUrl,
    pub auth_mode: AuthMode,
    pub auth_header: String,
    /// A new sign-in secret; `None` keeps the stored one (and none is kept
    /// without sign-in).
    pub auth_value: Option<SecretString>,
    pub timeout_secs: u32,
}

/// Why stored settings cannot be sent with.
#[derive(Debug, thiserror::Error)]
pub enum Unusable {
    #[error("This connection has no signing secret yet: create one first, so the app can check what Switchboard sends.")]
    NoSigningSecret,
    #[error("The stored sign-in is incomplete: save the connection's outgoing settings again.")]
    Incomplete,
    #[error(transparent)]
    Vault(#[from] VaultError),
}

fn context(public_id: &str, purpose: &str) -> String {
    format!("app_outbound:{public_id}:{purpose}")
}

impl Settings {
    pub fn has_auth_secret(&self) -> bool {
        self.auth_sealed.is_some()
    }

    pub fn has_signing_secret(&self) -> bool {
        self.signing_secret_sealed.is_some()
    }

    /// Where and how to send, its secrets opened.
    pub fn target(&self, vault: &Vault) -> Result<Target, Unusable> {
        let sealed = self
            .signing_secret_sealed
            .as_deref()
            .ok_or(Unusable::NoSigningSecret)?;
        Ok(Target {
            base_url: self.base_url.clone(),
            auth: self.auth(vault)?,
            signing_secret: vault.open_sealed(&context(&self.public_id, "signing"), sealed)?,
            timeout: Duration::from_secs(self.timeout_secs.into()),
        })
    }

    fn auth(&self, vault: &Vault) -> Result<Auth, Unusable> {
        if self.auth_mode == AuthMode::None {
            return Ok(Auth::None);
        }
        let sealed = self.auth_sealed.as_deref().ok_or(Unusable::Incomplete)?;
        let secret = vault.open_sealed(&context(&self.public_id, "auth"), sealed)?;
        Ok(match self.auth_mode {
            AuthMode::None => Auth::None,
            AuthMode::Bearer => Auth::Bearer(secret),
            AuthMode::Basic => Auth::Basic(secret),
            AuthMode::Header => Auth::Header {
                name: HeaderName::from_bytes(self.auth_header.as_bytes())
                    .map_err(|_| Unusable::Incomplete)?,
                value: secret,
            },
        })
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    base_url: String,
    auth_mode: String,
    auth_header: String,
    auth_sealed: Option<String>,
    signing_secret_sealed: Option<String>,
    timeout_secs: i32,
}

impl Row {
    fn into_settings(self, public_id: &str) -> sqlx::Result<Settings> {
        let decode = |what: &str| sqlx::Error::Decode(format!("app_outbound: {what}").into());
        Ok(Settings {
            base_url: BaseUrl::parse(&self.base_url).map_err(|_| decode("base_url"))?,
            auth_mode: AuthMode::from_key(&self.auth_mode).ok_or_else(|| decode("auth_mode"))?,
            auth_header: self.auth_header,
            timeout_secs: u32::try_from(self.timeout_secs).map_err(|_| decode("timeout_secs"))?,
            public_id: public_id.to_owned(),
            auth_sealed: self.auth_sealed,
            signing_secret_sealed: self.signing_secret_sealed,
        })
    }
}

/// The connection's settings, if they were ever saved.
pub async fn load(db: &PgPool, connection: &Connection) -> sqlx::Result<Option<Settings>> {
    let row: Option<Row> = sqlx::query_as(
        r"SELECT base_url, auth_mode, auth_header, auth_sealed, signing_secret_sealed, timeout_secs
            FROM app_outbound WHERE connection_id = $1",
    )
    .bind(connection.id)
    .fetch_optional(db)
    .await?;
    row.map(|row| row.into_settings(&connection.public_id))
        .transpose()
}

/// Saves what the form set. Without a new sign-in secret the stored one is
/// kept for the same mode; the signing secret stays as it was.
pub async fn save(
    db: &PgPool,
    vault: &Vault,
    connection: &Connection,
    change: &Change,
) -> sqlx::Result<()> {
    use secrecy::ExposeSecret;
    let sealed = change
        .auth_value
        .as_ref()
        .filter(|_| change.auth_mode != AuthMode::None)
        .map(|value| {
            vault.seal(
                &context(&connection.public_id, "auth"),
                value.expose_secret(),
            )
        });
    sqlx::query(
        r"INSERT INTO app_outbound (connection_id, base_url, auth_mode, auth_header, auth_sealed, timeout_secs)
          VALUES ($1, $2, $3, $4, COALESCE($5, (SELECT auth_sealed FROM app_outbound
                                                  WHERE connection_id = $1 AND auth_mode = $3)), $6)
          ON CONFLICT (connection_id) DO UPDATE SET
            base_url = EXCLUDED.base_url,
            auth_mode = EXCLUDED.auth_mode,
            auth_header = EXCLUDED.auth_header,
            auth_sealed = EXCLUDED.auth_sealed,
            timeout_secs = EXCLUDED.timeout_secs,
            updated_at = now()",
    )
    .bind(connection.id)
    .bind(change.base_url.to_string())
    .bind(change.auth_mode.key())
    .bind(&change.auth_header)
    .bind(sealed)
    .bind(i32::try_from(change.timeout_secs).unwrap_or(i32::MAX))
    .execute(db)
    .await?;
    Ok(())
}

/// A new signing secret for saved settings, returned to be shown once; the
/// old one stops working at once. `None` when nothing was saved yet.
pub async fn rotate_signing_secret(
    db: &PgPool,
    vault: &Vault,
    connection: &Connection,
) -> sqlx::Result<Option<SecretString>> {
    let secret = random_text(32);
    let sealed = vault.seal(&context(&connection.public_id, "signing"), &secret);
    let done = sqlx::query(
        "UPDATE app_outbound SET signing_secret_sealed = $2, updated_at = now() WHERE connection_id = $1",
    )
    .bind(connection.id)
    .bind(sealed)
    .execute(db)
    .await?;
    Ok((done.rows_affected() == 1).then(|| SecretString::from(secret)))
}
