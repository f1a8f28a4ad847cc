//! The appointments of one week, grouped by day, on the team's calendar.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sqlx::PgPool;

use super::model::{AppointmentDay, AppointmentItem, AppointmentWeek};
use crate::zone::TeamZone;

type Row = (
    String,
    String,
    String,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub async fn week(
    db: &PgPool,
    location_id: &str,
    zone: TeamZone,
    week: i32,
) -> Result<AppointmentWeek, sqlx::Error> {
    let today = zone.date(Utc::now());
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()))
        + Duration::weeks(i64::from(week));
    let sunday = monday + Duration::days(6);
    let start = if week == 0 { today } else { monday };
    let (from, to) = (
        zone.midnight(start),
        zone.midnight(sunday + Duration::days(1)),
    );
    let rows: Vec<Row> = sqlx::query_as(
        r"SELECT a.id, a.title, a.status, a.start_time, a.end_time, a.contact_id, c.display_name, k.name, u.name
         FROM cache_appointments a
         LEFT JOIN cache_contacts c ON c.location_id = a.location_id AND c.id = a.contact_id
         LEFT JOIN cache_calendars k ON k.location_id = a.location_id AND k.id = a.calendar_id
         LEFT JOIN cache_users u ON u.location_id = a.location_id AND u.id = a.assigned_user_id
         WHERE a.location_id = $1 AND a.deleted_at IS NULL AND a.start_time >= $2 AND a.start_time < $3
         ORDER BY a.start_time, a.id",
    )
    .bind(location_id)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await?;
    let mut result = empty(week, monday, sunday);
    result.total = rows.len();
    for (id, title, status, start, end, contact_id, contact_name, calendar, assignee) in rows {
        let Some(start) = start else { continue };
        let day = zone.date(start);
        let time = match end {
            Some(end) => format!("{}–{}", zone.clock(start), zone.clock(end)),
            None => zone.clock(start),
        };
        let item = AppointmentItem {
            id,
            title: if title.is_empty() {
                "Appointment".into()
            } else {
                title
            },
            time,
            status,
            contact_id,
            contact_name,
            calendar,
            assignee,
        };
        let label = day.format("%A %-d %B").to_string();
        match result.days.last_mut() {
            Some(last) if last.label == label => last.appointments.push(item),
            _ => result.days.push(AppointmentDay {
                label,
                today: day == today,
                appointments: vec![item],
            }),
        }
    }
    Ok(result)
}

fn empty(week: i32, monday: NaiveDate, sunday: NaiveDate) -> AppointmentWeek {
    AppointmentWeek {
        week,
        label: format!(
            "{} – {}",
            monday.format("%-d %b"),
            sunday.format("%-d %b %Y")
        ),
        days: Vec::new(),
        total: 0,
    }
}
