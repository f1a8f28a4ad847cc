//! A summary of a period, read from the cache: new contacts, tasks due,
//! overdue and completed, notes added and the appointments of the period.
//! An automation's summary step keeps it as an alert or sends it to an app.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::PgPool;

use crate::zone::TeamZone;

/// The days a summary covers, in the team's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Today,
    Yesterday,
    /// The seven days up to and including today.
    LastSevenDays,
}

impl Period {
    pub const ALL: [Period; 3] = [Period::Today, Period::Yesterday, Period::LastSevenDays];

    pub fn key(self) -> &'static str {
        match self {
            Period::Today => "today",
            Period::Yesterday => "yesterday",
            Period::LastSevenDays => "last_7_days",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Period::Today => "Today",
            Period::Yesterday => "Yesterday",
            Period::LastSevenDays => "The last 7 days",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|period| period.key() == key)
    }

    /// `[from, to)` of the period that `now` falls in.
    pub fn bounds(self, zone: TeamZone, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let today = zone.date(now);
        let (first, last) = match self {
            Period::Today => (today, today),
            Period::Yesterday => (today - Duration::days(1), today - Duration::days(1)),
            Period::LastSevenDays => (today - Duration::days(6), today),
        };
        (
            zone.midnight(first),
            zone.midnight(last + Duration::days(1)),
        )
    }
}

/// One appointment of the period.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SummaryAppointment {
    pub start_time: DateTime<Utc>,
    pub title: String,
    pub status: String,
    pub contact: Option<String>,
}

/// What happened in a period.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub period: &'static str,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub new_contacts: i64,
    /// The first names of the newest, up to ten.
    pub new_contact_names: Vec<String>,
    pub tasks_due: i64,
    /// Open tasks whose due date passed, at the time of the summary.
    pub tasks_overdue: i64,
    pub tasks_completed: i64,
    pub notes_added: i64,
    /// Up to fifty, earliest first.
    pub appointments: Vec<SummaryAppointment>,
}

#[derive(sqlx::FromRow)]
struct Counts {
    new_contacts: i64,
    new_contact_names: Vec<String>,
    tasks_due: i64,
    tasks_overdue: i64,
    tasks_completed: i64,
    notes_added: i64,
}

/// The summary of `period` as of `now`.
pub async fn summarize(
    db: &PgPool,
    location_id: &str,
    zone: TeamZone,
    period: Period,
    now: DateTime<Utc>,
) -> sqlx::Result<Summary> {
    let (from, to) = period.bounds(zone, now);
    let counts: Counts = sqlx::query_as(
        r"SELECT
            (SELECT count(*) FROM cache_contacts WHERE location_id = $1 AND deleted_at IS NULL
                AND date_added >= $2 AND date_added < $3) AS new_contacts,
            ARRAY(SELECT display_name FROM cache_contacts WHERE location_id = $1 AND deleted_at IS NULL
                AND date_added >= $2 AND date_added < $3 ORDER BY date_added DESC LIMIT 10) AS new_contact_names,
            (SELECT count(*) FROM cache_tasks WHERE location_id = $1 AND deleted_at IS NULL
                AND due_date >= $2 AND due_date < $3) AS tasks_due,
            (SELECT count(*) FROM cache_tasks WHERE location_id = $1 AND deleted_at IS NULL
                AND NOT completed AND due_date < $4) AS tasks_overdue,
            (SELECT count(*) FROM cache_tasks WHERE location_id = $1 AND deleted_at IS NULL
                AND completed AND completed_at >= $2 AND completed_at < $3) AS tasks_completed,
            (SELECT count(*) FROM cache_notes WHERE location_id = $1 AND deleted_at IS NULL
                AND date_added >= $2 AND date_added < $3) AS notes_added",
    )
    .bind(location_id)
    .bind(from)
    .bind(to)
    .bind(now)
    .fetch_one(db)
    .await?;
    let appointments = sqlx::query_as(
        r"SELECT a.start_time, a.title, a.status, c.display_name AS contact
            FROM cache_appointments a
            LEFT JOIN cache_contacts c ON c.location_id = a.location_id AND c.id = a.contact_id
           WHERE a.location_id = $1 AND a.deleted_at IS NULL AND a.start_time >= $2 AND a.start_time < $3
           ORDER BY a.start_time LIMIT 50",
    )
    .bind(location_id)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await?;
    Ok(Summary {
        period: period.label(),
        from,
        to,
        new_contacts: counts.new_contacts,
        new_contact_names: counts.new_contact_names,
        tasks_due: counts.tasks_due,
        tasks_overdue: counts.tasks_overdue,
        tasks_completed: counts.tasks_completed,
        notes_added: counts.notes_added,
        appointments,
    })
}

impl Summary {
    /// The summary in plain words, as an alert shows it.
    pub fn text(&self, zone: TeamZone) -> String {
        let mut lines = vec![
            format!("{}: {} new contacts", self.period, self.new_contacts),
            format!(
                "Tasks: {} due, {} completed, {} overdue now",
                self.tasks_due, self.tasks_completed, self.tasks_overdue
            ),
            format!("Notes added: {}", self.notes_added),
            format!("Appointments: {}", self.appointments.len()),
        ];
        if !self.new_contact_names.is_empty() {
            lines.insert(1, format!("Newest: {}", self.new_contact_names.join(", ")));
        }
        lines.extend(self.appointments.iter().take(10).map(|appointment| {
            let who = appointment.contact.as_deref().unwrap_or("no contact");
            format!(
                "· {} {} with {who} ({})",
                zone.clock(appointment.start_time),
                appointment.title,
                appointment.status
            )
        }));
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_whole_days_of_the_team() {
        let zone = TeamZone::named("Australia/Sydney");
        // 20:00 UTC on 3 Dec is 07:00 on 4 Dec in Sydney (UTC+11).
        let now = DateTime::parse_from_rfc3339("2026-12-03T20:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let (from, to) = Period::Today.bounds(zone, now);
        assert_eq!(from.to_rfc3339(), "2026-12-03T13:00:00+00:00");
        assert_eq!(to.to_rfc3339(), "2026-12-04T13:00:00+00:00");
        let (from, _) = Period::LastSevenDays.bounds(zone, now);
        assert_eq!(from.to_rfc3339(), "2026-11-27T13:00:00+00:00");
        let (from, to) = Period::Yesterday.bounds(zone, now);
        assert_eq!((to - from).num_hours(), 24);
    }
}
