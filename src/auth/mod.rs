//! Who may do what: HighLevel sign-in, sessions, teams, who is in them and
//! their roles, and the encrypted storage of HighLevel tokens. `roles`,
//! `joining` and `CurrentUser` cross the wire; the rest is server-only.

pub mod joining;
pub mod roles;

#[cfg(feature = "ssr")]
pub mod accounts;
#[cfg(feature = "ssr")]
pub mod keep_connection;
#[cfg(feature = "ssr")]
pub mod members;
#[cfg(feature = "ssr")]
pub mod oauth;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod token_endpoint;
#[cfg(feature = "ssr")]
pub mod tokens;
#[cfg(feature = "ssr")]
pub mod vault;

use serde::{Deserialize, Serialize};

use roles::Role;

/// The signed-in person as pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub name: String,
    pub email: String,
    pub location_id: String,
    pub location_name: String,
    pub role: Role,
    /// HighLevel refused to renew the team's access: someone must sign in again.
    pub needs_reconnect: bool,
}
