//! A contact's page from the cache: its fields, and its tasks, notes and
//! appointments on one timeline. A contact or notes the cache does not hold
//! yet are read from HighLevel once and cached.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::Row;

use super::model::{ContactDetail, TimelineItem, TimelineKind};
use super::{writes, Team, WorkspaceError};

/// id, title, body, assigned_to, due_date, completed.
type TaskRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<DateTime<Utc>>,
    bool,
);
/// id, body, user_id, date_added.
type NoteRow = (String, String, Option<String>, Option<DateTime<Utc>>);
/// id, title, status, assigned_user_id, start_time, calendar name.
type AppointmentRow = (
    String,
    String,
    String,
    Option<String>,
    Option<DateTime<Utc>>,
    Option<String>,
);

pub async fn detail(team: &Team, contact_id: &str) -> Result<ContactDetail, WorkspaceError> {
    let row = match contact_row(team, contact_id).await? {
        Some(row) => row,
        None => {
            let answer = team
                .client
                .get_contact(&team.location_id, contact_id)
                .await?;
            writes::cache_contact(team, &answer.contact).await?;
            contact_row(team, contact_id)
                .await?
                .ok_or(WorkspaceError::NotFound("This contact was deleted."))?
        }
    };
    let notes_problem = fetch_notes_once(team, contact_id).await.err();
    let users = users(team).await?;
    let names: HashMap<&str, &str> = users
        .iter()
        .map(|(id, name)| (id.as_str(), name.as_str()))
        .collect();
    let mut timeline = tasks(team, contact_id).await?;
    timeline.extend(notes(team, contact_id).await?);
    timeline.extend(appointments(team, contact_id).await?);
    for item in &mut timeline {
        item.assignee = item
            .assigned_to
            .as_deref()
            .and_then(|id| names.get(id))
            .map(|name| (*name).to_owned());
    }
    timeline.sort_by(|a, b| b.at.cmp(&a.at));
    let text = |name: &str| row.try_get::<Option<String>, _>(name).ok().flatten();
    let assigned_to = text("assigned_to");
    let custom: Value = row.try_get("custom_fields").unwrap_or(Value::Null);
    let place: Vec<String> = ["city", "state", "country"]
        .iter()
        .filter_map(|name| text(name))
        .collect();
    let date = |name: &str| {
        row.try_get::<Option<DateTime<Utc>>, _>(name)
            .ok()
            .flatten()
            .map(|at| team.zone.moment(at))
    };
    Ok(ContactDetail {
        id: contact_id.to_owned(),
        name: row.try_get("display_name").unwrap_or_default(),
        first_name: text("first_name").unwrap_or_default(),
        last_name: text("last_name").unwrap_or_default(),
        email: text("email").unwrap_or_default(),
        phone: text("phone")
            .map(|stored| super::phone::display(&stored))
            .unwrap_or_default(),
        company: text("company_name"),
        source: text("source").unwrap_or_default(),
        contact_type: text("contact_type"),
        place: (!place.is_empty()).then(|| place.join(", ")),
        website: text("website"),
        timezone: text("timezone"),
        dnd: row.try_get("dnd").unwrap_or(false),
        assignee: assigned_to
            .as_deref()
            .and_then(|id| names.get(id))
            .map(|name| (*name).to_owned()),
        assigned_to,
        tags: row.try_get("tags").unwrap_or_default(),
        custom_fields: custom_fields(team, &custom).await,
        added: date("date_added"),
        updated: date("date_updated"),
        timeline,
        users,
        can_write: team.can_write,
        notes_problem,
    })
}

/// The contact's number and country as the cache has them, which an edit's
/// typed number is read against.
pub async fn stored_phone(
    team: &Team,
    contact_id: &str,
) -> Result<(Option<String>, Option<String>), WorkspaceError> {
    let Some(row) = contact_row(team, contact_id).await? else {
        return Ok((None, None));
    };
    let text = |name: &str| row.try_get::<Option<String>, _>(name).ok().flatten();
    Ok((text("phone"), text("country")))
}

async fn contact_row(
    team: &Team,
    contact_id: &str,
) -> Result<Option<sqlx::postgres::PgRow>, WorkspaceError> {
    sqlx::query(
        r"SELECT display_name, first_name, last_name, email, phone, company_name, source, contact_type,
         city, state, country, website, timezone, dnd, assigned_to, tags, custom_fields, date_added, date_updated
         FROM cache_contacts WHERE location_id = $1 AND id = $2 AND deleted_at IS NULL",
    )
    .bind(&team.location_id)
    .bind(contact_id)
    .fetch_optional(&team.db)
    .await
    .map_err(WorkspaceError::from)
}

/// Reads the contact's notes from HighLevel when the cache has never held
/// any of them (the sync does not copy notes). Returns why it failed.
async fn fetch_notes_once(team: &Team, contact_id: &str) -> Result<(), String> {
    let known: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM cache_notes WHERE location_id = $1 AND contact_id = $2)",
    )
    .bind(&team.location_id)
    .bind(contact_id)
    .fetch_one(&team.db)
    .await
    .map_err(|_| "The database did not answer.".to_owned())?;
    if known {
        return Ok(());
    }
    let answer = team
        .client
        .get_all_notes(&team.location_id, contact_id)
        .await
        .map_err(|error| format!("Notes could not be loaded: {}", error.user_message()))?;
    let notes: Vec<_> = answer
        .notes
        .into_iter()
        .map(|mut note| {
            note.contact_id.get_or_insert_with(|| contact_id.to_owned());
            note
        })
        .collect();
    writes::cache_notes(team, &notes).await.map_err(|error| {
        tracing::warn!(%error, "caching a contact's notes");
        "The notes could not be kept. Try again in a moment.".to_owned()
    })
}

async fn users(team: &Team) -> Result<Vec<(String, String)>, WorkspaceError> {
    sqlx::query_as("SELECT id, name FROM cache_users WHERE location_id = $1 AND deleted_at IS NULL ORDER BY name")
        .bind(&team.location_id)
        .fetch_all(&team.db)
        .await
        .map_err(WorkspaceError::from)
}

fn item(kind: TimelineKind, id: String, title: String) -> TimelineItem {
    TimelineItem {
        kind,
        id,
        title,
        body: String::new(),
        at: None,
        due_input: String::new(),
        completed: false,
        overdue: false,
        status: String::new(),
        assigned_to: None,
        assignee: None,
        calendar: None,
    }
}

async fn tasks(team: &Team, contact_id: &str) -> Result<Vec<TimelineItem>, WorkspaceError> {
    let rows: Vec<TaskRow> = sqlx::query_as(
        r"SELECT id, title, body, assigned_to, due_date, completed FROM cache_tasks
         WHERE location_id = $1 AND contact_id = $2 AND deleted_at IS NULL",
    )
    .bind(&team.location_id)
    .bind(contact_id)
    .fetch_all(&team.db)
    .await?;
    let now = Utc::now();
    Ok(rows
        .into_iter()
        .map(
            |(id, title, body, assigned_to, due, completed)| TimelineItem {
                body: body.unwrap_or_default(),
                at: due.map(|at| team.zone.moment(at)),
                due_input: due.map(|at| team.zone.input_value(at)).unwrap_or_default(),
                completed,
                overdue: !completed && due.is_some_and(|due| due < now),
                assigned_to,
                ..item(TimelineKind::Task, id, title)
            },
        )
        .collect())
}

async fn notes(team: &Team, contact_id: &str) -> Result<Vec<TimelineItem>, WorkspaceError> {
    let rows: Vec<NoteRow> = sqlx::query_as(
        r"SELECT id, body, user_id, date_added FROM cache_notes
         WHERE location_id = $1 AND contact_id = $2 AND deleted_at IS NULL",
    )
    .bind(&team.location_id)
    .bind(contact_id)
    .fetch_all(&team.db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, body, user_id, added)| TimelineItem {
            body,
            at: added.map(|at| team.zone.moment(at)),
            assigned_to: user_id,
            ..item(TimelineKind::Note, id, "Note".into())
        })
        .collect())
}

async fn appointments(team: &Team, contact_id: &str) -> Result<Vec<TimelineItem>, WorkspaceError> {
    let rows: Vec<AppointmentRow> = sqlx::query_as(
        r"SELECT a.id, a.title, a.status, a.assigned_user_id, a.start_time, k.name FROM cache_appointments a
         LEFT JOIN cache_calendars k ON k.location_id = a.location_id AND k.id = a.calendar_id
         WHERE a.location_id = $1 AND a.contact_id = $2 AND a.deleted_at IS NULL",
    )
    .bind(&team.location_id)
    .bind(contact_id)
    .fetch_all(&team.db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, title, status, assigned_to, start, calendar)| TimelineItem {
                at: start.map(|at| team.zone.moment(at)),
                status,
                assigned_to,
                calendar,
                ..item(
                    TimelineKind::Appointment,
                    id,
                    if title.is_empty() {
                        "Appointment".into()
                    } else {
                        title
                    },
                )
            },
        )
        .collect())
}

/// `[{id, value}]` with each id replaced by the field's name when HighLevel
/// can say it (names are left out, not guessed, when it cannot).
async fn custom_fields(team: &Team, values: &Value) -> Vec<(String, String)> {
    let Some(values) = values.as_array().filter(|values| !values.is_empty()) else {
        return Vec::new();
    };
    let names: HashMap<String, String> = match team
        .client
        .get_custom_fields(&team.location_id, Some("contact"))
        .await
    {
        Ok(answer) => answer
            .custom_fields
            .into_iter()
            .filter_map(|field| field.name.map(|name| (field.id, name)))
            .collect(),
        Err(error) => {
            tracing::warn!(%error, "custom field names unavailable");
            HashMap::new()
        }
    };
    values
        .iter()
        .filter_map(|field| {
            let id = field.get("id")?.as_str()?;
            let value = match field.get("value")? {
                Value::String(text) => text.clone(),
                Value::Null => return None,
                other => other.to_string(),
            };
            let name = names
                .get(id)
                .cloned()
                .unwrap_or_else(|| "Custom field".to_owned());
            Some((name, value))
        })
        .collect()
}
