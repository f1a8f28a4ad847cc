//! `POST /webhooks/highlevel`: HighLevel's events, checked and stored by the
//! webhook door before the answer.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::Response;

use crate::state::AppState;
use crate::webhooks::HighLevelDoor;

pub async fn highlevel(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let source = state.client_address.of(peer, &headers);
    let door = HighLevelDoor {
        db: &state.db,
        keys: &state.webhook_keys,
        limits: &state.door,
    };
    door.receive(source, &headers, body).await
}
