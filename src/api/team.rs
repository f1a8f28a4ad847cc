//! The people of a team and their roles (Settings page).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::app_error::AppError;
use crate::auth::roles::Role;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamMember {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub is_you: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    pub members: Vec<TeamMember>,
    /// Whether the caller (an owner) may change roles.
    pub can_change_roles: bool,
}

#[server(endpoint = "team/members")]
pub async fn get_team() -> Result<Team, AppError> {
    use crate::api::guard;

    let (state, caller) = guard::require(Role::Viewer).await?;
    let rows: Vec<(i64, String, String, Role)> = sqlx::query_as(
        "SELECT u.id, u.name, u.email, m.role FROM memberships m JOIN users u ON u.id = m.user_id
          WHERE m.location_id = $1 ORDER BY m.role, u.name",
    )
    .bind(&caller.who.location_id)
    .fetch_all(&state.db)
    .await
    .map_err(AppError::from)?;
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
        can_change_roles: caller.role == Role::Owner,
    })
}

/// Owners make colleagues Admin, Member or Viewer (not themselves, and not owner).
#[server(endpoint = "team/set-role")]
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
