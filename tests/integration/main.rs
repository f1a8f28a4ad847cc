//! Every integration test, in one binary: one link instead of one per file,
//! and one throw-away Postgres cluster shared by all (each test still gets a
//! database of its own). Run one area with a filter, e.g.
//! `cargo test --features ssr --test integration sync_`.

mod automations_support;
mod common;
// The sandbox crate's own test helpers; the app's tests use a part of them.
#[allow(dead_code)]
#[path = "../../crates/sandbox/tests/sandbox/support/mod.rs"]
mod sandbox_support;
mod sync_support;
mod webhooks_support;
mod workspace_support;

mod api_highlevel;
mod apps_inbound;
mod apps_mapping;
mod apps_mapping_builder;
mod apps_outbound;
mod apps_read_api;
mod apps_sample;
mod apps_templates;
mod auth_connection_kept;
mod auth_members;
mod auth_roles;
mod auth_sessions;
mod auth_sign_in;
mod auth_tokens;
mod automations_by_hand;
mod automations_crash;
mod automations_engine;
mod automations_flow;
mod automations_highlevel;
mod automations_recipes;
mod automations_schedule;
mod automations_steps;
mod cache_upsert;
mod db_transactions;
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
mod reports_replica;
mod reports_rollups;
mod sandbox_cli;
mod secrets_never_leak;
mod sync_engine;
mod sync_faults;
mod sync_processes;
mod sync_resume;
mod sync_scheduler;
mod trust_browser;
mod trust_door;
mod webhooks_intake;
mod webhooks_load;
mod webhooks_queue;
mod webhooks_sandbox;
mod workspace_list;
mod workspace_scale;
mod workspace_writes;
