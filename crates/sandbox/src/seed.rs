//! Deterministic demo data: gyms and clubs with their members and leads,
//! staff, tasks, notes, appointments, businesses, custom fields and tags.
//! The same seed (and anchor day) always gives the same data.

use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::ids::new_id;
use super::store::{
    Appointment, Business, Calendar, Contact, CustomField, DndChannel, LocationData, LocationInfo,
    LocationTag, Note, Store, Task, User,
};
use super::SandboxConfig;

const LOCATIONS: [(&str, &str, &str, &str); 3] = [
    ("Riverside Fitness Club", "Austin", "TX", "America/Chicago"),
    (
        "Harbor Tennis & Swim",
        "San Diego",
        "CA",
        "America/Los_Angeles",
    ),
    ("Summit Climbing Gym", "Denver", "CO", "America/Denver"),
];

pub const FIRST_NAMES: [&str; 40] = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Lucas",
    "Mia", "Mateo", "Amelia", "Ethan", "Harper", "Aiden", "Evelyn", "Caleb", "Abigail", "Levi",
    "Chloe", "Owen", "Grace", "Wyatt", "Zoe", "Jack", "Nora", "Henry", "Lily", "Samuel", "Hannah",
    "Daniel", "Aria", "Julian", "Layla", "Gabriel", "Riley", "Isaac", "Priya", "Kenji",
];

pub const LAST_NAMES: [&str; 40] = [
    "Smith", "Johnson", "Garcia", "Martinez", "Brown", "Davis", "Lopez", "Wilson", "Anderson",
    "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
    "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen",
    "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson",
    "Baker", "Patel", "Kim",
];

const EMAIL_DOMAINS: [&str; 5] = [
    "example.com",
    "example.org",
    "example.net",
    "mail.example.com",
    "inbox.example.org",
];

const SOURCES: [&str; 7] = [
    "website form",
    "walk-in",
    "referral",
    "facebook ad",
    "google ads",
    "instagram",
    "open day",
];

const MEMBER_TAGS: [&str; 8] = [
    "personal-training",
    "yoga",
    "swim",
    "tennis",
    "climbing",
    "newsletter",
    "vip",
    "family",
];

const PLANS: [&str; 4] = ["Basic", "Premium", "Family", "Student"];

const AREA_CODES: [&str; 8] = ["512", "737", "619", "858", "303", "720", "415", "212"];

const TASK_TITLES: [&str; 8] = [
    "Call about membership renewal",
    "Follow up after trial class",
    "Send class schedule",
    "Book intro session",
    "Check in after first month",
    "Collect signed waiver",
    "Offer personal training package",
    "Confirm payment details",
];

const NOTE_BODIES: [&str; 6] = [
    "Interested in morning classes before work.",
    "Asked about family plan pricing.",
    "Prefers text messages over calls.",
    "Recovering from a knee injury; avoid high-impact sessions.",
    "Came in with a friend who is already a member.",
    "Wants to freeze membership over the summer.",
];

const CALENDARS: [(&str, u32); 3] = [
    ("Personal Training", 60),
    ("Intro Tour", 30),
    ("Group Classes", 45),
];

const BUSINESSES: [&str; 6] = [
    "Acme Logistics",
    "Blue River Software",
    "Cedar Health Partners",
    "Northwind Traders",
    "Pioneer Credit Union",
    "Lakeside School District",
];

const USER_ROLES: [&str; 5] = ["admin", "user", "user", "user", "user"];

/// Seeded dates spread over this many days before the anchor.
const HISTORY_DAYS: i64 = 548;

/// Builds the whole store for `config`.
pub fn seed(config: &SandboxConfig) -> Store {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let anchor = config.anchor.unwrap_or_else(start_of_today);
    let company_id = new_id(&mut rng);
    let mut store = Store {
        company_id,
        ..Store::default()
    };
    for index in 0..config.locations.max(1) {
        let contacts = if index == 0 {
            config.contacts
        } else {
            config.contacts / 10
        };
        let location = seed_location(&mut rng, place(index), contacts, anchor);
        store.order.push(location.info.id.clone());
        store.locations.insert(location.info.id.clone(), location);
    }
    store
}

fn start_of_today() -> DateTime<Utc> {
    let today = Utc::now().date_naive();
    Utc.from_utc_datetime(&today.and_time(chrono::NaiveTime::MIN))
}

/// Location `index`: one of the three gyms, or beyond them, a numbered
/// branch of one (`Riverside Fitness Club 4`).
fn place(index: usize) -> (String, &'static str, &'static str, &'static str) {
    let (name, city, state, timezone) = LOCATIONS[index % LOCATIONS.len()];
    let name = if index < LOCATIONS.len() {
        name.to_owned()
    } else {
        format!("{name} {}", index + 1)
    };
    (name, city, state, timezone)
}

fn seed_location(
    rng: &mut ChaCha8Rng,
    (name, city, state, timezone): (String, &str, &str, &str),
    contacts: usize,
    anchor: DateTime<Utc>,
) -> LocationData {
    let info = LocationInfo {
        id: new_id(rng),
        name,
        city: city.into(),
        state: state.into(),
        timezone: timezone.into(),
    };
    let users = seed_users(rng, &info);
    let calendars = seed_calendars(rng, &users);
    let businesses = seed_businesses(rng, anchor, city);
    let custom_fields = seed_custom_fields(rng);
    let mut tags: Vec<LocationTag> = ["member", "lead", "trial", "lapsed"]
        .iter()
        .chain(MEMBER_TAGS.iter())
        .map(|tag| LocationTag {
            id: new_id(rng),
            name: (*tag).into(),
        })
        .collect();
    tags.sort_by(|a, b| a.name.cmp(&b.name));
    let mut location = LocationData {
        info,
        users,
        calendars,
        businesses,
        custom_fields,
        tags,
        contacts: Default::default(),
        appointments: Default::default(),
    };
    for serial in 0..contacts {
        let mut contact = seed_contact(rng, &location, serial, anchor);
        seed_tasks(rng, &mut contact, &location.users, anchor);
        seed_notes(rng, &mut contact, &location.users, anchor);
        if rng.gen_bool(0.5) {
            if let Some(appointment) = seed_appointment(rng, &location, &contact, anchor) {
                location
                    .appointments
                    .insert(appointment.id.clone(), appointment);
            }
        }
        location.contacts.insert(contact.id.clone(), contact);
    }
    location
}

pub fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or_default()
}

fn phone(rng: &mut ChaCha8Rng) -> String {
    format!(
        "+1{}{:03}{:04}",
        pick(rng, &AREA_CODES),
        rng.gen_range(200..1000),
        rng.gen_range(0..10_000)
    )
}

fn seed_users(rng: &mut ChaCha8Rng, info: &LocationInfo) -> Vec<User> {
    let domain = info.name.to_lowercase().replace([' ', '&'], "");
    USER_ROLES
        .iter()
        .map(|role| {
            let first = pick(rng, &FIRST_NAMES);
            let last = pick(rng, &LAST_NAMES);
            User {
                id: new_id(rng),
                first_name: first.into(),
                last_name: last.into(),
                email: format!(
                    "{}.{}@{domain}.example.com",
                    first.to_lowercase(),
                    last.to_lowercase()
                ),
                phone: phone(rng),
                role: (*role).into(),
            }
        })
        .collect()
}

fn seed_calendars(rng: &mut ChaCha8Rng, users: &[User]) -> Vec<Calendar> {
    let group_id = new_id(rng);
    CALENDARS
        .iter()
        .map(|(name, minutes)| Calendar {
            id: new_id(rng),
            name: (*name).into(),
            group_id: group_id.clone(),
            description: format!("{name} sessions"),
            slot_minutes: *minutes,
            team: users.iter().skip(1).map(|user| user.id.clone()).collect(),
        })
        .collect()
}

fn seed_businesses(rng: &mut ChaCha8Rng, anchor: DateTime<Utc>, city: &str) -> Vec<Business> {
    BUSINESSES
        .iter()
        .map(|name| {
            let slug = name.to_lowercase().replace(' ', "");
            Business {
                id: new_id(rng),
                name: (*name).into(),
                email: format!("wellness@{slug}.example.com"),
                phone: phone(rng),
                website: format!("https://{slug}.example.com"),
                city: city.into(),
                created_at: anchor - Duration::days(rng.gen_range(200..HISTORY_DAYS)),
            }
        })
        .collect()
}

fn seed_custom_fields(rng: &mut ChaCha8Rng) -> Vec<CustomField> {
    let field = |rng: &mut ChaCha8Rng, name: &str, key: &str, data_type: &str, options: &[&str]| {
        CustomField {
            id: new_id(rng),
            name: name.into(),
            key: key.into(),
            data_type: data_type.into(),
            options: options.iter().map(|option| (*option).into()).collect(),
        }
    };
    vec![
        field(
            rng,
            "Membership Plan",
            "membership_plan",
            "SINGLE_OPTIONS",
            &PLANS,
        ),
        field(rng, "Member Since", "member_since", "DATE", &[]),
        field(rng, "Referral Code", "referral_code", "TEXT", &[]),
        field(
            rng,
            "Visits This Month",
            "visits_this_month",
            "NUMERICAL",
            &[],
        ),
    ]
}

/// One member or lead of `location`; `serial` keeps emails unique.
pub fn seed_contact(
    rng: &mut ChaCha8Rng,
    location: &LocationData,
    serial: usize,
    anchor: DateTime<Utc>,
) -> Contact {
    let first = pick(rng, &FIRST_NAMES);
    let last = pick(rng, &LAST_NAMES);
    let date_added = anchor - Duration::minutes(rng.gen_range(0..HISTORY_DAYS * 24 * 60));
    let since_added = (anchor - date_added).num_minutes().max(1);
    let date_updated = date_added + Duration::minutes(rng.gen_range(0..since_added));
    let is_member = rng.gen_bool(0.6);
    let tags = seed_tags(rng, is_member);
    let custom_fields = seed_contact_fields(rng, location, is_member, date_added, serial);
    let dnd = rng.gen_bool(0.05);
    Contact {
        id: new_id(rng),
        location_id: location.info.id.clone(),
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        email: Some(format!(
            "{}.{}{}@{}",
            first.to_lowercase(),
            last.to_lowercase(),
            serial,
            pick(rng, &EMAIL_DOMAINS)
        )),
        phone: Some(phone(rng)),
        city: Some(location.info.city.clone()),
        state: Some(location.info.state.clone()),
        country: Some("US".into()),
        postal_code: Some(format!("{:05}", rng.gen_range(10_000..99_999))),
        address1: Some(format!("{} Main St", rng.gen_range(1..9_999))),
        timezone: Some(location.info.timezone.clone()),
        source: Some(pick(rng, &SOURCES).into()),
        contact_type: if is_member { "customer" } else { "lead" }.into(),
        dnd,
        dnd_settings: if dnd { vec![sms_opt_out()] } else { Vec::new() },
        tags,
        custom_fields,
        date_of_birth: rng.gen_bool(0.4).then(|| seed_birthday(rng, anchor)),
        date_added,
        date_updated,
        assigned_to: if rng.gen_bool(0.7) {
            location.users.choose(rng).map(|user| user.id.clone())
        } else {
            None
        },
        business_id: if rng.gen_bool(0.1) {
            location
                .businesses
                .choose(rng)
                .map(|business| business.id.clone())
        } else {
            None
        },
        attribution_url: Some(format!(
            "https://{}.example.com/join",
            location.info.name.to_lowercase().replace([' ', '&'], "")
        )),
        ..Contact::default()
    }
}

/// `member` or `lead`, sometimes `trial` or `lapsed`, and a few interests.
fn seed_tags(rng: &mut ChaCha8Rng, is_member: bool) -> Vec<String> {
    let mut tags = vec![if is_member { "member" } else { "lead" }.to_owned()];
    if !is_member && rng.gen_bool(0.3) {
        tags.push("trial".into());
    }
    if is_member && rng.gen_bool(0.1) {
        tags.push("lapsed".into());
    }
    for _ in 0..rng.gen_range(0..3) {
        let tag = pick(rng, &MEMBER_TAGS).to_owned();
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags
}

fn seed_birthday(rng: &mut ChaCha8Rng, anchor: DateTime<Utc>) -> DateTime<Utc> {
    let (year, month, day) = (
        rng.gen_range(1960..2006),
        rng.gen_range(1..13),
        rng.gen_range(1..29),
    );
    Utc.with_ymd_and_hms(year, month, day, 0, 0, 0)
        .single()
        .unwrap_or(anchor)
}

/// A contact who texted STOP.
fn sms_opt_out() -> DndChannel {
    DndChannel {
        channel: "SMS".into(),
        status: "active".into(),
        message: "Opted out by text".into(),
        code: "STOP".into(),
    }
}

fn seed_contact_fields(
    rng: &mut ChaCha8Rng,
    location: &LocationData,
    is_member: bool,
    date_added: DateTime<Utc>,
    serial: usize,
) -> Vec<(String, String)> {
    let [plan, since, referral, visits] = &location.custom_fields[..] else {
        return Vec::new();
    };
    let mut fields = vec![(referral.id.clone(), format!("REF{serial:06}"))];
    if is_member {
        fields.push((plan.id.clone(), pick(rng, &PLANS).into()));
        fields.push((since.id.clone(), date_added.format("%Y-%m-%d").to_string()));
        fields.push((visits.id.clone(), rng.gen_range(0..25).to_string()));
    }
    fields
}

fn seed_tasks(rng: &mut ChaCha8Rng, contact: &mut Contact, users: &[User], anchor: DateTime<Utc>) {
    for _ in 0..rng.gen_range(0..5) {
        let task = seed_task(rng, contact, users, anchor);
        contact.tasks.push(task);
    }
}

/// One task of `contact`, due some weeks after it was added.
pub fn seed_task(
    rng: &mut ChaCha8Rng,
    contact: &Contact,
    users: &[User],
    anchor: DateTime<Utc>,
) -> Task {
    let date_added = contact.date_added + Duration::hours(rng.gen_range(0..72));
    let due_date = date_added + Duration::days(rng.gen_range(1..60));
    // Past tasks are mostly done; the rest are overdue.
    let completed = due_date < anchor && rng.gen_bool(0.7);
    Task {
        id: new_id(rng),
        contact_id: contact.id.clone(),
        title: pick(rng, &TASK_TITLES).into(),
        body: Some(format!(
            "For {}.",
            contact.first_name.as_deref().unwrap_or("the contact")
        )),
        assigned_to: users.choose(rng).map(|user| user.id.clone()),
        due_date,
        completed,
        date_added,
    }
}

fn seed_notes(rng: &mut ChaCha8Rng, contact: &mut Contact, users: &[User], anchor: DateTime<Utc>) {
    for _ in 0..rng.gen_range(0..3) {
        let note = seed_note(rng, contact, users, anchor);
        contact.notes.push(note);
    }
}

/// One note about `contact`, written after it was added.
pub fn seed_note(
    rng: &mut ChaCha8Rng,
    contact: &Contact,
    users: &[User],
    anchor: DateTime<Utc>,
) -> Note {
    let span = (anchor - contact.date_added).num_minutes().max(1);
    Note {
        id: new_id(rng),
        contact_id: contact.id.clone(),
        body: pick(rng, &NOTE_BODIES).into(),
        title: None,
        user_id: users.choose(rng).map(|user| user.id.clone()),
        color: None,
        pinned: rng.gen_bool(0.1),
        date_added: contact.date_added + Duration::minutes(rng.gen_range(0..span)),
    }
}

/// One appointment of `contact` on one of the location's calendars.
pub fn seed_appointment(
    rng: &mut ChaCha8Rng,
    location: &LocationData,
    contact: &Contact,
    anchor: DateTime<Utc>,
) -> Option<Appointment> {
    let calendar = location.calendars.choose(rng)?;
    let day = rng.gen_range(-180..60);
    let start_time = anchor + Duration::days(day) + Duration::hours(rng.gen_range(14..26));
    let status = if start_time < anchor {
        pick(rng, &["showed", "showed", "showed", "noshow", "cancelled"])
    } else {
        pick(rng, &["confirmed", "confirmed", "new", "cancelled"])
    };
    // Booked before the anchor even when it takes place after: a booking
    // time in the future would outrank every later change of it.
    let booked = (start_time - Duration::days(rng.gen_range(1..14))).min(anchor);
    Some(Appointment {
        id: new_id(rng),
        location_id: location.info.id.clone(),
        calendar_id: calendar.id.clone(),
        group_id: calendar.group_id.clone(),
        contact_id: contact.id.clone(),
        title: format!(
            "{} with {}",
            calendar.name,
            contact.full_name().unwrap_or_default()
        ),
        status: status.into(),
        assigned_user_id: calendar.team.choose(rng).cloned().unwrap_or_default(),
        notes: None,
        address: Some(format!("{} front desk", location.info.name)),
        start_time,
        end_time: start_time + Duration::minutes(i64::from(calendar.slot_minutes)),
        date_added: booked,
        date_updated: booked,
    })
}
