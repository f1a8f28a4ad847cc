//! How HighLevel users of a team's location join it when they first sign
//! in (the team's "join as" setting; the first person is always the owner).

use serde::{Deserialize, Serialize};

use super::roles::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "join_policy", rename_all = "lowercase")
)]
#[serde(rename_all = "lowercase")]
pub enum JoinPolicy {
    /// Least access until the owner gives more; every team's setting until
    /// its owner changes it.
    Viewer,
    Member,
    /// They wait until an owner or admin lets them in.
    Approval,
}

impl JoinPolicy {
    pub const ALL: [JoinPolicy; 3] = [JoinPolicy::Viewer, JoinPolicy::Member, JoinPolicy::Approval];

    /// The role a newcomer gets: at once, or once approved.
    pub fn role(self) -> Role {
        match self {
            JoinPolicy::Member => Role::Member,
            JoinPolicy::Viewer | JoinPolicy::Approval => Role::Viewer,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            JoinPolicy::Viewer => "Viewer",
            JoinPolicy::Member => "Member",
            JoinPolicy::Approval => "Wait for my approval",
        }
    }

    /// The setting in a sentence, for those who cannot change it.
    pub fn sentence(self) -> &'static str {
        match self {
            JoinPolicy::Viewer => "New people from HighLevel join as viewers.",
            JoinPolicy::Member => "New people from HighLevel join as members.",
            JoinPolicy::Approval => {
                "New people from HighLevel wait until an owner or admin approves them."
            }
        }
    }

    /// The form value, as serde names it.
    pub fn key(self) -> &'static str {
        match self {
            JoinPolicy::Viewer => "viewer",
            JoinPolicy::Member => "member",
            JoinPolicy::Approval => "approval",
        }
    }
}
