//! Switchboard: a self-hosted dashboard and automation hub for businesses that
//! run on HighLevel. `app` and `ui` compile for the server and the browser;
//! everything else is server-only.

// The asynchronous hydration of the whole app (see `hydrate`) has a deeply
// nested future type.
#![recursion_limit = "256"]

pub mod api;
#[cfg(feature = "ssr")]
pub mod app;
pub mod app_error;
pub mod apps;
pub mod auth;
pub mod automations;
pub mod format;
pub mod reports;
pub mod sync;
pub mod ui;
pub mod workspace;

#[cfg(feature = "ssr")]
pub mod alerts;
#[cfg(feature = "ssr")]
pub mod cache;
#[cfg(feature = "ssr")]
pub mod caller;
#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod highlevel;
#[cfg(feature = "ssr")]
pub mod inbound;
#[cfg(feature = "ssr")]
pub mod retention;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod supervise;
#[cfg(feature = "ssr")]
pub mod telemetry;
#[cfg(feature = "ssr")]
pub mod tls;
#[cfg(feature = "ssr")]
pub mod webhooks;
#[cfg(feature = "ssr")]
pub mod zone;

/// The server's allocator. Rendering a page allocates and frees many small
/// strings on every worker thread; under the dashboard bench's load glibc's
/// malloc took over a quarter of the process's CPU, mostly consolidating and
/// relinking free chunks. mimalloc keeps a heap per thread.
#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Browser entry point. Pages are rendered by the server alone; only their
/// islands come alive here, each attached by Leptos's island script once
/// this returns (see `ui::island::island_ready`).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
