//! The task list's query and the task writes.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use sqlx::{Postgres, QueryBuilder};

use super::model::{TaskItem, TaskList, TASK_PAGE};
use super::{writes, Team, WorkspaceError};
use crate::highlevel::models::{CreateTask, UpdateTask};
use crate::zone::TeamZone;

/// A checked task form.
pub struct TaskInput {
    pub title: String,
    pub body: Option<String>,
    pub due: DateTime<Utc>,
    pub assigned_to: Option<String>,
}

/// `YYYY-MM-DDTHH:MM` (what a `datetime-local` input sends, read in the
/// team's zone), with or without seconds, a bare date (9:00 that day), or an
/// RFC 3339 moment.
pub fn parse_due(value: &str, zone: TeamZone) -> Option<DateTime<Utc>> {
    let value = value.trim();
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(value, format).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .ok()
                .and_then(|date| date.and_hms_opt(9, 0, 0))
        })
        .map(|wall| zone.at(wall))
        .or_else(|| {
            DateTime::parse_from_rfc3339(value)
                .ok()
                .map(|at| at.with_timezone(&Utc))
        })
}

pub async fn save(
    team: &Team,
    contact_id: &str,
    task_id: Option<&str>,
    task: TaskInput,
) -> Result<(), WorkspaceError> {
    let due = task.due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let answer = match task_id {
        Some(task_id) => {
            let change = UpdateTask {
                title: Some(task.title),
                body: Some(task.body.unwrap_or_default()),
                due_date: Some(due),
                assigned_to: task.assigned_to,
                ..UpdateTask::default()
            };
            team.client
                .update_task(&team.location_id, contact_id, task_id, &change)
                .await
        }
        None => {
            let create = CreateTask {
                title: task.title,
                body: task.body,
                due_date: due,
                completed: false,
                assigned_to: task.assigned_to,
            };
            team.client
                .create_task(&team.location_id, contact_id, &create)
                .await
        }
    }?;
    let mut saved = answer.task;
    saved
        .contact_id
        .get_or_insert_with(|| contact_id.to_owned());
    writes::cache_task(team, &saved).await
}

type TaskRow = (
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<DateTime<Utc>>,
    bool,
    Option<String>,
);

pub async fn list(
    team: &Team,
    mine: bool,
    done: bool,
    page: u32,
) -> Result<TaskList, WorkspaceError> {
    let db = &team.db;
    let location_id = team.location_id.clone();
    let me: Option<String> = if mine {
        sqlx::query_scalar("SELECT highlevel_user_id FROM users WHERE id = $1")
            .bind(team.user_id)
            .fetch_optional(db)
            .await?
    } else {
        None
    };
    let narrow = |query: &mut QueryBuilder<'static, Postgres>| {
        query
            .push(" WHERE t.location_id = ")
            .push_bind(location_id.clone());
        query.push(" AND t.deleted_at IS NULL");
        if mine {
            query
                .push(" AND t.assigned_to = ")
                .push_bind(me.clone().unwrap_or_default());
        }
    };
    let mut rows = QueryBuilder::<Postgres>::new(
        r"SELECT t.id, t.contact_id, c.display_name, t.title, t.body, t.due_date, t.completed, u.name
         FROM cache_tasks t
         LEFT JOIN cache_contacts c ON c.location_id = t.location_id AND c.id = t.contact_id
         LEFT JOIN cache_users u ON u.location_id = t.location_id AND u.id = t.assigned_to",
    );
    narrow(&mut rows);
    if done {
        rows.push(" AND t.completed ORDER BY t.completed_at DESC NULLS LAST, t.id");
    } else {
        // Ascending due dates put the overdue ones first.
        rows.push(" AND NOT t.completed ORDER BY t.due_date ASC NULLS LAST, t.id");
    }
    // One more than a page tells whether there is a next one.
    rows.push(" LIMIT ")
        .push_bind(TASK_PAGE + 1)
        .push(" OFFSET ")
        .push_bind(i64::from(page) * TASK_PAGE);
    let mut rows: Vec<TaskRow> = rows.build_query_as().fetch_all(db).await?;
    let mut counts = QueryBuilder::<Postgres>::new(
        "SELECT count(*), count(*) FILTER (WHERE t.due_date < now()) FROM cache_tasks t",
    );
    narrow(&mut counts);
    counts.push(" AND NOT t.completed");
    let (open, overdue): (i64, i64) = counts.build_query_as().fetch_one(db).await?;
    let more = rows.len() as i64 > TASK_PAGE;
    rows.truncate(TASK_PAGE as usize);
    let now = Utc::now();
    let tasks = rows
        .into_iter()
        .map(
            |(id, contact_id, contact_name, title, body, due, completed, assignee)| TaskItem {
                id,
                contact_id,
                contact_name,
                title,
                body: body.unwrap_or_default(),
                due: due.map(|at| team.zone.moment(at)),
                overdue: !completed && due.is_some_and(|due| due < now),
                completed,
                assignee,
            },
        )
        .collect();
    Ok(TaskList {
        tasks,
        open,
        overdue,
        page,
        more,
        can_write: team.can_write,
    })
}

#[cfg(test)]
mod tests {
    use super::{parse_due, TeamZone};

    #[test]
    fn due_moments_parse_from_the_form_in_the_team_zone() {
        let chicago = TeamZone::named("America/Chicago");
        let due = |text: &str| parse_due(text, chicago).map(|at| at.to_rfc3339());
        assert_eq!(
            due("2026-12-01T10:30"),
            Some("2026-12-01T16:30:00+00:00".into())
        );
        assert_eq!(due("2026-12-01"), Some("2026-12-01T15:00:00+00:00".into()));
        assert_eq!(
            due("2026-12-01T10:30:00Z"),
            Some("2026-12-01T10:30:00+00:00".into())
        );
        assert_eq!(due("tomorrow"), None);
        assert_eq!(due(""), None);
    }
}
