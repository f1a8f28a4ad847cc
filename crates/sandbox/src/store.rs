//! The sandbox's data: plain structs in memory, one `LocationData` per demo
//! location. Tasks and notes live inside their contact because every path that
//! reaches them names the contact; appointments are kept per location because
//! calendar queries span contacts.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

#[derive(Debug, Default)]
pub struct Store {
    pub company_id: String,
    pub locations: BTreeMap<String, LocationData>,
    /// Location ids in seeding order: the first is the big demo location.
    pub order: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct LocationInfo {
    pub id: String,
    pub name: String,
    pub city: String,
    pub state: String,
    pub timezone: String,
}

#[derive(Debug)]
pub struct LocationData {
    pub info: LocationInfo,
    pub users: Vec<User>,
    pub calendars: Vec<Calendar>,
    pub businesses: Vec<Business>,
    pub custom_fields: Vec<CustomField>,
    pub tags: Vec<LocationTag>,
    pub contacts: BTreeMap<String, Contact>,
    pub appointments: BTreeMap<String, Appointment>,
}

impl LocationData {
    /// Adds the tags the location does not know yet to its tag list, as
    /// HighLevel does when a contact is tagged.
    pub fn register_tags(&mut self, tags: &[String], new_id: impl FnMut() -> String) {
        let mut new_id = new_id;
        for tag in tags {
            if !self.tags.iter().any(|known| &known.name == tag) {
                self.tags.push(LocationTag {
                    id: new_id(),
                    name: tag.clone(),
                });
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub role: String,
}

#[derive(Debug, Clone)]
pub struct Calendar {
    pub id: String,
    pub name: String,
    pub group_id: String,
    pub description: String,
    pub slot_minutes: u32,
    pub team: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Business {
    pub id: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub website: String,
    pub city: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct CustomField {
    pub id: String,
    pub name: String,
    pub key: String,
    pub data_type: String,
    pub options: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct LocationTag {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DndChannel {
    pub channel: String,
    pub status: String,
    pub message: String,
    pub code: String,
}

#[derive(Debug, Clone, Default)]
pub struct Contact {
    pub id: String,
    pub location_id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company_name: Option<String>,
    pub address1: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub country: Option<String>,
    pub postal_code: Option<String>,
    pub website: Option<String>,
    pub timezone: Option<String>,
    pub gender: Option<String>,
    pub source: Option<String>,
    pub contact_type: String,
    pub dnd: bool,
    pub dnd_settings: Vec<DndChannel>,
    pub tags: Vec<String>,
    /// `(field id, value)`; values are kept as the strings the API returns.
    pub custom_fields: Vec<(String, String)>,
    pub date_of_birth: Option<DateTime<Utc>>,
    pub date_added: DateTime<Utc>,
    pub date_updated: DateTime<Utc>,
    pub assigned_to: Option<String>,
    pub business_id: Option<String>,
    pub followers: Vec<String>,
    pub attribution_url: Option<String>,
    pub campaigns: Vec<String>,
    pub workflows: Vec<String>,
    pub tasks: Vec<Task>,
    pub notes: Vec<Note>,
}

impl Contact {
    pub fn full_name(&self) -> Option<String> {
        match (&self.first_name, &self.last_name) {
            (Some(first), Some(last)) => Some(format!("{first} {last}")),
            (Some(one), None) | (None, Some(one)) => Some(one.clone()),
            (None, None) => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Task {
    pub id: String,
    pub contact_id: String,
    pub title: String,
    pub body: Option<String>,
    pub assigned_to: Option<String>,
    pub due_date: DateTime<Utc>,
    pub completed: bool,
    pub date_added: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Note {
    pub id: String,
    pub contact_id: String,
    pub body: String,
    pub title: Option<String>,
    pub user_id: Option<String>,
    pub color: Option<String>,
    pub pinned: bool,
    pub date_added: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Appointment {
    pub id: String,
    pub location_id: String,
    pub calendar_id: String,
    pub group_id: String,
    pub contact_id: String,
    pub title: String,
    pub status: String,
    pub assigned_user_id: String,
    pub notes: Option<String>,
    pub address: Option<String>,
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    pub date_added: DateTime<Utc>,
    pub date_updated: DateTime<Utc>,
}

impl Store {
    /// The location holding a contact, searching every location.
    pub fn location_of_contact(&self, contact_id: &str) -> Option<&str> {
        self.locations
            .values()
            .find(|location| location.contacts.contains_key(contact_id))
            .map(|location| location.info.id.as_str())
    }
}
