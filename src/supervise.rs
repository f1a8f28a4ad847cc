//! Background tasks that must not silently die: a task that ends or panics
//! while the server still runs is logged and started again.

use std::future::Future;
use std::time::Duration;

/// Wait before a stopped task starts again, so a task that fails at once
/// does not spin.
const RESTART_AFTER: Duration = Duration::from_secs(1);

/// Runs `start()` as a task, again each time it ends, until `running()` is
/// false (the server is stopping).
pub fn supervise<F, Fut>(
    name: &'static str,
    running: impl Fn() -> bool + Send + 'static,
    start: F,
) -> tokio::task::JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        loop {
            let ended = tokio::spawn(start()).await;
            if !running() {
                return;
            }
            match ended {
                Err(error) if error.is_panic() => {
                    tracing::error!(task = name, "a background task panicked; starting it again");
                }
                _ => tracing::error!(task = name, "a background task stopped; starting it again"),
            }
            tokio::time::sleep(RESTART_AFTER).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_task_that_panics_or_ends_is_started_again_until_the_server_stops() {
        let starts = Arc::new(AtomicUsize::new(0));
        let (third_start, started_thrice) = tokio::sync::oneshot::channel();
        let third_start = Arc::new(parking_lot::Mutex::new(Some(third_start)));
        let counted = starts.clone();
        let running = {
            let starts = starts.clone();
            move || starts.load(Ordering::SeqCst) < 3
        };
        let supervisor = supervise("test", running, move || {
            let start = counted.fetch_add(1, Ordering::SeqCst) + 1;
            let third_start = third_start.clone();
            async move {
                match start {
                    1 => panic!("the first run fails"),
                    2 => {}
                    _ => {
                        if let Some(done) = third_start.lock().take() {
                            let _ = done.send(());
                        }
                    }
                }
            }
        });
        started_thrice.await.unwrap();
        supervisor.await.unwrap();
        assert_eq!(starts.load(Ordering::SeqCst), 3);
    }
}
