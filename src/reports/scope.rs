//! Which rows a report counts: the team's rollup rows of the filter's tag
//! and assignee, over the whole days of its period in the team's time zone.
//!
//! Every query binds the same parameters: `$1` location, `$2` the first day
//! of the period, `$3` today, `$4` the tag (`''` for every contact), `$5`
//! the assignee (when the filter names one), `$6` now and `$7` the start of today.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::postgres::PgArguments;
use sqlx::query::QueryAs;
use sqlx::{FromRow, Postgres};

use super::model::ReportFilter;
use crate::zone::TeamZone;

/// A filter resolved against one location and one moment.
#[derive(Debug, Clone)]
pub struct Scope {
    pub location_id: String,
    /// The period's whole days, ending today.
    pub first_day: NaiveDate,
    pub today: NaiveDate,
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
        let today = zone.date(now);
        Self {
            location_id: location_id.to_owned(),
            first_day: today - Duration::days(filter.period.days() - 1),
            today,
            now,
            tag: filter.tag.clone(),
            assignee: filter.assignee.clone(),
            zone,
        }
    }

    /// The condition on a rollup's own assignee: none unless a filter names one.
    pub fn assignee_is(&self, column: &str) -> String {
        match self.assignee {
            Some(_) => format!(" AND {column} = $5"),
            None => String::new(),
        }
    }

    /// The open tasks due earlier today (alias `t`), of the filter's
    /// contacts and assignee: the part of "overdue" finer than a day, read
    /// through the index of open tasks.
    pub fn overdue_today(&self) -> String {
        let mut sql = String::from(
            "t.location_id = $1 AND t.deleted_at IS NULL AND NOT t.completed
             AND t.due_date >= $7 AND t.due_date < $6",
        );
        if self.tag.is_some() {
            // A value read by key, not EXISTS: Postgres cannot make it a join,
            // so even the generic plan of the prepared statement looks up each
            // task's contact instead of hashing every contact with the tag
            // (3 ms against 77 ms for a tag on 60,000 contacts).
            sql.push_str(
                " AND (SELECT c.tags @> ARRAY[$4::text] FROM cache_contacts c WHERE c.location_id = $1
                   AND c.id = t.contact_id AND c.deleted_at IS NULL)",
            );
        }
        sql.push_str(&self.assignee_is("t.assigned_to"));
        sql
    }

    /// Binds the seven parameters every report query takes.
    pub fn bind<'q, O>(&'q self, sql: &'q str) -> QueryAs<'q, Postgres, O, PgArguments>
    where
        O: for<'r> FromRow<'r, sqlx::postgres::PgRow>,
    {
        sqlx::query_as(sql)
            .bind(&self.location_id)
            .bind(self.first_day)
            .bind(self.today)
            .bind(self.tag.clone().unwrap_or_default())
            .bind(self.assignee.clone().unwrap_or_default())
            .bind(self.now)
            .bind(self.zone.midnight(self.today))
    }
}
