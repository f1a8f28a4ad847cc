//! Saved mappings, one line of versions per connection and event type (a
//! save never overwrites: restoring an old version saves it again as the
//! newest), and the sample each event type is previewed against.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use sqlx::PgPool;

use super::Mapping;

/// Which way a mapping goes: an app's event into HighLevel, or a HighLevel
/// record out to the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Receive,
    Send,
}

impl Direction {
    fn key(self) -> &'static str {
        match self {
            Direction::Receive => "receive",
            Direction::Send => "send",
        }
    }
}

/// What a mapping is of: its direction, and the event type received or
/// the kind of record sent (`contact`, `task`, `note`, `appointment`).
#[derive(Debug, Clone, Copy)]
pub struct Of<'a> {
    pub connection_id: i64,
    pub direction: Direction,
    pub subject: &'a str,
}

/// Lookup tables by name: table → their value → ours.
pub type Lookups = BTreeMap<String, BTreeMap<String, String>>;

/// What a save keeps: the mapping and the lookup tables its rules name. For
/// a sent record the rules' targets are paths of the body, and the
/// identity is not used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    pub mapping: Mapping,
    #[serde(default)]
    pub lookups: Lookups,
}

/// One version as the history lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Version {
    pub version: i32,
    pub saved_at: DateTime<Utc>,
    pub saved_by: Option<String>,
    pub mapping: sqlx::types::Json<Saved>,
}

/// Keeps `saved` as the newest version; returns its number. Two saves at
/// once both land, one after the other, through the unique version.
pub async fn save(db: &PgPool, of: Of<'_>, saved: &Saved, user_id: i64) -> sqlx::Result<i32> {
    sqlx::query_scalar(
        r"INSERT INTO app_mappings (connection_id, direction, subject, version, mapping, saved_by)
          SELECT $1, $2, $3, COALESCE(MAX(version), 0) + 1, $4, $5 FROM app_mappings
          WHERE connection_id = $1 AND direction = $2 AND subject = $3
          RETURNING version",
    )
    .bind(of.connection_id)
    .bind(of.direction.key())
    .bind(of.subject)
    .bind(sqlx::types::Json(saved))
    .bind(user_id)
    .fetch_one(db)
    .await
}

/// Every version, newest first.
pub async fn versions(db: &PgPool, of: Of<'_>) -> sqlx::Result<Vec<Version>> {
    sqlx::query_as(
        r"SELECT m.version, m.saved_at, u.name AS saved_by, m.mapping FROM app_mappings m
          LEFT JOIN users u ON u.id = m.saved_by
          WHERE m.connection_id = $1 AND m.direction = $2 AND m.subject = $3
          ORDER BY m.version DESC",
    )
    .bind(of.connection_id)
    .bind(of.direction.key())
    .bind(of.subject)
    .fetch_all(db)
    .await
}

/// The newest version's mapping, if one was saved.
pub async fn newest(db: &PgPool, of: Of<'_>) -> sqlx::Result<Option<Saved>> {
    let found: Option<sqlx::types::Json<Saved>> = sqlx::query_scalar(
        r"SELECT mapping FROM app_mappings WHERE connection_id = $1 AND direction = $2 AND subject = $3
          ORDER BY version DESC LIMIT 1",
    )
    .bind(of.connection_id)
    .bind(of.direction.key())
    .bind(of.subject)
    .fetch_optional(db)
    .await?;
    Ok(found.map(|json| json.0))
}

/// One version's mapping.
pub async fn version(db: &PgPool, of: Of<'_>, version: i32) -> sqlx::Result<Option<Saved>> {
    let found: Option<sqlx::types::Json<Saved>> = sqlx::query_scalar(
        r"SELECT mapping FROM app_mappings
          WHERE connection_id = $1 AND direction = $2 AND subject = $3 AND version = $4",
    )
    .bind(of.connection_id)
    .bind(of.direction.key())
    .bind(of.subject)
    .bind(version)
    .fetch_optional(db)
    .await?;
    Ok(found.map(|json| json.0))
}

/// The subjects of a connection's saved mappings one way, with their newest version.
pub async fn mapped(
    db: &PgPool,
    connection_id: i64,
    direction: Direction,
) -> sqlx::Result<Vec<(String, i32)>> {
    sqlx::query_as(
        r"SELECT subject, MAX(version) FROM app_mappings WHERE connection_id = $1 AND direction = $2
          GROUP BY subject ORDER BY subject",
    )
    .bind(connection_id)
    .bind(direction.key())
    .fetch_all(db)
    .await
}

/// A sample picked from the connection's requests.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Sample {
    pub body: Json,
    pub received_at: DateTime<Utc>,
}

/// The sample picked for an event type, if any.
pub async fn sample(
    db: &PgPool,
    connection_id: i64,
    event_type: &str,
) -> sqlx::Result<Option<Sample>> {
    sqlx::query_as(
        "SELECT body, received_at FROM app_samples WHERE connection_id = $1 AND event_type = $2",
    )
    .bind(connection_id)
    .bind(event_type)
    .fetch_optional(db)
    .await
}

/// The event types of a connection with a picked sample.
pub async fn picked_types(db: &PgPool, connection_id: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT event_type FROM app_samples WHERE connection_id = $1")
        .bind(connection_id)
        .fetch_all(db)
        .await
}

/// Why a request cannot be a sample.
#[derive(Debug, PartialEq, Eq)]
pub enum NotASample {
    /// No accepted request of the connection has that id.
    NoSuchRequest,
    /// The body is not a JSON object.
    NotAnObject,
}

/// A received request, as a sample is picked from it.
#[derive(sqlx::FromRow)]
struct Received {
    event_type: Option<String>,
    body: Option<Vec<u8>>,
    received_at: DateTime<Utc>,
}

/// Makes an accepted request of the connection the sample of its event
/// type; returns that type.
pub async fn pick_sample(
    db: &PgPool,
    connection_id: i64,
    app_event_id: i64,
    user_id: i64,
) -> sqlx::Result<Result<String, NotASample>> {
    let found: Option<Received> = sqlx::query_as(
        r"SELECT event_type, body, received_at FROM app_events
          WHERE id = $1 AND connection_id = $2 AND status = 'received'",
    )
    .bind(app_event_id)
    .bind(connection_id)
    .fetch_optional(db)
    .await?;
    let Some(Received {
        event_type: Some(event_type),
        body: Some(body),
        received_at,
    }) = found
    else {
        return Ok(Err(NotASample::NoSuchRequest));
    };
    let body = match serde_json::from_slice::<Json>(&body) {
        Ok(body @ Json::Object(_)) => body,
        _ => return Ok(Err(NotASample::NotAnObject)),
    };
    sqlx::query(
        r"INSERT INTO app_samples (connection_id, event_type, body, app_event_id, received_at, picked_by)
          VALUES ($1, $2, $3, $4, $5, $6)
          ON CONFLICT (connection_id, event_type) DO UPDATE SET body = EXCLUDED.body,
            app_event_id = EXCLUDED.app_event_id, received_at = EXCLUDED.received_at,
            picked_by = EXCLUDED.picked_by, picked_at = now()",
    )
    .bind(connection_id)
    .bind(&event_type)
    .bind(&body)
    .bind(app_event_id)
    .bind(received_at)
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(Ok(event_type))
}

/// The event types a connection has received, most recent first.
pub async fn received_types(db: &PgPool, connection_id: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        r"SELECT event_type FROM app_events
          WHERE connection_id = $1 AND status = 'received' AND event_type IS NOT NULL
          GROUP BY event_type ORDER BY MAX(id) DESC LIMIT 50",
    )
    .bind(connection_id)
    .fetch_all(db)
    .await
}
