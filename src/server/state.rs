use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::PgPool;

use crate::auth::tokens::ConnectionTokens;
use crate::auth::vault::Vault;
use crate::config::HighLevelTarget;

/// What every request handler and server function can reach.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: PgPool,
    pub vault: Vault,
    pub highlevel: Arc<HighLevelTarget>,
    /// The one outgoing HTTP client (no redirects followed, as OAuth wants).
    pub http: reqwest::Client,
    pub info: Arc<InstanceInfo>,
}

/// Facts about this installation that pages show.
#[derive(Debug, Clone)]
pub struct InstanceInfo {
    /// True when the server started its own Postgres (no `DATABASE_URL`).
    pub embedded_database: bool,
    /// True when people reach Switchboard over https: cookies are then Secure.
    pub secure_cookies: bool,
}

impl AppState {
    /// Access tokens of the teams' connections, renewed as needed.
    pub fn connection_tokens(&self) -> ConnectionTokens {
        ConnectionTokens::new(
            self.db.clone(),
            self.vault.clone(),
            self.highlevel.clone(),
            self.http.clone(),
        )
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
