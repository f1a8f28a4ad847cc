//! Clubworx, member management for martial arts and fitness clubs in
//! Australia: snake_case bodies with the type in `event`, mobiles written
//! `0412 345 678`, task due dates `DD/MM/YYYY`.

use serde_json::{json, Value};

use super::FieldKind::{Date, Email, List, Number, Phone, Text};
use super::{field, hmac, Encoding, Event, EventTypeSource, FieldInfo, Signing};

pub fn template() -> (EventTypeSource, Signing, Vec<Event>) {
    (
        EventTypeSource::BodyField("event".into()),
        hmac("X-Clubworx-Signature", Encoding::Hex, ""),
        vec![
            member_created(),
            member_updated(),
            task_created(),
            note_added(),
            signup_created(),
        ],
    )
}

fn envelope(event: &str, data: Value) -> Value {
    json!({
        "event": event,
        "event_id": "evt_7Hq2Lm9xKpR4",
        "created_at": "2026-05-14T09:12:44+10:00",
        "account": {"id": 4821, "name": "Bayside Martial Arts"},
        "data": data,
    })
}

fn envelope_fields() -> Vec<FieldInfo> {
    vec![
        field("event", "Event type", Text),
        field("event_id", "Event ID", Text),
        field("created_at", "Sent at", Date),
        field("account.id", "Club ID", Number),
        field("account.name", "Club name", Text),
    ]
}

fn member(status: &str) -> Value {
    json!({
        "id": 100234,
        "first_name": "Chloe",
        "last_name": "Nguyen",
        "name": "Chloe Nguyen",
        "email": "chloe.nguyen@example.com",
        "mobile": "0412 345 678",
        "date_of_birth": "1991-03-27",
        "status": status,
        "membership_type": "Unlimited Adult",
        "address": {
            "street": "12 Beach Road",
            "suburb": "Brighton",
            "state": "VIC",
            "postcode": "3186",
            "country": "Australia"
        },
        "tags": ["BJJ", "Newsletter"]
    })
}

fn member_fields() -> Vec<FieldInfo> {
    vec![
        field("data.member.id", "Member ID", Number),
        field("data.member.first_name", "First name", Text),
        field("data.member.last_name", "Last name", Text),
        field("data.member.name", "Full name", Text),
        field("data.member.email", "Email", Email),
        field("data.member.mobile", "Mobile", Phone),
        field("data.member.date_of_birth", "Date of birth", Date),
        field("data.member.status", "Status", Text),
        field("data.member.membership_type", "Membership type", Text),
        field("data.member.address.street", "Street", Text),
        field("data.member.address.suburb", "Suburb", Text),
        field("data.member.address.state", "State", Text),
        field("data.member.address.postcode", "Postcode", Text),
        field("data.member.address.country", "Country", Text),
        field("data.member.tags[]", "Tags", List),
    ]
}

/// The member named by a task or a note.
fn member_ref() -> Value {
    json!({
        "id": 100234,
        "first_name": "Chloe",
        "last_name": "Nguyen",
        "email": "chloe.nguyen@example.com",
        "mobile": "0412 345 678"
    })
}

fn member_ref_fields() -> Vec<FieldInfo> {
    vec![
        field("data.member.id", "Member ID", Number),
        field("data.member.first_name", "First name", Text),
        field("data.member.last_name", "Last name", Text),
        field("data.member.email", "Email", Email),
        field("data.member.mobile", "Mobile", Phone),
    ]
}

fn person_mapping() -> Vec<(&'static str, &'static str)> {
    vec![
        ("contact.firstName", "{{ data.member.first_name | trim }}"),
        ("contact.lastName", "{{ data.member.last_name | trim }}"),
        ("contact.email", "{{ data.member.email | trim | lower }}"),
        ("contact.phone", r#"{{ data.member.mobile | e164("AU") }}"#),
    ]
}

fn member_mapping() -> Vec<(&'static str, &'static str)> {
    let mut mapping = person_mapping();
    mapping.extend([
        ("contact.dateOfBirth", "{{ data.member.date_of_birth }}"),
        ("contact.address1", "{{ data.member.address.street }}"),
        ("contact.city", "{{ data.member.address.suburb }}"),
        ("contact.state", "{{ data.member.address.state }}"),
        ("contact.postalCode", "{{ data.member.address.postcode }}"),
        (
            "contact.country",
            r#"{{ data.member.address.country | lookup({"Australia": "AU", "New Zealand": "NZ"}) }}"#,
        ),
        ("contact.tags", r#"{{ data.member.tags | join(",") }}"#),
        ("contact.source", "Clubworx"),
    ]);
    mapping
}

fn member_created() -> Event {
    let mut fields = envelope_fields();
    fields.extend(member_fields());
    Event {
        key: "member.created",
        label: "A member is added",
        sample: envelope("member.created", json!({"member": member("Active")})),
        fields,
        mapping: member_mapping(),
    }
}

fn member_updated() -> Event {
    let mut fields = envelope_fields();
    fields.extend(member_fields());
    fields.push(field("data.changes[]", "Changed fields", List));
    Event {
        key: "member.updated",
        label: "A member's details change",
        sample: envelope(
            "member.updated",
            json!({"member": member("Suspended"), "changes": ["status", "membership_type"]}),
        ),
        fields,
        mapping: member_mapping(),
    }
}

fn task_created() -> Event {
    let mut fields = envelope_fields();
    fields.extend(member_ref_fields());
    fields.extend([
        field("data.task.id", "Task ID", Number),
        field("data.task.title", "Task title", Text),
        field("data.task.description", "Task description", Text),
        field("data.task.due_date", "Due date", Date),
        field("data.task.assigned_to.id", "Assigned staff ID", Number),
        field("data.task.assigned_to.name", "Assigned staff name", Text),
    ]);
    let mut mapping = person_mapping();
    mapping.extend([
        ("task.title", "{{ data.task.title }}"),
        ("task.body", "{{ data.task.description }}"),
        (
            "task.dueDate",
            r#"{{ data.task.due_date | date(from="%d/%m/%Y") }}"#,
        ),
    ]);
    Event {
        key: "task.created",
        label: "A task is created for a member",
        sample: envelope(
            "task.created",
            json!({
                "task": {
                    "id": 55871,
                    "title": "Follow up after trial class",
                    "description": "Ask how the first class went and offer the intro pack.",
                    "due_date": "21/05/2026",
                    "assigned_to": {"id": 312, "name": "Jordan Blake"}
                },
                "member": member_ref()
            }),
        ),
        fields,
        mapping,
    }
}

fn note_added() -> Event {
    let mut fields = envelope_fields();
    fields.extend(member_ref_fields());
    fields.extend([
        field("data.note.id", "Note ID", Number),
        field("data.note.body", "Note", Text),
        field("data.note.author.id", "Author ID", Number),
        field("data.note.author.name", "Author", Text),
        field("data.note.created_at", "Written at", Date),
    ]);
    let mut mapping = person_mapping();
    mapping.push(("note.body", "{{ data.note.body }}"));
    Event {
        key: "note.added",
        label: "A note is added to a member",
        sample: envelope(
            "note.added",
            json!({
                "note": {
                    "id": 90412,
                    "body": "Recovering from a shoulder injury; no sparring until June.",
                    "author": {"id": 312, "name": "Jordan Blake"},
                    "created_at": "2026-05-14T09:10:02+10:00"
                },
                "member": member_ref()
            }),
        ),
        fields,
        mapping,
    }
}

fn signup_created() -> Event {
    let mut fields = envelope_fields();
    fields.extend(member_fields());
    fields.extend([
        field("data.signup.id", "Sign-up ID", Number),
        field("data.signup.form_name", "Form", Text),
        field("data.signup.source", "Source", Text),
        field("data.signup.submitted_at", "Submitted at", Date),
    ]);
    let mut mapping = member_mapping();
    mapping.retain(|(target, _)| *target != "contact.source");
    mapping.push(("contact.source", "Clubworx {{ data.signup.form_name }}"));
    Event {
        key: "signup.created",
        label: "Someone signs up through a web form",
        sample: envelope(
            "signup.created",
            json!({
                "signup": {
                    "id": 7731,
                    "form_name": "Free Trial Class",
                    "source": "Website",
                    "submitted_at": "2026-05-14T09:12:40+10:00"
                },
                "member": member("Prospect")
            }),
        ),
        fields,
        mapping,
    }
}
