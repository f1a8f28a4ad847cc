//! A connection's Read API key: issued (or rotated) by an owner or admin
//! and shown once, kept only as its SHA-256 (see the migration for why a
//! plain hash), and found by that hash when an app presents it.

use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use sqlx::PgPool;

use super::fields::{self, ReadField};
use crate::apps::connections::store::{random_text, sha256_hex};

/// What every key starts with: a leaked key is recognisable (to secret
/// scanners, and to people reading a config file).
const KEY_START: &str = "sb_live_";
/// 256 random bits: 43 characters of URL-safe base64.
const KEY_BYTES: usize = 32;
const KEY_LENGTH: usize = KEY_START.len() + 43;
/// What is kept to show: the start and 8 of the random characters, enough
/// to tell keys apart and far too little to guess the rest.
const SHOWN_LENGTH: usize = KEY_START.len() + 8;

/// The connection behind a presented key, and what it may read. Not
/// `Debug`: it carries the key's hash, which no log needs.
pub struct Reader {
    pub connection_id: i64,
    pub location_id: String,
    pub read_fields: Vec<ReadField>,
    key_hash: String,
    last_used_at: Option<DateTime<Utc>>,
}

/// A connection's key as its page shows it; never the key.
#[derive(Debug, Clone)]
pub struct KeySettings {
    pub prefix: Option<String>,
    pub issued_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub read_fields: Vec<ReadField>,
}

/// Issues the connection's key, replacing any earlier one: the old key
/// stops working with this write. The key is returned to be shown once.
pub async fn issue(db: &PgPool, connection_id: i64) -> sqlx::Result<SecretString> {
    let key = format!("{KEY_START}{}", random_text(KEY_BYTES));
    sqlx::query(
        r"INSERT INTO app_api_keys (connection_id, key_prefix, key_hash, read_fields, issued_at)
         VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (connection_id) DO UPDATE
         SET key_prefix = EXCLUDED.key_prefix, key_hash = EXCLUDED.key_hash,
             issued_at = EXCLUDED.issued_at, last_used_at = NULL",
    )
    .bind(connection_id)
    .bind(prefix_of(&key))
    .bind(sha256_hex(key.as_bytes()))
    .bind(fields::keys(&ReadField::DEFAULT))
    .execute(db)
    .await?;
    Ok(SecretString::from(key))
}

/// The part of a key that is kept and shown.
pub fn prefix_of(key: &str) -> &str {
    key.get(..SHOWN_LENGTH).unwrap_or(key)
}

/// The connection whose key was presented; `None` for any other text.
pub async fn authenticate(db: &PgPool, presented: &str) -> sqlx::Result<Option<Reader>> {
    // Not the shape of a key: no need to ask the database.
    if presented.len() != KEY_LENGTH || !presented.starts_with(KEY_START) {
        return Ok(None);
    }
    /// connection_id, location_id, read_fields, last_used_at.
    type Row = (i64, String, Vec<String>, Option<DateTime<Utc>>);
    let key_hash = sha256_hex(presented.as_bytes());
    let row: Option<Row> = sqlx::query_as(
        r"SELECT k.connection_id, c.location_id, k.read_fields, k.last_used_at
         FROM app_api_keys k JOIN app_connections c ON c.id = k.connection_id
         WHERE k.key_hash = $1",
    )
    .bind(&key_hash)
    .fetch_optional(db)
    .await?;
    Ok(row.map(
        |(connection_id, location_id, read_fields, last_used_at)| Reader {
            connection_id,
            location_id,
            read_fields: ReadField::from_stored(&read_fields),
            key_hash,
            last_used_at,
        },
    ))
}

/// Records that the reader's key was used, at most once a minute: busy
/// apps read many times a second, and a write each time would cost more
/// than the read.
pub async fn note_use(db: &PgPool, reader: &Reader) -> sqlx::Result<()> {
    let recent = |at: DateTime<Utc>| Utc::now() - at < Duration::minutes(1);
    if reader.last_used_at.is_some_and(recent) {
        return Ok(());
    }
    sqlx::query(
        r"UPDATE app_api_keys SET last_used_at = now()
         WHERE connection_id = $1 AND key_hash = $2
           AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
    )
    .bind(reader.connection_id)
    .bind(&reader.key_hash)
    .execute(db)
    .await?;
    Ok(())
}

/// Sets the contact fields the connection reads, with or without a key.
pub async fn set_read_fields(
    db: &PgPool,
    connection_id: i64,
    read_fields: &[ReadField],
) -> sqlx::Result<()> {
    sqlx::query(
        r"INSERT INTO app_api_keys (connection_id, read_fields) VALUES ($1, $2)
         ON CONFLICT (connection_id) DO UPDATE SET read_fields = EXCLUDED.read_fields",
    )
    .bind(connection_id)
    .bind(fields::keys(read_fields))
    .execute(db)
    .await?;
    Ok(())
}

/// The connection's key and fields; the default fields before any choice.
pub async fn settings(db: &PgPool, connection_id: i64) -> sqlx::Result<KeySettings> {
    type Row = (
        Option<String>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        Vec<String>,
    );
    let row: Option<Row> = sqlx::query_as(
        r"SELECT key_prefix, issued_at, last_used_at, read_fields
         FROM app_api_keys WHERE connection_id = $1",
    )
    .bind(connection_id)
    .fetch_optional(db)
    .await?;
    Ok(match row {
        Some((prefix, issued_at, last_used_at, read_fields)) => KeySettings {
            prefix,
            issued_at,
            last_used_at,
            read_fields: ReadField::from_stored(&read_fields),
        },
        None => KeySettings {
            prefix: None,
            issued_at: None,
            last_used_at: None,
            read_fields: ReadField::DEFAULT.to_vec(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_start_of_a_key_is_shown() {
        let key = format!("{KEY_START}{}", random_text(KEY_BYTES));
        assert_eq!(key.len(), KEY_LENGTH);
        assert_eq!(prefix_of(&key).len(), 16);
        assert!(key.starts_with(prefix_of(&key)));
        assert_eq!(prefix_of("short"), "short");
    }
}
