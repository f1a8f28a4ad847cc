//! `POST /webhooks/highlevel`: HighLevel's events, checked and stored by the
//! webhook intake before the answer.

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use crate::state::AppState;

pub async fn highlevel(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    crate::webhooks::receive(&state.db, &state.webhook_keys, &headers, body).await
}
