//! The door every request from another system passes through before its
//! body is trusted: HighLevel's webhooks, and the other apps' webhooks.
//!
//! A door is bounded so that a flood cannot fill the disk or the memory:
//! requests are counted per source address and per connection (answering
//! 429, which webhook senders retry), only a few bodies are read at once,
//! and a refused request leaves a short record (a digest and the headers),
//! never its body.

pub mod limits;
pub mod refused;
pub mod source;

pub use limits::{Busy, DoorLimits, DoorSettings, ReadingPermit};
pub use source::ClientAddress;

use axum::http::{header, HeaderMap};

/// The body length a request declares, before any of it is read.
pub fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.parse().ok())
}
