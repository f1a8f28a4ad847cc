//! Connections to other apps: each has its own webhook door, with the
//! signature and event-type rules its form sets, and keeps every request.

pub mod connections;
