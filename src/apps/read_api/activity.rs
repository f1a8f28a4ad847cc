//! A contact's tasks, notes and appointments from the cache, as the Read
//! API answers them: at most [`ACTIVITY_CAP`] of each.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sqlx::PgPool;

use super::contacts::named;
use super::moment;

/// Most items of one kind with a contact.
pub const ACTIVITY_CAP: i64 = 100;

#[derive(sqlx::FromRow)]
struct Task {
    id: String,
    title: String,
    body: Option<String>,
    due_date: Option<DateTime<Utc>>,
    completed: bool,
    assigned_to: Option<String>,
    assignee_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Note {
    id: String,
    body: String,
    date_added: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct Appointment {
    id: String,
    title: String,
    start_time: Option<DateTime<Utc>>,
    end_time: Option<DateTime<Utc>>,
    status: String,
    calendar_id: Option<String>,
    calendar_name: Option<String>,
}

/// The contact's tasks, soonest due first (those without a date last).
pub async fn tasks(db: &PgPool, location_id: &str, contact_id: &str) -> sqlx::Result<Vec<Value>> {
    let rows: Vec<Task> = sqlx::query_as(
        r"SELECT t.id, t.title, t.body, t.due_date, t.completed, t.assigned_to, u.name AS assignee_name
         FROM cache_tasks t
         LEFT JOIN cache_users u ON u.location_id = t.location_id AND u.id = t.assigned_to
         WHERE t.location_id = $1 AND t.contact_id = $2 AND t.deleted_at IS NULL
         ORDER BY t.due_date NULLS LAST, t.id LIMIT $3",
    )
    .bind(location_id)
    .bind(contact_id)
    .bind(ACTIVITY_CAP)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|task| {
            json!({
                "id": task.id,
                "title": task.title,
                "body": task.body,
                "dueDate": task.due_date.map(moment),
                "completed": task.completed,
                "assignee": named(task.assigned_to.as_deref(), &task.assignee_name),
            })
        })
        .collect())
}

/// The contact's notes, newest first.
pub async fn notes(db: &PgPool, location_id: &str, contact_id: &str) -> sqlx::Result<Vec<Value>> {
    let rows: Vec<Note> = sqlx::query_as(
        r"SELECT id, body, date_added FROM cache_notes
         WHERE location_id = $1 AND contact_id = $2 AND deleted_at IS NULL
         ORDER BY date_added DESC NULLS LAST, id LIMIT $3",
    )
    .bind(location_id)
    .bind(contact_id)
    .bind(ACTIVITY_CAP)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|note| {
            json!({
                "id": note.id,
                "body": note.body,
                "dateAdded": note.date_added.map(moment),
            })
        })
        .collect())
}

/// The contact's appointments, latest start first.
pub async fn appointments(
    db: &PgPool,
    location_id: &str,
    contact_id: &str,
) -> sqlx::Result<Vec<Value>> {
    let rows: Vec<Appointment> = sqlx::query_as(
        r"SELECT a.id, a.title, a.start_time, a.end_time, a.status, a.calendar_id,
                k.name AS calendar_name
         FROM cache_appointments a
         LEFT JOIN cache_calendars k ON k.location_id = a.location_id AND k.id = a.calendar_id
         WHERE a.location_id = $1 AND a.contact_id = $2 AND a.deleted_at IS NULL
         ORDER BY a.start_time DESC NULLS LAST, a.id LIMIT $3",
    )
    .bind(location_id)
    .bind(contact_id)
    .bind(ACTIVITY_CAP)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|appointment| {
            json!({
                "id": appointment.id,
                "title": appointment.title,
                "startTime": appointment.start_time.map(moment),
                "endTime": appointment.end_time.map(moment),
                "status": appointment.status,
                "calendar": named(appointment.calendar_id.as_deref(), &appointment.calendar_name),
            })
        })
        .collect())
}
