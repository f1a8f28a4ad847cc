#[cfg(feature = "ssr")]
fn main() -> std::process::ExitCode {
    switchboard::cli::main()
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser build has no binary; `cargo leptos` builds the server with `ssr`.
}
