//! Simulated Clubworx: an Australian martial arts and fitness club's member
//! system. snake_case bodies, the type in `event`, `DD/MM/YYYY` due dates.

use serde_json::{json, Value};

use super::fake::{aest, Fake, Person};

pub const EVENTS: &[&str] = &[
    "member.created",
    "member.updated",
    "task.created",
    "note.added",
    "signup.created",
];

const CLUBS: [&str; 4] = [
    "Bayside Martial Arts",
    "Coastline BJJ",
    "Iron Gate Fitness",
    "Southside Muay Thai",
];

/// Suburb, state and postcode.
const SUBURBS: [(&str, &str, &str); 5] = [
    ("Brighton", "VIC", "3186"),
    ("Newtown", "NSW", "2042"),
    ("Fortitude Valley", "QLD", "4006"),
    ("Fremantle", "WA", "6160"),
    ("Glenelg", "SA", "5045"),
];

const STREETS: [&str; 5] = [
    "Beach Road",
    "King Street",
    "Ann Street",
    "High Street",
    "Jetty Road",
];

const MEMBERSHIPS: [&str; 4] = [
    "Unlimited Adult",
    "2 Classes a Week",
    "Kids Program",
    "Casual",
];

const TAGS: [&str; 6] = [
    "BJJ",
    "Muay Thai",
    "Kids",
    "Newsletter",
    "Competition",
    "Women's Class",
];

const STAFF: [&str; 3] = ["Jordan Blake", "Mia Tran", "Sam Keogh"];

const TASKS: [(&str, &str); 3] = [
    (
        "Follow up after trial class",
        "Ask how the first class went and offer the intro pack.",
    ),
    (
        "Grading reminder",
        "Remind about the grading on Saturday and the uniform.",
    ),
    (
        "Payment failed",
        "Direct debit bounced; call to update the card.",
    ),
];

const NOTES: [&str; 3] = [
    "Recovering from a shoulder injury; no sparring until June.",
    "Brother also trains in the kids program.",
    "Prefers evening classes after 6 pm.",
];

const FORMS: [(&str, &str); 3] = [
    ("Free Trial Class", "Website"),
    ("Kids Program Enquiry", "Facebook"),
    ("Open Day Registration", "Walk-in"),
];

pub fn body(event: &str, fake: &mut Fake) -> Option<Value> {
    let person = fake.person();
    let data = match event {
        "member.created" => json!({"member": member(fake, &person, "Active")}),
        "member.updated" => {
            let status = fake.pick(&["Active", "Suspended", "Cancelled"]);
            json!({
                "member": member(fake, &person, status),
                "changes": fake.some(&["status", "membership_type", "mobile", "address"], 2),
            })
        }
        "task.created" => json!({"task": task(fake), "member": member_ref(fake, &person)}),
        "note.added" => json!({"note": note(fake), "member": member_ref(fake, &person)}),
        "signup.created" => json!({
            "signup": signup(fake),
            "member": member(fake, &person, "Prospect"),
        }),
        _ => return None,
    };
    Some(envelope(event, data, fake))
}

fn envelope(event: &str, data: Value, fake: &mut Fake) -> Value {
    json!({
        "event": event,
        "event_id": fake.token("evt_", 12),
        "created_at": sydney_time(fake),
        "account": {"id": fake.number(1000..10_000), "name": fake.pick(&CLUBS)},
        "data": data,
    })
}

/// A recent moment as Clubworx writes it, in Australian Eastern time.
fn sydney_time(fake: &mut Fake) -> String {
    aest(fake.recently())
}

fn member(fake: &mut Fake, person: &Person, status: &str) -> Value {
    let (suburb, state, postcode) = fake.pick(&SUBURBS);
    json!({
        "id": fake.number(100_000..200_000),
        "first_name": person.first,
        "last_name": person.last,
        "name": format!("{} {}", person.first, person.last),
        "email": person.email(fake, "example.com.au"),
        "mobile": fake.au_mobile(),
        "date_of_birth": fake.birth_date().format("%Y-%m-%d").to_string(),
        "status": status,
        "membership_type": fake.pick(&MEMBERSHIPS),
        "address": {
            "street": format!("{} {}", fake.number(1..200), fake.pick(&STREETS)),
            "suburb": suburb,
            "state": state,
            "postcode": postcode,
            "country": "Australia"
        },
        "tags": fake.some(&TAGS, 3),
    })
}

fn member_ref(fake: &mut Fake, person: &Person) -> Value {
    json!({
        "id": fake.number(100_000..200_000),
        "first_name": person.first,
        "last_name": person.last,
        "email": person.email(fake, "example.com.au"),
        "mobile": fake.au_mobile(),
    })
}

fn staff(fake: &mut Fake) -> Value {
    json!({"id": fake.number(100..1000), "name": fake.pick(&STAFF)})
}

fn task(fake: &mut Fake) -> Value {
    let (title, description) = fake.pick(&TASKS);
    json!({
        "id": fake.number(10_000..100_000),
        "title": title,
        "description": description,
        "due_date": fake.due_date().format("%d/%m/%Y").to_string(),
        "assigned_to": staff(fake),
    })
}

fn note(fake: &mut Fake) -> Value {
    json!({
        "id": fake.number(10_000..100_000),
        "body": fake.pick(&NOTES),
        "author": staff(fake),
        "created_at": sydney_time(fake),
    })
}

fn signup(fake: &mut Fake) -> Value {
    let (form_name, source) = fake.pick(&FORMS);
    json!({
        "id": fake.number(1000..10_000),
        "form_name": form_name,
        "source": source,
        "submitted_at": sydney_time(fake),
    })
}
