//! Simulated Workiom: a no-code database whose lists (Contacts, Tasks, Notes,
//! Businesses) post their new and changed records, columns named as the gym
//! named them, the type in `eventType`.

use serde_json::{json, Value};

use super::fake::{iso_seconds, Fake, Person};

pub const EVENTS: &[&str] = &[
    "contact.created",
    "contact.updated",
    "task.created",
    "note.created",
    "business.created",
];

const COMPANIES: [&str; 4] = [
    "Gulf Freight LLC",
    "Marina Dental Clinic",
    "Palm Logistics",
    "Desert Rose Events",
];

const STATUSES: [&str; 3] = ["Lead", "Member", "Former member"];

const TAGS: [&str; 5] = [
    "Personal training",
    "Ladies only",
    "Corporate",
    "Swimming",
    "Referral",
];

const STAFF: [&str; 3] = ["Layla Hassan", "Rami Aziz", "Grace Mendes"];

const TASKS: [(&str, &str); 3] = [
    (
        "Send corporate membership offer",
        "Asked about rates for a team of twelve.",
    ),
    (
        "Confirm assessment slot",
        "Fitness assessment requested for next week.",
    ),
    (
        "Collect Emirates ID copy",
        "Needed before the membership starts.",
    ),
];

const NOTES: [&str; 3] = [
    "Toured the gym on Saturday; liked the women-only hours.",
    "Wants a family rate for two adults and a teenager.",
    "Works shifts; mornings change every week.",
];

const CITIES: [(&str, &str); 3] = [("Dubai", "AE"), ("Abu Dhabi", "AE"), ("Doha", "QA")];

pub fn body(event: &str, fake: &mut Fake) -> Option<Value> {
    let person = fake.person();
    let (list_id, list_name, fields) = match event {
        "contact.created" | "contact.updated" => (11873, "Contacts", contact(fake, &person)),
        "task.created" => (11874, "Tasks", task(fake, &person)),
        "note.created" => (11875, "Notes", note(fake, &person)),
        "business.created" => (11876, "Businesses", business(fake)),
        _ => return None,
    };
    let mut body = json!({
        "eventType": event,
        "eventId": format!("wk-{}", fake.uuid()),
        "occurredAt": iso_seconds(fake.recently()),
        "appId": 2207,
        "listId": list_id,
        "listName": list_name,
        "recordId": fake.number(10_000..1_000_000),
        "fields": fields,
    });
    if event == "contact.updated" {
        body["changedFields"] = json!(fake.some(&["Status", "Phone", "Tags", "Company"], 2));
    }
    Some(body)
}

fn contact(fake: &mut Fake, person: &Person) -> Value {
    json!({
        "First Name": person.first,
        "Last Name": person.last,
        "Email": person.email(fake, "example.com"),
        "Phone": fake.international_phone(),
        "Birthday": fake.birth_date().format("%Y-%m-%d").to_string(),
        "Company": fake.pick(&COMPANIES),
        "Status": fake.pick(&STATUSES),
        "Tags": fake.some(&TAGS, 2),
    })
}

fn task(fake: &mut Fake, person: &Person) -> Value {
    let (title, description) = fake.pick(&TASKS);
    json!({
        "Title": title,
        "Description": description,
        "Due Date": fake.due_date().format("%Y-%m-%d").to_string(),
        "Assigned To": fake.pick(&STAFF),
        "Contact Name": person.full_name(),
        "Contact Email": person.email(fake, "example.com"),
    })
}

fn note(fake: &mut Fake, person: &Person) -> Value {
    json!({
        "Note": fake.pick(&NOTES),
        "Created By": fake.pick(&STAFF),
        "Contact Name": person.full_name(),
        "Contact Email": person.email(fake, "example.com"),
    })
}

fn business(fake: &mut Fake) -> Value {
    let name = fake.pick(&COMPANIES);
    let slug: String = name
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let (city, country) = fake.pick(&CITIES);
    json!({
        "Business Name": name,
        "Email": format!("hr@{slug}.example.com"),
        "Phone": fake.international_phone(),
        "Website": format!("https://{slug}.example.com"),
        "Address": format!("Office {}, Bay Square {}", fake.number(100..2000), fake.number(1..13)),
        "City": city,
        "Country": country,
    })
}
