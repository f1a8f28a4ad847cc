//! "Sign in with HighLevel": the OAuth authorization-code flow (oauth2 crate)
//! against the sandbox or the real HighLevel. The routes that drive it live
//! in `server::routes::auth`: the consent URL with a random `state` kept in
//! the session, then the code swapped for tokens, and the team, person and
//! tokens recorded.

use std::time::Duration;

use chrono::Utc;
use oauth2::{AuthorizationCode, CsrfToken, Scope, TokenResponse};
use secrecy::SecretString;
use sqlx::PgPool;

use super::accounts::{self, OAuthTokens, SignInRecord};
use super::members::{OutsiderStatus, Standing};
use super::session::{SignInState, SignedIn};
use super::token_endpoint::{self, TokenAnswer};
use super::vault::Vault;
use crate::config::HighLevelTarget;
use crate::highlevel::{HighLevelClient, StaticToken};

/// Read access for the dashboard and the contact workspace, plus the reads
/// that name the team and the person at sign-in.
pub const READ_SCOPES: &[&str] = &[
    "contacts.readonly",
    "locations.readonly",
    "locations/tasks.readonly",
    "locations/customFields.readonly",
    "locations/tags.readonly",
    "users.readonly",
    "businesses.readonly",
    "calendars.readonly",
    "calendars/events.readonly",
];

/// Asked for only when the person chooses to let Switchboard change data.
pub const WRITE_SCOPES: &[&str] = &["contacts.write"];

/// Why a sign-in did not complete, as the sign-in page explains it.
#[derive(Debug, Clone, Copy)]
pub enum SignInProblem {
    Expired,
    Refused,
    Exchange,
    Incomplete,
    Storage,
    /// Waiting for an owner's or admin's approval to join the team.
    Pending,
    /// Removed from the team; only its owner lets them back in.
    Removed,
}

impl SignInProblem {
    /// The sign-in page's name for the problem (`/signin?problem=…`).
    pub fn code(self) -> &'static str {
        match self {
            SignInProblem::Expired => "expired",
            SignInProblem::Refused => "refused",
            SignInProblem::Exchange => "exchange",
            SignInProblem::Incomplete => "incomplete",
            SignInProblem::Storage => "storage",
            SignInProblem::Pending => "pending",
            SignInProblem::Removed => "removed",
        }
    }
}

/// What a sign-in reaches: the database, the vault and HighLevel.
pub struct OAuthSignIn<'a> {
    pub db: &'a PgPool,
    pub vault: &'a Vault,
    pub highlevel: &'a HighLevelTarget,
    pub http: &'a reqwest::Client,
}

impl OAuthSignIn<'_> {
    /// HighLevel's consent page for read access (and `write` access when
    /// asked), and the state to remember until the person comes back, with
    /// their choice to `connect` the team.
    pub fn consent_url(
        &self,
        write: bool,
        connect: bool,
    ) -> Result<(String, SignInState), SignInProblem> {
        let client = token_endpoint::client(self.highlevel).map_err(|_| {
            tracing::error!("the HighLevel OAuth settings do not form valid URLs");
            SignInProblem::Exchange
        })?;
        let scopes = READ_SCOPES
            .iter()
            .chain(if write { WRITE_SCOPES } else { &[] })
            .map(|scope| Scope::new((*scope).to_owned()));
        let (url, csrf) = client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(scopes)
            .url();
        let remembered = SignInState {
            csrf: csrf.secret().clone(),
            write,
            connect,
        };
        Ok((url.into(), remembered))
    }

    /// Swaps the code for tokens and records the team, the person and, when
    /// the sign-in may replace the team's connection, the tokens.
    pub async fn complete(&self, code: &str, connect: bool) -> Result<SignedIn, SignInProblem> {
        complete_sign_in(self, code, connect).await
    }
}

async fn complete_sign_in(
    state: &OAuthSignIn<'_>,
    code: &str,
    connect: bool,
) -> Result<SignedIn, SignInProblem> {
    let client = token_endpoint::client(state.highlevel).map_err(|_| SignInProblem::Exchange)?;
    let http = state.http.clone();
    let answer = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .request_async(&|request| token_endpoint::send(http.clone(), request))
        .await
        .map_err(|error| {
            tracing::warn!(error = %token_endpoint::error_summary(&error), "HighLevel refused the authorization code");
            SignInProblem::Exchange
        })?;
    let record = sign_in_record(state, &answer).await?;
    let (user_id, standing) = accounts::record_sign_in(state.db, state.vault, &record, connect)
        .await
        .map_err(|error| {
            tracing::error!(%error, "recording a sign-in");
            SignInProblem::Storage
        })?;
    let role = match standing {
        Standing::Member(role) => role,
        Standing::Outside(status) => {
            tracing::info!(user_id, location = %record.location_id, ?status, "kept out of the team");
            return Err(match status {
                OutsiderStatus::Pending => SignInProblem::Pending,
                OutsiderStatus::Removed => SignInProblem::Removed,
            });
        }
    };
    tracing::info!(user_id, location = %record.location_id, role = role.label(), "signed in");
    Ok(SignedIn {
        user_id,
        location_id: record.location_id,
    })
}

/// Names the team and the person with two reads made with the new token,
/// counted in the location's shared budget, where they go before any sync.
async fn sign_in_record(
    state: &OAuthSignIn<'_>,
    answer: &TokenAnswer,
) -> Result<SignInRecord, SignInProblem> {
    let extra = answer.extra_fields();
    let (Some(location_id), Some(user_id)) = (extra.location_id.clone(), extra.user_id.clone())
    else {
        tracing::warn!("the token answer names no location or user (an agency-level install?)");
        return Err(SignInProblem::Incomplete);
    };
    let access = SecretString::from(answer.access_token().secret().clone());
    let api = HighLevelClient::builder(
        state.highlevel.api_base.clone(),
        StaticToken::new(access.clone()),
    )
    .shared_through(state.db)
    .timeout(Duration::from_secs(15))
    .build()
    .map_err(|_| SignInProblem::Exchange)?;
    let location = api
        .get_location(&location_id)
        .await
        .map_err(read_failed)?
        .location;
    let user = api
        .get_user(&location_id, &user_id)
        .await
        .map_err(read_failed)?;
    let name = user.name.clone().unwrap_or_else(|| {
        [user.first_name.as_deref(), user.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    });
    Ok(SignInRecord {
        location_name: location.name.unwrap_or_else(|| location_id.clone()),
        time_zone: location.timezone.unwrap_or_default(),
        location_id,
        highlevel_user_id: user_id,
        name,
        email: user.email.unwrap_or_default(),
        tokens: OAuthTokens {
            access,
            refresh: answer
                .refresh_token()
                .map(|token| SecretString::from(token.secret().clone())),
            expires_at: answer
                .expires_in()
                .and_then(|lifetime| chrono::Duration::from_std(lifetime).ok())
                .map(|lifetime| Utc::now() + lifetime),
            scopes: answer
                .scopes()
                .map(|scopes| scopes.iter().map(|scope| scope.to_string()).collect())
                .unwrap_or_default(),
        },
    })
}

fn read_failed(error: crate::highlevel::HighLevelError) -> SignInProblem {
    tracing::warn!(error = %error.user_message(), "reading the location or user after sign-in");
    SignInProblem::Incomplete
}
