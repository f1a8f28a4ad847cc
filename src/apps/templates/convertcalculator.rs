//! ConvertCalculator, price calculators and quote forms on a gym's website:
//! one body per form submission with the visitor's contact details, every
//! answer and the total, the type in `event`.

use serde_json::{json, Value};

use super::FieldKind::{Date, Email, Number, Phone, Text};
use super::{field, hmac, Encoding, Event, EventTypeSource, FieldInfo, Signing};

pub fn template() -> (EventTypeSource, Signing, Vec<Event>) {
    (
        EventTypeSource::BodyField("event".into()),
        hmac("X-CC-Signature", Encoding::Base64, ""),
        vec![submission_created(), quote_accepted()],
    )
}

fn submission(event: &str) -> Value {
    json!({
        "event": event,
        "id": "sub_9Xk2Lq7Rt4",
        "createdAt": "2026-05-14T09:12:44Z",
        "calculator": {
            "id": "cc_4Fh8Tz",
            "name": "Membership price calculator",
            "url": "https://www.example.com/prices"
        },
        "contact": {
            "name": "Sofia Martinez",
            "email": "sofia.martinez@example.com",
            "phone": "+31 6 12345678"
        },
        "answers": [
            {"question": "Which membership?", "answer": "Unlimited"},
            {"question": "Sessions with a coach per month", "answer": "2"},
            {"question": "Start date", "answer": "2026-06-01"}
        ],
        "total": {"value": 89.0, "currency": "EUR", "formatted": "\u{20ac}89.00"}
    })
}

fn submission_fields() -> Vec<FieldInfo> {
    vec![
        field("event", "Event type", Text),
        field("id", "Submission ID", Text),
        field("createdAt", "Submitted at", Date),
        field("calculator.id", "Calculator ID", Text),
        field("calculator.name", "Calculator", Text),
        field("calculator.url", "Calculator page", Text),
        field("contact.name", "Name", Text),
        field("contact.email", "Email", Email),
        field("contact.phone", "Phone", Phone),
        field("answers[].question", "Question", Text),
        field("answers[].answer", "Answer", Text),
        field("total.value", "Total", Number),
        field("total.currency", "Currency", Text),
        field("total.formatted", "Total as shown", Text),
    ]
}

fn person_mapping() -> Vec<(&'static str, &'static str)> {
    vec![
        ("contact.firstName", "{{ contact.name | first_name }}"),
        ("contact.lastName", "{{ contact.name | last_name }}"),
        ("contact.email", "{{ contact.email | trim | lower }}"),
        ("contact.phone", "{{ contact.phone | e164 }}"),
        ("contact.source", "{{ calculator.name }}"),
    ]
}

fn submission_created() -> Event {
    let mut mapping = person_mapping();
    mapping.push((
        "note.body",
        r#"{{ calculator.name }}: {{ answers | map(attribute="answer") | join(", ") }} (total {{ total.formatted }})"#,
    ));
    Event {
        key: "submission.created",
        label: "Someone fills in a calculator",
        sample: submission("submission.created"),
        fields: submission_fields(),
        mapping,
    }
}

fn quote_accepted() -> Event {
    let mut sample = submission("quote.accepted");
    if let Some(body) = sample.as_object_mut() {
        body.insert(
            "quote".into(),
            json!({
                "id": "qte_2Hs8Vb",
                "number": "Q-2026-0142",
                "acceptedAt": "2026-05-14T09:12:44Z",
                "validUntil": "2026-06-13"
            }),
        );
    }
    let mut fields = submission_fields();
    fields.extend([
        field("quote.id", "Quote ID", Text),
        field("quote.number", "Quote number", Text),
        field("quote.acceptedAt", "Accepted at", Date),
        field("quote.validUntil", "Valid until", Date),
    ]);
    let mut mapping = person_mapping();
    mapping.extend([
        ("contact.tags", "quote accepted"),
        (
            "task.title",
            "Welcome {{ contact.name | first_name }}: quote {{ quote.number }} accepted",
        ),
        (
            "task.body",
            "{{ calculator.name }}, total {{ total.formatted }}",
        ),
        ("task.dueDate", "{{ quote.acceptedAt | date(add_days=1) }}"),
    ]);
    Event {
        key: "quote.accepted",
        label: "Someone accepts a quote",
        sample,
        fields,
        mapping,
    }
}
