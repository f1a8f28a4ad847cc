//! When a sign-in replaces the team's HighLevel connection. Signing in
//! always gives the person a session, but the team's connection is shared:
//! an ordinary sign-in must not undo a disconnect, swap a Private Integration
//! Token for the person's own tokens, or drop the write access an owner gave.

use super::roles::Role;

/// The team's connection as a sign-in finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamConnection {
    /// Never connected: the team's first sign-in.
    None,
    /// An owner or admin disconnected it.
    DisconnectedOnPurpose,
    /// HighLevel refused to renew it; any member's fresh tokens are better.
    NeedsReconnect,
    Working,
}

impl TeamConnection {
    /// From the stored connection's status (if any) and whether the team was
    /// disconnected on purpose.
    pub fn from_stored(status: Option<&str>, disconnected_on_purpose: bool) -> Self {
        match status {
            Some("needs_reconnect") => TeamConnection::NeedsReconnect,
            Some(_) => TeamConnection::Working,
            None if disconnected_on_purpose => TeamConnection::DisconnectedOnPurpose,
            None => TeamConnection::None,
        }
    }
}

/// Whether the tokens of a member signing in with `role` become the team's
/// connection; `wants_to_connect` is their choice to connect or replace it.
pub fn sign_in_replaces(connection: TeamConnection, role: Role, wants_to_connect: bool) -> bool {
    match connection {
        TeamConnection::None | TeamConnection::NeedsReconnect => true,
        TeamConnection::DisconnectedOnPurpose | TeamConnection::Working => {
            wants_to_connect && role.can_manage()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLES: [Role; 4] = [Role::Owner, Role::Admin, Role::Member, Role::Viewer];

    #[test]
    fn a_first_sign_in_or_a_broken_connection_takes_anyones_tokens() {
        for role in ROLES {
            for wants in [false, true] {
                assert!(sign_in_replaces(TeamConnection::None, role, wants));
                assert!(sign_in_replaces(
                    TeamConnection::NeedsReconnect,
                    role,
                    wants
                ));
            }
        }
    }

    #[test]
    fn only_an_owner_or_admin_who_asks_replaces_or_reconnects() {
        for connection in [
            TeamConnection::Working,
            TeamConnection::DisconnectedOnPurpose,
        ] {
            for role in ROLES {
                assert!(!sign_in_replaces(connection, role, false), "{role:?}");
                assert_eq!(
                    sign_in_replaces(connection, role, true),
                    role.can_manage(),
                    "{role:?}"
                );
            }
        }
    }

    #[test]
    fn the_stored_state_reads_as_expected() {
        assert_eq!(
            TeamConnection::from_stored(Some("needs_reconnect"), true),
            TeamConnection::NeedsReconnect
        );
        assert_eq!(
            TeamConnection::from_stored(Some("active"), false),
            TeamConnection::Working
        );
        assert_eq!(
            TeamConnection::from_stored(None, true),
            TeamConnection::DisconnectedOnPurpose
        );
        assert_eq!(
            TeamConnection::from_stored(None, false),
            TeamConnection::None
        );
    }
}
