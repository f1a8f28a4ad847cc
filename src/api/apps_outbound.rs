//! An app connection's outgoing deliveries: their settings, the signing
//! secret, and a test delivery. No answer ever carries a secret but the
//! signing secret right after it is made.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::app_error::AppError;
use crate::apps::outbound::{AuthMode, DeliveryOutcome};

/// The settings as the form shows them; secrets only say whether they are set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboundView {
    /// Empty until the settings are first saved.
    pub base_url: String,
    pub auth_mode: AuthMode,
    pub auth_header: String,
    pub has_auth_secret: bool,
    pub timeout_secs: u32,
    pub signing_secret_set: bool,
}

#[server(endpoint = "apps/outbound/settings", output = crate::api::codec::JsonText)]
pub async fn outbound_settings(connection_id: i64) -> Result<OutboundView, AppError> {
    use crate::apps::outbound::settings::{self, DEFAULT_TIMEOUT_SECS};
    use crate::auth::roles::Role;

    let (state, connection) = own_connection(Role::Viewer, connection_id).await?;
    let stored = settings::load(&state.db, &connection).await?;
    Ok(match stored {
        Some(stored) => OutboundView {
            base_url: stored.base_url.to_string(),
            auth_mode: stored.auth_mode,
            has_auth_secret: stored.has_auth_secret(),
            signing_secret_set: stored.has_signing_secret(),
            auth_header: stored.auth_header,
            timeout_secs: stored.timeout_secs,
        },
        None => OutboundView {
            base_url: String::new(),
            auth_mode: AuthMode::None,
            auth_header: String::new(),
            has_auth_secret: false,
            timeout_secs: DEFAULT_TIMEOUT_SECS,
            signing_secret_set: false,
        },
    })
}

/// Saves the settings (owners and admins). An empty `auth_value` keeps the
/// stored secret; each problem names its field.
#[server(endpoint = "apps/outbound/save", output = crate::api::codec::JsonText)]
pub async fn save_outbound(
    connection_id: i64,
    base_url: String,
    auth_mode: AuthMode,
    auth_header: String,
    auth_value: Option<String>,
    timeout_secs: u32,
) -> Result<(), AppError> {
    use crate::apps::outbound::{form, settings};
    use crate::auth::roles::Role;

    let (state, connection) = own_connection(Role::Admin, connection_id).await?;
    let stored = settings::load(&state.db, &connection).await?;
    let form = form::Form {
        base_url,
        auth_mode,
        auth_header,
        auth_value,
        timeout_secs,
    };
    let change = form::read(form, stored.as_ref(), state.courier.reach())
        .await
        .map_err(AppError::Invalid)?;
    settings::save(&state.db, &state.vault, &connection, &change).await?;
    tracing::info!(
        connection = connection.id,
        "saved an app connection's outgoing settings"
    );
    Ok(())
}

/// Makes a new signing secret (owners and admins) and returns it, the only
/// time it is shown; the old one stops working at once.
#[server(endpoint = "apps/outbound/rotate-signing-secret", output = crate::api::codec::JsonText)]
pub async fn rotate_signing_secret(connection_id: i64) -> Result<String, AppError> {
    use crate::apps::outbound::settings;
    use crate::auth::roles::Role;
    use secrecy::ExposeSecret;

    let (state, connection) = own_connection(Role::Admin, connection_id).await?;
    let secret = settings::rotate_signing_secret(&state.db, &state.vault, &connection)
        .await?
        .ok_or_else(|| AppError::invalid("Save where Switchboard sends first."))?;
    tracing::info!(
        connection = connection.id,
        "made a new signing secret for an app connection"
    );
    Ok(secret.expose_secret().to_owned())
}

/// Sends `{"type": "switchboard.test", …}` to the base URL (owners and
/// admins) and says what came of it.
#[server(endpoint = "apps/outbound/test", output = crate::api::codec::JsonText)]
pub async fn send_test_delivery(connection_id: i64) -> Result<DeliveryOutcome, AppError> {
    use crate::apps::outbound::settings::{self, Unusable};
    use crate::auth::roles::Role;

    let (state, connection) = own_connection(Role::Admin, connection_id).await?;
    let stored = settings::load(&state.db, &connection)
        .await?
        .ok_or_else(|| AppError::invalid("Save where Switchboard sends first."))?;
    let target = stored.target(&state.vault).map_err(|error| match error {
        Unusable::Vault(error) => {
            tracing::error!(%error, connection = connection.id, "opening an app connection's outgoing secrets");
            AppError::Unavailable("The connection's secrets could not be read on this server.".into())
        }
        unusable => AppError::invalid(unusable.to_string()),
    })?;
    let body = serde_json::json!({
        "type": "switchboard.test",
        "sentAt": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "connection": connection.name,
    });
    Ok(state.courier.deliver(&target, "", &body).await)
}

/// The server's state and the caller's team's connection `id`, when the
/// caller has at least the role `least`.
#[cfg(feature = "ssr")]
async fn own_connection(
    least: crate::auth::roles::Role,
    id: i64,
) -> Result<
    (
        crate::state::AppState,
        crate::apps::connections::store::Connection,
    ),
    AppError,
> {
    let (state, caller) = crate::api::guard::require(least).await?;
    let connection =
        crate::apps::connections::store::of_team_by_id(&state.db, &caller.who.location_id, id)
            .await?
            .ok_or_else(|| AppError::NotFound("Your team has no such app connection.".into()))?;
    Ok((state, connection))
}
