//! The dashboard and the team report, for any member of the team they cover.

use leptos::prelude::*;

use crate::app_error::AppError;
#[cfg(feature = "ssr")]
use crate::reports;
use crate::reports::model::{Overview, TeamReport};

/// The dashboard for the filter of the page address. `location` may name
/// any team the caller belongs to; absent, the signed-in team.
#[server(endpoint = "reports/overview", output = crate::api::codec::JsonText)]
pub async fn get_overview(
    period: Option<String>,
    tag: Option<String>,
    assignee: Option<String>,
    location: Option<String>,
) -> Result<Overview, AppError> {
    let asked = context::resolve(period, tag, assignee, location).await?;
    let overview = reports::overview(&asked.db, &asked.team, &asked.filter, asked.version).await?;
    Ok(Overview {
        teams: asked.teams,
        ..(*overview).clone()
    })
}

/// The team report (per assignee and per business) for the filter.
#[server(endpoint = "reports/team", output = crate::api::codec::JsonText)]
pub async fn get_team_report(
    period: Option<String>,
    tag: Option<String>,
    assignee: Option<String>,
    location: Option<String>,
) -> Result<TeamReport, AppError> {
    let asked = context::resolve(period, tag, assignee, location).await?;
    let report = reports::team_report(&asked.db, &asked.team, &asked.filter, asked.version).await?;
    Ok(TeamReport {
        teams: asked.teams,
        ..(*report).clone()
    })
}

#[cfg(feature = "ssr")]
mod context {
    use chrono::Utc;
    use sqlx::PgPool;

    use crate::api::guard;
    use crate::app_error::AppError;
    use crate::auth::roles::Role;
    use crate::caller::Caller;
    use crate::reports::freshness;
    use crate::reports::memo::Version;
    use crate::reports::model::{Choice, ReportFilter};
    use crate::state::AppState;

    /// What a report is asked for, by whom.
    pub struct Asked {
        /// The database reports read.
        pub db: PgPool,
        pub filter: ReportFilter,
        /// The team it covers.
        pub team: String,
        /// The version of that team's cache in the database reports read.
        pub version: Version,
        /// The caller's teams.
        pub teams: Vec<Choice>,
    }

    /// The report asked for. A team the caller does not belong to is refused.
    pub async fn resolve(
        period: Option<String>,
        tag: Option<String>,
        assignee: Option<String>,
        location: Option<String>,
    ) -> Result<Asked, AppError> {
        let (state, caller) = guard::require(Role::Viewer).await?;
        let filter = ReportFilter::from_query(
            period.as_deref(),
            tag.as_deref(),
            assignee.as_deref(),
            location.as_deref(),
        );
        let location_id = filter
            .location
            .clone()
            .unwrap_or_else(|| caller.who.location_id.clone());
        if !caller.teams.iter().any(|team| team.id == location_id) {
            return Err(AppError::Forbidden(
                "You are not a member of that team; choose one of your own teams.".into(),
            ));
        }
        let version = version(&state, &caller, &location_id).await?;
        Ok(Asked {
            db: state.reports_db,
            filter,
            team: location_id,
            version,
            teams: caller.teams,
        })
    }

    /// The caller's look-up read their own team's version from the primary.
    /// Another team's is read here, and so is any team's when reports read
    /// from a replica, whose rows may lag the primary's.
    async fn version(
        state: &AppState,
        caller: &Caller,
        location_id: &str,
    ) -> Result<Version, AppError> {
        if location_id == caller.who.location_id && !state.info.reports_on_replica {
            return Ok(caller.cache_version);
        }
        Ok(freshness::version(&state.reports_db, location_id, Utc::now()).await?)
    }
}
