//! A simulated "any app": the small body about one person that a form tool
//! or a home-made system might post, the type in `type`.

use serde_json::{json, Value};

use super::fake::{iso_seconds, Fake};

pub const EVENTS: &[&str] = &["event"];

const TAGS: [&str; 4] = ["webhook", "website", "trial", "newsletter"];

const MESSAGES: [&str; 3] = [
    "Booked a free trial class for Saturday.",
    "Asked for a call back about membership prices.",
    "Downloaded the class timetable.",
];

pub fn body(event: &str, fake: &mut Fake) -> Option<Value> {
    if !EVENTS.contains(&event) {
        return None;
    }
    let person = fake.person();
    Some(json!({
        "type": event,
        "id": format!("evt_{}", fake.number(1000..100_000)),
        "occurredAt": iso_seconds(fake.recently()),
        "contact": {
            "firstName": person.first,
            "lastName": person.last,
            "email": person.email(fake, "example.com"),
            "phone": fake.international_phone(),
            "tags": fake.some(&TAGS, 2)
        },
        "message": fake.pick(&MESSAGES),
    }))
}
