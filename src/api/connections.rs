//! The Connections page: the team's HighLevel connection, its health, and
//! adding a Private Integration Token.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::app_error::{AppError, FieldProblem};

/// One connection as the page shows it; never carries a token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionView {
    pub location_id: String,
    pub location_name: String,
    /// `oauth` or `private_token`.
    pub kind: String,
    pub scopes: Vec<String>,
    pub needs_reconnect: bool,
    pub status_detail: String,
    /// Minutes until the access token expires (OAuth only).
    pub expires_in_minutes: Option<i64>,
    pub refreshed_at: Option<String>,
    pub connected_at: String,
    pub requests_today: u32,
    pub daily_limit: u32,
    /// Whether the caller may disconnect or replace it.
    pub can_manage: bool,
}

#[server(endpoint = "connections/list", output = crate::api::codec::JsonText)]
pub async fn list_connections() -> Result<Vec<ConnectionView>, AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;
    use crate::highlevel::{RateBudget, RateLimiter};

    let (state, caller) = guard::require(Role::Viewer).await?;
    let rows = crate::auth::accounts::connections_of(&state.db, &caller.who.location_id)
        .await
        .map_err(AppError::from)?;
    let budget = RateBudget::default();
    let limiter = RateLimiter::shared(state.db.clone(), budget.clone());
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let requests_today = limiter.used_today(&row.location_id).await.unwrap_or(0);
        views.push(ConnectionView {
            expires_in_minutes: row
                .expires_at
                .map(|at| (at - chrono::Utc::now()).num_minutes()),
            refreshed_at: row.refreshed_at.map(|at| caller.zone.moment(at)),
            connected_at: caller.zone.moment(row.connected_at),
            needs_reconnect: row.status == "needs_reconnect",
            location_id: row.location_id,
            location_name: row.location_name,
            kind: row.kind,
            scopes: row.scopes,
            status_detail: row.status_detail,
            requests_today,
            daily_limit: budget.per_day,
            can_manage: caller.role().can_manage(),
        });
    }
    Ok(views)
}

/// Forgets the team's HighLevel connection and its tokens (owners and
/// admins); only an owner or admin choosing to connect brings it back.
#[server(endpoint = "connections/disconnect", output = crate::api::codec::JsonText)]
pub async fn disconnect() -> Result<(), AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    let (state, caller) = guard::require(Role::Admin).await?;
    crate::auth::accounts::disconnect(&state.db, &caller.who.location_id)
        .await
        .map_err(AppError::from)?;
    tracing::info!(location = %caller.who.location_id, user_id = caller.who.user_id, "disconnected HighLevel");
    Ok(())
}

/// Connects the team with a Private Integration Token, after checking it
/// with a real call to HighLevel (owners and admins).
#[server(endpoint = "connections/private-token", output = crate::api::codec::JsonText)]
pub async fn add_private_token(token: String) -> Result<Option<FieldProblem>, AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;
    use crate::highlevel::{HighLevelClient, StaticToken};

    let (state, caller) = guard::require(Role::Admin).await?;
    let token = token.trim().to_owned();
    if token.is_empty() {
        return Ok(Some(FieldProblem::new(
            "token",
            "Paste the token from HighLevel: Settings → Private Integrations.",
        )));
    }
    let location_id = caller.who.location_id.clone();
    let secret = secrecy::SecretString::from(token);
    let client = HighLevelClient::builder(
        state.highlevel.api_base.clone(),
        StaticToken::new(secret.clone()),
    )
    .build()
    .map_err(|_| AppError::Unavailable("The HighLevel address is not valid.".into()))?;
    if let Err(error) = client.get_location(&location_id).await {
        return Ok(Some(FieldProblem::new("token", &token_refusal(&error))));
    }
    crate::auth::accounts::store_private_token(
        &state.db,
        &state.vault,
        &location_id,
        caller.who.user_id,
        &secret,
    )
    .await
    .map_err(AppError::from)?;
    Ok(None)
}

/// Why a pasted token was refused, in words that say what to fix.
#[cfg(feature = "ssr")]
fn token_refusal(error: &crate::highlevel::HighLevelError) -> String {
    use crate::highlevel::HighLevelError;
    match error {
        HighLevelError::Unauthorized { .. } => {
            "HighLevel did not accept this token. Check that you copied all of it and that it has not been rotated.".into()
        }
        HighLevelError::MissingScope { scope, .. } => {
            format!("This token may not read the location. In HighLevel, give it the \"{scope}\" permission.")
        }
        HighLevelError::Forbidden { .. } => "This token belongs to another location than yours.".into(),
        other => format!("HighLevel could not check the token: {}", other.user_message()),
    }
}
