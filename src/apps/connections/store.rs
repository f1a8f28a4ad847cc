//! Storage of app connections (their secret sealed by the vault) and of
//! every request their webhook door received.

use chrono::{DateTime, Utc};
use rand::RngCore;
use secrecy::SecretString;
use serde_json::Value;
use sqlx::PgPool;

use super::{Encoding, EventTypeFrom, Signing};
use crate::auth::vault::{Vault, VaultError};

/// Most refused requests kept per connection; the oldest go first.
pub const REFUSED_KEPT: i64 = 1_000;

/// A connection as stored, its secret still sealed.
#[derive(Debug, Clone)]
pub struct Connection {
    pub id: i64,
    pub location_id: String,
    pub public_id: String,
    pub app: String,
    pub name: String,
    pub signing: Signing,
    pub event_type_from: EventTypeFrom,
    pub created_at: DateTime<Utc>,
    secret_sealed: String,
}

/// What the connection form sets.
pub struct NewConnection {
    pub location_id: String,
    pub app: String,
    pub name: String,
    pub signing: Signing,
    pub event_type_from: EventTypeFrom,
    pub created_by: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    location_id: String,
    public_id: String,
    app: String,
    name: String,
    signing_mode: String,
    signing_header: String,
    signing_encoding: String,
    signing_prefix: String,
    secret_sealed: String,
    event_type_from: String,
    event_type_key: String,
    created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, location_id, public_id, app, name, signing_mode, signing_header, \
     signing_encoding, signing_prefix, secret_sealed, event_type_from, event_type_key, created_at";

impl Row {
    /// `None` for a row the migration's checks would not let in.
    fn into_connection(self) -> Option<Connection> {
        let signing = match self.signing_mode.as_str() {
            "secret_header" => Signing::SecretHeader {
                header: self.signing_header,
            },
            _ => Signing::HmacSha256 {
                header: self.signing_header,
                encoding: Encoding::from_key(&self.signing_encoding)?,
                prefix: self.signing_prefix,
            },
        };
        Some(Connection {
            event_type_from: EventTypeFrom::from_parts(&self.event_type_from, self.event_type_key)?,
            id: self.id,
            location_id: self.location_id,
            public_id: self.public_id,
            app: self.app,
            name: self.name,
            signing,
            created_at: self.created_at,
            secret_sealed: self.secret_sealed,
        })
    }
}

impl Connection {
    /// The connection's secret, opened.
    pub fn secret(&self, vault: &Vault) -> Result<SecretString, VaultError> {
        vault.open_sealed(&secret_context(&self.public_id), &self.secret_sealed)
    }
}

fn secret_context(public_id: &str) -> String {
    format!("app_connection:{public_id}:secret")
}

/// `bytes` random bytes as text safe in a URL.
pub fn random_text(bytes: usize) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let mut raw = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    URL_SAFE_NO_PAD.encode(raw)
}

fn signing_columns(signing: &Signing) -> (&'static str, &str, &'static str, &str) {
    match signing {
        Signing::SecretHeader { header } => ("secret_header", header, "hex", ""),
        Signing::HmacSha256 {
            header,
            encoding,
            prefix,
        } => ("hmac_sha256", header, encoding.key(), prefix),
    }
}

/// Stores a new connection with a fresh public id and secret; the secret
/// is returned to be shown once.
pub async fn create(
    db: &PgPool,
    vault: &Vault,
    new: &NewConnection,
) -> sqlx::Result<(Connection, SecretString)> {
    let public_id = random_text(24);
    let secret = random_text(32);
    let (mode, header, encoding, prefix) = signing_columns(&new.signing);
    let row: Row = sqlx::query_as(&format!(
        r"INSERT INTO app_connections (location_id, public_id, app, name, signing_mode, signing_header,
             signing_encoding, signing_prefix, secret_sealed, event_type_from, event_type_key, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {COLUMNS}"
    ))
    .bind(&new.location_id)
    .bind(&public_id)
    .bind(&new.app)
    .bind(&new.name)
    .bind(mode)
    .bind(header)
    .bind(encoding)
    .bind(prefix)
    .bind(vault.seal(&secret_context(&public_id), &secret))
    .bind(new.event_type_from.kind())
    .bind(new.event_type_from.key())
    .bind(new.created_by)
    .fetch_one(db)
    .await?;
    let connection = row.into_connection().ok_or(sqlx::Error::RowNotFound)?;
    Ok((connection, SecretString::from(secret)))
}

/// The connection behind a webhook URL.
pub async fn by_public_id(db: &PgPool, public_id: &str) -> sqlx::Result<Option<Connection>> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM app_connections WHERE public_id = $1"
    ))
    .bind(public_id)
    .fetch_optional(db)
    .await?;
    Ok(row.and_then(Row::into_connection))
}

/// The connections of `location_id`'s team, oldest first.
pub async fn of_team(db: &PgPool, location_id: &str) -> sqlx::Result<Vec<Connection>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM app_connections WHERE location_id = $1 ORDER BY created_at, id"
    ))
    .bind(location_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().filter_map(Row::into_connection).collect())
}

/// One connection of the team, or none.
pub async fn of_team_by_id(
    db: &PgPool,
    location_id: &str,
    id: i64,
) -> sqlx::Result<Option<Connection>> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM app_connections WHERE location_id = $1 AND id = $2"
    ))
    .bind(location_id)
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(row.and_then(Row::into_connection))
}

/// A request the door received, accepted or refused.
pub struct NewAppEvent<'a> {
    pub connection_id: i64,
    pub source: String,
    pub event_type: Option<String>,
    pub accepted: bool,
    pub problem: String,
    pub body: Option<&'a [u8]>,
    pub body_bytes: Option<u64>,
    pub headers: Value,
    /// Who an accepted event is about, which orders its runs.
    pub subject: Option<String>,
}

/// What became of a request to keep.
#[derive(Debug, PartialEq, Eq)]
pub enum Kept {
    Saved(i64),
    /// An accepted body the connection already received.
    Replayed,
}

/// Keeps `event`; a refused one pushes out the connection's oldest refused
/// request beyond [`REFUSED_KEPT`].
pub async fn record(db: &PgPool, event: &NewAppEvent<'_>) -> sqlx::Result<Kept> {
    let mut tx = crate::db::begin(db).await?;
    let id: Option<i64> = sqlx::query_scalar(
        r"INSERT INTO app_events (connection_id, source, event_type, status, problem, body, body_bytes,
                                 body_sha256, headers)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $9, $8)
         ON CONFLICT (connection_id, body_sha256) WHERE status = 'received' DO NOTHING
         RETURNING id",
    )
    .bind(event.connection_id)
    .bind(&event.source)
    .bind(&event.event_type)
    .bind(if event.accepted { "received" } else { "rejected" })
    .bind(&event.problem)
    .bind(event.body)
    .bind(event.body_bytes.map(|bytes| i64::try_from(bytes).unwrap_or(i64::MAX)))
    .bind(&event.headers)
    .bind(event.body.map(sha256_hex))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        return Ok(Kept::Replayed);
    };
    if event.accepted {
        queue_runs(&mut tx, id, event).await?;
    } else {
        sqlx::query(
            r"DELETE FROM app_events WHERE id IN (
                SELECT id FROM app_events WHERE connection_id = $1 AND status = 'rejected'
                 ORDER BY id DESC OFFSET $2)",
        )
        .bind(event.connection_id)
        .bind(REFUSED_KEPT)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(Kept::Saved(id))
}

/// Queues a run of every automation the event triggers, in the transaction
/// that keeps the event, and wakes the run workers when it commits (the
/// channel is the automations' run queue's). A paused automation's run is
/// queued and waits.
async fn queue_runs(
    tx: &mut sqlx::PgConnection,
    event_id: i64,
    event: &NewAppEvent<'_>,
) -> sqlx::Result<()> {
    let queued = sqlx::query(
        r"INSERT INTO automation_runs (automation_id, location_id, version, trigger_kind, app_event_id, subject)
          SELECT a.id, a.location_id, a.version, 'app_event', $1, $4 FROM automations a
           WHERE a.trigger_connection_id = $2 AND a.trigger_event_type = $3 AND a.state <> 'off'",
    )
    .bind(event_id)
    .bind(event.connection_id)
    .bind(&event.event_type)
    .bind(&event.subject)
    .execute(&mut *tx)
    .await?;
    if queued.rows_affected() > 0 {
        sqlx::query("SELECT pg_notify('automation_runs', '')")
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// SHA-256 of `body`, in lower-case hex.
pub(crate) fn sha256_hex(body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    crate::format::hex(&Sha256::digest(body))
}

/// One kept request, as the connection's Incoming tab lists it.
#[derive(Debug, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub received_at: DateTime<Utc>,
    pub event_type: Option<String>,
    pub status: String,
    pub problem: String,
    pub body: Option<Vec<u8>>,
    pub body_bytes: Option<i64>,
}

/// The connection's requests newer than `after_id`, newest first.
pub async fn events(
    db: &PgPool,
    connection_id: i64,
    after_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<EventRow>> {
    sqlx::query_as(
        r"SELECT id, received_at, event_type, status, problem, body, body_bytes FROM app_events
         WHERE connection_id = $1 AND id > $2 ORDER BY id DESC LIMIT $3",
    )
    .bind(connection_id)
    .bind(after_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Deletes requests received more than `days` ago.
pub async fn prune(db: &PgPool, days: u32) -> sqlx::Result<u64> {
    let done =
        sqlx::query("DELETE FROM app_events WHERE received_at < now() - make_interval(days => $1)")
            .bind(i32::try_from(days).unwrap_or(i32::MAX))
            .execute(db)
            .await?;
    Ok(done.rows_affected())
}

/// How many requests a connection kept, and when the last arrived.
#[derive(Debug, Default)]
pub struct Counts {
    pub received: i64,
    pub refused: i64,
    pub last: Option<DateTime<Utc>>,
}

pub async fn counts(db: &PgPool, connection_id: i64) -> sqlx::Result<Counts> {
    let (received, refused, last): (i64, i64, Option<DateTime<Utc>>) = sqlx::query_as(
        r"SELECT count(*) FILTER (WHERE status = 'received'), count(*) FILTER (WHERE status = 'rejected'),
                max(received_at)
           FROM app_events WHERE connection_id = $1",
    )
    .bind(connection_id)
    .fetch_one(db)
    .await?;
    Ok(Counts {
        received,
        refused,
        last,
    })
}
