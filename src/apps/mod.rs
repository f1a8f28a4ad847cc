//! Connections to other apps: each has its own webhook door, with the
//! signature and event-type rules its form sets, and keeps every request;
//! each may also send the app deliveries of its own. `outbound::model`
//! crosses the wire; the rest is server-only.

#[cfg(feature = "ssr")]
pub mod connections;
pub mod outbound;
