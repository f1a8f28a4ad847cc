//! HighLevel webhook intake: `POST /webhooks/highlevel` checks the signature,
//! the age and the webhookId, stores every request in the inbox before
//! answering, and workers in every server process apply the accepted events
//! to the cache from that durable queue.

mod apply;
pub mod cli;
mod intake;
mod keys;
mod kinds;
pub mod store;
mod worker;

pub use intake::HighLevelDoor;
pub use intake::MAX_BODY_BYTES;
pub use keys::{KeyError, Scheme, WebhookKeys};
pub use worker::{spawn_worker, spawn_worker_with, work, WorkerTiming};

/// Where HighLevel posts events.
pub const PATH: &str = "/webhooks/highlevel";
