//! Connections to other apps: each has its own webhook door, with the
//! signature and event-type rules its form sets, and keeps every request;
//! apps that pull read the team's contacts through the Read API with their
//! connection's key.

pub mod connections;
pub mod read_api;
