//! A synthetic location as a busy gym's would be: contacts spread over a
//! year with tags, sources and coaches, tasks and appointments of those
//! contacts, written through the cache's own batched upserts.

use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use switchboard::cache::{
    self, AppointmentRecord, BusinessRecord, ContactRecord, TaskRecord, UserRecord,
};

/// Rows written by one upsert.
pub const BATCH: usize = 2_000;

/// How many rows of each kind a location holds.
#[derive(Clone, Copy)]
pub struct Size {
    pub contacts: usize,
    pub tasks: usize,
    pub appointments: usize,
}

impl Size {
    /// `contacts`, with two tasks and half an appointment each.
    pub const fn of(contacts: usize) -> Self {
        Self {
            contacts,
            tasks: contacts * 2,
            appointments: contacts / 2,
        }
    }
}

pub const SOURCES: [&str; 8] = [
    "Website form",
    "Facebook ad",
    "Instagram",
    "Walk-in",
    "Referral",
    "Google search",
    "Free trial page",
    "Event",
];
pub const TAGS: [&str; 12] = [
    "member",
    "lead",
    "trial",
    "lapsed",
    "vip",
    "personal-training",
    "yoga",
    "spin",
    "morning",
    "evening",
    "family-plan",
    "student",
];
pub const STATUSES: [&str; 5] = ["showed", "showed", "noshow", "cancelled", "confirmed"];

/// Fills the cache of `location` through the cache's own batched upserts;
/// returns the assignee ids.
pub async fn fill(
    pool: &sqlx::PgPool,
    location: &str,
    users: &[String],
    size: Size,
) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(7);
    let now = Utc::now();
    let year_ago =
        |rng: &mut StdRng| now - chrono::Duration::minutes(rng.gen_range(0..365 * 24 * 60));
    let mut people: Vec<String> = users.to_vec();
    people.extend((0..7).map(|n| format!("staff-{n}")));
    let user_records: Vec<UserRecord> = people
        .iter()
        .enumerate()
        .filter_map(|(n, id)| UserRecord::from_model(location, &json!({"id": id, "name": format!("Coach {n}"), "email": format!("coach{n}@example.com")})))
        .collect();
    cache::upsert(pool, &user_records).await.expect("users");
    let businesses: Vec<BusinessRecord> = (0..40)
        .filter_map(|n| {
            BusinessRecord::from_model(
                location,
                &json!({"id": format!("biz-{n}"), "name": format!("Partner business {n}")}),
            )
        })
        .collect();
    cache::upsert(pool, &businesses).await.expect("businesses");

    let mut added = Vec::with_capacity(size.contacts);
    for chunk in (0..size.contacts).collect::<Vec<_>>().chunks(BATCH) {
        let records: Vec<ContactRecord> = chunk
            .iter()
            .filter_map(|&n| {
                let at = year_ago(&mut rng);
                added.push(at);
                ContactRecord::from_document(location, contact(&mut rng, n, at, &people))
            })
            .collect();
        cache::upsert(pool, &records).await.expect("contacts");
    }
    for chunk in (0..size.tasks).collect::<Vec<_>>().chunks(BATCH) {
        let records: Vec<TaskRecord> = chunk
            .iter()
            .filter_map(|&n| {
                let owner = rng.gen_range(0..size.contacts);
                let document = task(&mut rng, n, owner, added[owner], now, &people);
                let seen = time(&document, "seen");
                TaskRecord::from_document(location, document, seen)
            })
            .collect();
        cache::upsert(pool, &records).await.expect("tasks");
    }
    for chunk in (0..size.appointments).collect::<Vec<_>>().chunks(BATCH) {
        let records: Vec<AppointmentRecord> = chunk
            .iter()
            .filter_map(|&n| {
                let owner = rng.gen_range(0..size.contacts);
                AppointmentRecord::from_document(
                    location,
                    appointment(&mut rng, n, owner, now, &people),
                )
            })
            .collect();
        cache::upsert(pool, &records).await.expect("appointments");
    }
    people
}

fn time(document: &Value, key: &str) -> DateTime<Utc> {
    cache::parse_time(&document[key]).unwrap_or_else(Utc::now)
}

fn pick<'a>(rng: &mut StdRng, items: &'a [&'a str]) -> &'a str {
    items[rng.gen_range(0..items.len())]
}

pub fn contact(rng: &mut StdRng, n: usize, added: DateTime<Utc>, people: &[String]) -> Value {
    let mut tags = vec![if rng.gen_bool(0.6) { "member" } else { "lead" }];
    for _ in 0..rng.gen_range(0..3) {
        let tag = pick(rng, &TAGS[2..]);
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    json!({
        "id": format!("contact-{n}"),
        "firstName": format!("First{}", n % 997),
        "lastName": format!("Last{}", n % 1009),
        "email": format!("person{n}@example.com"),
        "phone": format!("+1512555{:04}", n % 10_000),
        "source": pick(rng, &SOURCES),
        "tags": tags,
        "assignedTo": people[rng.gen_range(0..people.len())],
        "businessId": rng.gen_bool(0.1).then(|| format!("biz-{}", rng.gen_range(0..40))),
        "dateAdded": added.to_rfc3339(),
        "dateUpdated": added.to_rfc3339(),
    })
}

fn task(
    rng: &mut StdRng,
    n: usize,
    owner: usize,
    contact_added: DateTime<Utc>,
    now: DateTime<Utc>,
    people: &[String],
) -> Value {
    let age = (now - contact_added).num_minutes().max(1);
    let added = contact_added + chrono::Duration::minutes(rng.gen_range(0..age));
    let due = added + chrono::Duration::days(rng.gen_range(1..14));
    let completed = due < now && rng.gen_bool(0.8);
    let seen = (added + chrono::Duration::hours(rng.gen_range(1..240))).min(now);
    json!({
        "id": format!("task-{n}"),
        "contactId": format!("contact-{owner}"),
        "title": "Follow up",
        "assignedTo": people[rng.gen_range(0..people.len())],
        "dueDate": due.to_rfc3339(),
        "completed": completed,
        "dateAdded": added.to_rfc3339(),
        "dateUpdated": seen.to_rfc3339(),
        "seen": seen.to_rfc3339(),
    })
}

fn appointment(
    rng: &mut StdRng,
    n: usize,
    owner: usize,
    now: DateTime<Utc>,
    people: &[String],
) -> Value {
    let start = now + chrono::Duration::minutes(rng.gen_range(-330 * 24 * 60..35 * 24 * 60));
    let status = if start > now {
        if rng.gen_bool(0.7) {
            "confirmed"
        } else {
            "new"
        }
    } else {
        pick(rng, &STATUSES[..4])
    };
    json!({
        "id": format!("appointment-{n}"),
        "calendarId": "calendar-1",
        "contactId": format!("contact-{owner}"),
        "title": "Intro session",
        "appointmentStatus": status,
        "assignedUserId": people[rng.gen_range(0..people.len())],
        "startTime": start.to_rfc3339(),
        "endTime": (start + chrono::Duration::minutes(45)).to_rfc3339(),
        "dateAdded": (start - chrono::Duration::days(3)).to_rfc3339(),
        "dateUpdated": (start - chrono::Duration::days(3)).to_rfc3339(),
    })
}

/// The contact list as people use it: searches of one, two and more
/// letters, tags, sources, an assignee, dates, another sort, a later page
/// and a search nobody matches.
pub fn contact_filters(assignees: &[String]) -> Vec<String> {
    let paths = [
        "/contacts".to_owned(),
        "/contacts?q=a".into(),
        "/contacts?q=la".into(),
        "/contacts?q=first12".into(),
        "/contacts?q=person4".into(),
        "/contacts?tag=vip".into(),
        "/contacts?tag=yoga&source=Instagram".into(),
        format!("/contacts?assignee={}", assignees[1]),
        "/contacts?sort=added".into(),
        "/contacts?added_from=2026-06-01&added_to=2026-06-30".into(),
        "/contacts?q=a&page=3".into(),
        "/contacts?q=zz".into(),
    ];
    paths.into()
}
