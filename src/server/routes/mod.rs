//! The plain HTTP routes: what is not a page or a server function. Each
//! handler reads the request, calls a service and answers.

pub mod auth;
pub mod export;
pub mod health;
pub mod hooks;
pub mod read_api;
pub mod webhooks;
