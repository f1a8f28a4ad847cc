//! A connection to another app: what its form sets (how its webhooks are
//! signed, where their event type is), its sealed secret, and its requests,
//! each with who it is about (`subject`).

pub mod door;
pub mod signing;
pub mod store;
pub mod subject;

use serde::{Deserialize, Serialize};

/// How an incoming request proves it comes from the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Signing {
    /// The connection's secret itself, in `header`.
    SecretHeader { header: String },
    /// `prefix` + the HMAC-SHA256 of the raw body under the secret, in `header`.
    HmacSha256 {
        header: String,
        encoding: Encoding,
        prefix: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Encoding {
    Hex,
    Base64,
}

impl Encoding {
    pub fn key(self) -> &'static str {
        match self {
            Encoding::Hex => "hex",
            Encoding::Base64 => "base64",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "hex" => Some(Encoding::Hex),
            "base64" => Some(Encoding::Base64),
            _ => None,
        }
    }
}

/// Where a request's event type is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventTypeFrom {
    /// A field of the JSON body, as a dot path (`data.type`).
    BodyField(String),
    Header(String),
    /// Every request is of this one type.
    Fixed(String),
}

impl EventTypeFrom {
    pub fn kind(&self) -> &'static str {
        match self {
            EventTypeFrom::BodyField(_) => "body_field",
            EventTypeFrom::Header(_) => "header",
            EventTypeFrom::Fixed(_) => "fixed",
        }
    }

    pub fn key(&self) -> &str {
        match self {
            EventTypeFrom::BodyField(key)
            | EventTypeFrom::Header(key)
            | EventTypeFrom::Fixed(key) => key,
        }
    }

    pub fn from_parts(kind: &str, key: String) -> Option<Self> {
        match kind {
            "body_field" => Some(EventTypeFrom::BodyField(key)),
            "header" => Some(EventTypeFrom::Header(key)),
            "fixed" => Some(EventTypeFrom::Fixed(key)),
            _ => None,
        }
    }
}
