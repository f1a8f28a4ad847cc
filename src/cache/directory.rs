//! The location's people, calendars and businesses: what ids in contacts,
//! tasks and appointments refer to.

use serde::Serialize;
use serde_json::Value;

use super::upsert::{CacheTable, Cached};
use super::{document_id, text};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserRecord {
    pub location_id: String,
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub role: Option<String>,
    pub raw: Value,
}

impl Cached for UserRecord {
    const TABLE: CacheTable = CacheTable::new(
        "cache_users",
        &["location_id", "id", "name", "email", "role", "raw"],
    );
}

impl UserRecord {
    pub fn from_model(location_id: &str, user: &impl Serialize) -> Option<Self> {
        let raw = serde_json::to_value(user).ok()?;
        let name = text(&raw, "name").unwrap_or_else(|| {
            let parts = [text(&raw, "firstName"), text(&raw, "lastName")];
            parts.into_iter().flatten().collect::<Vec<_>>().join(" ")
        });
        Some(Self {
            location_id: location_id.to_owned(),
            id: document_id(&raw)?,
            email: text(&raw, "email"),
            role: raw.get("roles").and_then(|roles| text(roles, "role")),
            name,
            raw,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalendarRecord {
    pub location_id: String,
    pub id: String,
    pub name: String,
    pub raw: Value,
}

impl Cached for CalendarRecord {
    const TABLE: CacheTable =
        CacheTable::new("cache_calendars", &["location_id", "id", "name", "raw"]);
}

impl CalendarRecord {
    pub fn from_model(location_id: &str, calendar: &impl Serialize) -> Option<Self> {
        let raw = serde_json::to_value(calendar).ok()?;
        Some(Self {
            location_id: location_id.to_owned(),
            id: document_id(&raw)?,
            name: text(&raw, "name").unwrap_or_default(),
            raw,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BusinessRecord {
    pub location_id: String,
    pub id: String,
    pub name: String,
    pub raw: Value,
}

impl Cached for BusinessRecord {
    const TABLE: CacheTable =
        CacheTable::new("cache_businesses", &["location_id", "id", "name", "raw"]);
}

impl BusinessRecord {
    pub fn from_model(location_id: &str, business: &impl Serialize) -> Option<Self> {
        let raw = serde_json::to_value(business).ok()?;
        Some(Self {
            location_id: location_id.to_owned(),
            id: document_id(&raw)?,
            name: text(&raw, "name").unwrap_or_default(),
            raw,
        })
    }
}
