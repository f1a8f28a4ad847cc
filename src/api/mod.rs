//! Server functions: the only door from the browser to the server. Each one
//! authenticates the caller, checks the role, and calls a service.

pub mod alerts;
pub mod appointments;
pub mod apps;
pub mod apps_mapping;
pub mod apps_outbound;
pub mod apps_read;
pub mod apps_sample;
pub mod automations;
pub mod codec;
pub mod connections;
pub mod contacts;
pub mod events;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod highlevel;
pub mod reports;
pub mod session;
pub mod sync;
pub mod system;
pub mod tasks;
pub mod team;
