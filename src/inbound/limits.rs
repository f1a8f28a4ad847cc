//! How much a door takes in: requests per minute per source address and
//! per connection (governor's keyed GCRA limiters), and how many bodies are
//! read at once, in all and per source.
//!
//! Going over a rate is answered 429 with `Retry-After`: HighLevel retries
//! exactly that answer. Bodies beyond the reading limits wait their turn
//! (within the request timeout), so a flood from one address never holds
//! the reading slots that another address's genuine events need.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use parking_lot::Mutex;
use serde_json::json;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A door's limits, from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct DoorSettings {
    pub per_source_per_minute: u32,
    pub per_connection_per_minute: u32,
    /// Bodies read at once, all sources together.
    pub bodies_at_once: usize,
    /// Bodies read at once from one source address.
    pub bodies_per_source: usize,
}

impl Default for DoorSettings {
    fn default() -> Self {
        Self {
            per_source_per_minute: 3000,
            per_connection_per_minute: 6000,
            bodies_at_once: 32,
            bodies_per_source: 8,
        }
    }
}

/// A rate was used up: try again after `retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    pub retry_after: Duration,
}

impl Busy {
    /// No reading slot right now: come back in a second.
    pub const NOW: Busy = Busy {
        retry_after: Duration::from_secs(1),
    };

    /// 429 with `Retry-After` and `message` in a JSON body: the answer
    /// webhook senders (HighLevel among them) send again later.
    pub fn answer(self, message: &str) -> Response {
        let body = json!({
            "error": "too_many_requests",
            "message": format!("{message} Please send it again later."),
            "stored": false,
        });
        let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(self.retry_after.as_secs().max(1)),
        );
        response
    }
}

/// The right to read one body; the slot frees when it is dropped.
pub struct ReadingPermit {
    _source: OwnedSemaphorePermit,
    _all: OwnedSemaphorePermit,
}

pub struct DoorLimits {
    per_source: DefaultKeyedRateLimiter<IpAddr>,
    per_connection: DefaultKeyedRateLimiter<String>,
    reading_all: Arc<Semaphore>,
    reading_by_source: Mutex<HashMap<IpAddr, Arc<Semaphore>>>,
    bodies_per_source: usize,
}

impl DoorLimits {
    pub fn new(settings: DoorSettings) -> Self {
        Self {
            per_source: RateLimiter::keyed(quota(settings.per_source_per_minute)),
            per_connection: RateLimiter::keyed(quota(settings.per_connection_per_minute)),
            reading_all: Arc::new(Semaphore::new(settings.bodies_at_once.max(1))),
            reading_by_source: Mutex::new(HashMap::new()),
            bodies_per_source: settings.bodies_per_source.max(1),
        }
    }

    /// Counts one request from `source`.
    pub fn admit_source(&self, source: IpAddr) -> Result<(), Busy> {
        busy_or_not(self.per_source.check_key(&source))
    }

    /// Counts one checked request for `connection` (a location, an app connection).
    pub fn admit_connection(&self, connection: &str) -> Result<(), Busy> {
        busy_or_not(self.per_connection.check_key(&connection.to_owned()))
    }

    /// Waits for a reading slot of `source` and one of the whole door.
    pub async fn reading(&self, source: IpAddr) -> Option<ReadingPermit> {
        let of_source = self
            .reading_by_source
            .lock()
            .entry(source)
            .or_insert_with(|| Arc::new(Semaphore::new(self.bodies_per_source)))
            .clone();
        // The semaphores are never closed: acquiring them does not fail.
        let source = of_source.acquire_owned().await.ok()?;
        let all = self.reading_all.clone().acquire_owned().await.ok()?;
        Some(ReadingPermit {
            _source: source,
            _all: all,
        })
    }

    /// Forgets sources and connections that have been quiet, so the
    /// limiters' memory follows the traffic of the last minutes only.
    pub fn forget_quiet(&self) {
        self.per_source.retain_recent();
        self.per_source.shrink_to_fit();
        self.per_connection.retain_recent();
        self.per_connection.shrink_to_fit();
        let bodies_per_source = self.bodies_per_source;
        self.reading_by_source
            .lock()
            .retain(|_, slots| slots.available_permits() < bodies_per_source);
    }
}

/// `per_minute` a minute, with bursts of up to ten seconds' worth.
fn quota(per_minute: u32) -> Quota {
    let rate = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new((per_minute / 6).max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(rate).allow_burst(burst)
}

fn busy_or_not(
    checked: Result<(), governor::NotUntil<<DefaultClock as Clock>::Instant>>,
) -> Result<(), Busy> {
    checked.map_err(|not_until| Busy {
        retry_after: not_until
            .wait_time_from(DefaultClock::default().now())
            .max(Duration::from_secs(1)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::FutureExt;

    fn tiny() -> DoorSettings {
        DoorSettings {
            per_source_per_minute: 60,
            per_connection_per_minute: 12,
            bodies_at_once: 2,
            bodies_per_source: 1,
        }
    }

    #[test]
    fn a_source_past_its_burst_waits_and_others_do_not() {
        let limits = DoorLimits::new(tiny());
        let flood: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        // 60 a minute: bursts of 10.
        assert!((0..10).all(|_| limits.admit_source(flood).is_ok()));
        let busy = limits.admit_source(flood).unwrap_err();
        assert!(busy.retry_after >= Duration::from_secs(1));
        assert!(limits.admit_source(other).is_ok());
        assert!((0..2).all(|_| limits.admit_connection("loc-a").is_ok()));
        assert!(limits.admit_connection("loc-a").is_err());
        assert!(limits.admit_connection("loc-b").is_ok());
    }

    #[tokio::test]
    async fn one_source_cannot_take_every_reading_slot() {
        let limits = DoorLimits::new(tiny());
        let flood: IpAddr = "10.0.0.1".parse().unwrap();
        let held = limits.reading(flood).await;
        assert!(
            limits.reading(flood).now_or_never().is_none(),
            "one body per source at once"
        );
        let other = limits.reading("10.0.0.2".parse().unwrap()).now_or_never();
        assert!(other.is_some(), "another source reads meanwhile");
        drop((held, other));
        limits.forget_quiet();
        assert!(limits.reading_by_source.lock().is_empty());
    }
}
