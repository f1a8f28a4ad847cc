//! What Switchboard sends to an app: its settings (where, how it signs in,
//! the secret that signs each body), the guard that keeps deliveries away
//! from private addresses, and the sending of one delivery.

pub mod model;

#[cfg(feature = "ssr")]
pub mod base_url;
#[cfg(feature = "ssr")]
pub mod deliver;
#[cfg(feature = "ssr")]
pub mod form;
#[cfg(feature = "ssr")]
pub mod guard;
#[cfg(feature = "ssr")]
pub mod settings;

pub use model::{AuthMode, DeliveryOutcome};
