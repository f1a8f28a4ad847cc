//! Automations and their versions. A save never overwrites: it adds a
//! version and makes it current, so every run can say what it ran.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::PgPool;

use super::model::{Definition, State, Trigger};

/// An automation with its current version.
#[derive(Debug, Clone)]
pub struct Automation {
    pub id: i64,
    pub location_id: String,
    pub name: String,
    pub state: State,
    pub version: i32,
    pub definition: Definition,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    location_id: String,
    name: String,
    state: String,
    version: i32,
    definition: Json<Definition>,
    created_at: DateTime<Utc>,
}

impl Row {
    fn into_automation(self) -> Automation {
        Automation {
            id: self.id,
            location_id: self.location_id,
            name: self.name,
            state: State::from_key(&self.state).unwrap_or(State::Off),
            version: self.version,
            definition: self.definition.0,
            created_at: self.created_at,
        }
    }
}

const SELECT: &str = r"SELECT a.id, a.location_id, a.name, a.state, a.version, v.definition, a.created_at
     FROM automations a JOIN automation_versions v ON v.automation_id = a.id AND v.version = a.version";

/// The columns the queueing finds an automation's trigger by.
struct TriggerColumns<'a> {
    kind: &'static str,
    connection_id: Option<i64>,
    event_type: Option<&'a str>,
    value: Option<&'a str>,
}

fn trigger_columns(trigger: &Trigger) -> TriggerColumns<'_> {
    let columns = |kind, connection_id, event_type, value| TriggerColumns {
        kind,
        connection_id,
        event_type,
        value,
    };
    match trigger {
        Trigger::AppEvent {
            connection_id,
            event_type,
        } => columns("app_event", Some(*connection_id), Some(event_type), None),
        Trigger::HighLevel { event, value } => columns(
            "highlevel",
            None,
            Some(event),
            (!value.trim().is_empty()).then_some(value.trim()),
        ),
        Trigger::Manual => columns("manual", None, None, None),
        Trigger::Schedule { .. } => columns("schedule", None, None, None),
    }
}

/// Stores a new automation, off, as version 1.
pub async fn create(
    db: &PgPool,
    location_id: &str,
    name: &str,
    definition: &Definition,
    user_id: i64,
) -> sqlx::Result<i64> {
    let trigger = trigger_columns(&definition.trigger);
    let mut tx = crate::db::begin(db).await?;
    let id: i64 = sqlx::query_scalar(
        r"INSERT INTO automations (location_id, name, trigger_kind, trigger_connection_id,
              trigger_event_type, trigger_value, created_by)
          VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(location_id)
    .bind(name)
    .bind(trigger.kind)
    .bind(trigger.connection_id)
    .bind(trigger.event_type)
    .bind(trigger.value)
    .bind(user_id)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO automation_versions (automation_id, version, definition, saved_by) VALUES ($1, 1, $2, $3)",
    )
    .bind(id)
    .bind(Json(definition))
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves a new version of the team's automation and makes it current; its
/// number, or `None` when the team has no such automation. A changed
/// trigger counts a schedule's ticks from now on.
pub async fn save(
    db: &PgPool,
    location_id: &str,
    id: i64,
    name: &str,
    definition: &Definition,
    user_id: i64,
) -> sqlx::Result<Option<i32>> {
    let trigger = trigger_columns(&definition.trigger);
    let mut tx = crate::db::begin(db).await?;
    let version: Option<i32> = sqlx::query_scalar(
        r"UPDATE automations a SET name = $3, version = a.version + 1, trigger_kind = $4,
              trigger_connection_id = $5, trigger_event_type = $6, trigger_value = $7,
              ticks_from = CASE WHEN (SELECT v.definition -> 'trigger' FROM automation_versions v
                                       WHERE v.automation_id = a.id AND v.version = a.version)
                                     IS DISTINCT FROM $8 THEN now() ELSE a.ticks_from END
          WHERE a.location_id = $1 AND a.id = $2 RETURNING a.version",
    )
    .bind(location_id)
    .bind(id)
    .bind(name)
    .bind(trigger.kind)
    .bind(trigger.connection_id)
    .bind(trigger.event_type)
    .bind(trigger.value)
    .bind(Json(&definition.trigger))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(version) = version else {
        return Ok(None);
    };
    sqlx::query(
        "INSERT INTO automation_versions (automation_id, version, definition, saved_by) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(version)
    .bind(Json(definition))
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(version))
}

/// Turns the team's automation on, pauses it or turns it off; false when
/// the team has no such automation. Turned on or paused from off, a
/// schedule counts its ticks from now on (a paused schedule's ticks are
/// queued and wait, like events).
pub async fn set_state(
    db: &PgPool,
    location_id: &str,
    id: i64,
    state: State,
) -> sqlx::Result<bool> {
    // Turned on from off, it is armed anew: what HighLevel made while it
    // was off does not start it when the cache first sees it, and a
    // schedule's first tick is the first one after now.
    let done = sqlx::query(
        r"UPDATE automations SET state = $3,
              armed_at = CASE WHEN state = 'off' AND $3 <> 'off' THEN now() ELSE armed_at END,
              ticks_from = CASE WHEN state = 'off' AND $3 <> 'off' THEN now() ELSE ticks_from END
          WHERE location_id = $1 AND id = $2",
    )
    .bind(location_id)
    .bind(id)
    .bind(state.key())
    .execute(db)
    .await?;
    if done.rows_affected() == 1 && state == State::On {
        // Runs that waited while it was paused are due now.
        super::runs::announce(db).await?;
    }
    Ok(done.rows_affected() == 1)
}

/// One automation of the team.
pub async fn of_team_by_id(
    db: &PgPool,
    location_id: &str,
    id: i64,
) -> sqlx::Result<Option<Automation>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("{SELECT} WHERE a.location_id = $1 AND a.id = $2"))
            .bind(location_id)
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(row.map(Row::into_automation))
}

/// The team's automations, oldest first.
pub async fn of_team(db: &PgPool, location_id: &str) -> sqlx::Result<Vec<Automation>> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("{SELECT} WHERE a.location_id = $1 ORDER BY a.id"))
            .bind(location_id)
            .fetch_all(db)
            .await?;
    Ok(rows.into_iter().map(Row::into_automation).collect())
}

/// The definition a run ran: its automation's version.
pub async fn version(
    db: &PgPool,
    automation_id: i64,
    version: i32,
) -> sqlx::Result<Option<Definition>> {
    let found: Option<Json<Definition>> = sqlx::query_scalar(
        "SELECT definition FROM automation_versions WHERE automation_id = $1 AND version = $2",
    )
    .bind(automation_id)
    .bind(version)
    .fetch_optional(db)
    .await?;
    Ok(found.map(|json| json.0))
}

/// One version as the history lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Version {
    pub version: i32,
    pub saved_at: DateTime<Utc>,
    pub saved_by: Option<String>,
}

/// Every version of the team's automation, newest first.
pub async fn versions(db: &PgPool, location_id: &str, id: i64) -> sqlx::Result<Vec<Version>> {
    sqlx::query_as(
        r"SELECT v.version, v.saved_at, u.name AS saved_by FROM automation_versions v
          JOIN automations a ON a.id = v.automation_id
          LEFT JOIN users u ON u.id = v.saved_by
          WHERE a.location_id = $1 AND a.id = $2 ORDER BY v.version DESC",
    )
    .bind(location_id)
    .bind(id)
    .fetch_all(db)
    .await
}

/// Deletes the team's automation with its runs; false when there is none.
pub async fn delete(db: &PgPool, location_id: &str, id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM automations WHERE location_id = $1 AND id = $2")
        .bind(location_id)
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}
