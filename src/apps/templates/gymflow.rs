//! GymFlow, gym software from the UK: camelCase bodies with the type in
//! `type` and the record under `data`, mobiles written `07400 123456`, ISO
//! dates.

use serde_json::{json, Value};

use super::FieldKind::{Date, Email, List, Phone, Text};
use super::{field, hmac, Encoding, Event, EventTypeSource, FieldInfo, Signing};

pub fn template() -> (EventTypeSource, Signing, Vec<Event>) {
    (
        EventTypeSource::BodyField("type".into()),
        hmac("X-GymFlow-Signature", Encoding::Hex, "sha256="),
        vec![
            contact_created(),
            contact_updated(),
            tag_changed(
                "tag.added",
                "A tag is added to a contact",
                &["member", "trial"],
            ),
            tag_changed(
                "tag.removed",
                "A tag is removed from a contact",
                &["member"],
            ),
            task_created(),
            note_created(),
        ],
    )
}

fn envelope(kind: &str, data: Value) -> Value {
    json!({
        "id": "evt_01HXR3K8Q2M7",
        "type": kind,
        "createdAt": "2026-05-14T09:12:44.512Z",
        "gym": {"id": "gym_3kd9f2", "name": "Northside Strength"},
        "data": data,
    })
}

fn envelope_fields() -> Vec<FieldInfo> {
    vec![
        field("id", "Event ID", Text),
        field("type", "Event type", Text),
        field("createdAt", "Sent at", Date),
        field("gym.id", "Gym ID", Text),
        field("gym.name", "Gym name", Text),
    ]
}

fn contact(status: &str, plan: &str, tags: &[&str]) -> Value {
    json!({
        "id": "con_8fK2pQwZ",
        "firstName": "Amelia",
        "lastName": "Hughes",
        "email": "amelia.hughes@example.co.uk",
        "phone": "07400 123456",
        "dateOfBirth": "1994-08-02",
        "membershipStatus": status,
        "plan": plan,
        "joinedOn": "2026-05-14",
        "address": {
            "line1": "14 Mill Lane",
            "city": "Manchester",
            "postcode": "M1 4BT",
            "country": "GB"
        },
        "tags": tags
    })
}

fn contact_fields() -> Vec<FieldInfo> {
    vec![
        field("data.contact.id", "Contact ID", Text),
        field("data.contact.firstName", "First name", Text),
        field("data.contact.lastName", "Last name", Text),
        field("data.contact.email", "Email", Email),
        field("data.contact.phone", "Phone", Phone),
        field("data.contact.dateOfBirth", "Date of birth", Date),
        field("data.contact.membershipStatus", "Membership status", Text),
        field("data.contact.plan", "Plan", Text),
        field("data.contact.joinedOn", "Joined on", Date),
        field("data.contact.address.line1", "Address", Text),
        field("data.contact.address.city", "Town or city", Text),
        field("data.contact.address.postcode", "Postcode", Text),
        field("data.contact.address.country", "Country", Text),
        field("data.contact.tags[]", "Tags", List),
    ]
}

/// The contact named by a tag, task or note event.
fn contact_ref(tags: Option<&[&str]>) -> Value {
    let mut contact = json!({
        "id": "con_8fK2pQwZ",
        "firstName": "Amelia",
        "lastName": "Hughes",
        "email": "amelia.hughes@example.co.uk",
        "phone": "07400 123456"
    });
    if let (Some(contact), Some(tags)) = (contact.as_object_mut(), tags) {
        contact.insert("tags".into(), json!(tags));
    }
    contact
}

fn contact_ref_fields() -> Vec<FieldInfo> {
    vec![
        field("data.contact.id", "Contact ID", Text),
        field("data.contact.firstName", "First name", Text),
        field("data.contact.lastName", "Last name", Text),
        field("data.contact.email", "Email", Email),
        field("data.contact.phone", "Phone", Phone),
    ]
}

fn person_mapping() -> Vec<(&'static str, &'static str)> {
    vec![
        ("contact.firstName", "{{ data.contact.firstName | trim }}"),
        ("contact.lastName", "{{ data.contact.lastName | trim }}"),
        ("contact.email", "{{ data.contact.email | trim | lower }}"),
        ("contact.phone", r#"{{ data.contact.phone | e164("GB") }}"#),
    ]
}

fn contact_mapping() -> Vec<(&'static str, &'static str)> {
    let mut mapping = person_mapping();
    mapping.extend([
        ("contact.dateOfBirth", "{{ data.contact.dateOfBirth }}"),
        ("contact.address1", "{{ data.contact.address.line1 }}"),
        ("contact.city", "{{ data.contact.address.city }}"),
        ("contact.postalCode", "{{ data.contact.address.postcode }}"),
        ("contact.country", "{{ data.contact.address.country }}"),
        ("contact.tags", r#"{{ data.contact.tags | join(",") }}"#),
        ("contact.source", "GymFlow"),
    ]);
    mapping
}

fn contact_created() -> Event {
    let mut fields = envelope_fields();
    fields.extend(contact_fields());
    Event {
        key: "contact.created",
        label: "A contact is added",
        sample: envelope(
            "contact.created",
            json!({"contact": contact("trial", "Trial", &["trial"])}),
        ),
        fields,
        mapping: contact_mapping(),
    }
}

fn contact_updated() -> Event {
    let mut fields = envelope_fields();
    fields.extend(contact_fields());
    fields.extend([
        field(
            "data.previousAttributes.membershipStatus",
            "Previous membership status",
            Text,
        ),
        field("data.previousAttributes.plan", "Previous plan", Text),
    ]);
    Event {
        key: "contact.updated",
        label: "A contact's details change",
        sample: envelope(
            "contact.updated",
            json!({
                "contact": contact("active", "Off-Peak", &["member"]),
                "previousAttributes": {"membershipStatus": "trial", "plan": "Trial"}
            }),
        ),
        fields,
        mapping: contact_mapping(),
    }
}

/// `tags` are the contact's tags once the change is made.
fn tag_changed(key: &'static str, label: &'static str, tags: &[&str]) -> Event {
    let mut fields = envelope_fields();
    fields.extend(contact_ref_fields());
    fields.extend([
        field("data.contact.tags[]", "Tags", List),
        field("data.tag.id", "Tag ID", Text),
        field("data.tag.name", "Tag", Text),
    ]);
    let mut mapping = person_mapping();
    mapping.push(("contact.tags", r#"{{ data.contact.tags | join(",") }}"#));
    Event {
        key,
        label,
        sample: envelope(
            key,
            json!({
                "contact": contact_ref(Some(tags)),
                "tag": {"id": "tag_trial", "name": "trial"}
            }),
        ),
        fields,
        mapping,
    }
}

fn task_created() -> Event {
    let mut fields = envelope_fields();
    fields.extend(contact_ref_fields());
    fields.extend([
        field("data.task.id", "Task ID", Text),
        field("data.task.title", "Task title", Text),
        field("data.task.description", "Task description", Text),
        field("data.task.dueAt", "Due", Date),
        field("data.task.assignee.id", "Assignee ID", Text),
        field("data.task.assignee.name", "Assignee", Text),
    ]);
    let mut mapping = person_mapping();
    mapping.extend([
        ("task.title", "{{ data.task.title }}"),
        ("task.body", "{{ data.task.description }}"),
        ("task.dueDate", "{{ data.task.dueAt }}"),
    ]);
    Event {
        key: "task.created",
        label: "A task is created for a contact",
        sample: envelope(
            "task.created",
            json!({
                "task": {
                    "id": "tsk_5Rw1mN",
                    "title": "Book induction",
                    "description": "New member: book the gym floor induction this week.",
                    "dueAt": "2026-05-21T10:00:00.000Z",
                    "assignee": {"id": "stf_2Lp9", "name": "Tom Archer"}
                },
                "contact": contact_ref(None)
            }),
        ),
        fields,
        mapping,
    }
}

fn note_created() -> Event {
    let mut fields = envelope_fields();
    fields.extend(contact_ref_fields());
    fields.extend([
        field("data.note.id", "Note ID", Text),
        field("data.note.content", "Note", Text),
        field("data.note.author.id", "Author ID", Text),
        field("data.note.author.name", "Author", Text),
        field("data.note.createdAt", "Written at", Date),
    ]);
    let mut mapping = person_mapping();
    mapping.push(("note.body", "{{ data.note.content }}"));
    Event {
        key: "note.created",
        label: "A note is added to a contact",
        sample: envelope(
            "note.created",
            json!({
                "note": {
                    "id": "nte_9Qd3",
                    "content": "Wants to move to the off-peak plan after the trial.",
                    "author": {"id": "stf_2Lp9", "name": "Tom Archer"},
                    "createdAt": "2026-05-14T09:11:02.118Z"
                },
                "contact": contact_ref(None)
            }),
        ),
        fields,
        mapping,
    }
}
