//! Contacts: any of HighLevel's contact shapes (search result, full contact,
//! created contact, webhook payload) becomes one `ContactRecord`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::time::parse_opt;
use super::upsert::{CacheTable, Cached};
use super::{text, text_list};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactRecord {
    pub location_id: String,
    pub id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company_name: Option<String>,
    pub source: Option<String>,
    pub contact_type: Option<String>,
    pub assigned_to: Option<String>,
    pub business_id: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub country: Option<String>,
    pub postal_code: Option<String>,
    pub website: Option<String>,
    pub timezone: Option<String>,
    pub dnd: bool,
    pub tags: Vec<String>,
    pub custom_fields: Value,
    pub raw: Value,
    pub date_added: Option<DateTime<Utc>>,
    pub date_updated: Option<DateTime<Utc>>,
}

impl Cached for ContactRecord {
    const TABLE: CacheTable = CacheTable::new(
        "cache_contacts",
        &[
            "location_id",
            "id",
            "first_name",
            "last_name",
            "display_name",
            "email",
            "phone",
            "company_name",
            "source",
            "contact_type",
            "assigned_to",
            "business_id",
            "city",
            "state",
            "country",
            "postal_code",
            "website",
            "timezone",
            "dnd",
            "tags",
            "custom_fields",
            "raw",
            "date_added",
            "date_updated",
        ],
    )
    .versioned();
}

impl ContactRecord {
    /// The record of a HighLevel contact document (camelCase fields, as
    /// every contact answer and webhook spells them). `None` without an id.
    pub fn from_document(location_id: &str, raw: Value) -> Option<Self> {
        let field = |name: &str| text(&raw, name);
        let id = field("id")?;
        let first_name = field("firstName");
        let last_name = field("lastName");
        let email = field("email");
        let phone = field("phone");
        let display_name = display_name(
            &[first_name.as_deref(), last_name.as_deref()],
            field("name").or_else(|| field("contactName")),
            &[email.as_deref(), phone.as_deref()],
        );
        Some(Self {
            location_id: field("locationId").unwrap_or_else(|| location_id.to_owned()),
            display_name,
            company_name: field("companyName").or_else(|| field("businessName")),
            source: field("source"),
            contact_type: field("type"),
            assigned_to: field("assignedTo"),
            business_id: field("businessId"),
            city: field("city"),
            state: field("state"),
            country: field("country"),
            postal_code: field("postalCode"),
            website: field("website"),
            timezone: field("timezone"),
            dnd: raw.get("dnd").and_then(Value::as_bool).unwrap_or(false),
            tags: text_list(&raw, "tags"),
            custom_fields: raw
                .get("customFields")
                .filter(|fields| fields.is_array())
                .cloned()
                .unwrap_or_else(|| Value::Array(Vec::new())),
            date_added: parse_opt(field("dateAdded").as_deref()),
            date_updated: parse_opt(field("dateUpdated").as_deref()),
            id,
            first_name,
            last_name,
            email,
            phone,
            raw,
        })
    }

    /// The record of any typed contact answer of the client.
    pub fn from_model(location_id: &str, contact: &impl Serialize) -> Option<Self> {
        Self::from_document(location_id, serde_json::to_value(contact).ok()?)
    }
}

/// "First Last", else HighLevel's own `name`, else the email or phone, else "(no name)".
fn display_name(parts: &[Option<&str>], name: Option<String>, contacts: &[Option<&str>]) -> String {
    let joined: Vec<&str> = parts
        .iter()
        .flatten()
        .copied()
        .filter(|p| !p.is_empty())
        .collect();
    if !joined.is_empty() {
        return joined.join(" ");
    }
    name.or_else(|| {
        contacts
            .iter()
            .flatten()
            .find(|c| !c.is_empty())
            .map(|c| (*c).to_owned())
    })
    .unwrap_or_else(|| "(no name)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn webhook_payload_becomes_a_record() {
        let payload = json!({
            "type": "ContactCreate", "locationId": "loc", "id": "c1",
            "firstName": "Ada", "lastName": "Byron", "email": "ada@example.com",
            "tags": ["vip", "trial"], "dateAdded": "2021-11-26T12:41:02.193Z",
            "customFields": [{"id": "f", "value": "x"}], "dnd": true
        });
        let record = ContactRecord::from_document("other", payload).expect("has an id");
        assert_eq!(record.location_id, "loc");
        assert_eq!(record.display_name, "Ada Byron");
        assert_eq!(record.tags, vec!["vip", "trial"]);
        assert!(record.dnd);
        assert!(record.date_added.is_some());
        assert_eq!(record.date_updated, None);
    }

    #[test]
    fn a_nameless_contact_is_shown_by_email() {
        let record = ContactRecord::from_document("loc", json!({"id": "c", "email": "x@y.z"}));
        assert_eq!(record.map(|r| r.display_name).as_deref(), Some("x@y.z"));
        assert!(ContactRecord::from_document("loc", json!({"email": "x@y.z"})).is_none());
    }
}
