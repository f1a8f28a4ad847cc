//! What every request handler and server function runs with: built once by
//! the composition root (`server`) from the configuration, the database and
//! the token vault.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::PgPool;

use crate::apps::outbound::deliver::Courier;
use crate::auth::oauth::OAuthSignIn;
use crate::auth::tokens::ConnectionTokens;
use crate::auth::vault::Vault;
use crate::config::HighLevelTarget;
use crate::inbound::{ClientAddress, DoorLimits};
use crate::webhooks::WebhookKeys;

/// What every request handler and server function can reach.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: PgPool,
    /// What the dashboards and the team report read from: a read replica's
    /// pool (`REPORTS_DATABASE_URL`), or `db`.
    pub reports_db: PgPool,
    pub vault: Vault,
    pub highlevel: Arc<HighLevelTarget>,
    /// The public keys HighLevel's webhooks are checked with.
    pub webhook_keys: Arc<WebhookKeys>,
    /// The limits of the webhook doors.
    pub door: Arc<DoorLimits>,
    /// Where a request's client address is read.
    pub client_address: ClientAddress,
    /// The one outgoing HTTP client (no redirects followed, as OAuth wants).
    pub http: reqwest::Client,
    /// Sends app connections' deliveries, to public addresses only unless
    /// the server allows private ones.
    pub courier: Courier,
    pub info: Arc<InstanceInfo>,
}

/// Facts about this installation that pages show.
#[derive(Debug, Clone)]
pub struct InstanceInfo {
    /// True when the server started its own Postgres (no `DATABASE_URL`).
    pub embedded_database: bool,
    /// True when reports read from a replica (`REPORTS_DATABASE_URL`).
    pub reports_on_replica: bool,
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

    /// What automation runs need: HighLevel as background work (people's
    /// own requests go first in the rate budget), the courier and the vault.
    pub fn automation_services(&self) -> anyhow::Result<crate::automations::execute::Services> {
        self.automation_services_as(true)
    }

    /// What a test someone is watching needs: its reads are that person's
    /// requests, ahead of the runs and syncs waiting for the budget.
    pub fn automation_services_for_people(
        &self,
    ) -> anyhow::Result<crate::automations::execute::Services> {
        self.automation_services_as(false)
    }

    fn automation_services_as(
        &self,
        background: bool,
    ) -> anyhow::Result<crate::automations::execute::Services> {
        let builder = crate::highlevel::HighLevelClient::builder(
            self.highlevel.api_base.clone(),
            self.connection_tokens(),
        )
        .shared_through(&self.db);
        let builder = if background {
            builder.in_background()
        } else {
            builder
        };
        let client = builder.build()?;
        Ok(crate::automations::execute::Services {
            db: self.db.clone(),
            client,
            courier: self.courier.clone(),
            vault: self.vault.clone(),
        })
    }

    /// "Sign in with HighLevel" against this installation's HighLevel.
    pub fn sign_in(&self) -> OAuthSignIn<'_> {
        OAuthSignIn {
            db: &self.db,
            vault: &self.vault,
            highlevel: &self.highlevel,
            http: &self.http,
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
