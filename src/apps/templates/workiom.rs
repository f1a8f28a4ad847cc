//! Workiom, a no-code database: a record of one of the gym's lists
//! (Contacts, Tasks, Notes, Businesses) with its `fields` named as the gym
//! named its columns, the type in `eventType`.

use serde_json::{json, Value};

use super::FieldKind::{Date, Email, List, Number, Phone, Text};
use super::{field, Event, EventTypeSource, FieldInfo, FieldKind, Signing};

pub fn template() -> (EventTypeSource, Signing, Vec<Event>) {
    (
        EventTypeSource::BodyField("eventType".into()),
        Signing::SecretHeader {
            header: "X-Workiom-Token".into(),
        },
        vec![
            contact_created(),
            contact_updated(),
            task_created(),
            note_created(),
            business_created(),
        ],
    )
}

/// A record of list `list` with `fields`.
fn record(event: &str, list: (u64, &str), record_id: u64, fields: Value) -> Value {
    json!({
        "eventType": event,
        "eventId": "wk-3f9a61c2-7d0e-4b8a-9e15-64b2d0c8a7f3",
        "occurredAt": "2026-05-14T05:12:44Z",
        "appId": 2207,
        "listId": list.0,
        "listName": list.1,
        "recordId": record_id,
        "fields": fields,
    })
}

fn record_fields() -> Vec<FieldInfo> {
    vec![
        field("eventType", "Event type", Text),
        field("eventId", "Event ID", Text),
        field("occurredAt", "Happened at", Date),
        field("appId", "App ID", Number),
        field("listId", "List ID", Number),
        field("listName", "List", Text),
        field("recordId", "Record ID", Number),
    ]
}

/// A column of the record: `fields.<name>`, labelled with its name.
fn column(name: &str, kind: FieldKind) -> FieldInfo {
    let path = if kind == List {
        format!("fields.{name}[]")
    } else {
        format!("fields.{name}")
    };
    field(&path, name, kind)
}

fn contact_fields() -> Value {
    json!({
        "First Name": "Omar",
        "Last Name": "Haddad",
        "Email": "omar.haddad@example.com",
        "Phone": "+971 50 123 4567",
        "Birthday": "1990-11-05",
        "Company": "Gulf Freight LLC",
        "Status": "Lead",
        "Tags": ["Personal training"]
    })
}

fn contact_columns() -> Vec<FieldInfo> {
    vec![
        column("First Name", Text),
        column("Last Name", Text),
        column("Email", Email),
        column("Phone", Phone),
        column("Birthday", Date),
        column("Company", Text),
        column("Status", Text),
        column("Tags", List),
    ]
}

fn contact_mapping() -> Vec<(&'static str, &'static str)> {
    vec![
        ("contact.firstName", r#"{{ fields["First Name"] | trim }}"#),
        ("contact.lastName", r#"{{ fields["Last Name"] | trim }}"#),
        ("contact.email", r#"{{ fields["Email"] | trim | lower }}"#),
        ("contact.phone", r#"{{ fields["Phone"] | e164 }}"#),
        ("contact.dateOfBirth", r#"{{ fields["Birthday"] }}"#),
        ("contact.companyName", r#"{{ fields["Company"] }}"#),
        ("contact.tags", r#"{{ fields["Tags"] | join(",") }}"#),
        ("contact.source", "Workiom"),
    ]
}

/// The contact a task or note record links to, by name and email.
fn linked_contact_mapping() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "contact.firstName",
            r#"{{ fields["Contact Name"] | first_name }}"#,
        ),
        (
            "contact.lastName",
            r#"{{ fields["Contact Name"] | last_name }}"#,
        ),
        (
            "contact.email",
            r#"{{ fields["Contact Email"] | trim | lower }}"#,
        ),
    ]
}

const CONTACTS: (u64, &str) = (11873, "Contacts");

fn contact_created() -> Event {
    let mut fields = record_fields();
    fields.extend(contact_columns());
    Event {
        key: "contact.created",
        label: "A record is added to Contacts",
        sample: record("contact.created", CONTACTS, 904512, contact_fields()),
        fields,
        mapping: contact_mapping(),
    }
}

fn contact_updated() -> Event {
    let mut sample = record("contact.updated", CONTACTS, 904512, contact_fields());
    if let Some(body) = sample.as_object_mut() {
        body.insert("changedFields".into(), json!(["Status"]));
    }
    let mut fields = record_fields();
    fields.extend(contact_columns());
    fields.push(field("changedFields[]", "Changed columns", List));
    Event {
        key: "contact.updated",
        label: "A record in Contacts changes",
        sample,
        fields,
        mapping: contact_mapping(),
    }
}

fn task_created() -> Event {
    let mut fields = record_fields();
    fields.extend([
        column("Title", Text),
        column("Description", Text),
        column("Due Date", Date),
        column("Assigned To", Text),
        column("Contact Name", Text),
        column("Contact Email", Email),
    ]);
    let mut mapping = linked_contact_mapping();
    mapping.extend([
        ("task.title", r#"{{ fields["Title"] }}"#),
        ("task.body", r#"{{ fields["Description"] }}"#),
        ("task.dueDate", r#"{{ fields["Due Date"] }}"#),
    ]);
    Event {
        key: "task.created",
        label: "A record is added to Tasks",
        sample: record(
            "task.created",
            (11874, "Tasks"),
            331209,
            json!({
                "Title": "Send corporate membership offer",
                "Description": "Omar asked about rates for his team of twelve.",
                "Due Date": "2026-05-21",
                "Assigned To": "Layla Hassan",
                "Contact Name": "Omar Haddad",
                "Contact Email": "omar.haddad@example.com"
            }),
        ),
        fields,
        mapping,
    }
}

fn note_created() -> Event {
    let mut fields = record_fields();
    fields.extend([
        column("Note", Text),
        column("Created By", Text),
        column("Contact Name", Text),
        column("Contact Email", Email),
    ]);
    let mut mapping = linked_contact_mapping();
    mapping.push(("note.body", r#"{{ fields["Note"] }}"#));
    Event {
        key: "note.created",
        label: "A record is added to Notes",
        sample: record(
            "note.created",
            (11875, "Notes"),
            512877,
            json!({
                "Note": "Toured the gym on Saturday; liked the women-only hours.",
                "Created By": "Layla Hassan",
                "Contact Name": "Omar Haddad",
                "Contact Email": "omar.haddad@example.com"
            }),
        ),
        fields,
        mapping,
    }
}

fn business_created() -> Event {
    let mut fields = record_fields();
    fields.extend([
        column("Business Name", Text),
        column("Email", Email),
        column("Phone", Phone),
        column("Website", Text),
        column("Address", Text),
        column("City", Text),
        column("Country", Text),
    ]);
    Event {
        key: "business.created",
        label: "A record is added to Businesses",
        sample: record(
            "business.created",
            (11876, "Businesses"),
            78120,
            json!({
                "Business Name": "Gulf Freight LLC",
                "Email": "hr@gulffreight.example.com",
                "Phone": "+971 4 321 7788",
                "Website": "https://gulffreight.example.com",
                "Address": "Office 1204, Bay Square 3",
                "City": "Dubai",
                "Country": "AE"
            }),
        ),
        fields,
        mapping: vec![
            ("contact.companyName", r#"{{ fields["Business Name"] }}"#),
            ("contact.email", r#"{{ fields["Email"] | trim | lower }}"#),
            ("contact.phone", r#"{{ fields["Phone"] | e164 }}"#),
            ("contact.address1", r#"{{ fields["Address"] }}"#),
            ("contact.city", r#"{{ fields["City"] }}"#),
            ("contact.country", r#"{{ fields["Country"] }}"#),
            ("contact.source", "Workiom"),
        ],
    }
}
