//! The bounded record of refused requests: who knocked, when, why, a digest
//! of what they sent and their headers. Never the body: a refused body is
//! not trusted with disk space.

use std::net::IpAddr;

use axum::http::{header, HeaderMap, HeaderName};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

/// Records kept per source address; later refusals are only counted in the log.
pub const PER_SOURCE: i64 = 100;
/// Records kept in all.
pub const IN_ALL: i64 = 10_000;

/// Headers kept of a refused request, and the length of each value.
const MAX_HEADERS: usize = 32;
const MAX_VALUE_CHARS: usize = 200;
/// Headers never stored: credentials a client might send along.
pub const CREDENTIAL_HEADERS: [HeaderName; 4] = [
    header::AUTHORIZATION,
    header::COOKIE,
    header::PROXY_AUTHORIZATION,
    // A Read API key, should an app send it to a webhook door too.
    HeaderName::from_static("x-api-key"),
];

/// One refused request.
pub struct Refusal<'a> {
    pub door: &'a str,
    pub source: IpAddr,
    pub reason: &'a str,
    /// The body when it was read; otherwise its declared length.
    pub body: Option<&'a [u8]>,
    pub declared_bytes: Option<u64>,
    pub headers: &'a HeaderMap,
}

/// Keeps a record of `refusal` unless its source or the table is at its cap.
/// Recording is best effort: the refusal stands even if the database is down.
pub async fn record(db: &PgPool, refusal: &Refusal<'_>) {
    let bytes = refusal
        .body
        .map(|body| body.len() as u64)
        .or(refusal.declared_bytes)
        .map(|bytes| i64::try_from(bytes).unwrap_or(i64::MAX));
    let kept = sqlx::query(
        r"INSERT INTO refused_requests (door, source, reason, body_bytes, body_digest, headers)
         SELECT $1, $2, $3, $4, $5, $6
          WHERE (SELECT count(*) FROM refused_requests WHERE source = $2) < $7
            AND (SELECT count(*) FROM refused_requests) < $8",
    )
    .bind(refusal.door)
    .bind(refusal.source.to_string())
    .bind(refusal.reason)
    .bind(bytes)
    .bind(refusal.body.map(digest))
    .bind(headers_kept(refusal.headers))
    .bind(PER_SOURCE)
    .bind(IN_ALL)
    .execute(db)
    .await;
    match kept {
        Ok(done) if done.rows_affected() == 1 => tracing::info!(
            door = refusal.door, source = %refusal.source, reason = refusal.reason,
            "refused a request"
        ),
        Ok(_) => {
            tracing::debug!(source = %refusal.source, "refused a request; its source's record is full")
        }
        Err(error) => tracing::warn!(%error, "recording a refused request"),
    }
}

/// The first 16 hex digits of the SHA-256: enough to tell bodies apart.
fn digest(body: &[u8]) -> String {
    crate::format::hex(&Sha256::digest(body)[..8])
}

/// The headers as a JSON object: without credentials, at most
/// [`MAX_HEADERS`], each value cut to [`MAX_VALUE_CHARS`].
pub fn headers_kept(headers: &HeaderMap) -> Value {
    let kept: Map<String, Value> = headers
        .iter()
        .filter(|(name, _)| !CREDENTIAL_HEADERS.contains(name))
        .take(MAX_HEADERS)
        .map(|(name, value)| {
            let text = String::from_utf8_lossy(value.as_bytes());
            (
                name.as_str().to_owned(),
                Value::String(text.chars().take(MAX_VALUE_CHARS).collect()),
            )
        })
        .collect();
    Value::Object(kept)
}

/// A kept record, for the operator's command.
#[derive(Debug, sqlx::FromRow)]
pub struct Kept {
    pub door: String,
    pub source: String,
    pub received_at: DateTime<Utc>,
    pub reason: String,
    pub body_bytes: Option<i64>,
    pub body_digest: Option<String>,
}

/// The newest `limit` records.
pub async fn newest(db: &PgPool, limit: i64) -> sqlx::Result<Vec<Kept>> {
    sqlx::query_as(
        "SELECT door, source, received_at, reason, body_bytes, body_digest
           FROM refused_requests ORDER BY received_at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Deletes records older than `days`.
pub async fn prune(db: &PgPool, days: u32) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "DELETE FROM refused_requests WHERE received_at < now() - make_interval(days => $1)",
    )
    .bind(i32::try_from(days).unwrap_or(i32::MAX))
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_dropped_and_long_values_cut() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "session=secret".parse().unwrap());
        headers.insert("x-long", "a".repeat(5_000).parse().unwrap());
        let kept = headers_kept(&headers);
        assert!(kept.get("cookie").is_none());
        assert_eq!(kept["x-long"].as_str().unwrap().len(), MAX_VALUE_CHARS);
        assert_eq!(digest(b"abc"), "ba7816bf8f01cfea");
    }
}
