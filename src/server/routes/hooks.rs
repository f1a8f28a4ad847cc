//! `POST /hooks/{public_id}`: other apps' webhooks, checked and kept by
//! their connection's door.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use crate::apps::connections::door::AppDoor;
use crate::state::AppState;

pub async fn app_event(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(public_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let source = state.client_address.of(peer, &headers);
    let door = AppDoor {
        db: &state.db,
        vault: &state.vault,
        limits: &state.door,
    };
    door.receive(&public_id, source, &headers, body).await
}
