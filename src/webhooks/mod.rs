//! HighLevel webhook intake: `POST /webhooks/highlevel` checks the signature,
//! the age and the webhookId, stores every request in the inbox before
//! answering, and workers in every server process apply the accepted events
//! to the cache from that durable queue.

mod apply;
mod intake;
mod keys;
mod kinds;
pub mod store;
mod worker;

use std::time::Duration;

use axum::routing::post;
use axum::Router;

use crate::server::AppState;

pub use intake::MAX_BODY_BYTES;
pub use keys::{KeyError, Scheme, WebhookKeys, HIGHLEVEL_ED25519_PEM, HIGHLEVEL_RSA_PEM};
pub use worker::spawn_worker;

/// Where HighLevel posts events.
pub const PATH: &str = "/webhooks/highlevel";

/// The intake route. It reads its own body under its own limit, so that an
/// oversized body gets a JSON answer saying why.
pub fn routes(request_timeout: Duration) -> Router<AppState> {
    crate::server::wrap_reading_own_body(
        Router::new().route(PATH, post(intake::receive)),
        request_timeout,
    )
}
