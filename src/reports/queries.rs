//! The queries behind the dashboard and the team report, over the rollup
//! tables: a report reads small aggregate rows, never the cache's records
//! (but for today's open tasks, whose due time decides whether they are
//! overdue yet).

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate};
use sqlx::PgPool;

use super::model::{AssigneeTasks, Bucket, BusinessRow, Choice, Count, Figures, WeekStatuses};
use super::scope::Scope;

/// How many sources and tags the charts show.
pub const TOP: i64 = 10;

/// The rollup rows of the filter's contacts: its tag (or all), its assignee (or all).
fn contact_rows(scope: &Scope) -> String {
    format!(
        "location_id = $1 AND tag = $4{}",
        scope.assignee_is("assignee")
    )
}

/// Where a read of a rollup table needs its rows one day at a time; all
/// other days are read a week at a time.
#[derive(Clone, Copy)]
enum Days {
    /// The two weeks the ends of the period cut through.
    AtTheEnds,
    /// Every week of the period (a chart per day).
    OfThePeriod,
}

/// `table`'s rows as `columns` and `day`: rows per day where `days` says,
/// and rows per week (from `{table}_weeks`, under their Monday) elsewhere.
/// A condition on `day` by the period's first day (`$2`) or today (`$3`)
/// then holds for a week's row exactly when it holds for each of its days.
/// A year's top tags read 8,400 rows this way instead of 47,600.
fn by_week(table: &str, columns: &str, days: Days) -> String {
    let (daily, weekly) = match days {
        Days::AtTheEnds => (
            format!(
                "SELECT {columns}, day FROM {table}
                  WHERE day BETWEEN report_week($2) AND report_week($2) + 6
                 UNION ALL
                 SELECT {columns}, day FROM {table}
                  WHERE day BETWEEN report_week($3) AND report_week($3) + 6
                    AND report_week($3) > report_week($2)"
            ),
            "week <> report_week($2) AND week <> report_week($3)",
        ),
        Days::OfThePeriod => (
            format!(
                "SELECT {columns}, day FROM {table}
                  WHERE day BETWEEN report_week($2) AND report_week($3) + 6"
            ),
            "(week < report_week($2) OR week > report_week($3))",
        ),
    };
    format!(
        "({daily}
          UNION ALL
          SELECT {columns}, week FROM {table}_weeks WHERE {weekly}) AS {table}"
    )
}

/// `report_tasks` by week, days only at the ends of the period.
fn tasks_by_week() -> String {
    by_week(
        "report_tasks",
        "location_id, tag, kind, business, assignee, bucket, tasks",
        Days::AtTheEnds,
    )
}

/// What a report shows of the filter's contacts: in total and new in the
/// period, new ones per day or week, and new ones by source.
pub struct ContactFigures {
    pub counts: (i64, i64),
    pub new_contacts: Vec<Count>,
    pub by_source: Vec<Count>,
}

/// The filter's [`ContactFigures`] from one read of its rollup rows, summed
/// by day (or week) and source: reading the rows once per figure took three
/// times as long for a long period.
pub async fn contact_figures(
    db: &PgPool,
    scope: &Scope,
    bucket: Bucket,
) -> sqlx::Result<ContactFigures> {
    // Days outside the period (and the unknown day, -infinity) count only
    // in the total, so they are summed together.
    let (day, days) = match bucket {
        Bucket::Day => ("day", Days::OfThePeriod),
        Bucket::Week => ("report_week(day)", Days::AtTheEnds),
    };
    let sql = format!(
        r"SELECT CASE WHEN day >= $2 AND day <= $3 THEN {day} END, source, sum(contacts)::BIGINT
            FROM {contacts} WHERE {rows} GROUP BY 1, 2",
        contacts = by_week(
            "report_contacts",
            "location_id, tag, assignee, source, contacts",
            days
        ),
        rows = contact_rows(scope),
    );
    let rows: Vec<(Option<NaiveDate>, String, i64)> = scope.bind(&sql).fetch_all(db).await?;
    Ok(ContactFigures::of(&rows, scope, bucket))
}

impl ContactFigures {
    fn of(rows: &[(Option<NaiveDate>, String, i64)], scope: &Scope, bucket: Bucket) -> Self {
        let total = rows.iter().map(|(_, _, count)| count).sum();
        let mut per_bucket: BTreeMap<NaiveDate, i64> = BTreeMap::new();
        let mut per_source: HashMap<&str, i64> = HashMap::new();
        for (day, source, count) in rows {
            if let Some(day) = day {
                *per_bucket.entry(*day).or_default() += count;
                *per_source.entry(source).or_default() += count;
            }
        }
        let new = per_bucket.values().sum();
        let per_bucket: Vec<(NaiveDate, i64)> = per_bucket.into_iter().collect();
        Self {
            counts: (total, new),
            new_contacts: fill_buckets(scope.first_day, scope.today, bucket, &per_bucket),
            by_source: most_first(per_source),
        }
    }
}

/// The day or Monday `day` counts under.
fn bucket_of(day: NaiveDate, bucket: Bucket) -> NaiveDate {
    match bucket {
        Bucket::Day => day,
        Bucket::Week => day.week(chrono::Weekday::Mon).first_day(),
    }
}

/// The [`TOP`] positive counts, most first (ties by name).
fn most_first(counts: HashMap<&str, i64>) -> Vec<Count> {
    let mut counts: Vec<Count> = counts
        .into_iter()
        .filter(|(_, count)| *count > 0)
        .map(|(label, count)| Count {
            label: label.to_owned(),
            count,
        })
        .collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    counts.truncate(usize::try_from(TOP).unwrap_or(usize::MAX));
    counts
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
    let mut day = bucket_of(first, bucket);
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

/// The tags most new contacts of the period carry.
pub async fn top_tags(db: &PgPool, scope: &Scope) -> sqlx::Result<Vec<Count>> {
    let sql = format!(
        r"SELECT other_tag, sum(contacts)::BIGINT FROM {pairs}
           WHERE {rows} AND day >= $2 AND day <= $3
           GROUP BY 1 HAVING sum(contacts) > 0 ORDER BY 2 DESC, 1 LIMIT {TOP}",
        pairs = by_week(
            "report_contact_tags",
            "location_id, tag, assignee, other_tag, contacts",
            Days::AtTheEnds
        ),
        rows = contact_rows(scope),
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
        "WITH r AS (
            SELECT assignee AS who,
                   coalesce(sum(tasks) FILTER (WHERE kind = 'open'), 0) AS open,
                   coalesce(sum(tasks) FILTER (WHERE kind = 'open' AND day < $3), 0) AS overdue,
                   coalesce(sum(tasks) FILTER (WHERE kind = 'done' AND day >= $2), 0) AS done
              FROM {tasks}
             WHERE location_id = $1 AND tag = $4 AND business = '*'{assignee}
               AND kind IN ('open', 'done')
             GROUP BY 1 HAVING sum(tasks) > 0),
              today AS (
            SELECT coalesce(t.assigned_to, '') AS who, count(*) AS overdue
              FROM cache_tasks t WHERE {overdue_today} GROUP BY 1)
         SELECT r.who, coalesce(u.name, CASE WHEN r.who = '' THEN 'Unassigned' ELSE 'Unknown user' END),
                r.open::BIGINT, (r.overdue + coalesce(today.overdue, 0))::BIGINT, r.done::BIGINT
           FROM r LEFT JOIN today USING (who)
           LEFT JOIN cache_users u ON u.location_id = $1 AND u.id = r.who
          ORDER BY r.open + r.done DESC, 2",
        tasks = tasks_by_week(),
        assignee = scope.assignee_is("assignee"),
        overdue_today = scope.overdue_today(),
    );
    type Row = (String, String, i64, i64, i64);
    let (rows, medians): (Vec<Row>, _) = tokio::try_join!(
        scope.bind(&sql).fetch_all(db),
        completion_medians(db, scope)
    )?;
    Ok(rows
        .into_iter()
        .map(|(id, name, open, overdue, completed)| AssigneeTasks {
            median_hours: medians.get(&id).copied(),
            id,
            name,
            open,
            overdue,
            completed,
        })
        .collect())
}

/// Each assignee's median time to complete the tasks completed in the
/// period, read from the rollup's duration buckets.
async fn completion_medians(db: &PgPool, scope: &Scope) -> sqlx::Result<HashMap<String, f64>> {
    let sql = format!(
        "SELECT assignee, bucket, sum(tasks)::BIGINT FROM {tasks}
          WHERE location_id = $1 AND tag = $4 AND business = '*' AND kind = 'took'
            AND day >= $2{assignee}
          GROUP BY 1, 2 HAVING sum(tasks) > 0 ORDER BY 1, 2",
        tasks = tasks_by_week(),
        assignee = scope.assignee_is("assignee"),
    );
    let rows: Vec<(String, i16, i64)> = scope.bind(&sql).fetch_all(db).await?;
    let mut per_assignee: HashMap<String, Vec<(i16, i64)>> = HashMap::new();
    for (who, bucket, count) in rows {
        per_assignee.entry(who).or_default().push((bucket, count));
    }
    Ok(per_assignee
        .into_iter()
        .filter_map(|(who, buckets)| Some((who, median_of_buckets(&buckets)?)))
        .collect())
}

/// The median of counts per duration bucket (ascending), in hours: the
/// middle value, or the mean of the two middle ones, each at the geometric
/// middle of its bucket.
fn median_of_buckets(buckets: &[(i16, i64)]) -> Option<f64> {
    let total: i64 = buckets.iter().map(|(_, count)| count).sum();
    if total == 0 {
        return None;
    }
    let nth = |rank: i64| {
        let mut seen = 0;
        buckets
            .iter()
            .find(|(_, count)| {
                seen += count;
                seen > rank
            })
            .map_or(0.0, |(bucket, _)| bucket_hours(*bucket))
    };
    Some((nth((total - 1) / 2) + nth(total / 2)) / 2.0)
}

/// The middle of a duration bucket (quarter-octaves of minutes), in hours.
fn bucket_hours(bucket: i16) -> f64 {
    2f64.powf((f64::from(bucket) + 0.5) / 4.0) / 60.0
}

/// The rollup rows of appointments in the period and the week ahead.
const APPOINTMENT_WEEKS: &str = "day >= $2 AND day < $3 + 7";

/// Appointments of today and the next 6 days (not cancelled), and the
/// outcomes of the period.
pub async fn appointment_counts(db: &PgPool, scope: &Scope) -> sqlx::Result<(i64, i64, i64)> {
    let sql = format!(
        "SELECT coalesce(sum(appointments) FILTER (WHERE day >= $3 AND status NOT IN ('cancelled', 'invalid')), 0)::BIGINT,
                coalesce(sum(appointments) FILTER (WHERE day <= $3 AND status = 'showed'), 0)::BIGINT,
                coalesce(sum(appointments) FILTER (WHERE day <= $3 AND status = 'noshow'), 0)::BIGINT
           FROM report_appointments
          WHERE location_id = $1 AND tag = $4 AND business = '*' AND {APPOINTMENT_WEEKS}{assignee}",
        assignee = scope.assignee_is("assignee"),
    );
    scope.bind(&sql).fetch_one(db).await
}

/// Appointments per week by status, from the start of the period to a week ahead.
pub async fn appointments_by_week(db: &PgPool, scope: &Scope) -> sqlx::Result<Vec<WeekStatuses>> {
    let sql = format!(
        "SELECT report_week(day), status, sum(appointments)::BIGINT
           FROM report_appointments
          WHERE location_id = $1 AND tag = $4 AND business = '*' AND {APPOINTMENT_WEEKS}{assignee}
          GROUP BY 1, 2 HAVING sum(appointments) > 0 ORDER BY 1, 2",
        assignee = scope.assignee_is("assignee"),
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

/// Each business of the location with its contacts (those of the filter),
/// their tasks and appointments (those of the filter's assignee).
pub async fn by_business(db: &PgPool, scope: &Scope) -> sqlx::Result<Vec<BusinessRow>> {
    let sql = format!(
        "WITH cc AS (SELECT business, sum(contacts) AS n FROM report_business_contacts
                      WHERE location_id = $1 AND tag = $4{assignee} GROUP BY 1),
              t AS (SELECT business,
                           sum(tasks) FILTER (WHERE kind = 'open') AS open,
                           sum(tasks) FILTER (WHERE kind = 'open' AND day < $3) AS overdue,
                           sum(tasks) FILTER (WHERE kind = 'done' AND day >= $2) AS done
                      FROM {tasks}
                     WHERE location_id = $1 AND tag = $4 AND business <> '*' AND kind IN ('open', 'done'){assignee}
                     GROUP BY 1),
              today AS (SELECT c.business_id AS business, count(*) AS overdue
                          FROM cache_tasks t JOIN cache_contacts c
                            ON c.location_id = t.location_id AND c.id = t.contact_id AND c.deleted_at IS NULL
                         WHERE {overdue_today} AND c.business_id IS NOT NULL GROUP BY 1),
              a AS (SELECT business,
                           sum(appointments) FILTER (WHERE day >= $3 AND status NOT IN ('cancelled', 'invalid')) AS upcoming,
                           sum(appointments) FILTER (WHERE day <= $3 AND status = 'showed') AS showed,
                           sum(appointments) FILTER (WHERE day <= $3 AND status = 'noshow') AS noshow
                      FROM report_appointments
                     WHERE location_id = $1 AND tag = $4 AND business <> '*' AND {APPOINTMENT_WEEKS}{assignee}
                     GROUP BY 1)
         SELECT b.id, b.name, coalesce(cc.n, 0)::BIGINT, coalesce(t.open, 0)::BIGINT,
                (coalesce(t.overdue, 0) + coalesce(today.overdue, 0))::BIGINT, coalesce(t.done, 0)::BIGINT,
                coalesce(a.upcoming, 0)::BIGINT, coalesce(a.showed, 0)::BIGINT, coalesce(a.noshow, 0)::BIGINT
           FROM cache_businesses b
           LEFT JOIN cc ON cc.business = b.id
           LEFT JOIN t ON t.business = b.id
           LEFT JOIN today ON today.business = b.id
           LEFT JOIN a ON a.business = b.id
          WHERE b.location_id = $1 AND b.deleted_at IS NULL
          ORDER BY 3 DESC, b.name",
        tasks = tasks_by_week(),
        assignee = scope.assignee_is("assignee"),
        overdue_today = scope.overdue_today(),
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
        "SELECT tag FROM report_tag_totals
          WHERE location_id = $1 AND tag <> ''
          GROUP BY 1 HAVING sum(contacts) > 0 ORDER BY sum(contacts) DESC, 1 LIMIT $2",
    )
    .bind(location_id)
    .bind(limit)
    .fetch_all(db)
    .await
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

    #[test]
    fn sources_rank_by_count_then_name_without_empty_ones() {
        let mut counts = HashMap::from([("Walk-in", 3), ("Event", 3), ("Gone", 0), ("Ad", 5)]);
        counts.extend((0..20).map(|n| {
            (
                ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"][n % 10],
                1,
            )
        }));
        let ranked = most_first(counts);
        let labels: Vec<&str> = ranked.iter().map(|count| count.label.as_str()).collect();
        assert_eq!(
            labels,
            ["Ad", "Event", "Walk-in", "a", "b", "c", "d", "e", "f", "g"]
        );
    }

    #[test]
    fn a_day_counts_under_its_monday_by_week() {
        let sunday = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let monday = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(bucket_of(sunday, Bucket::Week), monday);
        assert_eq!(bucket_of(sunday, Bucket::Day), sunday);
    }

    #[test]
    fn a_median_from_buckets_is_the_middle_of_the_middle_bucket() {
        assert_eq!(median_of_buckets(&[]), None);
        let hour = 4 * 6 - 1; // 2^(23.5/4) minutes: about one hour
        let one = median_of_buckets(&[(hour, 1)]).unwrap();
        assert!((one - 1.0).abs() < 0.1, "{one}");
        let odd = median_of_buckets(&[(0, 1), (hour, 1), (hour + 8, 1)]).unwrap();
        assert_eq!(odd, one);
        let even = median_of_buckets(&[(hour, 1), (hour + 4, 1)]).unwrap();
        assert!((even - 1.5 * one).abs() < 1e-9, "{even}");
    }
}
