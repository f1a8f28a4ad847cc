//! The dashboard and the team report, for any member of the team they cover.

use leptos::prelude::*;

use crate::app_error::AppError;
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
    let (state, filter, location_id, teams) =
        context::resolve(period, tag, assignee, location).await?;
    let overview =
        crate::reports::overview(&state.reports_db, &location_id, &filter, chrono::Utc::now())
            .await?;
    Ok(Overview {
        teams,
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
    let (state, filter, location_id, teams) =
        context::resolve(period, tag, assignee, location).await?;
    let report =
        crate::reports::team_report(&state.reports_db, &location_id, &filter, chrono::Utc::now())
            .await?;
    Ok(TeamReport {
        teams,
        ..(*report).clone()
    })
}

#[cfg(feature = "ssr")]
mod context {
    use crate::api::guard;
    use crate::app_error::AppError;
    use crate::auth::roles::Role;
    use crate::reports::model::{Choice, ReportFilter};
    use crate::state::AppState;

    /// The server's state, the filter, the team it covers and the caller's
    /// teams.
    /// A team the caller does not belong to is refused.
    pub async fn resolve(
        period: Option<String>,
        tag: Option<String>,
        assignee: Option<String>,
        location: Option<String>,
    ) -> Result<(AppState, ReportFilter, String, Vec<Choice>), AppError> {
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
        Ok((state, filter, location_id, caller.teams))
    }
}
