//! Every integration test, in one binary: one link instead of one per file,
//! and one throw-away Postgres cluster shared by all (each test still gets a
//! database of its own). Run one area with a filter, e.g.
//! `cargo test --features ssr --test integration sync_`.

mod common;
mod sandbox_support;
mod sync_support;
mod webhooks_support;
mod workspace_support;

mod api_highlevel;
mod auth_roles;
mod auth_sign_in;
mod auth_tokens;
mod cache_upsert;
mod embedded_postgres;
mod healthz;
mod highlevel_catalogue;
mod highlevel_cli;
mod highlevel_paging;
mod highlevel_rate_limit;
mod highlevel_request_log;
mod highlevel_sandbox;
mod layers;
mod reports_dashboard;
mod sandbox_access;
mod sandbox_cli;
mod sandbox_contacts;
mod sandbox_control;
mod sandbox_oauth;
mod sandbox_schema;
mod sandbox_search;
mod sandbox_seed;
mod sandbox_webhooks;
mod secrets_never_leak;
mod sync_engine;
mod sync_faults;
mod sync_processes;
mod sync_resume;
mod webhooks_intake;
mod webhooks_load;
mod webhooks_queue;
mod webhooks_sandbox;
mod workspace_list;
mod workspace_scale;
mod workspace_writes;
