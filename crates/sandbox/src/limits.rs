//! Rate limits per app and location: a burst window and a daily budget, with
//! the five `X-RateLimit-*` headers HighLevel sends.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderName, HeaderValue};

const DAY: Duration = Duration::from_secs(86_400);

#[derive(Debug)]
struct Counter {
    window_start: Instant,
    in_window: u32,
    day_start: Instant,
    in_day: u32,
}

#[derive(Debug, Default)]
pub struct RateLimits {
    counters: HashMap<(String, String), Counter>,
}

/// The outcome of counting one request.
#[derive(Debug, Clone, Copy)]
pub struct Verdict {
    pub allowed: bool,
    pub burst_limit: u32,
    pub burst_remaining: u32,
    pub window: Duration,
    pub daily_limit: u32,
    pub daily_remaining: u32,
}

/// The limits in force.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub burst: u32,
    pub window: Duration,
    pub daily: u32,
}

impl RateLimits {
    /// Counts one request of `client` on `location`; a refused request is not
    /// counted.
    pub fn count(&mut self, client: &str, location: &str, limits: Limits) -> Verdict {
        let now = Instant::now();
        let counter = self
            .counters
            .entry((client.to_owned(), location.to_owned()))
            .or_insert(Counter {
                window_start: now,
                in_window: 0,
                day_start: now,
                in_day: 0,
            });
        if now.duration_since(counter.window_start) >= limits.window {
            counter.window_start = now;
            counter.in_window = 0;
        }
        if now.duration_since(counter.day_start) >= DAY {
            counter.day_start = now;
            counter.in_day = 0;
        }
        let allowed = counter.in_window < limits.burst && counter.in_day < limits.daily;
        if allowed {
            counter.in_window += 1;
            counter.in_day += 1;
        }
        Verdict {
            allowed,
            burst_limit: limits.burst,
            burst_remaining: limits.burst.saturating_sub(counter.in_window),
            window: limits.window,
            daily_limit: limits.daily,
            daily_remaining: limits.daily.saturating_sub(counter.in_day),
        }
    }

    pub fn reset(&mut self) {
        self.counters.clear();
    }
}

impl Verdict {
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        let pairs = [
            ("x-ratelimit-limit-daily", u64::from(self.daily_limit)),
            (
                "x-ratelimit-daily-remaining",
                u64::from(self.daily_remaining),
            ),
            (
                "x-ratelimit-interval-milliseconds",
                u64::try_from(self.window.as_millis()).unwrap_or(u64::MAX),
            ),
            ("x-ratelimit-max", u64::from(self.burst_limit)),
            ("x-ratelimit-remaining", u64::from(self.burst_remaining)),
        ];
        for (name, value) in pairs {
            headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
        }
    }
}
