//! Typed request and response bodies, named after the schemas of the official
//! HighLevel v2 documents (misspellings such as `succeded` are the real field
//! names and are kept).
//!
//! Responses keep every field the documents do not list in `extra`: real
//! answers carry more than the specs describe, and dropping those fields would
//! lose data on a round trip.

mod businesses;
mod calendars;
mod common;
mod contacts;
mod locations;
mod notes;
mod tasks;
mod users;

pub use businesses::*;
pub use calendars::*;
pub use common::*;
pub use contacts::*;
pub use locations::*;
pub use notes::*;
pub use tasks::*;
pub use users::*;

/// Fields a response carried beyond those the official document lists.
pub type Extra = serde_json::Map<String, serde_json::Value>;
