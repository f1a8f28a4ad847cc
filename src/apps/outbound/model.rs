//! What pages and server functions say about deliveries.

use serde::{Deserialize, Serialize};

/// How a delivery signs in to the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMode {
    None,
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// A header of the app's choosing, with a secret value.
    Header,
    /// HTTP Basic, from `user:password`.
    Basic,
}

impl AuthMode {
    pub fn key(self) -> &'static str {
        match self {
            AuthMode::None => "none",
            AuthMode::Bearer => "bearer",
            AuthMode::Header => "header",
            AuthMode::Basic => "basic",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        [
            AuthMode::None,
            AuthMode::Bearer,
            AuthMode::Header,
            AuthMode::Basic,
        ]
        .into_iter()
        .find(|mode| mode.key() == key)
    }
}

/// What became of one delivery. It went through when `error` is none: the
/// app answered with a 2xx status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryOutcome {
    /// The app's status, when it answered at all.
    pub status: Option<u16>,
    /// The start of the app's answer, as text.
    pub body_excerpt: String,
    pub duration_ms: u64,
    /// Why the delivery failed, in plain words.
    pub error: Option<String>,
}

impl DeliveryOutcome {
    pub fn delivered(&self) -> bool {
        self.error.is_none()
    }
}
