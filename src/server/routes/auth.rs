//! `GET /auth/login[?write=1][&connect=1]` sends the browser to HighLevel's
//! consent page (`connect`: an owner or admin chooses to connect the team, or
//! to replace its connection, with this sign-in);
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
    #[serde(default)]
    connect: Option<String>,
}

fn is_set(flag: Option<&str>) -> bool {
    flag.is_some_and(|value| value == "1" || value == "true")
}

pub async fn login(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<LoginQuery>,
) -> Response {
    let write = is_set(query.write.as_deref());
    let connect = is_set(query.connect.as_deref());
    let (url, remembered) = match state.sign_in().consent_url(write, connect) {
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
    // Someone who chose to connect the team sees on the Connections page
    // whether their sign-in did.
    let landing = if remembered.connect {
        "/connections"
    } else {
        "/"
    };
    match state.sign_in().complete(&code, remembered.connect).await {
        Ok(who) => match session::sign_in(&state.db, &session, &who).await {
            Ok(()) => Redirect::to(landing).into_response(),
            Err(error) => {
                tracing::error!(%error, "starting a session");
                to_sign_in_page(SignInProblem::Storage)
            }
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
