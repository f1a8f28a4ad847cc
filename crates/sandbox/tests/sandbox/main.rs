//! The sandbox over real HTTP: every operation, its errors, limits, faults
//! and webhooks, checked against HighLevel's official documents.

mod support;

mod access;
mod apps;
mod contacts;
mod control;
mod loopback;
mod oauth;
mod schema;
mod search;
mod seed;
mod webhooks;
