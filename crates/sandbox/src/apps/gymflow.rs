//! Simulated GymFlow: a UK gym's software. camelCase bodies with the type in
//! `type` and the record under `data`, UK mobiles, ISO dates.

use serde_json::{json, Value};

use super::fake::{iso_millis, Fake, Person};

pub const EVENTS: &[&str] = &[
    "contact.created",
    "contact.updated",
    "tag.added",
    "tag.removed",
    "task.created",
    "note.created",
];

const GYMS: [&str; 3] = ["Northside Strength", "Canal Street Gym", "The Boxing Shed"];

/// Town or city and a postcode there.
const TOWNS: [(&str, &str); 4] = [
    ("Manchester", "M1 4BT"),
    ("Leeds", "LS1 5DL"),
    ("Bristol", "BS1 6QF"),
    ("Glasgow", "G2 8LY"),
];

const STREETS: [&str; 4] = [
    "Mill Lane",
    "Station Road",
    "Church Street",
    "Victoria Road",
];

const PLANS: [&str; 4] = ["Off-Peak", "Anytime", "Student", "Trial"];

const STATUSES: [&str; 4] = ["trial", "active", "frozen", "cancelled"];

const TAGS: [&str; 6] = [
    "member",
    "trial",
    "pt-client",
    "classes",
    "lapsed",
    "referral",
];

const STAFF: [&str; 3] = ["Tom Archer", "Priya Shah", "Callum Reid"];

const TASKS: [(&str, &str); 3] = [
    (
        "Book induction",
        "New member: book the gym floor induction this week.",
    ),
    (
        "Trial ending",
        "Trial ends in three days; offer the Anytime plan.",
    ),
    (
        "Freeze request",
        "Asked to freeze for a month; confirm dates.",
    ),
];

const NOTES: [&str; 3] = [
    "Wants to move to the off-peak plan after the trial.",
    "Training for a half marathon in October.",
    "Came in with a friend on a guest pass.",
];

pub fn body(event: &str, fake: &mut Fake) -> Option<Value> {
    let person = fake.person();
    let data = match event {
        "contact.created" => {
            let status = fake.pick(&["trial", "active"]);
            json!({"contact": contact(fake, &person, status)})
        }
        "contact.updated" => json!({
            "contact": contact(fake, &person, "active"),
            "previousAttributes": {
                "membershipStatus": fake.pick(&STATUSES),
                "plan": fake.pick(&PLANS)
            },
        }),
        "tag.added" | "tag.removed" => tag_change(fake, &person, event == "tag.added"),
        "task.created" => json!({"task": task(fake), "contact": contact_ref(fake, &person)}),
        "note.created" => json!({"note": note(fake), "contact": contact_ref(fake, &person)}),
        _ => return None,
    };
    Some(json!({
        "id": format!("evt_01{}", fake.token("", 24).to_uppercase()),
        "type": event,
        "createdAt": iso_millis(fake.recently()),
        "gym": {"id": format!("gym_{}", fake.token("", 6).to_lowercase()), "name": fake.pick(&GYMS)},
        "data": data,
    }))
}

fn contact(fake: &mut Fake, person: &Person, status: &str) -> Value {
    let (city, postcode) = fake.pick(&TOWNS);
    json!({
        "id": fake.token("con_", 8),
        "firstName": person.first,
        "lastName": person.last,
        "email": person.email(fake, "example.co.uk"),
        "phone": fake.uk_mobile(),
        "dateOfBirth": fake.birth_date().format("%Y-%m-%d").to_string(),
        "membershipStatus": status,
        "plan": fake.pick(&PLANS),
        "joinedOn": fake.recently().format("%Y-%m-%d").to_string(),
        "address": {
            "line1": format!("{} {}", fake.number(1..200), fake.pick(&STREETS)),
            "city": city,
            "postcode": postcode,
            "country": "GB"
        },
        "tags": fake.some(&TAGS, 3),
    })
}

fn contact_ref(fake: &mut Fake, person: &Person) -> Value {
    json!({
        "id": fake.token("con_", 8),
        "firstName": person.first,
        "lastName": person.last,
        "email": person.email(fake, "example.co.uk"),
        "phone": fake.uk_mobile(),
    })
}

/// The contact carries its tags as they are after the change, never none.
fn tag_change(fake: &mut Fake, person: &Person, added: bool) -> Value {
    let tag = fake.pick(&TAGS[1..]);
    let mut tags = vec!["member"];
    tags.extend(fake.some(&TAGS[1..], 2));
    tags.retain(|kept| *kept != tag);
    if added {
        tags.push(tag);
    }
    let mut contact = contact_ref(fake, person);
    contact["tags"] = json!(tags);
    json!({
        "contact": contact,
        "tag": {"id": format!("tag_{}", tag.replace('-', "_")), "name": tag},
    })
}

fn staff(fake: &mut Fake) -> Value {
    json!({"id": fake.token("stf_", 4), "name": fake.pick(&STAFF)})
}

fn task(fake: &mut Fake) -> Value {
    let (title, description) = fake.pick(&TASKS);
    json!({
        "id": fake.token("tsk_", 6),
        "title": title,
        "description": description,
        "dueAt": iso_millis(fake.due_date()),
        "assignee": staff(fake),
    })
}

fn note(fake: &mut Fake) -> Value {
    json!({
        "id": fake.token("nte_", 4),
        "content": fake.pick(&NOTES),
        "author": staff(fake),
        "createdAt": iso_millis(fake.recently()),
    })
}
