//! The Read API: apps that pull (Workiom loading a contact when someone
//! opens it, ConvertCalculator reading a contact's tasks and notes) read
//! their team's cached contacts with their connection's key. Answers come
//! from the cache only: no HighLevel request, no share of its budget.

pub mod activity;
pub mod contacts;
pub mod fields;
pub mod keys;
pub mod request;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};
use sqlx::PgPool;

use keys::Reader;
use request::Include;

/// The OpenAPI 3.1 description of the endpoints, served as is.
pub const OPENAPI: &str = include_str!("openapi.json");

/// A moment as answers write it: RFC 3339 in UTC, to the second.
fn moment(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `{"contact": …}` and the lists asked for, or `None` when the reader's
/// team has no such contact.
pub async fn contact(
    db: &PgPool,
    reader: &Reader,
    id: &str,
    include: Include,
) -> sqlx::Result<Option<Value>> {
    let Some(contact) = contacts::by_id(db, reader, id).await? else {
        return Ok(None);
    };
    let location = reader.location_id.as_str();
    let (tasks, notes, appointments) = tokio::try_join!(
        optional(include.tasks, activity::tasks(db, location, id)),
        optional(include.notes, activity::notes(db, location, id)),
        optional(
            include.appointments,
            activity::appointments(db, location, id)
        ),
    )?;
    let mut answer = Map::new();
    answer.insert("contact".into(), contact);
    let lists = [
        ("tasks", tasks),
        ("notes", notes),
        ("appointments", appointments),
    ];
    for (name, list) in lists {
        if let Some(list) = list {
            answer.insert(name.into(), Value::Array(list));
        }
    }
    Ok(Some(Value::Object(answer)))
}

/// Runs `list` only when it was asked for.
async fn optional(
    wanted: bool,
    list: impl std::future::Future<Output = sqlx::Result<Vec<Value>>>,
) -> sqlx::Result<Option<Vec<Value>>> {
    if wanted {
        list.await.map(Some)
    } else {
        Ok(None)
    }
}
