//! `GET /auth/login[?write=1]` sends the browser to HighLevel's consent page;
//! `GET /auth/callback` checks the state and signs the person in;
//! `POST /auth/logout` signs out.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use crate::auth::oauth::SignInProblem;
use crate::auth::session;
use crate::state::AppState;

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
    let (url, remembered) = match state.sign_in().consent_url(write) {
        Ok(consent) => consent,
        Err(problem) => return to_sign_in_page(problem),
    };
    if session::remember_sign_in_state(&session, &remembered)
        .await
        .is_err()
    {
        return to_sign_in_page(SignInProblem::Storage);
    }
    Redirect::to(&url).into_response()
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
        return to_sign_in_page(SignInProblem::Refused);
    };
    if returned_state != remembered.csrf {
        return to_sign_in_page(SignInProblem::Expired);
    }
    match state.sign_in().complete(&code).await {
        Ok(who) => match session::sign_in(&session, &who).await {
            Ok(()) => Redirect::to("/").into_response(),
            Err(_) => to_sign_in_page(SignInProblem::Storage),
        },
        Err(problem) => to_sign_in_page(problem),
    }
}

pub async fn logout(session: Session) -> Response {
    if let Err(error) = session::sign_out(&session).await {
        tracing::warn!(%error, "signing out");
    }
    Redirect::to("/signin").into_response()
}

fn to_sign_in_page(problem: SignInProblem) -> Response {
    Redirect::to(&format!("/signin?problem={}", problem.code())).into_response()
}
