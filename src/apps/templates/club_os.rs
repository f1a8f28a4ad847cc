//! Club OS, the CRM of many US health clubs: camelCase bodies about one
//! member and their `homeClub`, the type in the `X-ClubOS-Event` header,
//! phones written `(512) 555-0142` and dates `MM/DD/YYYY`.

use serde_json::{json, Value};

use super::FieldKind::{Date, Email, List, Number, Phone, Text};
use super::{field, Event, EventTypeSource, FieldInfo, Signing};

pub fn template() -> (EventTypeSource, Signing, Vec<Event>) {
    (
        EventTypeSource::Header("X-ClubOS-Event".into()),
        Signing::SecretHeader {
            header: "X-ClubOS-Secret".into(),
        },
        vec![
            member_created(),
            member_updated(),
            member_tagged(),
            task_created(),
            note_created(),
        ],
    )
}

/// The parts every event has; `extra` adds the event's own.
fn envelope(member: Value, extra: Value) -> Value {
    let mut body = json!({
        "eventId": "5f1c2a9e-3b7d-4c1e-9a42-1d8e6f0b7c31",
        "sentAt": "2026-05-14T14:12:44Z",
        "homeClub": {
            "clubId": 2214,
            "clubName": "Riverside Fitness Club",
            "clubNumber": "0142",
            "phone": "(512) 555-0100",
            "city": "Austin",
            "state": "TX"
        },
        "member": member,
    });
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    body
}

fn envelope_fields() -> Vec<FieldInfo> {
    vec![
        field("eventId", "Event ID", Text),
        field("sentAt", "Sent at", Date),
        field("homeClub.clubId", "Club ID", Number),
        field("homeClub.clubName", "Club name", Text),
        field("homeClub.clubNumber", "Club number", Text),
        field("homeClub.phone", "Club phone", Phone),
        field("homeClub.city", "Club city", Text),
        field("homeClub.state", "Club state", Text),
    ]
}

fn member(status: &str, tags: &[&str]) -> Value {
    json!({
        "memberId": 8812345,
        "firstName": "Marcus",
        "lastName": "Reed",
        "email": "marcus.reed@example.com",
        "mobilePhone": "(512) 555-0142",
        "birthDate": "03/27/1991",
        "memberStatus": status,
        "agreementType": "Month-to-Month",
        "memberSince": "05/14/2026",
        "address": {
            "address1": "4200 N Lamar Blvd",
            "city": "Austin",
            "state": "TX",
            "zip": "78756",
            "country": "US"
        },
        "tags": tags
    })
}

fn member_fields() -> Vec<FieldInfo> {
    vec![
        field("member.memberId", "Member ID", Number),
        field("member.firstName", "First name", Text),
        field("member.lastName", "Last name", Text),
        field("member.email", "Email", Email),
        field("member.mobilePhone", "Mobile phone", Phone),
        field("member.birthDate", "Birth date", Date),
        field("member.memberStatus", "Member status", Text),
        field("member.agreementType", "Agreement type", Text),
        field("member.memberSince", "Member since", Date),
        field("member.address.address1", "Address", Text),
        field("member.address.city", "City", Text),
        field("member.address.state", "State", Text),
        field("member.address.zip", "ZIP code", Text),
        field("member.address.country", "Country", Text),
        field("member.tags[]", "Tags", List),
    ]
}

/// The member named by a task or a note.
fn member_ref() -> Value {
    json!({
        "memberId": 8812345,
        "firstName": "Marcus",
        "lastName": "Reed",
        "email": "marcus.reed@example.com",
        "mobilePhone": "(512) 555-0142"
    })
}

fn member_ref_fields() -> Vec<FieldInfo> {
    vec![
        field("member.memberId", "Member ID", Number),
        field("member.firstName", "First name", Text),
        field("member.lastName", "Last name", Text),
        field("member.email", "Email", Email),
        field("member.mobilePhone", "Mobile phone", Phone),
    ]
}

fn person_mapping() -> Vec<(&'static str, &'static str)> {
    vec![
        ("contact.firstName", "{{ member.firstName | trim }}"),
        ("contact.lastName", "{{ member.lastName | trim }}"),
        ("contact.email", "{{ member.email | trim | lower }}"),
        ("contact.phone", r#"{{ member.mobilePhone | e164("US") }}"#),
    ]
}

fn member_mapping() -> Vec<(&'static str, &'static str)> {
    let mut mapping = person_mapping();
    mapping.extend([
        (
            "contact.dateOfBirth",
            r#"{{ member.birthDate | date(from="%m/%d/%Y") }}"#,
        ),
        ("contact.address1", "{{ member.address.address1 }}"),
        ("contact.city", "{{ member.address.city }}"),
        ("contact.state", "{{ member.address.state }}"),
        ("contact.postalCode", "{{ member.address.zip }}"),
        ("contact.country", "{{ member.address.country }}"),
        ("contact.tags", r#"{{ member.tags | join(",") }}"#),
        ("contact.source", "Club OS"),
    ]);
    mapping
}

fn member_created() -> Event {
    let mut fields = envelope_fields();
    fields.extend(member_fields());
    Event {
        key: "member.created",
        label: "A member joins",
        sample: envelope(member("Active", &["Personal Training"]), json!({})),
        fields,
        mapping: member_mapping(),
    }
}

fn member_updated() -> Event {
    let mut fields = envelope_fields();
    fields.extend(member_fields());
    fields.push(field("changedFields[]", "Changed fields", List));
    Event {
        key: "member.updated",
        label: "A member's details change",
        sample: envelope(
            member("Frozen", &["Personal Training"]),
            json!({"changedFields": ["memberStatus"]}),
        ),
        fields,
        mapping: member_mapping(),
    }
}

fn member_tagged() -> Event {
    let mut fields = envelope_fields();
    fields.extend(member_fields());
    fields.extend([
        field("tag.tagId", "Tag ID", Number),
        field("tag.tagName", "Tag", Text),
    ]);
    Event {
        key: "member.tagged",
        label: "A member is tagged",
        sample: envelope(
            member("Active", &["Personal Training", "VIP"]),
            json!({"tag": {"tagId": 311, "tagName": "VIP"}}),
        ),
        fields,
        mapping: member_mapping(),
    }
}

fn task_created() -> Event {
    let mut fields = envelope_fields();
    fields.extend(member_ref_fields());
    fields.extend([
        field("task.taskId", "Task ID", Number),
        field("task.subject", "Subject", Text),
        field("task.notes", "Task notes", Text),
        field("task.dueDate", "Due date", Date),
        field("task.assignedEmployee.employeeId", "Employee ID", Number),
        field("task.assignedEmployee.name", "Employee", Text),
    ]);
    let mut mapping = person_mapping();
    mapping.extend([
        ("task.title", "{{ task.subject }}"),
        ("task.body", "{{ task.notes }}"),
        (
            "task.dueDate",
            r#"{{ task.dueDate | date(from="%m/%d/%Y") }}"#,
        ),
    ]);
    Event {
        key: "task.created",
        label: "A task is created for a member",
        sample: envelope(
            member_ref(),
            json!({
                "task": {
                    "taskId": 55120,
                    "subject": "Renewal call",
                    "notes": "Agreement ends next month; offer the annual rate.",
                    "dueDate": "05/21/2026",
                    "assignedEmployee": {"employeeId": 1203, "name": "Dana Brooks"}
                }
            }),
        ),
        fields,
        mapping,
    }
}

fn note_created() -> Event {
    let mut fields = envelope_fields();
    fields.extend(member_ref_fields());
    fields.extend([
        field("note.noteId", "Note ID", Number),
        field("note.text", "Note", Text),
        field("note.createdBy", "Written by", Text),
        field("note.createdAt", "Written at", Date),
    ]);
    let mut mapping = person_mapping();
    mapping.push(("note.body", "{{ note.text }}"));
    Event {
        key: "note.created",
        label: "A note is added to a member",
        sample: envelope(
            member_ref(),
            json!({
                "note": {
                    "noteId": 77012,
                    "text": "Prefers early morning sessions before work.",
                    "createdBy": "Dana Brooks",
                    "createdAt": "2026-05-14T14:10:31Z"
                }
            }),
        ),
        fields,
        mapping,
    }
}
