//! Resolves when the process is asked to stop (Ctrl-C or SIGTERM).

use tokio::signal::unix::{signal, SignalKind};

pub async fn signal_received() {
    let interrupt = tokio::signal::ctrl_c();
    let terminate = async {
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = interrupt => tracing::info!("interrupt received; shutting down"),
        _ = terminate => tracing::info!("SIGTERM received; shutting down"),
    }
}
