//! Which rows a report counts: the team's live rows, narrowed by the
//! filter's tag (through the contact) and assignee. Conditions are added
//! only when the filter has them, so Postgres plans each shape for itself.
//!
//! Every query binds the same parameters: `$1` location, `$2` start of the
//! period, `$3` now, `$4` tag, `$5` assignee.

use chrono::{DateTime, Duration, Utc};
use sqlx::postgres::PgArguments;
use sqlx::query::QueryAs;
use sqlx::{FromRow, Postgres};

use super::model::ReportFilter;
use crate::zone::TeamZone;

/// A filter resolved against one location and one moment.
#[derive(Debug, Clone)]
pub struct Scope {
    pub location_id: String,
    pub start: DateTime<Utc>,
    pub now: DateTime<Utc>,
    pub tag: Option<String>,
    pub assignee: Option<String>,
    /// Days and weeks are the team's.
    pub zone: TeamZone,
}

impl Scope {
    pub fn new(
        location_id: &str,
        filter: &ReportFilter,
        now: DateTime<Utc>,
        zone: TeamZone,
    ) -> Self {
        Self {
            location_id: location_id.to_owned(),
            start: now - Duration::days(filter.period.days()),
            now,
            tag: filter.tag.clone(),
            assignee: filter.assignee.clone(),
            zone,
        }
    }

    /// Live contacts of the location with the tag and assignee.
    pub fn contacts(&self) -> String {
        let mut sql = String::from("location_id = $1 AND deleted_at IS NULL");
        if self.tag.is_some() {
            sql.push_str(" AND tags @> ARRAY[$4::text]");
        }
        if self.assignee.is_some() {
            sql.push_str(" AND assigned_to = $5");
        }
        sql
    }

    /// Live tasks (or appointments, with `assignee_column`) of the location
    /// whose contact has the tag and that are assigned to the assignee.
    pub fn linked(&self, assignee_column: &str) -> String {
        let mut sql = String::from("location_id = $1 AND deleted_at IS NULL");
        if self.tag.is_some() {
            sql.push_str(
                r" AND contact_id IN (SELECT id FROM cache_contacts
                 WHERE location_id = $1 AND deleted_at IS NULL AND tags @> ARRAY[$4::text])",
            );
        }
        if self.assignee.is_some() {
            sql.push_str(&format!(" AND {assignee_column} = $5"));
        }
        sql
    }

    /// Binds the five parameters every report query takes.
    pub fn bind<'q, O>(&'q self, sql: &'q str) -> QueryAs<'q, Postgres, O, PgArguments>
    where
        O: for<'r> FromRow<'r, sqlx::postgres::PgRow>,
    {
        sqlx::query_as(sql)
            .bind(&self.location_id)
            .bind(self.start)
            .bind(self.now)
            .bind(&self.tag)
            .bind(&self.assignee)
    }
}
