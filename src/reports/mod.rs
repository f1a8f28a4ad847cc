//! The aggregate queries behind the dashboard and the team report, over the
//! Postgres cache. `model` crosses the wire; the rest is server-only.

pub mod model;

#[cfg(feature = "ssr")]
mod charts;
#[cfg(feature = "ssr")]
mod export;
#[cfg(feature = "ssr")]
pub mod freshness;
#[cfg(feature = "ssr")]
pub mod memo;
#[cfg(feature = "ssr")]
pub mod queries;
#[cfg(feature = "ssr")]
mod scope;
#[cfg(feature = "ssr")]
pub mod summary;

#[cfg(feature = "ssr")]
pub use charts::{font_file, FONT_PATH as CHART_FONT_PATH};
#[cfg(feature = "ssr")]
pub use service::{overview, team_report};

#[cfg(feature = "ssr")]
mod service {
    use std::sync::{Arc, LazyLock};

    use chrono::{DateTime, Utc};
    use sqlx::PgPool;

    use super::memo::{Memo, Version};
    use super::model::{Overview, ReportFilter, TeamReport};
    use super::scope::Scope;
    use super::{charts, export, freshness, queries};
    use crate::zone::TeamZone;

    type Key = (String, ReportFilter);

    static OVERVIEWS: LazyLock<Memo<Key, Overview>> = LazyLock::new(Memo::new);
    static TEAM_REPORTS: LazyLock<Memo<Key, TeamReport>> = LazyLock::new(Memo::new);
    /// The filter bar's tags, the same for every filter of a team: counted
    /// once, not once per report.
    static TAG_CHOICES: LazyLock<Memo<String, Vec<String>>> = LazyLock::new(Memo::new);

    /// The dashboard of `location_id` for `filter` (whose `location` the
    /// caller has resolved and checked), without the team choices, while
    /// the location's cache is at `version` (`freshness::version`).
    pub async fn overview(
        db: &PgPool,
        location_id: &str,
        filter: &ReportFilter,
        version: Version,
    ) -> sqlx::Result<Arc<Overview>> {
        let key = (location_id.to_owned(), filter.clone());
        OVERVIEWS
            .get_or_compute(key, version, || {
                compute_overview(db, location_id, filter, Utc::now(), version)
            })
            .await
    }

    async fn compute_overview(
        db: &PgPool,
        location_id: &str,
        filter: &ReportFilter,
        now: DateTime<Utc>,
        version: Version,
    ) -> sqlx::Result<Overview> {
        let [synced, last_run] = version.stamps;
        let zone = TeamZone::of_team(db, location_id).await?;
        let scope = Scope::new(location_id, filter, now, zone);
        let bucket = filter.period.bucket();
        let (
            state,
            contacts,
            top_tags,
            by_assignee,
            appointments,
            appointments_by_week,
            assignees,
            tags,
        ) = tokio::try_join!(
            freshness::data_state(db, location_id, synced),
            queries::contact_figures(db, &scope, bucket),
            queries::top_tags(db, &scope),
            queries::tasks_by_assignee(db, &scope),
            queries::appointment_counts(db, &scope),
            queries::appointments_by_week(db, &scope),
            queries::assignees(db, location_id),
            kept_tag_choices(db, location_id, version),
        )?;
        let charts = vec![
            charts::new_contacts(&contacts.new_contacts, bucket),
            charts::ranking("by-source", "New contacts by source", &contacts.by_source),
            charts::ranking("top-tags", "Top tags of new contacts", &top_tags),
            charts::tasks_by_assignee(&by_assignee),
            charts::appointments_by_week(&appointments_by_week),
        ];
        Ok(Overview {
            filter: filter.clone(),
            location_id: location_id.to_owned(),
            teams: Vec::new(),
            assignees,
            tags: Vec::clone(&tags),
            state,
            last_synced: last_run.map(|at| zone.moment(at)),
            time_zone: zone.name().to_owned(),
            figures: queries::figures(contacts.counts, &by_assignee, appointments),
            bucket,
            new_contacts: contacts.new_contacts,
            by_source: contacts.by_source,
            top_tags,
            by_assignee,
            appointments_by_week,
            charts,
        })
    }

    /// The team report of `location_id` for `filter`, without the team
    /// choices, while the location's cache is at `version`.
    pub async fn team_report(
        db: &PgPool,
        location_id: &str,
        filter: &ReportFilter,
        version: Version,
    ) -> sqlx::Result<Arc<TeamReport>> {
        let key = (location_id.to_owned(), filter.clone());
        TEAM_REPORTS
            .get_or_compute(key, version, || {
                compute_team_report(db, location_id, filter, Utc::now(), version)
            })
            .await
    }

    async fn compute_team_report(
        db: &PgPool,
        location_id: &str,
        filter: &ReportFilter,
        now: DateTime<Utc>,
        version: Version,
    ) -> sqlx::Result<TeamReport> {
        let [synced, last_run] = version.stamps;
        let zone = TeamZone::of_team(db, location_id).await?;
        let scope = Scope::new(location_id, filter, now, zone);
        let (state, by_assignee, by_business, assignees, tags) = tokio::try_join!(
            freshness::data_state(db, location_id, synced),
            queries::tasks_by_assignee(db, &scope),
            queries::by_business(db, &scope),
            queries::assignees(db, location_id),
            kept_tag_choices(db, location_id, version),
        )?;
        Ok(TeamReport {
            filter: filter.clone(),
            teams: Vec::new(),
            assignees,
            tags: Vec::clone(&tags),
            state,
            last_synced: last_run.map(|at| zone.moment(at)),
            assignee_table: export::assignee_table(&by_assignee),
            business_table: export::business_table(&by_business),
            by_assignee,
            by_business,
        })
    }

    async fn kept_tag_choices(
        db: &PgPool,
        location_id: &str,
        version: Version,
    ) -> sqlx::Result<Arc<Vec<String>>> {
        TAG_CHOICES
            .get_or_compute(location_id.to_owned(), version, || {
                queries::tag_choices(db, location_id, queries::TAG_CHOICES)
            })
            .await
    }
}
