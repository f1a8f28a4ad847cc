//! Webhook payloads, shaped as in `docs/webhook-events/*.md`. `webhookId` and
//! `timestamp` are added when an event is queued.

use serde_json::{json, Map, Value};

use super::render::{iso, offset_iso};
use super::store::{Appointment, Contact, Note, Task};

/// A webhook event waiting to be queued.
#[derive(Debug, Clone)]
pub struct Event {
    pub kind: &'static str,
    pub payload: Map<String, Value>,
}

fn put(map: &mut Map<String, Value>, key: &str, value: Option<&String>) {
    if let Some(value) = value {
        map.insert(key.into(), json!(value));
    }
}

fn start(kind: &'static str, location_id: &str) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("type".into(), json!(kind));
    map.insert("locationId".into(), json!(location_id));
    map
}

/// ContactCreate, ContactUpdate, ContactDelete, ContactTagUpdate.
pub fn contact(kind: &'static str, contact: &Contact) -> Event {
    let mut map = start(kind, &contact.location_id);
    map.insert("id".into(), json!(contact.id));
    put(&mut map, "address1", contact.address1.as_ref());
    put(&mut map, "city", contact.city.as_ref());
    put(&mut map, "state", contact.state.as_ref());
    put(&mut map, "companyName", contact.company_name.as_ref());
    put(&mut map, "country", contact.country.as_ref());
    put(&mut map, "source", contact.source.as_ref());
    map.insert("dateAdded".into(), json!(iso(&contact.date_added)));
    put(
        &mut map,
        "dateOfBirth",
        contact.date_of_birth.as_ref().map(iso).as_ref(),
    );
    map.insert("dnd".into(), json!(contact.dnd));
    put(&mut map, "email", contact.email.as_ref());
    put(&mut map, "name", contact.full_name().as_ref());
    put(&mut map, "firstName", contact.first_name.as_ref());
    put(&mut map, "lastName", contact.last_name.as_ref());
    put(&mut map, "phone", contact.phone.as_ref());
    put(&mut map, "postalCode", contact.postal_code.as_ref());
    map.insert("tags".into(), json!(contact.tags));
    put(&mut map, "website", contact.website.as_ref());
    map.insert("attachments".into(), json!([]));
    put(&mut map, "assignedTo", contact.assigned_to.as_ref());
    let custom: Vec<Value> = contact
        .custom_fields
        .iter()
        .map(|(id, value)| json!({"id": id, "value": value}))
        .collect();
    map.insert("customFields".into(), Value::Array(custom));
    if kind == "ContactDndUpdate" {
        map.insert("dndSettings".into(), dnd_settings(contact));
    }
    Event { kind, payload: map }
}

/// `dndSettings` of ContactDndUpdate: every channel, inactive unless set.
fn dnd_settings(contact: &Contact) -> Value {
    const CHANNELS: [&str; 6] = ["SMS", "Email", "GMB", "FB", "WhatsApp", "Call"];
    let settings: Map<String, Value> = CHANNELS
        .iter()
        .map(|channel| {
            let set = contact.dnd_settings.iter().find(|s| s.channel == *channel);
            let setting = match set {
                Some(set) => {
                    json!({"status": set.status, "message": set.message, "code": set.code})
                }
                None => json!({"status": "inactive", "message": "", "code": ""}),
            };
            ((*channel).to_owned(), setting)
        })
        .collect();
    Value::Object(settings)
}

/// TaskCreate, TaskComplete, TaskDelete.
pub fn task(kind: &'static str, location_id: &str, task: &Task) -> Event {
    let mut map = start(kind, location_id);
    map.insert("id".into(), json!(task.id));
    put(&mut map, "assignedTo", task.assigned_to.as_ref());
    put(&mut map, "body", task.body.as_ref());
    map.insert("contactId".into(), json!(task.contact_id));
    map.insert("title".into(), json!(task.title));
    map.insert("dateAdded".into(), json!(iso(&task.date_added)));
    map.insert("dueDate".into(), json!(iso(&task.due_date)));
    Event { kind, payload: map }
}

/// NoteCreate, NoteUpdate, NoteDelete.
pub fn note(kind: &'static str, location_id: &str, note: &Note) -> Event {
    let mut map = start(kind, location_id);
    map.insert("id".into(), json!(note.id));
    map.insert("body".into(), json!(note.body));
    map.insert("contactId".into(), json!(note.contact_id));
    map.insert("dateAdded".into(), json!(iso(&note.date_added)));
    Event { kind, payload: map }
}

/// AppointmentCreate, AppointmentUpdate, AppointmentDelete: nested under
/// `appointment`, with the right `type` (the docs' examples of the last two
/// show `AppointmentCreate` by mistake).
pub fn appointment(kind: &'static str, appointment: &Appointment) -> Event {
    let mut map = start(kind, &appointment.location_id);
    let mut inner = Map::new();
    inner.insert("id".into(), json!(appointment.id));
    put(&mut inner, "address", appointment.address.as_ref());
    inner.insert("title".into(), json!(appointment.title));
    inner.insert("calendarId".into(), json!(appointment.calendar_id));
    inner.insert("contactId".into(), json!(appointment.contact_id));
    inner.insert("groupId".into(), json!(appointment.group_id));
    inner.insert("appointmentStatus".into(), json!(appointment.status));
    inner.insert("assignedUserId".into(), json!(appointment.assigned_user_id));
    inner.insert("users".into(), json!([appointment.assigned_user_id]));
    put(&mut inner, "notes", appointment.notes.as_ref());
    inner.insert("source".into(), json!("sandbox"));
    inner.insert(
        "startTime".into(),
        json!(offset_iso(&appointment.start_time)),
    );
    inner.insert("endTime".into(), json!(offset_iso(&appointment.end_time)));
    inner.insert(
        "dateAdded".into(),
        json!(offset_iso(&appointment.date_added)),
    );
    inner.insert(
        "dateUpdated".into(),
        json!(offset_iso(&appointment.date_updated)),
    );
    map.insert("appointment".into(), Value::Object(inner));
    Event { kind, payload: map }
}
