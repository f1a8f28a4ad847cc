//! Simulated Club OS: a US health club's CRM. camelCase bodies about one
//! member and their `homeClub`; the type travels in the `X-ClubOS-Event`
//! header, not in the body. Dates are `MM/DD/YYYY`.

use serde_json::{json, Map, Value};

use super::fake::{iso_seconds, Fake, Person};

pub const EVENTS: &[&str] = &[
    "member.created",
    "member.updated",
    "member.tagged",
    "task.created",
    "note.created",
];

pub const EVENT_HEADER: &str = "X-ClubOS-Event";

/// Name, city, state and area code.
type Club = (&'static str, &'static str, &'static str, &'static str);

const CLUBS: [Club; 3] = [
    ("Riverside Fitness Club", "Austin", "TX", "512"),
    ("Harbor Tennis & Swim", "San Diego", "CA", "619"),
    ("Summit Athletic Club", "Denver", "CO", "303"),
];

const STREETS: [&str; 4] = ["N Lamar Blvd", "Congress Ave", "Main St", "Colfax Ave"];

const AGREEMENTS: [&str; 3] = ["Month-to-Month", "12 Month", "Paid in Full"];

const TAGS: [&str; 6] = [
    "Personal Training",
    "Group Fitness",
    "VIP",
    "Corporate",
    "Aquatics",
    "Pickleball",
];

const EMPLOYEES: [&str; 3] = ["Dana Brooks", "Luis Ortega", "Kim Tran"];

const TASKS: [(&str, &str); 3] = [
    (
        "Renewal call",
        "Agreement ends next month; offer the annual rate.",
    ),
    (
        "Welcome call",
        "Book the free fitness assessment included with the agreement.",
    ),
    (
        "Past due balance",
        "Card on file declined twice; ask for a new card.",
    ),
];

const NOTES: [&str; 3] = [
    "Prefers early morning sessions before work.",
    "Interested in the Saturday pickleball league.",
    "Asked to be contacted by text only.",
];

pub fn body(event: &str, fake: &mut Fake) -> Option<Value> {
    let club = fake.pick(&CLUBS);
    let person = fake.person();
    let (member, extra) = match event {
        "member.created" => (member(fake, &person, club, "Active", None), json!({})),
        "member.updated" => {
            let status = fake.pick(&["Active", "Frozen", "Expired"]);
            let changed = fake.some(
                &["memberStatus", "agreementType", "mobilePhone", "address"],
                2,
            );
            (
                member(fake, &person, club, status, None),
                json!({"changedFields": changed}),
            )
        }
        "member.tagged" => {
            let tag = fake.pick(&TAGS);
            (
                member(fake, &person, club, "Active", Some(tag)),
                json!({"tag": {"tagId": fake.number(100..1000), "tagName": tag}}),
            )
        }
        "task.created" => (member_ref(fake, &person, club), json!({"task": task(fake)})),
        "note.created" => (member_ref(fake, &person, club), json!({"note": note(fake)})),
        _ => return None,
    };
    let mut body = Map::new();
    body.insert("eventId".into(), json!(fake.uuid()));
    body.insert("sentAt".into(), json!(iso_seconds(fake.recently())));
    body.insert("homeClub".into(), home_club(fake, club));
    body.insert("member".into(), member);
    if let Value::Object(extra) = extra {
        body.extend(extra);
    }
    Some(Value::Object(body))
}

fn home_club(fake: &mut Fake, (name, city, state, area): Club) -> Value {
    json!({
        "clubId": fake.number(1000..10_000),
        "clubName": name,
        "clubNumber": format!("{:04}", fake.number(1..10_000)),
        "phone": format!("({area}) 555-0100"),
        "city": city,
        "state": state,
    })
}

/// A member; `tag` is one they were just given.
fn member(
    fake: &mut Fake,
    person: &Person,
    (_, city, state, area): Club,
    status: &str,
    tag: Option<&str>,
) -> Value {
    let mut tags = fake.some(&TAGS, 2);
    if let Some(tag) = tag.filter(|tag| !tags.contains(tag)) {
        tags.push(tag);
    }
    json!({
        "memberId": fake.number(1_000_000..10_000_000),
        "firstName": person.first,
        "lastName": person.last,
        "email": person.email(fake, "example.com"),
        "mobilePhone": fake.us_phone(area),
        "birthDate": fake.birth_date().format("%m/%d/%Y").to_string(),
        "memberStatus": status,
        "agreementType": fake.pick(&AGREEMENTS),
        "memberSince": fake.recently().format("%m/%d/%Y").to_string(),
        "address": {
            "address1": format!("{} {}", fake.number(100..9999), fake.pick(&STREETS)),
            "city": city,
            "state": state,
            "zip": format!("{:05}", fake.number(10_000..99_999)),
            "country": "US"
        },
        "tags": tags,
    })
}

fn member_ref(fake: &mut Fake, person: &Person, (_, _, _, area): Club) -> Value {
    json!({
        "memberId": fake.number(1_000_000..10_000_000),
        "firstName": person.first,
        "lastName": person.last,
        "email": person.email(fake, "example.com"),
        "mobilePhone": fake.us_phone(area),
    })
}

fn task(fake: &mut Fake) -> Value {
    let (subject, notes) = fake.pick(&TASKS);
    json!({
        "taskId": fake.number(10_000..100_000),
        "subject": subject,
        "notes": notes,
        "dueDate": fake.due_date().format("%m/%d/%Y").to_string(),
        "assignedEmployee": {
            "employeeId": fake.number(1000..10_000),
            "name": fake.pick(&EMPLOYEES)
        },
    })
}

fn note(fake: &mut Fake) -> Value {
    json!({
        "noteId": fake.number(10_000..100_000),
        "text": fake.pick(&NOTES),
        "createdBy": fake.pick(&EMPLOYEES),
        "createdAt": iso_seconds(fake.recently()),
    })
}
