//! Faults a test can inject: added latency, a share of 5xx answers, a burst
//! of 429s and dropped webhooks. Ratios are applied by counting, not by
//! chance, so that a test gets the same failures on every run.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Added latency stops here, well past any client's timeout.
const MAX_LATENCY: Duration = Duration::from_secs(120);

/// Fires on a steady share of calls: with ratio 0.25, every fourth call.
#[derive(Debug, Default, Clone, Copy)]
pub struct Ratio {
    ratio: f64,
    calls: u64,
}

impl Ratio {
    fn new(ratio: f64) -> Self {
        Self {
            ratio: ratio.clamp(0.0, 1.0),
            calls: 0,
        }
    }

    pub fn fires(&mut self) -> bool {
        if self.ratio <= 0.0 {
            return false;
        }
        let before = (self.calls as f64 * self.ratio).floor();
        self.calls += 1;
        (self.calls as f64 * self.ratio).floor() > before
    }
}

#[derive(Debug, Default)]
pub struct Faults {
    pub latency: Duration,
    pub errors: Ratio,
    pub error_status: u16,
    pub rate_limited_requests: u32,
    pub dropped_webhooks: Ratio,
}

/// The JSON of `/_sandbox/faults`: every field is optional on writes, and
/// only the given ones change.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultSettings {
    pub latency_ms: Option<u64>,
    pub error_ratio: Option<f64>,
    pub error_status: Option<u16>,
    pub rate_limited_requests: Option<u32>,
    pub drop_webhook_ratio: Option<f64>,
}

impl Faults {
    pub fn apply(&mut self, settings: &FaultSettings) {
        if let Some(ms) = settings.latency_ms {
            self.latency = Duration::from_millis(ms).min(MAX_LATENCY);
        }
        if let Some(ratio) = settings.error_ratio {
            self.errors = Ratio::new(ratio);
        }
        if let Some(status) = settings.error_status.filter(|s| (500..600).contains(s)) {
            self.error_status = status;
        }
        if let Some(count) = settings.rate_limited_requests {
            self.rate_limited_requests = count;
        }
        if let Some(ratio) = settings.drop_webhook_ratio {
            self.dropped_webhooks = Ratio::new(ratio);
        }
    }

    pub fn settings(&self) -> FaultSettings {
        FaultSettings {
            latency_ms: Some(u64::try_from(self.latency.as_millis()).unwrap_or(u64::MAX)),
            error_ratio: Some(self.errors.ratio),
            error_status: Some(self.error_status()),
            rate_limited_requests: Some(self.rate_limited_requests),
            drop_webhook_ratio: Some(self.dropped_webhooks.ratio),
        }
    }

    pub fn error_status(&self) -> u16 {
        if self.error_status == 0 {
            500
        } else {
            self.error_status
        }
    }

    /// Whether the next request is answered with a forced 429.
    pub fn take_rate_limited(&mut self) -> bool {
        if self.rate_limited_requests == 0 {
            return false;
        }
        self.rate_limited_requests -= 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::Ratio;

    #[test]
    fn a_ratio_fires_on_its_share_of_calls() {
        let mut quarter = Ratio::new(0.25);
        let fired = (0..100).filter(|_| quarter.fires()).count();
        assert_eq!(fired, 25);
        let mut never = Ratio::new(0.0);
        assert!(!(0..10).any(|_| never.fires()));
    }
}
