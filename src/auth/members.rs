//! Who is in a team: a person signing in joins it as the team's setting says
//! (the first person becomes its owner), and the people kept out of it
//! (waiting for approval, or removed) stay out, whatever HighLevel says,
//! until an owner or admin lets them in.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::joining::JoinPolicy;
use super::roles::Role;
use super::session;

/// Why a person of the location is not in its team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "outsider_status", rename_all = "lowercase")]
pub enum OutsiderStatus {
    /// Waiting for an owner's or admin's approval.
    Pending,
    /// Removed, or refused, by an owner or admin.
    Removed,
}

/// Where a person signing in stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Member(Role),
    Outside(OutsiderStatus),
}

/// The standing of `user_id` in the team of `location_id`, joining them on
/// first sight. Runs in the sign-in's transaction after [`hold_team`], so two
/// first sign-ins at once do not both become owner.
pub async fn join(
    tx: &mut PgConnection,
    user_id: i64,
    location_id: &str,
) -> sqlx::Result<Standing> {
    if let Some(status) = outsider_status(tx, user_id, location_id).await? {
        return Ok(Standing::Outside(status));
    }
    let role: Option<Role> =
        sqlx::query_scalar("SELECT role FROM memberships WHERE user_id = $1 AND location_id = $2")
            .bind(user_id)
            .bind(location_id)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some(role) = role {
        return Ok(Standing::Member(role));
    }
    let (has_members, policy): (bool, JoinPolicy) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM memberships WHERE location_id = $1), join_as
           FROM teams WHERE location_id = $1",
    )
    .bind(location_id)
    .fetch_one(&mut *tx)
    .await?;
    if has_members && policy == JoinPolicy::Approval {
        keep_out(
            tx,
            user_id,
            location_id,
            OutsiderStatus::Pending,
            policy.role(),
        )
        .await?;
        return Ok(Standing::Outside(OutsiderStatus::Pending));
    }
    let role = if has_members {
        policy.role()
    } else {
        Role::Owner
    };
    add_member(tx, user_id, location_id, role).await?;
    Ok(Standing::Member(role))
}

async fn outsider_status(
    tx: &mut PgConnection,
    user_id: i64,
    location_id: &str,
) -> sqlx::Result<Option<OutsiderStatus>> {
    sqlx::query_scalar("SELECT status FROM outsiders WHERE user_id = $1 AND location_id = $2")
        .bind(user_id)
        .bind(location_id)
        .fetch_optional(tx)
        .await
}

async fn add_member(
    tx: &mut PgConnection,
    user_id: i64,
    location_id: &str,
    role: Role,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO memberships (user_id, location_id, role) VALUES ($1, $2, $3)")
        .bind(user_id)
        .bind(location_id)
        .bind(role)
        .execute(tx)
        .await?;
    Ok(())
}

async fn keep_out(
    tx: &mut PgConnection,
    user_id: i64,
    location_id: &str,
    status: OutsiderStatus,
    role: Role,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO outsiders (user_id, location_id, status, role) VALUES ($1, $2, $3, $4)",
    )
    .bind(user_id)
    .bind(location_id)
    .bind(status)
    .bind(role)
    .execute(tx)
    .await?;
    Ok(())
}

/// Holds the team row until the transaction ends, so that sign-ins and
/// changes to who is in the team take turns: a sign-in never finds a person
/// half moved between `memberships` and `outsiders`.
pub async fn hold_team(tx: &mut PgConnection, location_id: &str) -> sqlx::Result<()> {
    sqlx::query("SELECT 1 FROM teams WHERE location_id = $1 FOR UPDATE")
        .bind(location_id)
        .execute(tx)
        .await?;
    Ok(())
}

/// Takes a colleague out of the team: their sessions end at once, and they
/// stay out until an owner lets them back in with the role they had. The
/// owner is never removed. False when they are not a member.
pub async fn remove(pool: &PgPool, location_id: &str, user_id: i64) -> sqlx::Result<bool> {
    let mut tx = crate::db::begin(pool).await?;
    hold_team(&mut tx, location_id).await?;
    // Before the membership goes: its deletion takes the list of sessions with it.
    session::end_sessions(&mut tx, user_id, location_id).await?;
    let role: Option<Role> = sqlx::query_scalar(
        "DELETE FROM memberships WHERE user_id = $1 AND location_id = $2 AND role <> 'owner'
         RETURNING role",
    )
    .bind(user_id)
    .bind(location_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(role) = role else {
        return Ok(false);
    };
    keep_out(&mut tx, user_id, location_id, OutsiderStatus::Removed, role).await?;
    tx.commit().await?;
    Ok(true)
}

/// Lets in a person kept out with `status`, with the role kept for them.
/// False when nobody of that standing has that id.
pub async fn admit(
    pool: &PgPool,
    location_id: &str,
    user_id: i64,
    status: OutsiderStatus,
) -> sqlx::Result<bool> {
    let mut tx = crate::db::begin(pool).await?;
    hold_team(&mut tx, location_id).await?;
    let role: Option<Role> = sqlx::query_scalar(
        "DELETE FROM outsiders WHERE user_id = $1 AND location_id = $2 AND status = $3
         RETURNING role",
    )
    .bind(user_id)
    .bind(location_id)
    .bind(status)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(role) = role else {
        return Ok(false);
    };
    add_member(&mut tx, user_id, location_id, role).await?;
    tx.commit().await?;
    Ok(true)
}

/// Keeps a person waiting for approval out, as if removed. False when
/// nobody is waiting with that id.
pub async fn refuse(pool: &PgPool, location_id: &str, user_id: i64) -> sqlx::Result<bool> {
    let refused = sqlx::query(
        "UPDATE outsiders SET status = 'removed', since = now()
          WHERE user_id = $1 AND location_id = $2 AND status = 'pending'",
    )
    .bind(user_id)
    .bind(location_id)
    .execute(pool)
    .await?;
    Ok(refused.rows_affected() == 1)
}

/// A person kept out of the team, as Settings lists them.
#[derive(sqlx::FromRow)]
pub struct OutsiderRow {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub since: DateTime<Utc>,
}

/// The people kept out of the team with `status`, longest first.
pub async fn outsiders(
    pool: &PgPool,
    location_id: &str,
    status: OutsiderStatus,
) -> sqlx::Result<Vec<OutsiderRow>> {
    sqlx::query_as(
        "SELECT u.id AS user_id, u.name, u.email, o.since
           FROM outsiders o JOIN users u ON u.id = o.user_id
          WHERE o.location_id = $1 AND o.status = $2
          ORDER BY o.since, u.name",
    )
    .bind(location_id)
    .bind(status)
    .fetch_all(pool)
    .await
}

pub async fn join_policy(pool: &PgPool, location_id: &str) -> sqlx::Result<JoinPolicy> {
    sqlx::query_scalar("SELECT join_as FROM teams WHERE location_id = $1")
        .bind(location_id)
        .fetch_one(pool)
        .await
}

pub async fn set_join_policy(
    pool: &PgPool,
    location_id: &str,
    policy: JoinPolicy,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE teams SET join_as = $2 WHERE location_id = $1")
        .bind(location_id)
        .bind(policy)
        .execute(pool)
        .await?;
    Ok(())
}
