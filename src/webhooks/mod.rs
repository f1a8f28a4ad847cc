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

pub use intake::receive;
pub use intake::MAX_BODY_BYTES;
pub use keys::{KeyError, Scheme, WebhookKeys};
pub use worker::spawn_worker;

/// Where HighLevel posts events.
pub const PATH: &str = "/webhooks/highlevel";
