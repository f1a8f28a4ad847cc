//! The JSON shapes the API returns, one function per schema of the official
//! documents. Absent values are left out rather than sent as `null`, because
//! the schemas type them as plain strings.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use super::store::{Appointment, Business, Calendar, Contact, CustomField, Note, Task, User};

pub fn iso(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn put(map: &mut Map<String, Value>, key: &str, value: Option<&String>) {
    if let Some(value) = value {
        map.insert(key.into(), Value::String(value.clone()));
    }
}

fn lower(value: Option<&String>) -> Option<String> {
    value.map(|text| text.to_lowercase())
}

fn custom_fields(contact: &Contact) -> Value {
    contact
        .custom_fields
        .iter()
        .map(|(id, value)| json!({"id": id, "value": value}))
        .collect()
}

fn dnd_settings(contact: &Contact) -> Value {
    let mut settings = Map::new();
    for channel in &contact.dnd_settings {
        settings.insert(
            channel.channel.clone(),
            json!({"status": channel.status, "message": channel.message, "code": channel.code}),
        );
    }
    Value::Object(settings)
}

/// Fields every contact shape shares.
fn contact_core(contact: &Contact) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("id".into(), json!(contact.id));
    map.insert("locationId".into(), json!(contact.location_id));
    put(&mut map, "firstName", contact.first_name.as_ref());
    put(&mut map, "lastName", contact.last_name.as_ref());
    put(
        &mut map,
        "firstNameLowerCase",
        lower(contact.first_name.as_ref()).as_ref(),
    );
    put(
        &mut map,
        "lastNameLowerCase",
        lower(contact.last_name.as_ref()).as_ref(),
    );
    put(&mut map, "email", contact.email.as_ref());
    put(&mut map, "phone", contact.phone.as_ref());
    put(&mut map, "companyName", contact.company_name.as_ref());
    put(&mut map, "address1", contact.address1.as_ref());
    put(&mut map, "city", contact.city.as_ref());
    put(&mut map, "state", contact.state.as_ref());
    put(&mut map, "country", contact.country.as_ref());
    put(&mut map, "postalCode", contact.postal_code.as_ref());
    put(&mut map, "website", contact.website.as_ref());
    put(&mut map, "timezone", contact.timezone.as_ref());
    put(&mut map, "source", contact.source.as_ref());
    put(&mut map, "assignedTo", contact.assigned_to.as_ref());
    put(&mut map, "businessId", contact.business_id.as_ref());
    put(
        &mut map,
        "dateOfBirth",
        contact.date_of_birth.as_ref().map(iso).as_ref(),
    );
    map.insert("type".into(), json!(contact.contact_type));
    map.insert("dnd".into(), json!(contact.dnd));
    map.insert("dndSettings".into(), dnd_settings(contact));
    map.insert("tags".into(), json!(contact.tags));
    map.insert("customFields".into(), custom_fields(contact));
    map.insert("dateAdded".into(), json!(iso(&contact.date_added)));
    map.insert("dateUpdated".into(), json!(iso(&contact.date_updated)));
    map
}

/// `GetContectByIdSchema` (sic): GET, PUT and upsert of one contact.
pub fn contact(contact: &Contact) -> Value {
    let mut map = contact_core(contact);
    put(&mut map, "name", contact.full_name().as_ref());
    put(
        &mut map,
        "fullNameLowerCase",
        lower(contact.full_name().as_ref()).as_ref(),
    );
    put(
        &mut map,
        "emailLowerCase",
        lower(contact.email.as_ref()).as_ref(),
    );
    if let Some(url) = &contact.attribution_url {
        map.insert(
            "attributionSource".into(),
            json!({"url": url, "medium": "form"}),
        );
    }
    map.insert("followers".into(), json!(contact.followers));
    Value::Object(map)
}

/// `CreateContactSchema`: the answer of POST /contacts/.
pub fn created_contact(contact: &Contact) -> Value {
    let mut map = contact_core(contact);
    put(
        &mut map,
        "fullNameLowerCase",
        lower(contact.full_name().as_ref()).as_ref(),
    );
    put(
        &mut map,
        "emailLowerCase",
        lower(contact.email.as_ref()).as_ref(),
    );
    map.insert("deleted".into(), json!(false));
    map.insert("bounceEmail".into(), json!(false));
    map.insert("unsubscribeEmail".into(), json!(false));
    if let Some(birthday) = contact.date_of_birth {
        use chrono::Datelike;
        map.insert("birthMonth".into(), json!(birthday.month()));
        map.insert("birthDay".into(), json!(birthday.day()));
    }
    Value::Object(map)
}

/// `ContactsSearchSchema`, with the further fields real list answers carry.
pub fn listed_contact(contact: &Contact) -> Value {
    let mut map = contact_core(contact);
    put(
        &mut map,
        "contactName",
        contact.full_name().map(|n| n.to_lowercase()).as_ref(),
    );
    map.insert("followers".into(), json!(contact.followers));
    let attributions: Vec<Value> = contact
        .attribution_url
        .iter()
        .map(|url| json!({"url": url, "medium": "form"}))
        .collect();
    map.insert("attributions".into(), Value::Array(attributions));
    Value::Object(map)
}

/// `Contact` of the search answer (spec commit 83fb797), with its cursor.
pub fn searched_contact(contact: &Contact, search_after: Value) -> Value {
    let mut map = contact_core(contact);
    map.insert("followers".into(), json!(contact.followers));
    map.insert("additionalEmails".into(), json!([]));
    map.insert("additionalPhones".into(), json!([]));
    map.insert("opportunities".into(), json!([]));
    map.insert("searchAfter".into(), search_after);
    Value::Object(map)
}

/// `TaskSchema`.
pub fn task(task: &Task) -> Value {
    let mut map = Map::new();
    map.insert("id".into(), json!(task.id));
    map.insert("title".into(), json!(task.title));
    put(&mut map, "body", task.body.as_ref());
    put(&mut map, "assignedTo", task.assigned_to.as_ref());
    map.insert("dueDate".into(), json!(iso(&task.due_date)));
    map.insert("completed".into(), json!(task.completed));
    map.insert("contactId".into(), json!(task.contact_id));
    Value::Object(map)
}

/// A task of the location-wide task search, with the contact's details.
pub fn searched_task(task: &Task, contact: &Contact) -> Value {
    let mut value = self::task(task);
    if let Value::Object(map) = &mut value {
        map.insert("dateAdded".into(), json!(iso(&task.date_added)));
        map.insert("locationId".into(), json!(contact.location_id));
        let mut details = Map::new();
        details.insert("id".into(), json!(contact.id));
        put(&mut details, "firstName", contact.first_name.as_ref());
        put(&mut details, "lastName", contact.last_name.as_ref());
        put(&mut details, "email", contact.email.as_ref());
        details.insert("tags".into(), json!(contact.tags));
        map.insert("contactDetails".into(), Value::Object(details));
    }
    value
}

/// `GetNoteSchema`.
pub fn note(note: &Note) -> Value {
    let mut map = Map::new();
    map.insert("id".into(), json!(note.id));
    map.insert("body".into(), json!(note.body));
    put(&mut map, "userId", note.user_id.as_ref());
    map.insert("dateAdded".into(), json!(iso(&note.date_added)));
    map.insert("contactId".into(), json!(note.contact_id));
    put(&mut map, "title", note.title.as_ref());
    put(&mut map, "color", note.color.as_ref());
    map.insert("pinned".into(), json!(note.pinned));
    Value::Object(map)
}

/// `GetEventSchema`: appointments of a contact, with the space-separated
/// time format of the spec's example.
pub fn contact_appointment(appointment: &Appointment) -> Value {
    let plain = |time: &DateTime<Utc>| time.format("%Y-%m-%d %H:%M:%S").to_string();
    let mut map = Map::new();
    map.insert("id".into(), json!(appointment.id));
    map.insert("calendarId".into(), json!(appointment.calendar_id));
    map.insert("status".into(), json!(appointment.status));
    map.insert("title".into(), json!(appointment.title));
    map.insert("assignedUserId".into(), json!(appointment.assigned_user_id));
    put(&mut map, "notes", appointment.notes.as_ref());
    map.insert("startTime".into(), json!(plain(&appointment.start_time)));
    map.insert("endTime".into(), json!(plain(&appointment.end_time)));
    put(&mut map, "address", appointment.address.as_ref());
    map.insert("locationId".into(), json!(appointment.location_id));
    map.insert("contactId".into(), json!(appointment.contact_id));
    map.insert("groupId".into(), json!(appointment.group_id));
    map.insert("appointmentStatus".into(), json!(appointment.status));
    map.insert("users".into(), json!([appointment.assigned_user_id]));
    map.insert("dateAdded".into(), json!(iso(&appointment.date_added)));
    map.insert("dateUpdated".into(), json!(iso(&appointment.date_updated)));
    map.insert("assignedResources".into(), json!([]));
    Value::Object(map)
}

/// `CalendarEventDTO`: ISO-8601 times with an offset.
pub fn calendar_event(appointment: &Appointment) -> Value {
    let mut map = Map::new();
    map.insert("id".into(), json!(appointment.id));
    put(&mut map, "address", appointment.address.as_ref());
    map.insert("title".into(), json!(appointment.title));
    map.insert("calendarId".into(), json!(appointment.calendar_id));
    map.insert("locationId".into(), json!(appointment.location_id));
    map.insert("contactId".into(), json!(appointment.contact_id));
    map.insert("groupId".into(), json!(appointment.group_id));
    map.insert("appointmentStatus".into(), json!(appointment.status));
    map.insert("assignedUserId".into(), json!(appointment.assigned_user_id));
    map.insert("users".into(), json!([appointment.assigned_user_id]));
    put(&mut map, "notes", appointment.notes.as_ref());
    map.insert("isRecurring".into(), json!(false));
    map.insert(
        "startTime".into(),
        json!(offset_iso(&appointment.start_time)),
    );
    map.insert("endTime".into(), json!(offset_iso(&appointment.end_time)));
    map.insert(
        "dateAdded".into(),
        json!(offset_iso(&appointment.date_added)),
    );
    map.insert(
        "dateUpdated".into(),
        json!(offset_iso(&appointment.date_updated)),
    );
    map.insert("assignedResources".into(), json!([]));
    map.insert(
        "createdBy".into(),
        json!({"userId": appointment.assigned_user_id, "source": "sandbox"}),
    );
    Value::Object(map)
}

/// `2023-09-25T16:00:00+00:00`: the form appointment times take in events
/// and webhooks.
pub fn offset_iso(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// `CalendarDTO`.
pub fn calendar(calendar: &Calendar, location_id: &str) -> Value {
    let members: Vec<Value> = calendar
        .team
        .iter()
        .map(|user| json!({"userId": user, "priority": 0.5, "meetingLocationType": "custom"}))
        .collect();
    json!({
        "id": calendar.id,
        "locationId": location_id,
        "groupId": calendar.group_id,
        "name": calendar.name,
        "description": calendar.description,
        "slug": calendar.name.to_lowercase().replace(' ', "-"),
        "widgetSlug": calendar.name.to_lowercase().replace(' ', "-"),
        "calendarType": "round_robin",
        "eventType": "RoundRobin_OptimizeForAvailability",
        "widgetType": "default",
        "eventTitle": "{{contact.name}}",
        "eventColor": "#039be5",
        "slotDuration": calendar.slot_minutes,
        "slotDurationUnit": "mins",
        "slotInterval": calendar.slot_minutes,
        "slotIntervalUnit": "mins",
        "teamMembers": members,
        "isActive": true,
        "autoConfirm": true,
        "allowReschedule": true,
        "allowCancellation": true,
    })
}

/// `UserSchema`.
pub fn user(user: &User, location_id: &str) -> Value {
    json!({
        "id": user.id,
        "name": format!("{} {}", user.first_name, user.last_name),
        "firstName": user.first_name,
        "lastName": user.last_name,
        "email": user.email,
        "phone": user.phone,
        "extension": "",
        "permissions": {"contactsEnabled": true, "appointmentsEnabled": true},
        "roles": {"type": "account", "role": user.role, "locationIds": [location_id], "restrictSubAccount": false},
        "deleted": false,
    })
}

/// `BusinessDto`.
pub fn business(business: &Business, location_id: &str) -> Value {
    json!({
        "id": business.id,
        "name": business.name,
        "phone": business.phone,
        "email": business.email,
        "website": business.website,
        "city": business.city,
        "locationId": location_id,
        "createdAt": iso(&business.created_at),
        "updatedAt": iso(&business.created_at),
    })
}

/// `CustomFieldSchema` of the locations document.
pub fn custom_field(field: &CustomField, location_id: &str, position: usize) -> Value {
    let mut value = json!({
        "id": field.id,
        "name": field.name,
        "fieldKey": format!("contact.{}", field.key),
        "placeholder": "",
        "dataType": field.data_type,
        "position": position * 50,
        "locationId": location_id,
        "model": "contact",
    });
    if !field.options.is_empty() {
        value["picklistOptions"] = json!(field.options);
    }
    value
}
