//! What a mapping needs to know of the team's location: its custom fields
//! and its country, read from HighLevel and kept in `location_details` for
//! a few minutes, so a preview on every keystroke costs no HighLevel call.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

use super::store::Lookups;
use super::{CustomField, MappingContext};
use crate::highlevel::HighLevelClient;
use crate::zone::TeamZone;

/// How long what HighLevel said is used before it is read again.
const FRESH_FOR: Duration = Duration::minutes(5);

/// The location as mappings see it.
#[derive(Debug, Clone, Default)]
pub struct Details {
    pub custom_fields: Vec<CustomField>,
    pub country: Option<String>,
    /// Set when HighLevel could not be read and older (or no) details are used.
    pub problem: Option<String>,
}

/// The location's details, read again from HighLevel when older than
/// [`FRESH_FOR`] or when `refresh` asks for it.
pub async fn details(
    db: &PgPool,
    client: &HighLevelClient,
    location_id: &str,
    refresh: bool,
) -> sqlx::Result<Details> {
    let kept = kept(db, location_id).await?;
    if let Some((details, read_at)) = &kept {
        if !refresh && Utc::now() - *read_at < FRESH_FOR {
            return Ok(details.clone());
        }
    }
    match read(client, location_id).await {
        Ok(details) => {
            keep(db, location_id, &details).await?;
            Ok(details)
        }
        Err(error) => {
            tracing::warn!(%error, location = location_id, "location details unavailable");
            let problem = Some(
                "HighLevel could not list the location's custom fields just now; \
                 the last list read is used."
                    .to_owned(),
            );
            let details = kept.map(|(details, _)| details).unwrap_or_default();
            Ok(Details { problem, ..details })
        }
    }
}

/// The details as kept, without asking HighLevel (for previews).
pub async fn kept_details(db: &PgPool, location_id: &str) -> sqlx::Result<Details> {
    Ok(kept(db, location_id)
        .await?
        .map(|(details, _)| details)
        .unwrap_or_default())
}

/// The context a mapping of the team runs in.
pub fn context(
    location_id: &str,
    zone: TeamZone,
    details: Details,
    lookups: Lookups,
) -> MappingContext {
    MappingContext {
        location_id: location_id.to_owned(),
        country: details.country,
        zone,
        custom_fields: details.custom_fields,
        lookups,
    }
}

async fn read(
    client: &HighLevelClient,
    location_id: &str,
) -> Result<Details, crate::highlevel::HighLevelError> {
    let location = client.get_location(location_id).await?.location;
    let fields = client
        .get_custom_fields(location_id, Some("contact"))
        .await?;
    let custom_fields = fields
        .custom_fields
        .into_iter()
        .filter_map(|field| {
            Some(CustomField {
                key: field.field_key?,
                name: field.name?,
                data_type: field.data_type.unwrap_or_else(|| "TEXT".into()),
                id: field.id,
            })
        })
        .collect();
    Ok(Details {
        custom_fields,
        country: location
            .country
            .filter(|code| code.len() == 2)
            .map(|code| code.to_ascii_uppercase()),
        problem: None,
    })
}

/// A `location_details` row.
#[derive(sqlx::FromRow)]
struct KeptRow {
    custom_fields: sqlx::types::Json<Vec<CustomField>>,
    country: Option<String>,
    read_at: DateTime<Utc>,
}

async fn kept(db: &PgPool, location_id: &str) -> sqlx::Result<Option<(Details, DateTime<Utc>)>> {
    let row: Option<KeptRow> = sqlx::query_as(
        "SELECT custom_fields, country, read_at FROM location_details WHERE location_id = $1",
    )
    .bind(location_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| {
        let details = Details {
            custom_fields: row.custom_fields.0,
            country: row.country,
            problem: None,
        };
        (details, row.read_at)
    }))
}

async fn keep(db: &PgPool, location_id: &str, details: &Details) -> sqlx::Result<()> {
    sqlx::query(
        r"INSERT INTO location_details (location_id, custom_fields, country, read_at)
          VALUES ($1, $2, $3, now())
          ON CONFLICT (location_id) DO UPDATE SET custom_fields = EXCLUDED.custom_fields,
            country = EXCLUDED.country, read_at = now()",
    )
    .bind(location_id)
    .bind(sqlx::types::Json(&details.custom_fields))
    .bind(&details.country)
    .execute(db)
    .await?;
    Ok(())
}
