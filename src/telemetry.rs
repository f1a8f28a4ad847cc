//! Structured logs through `tracing`.
//!
//! `RUST_LOG` picks what is logged; `SWITCHBOARD_LOG_FORMAT=json` switches to
//! one JSON object per line. Request logs carry method, path and status only:
//! `Authorization` and `Cookie` headers are marked sensitive before the trace
//! layer sees them, and query strings are never logged.

use tracing_subscriber::EnvFilter;

const DEFAULT_FILTER: &str = "info,sqlx=warn,tower_http=info,leptos_axum=warn";

pub fn init() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let json = std::env::var("SWITCHBOARD_LOG_FORMAT")
        .is_ok_and(|format| format.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true)
        // Standard output belongs to commands such as `switchboard api`, whose
        // output is read by scripts; logs go to standard error.
        .with_writer(std::io::stderr)
        // Colours only for people at a terminal, not in files and collectors.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    // `try_init`: tests and helper binaries may initialise more than once.
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}
