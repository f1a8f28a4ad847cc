//! The requests a mapping makes of one event, gathered rule by rule: the
//! upsert body, and the task and note bodies. How a rule writes (replace,
//! only if empty, add to) only matters once the contact exists, so
//! [`Applied`] keeps it to shape the body for the contact HighLevel has.

use serde_json::{json, Map, Value as Json};

use super::targets::Slot;
use super::WriteMode;

/// A field written only while the contact has none.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kept {
    Field(&'static str),
    /// A custom field, by its id.
    Custom(String),
}

/// What a mapping makes of one event.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The `POST /contacts/upsert` body for a contact HighLevel does not have yet.
    pub contact: Json,
    /// The `POST /contacts/{id}/tasks` body, when the event makes a task.
    pub task: Option<Json>,
    /// The `POST /contacts/{id}/notes` body, when the event makes a note.
    pub note: Option<Json>,
    kept: Vec<Kept>,
    adds_tags: bool,
}

impl Applied {
    /// The upsert body for a contact HighLevel has, given as HighLevel reads
    /// it (`customFields: [{id, value}]`): fields to fill only when empty are
    /// left out where it has a value, and tags that are added to keep its own
    /// (an upsert replaces the tags).
    pub fn for_existing(&self, existing: &Json) -> Json {
        let mut body = self.contact.clone();
        let Some(fields) = body.as_object_mut() else {
            return body;
        };
        for kept in self.kept.iter().filter(|kept| kept.is_filled(existing)) {
            kept.remove(fields);
        }
        if self.adds_tags {
            add_existing_tags(fields, existing);
        }
        body
    }
}

impl Kept {
    fn is_filled(&self, existing: &Json) -> bool {
        match self {
            Kept::Field(name) => existing.get(name).is_some_and(filled),
            Kept::Custom(id) => existing["customFields"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|field| field["id"] == id.as_str() && filled(&field["value"])),
        }
    }

    fn remove(&self, fields: &mut Map<String, Json>) {
        match self {
            Kept::Field(name) => {
                fields.remove(*name);
            }
            Kept::Custom(id) => {
                let Some(Json::Array(custom)) = fields.get_mut("customFields") else {
                    return;
                };
                custom.retain(|field| field["id"] != id.as_str());
                if custom.is_empty() {
                    fields.remove("customFields");
                }
            }
        }
    }
}

/// Whether HighLevel holds something in a field: `false`, empty text and
/// empty lists count as nothing.
fn filled(value: &Json) -> bool {
    match value {
        Json::Null | Json::Bool(false) => false,
        Json::String(text) => !text.trim().is_empty(),
        Json::Array(items) => !items.is_empty(),
        _ => true,
    }
}

fn add_existing_tags(fields: &mut Map<String, Json>, existing: &Json) {
    let Some(Json::Array(added)) = fields.get_mut("tags") else {
        return;
    };
    let mut tags: Vec<Json> = existing["tags"].as_array().cloned().unwrap_or_default();
    // HighLevel keeps tags in lower case: "VIP" is the tag "vip" it has.
    let same = |a: &Json, b: &Json| match (a.as_str(), b.as_str()) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => a == b,
    };
    for tag in added.drain(..) {
        if !tags.iter().any(|held| same(held, &tag)) {
            tags.push(tag);
        }
    }
    *added = tags;
}

/// The writes of one event so far.
pub(super) struct Draft {
    location_id: String,
    contact: Map<String, Json>,
    custom: Vec<Json>,
    tags: Vec<Json>,
    task: Map<String, Json>,
    note: Option<Json>,
    kept: Vec<Kept>,
    replaces_tags: bool,
    adds_tags: bool,
    fills_contact: bool,
}

impl Draft {
    pub fn new(location_id: &str) -> Self {
        Self {
            location_id: location_id.to_owned(),
            contact: Map::new(),
            custom: Vec::new(),
            tags: Vec::new(),
            task: Map::new(),
            note: None,
            kept: Vec::new(),
            replaces_tags: false,
            adds_tags: false,
            fills_contact: false,
        }
    }

    /// Notes that a rule fills `slot`, even when this event leaves it empty.
    pub fn target(&mut self, slot: Slot) {
        self.fills_contact |= matches!(slot, Slot::Contact(_) | Slot::Custom(_));
    }

    /// Writes one rule's value.
    pub fn write(&mut self, slot: Slot, mode: WriteMode, value: Json) {
        match slot {
            Slot::Contact("tags") => self.write_tags(mode, value),
            Slot::Contact(name) => {
                if mode == WriteMode::OnlyIfEmpty {
                    self.kept.push(Kept::Field(name));
                }
                self.contact.insert(name.to_owned(), value);
            }
            Slot::Custom(field) => {
                if mode == WriteMode::OnlyIfEmpty {
                    self.kept.push(Kept::Custom(field.id.clone()));
                }
                self.custom
                    .push(json!({"id": field.id, "field_value": value}));
            }
            Slot::Task(name) => {
                self.task.insert(name.to_owned(), value);
            }
            Slot::Note => self.note = Some(json!({ "body": value })),
        }
    }

    fn write_tags(&mut self, mode: WriteMode, value: Json) {
        match mode {
            WriteMode::Overwrite => self.replaces_tags = true,
            WriteMode::Append => self.adds_tags = true,
            WriteMode::OnlyIfEmpty => self.kept.push(Kept::Field("tags")),
        }
        for tag in value.as_array().into_iter().flatten() {
            if !self.tags.contains(tag) {
                self.tags.push(tag.clone());
            }
        }
    }

    /// Whether a value was written to `slot`.
    pub fn has(&self, slot: Slot) -> bool {
        match slot {
            Slot::Contact("tags") => !self.tags.is_empty(),
            Slot::Contact(name) => self.contact.contains_key(name),
            Slot::Custom(field) => self.custom.iter().any(|value| value["id"] == field.id),
            Slot::Task(name) => self.task.contains_key(name),
            Slot::Note => self.note.is_some(),
        }
    }

    /// The requests, and whether any rule fills a contact field. A task is
    /// made when the event gives it a title.
    pub fn finish(mut self) -> (Applied, bool) {
        let mut contact = Map::new();
        contact.insert("locationId".into(), Json::from(self.location_id));
        contact.append(&mut self.contact);
        if !self.tags.is_empty() {
            contact.insert("tags".into(), Json::Array(self.tags));
        }
        if !self.custom.is_empty() {
            contact.insert("customFields".into(), Json::Array(self.custom));
        }
        let task = self.task.contains_key("title").then(|| {
            self.task.insert("completed".into(), Json::Bool(false));
            Json::Object(self.task)
        });
        let applied = Applied {
            contact: Json::Object(contact),
            task,
            note: self.note,
            kept: self.kept,
            adds_tags: self.adds_tags && !self.replaces_tags,
        };
        (applied, self.fills_contact)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apps::mapping::CustomField;

    fn member_number() -> CustomField {
        CustomField {
            id: "cf1".into(),
            key: "contact.member_number".into(),
            name: "Member number".into(),
            data_type: "TEXT".into(),
        }
    }

    #[test]
    fn a_new_contact_gets_every_field() {
        let field = member_number();
        let mut draft = Draft::new("loc1");
        draft.target(Slot::Contact("email"));
        draft.write(
            Slot::Contact("email"),
            WriteMode::Overwrite,
            json!("a@b.co"),
        );
        draft.write(
            Slot::Contact("city"),
            WriteMode::OnlyIfEmpty,
            json!("Perth"),
        );
        draft.write(Slot::Custom(&field), WriteMode::OnlyIfEmpty, json!("M-7"));
        draft.write(
            Slot::Contact("tags"),
            WriteMode::Append,
            json!(["member", "vip"]),
        );
        draft.write(
            Slot::Contact("tags"),
            WriteMode::Append,
            json!(["vip", "yoga"]),
        );
        draft.write(Slot::Task("title"), WriteMode::Overwrite, json!("Call"));
        draft.write(
            Slot::Task("dueDate"),
            WriteMode::Overwrite,
            json!("2026-03-01T22:30:00Z"),
        );
        draft.write(Slot::Note, WriteMode::Overwrite, json!("Joined"));
        assert!(draft.has(Slot::Custom(&field)) && draft.has(Slot::Contact("tags")));
        assert!(!draft.has(Slot::Contact("phone")));
        let (applied, fills_contact) = draft.finish();
        assert!(fills_contact);
        assert_eq!(
            applied.contact,
            json!({"locationId": "loc1", "email": "a@b.co", "city": "Perth",
                "tags": ["member", "vip", "yoga"],
                "customFields": [{"id": "cf1", "field_value": "M-7"}]})
        );
        assert_eq!(
            applied.task,
            Some(json!({"title": "Call", "dueDate": "2026-03-01T22:30:00Z", "completed": false}))
        );
        assert_eq!(applied.note, Some(json!({"body": "Joined"})));
    }

    #[test]
    fn an_existing_contact_keeps_what_only_empty_fields_would_change() {
        let field = member_number();
        let mut draft = Draft::new("loc1");
        draft.write(
            Slot::Contact("city"),
            WriteMode::OnlyIfEmpty,
            json!("Perth"),
        );
        draft.write(Slot::Contact("state"), WriteMode::OnlyIfEmpty, json!("WA"));
        draft.write(Slot::Custom(&field), WriteMode::OnlyIfEmpty, json!("M-7"));
        draft.write(Slot::Contact("tags"), WriteMode::Append, json!(["member"]));
        let (applied, _) = draft.finish();
        let existing = json!({"city": "Sydney", "state": "", "tags": ["lead", "member"],
            "customFields": [{"id": "cf1", "value": "M-1"}]});
        assert_eq!(
            applied.for_existing(&existing),
            json!({"locationId": "loc1", "state": "WA", "tags": ["lead", "member"]})
        );
        assert_eq!(applied.for_existing(&json!({})), applied.contact);
    }

    #[test]
    fn replacing_tags_drops_the_contact_s_own() {
        let mut draft = Draft::new("loc1");
        draft.write(Slot::Contact("tags"), WriteMode::Append, json!(["a"]));
        draft.write(Slot::Contact("tags"), WriteMode::Overwrite, json!(["b"]));
        let (applied, fills_contact) = draft.finish();
        assert!(!fills_contact);
        let existing = json!({"tags": ["old"]});
        assert_eq!(
            applied.for_existing(&existing),
            json!({"locationId": "loc1", "tags": ["a", "b"]})
        );
    }

    #[test]
    fn no_title_no_task() {
        let mut draft = Draft::new("loc1");
        draft.write(Slot::Task("body"), WriteMode::Overwrite, json!("Details"));
        let (applied, _) = draft.finish();
        assert_eq!(applied.task, None);
        assert_eq!(applied.note, None);
    }
}
