//! Batched upserts into the cache tables: one statement per batch, the rows
//! passed as one JSON array that `jsonb_populate_recordset` maps onto the
//! table's columns by name.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgExecutor;

/// A cache table and how its rows are merged.
#[derive(Debug, Clone, Copy)]
pub struct CacheTable {
    pub name: &'static str,
    /// Columns a record sets, `location_id` and `id` first.
    columns: &'static [&'static str],
    /// Whether rows carry HighLevel's `date_updated`: an older version of a
    /// row then never replaces a newer one, and only a newer one revives a
    /// row marked deleted.
    versioned: bool,
    /// Columns merged by an expression of the stored row `t` and the new one
    /// `EXCLUDED` instead of being replaced.
    merges: &'static [(&'static str, &'static str)],
}

/// A record of one cache table.
pub trait Cached: Serialize {
    const TABLE: CacheTable;
}

impl CacheTable {
    pub const fn new(name: &'static str, columns: &'static [&'static str]) -> Self {
        Self {
            name,
            columns,
            versioned: false,
            merges: &[],
        }
    }

    pub const fn versioned(self) -> Self {
        Self {
            versioned: true,
            ..self
        }
    }

    pub const fn merging(self, merges: &'static [(&'static str, &'static str)]) -> Self {
        Self { merges, ..self }
    }

    fn upsert_sql(&self) -> String {
        let name = self.name;
        let columns = self.columns.join(", ");
        let updates: Vec<String> = self
            .columns
            .iter()
            .filter(|column| !matches!(**column, "location_id" | "id"))
            .map(
                |column| match self.merges.iter().find(|(c, _)| c == column) {
                    Some((_, expression)) => format!("{column} = {expression}"),
                    None => format!("{column} = EXCLUDED.{column}"),
                },
            )
            .collect();
        let (revive, guard) = if self.versioned {
            (
                "CASE WHEN EXCLUDED.date_updated > t.date_updated THEN NULL ELSE t.deleted_at END",
                r"WHERE t.date_updated IS NULL OR EXCLUDED.date_updated IS NULL
                 OR EXCLUDED.date_updated >= t.date_updated",
            )
        } else {
            ("NULL", "")
        };
        format!(
            r"INSERT INTO {name} AS t ({columns}, synced_at)
             SELECT {columns}, now() FROM jsonb_populate_recordset(NULL::{name}, $1)
             ON CONFLICT (location_id, id) DO UPDATE SET {updates}, deleted_at = {revive}, synced_at = now()
             {guard}",
            updates = updates.join(", "),
        )
    }
}

/// Inserts or refreshes `records`; returns how many rows changed (a record
/// older than the stored row changes nothing).
pub async fn upsert<'e, T: Cached>(
    executor: impl PgExecutor<'e>,
    records: &[T],
) -> Result<u64, sqlx::Error> {
    if records.is_empty() {
        return Ok(0);
    }
    let rows =
        serde_json::to_value(records).map_err(|error| sqlx::Error::Encode(Box::new(error)))?;
    let done = sqlx::query(&T::TABLE.upsert_sql())
        .bind(rows)
        .execute(executor)
        .await?;
    Ok(done.rows_affected())
}

/// Marks rows deleted (kept, so reports and timelines can still explain
/// them). Returns how many were not deleted before.
pub async fn mark_deleted<'e>(
    executor: impl PgExecutor<'e>,
    table: CacheTable,
    location_id: &str,
    ids: &[String],
    at: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let sql = format!(
        r"UPDATE {} SET deleted_at = $3, synced_at = now()
         WHERE location_id = $1 AND id = ANY($2) AND deleted_at IS NULL",
        table.name
    );
    let done = sqlx::query(&sql)
        .bind(location_id)
        .bind(ids)
        .bind(at)
        .execute(executor)
        .await?;
    Ok(done.rows_affected())
}

/// The rows a complete read from HighLevel covered.
#[derive(Debug, Clone, Copy)]
pub enum Covered<'a> {
    /// Every row of the location.
    Location,
    /// The rows of these contacts.
    Contacts(&'a [String]),
    /// One calendar's appointments starting in `[start, end)`.
    CalendarWindow {
        calendar_id: &'a str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
}

/// Marks deleted, at `at`, the rows a complete read covered but did not
/// return: those not in `seen` and not written since `read_at`. Returns how
/// many were not deleted before.
pub async fn mark_unseen_deleted<'e>(
    executor: impl PgExecutor<'e>,
    table: CacheTable,
    location_id: &str,
    covered: Covered<'_>,
    seen: &[String],
    read_at: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let scope = match covered {
        Covered::Location => "",
        Covered::Contacts(_) => "AND contact_id = ANY($5)",
        Covered::CalendarWindow { .. } => {
            "AND calendar_id = $5 AND start_time >= $6 AND start_time < $7"
        }
    };
    let sql = format!(
        r"UPDATE {} SET deleted_at = $4, synced_at = now()
         WHERE location_id = $1 AND deleted_at IS NULL AND synced_at < $2
         AND NOT (id = ANY($3)) {scope}",
        table.name
    );
    let query = sqlx::query(&sql)
        .bind(location_id)
        .bind(read_at)
        .bind(seen)
        .bind(at);
    let query = match covered {
        Covered::Location => query,
        Covered::Contacts(contact_ids) => query.bind(contact_ids),
        Covered::CalendarWindow {
            calendar_id,
            start,
            end,
        } => query.bind(calendar_id).bind(start).bind(end),
    };
    Ok(query.execute(executor).await?.rows_affected())
}
