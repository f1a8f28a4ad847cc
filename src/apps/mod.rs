//! Connections to other apps: a gym's member-management, form or database app
//! sends its webhooks to Switchboard, which maps them to HighLevel contacts,
//! tasks and notes. `templates` describes what each app is expected to send;
//! `connections` is each connection's door, rules and kept requests.

pub mod connections;
pub mod templates;
