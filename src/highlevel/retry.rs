//! Bounded retries with jittered exponential backoff.
//!
//! Only answers that say "try again later" are retried: 429, 5xx, timeouts
//! and failed connections. The jitter spreads the retries of several workers
//! that failed together, so they do not come back at the same instant.
//!
//! Writes are retried too. Most HighLevel writes are safe to repeat (updates,
//! adding tags or followers, upserts, completing a task); a create repeated
//! after a 5xx that HighLevel had in fact carried out can leave a duplicate,
//! which is the lesser harm than silently losing the user's change.

use std::future::Future;
use std::time::Duration;

use rand::Rng;

use super::error::HighLevelError;

/// How often and how patiently a request is tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included.
    pub max_attempts: u32,
    /// Backoff before the second attempt; it doubles for each one after.
    pub base_delay: Duration,
    /// No single wait is longer than this.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retries.
    pub fn never() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The wait after `failed_attempts` failures: half the exponential
    /// backoff plus a random share of the other half, and never less than
    /// what the server asked for (`hint`), within `max_delay`.
    pub fn delay(&self, failed_attempts: u32, hint: Option<Duration>) -> Duration {
        let doublings = failed_attempts.saturating_sub(1).min(20);
        let backoff = self
            .base_delay
            .saturating_mul(1 << doublings)
            .min(self.max_delay);
        let half = backoff / 2;
        let half_ms = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
        let jitter = Duration::from_millis(rand::thread_rng().gen_range(0..=half_ms));
        (half + jitter)
            .max(hint.unwrap_or_default())
            .min(self.max_delay)
    }

    /// Runs `send` (given the attempt number, from 1) until it succeeds, fails
    /// for good, or the attempts are used up.
    pub async fn run<T, F, Fut>(&self, mut send: F) -> Result<T, HighLevelError>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<T, HighLevelError>>,
    {
        let mut attempt = 1;
        loop {
            match send(attempt).await {
                Err(error) if error.is_transient() && attempt < self.max_attempts => {
                    let hint = match &error {
                        HighLevelError::RateLimited { retry_after } => *retry_after,
                        _ => None,
                    };
                    let wait = self.delay(attempt, hint);
                    tracing::debug!(attempt, ?wait, %error, "retrying a HighLevel request");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                outcome => return outcome,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_within_bounds() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        for _ in 0..100 {
            let first = policy.delay(1, None);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = policy.delay(3, None);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            assert!(policy.delay(30, None) <= Duration::from_secs(1));
        }
    }

    #[test]
    fn the_servers_hint_is_a_floor() {
        let policy = RetryPolicy::default();
        let wait = policy.delay(1, Some(Duration::from_secs(3)));
        assert!(wait >= Duration::from_secs(3), "{wait:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn transient_errors_are_retried_until_the_attempts_run_out() {
        let policy = RetryPolicy {
            max_attempts: 3,
            ..RetryPolicy::default()
        };
        let mut calls = 0;
        let outcome: Result<(), _> = policy
            .run(|_| {
                calls += 1;
                async { Err(HighLevelError::Timeout) }
            })
            .await;
        assert_eq!(outcome, Err(HighLevelError::Timeout));
        assert_eq!(calls, 3);
    }

    #[tokio::test(start_paused = true)]
    async fn lasting_errors_are_not_retried() {
        let policy = RetryPolicy::default();
        let mut calls = 0;
        let outcome: Result<(), _> = policy
            .run(|_| {
                calls += 1;
                async {
                    Err(HighLevelError::Unauthorized {
                        message: "no".into(),
                    })
                }
            })
            .await;
        assert!(outcome.is_err());
        assert_eq!(calls, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_success_after_failures_is_returned() {
        let policy = RetryPolicy::default();
        let outcome = policy
            .run(|attempt| async move {
                if attempt < 3 {
                    Err(HighLevelError::Server {
                        status: 503,
                        message: "busy".into(),
                    })
                } else {
                    Ok(attempt)
                }
            })
            .await;
        assert_eq!(outcome, Ok(3));
    }
}
