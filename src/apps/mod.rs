//! Connections to other apps: a gym's member-management, form or database app
//! sends its webhooks to Switchboard, which maps them to HighLevel contacts,
//! tasks and notes, and may receive deliveries of its own. `templates`
//! describes what each app is expected to send; `connections` is each
//! connection's door, rules and kept requests; `mapping` turns an event into
//! HighLevel requests; `outbound` sends to the app; `read_api` lets apps
//! that pull read the team's contacts with their connection's key;
//! `sample` has the sandbox's simulated apps send a connection an event.
//! `outbound::model` crosses the wire; the rest is server-only.

#[cfg(feature = "ssr")]
pub mod connections;
#[cfg(feature = "ssr")]
pub mod mapping;
pub mod outbound;
#[cfg(feature = "ssr")]
pub mod read_api;
#[cfg(feature = "ssr")]
pub mod sample;
#[cfg(feature = "ssr")]
pub mod templates;
