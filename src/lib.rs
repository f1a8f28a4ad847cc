//! Switchboard: a self-hosted dashboard and automation hub for businesses that
//! run on HighLevel. `app` and `ui` compile for the server and the browser;
//! everything else is server-only.

// The asynchronous hydration of the whole app (see `hydrate`) has a deeply
// nested future type.
#![recursion_limit = "256"]

pub mod api;
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

/// Browser entry point: attaches the server-rendered page to the app.
/// Hydration waits for the chunk of a lazy route before it attaches that
/// route's page; the marker the browser tests wait for goes up after it.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        let body = leptos::prelude::document()
            .body()
            .expect("the page has a body");
        let _ = body;
        leptos::mount::hydrate_islands();
        ui::layout::mark_hydrated();
    });
}
