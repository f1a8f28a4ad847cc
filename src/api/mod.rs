//! Server functions: the only door from the browser to the server. Each one
//! authenticates the caller, checks the role, and calls a service.

pub mod connections;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod highlevel;
pub mod reports;
pub mod session;
pub mod system;
pub mod team;
