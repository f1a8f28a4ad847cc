//! Contacts from the cache, as the Read API answers them: one team's only,
//! never deleted ones, with only the fields the connection may read.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use sqlx::PgPool;

use super::fields::ReadField;
use super::keys::Reader;
use super::moment;
use super::request::Lookup;
use crate::workspace::contacts::matching_ids;
use crate::workspace::filter::{ContactSort, ValidFilter};

/// Most contacts in one answer.
pub const LIST_CAP: usize = 50;

const SELECT: &str = r"SELECT c.id, c.display_name, c.first_name, c.last_name, c.email, c.phone,
        c.company_name, c.business_id, c.source, c.contact_type, c.assigned_to,
        u.name AS assignee_name, c.raw ->> 'address1' AS address1, c.city, c.state, c.country,
        c.postal_code, c.website, c.timezone, c.dnd, c.tags, c.custom_fields, c.date_added,
        c.date_updated
     FROM cache_contacts c
     LEFT JOIN cache_users u ON u.location_id = c.location_id AND u.id = c.assigned_to
     WHERE c.location_id = $1 AND c.deleted_at IS NULL";

const BY_NAME: &str = " ORDER BY lower(c.display_name), c.id";

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    display_name: String,
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    company_name: Option<String>,
    business_id: Option<String>,
    source: Option<String>,
    contact_type: Option<String>,
    assigned_to: Option<String>,
    assignee_name: Option<String>,
    address1: Option<String>,
    city: Option<String>,
    state: Option<String>,
    country: Option<String>,
    postal_code: Option<String>,
    website: Option<String>,
    timezone: Option<String>,
    dnd: bool,
    tags: Vec<String>,
    custom_fields: Value,
    date_added: Option<DateTime<Utc>>,
    date_updated: Option<DateTime<Utc>>,
}

impl Row {
    /// `id` and the readable fields; a field without a value is `null`.
    fn shown(&self, fields: &[ReadField]) -> Value {
        let mut shown = Map::new();
        shown.insert("id".into(), json!(self.id));
        for &field in fields {
            shown.insert(field.key().into(), self.value(field));
        }
        Value::Object(shown)
    }

    fn value(&self, field: ReadField) -> Value {
        match field {
            ReadField::Name => json!(self.display_name),
            ReadField::FirstName => json!(self.first_name),
            ReadField::LastName => json!(self.last_name),
            ReadField::Email => json!(self.email),
            ReadField::Phone => json!(self.phone),
            ReadField::Tags => json!(self.tags),
            ReadField::Company => json!(self.company_name),
            ReadField::BusinessId => json!(self.business_id),
            ReadField::Source => json!(self.source),
            ReadField::Type => json!(self.contact_type),
            ReadField::Assignee => named(self.assigned_to.as_deref(), &self.assignee_name),
            ReadField::DateAdded => json!(self.date_added.map(moment)),
            ReadField::DateUpdated => json!(self.date_updated.map(moment)),
            ReadField::Address => json!({
                "line1": self.address1,
                "city": self.city,
                "state": self.state,
                "country": self.country,
                "postalCode": self.postal_code,
            }),
            ReadField::Website => json!(self.website),
            ReadField::Timezone => json!(self.timezone),
            ReadField::Dnd => json!(self.dnd),
            ReadField::CustomFields => self.custom_fields.clone(),
        }
    }
}

/// `{id, name}` of what an id names (a user, a calendar), or `null`.
pub(super) fn named(id: Option<&str>, name: &Option<String>) -> Value {
    id.map_or(Value::Null, |id| json!({"id": id, "name": name}))
}

/// Up to [`LIST_CAP`] contacts, and whether more matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub contacts: Vec<Value>,
    pub more: bool,
}

impl Found {
    fn of(rows: Vec<Row>, fields: &[ReadField]) -> Self {
        Self {
            more: rows.len() > LIST_CAP,
            contacts: rows
                .iter()
                .take(LIST_CAP)
                .map(|row| row.shown(fields))
                .collect(),
        }
    }
}

/// One contact of the reader's team.
pub async fn by_id(db: &PgPool, reader: &Reader, id: &str) -> sqlx::Result<Option<Value>> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} AND c.id = $2"))
        .bind(&reader.location_id)
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|row| row.shown(&reader.read_fields)))
}

/// The contacts of the reader's team that `lookup` finds, by name.
pub async fn look_up(db: &PgPool, reader: &Reader, lookup: &Lookup) -> sqlx::Result<Found> {
    let (condition, value) = match lookup {
        Lookup::Email(email) => ("lower(c.email) = lower($2)", email.clone()),
        Lookup::Phone(e164) => ("c.phone = $2", e164.clone()),
        Lookup::Search(words) => return search(db, reader, words).await,
    };
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{SELECT} AND {condition}{BY_NAME} LIMIT {}",
        LIST_CAP + 1
    ))
    .bind(&reader.location_id)
    .bind(value)
    .fetch_all(db)
    .await?;
    Ok(Found::of(rows, &reader.read_fields))
}

/// The contact list's search: its matches are found the list's way, then
/// read with the connection's fields.
async fn search(db: &PgPool, reader: &Reader, words: &str) -> sqlx::Result<Found> {
    let filter = ValidFilter {
        q: Some(words.to_lowercase()),
        tag: None,
        source: None,
        assignee: None,
        added_from: None,
        added_before: None,
        sort: ContactSort::Name,
        descending: false,
        page: 0,
    };
    let ids = matching_ids(db, &reader.location_id, &filter, LIST_CAP as i64).await?;
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} AND c.id = ANY($2){BY_NAME}"))
        .bind(&reader.location_id)
        .bind(ids)
        .fetch_all(db)
        .await?;
    Ok(Found::of(rows, &reader.read_fields))
}

/// A business of the reader's team (its name) and its contacts, by name;
/// `None` when the team's cache has no such business.
pub async fn of_business(
    db: &PgPool,
    reader: &Reader,
    business_id: &str,
) -> sqlx::Result<Option<(String, Found)>> {
    let name: Option<String> = sqlx::query_scalar(
        "SELECT name FROM cache_businesses WHERE location_id = $1 AND id = $2 AND deleted_at IS NULL",
    )
    .bind(&reader.location_id)
    .bind(business_id)
    .fetch_optional(db)
    .await?;
    let Some(name) = name else {
        return Ok(None);
    };
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{SELECT} AND c.business_id = $2{BY_NAME} LIMIT {}",
        LIST_CAP + 1
    ))
    .bind(&reader.location_id)
    .bind(business_id)
    .fetch_all(db)
    .await?;
    Ok(Some((name, Found::of(rows, &reader.read_fields))))
}
