//! The people of a team, their roles, and who gets in (Settings page).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::app_error::AppError;
use crate::auth::joining::JoinPolicy;
use crate::auth::roles::Role;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamMember {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub is_you: bool,
}

/// A person of the location kept out of the team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outsider {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    /// Since when they wait, or were removed.
    pub since: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    pub members: Vec<TeamMember>,
    /// Whether the caller (an owner) may change roles, remove people, let
    /// them back in and choose how newcomers join.
    pub can_change_roles: bool,
    /// Whether the caller (an owner or admin) may approve or refuse newcomers.
    pub can_approve: bool,
    /// How new HighLevel users of the location join.
    pub join_as: JoinPolicy,
    /// People waiting for approval; listed for owners and admins only.
    pub waiting: Vec<Outsider>,
    /// People removed or refused; listed for owners and admins only.
    pub removed: Vec<Outsider>,
}

#[server(endpoint = "team/members", output = crate::api::codec::JsonText)]
pub async fn get_team() -> Result<Team, AppError> {
    use crate::api::guard;
    use crate::auth::members::{self, OutsiderStatus};

    let (state, caller) = guard::require(Role::Viewer).await?;
    let location_id = &caller.who.location_id;
    let rows: Vec<(i64, String, String, Role)> = sqlx::query_as(
        "SELECT u.id, u.name, u.email, m.role FROM memberships m JOIN users u ON u.id = m.user_id
          WHERE m.location_id = $1 ORDER BY m.role, u.name",
    )
    .bind(location_id)
    .fetch_all(&state.db)
    .await
    .map_err(AppError::from)?;
    let (waiting, removed) = if caller.role().can_manage() {
        (
            outsiders(&state, &caller, OutsiderStatus::Pending).await?,
            outsiders(&state, &caller, OutsiderStatus::Removed).await?,
        )
    } else {
        Default::default()
    };
    Ok(Team {
        members: rows
            .into_iter()
            .map(|(user_id, name, email, role)| TeamMember {
                is_you: user_id == caller.who.user_id,
                user_id,
                name,
                email,
                role,
            })
            .collect(),
        can_change_roles: caller.role() == Role::Owner,
        can_approve: caller.role().can_manage(),
        join_as: members::join_policy(&state.db, location_id).await?,
        waiting,
        removed,
    })
}

#[cfg(feature = "ssr")]
async fn outsiders(
    state: &crate::state::AppState,
    caller: &crate::caller::Caller,
    status: crate::auth::members::OutsiderStatus,
) -> Result<Vec<Outsider>, AppError> {
    let rows = crate::auth::members::outsiders(&state.db, &caller.who.location_id, status).await?;
    Ok(rows
        .into_iter()
        .map(|row| Outsider {
            user_id: row.user_id,
            name: row.name,
            email: row.email,
            since: caller.zone.moment(row.since),
        })
        .collect())
}

/// Owners make colleagues Admin, Member or Viewer (not themselves, and not owner).
#[server(endpoint = "team/set-role", output = crate::api::codec::JsonText)]
pub async fn set_role(user_id: i64, role: Role) -> Result<(), AppError> {
    use crate::api::guard;

    let (state, caller) = guard::require(Role::Owner).await?;
    if user_id == caller.who.user_id {
        return Err(AppError::invalid("You cannot change your own role."));
    }
    if role == Role::Owner {
        return Err(AppError::invalid(
            "A team has one owner; choose Admin, Member or Viewer.",
        ));
    }
    let changed = sqlx::query("UPDATE memberships SET role = $3 WHERE user_id = $1 AND location_id = $2 AND role <> 'owner'")
        .bind(user_id)
        .bind(&caller.who.location_id)
        .bind(role)
        .execute(&state.db)
        .await
        .map_err(AppError::from)?
        .rows_affected();
    if changed == 0 {
        return Err(AppError::NotFound(
            "That person is not a member of your team.".into(),
        ));
    }
    tracing::info!(location = %caller.who.location_id, user_id, role = role.label(), "role changed");
    Ok(())
}

/// Owners take a colleague out of the team: their sessions end at once, and
/// signing in again does not bring them back.
#[server(endpoint = "team/remove", output = crate::api::codec::JsonText)]
pub async fn remove_member(user_id: i64) -> Result<(), AppError> {
    use crate::api::guard;
    use crate::auth::members;

    let (state, caller) = guard::require(Role::Owner).await?;
    if user_id == caller.who.user_id {
        return Err(AppError::invalid("You cannot remove yourself."));
    }
    if !members::remove(&state.db, &caller.who.location_id, user_id).await? {
        return Err(AppError::NotFound(
            "That person is not a member of your team.".into(),
        ));
    }
    tracing::info!(location = %caller.who.location_id, user_id, "removed from the team");
    Ok(())
}

/// Owners let a removed (or refused) person back in, with the role they had.
#[server(endpoint = "team/let-back-in", output = crate::api::codec::JsonText)]
pub async fn let_back_in(user_id: i64) -> Result<(), AppError> {
    admit(crate::auth::members::OutsiderStatus::Removed, user_id).await
}

/// Owners and admins let in someone waiting for approval, as a viewer.
#[server(endpoint = "team/approve", output = crate::api::codec::JsonText)]
pub async fn approve(user_id: i64) -> Result<(), AppError> {
    admit(crate::auth::members::OutsiderStatus::Pending, user_id).await
}

/// Lets in a person kept out with `status`. Whom the owner removed, only the
/// owner lets back in; admins may also let in newcomers.
#[cfg(feature = "ssr")]
async fn admit(status: crate::auth::members::OutsiderStatus, user_id: i64) -> Result<(), AppError> {
    use crate::api::guard;
    use crate::auth::members::{self, OutsiderStatus};

    let (least, not_found) = match status {
        OutsiderStatus::Removed => (Role::Owner, "That person is not removed from your team."),
        OutsiderStatus::Pending => (Role::Admin, "That person is not waiting to join your team."),
    };
    let (state, caller) = guard::require(least).await?;
    if !members::admit(&state.db, &caller.who.location_id, user_id, status).await? {
        return Err(AppError::NotFound(not_found.into()));
    }
    tracing::info!(location = %caller.who.location_id, user_id, ?status, "let into the team");
    Ok(())
}

/// Owners and admins keep out someone waiting for approval; they are then
/// listed with the removed, whom the owner may still let in.
#[server(endpoint = "team/refuse", output = crate::api::codec::JsonText)]
pub async fn refuse(user_id: i64) -> Result<(), AppError> {
    use crate::api::guard;
    use crate::auth::members;

    let (state, caller) = guard::require(Role::Admin).await?;
    if !members::refuse(&state.db, &caller.who.location_id, user_id).await? {
        return Err(AppError::NotFound(
            "That person is not waiting to join your team.".into(),
        ));
    }
    tracing::info!(location = %caller.who.location_id, user_id, "refused a newcomer");
    Ok(())
}

/// Owners choose how new HighLevel users of the location join the team.
#[server(endpoint = "team/join-as", output = crate::api::codec::JsonText)]
pub async fn set_join_as(join_as: JoinPolicy) -> Result<(), AppError> {
    use crate::api::guard;
    use crate::auth::members;

    let (state, caller) = guard::require(Role::Owner).await?;
    members::set_join_policy(&state.db, &caller.who.location_id, join_as).await?;
    tracing::info!(location = %caller.who.location_id, join_as = join_as.label(), "newcomers' role chosen");
    Ok(())
}
