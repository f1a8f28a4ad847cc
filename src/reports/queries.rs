//! The aggregate queries behind the dashboard and the team report.

use chrono::{Duration, NaiveDate};
use sqlx::PgPool;

use super::model::{AssigneeTasks, Bucket, BusinessRow, Choice, Count, Figures, WeekStatuses};
use super::scope::Scope;

/// How many sources and tags the charts show.
pub const TOP: i64 = 10;

/// Contacts in total and new in the period.
pub async fn contact_counts(db: &PgPool, scope: &Scope) -> sqlx::Result<(i64, i64)> {
    let sql = format!(
        r"SELECT count(*), count(*) FILTER (WHERE date_added >= $2 AND date_added <= $3)
         FROM cache_contacts WHERE {}",
        scope.contacts()
    );
    scope.bind(&sql).fetch_one(db).await
}

/// New contacts per day or week of the period, with the empty ones.
pub async fn new_contacts(db: &PgPool, scope: &Scope, bucket: Bucket) -> sqlx::Result<Vec<Count>> {
    let sql = format!(
        r"SELECT date_trunc('{unit}', date_added AT TIME ZONE '{zone}')::date, count(*)
         FROM cache_contacts WHERE {} AND date_added >= $2 AND date_added <= $3
         GROUP BY 1 ORDER BY 1",
        scope.contacts(),
        unit = bucket.unit(),
        zone = scope.zone.name(),
    );
    let rows: Vec<(NaiveDate, i64)> = scope.bind(&sql).fetch_all(db).await?;
    let (first, last) = (scope.zone.date(scope.start), scope.zone.date(scope.now));
    Ok(fill_buckets(first, last, bucket, &rows))
}

/// Every day (or Monday) from `first` to `last`, with its count or zero.
fn fill_buckets(
    first: NaiveDate,
    last: NaiveDate,
    bucket: Bucket,
    rows: &[(NaiveDate, i64)],
) -> Vec<Count> {
    let step = match bucket {
        Bucket::Day => Duration::days(1),
        Bucket::Week => Duration::weeks(1),
    };
    let mut day = match bucket {
        Bucket::Day => first,
        Bucket::Week => first.week(chrono::Weekday::Mon).first_day(),
    };
    let mut filled = Vec::new();
    while day <= last {
        let count = rows
            .iter()
            .find(|(at, _)| *at == day)
            .map_or(0, |(_, count)| *count);
        filled.push(Count {
            label: day.format("%Y-%m-%d").to_string(),
            count,
        });
        day += step;
    }
    filled
}

/// New contacts of the period by source, most first (ties by name).
pub async fn by_source(db: &PgPool, scope: &Scope) -> sqlx::Result<Vec<Count>> {
    let sql = format!(
        r"SELECT coalesce(nullif(source, ''), '(no source)') AS label, count(*) AS count
         FROM cache_contacts WHERE {} AND date_added >= $2 AND date_added <= $3
         GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {TOP}",
        scope.contacts()
    );
    counts(db, scope, &sql).await
}

/// The tags most new contacts of the period carry.
pub async fn top_tags(db: &PgPool, scope: &Scope) -> sqlx::Result<Vec<Count>> {
    let sql = format!(
        r"SELECT tag, count(*) FROM cache_contacts, unnest(tags) AS tag
         WHERE {} AND date_added >= $2 AND date_added <= $3
         GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {TOP}",
        scope.contacts()
    );
    counts(db, scope, &sql).await
}

async fn counts(db: &PgPool, scope: &Scope, sql: &str) -> sqlx::Result<Vec<Count>> {
    let rows: Vec<(String, i64)> = scope.bind(sql).fetch_all(db).await?;
    Ok(rows
        .into_iter()
        .map(|(label, count)| Count { label, count })
        .collect())
}

/// Open, overdue and completed tasks per assignee, with the median time to
/// complete; names come from the location's users.
pub async fn tasks_by_assignee(db: &PgPool, scope: &Scope) -> sqlx::Result<Vec<AssigneeTasks>> {
    let sql = format!(
        "WITH t AS (
            SELECT coalesce(assigned_to, '') AS who,
                   count(*) FILTER (WHERE NOT completed) AS open,
                   count(*) FILTER (WHERE NOT completed AND due_date < $3) AS overdue,
                   count(*) FILTER (WHERE completed AND completed_at >= $2) AS done,
                   percentile_cont(0.5) WITHIN GROUP (
                       ORDER BY extract(epoch FROM completed_at - date_added) / 3600.0
                   ) FILTER (WHERE completed AND completed_at >= $2 AND NOT completion_estimated) AS median_hours
              FROM cache_tasks WHERE {}
             GROUP BY 1)
         SELECT t.who, coalesce(u.name, CASE WHEN t.who = '' THEN 'Unassigned' ELSE 'Unknown user' END),
                t.open, t.overdue, t.done, t.median_hours
           FROM t LEFT JOIN cache_users u ON u.location_id = $1 AND u.id = t.who
          ORDER BY t.open + t.done DESC, 2",
        scope.linked("assigned_to")
    );
    let rows: Vec<(String, String, i64, i64, i64, Option<f64>)> =
        scope.bind(&sql).fetch_all(db).await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, name, open, overdue, completed, median_hours)| AssigneeTasks {
                id,
                name,
                open,
                overdue,
                completed,
                median_hours,
            },
        )
        .collect())
}

/// Appointments in the next 7 days (not cancelled) and outcomes of the period.
pub async fn appointment_counts(db: &PgPool, scope: &Scope) -> sqlx::Result<(i64, i64, i64)> {
    let sql = format!(
        "SELECT count(*) FILTER (WHERE start_time >= $3 AND status NOT IN ('cancelled', 'invalid')),
                count(*) FILTER (WHERE start_time < $3 AND status = 'showed'),
                count(*) FILTER (WHERE start_time < $3 AND status = 'noshow')
           FROM cache_appointments
          WHERE {} AND start_time >= $2 AND start_time < $3 + interval '7 days'",
        scope.linked("assigned_user_id")
    );
    scope.bind(&sql).fetch_one(db).await
}

/// Appointments per week by status, from the start of the period to a week ahead.
pub async fn appointments_by_week(db: &PgPool, scope: &Scope) -> sqlx::Result<Vec<WeekStatuses>> {
    let sql = format!(
        "SELECT date_trunc('week', start_time AT TIME ZONE '{zone}')::date, status, count(*)
           FROM cache_appointments
          WHERE {} AND start_time >= $2 AND start_time < $3 + interval '7 days'
          GROUP BY 1, 2 ORDER BY 1, 2",
        scope.linked("assigned_user_id"),
        zone = scope.zone.name(),
    );
    let rows: Vec<(NaiveDate, String, i64)> = scope.bind(&sql).fetch_all(db).await?;
    let mut weeks: Vec<WeekStatuses> = Vec::new();
    for (week, status, count) in rows {
        let week = week.format("%Y-%m-%d").to_string();
        let label = status;
        match weeks.last_mut().filter(|last| last.week == week) {
            Some(last) => last.counts.push(Count { label, count }),
            None => weeks.push(WeekStatuses {
                week,
                counts: vec![Count { label, count }],
            }),
        }
    }
    Ok(weeks)
}

/// The headline figures, from the per-assignee tasks and the other counts.
pub fn figures(
    contacts: (i64, i64),
    tasks: &[AssigneeTasks],
    appointments: (i64, i64, i64),
) -> Figures {
    Figures {
        contacts_total: contacts.0,
        contacts_new: contacts.1,
        tasks_open: tasks.iter().map(|row| row.open).sum(),
        tasks_overdue: tasks.iter().map(|row| row.overdue).sum(),
        appointments_next_7_days: appointments.0,
        showed: appointments.1,
        no_show: appointments.2,
    }
}

/// Each business of the location with its contacts, their tasks and appointments.
pub async fn by_business(db: &PgPool, scope: &Scope) -> sqlx::Result<Vec<BusinessRow>> {
    let sql = format!(
        "WITH c AS (SELECT id, business_id FROM cache_contacts WHERE {} AND business_id IS NOT NULL),
              cc AS (SELECT business_id, count(*) AS n FROM c GROUP BY 1),
              t AS (SELECT c.business_id,
                           count(*) FILTER (WHERE NOT k.completed) AS open,
                           count(*) FILTER (WHERE NOT k.completed AND k.due_date < $3) AS overdue,
                           count(*) FILTER (WHERE k.completed AND k.completed_at >= $2) AS done
                      FROM cache_tasks k JOIN c ON c.id = k.contact_id
                     WHERE k.location_id = $1 AND k.deleted_at IS NULL GROUP BY 1),
              a AS (SELECT c.business_id,
                           count(*) FILTER (WHERE p.start_time >= $3 AND p.start_time < $3 + interval '7 days'
                                             AND p.status NOT IN ('cancelled', 'invalid')) AS upcoming,
                           count(*) FILTER (WHERE p.start_time >= $2 AND p.start_time < $3 AND p.status = 'showed') AS showed,
                           count(*) FILTER (WHERE p.start_time >= $2 AND p.start_time < $3 AND p.status = 'noshow') AS noshow
                      FROM cache_appointments p JOIN c ON c.id = p.contact_id
                     WHERE p.location_id = $1 AND p.deleted_at IS NULL GROUP BY 1)
         SELECT b.id, b.name, coalesce(cc.n, 0), coalesce(t.open, 0), coalesce(t.overdue, 0),
                coalesce(t.done, 0), coalesce(a.upcoming, 0), coalesce(a.showed, 0), coalesce(a.noshow, 0)
           FROM cache_businesses b
           LEFT JOIN cc ON cc.business_id = b.id
           LEFT JOIN t ON t.business_id = b.id
           LEFT JOIN a ON a.business_id = b.id
          WHERE b.location_id = $1 AND b.deleted_at IS NULL
          ORDER BY 3 DESC, b.name",
        scope.contacts()
    );
    type Row = (String, String, i64, i64, i64, i64, i64, i64, i64);
    let rows: Vec<Row> = scope.bind(&sql).fetch_all(db).await?;
    Ok(rows
        .into_iter()
        .map(|row| BusinessRow {
            id: row.0,
            name: row.1,
            contacts: row.2,
            tasks_open: row.3,
            tasks_overdue: row.4,
            tasks_completed: row.5,
            appointments_upcoming: row.6,
            appointments_showed: row.7,
            appointments_no_show: row.8,
        })
        .collect())
}

/// The location's users, the choices of the assignee control.
pub async fn assignees(db: &PgPool, location_id: &str) -> sqlx::Result<Vec<Choice>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, CASE WHEN name = '' THEN coalesce(email, id) ELSE name END
           FROM cache_users WHERE location_id = $1 AND deleted_at IS NULL ORDER BY 2",
    )
    .bind(location_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| Choice { id, name })
        .collect())
}

/// The tag control offers this many of the most used tags.
pub const TAG_CHOICES: i64 = 100;

/// The `limit` tags the location's contacts carry most, most used first:
/// the choices of a tag control.
pub async fn tag_choices(db: &PgPool, location_id: &str, limit: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT tag FROM cache_contacts, unnest(tags) AS tag
          WHERE location_id = $1 AND deleted_at IS NULL
          GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT $2",
    )
    .bind(location_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The teams a person belongs to, the choices of the location control.
pub async fn teams_of(db: &PgPool, user_id: i64) -> sqlx::Result<Vec<Choice>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT t.location_id, t.name FROM memberships m JOIN teams t USING (location_id)
          WHERE m.user_id = $1 ORDER BY t.name",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| Choice { id, name })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_days_count_zero() {
        let start = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let end = NaiveDate::from_ymd_opt(2026, 11, 4).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
        let filled = fill_buckets(start, end, Bucket::Day, &[(day, 4)]);
        let counts: Vec<i64> = filled.iter().map(|count| count.count).collect();
        assert_eq!(counts, vec![0, 0, 4, 0]);
        let weeks = fill_buckets(start, end, Bucket::Week, &[]);
        assert_eq!(weeks[0].label, "2026-10-26");
        assert_eq!(weeks.len(), 2);
    }
}
