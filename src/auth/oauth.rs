//! "Sign in with HighLevel": the OAuth authorization-code flow (oauth2 crate)
//! against the sandbox or the real HighLevel.
//!
//! `GET /auth/login[?write=1]` sends the browser to HighLevel's consent page
//! with a random `state` kept in the session; `GET /auth/callback` checks the
//! state, swaps the code for tokens, records the team, person and tokens, and
//! signs the person in; `POST /auth/logout` signs out.

use std::time::Duration;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use oauth2::{AuthorizationCode, CsrfToken, Scope, TokenResponse};
use secrecy::SecretString;
use serde::Deserialize;
use tower_sessions::Session;

use super::accounts::{self, OAuthTokens, SignInRecord};
use super::session::{self, SignInState, SignedIn};
use super::token_endpoint::{self, TokenAnswer};
use crate::highlevel::{HighLevelClient, StaticToken};
use crate::server::AppState;

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
enum SignInProblem {
    Expired,
    Refused,
    Exchange,
    Incomplete,
    Storage,
}

impl SignInProblem {
    fn code(self) -> &'static str {
        match self {
            SignInProblem::Expired => "expired",
            SignInProblem::Refused => "refused",
            SignInProblem::Exchange => "exchange",
            SignInProblem::Incomplete => "incomplete",
            SignInProblem::Storage => "storage",
        }
    }

    fn redirect(self) -> Response {
        Redirect::to(&format!("/signin?problem={}", self.code())).into_response()
    }
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    write: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<LoginQuery>,
) -> Response {
    let write = query
        .write
        .is_some_and(|value| value == "1" || value == "true");
    let Ok(client) = token_endpoint::client(&state.highlevel) else {
        tracing::error!("the HighLevel OAuth settings do not form valid URLs");
        return SignInProblem::Exchange.redirect();
    };
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
    };
    if session::remember_sign_in_state(&session, &remembered)
        .await
        .is_err()
    {
        return SignInProblem::Storage.redirect();
    }
    Redirect::to(url.as_str()).into_response()
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
}

pub async fn callback(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let remembered = session::take_sign_in_state(&session).await;
    let (Some(code), Some(returned_state), Some(remembered)) =
        (query.code, query.state, remembered)
    else {
        return SignInProblem::Refused.redirect();
    };
    if returned_state != remembered.csrf {
        return SignInProblem::Expired.redirect();
    }
    match complete_sign_in(&state, &code).await {
        Ok(who) => match session::sign_in(&session, &who).await {
            Ok(()) => Redirect::to("/").into_response(),
            Err(_) => SignInProblem::Storage.redirect(),
        },
        Err(problem) => problem.redirect(),
    }
}

pub async fn logout(session: Session) -> Response {
    if let Err(error) = session::sign_out(&session).await {
        tracing::warn!(%error, "signing out");
    }
    Redirect::to("/signin").into_response()
}

async fn complete_sign_in(state: &AppState, code: &str) -> Result<SignedIn, SignInProblem> {
    let client = token_endpoint::client(&state.highlevel).map_err(|_| SignInProblem::Exchange)?;
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
    let (user_id, role) = accounts::record_sign_in(&state.db, &state.vault, &record)
        .await
        .map_err(|error| {
            tracing::error!(%error, "recording a sign-in");
            SignInProblem::Storage
        })?;
    tracing::info!(user_id, location = %record.location_id, role = role.label(), "signed in");
    Ok(SignedIn {
        user_id,
        location_id: record.location_id,
    })
}

/// Names the team and the person with two reads made with the new token,
/// counted in the location's shared budget, where they go before any sync.
async fn sign_in_record(
    state: &AppState,
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
    .shared_through(&state.db)
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
