//! What Switchboard sends to an app: its settings (where, how it signs in,
//! the secret that signs each body), the guard that keeps deliveries away
//! from private addresses, and the sending of one delivery.

pub mod base_url;
pub mod guard;
