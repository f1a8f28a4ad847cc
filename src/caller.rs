//! The signed-in person behind a request: who, in which team, with which role,
//! the team's time zone, their teams, their unread alerts and the version of
//! the team's cache. One axum extractor, used by the server functions
//! (through `api::guard`) and by plain routes such as the CSV export alike.

use std::sync::LazyLock;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::PgPool;
use tower_sessions::Session;

use crate::alerts;
use crate::app_error::AppError;
use crate::auth::roles::Role;
use crate::auth::session::{self, SignedIn};
use crate::auth::CurrentUser;
use crate::reports::freshness;
use crate::reports::memo::Version;
use crate::reports::model::Choice;
use crate::state::AppState;
use crate::zone::TeamZone;

#[derive(Clone)]
pub struct Caller {
    pub who: SignedIn,
    /// Their name, role and team as the sidebar shows them.
    pub me: CurrentUser,
    pub zone: TeamZone,
    /// Every team they belong to, by name: the choices of the team control.
    pub teams: Vec<Choice>,
    /// Alerts they had not read when the request began, for the bell.
    pub unread_alerts: i64,
    /// The version of their team's cache when the request began: what the
    /// answers kept for the team (`reports::memo`) depend on.
    pub cache_version: Version,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| {
                tracing::error!("a request reached the caller check without a session");
                AppError::Unavailable("Sign-in is not available right now.".into())
            })?;
        let who = session::signed_in(&session)
            .await
            .ok_or(AppError::Unauthorized)?;
        if let Err(error) = session::renew_daily(&session).await {
            tracing::warn!(%error, "a signed-in session could not be renewed");
        }
        look_up(&state.db, who).await?.ok_or_else(|| {
            AppError::Forbidden(
                "You are no longer a member of this team. Please sign in again.".into(),
            )
        })
    }
}

/// The caller `who`, unless they are no longer a member of their team. One
/// statement for all a page needs of them and of their team's cache: each
/// statement costs a round trip, and another when sqlx checks its
/// connection back into the pool.
async fn look_up(db: &PgPool, who: SignedIn) -> sqlx::Result<Option<Caller>> {
    static STATEMENT: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT u.name, u.email, t.name, m.role,
                    coalesce(c.status = 'needs_reconnect', false), t.time_zone,
                    (SELECT coalesce(json_agg(json_build_object('id', o.location_id, 'name', o.name)
                                              ORDER BY o.name, o.location_id), '[]')
                       FROM memberships om JOIN teams o USING (location_id)
                      WHERE om.user_id = $2),
                    {unread},
                    {version}
               FROM memberships m
               JOIN users u ON u.id = m.user_id
               JOIN teams t ON t.location_id = m.location_id
               LEFT JOIN connections c ON c.location_id = m.location_id
              WHERE m.location_id = $1 AND m.user_id = $2",
            unread = alerts::UNREAD_COUNT,
            version = *freshness::VERSION_COLUMNS,
        )
    });
    type Row = (
        String,
        String,
        String,
        Role,
        bool,
        String,
        Json<Vec<Choice>>,
        i64,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
    );
    let row: Option<Row> = sqlx::query_as(STATEMENT.as_str())
        .bind(&who.location_id)
        .bind(who.user_id)
        .fetch_optional(db)
        .await?;
    let now = Utc::now();
    Ok(row.map(
        |(
            name,
            email,
            location_name,
            role,
            needs_reconnect,
            zone,
            Json(teams),
            unread_alerts,
            newest_write,
            last_run,
        )| {
            let me = CurrentUser {
                name,
                email,
                location_id: who.location_id.clone(),
                location_name,
                role,
                needs_reconnect,
            };
            Caller {
                who,
                me,
                zone: TeamZone::named(&zone),
                teams,
                unread_alerts,
                cache_version: Version::new([newest_write, last_run], now),
            }
        },
    ))
}

impl Caller {
    pub fn role(&self) -> Role {
        self.me.role
    }

    /// Refuses a role below `least` (Owner > Admin > Member > Viewer).
    pub fn require(&self, least: Role) -> Result<(), AppError> {
        // Roles are declared most powerful first, so "at least" is "at most" in order.
        if self.role() > least {
            return Err(AppError::Forbidden(format!(
                "Your role ({}) cannot do this; ask an owner or admin.",
                self.role().label()
            )));
        }
        Ok(())
    }

    /// Members and above change data; viewers only read.
    pub fn can_write(&self) -> bool {
        self.role() <= Role::Member
    }
}
