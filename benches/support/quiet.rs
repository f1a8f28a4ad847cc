//! How a load bench runs: on a multi-threaded runtime, with the server's
//! request logs off unless `RUST_LOG` asks for them (they would cost the
//! server more than the requests).

pub fn run<F: std::future::Future>(bench: F) -> F::Output {
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "warn");
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(bench)
}
