//! Any app that can post a webhook: a small body about one person that the
//! user reshapes to whatever their app sends, the type in `type`.

use serde_json::json;

use super::FieldKind::{Date, Email, List, Phone, Text};
use super::{field, hmac, Encoding, Event, EventTypeSource, Signing};

pub fn template() -> (EventTypeSource, Signing, Vec<Event>) {
    (
        EventTypeSource::BodyField("type".into()),
        hmac("X-Signature", Encoding::Hex, "sha256="),
        vec![event()],
    )
}

fn event() -> Event {
    Event {
        key: "event",
        label: "Something happens in your app",
        sample: json!({
            "type": "event",
            "id": "evt_1042",
            "occurredAt": "2026-05-14T09:12:44Z",
            "contact": {
                "firstName": "Ava",
                "lastName": "Wilson",
                "email": "ava.wilson@example.com",
                "phone": "+1 512 555 0142",
                "tags": ["webhook"]
            },
            "message": "Booked a free trial class for Saturday."
        }),
        fields: vec![
            field("type", "Event type", Text),
            field("id", "Event ID", Text),
            field("occurredAt", "Happened at", Date),
            field("contact.firstName", "First name", Text),
            field("contact.lastName", "Last name", Text),
            field("contact.email", "Email", Email),
            field("contact.phone", "Phone", Phone),
            field("contact.tags[]", "Tags", List),
            field("message", "Message", Text),
        ],
        mapping: vec![
            ("contact.firstName", "{{ contact.firstName | trim }}"),
            ("contact.lastName", "{{ contact.lastName | trim }}"),
            ("contact.email", "{{ contact.email | trim | lower }}"),
            ("contact.phone", "{{ contact.phone | e164 }}"),
            ("contact.tags", r#"{{ contact.tags | join(",") }}"#),
            ("note.body", "{{ message }}"),
        ],
    }
}
